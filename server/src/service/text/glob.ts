/**
 * Glob patterns as the settings and the runner use them: `**` crosses folders,
 * `*` and `?` stay inside one, `{a,b}` alternates, `[...]` is a class. Pure string
 * code (no `path`), so the core also runs in a browser.
 */

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  const cached = cache.get(glob);
  if (cached) return cached;
  let source = '';
  let braceDepth = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        const atSegmentStart = i === 0 || glob[i - 1] === '/';
        i++;
        if (atSegmentStart && glob[i + 1] === '/') {
          // `**/` matches zero or more whole folders.
          source += '(?:[^/]*/)*';
          i++;
        } else {
          source += '.*';
        }
      } else {
        source += '[^/]*';
      }
    } else if (ch === '?') {
      source += '[^/]';
    } else if (ch === '{') {
      braceDepth++;
      source += '(?:';
    } else if (ch === '}' && braceDepth > 0) {
      braceDepth--;
      source += ')';
    } else if (ch === ',' && braceDepth > 0) {
      source += '|';
    } else if (ch === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close === -1) {
        source += '\\[';
      } else {
        const body = glob.slice(i + 1, close).replace(/\\/g, '\\\\');
        source += body.startsWith('!') ? `[^${body.slice(1)}]` : `[${body}]`;
        i = close;
      }
    } else {
      source += ch.replace(/[.+^$()|\\\]]/g, '\\$&');
    }
  }
  const regexp = new RegExp(`^${source}$`);
  if (cache.size > 1000) cache.clear();
  cache.set(glob, regexp);
  return regexp;
}

/**
 * Matches a slash-separated path. A pattern that starts with `**` also matches
 * an absolute path or a URI path, whatever the folders above the workspace are.
 */
export function matchGlob(glob: string, path: string): boolean {
  return globToRegExp(glob).test(path);
}
