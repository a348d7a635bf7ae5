/**
 * Glob patterns as the settings and the runner use them: `**` crosses folders,
 * `*` and `?` stay inside one, `{a,b}` alternates, `[...]` is a class. Pure string
 * code (no `path`), so the core also runs in a browser.
 */

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  const cached = cache.get(glob);
  if (cached) return cached;
  const closed = matchedBraces(glob);
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
    } else if (ch === '{' && closed.has(i)) {
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
        const characterClass = body.startsWith('!') ? `[^${body.slice(1)}]` : `[${body}]`;
        if (isValidRegExp(characterClass)) {
          source += characterClass;
          i = close;
        } else {
          // A class no regular expression can hold (`[z-a]`): its `[` is a literal character.
          source += '\\[';
        }
      }
    } else {
      source += ch.replace(/[.+^$()|{}\\\]]/g, '\\$&');
    }
  }
  let regexp: RegExp;
  try {
    regexp = new RegExp(`^${source}$`);
  } catch {
    // Brackets that still pair up into no valid expression (`{[}]`): the pattern matches itself only.
    regexp = new RegExp(`^${glob.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  }
  if (cache.size > 1000) cache.clear();
  cache.set(glob, regexp);
  return regexp;
}

/**
 * The offsets of the `{` that a later `}` closes. An unclosed `{` is a literal
 * character (as in a shell), not the start of a group that never ends.
 */
function matchedBraces(glob: string): Set<number> {
  const open: number[] = [];
  const closed = new Set<number>();
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] === '{') open.push(i);
    else if (glob[i] === '}' && open.length > 0) closed.add(open.pop()!);
  }
  return closed;
}

function isValidRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/**
 * Matches a slash-separated path. A pattern that starts with `**` also matches
 * an absolute path or a URI path, whatever the folders above the workspace are.
 */
export function matchGlob(glob: string, path: string): boolean {
  return globToRegExp(glob).test(path);
}
