/**
 * Image reference parser with Docker's *normalized* semantics
 * (distribution/reference `ParseNormalizedNamed`, what the daemon and the runner use;
 * REFERENCE §2.3). It does what that function does, in the same order:
 *
 *   1. reject a whole input of 64 lowercase hex characters (§2.3 rule 1);
 *   2. split off the domain the way `splitDockerDomain` does (§2.3 rules 2–5);
 *   3. reject uppercase in the remote name, meaning the text up to the first `:`
 *      (§2.3 rule 6);
 *   4. match `domain/remainder` against the reference grammar (§2.1), then
 *      check the path length (§2.2) and the digest (§2.4).
 *
 * The parser is a hand-written scanner rather than the Go regexps, so that every
 * problem points at the component that fails. Each loop visits each character a
 * fixed number of times, so the parser runs in linear time, and it never throws.
 * It uses no Node APIs.
 */

import type { ImageReference, ReferenceParseResult, ReferenceProblemKind, Span } from './types';

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
/** §2.2: applies to the path (remote name) only; the domain is not counted. */
const PATH_MAX_LENGTH = 255;
/** §2.2: `[\w][\w.-]{0,127}`. */
const TAG_MAX_LENGTH = 128;
/** §2.1: the reference regexp wants at least 32 hex characters after `algorithm:`. */
const DIGEST_MIN_HEX = 32;
/** Longest user value quoted in a message before it is cut with `…`. */
const QUOTE_MAX = 60;

/**
 * §2.4: the algorithms go-digest registers in current Docker builds, with their hex
 * lengths. A function, not an object lookup, so that `constructor` is not "known".
 */
function digestHexLength(algorithm: string): number | undefined {
  if (algorithm === 'sha256') return 64;
  if (algorithm === 'sha512') return 128;
  return undefined;
}

interface Problem {
  readonly kind: ReferenceProblemKind;
  readonly message: string;
  readonly span: Span;
}

/** Where the parts of the reference sit in the text, after the §2.3 domain split. */
interface Layout {
  /** Index of the `/` that ends a written domain, or -1 when the text has no domain (§2.3 rules 2–3). */
  readonly domainEnd: number;
  /** Start of the remote name. */
  readonly pathStart: number;
  /** End of the remote name: the first `:` or `@` after pathStart, or the end of the text. */
  readonly nameEnd: number;
  /** Start of the tag (after `:`), or -1. The tag runs to tagEnd. */
  readonly tagStart: number;
  readonly tagEnd: number;
  /** Start of the digest (after `@`), or -1. The digest runs to the end of the text. */
  readonly digestStart: number;
}

export function parseImageReference(text: string): ReferenceParseResult {
  if (text.length > MAX_CACHED_LENGTH) return parseUncached(text);
  let result = parsedReferences.get(text);
  if (result === undefined) {
    // A bound, as a day of typing adds names one keystroke at a time; refilled on the next analysis.
    if (parsedReferences.size >= MAX_CACHED_REFERENCES) parsedReferences.clear();
    // The text is often a slice of the whole document, which V8 keeps alive as long as
    // the slice: the cache keeps a copy of its own instead, and results made from it.
    const copy = JSON.parse(JSON.stringify(text)) as string;
    result = parseUncached(copy);
    parsedReferences.set(copy, result);
  }
  return result;
}

/**
 * Results by text: a pipeline names a few dozen images thousands of times, and every
 * analysis (each keystroke) asks again. The results are immutable, so sharing them is safe.
 */
const parsedReferences = new Map<string, ReferenceParseResult>();
const MAX_CACHED_REFERENCES = 10_000;
/** Longer texts are not image names anyone writes twice (and would make the cache large). */
const MAX_CACHED_LENGTH = 512;

function parseUncached(text: string): ReferenceParseResult {
  // Guard against any input, however odd: the contract is "never throws".
  try {
    return parse(text);
  } catch {
    return fail('invalid-reference', 'Docker cannot read this image reference, so it rejects it.', 0, text.length);
  }
}

function parse(text: string): ReferenceParseResult {
  if (text.length === 0) {
    return fail('invalid-reference', 'The image name is empty; Docker rejects an empty reference.', 0, 0);
  }

  // §2.3 rule 1: checked on the whole input before anything else.
  if (text.length === 64 && isLowerHex(text, 0, text.length)) {
    return fail(
      'invalid-reference',
      `The image name ${quote(text)} is 64 hexadecimal characters, which Docker reserves for image IDs; ` +
        'it rejects the reference ("cannot specify 64-byte hexadecimal strings"). Put a registry host in front of it if it really is a repository name.',
      0,
      text.length,
    );
  }

  const layout = splitLayout(text);

  // §2.3 rule 6: Docker checks the remainder up to its first `:` for uppercase
  // before it looks at the grammar at all.
  const uppercase = remoteUppercaseProblem(text, layout);
  if (uppercase) return { ok: false, problem: uppercase };

  const syntax = syntaxProblem(text, layout);
  if (syntax) {
    // `Parse` retries the lowercased text and, when that matches, reports
    // ErrNameContainsUppercase instead of the generic format error (§2.3 rule 6).
    const lowered = goLowerForMatching(text);
    if (lowered !== text && !syntaxProblem(lowered, layout)) {
      return fail(
        'uppercase-repository',
        `${syntax.message} Because the reference would be valid in lowercase, Docker reports it as "repository name must be lowercase".`,
        syntax.span.start,
        syntax.span.end,
      );
    }
    return { ok: false, problem: syntax };
  }

  return finish(text, layout);
}

// ---------------------------------------------------------------------------
// §2.3: splitting the domain off

function splitLayout(text: string): Layout {
  const slash = text.indexOf('/');
  // §2.3 rules 2–3: without a `/` there is never a domain; with one, the first
  // component is a domain only if it looks like one.
  const hasDomain = slash >= 0 && looksLikeDomain(text.slice(0, slash));
  const domainEnd = hasDomain ? slash : -1;
  const pathStart = hasDomain ? slash + 1 : 0;

  let nameEnd = pathStart;
  while (nameEnd < text.length && text[nameEnd] !== ':' && text[nameEnd] !== '@') nameEnd++;

  let tagStart = -1;
  let tagEnd = -1;
  let digestStart = -1;
  if (text[nameEnd] === ':') {
    tagStart = nameEnd + 1;
    const at = text.indexOf('@', tagStart);
    tagEnd = at < 0 ? text.length : at;
    digestStart = at < 0 ? -1 : at + 1;
  } else if (text[nameEnd] === '@') {
    digestStart = nameEnd + 1;
  }
  return { domainEnd, pathStart, nameEnd, tagStart, tagEnd, digestStart };
}

/** `splitDockerDomain`: `localhost`, anything with `.` or `:`, or anything not all-lowercase. */
function looksLikeDomain(first: string): boolean {
  return first === 'localhost' || first.includes('.') || first.includes(':') || firstUppercaseIndex(first, 0, first.length) >= 0;
}

function isDockerHubDomain(domain: string): boolean {
  return domain === DEFAULT_DOMAIN || domain === LEGACY_DEFAULT_DOMAIN;
}

// ---------------------------------------------------------------------------
// §2.3 rule 6: the uppercase pre-check

function remoteUppercaseProblem(text: string, layout: Layout): Problem | undefined {
  // The "remote" Docker checks is the remainder up to its first `:`. With no tag
  // that includes an `@algorithm` part, so `redis@SHA256:…` fails here too.
  const colon = text.indexOf(':', layout.pathStart);
  const remoteEnd = colon < 0 ? text.length : colon;
  const upper = firstUppercaseIndex(text, layout.pathStart, remoteEnd);
  if (upper < 0) return undefined;

  const at = text.indexOf('@', layout.pathStart);
  if (at >= 0 && at < upper) {
    const algorithm = text.slice(at + 1, remoteEnd);
    return {
      kind: 'uppercase-repository',
      message:
        `The digest algorithm ${quote(algorithm)} contains uppercase letters. Docker checks everything before the first \`:\` ` +
        `as the repository name, so it rejects the reference with "repository name must be lowercase". Write ${quote(algorithm.toLowerCase())}.`,
      span: { start: at + 1, end: remoteEnd },
    };
  }

  // Report the path component that holds the first uppercase letter.
  let start = upper;
  while (start > layout.pathStart && text[start - 1] !== '/') start--;
  let end = upper;
  while (end < remoteEnd && text[end] !== '/' && text[end] !== '@') end++;
  const component = text.slice(start, end);
  const lower = component.toLowerCase();
  // Suggest the lowercase form only when it would be a valid component.
  const hint = /^[a-z0-9._-]+$/.test(lower) ? ` Write ${quote(lower)}.` : '';
  return {
    kind: 'uppercase-repository',
    message:
      `The repository path component ${quote(component)} contains uppercase letters; Docker rejects the reference ` +
      `because repository names must be lowercase.${hint}`,
    span: { start, end },
  };
}

/** Index of the first character that Go's `strings.ToLower` would change, or -1. */
function firstUppercaseIndex(s: string, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const code = s.charCodeAt(i);
    if (code < 0x80) {
      if (code >= 0x41 && code <= 0x5a) return i;
      i++;
      continue;
    }
    const cp = s.codePointAt(i) ?? code;
    const ch = String.fromCodePoint(cp);
    if (ch.toLowerCase() !== ch) return i;
    i += ch.length;
  }
  return -1;
}

/**
 * Go's `strings.ToLower` as far as the grammar can tell: only ASCII can ever
 * match, and the only non-ASCII characters that lowercase to ASCII are the Kelvin
 * sign (U+212A → `k`) and the dotted capital I (U+0130 → `i`). Everything else keeps
 * its position, so the layout stays valid.
 */
function goLowerForMatching(s: string): string {
  return s.replace(/[A-Z\u212a\u0130]/g, (c) => (c === '\u212a' ? 'k' : c === '\u0130' ? 'i' : c.toLowerCase()));
}

// ---------------------------------------------------------------------------
// §2.1: the grammar, component by component, left to right

function syntaxProblem(s: string, layout: Layout): Problem | undefined {
  if (layout.domainEnd >= 0) {
    const domain = domainProblem(s, layout);
    // A written "domain" that is not a valid domain but is a valid path component
    // still matches the grammar, as the first path component of a reference with
    // no domain at all (`foo_bar.com/app`). Only when it is neither does Docker fail.
    if (domain && pathComponentProblem(s, 0, layout.domainEnd, 1, layout) !== undefined) return domain;
  }

  // Path components, separated by `/`.
  let componentStart = layout.pathStart;
  let index = 1;
  for (let i = layout.pathStart; i <= layout.nameEnd; i++) {
    if (i === layout.nameEnd || s[i] === '/') {
      const problem = pathComponentProblem(s, componentStart, i, index, layout);
      if (problem) return problem;
      componentStart = i + 1;
      index++;
    }
  }

  if (layout.tagStart >= 0) {
    const problem = tagProblem(s, layout.tagStart, layout.tagEnd);
    if (problem) return problem;
  }
  if (layout.digestStart >= 0) {
    const problem = digestSyntaxProblem(s, layout.digestStart, s.length);
    if (problem) return problem;
  }
  return undefined;
}

/** domain := host [":" port]; host := domain-name | "[" IPv6 "]" (§2.1). */
function domainProblem(s: string, layout: Layout): Problem | undefined {
  const end = layout.domainEnd;
  const domain = s.slice(0, end);

  // `https://host/…`: the scheme's `:` made Docker read `https:` as a domain.
  if (domain.endsWith(':') && s[end + 1] === '/' && /^[A-Za-z][A-Za-z0-9+.-]*:$/.test(domain)) {
    const scheme = s.slice(0, end + 2);
    return problem(
      'invalid-reference',
      `${quote(scheme)} is a URL scheme, but image references have no scheme; Docker rejects the reference. Remove ${quote(scheme)}.`,
      0,
      end + 2,
    );
  }

  let hostEnd: number;
  if (s[0] === '[') {
    const close = domain.indexOf(']');
    if (close < 0) {
      return problem('invalid-reference', `The IPv6 host ${quote(domain)} has no closing \`]\`; Docker rejects the reference.`, 0, end);
    }
    const host = domain.slice(0, close + 1);
    if (close === 1) {
      return problem('invalid-reference', 'The IPv6 host `[]` is empty; Docker rejects the reference.', 0, close + 1);
    }
    for (let i = 1; i < close; i++) {
      const c = s[i] ?? '';
      if (isHexDigit(c) || c === ':') continue;
      let why: string;
      if (c === '%') why = 'a zone id (`%…`), which Docker does not accept';
      else if (c === '.') why = 'an embedded IPv4 address, which Docker does not accept';
      else why = `${describeChar(s, i)}, but only hex digits and \`:\` are allowed inside the brackets`;
      return problem('invalid-reference', `The IPv6 host ${quote(host)} contains ${why}; Docker rejects the reference.`, 0, close + 1);
    }
    hostEnd = close + 1;
    if (hostEnd < end && s[hostEnd] !== ':') {
      return problem(
        'invalid-reference',
        `The registry host ${quote(domain)} has ${quote(s.slice(hostEnd, end))} after the closing \`]\`, where only \`:port\` may follow; Docker rejects the reference.`,
        hostEnd,
        end,
      );
    }
  } else {
    const firstColon = domain.indexOf(':');
    if (firstColon >= 0 && (domain.includes('::') || (domain.indexOf(':', firstColon + 1) >= 0 && /^[0-9A-Fa-f:.]+$/.test(domain)))) {
      return problem(
        'invalid-reference',
        `The registry host ${quote(domain)} looks like an IPv6 address without brackets; Docker accepts IPv6 hosts only in brackets, ` +
          'like `[fc00::1]:5000`, so it rejects the reference.',
        0,
        end,
      );
    }
    hostEnd = firstColon < 0 ? end : firstColon;
    if (hostEnd === 0) {
      return problem('invalid-reference', 'The registry host before `:` is empty; Docker rejects the reference.', 0, Math.min(1, end));
    }
    const labelProblem = domainNameProblem(s, 0, hostEnd);
    if (labelProblem) return labelProblem;
  }

  // port := [0-9]+
  if (hostEnd < end) {
    const portStart = hostEnd + 1;
    if (portStart === end) {
      return problem(
        'invalid-reference',
        `The port after ${quote(s.slice(0, portStart))} is empty; Docker rejects the reference. Remove the \`:\` or add a port number.`,
        hostEnd,
        portStart,
      );
    }
    for (let i = portStart; i < end; i++) {
      if (!isDigit(s[i] ?? '')) {
        return problem(
          'invalid-reference',
          `The port ${quote(s.slice(portStart, end))} of the registry host contains ${describeChar(s, i)}; a port is digits only, so Docker rejects the reference.`,
          portStart,
          end,
        );
      }
    }
  }
  return undefined;
}

/** domain-name := domain-component ("." domain-component)*; a component is [a-zA-Z0-9] with inner `-` (§2.1). */
function domainNameProblem(s: string, start: number, end: number): Problem | undefined {
  const host = s.slice(start, end);
  let labelStart = start;
  for (let i = start; i <= end; i++) {
    if (i < end && s[i] !== '.') continue;
    if (i === labelStart) {
      return problem(
        'invalid-reference',
        `The registry host ${quote(host)} has an empty label (a dot at the start or end, or two dots in a row); Docker rejects the reference.`,
        start,
        end,
      );
    }
    const label = s.slice(labelStart, i);
    for (let j = labelStart; j < i; j++) {
      const c = s[j] ?? '';
      if (!isAsciiAlnum(c) && c !== '-') {
        return problem(
          'invalid-reference',
          `The registry host ${quote(host)} contains ${describeChar(s, j)}; host names allow only letters, digits, \`-\` and \`.\`, so Docker rejects the reference.`,
          labelStart,
          i,
        );
      }
    }
    if (label.startsWith('-') || label.endsWith('-')) {
      return problem(
        'invalid-reference',
        `The label ${quote(label)} of the registry host ${quote(host)} ${label.startsWith('-') ? 'starts' : 'ends'} with \`-\`; Docker rejects the reference.`,
        labelStart,
        i,
      );
    }
    labelStart = i + 1;
  }
  return undefined;
}

/** path-component := [a-z0-9]+ (separator [a-z0-9]+)*; separator := [._] | "__" | "-"+ (§2.1). */
function pathComponentProblem(s: string, start: number, end: number, index: number, layout: Layout): Problem | undefined {
  const where = `Path component ${index}`;
  if (start === end) return emptyComponentProblem(s, start, layout);

  // Without a `/`, `[fc00::1]:5000` is read as a Docker Hub image name (§2.5 rows 26, 46).
  if (layout.domainEnd < 0 && start === 0 && s[0] === '[' && s.indexOf('/') < 0) {
    const close = s.indexOf(']');
    const hostEnd = close < 0 ? end : close + 1;
    return problem(
      'invalid-reference',
      `Without a \`/\`, Docker reads ${quote(s)} as a Docker Hub image name, which cannot contain brackets, so it rejects the reference. ` +
        'An IPv6 registry host needs a repository path after it, like `[fc00::1]:5000/image`.',
      0,
      hostEnd,
    );
  }

  const component = s.slice(start, end);
  for (let i = start; i < end; i++) {
    const c = s[i] ?? '';
    if (!isLowerAlnum(c) && !isSeparatorChar(c)) {
      return problem(
        'invalid-reference',
        `${where} ${quote(component)} contains ${describeChar(s, i)}; repository names allow only lowercase letters, digits and the separators ` +
          '`.`, `_`, `__` and `-`, so Docker rejects the reference.',
        start,
        end,
      );
    }
  }

  if (isSeparatorChar(s[start] ?? '')) {
    return problem(
      'invalid-reference',
      `${where} ${quote(component)} starts with ${quote(s[start] ?? '')}; a path component must start with a lowercase letter or digit, so Docker rejects the reference.`,
      start,
      end,
    );
  }
  if (isSeparatorChar(s[end - 1] ?? '')) {
    return problem(
      'invalid-reference',
      `${where} ${quote(component)} ends with ${quote(s[end - 1] ?? '')}; a path component must end with a lowercase letter or digit, so Docker rejects the reference.`,
      start,
      end,
    );
  }

  // Every run of separators between letters and digits must be one separator.
  let i = start;
  while (i < end) {
    if (!isSeparatorChar(s[i] ?? '')) {
      i++;
      continue;
    }
    let runEnd = i;
    while (runEnd < end && isSeparatorChar(s[runEnd] ?? '')) runEnd++;
    const run = s.slice(i, runEnd);
    if (!isValidSeparator(run)) {
      return problem(
        'invalid-reference',
        `${where} ${quote(component)} has the separator ${quote(run)}; Docker allows exactly one of \`.\`, \`_\`, \`__\` or a run of \`-\` ` +
          'between letters and digits, so it rejects the reference.',
        start,
        end,
      );
    }
    i = runEnd;
  }
  return undefined;
}

function emptyComponentProblem(s: string, at: number, layout: Layout): Problem {
  if (layout.pathStart === layout.nameEnd) {
    // The whole remote name is missing.
    if (layout.domainEnd >= 0) {
      return problem(
        'invalid-reference',
        `There is no repository path after ${quote(s.slice(0, layout.pathStart))}; Docker rejects the reference.`,
        layout.domainEnd,
        layout.domainEnd + 1,
      );
    }
    const next = s[at];
    return problem(
      'invalid-reference',
      next === undefined
        ? 'The image name is empty; Docker rejects an empty reference.'
        : `The image name before ${quote(next)} is empty; Docker rejects the reference.`,
      at,
      next === undefined ? at : at + 1,
    );
  }
  // Point at the `/` that produced the empty component.
  if (s[at] === '/') {
    const leading = at === layout.pathStart;
    return problem(
      'invalid-reference',
      leading
        ? 'The repository path starts with `/`, which leaves an empty path component; Docker rejects the reference.'
        : 'The repository path contains `//`, which leaves an empty path component; Docker rejects the reference.',
      at,
      at + 1,
    );
  }
  return problem(
    'invalid-reference',
    'The repository path ends with `/`, which leaves an empty path component; Docker rejects the reference.',
    at - 1,
    at,
  );
}

function isValidSeparator(run: string): boolean {
  if (run === '.' || run === '_' || run === '__') return true;
  for (let i = 0; i < run.length; i++) if (run[i] !== '-') return false;
  return true;
}

/** tag := [\w][\w.-]{0,127} (§2.1, §2.2). */
function tagProblem(s: string, start: number, end: number): Problem | undefined {
  if (start === end) {
    return problem(
      'invalid-tag',
      'The tag after `:` is empty; Docker rejects the reference. Remove the `:` or add a tag.',
      start - 1,
      start,
    );
  }
  const tag = s.slice(start, end);
  const first = s[start] ?? '';
  if (first === '.' || first === '-') {
    return problem(
      'invalid-tag',
      `The tag ${quote(tag)} starts with ${quote(first)}; a tag must start with a letter, digit or \`_\`, so Docker rejects the reference.`,
      start,
      end,
    );
  }
  for (let i = start; i < end; i++) {
    const c = s[i] ?? '';
    if (!isWordChar(c) && c !== '.' && c !== '-') {
      return problem(
        'invalid-tag',
        `The tag ${quote(tag)} contains ${describeChar(s, i)}; tags allow only letters, digits, \`_\`, \`.\` and \`-\`, so Docker rejects the reference.`,
        start,
        end,
      );
    }
  }
  if (end - start > TAG_MAX_LENGTH) {
    return problem(
      'invalid-tag',
      `The tag ${quote(tag)} is ${end - start} characters long, more than the 128 Docker allows; Docker rejects the reference.`,
      start,
      end,
    );
  }
  return undefined;
}

/**
 * The regexp-level digest check (§2.1): `algorithm ":" [0-9a-fA-F]{32,}`. Failing it
 * fails the whole reference match, so Docker's error is "invalid reference format".
 */
function digestSyntaxProblem(s: string, start: number, end: number): Problem | undefined {
  if (start === end) {
    return problem(
      'invalid-digest',
      'The digest after `@` is empty; Docker rejects the reference. Remove the `@` or add a digest like `sha256:<64 hex characters>`.',
      start - 1,
      start,
    );
  }
  const digest = s.slice(start, end);
  const colon = digest.indexOf(':');
  if (colon < 0) {
    return problem(
      'invalid-digest',
      `The digest ${quote(digest)} has no \`:\` between algorithm and hex value (invalid format); Docker rejects the reference. ` +
        'A digest looks like `sha256:<64 hex characters>`.',
      start,
      end,
    );
  }
  const algorithm = digest.slice(0, colon);
  if (!isValidAlgorithm(algorithm)) {
    return problem(
      'invalid-digest',
      algorithm.length === 0
        ? `The digest ${quote(digest)} has no algorithm before \`:\` (invalid format); Docker rejects the reference.`
        : `The digest algorithm ${quote(algorithm)} is not a valid algorithm name (invalid format); Docker rejects the reference.`,
      start,
      end,
    );
  }
  const hexStart = start + colon + 1;
  for (let i = hexStart; i < end; i++) {
    if (!isHexDigit(s[i] ?? '')) {
      return problem(
        'invalid-digest',
        `The digest ${quote(digest)} contains ${describeChar(s, i)} in its hex value (invalid format); Docker rejects the reference.`,
        start,
        end,
      );
    }
  }
  const hexLength = end - hexStart;
  if (hexLength < DIGEST_MIN_HEX) {
    const expected = digestHexLength(algorithm);
    return problem(
      'invalid-digest',
      expected === undefined
        ? `The digest ${quote(digest)} has ${hexLength} hex characters, fewer than the 32 Docker requires (invalid length); Docker rejects the reference.`
        : `The ${algorithm} digest ${quote(digest)} has ${hexLength} hex characters instead of ${expected} (invalid length); Docker rejects the reference.`,
      start,
      end,
    );
  }
  return undefined;
}

/** algorithm := [A-Za-z][A-Za-z0-9]* ([-_+.][A-Za-z][A-Za-z0-9]*)* (§2.1). */
function isValidAlgorithm(a: string): boolean {
  let expectLetter = true;
  for (let i = 0; i < a.length; i++) {
    const c = a[i] ?? '';
    if (expectLetter) {
      if (!isAsciiLetter(c)) return false;
      expectLetter = false;
    } else if (c === '-' || c === '_' || c === '+' || c === '.') {
      expectLetter = true;
    } else if (!isAsciiAlnum(c)) {
      return false;
    }
  }
  return !expectLetter;
}

/** go-digest `Validate`, once the regexp matched (§2.4): unsupported → length → lowercase hex. */
function digestSemanticProblem(s: string, start: number, end: number): Problem | undefined {
  const digest = s.slice(start, end);
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const expected = digestHexLength(algorithm);
  if (expected === undefined) {
    return problem(
      'invalid-digest',
      `The digest algorithm ${quote(algorithm)} is not supported (Docker knows only \`sha256\` and \`sha512\`); ` +
        'Docker rejects the reference with "unsupported digest algorithm".',
      start,
      end,
    );
  }
  if (hex.length !== expected) {
    return problem(
      'invalid-digest',
      `The ${algorithm} digest ${quote(digest)} has ${hex.length} hex characters instead of ${expected} (invalid length); Docker rejects the reference.`,
      start,
      end,
    );
  }
  if (!isLowerHex(hex, 0, hex.length)) {
    return problem(
      'invalid-digest',
      `The ${algorithm} digest ${quote(digest)} contains uppercase hex digits (invalid format); Docker accepts only lowercase \`a-f\` and rejects the reference.`,
      start,
      end,
    );
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// After the grammar matched: length, digest, and the normalized fields

function finish(text: string, layout: Layout): ReferenceParseResult {
  const { domainEnd, pathStart, nameEnd, tagStart, tagEnd, digestStart } = layout;
  const writtenDomain = domainEnd >= 0 ? text.slice(0, domainEnd) : undefined;
  // A written first component that is not a valid domain reaches here only as a
  // path component: Docker then has no domain at all (see syntaxProblem).
  const domainIsPath = writtenDomain !== undefined && domainProblem(text, layout) !== undefined;

  const pathSpan: Span = domainIsPath ? { start: 0, end: nameEnd } : { start: pathStart, end: nameEnd };
  const path = text.slice(pathSpan.start, pathSpan.end);

  let normalizedDomain: string;
  if (domainIsPath) normalizedDomain = '';
  else if (writtenDomain === undefined || isDockerHubDomain(writtenDomain)) normalizedDomain = DEFAULT_DOMAIN;
  else normalizedDomain = writtenDomain;
  const isDockerHub = normalizedDomain === DEFAULT_DOMAIN;

  // §2.3 rule 5: `library/` only on Docker Hub, only for a path without `/`.
  const addLibrary = isDockerHub && !path.includes('/');
  const normalizedPath = addLibrary ? OFFICIAL_REPO_PREFIX + path : path;

  // §2.2: the limit applies to the normalized path, `library/` included.
  if (normalizedPath.length > PATH_MAX_LENGTH) {
    const message = addLibrary
      ? `Docker Hub stores ${quote(path)} as ${quote(normalizedPath)}, which is ${normalizedPath.length} characters long; ` +
        'Docker allows at most 255 characters for the repository path and rejects the reference.'
      : `The repository path ${quote(path)} is ${normalizedPath.length} characters long; Docker allows at most 255 ` +
        '(the registry host is not counted) and rejects the reference.';
    return fail('name-too-long', message, pathSpan.start, pathSpan.end);
  }

  if (digestStart >= 0) {
    const digestProblem = digestSemanticProblem(text, digestStart, text.length);
    if (digestProblem) return { ok: false, problem: digestProblem };
  }

  const normalizedName = normalizedDomain === '' ? normalizedPath : `${normalizedDomain}/${normalizedPath}`;

  // §2.3 rule 8: the familiar form drops `docker.io/`, and `library/` only for
  // single-level official names.
  let familiarName = normalizedName;
  if (isDockerHub) {
    const rest = normalizedPath.startsWith(OFFICIAL_REPO_PREFIX) ? normalizedPath.slice(OFFICIAL_REPO_PREFIX.length) : undefined;
    familiarName = rest !== undefined && !rest.includes('/') ? rest : normalizedPath;
  }

  const reference: {
    -readonly [K in keyof ImageReference]: ImageReference[K];
  } = {
    text,
    path,
    pathSpan,
    normalizedDomain,
    normalizedPath,
    normalizedName,
    isDockerHub,
    familiarName,
  };
  if (writtenDomain !== undefined && !domainIsPath) {
    reference.domain = writtenDomain;
    reference.domainSpan = { start: 0, end: domainEnd };
    const hostEnd = writtenDomain.startsWith('[') ? writtenDomain.indexOf(']') + 1 : writtenDomain.indexOf(':');
    if (hostEnd > 0 && hostEnd < writtenDomain.length) {
      reference.host = writtenDomain.slice(0, hostEnd);
      reference.port = writtenDomain.slice(hostEnd + 1);
    } else {
      reference.host = writtenDomain;
    }
  }
  if (tagStart >= 0) {
    reference.tag = text.slice(tagStart, tagEnd);
    reference.tagSpan = { start: tagStart, end: tagEnd };
  }
  if (digestStart >= 0) {
    reference.digest = text.slice(digestStart);
    reference.digestSpan = { start: digestStart, end: text.length };
  }
  return { ok: true, reference };
}

// ---------------------------------------------------------------------------
// Small helpers

function problem(kind: ReferenceProblemKind, message: string, start: number, end: number): Problem {
  return { kind, message, span: { start, end } };
}

function fail(kind: ReferenceProblemKind, message: string, start: number, end: number): ReferenceParseResult {
  return { ok: false, problem: problem(kind, message, start, end) };
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isAsciiLetter(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

function isAsciiAlnum(c: string): boolean {
  return isDigit(c) || isAsciiLetter(c);
}

function isLowerAlnum(c: string): boolean {
  return isDigit(c) || (c >= 'a' && c <= 'z');
}

/** `\w` in Go's RE2 is ASCII only. */
function isWordChar(c: string): boolean {
  return isAsciiAlnum(c) || c === '_';
}

function isSeparatorChar(c: string): boolean {
  return c === '.' || c === '_' || c === '-';
}

function isHexDigit(c: string): boolean {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

function isLowerHex(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s[i] ?? '';
    if (!isDigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

/** The user's text in backticks, shortened and with control characters escaped. */
function quote(value: string): string {
  let shown = value;
  if (shown.length > QUOTE_MAX) {
    let cut = QUOTE_MAX;
    // Do not split a surrogate pair.
    const code = shown.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut--;
    shown = shown.slice(0, cut) + '…';
  }
  // eslint-disable-next-line no-control-regex
  shown = shown.replace(/[\u0000-\u001f\u007f`]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `\`${shown}\``;
}

/** Names the character at `s[i]` for a message: `` `$` ``, "a space", "`é` (U+00E9)". */
function describeChar(s: string, i: number): string {
  const cp = s.codePointAt(i) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp === 0x20) return 'a space';
  if (cp === 0x09) return 'a tab';
  if (cp < 0x20 || cp === 0x7f) return `the control character ${hex}`;
  if (cp === 0x60) return 'a backtick';
  const ch = String.fromCodePoint(cp);
  return cp < 0x80 ? `\`${ch}\`` : `\`${ch}\` (${hex})`;
}
