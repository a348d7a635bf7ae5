/**
 * Random GitLab-CI-like YAML documents for differential tests of the YAML parsers
 * (the fast block parser against the `yaml` package), and random mutations of them.
 *
 * A document is generated as a small tree (maps, sequences, scalars of every core-schema
 * form, quoted scalars with escapes, block scalars, flow collections, anchors, aliases,
 * merges, `!reference`, comments, blank lines) and then written out with an indentation of
 * 2 or 4 spaces, sequences under their key or at its indentation, compact `- key: v` and
 * `- - item` forms, tabs after colons, CRLF, a BOM, document markers and a `spec:` header.
 * The tree is shrinkable by fast-check, so a failing case shrinks to a short text.
 *
 * The mutations then insert, delete or replace characters that YAML gives meaning to, so
 * the parsers also meet every kind of broken text.
 */
import fc from 'fast-check';

// ---- The tree ---------------------------------------------------------------------------

/** A node of a generated document; `anchor` and `tag` are written before it. */
export type GenValue =
  | { readonly kind: 'scalar'; readonly text: string; readonly continuation: readonly string[]; readonly anchor?: string; readonly tag?: string }
  | { readonly kind: 'block'; readonly header: string; readonly lines: readonly string[]; readonly anchor?: string }
  | { readonly kind: 'flow'; readonly text: string; readonly continuation: readonly string[]; readonly anchor?: string }
  | { readonly kind: 'alias'; readonly name: string }
  | { readonly kind: 'reference'; readonly parts: readonly string[] }
  | { readonly kind: 'empty'; readonly anchor?: string }
  | { readonly kind: 'map'; readonly entries: readonly GenEntry[]; readonly anchor?: string }
  | { readonly kind: 'seq'; readonly items: readonly GenItem[]; readonly anchor?: string };

export type GenEntry =
  | { readonly kind: 'pair'; readonly key: string; readonly value: GenValue; readonly separator: string; readonly comment: string; readonly explicit: boolean }
  | { readonly kind: 'comment'; readonly text: string; readonly shift: number }
  | { readonly kind: 'blank'; readonly spaces: string };

export type GenItem =
  | { readonly kind: 'item'; readonly value: GenValue; readonly comment: string }
  | { readonly kind: 'comment'; readonly text: string; readonly shift: number }
  | { readonly kind: 'blank'; readonly spaces: string };

export interface GenDocument {
  readonly indent: 2 | 4;
  /** Block sequences start at their key's column (`key:\n- a`) instead of under it. */
  readonly seqAtKeyIndent: boolean;
  readonly prefix: readonly string[];
  readonly root: GenValue;
  readonly suffix: readonly string[];
  readonly finalNewline: boolean;
  readonly crlf: boolean;
  readonly bom: boolean;
}

// ---- Pools ------------------------------------------------------------------------------

/** Plain scalars of every core-schema type, and strings that look like one. */
export const PLAIN_SCALARS = [
  'null', '~', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False',
  '0', '007', '-3', '+4', '0o17', '0x1F', '-0', '1_000', '0b101',
  '1.5', '.5', '1e3', '-1.5e-3', '-.inf', '.Inf', '+.inf', '.NaN', '.nan', '0.0', '-0.0',
  '1.2.3', 'yes', 'no', 'on', 'off', '0x', '-a', ':a', 'a:b', 'a#b', '2026-11-26', '12:30',
  'alpine:3.20', 'node:20-alpine', 'registry.example.com:5000/group/app:1.2', '$CI_REGISTRY_IMAGE/app:$CI_COMMIT_SHA',
  '${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/redis:7', 'make test', 'echo "hi"', "it's", 'a b  c', 'a\tb', 'x', 'docker',
  `alpine@sha256:${'0123456789abcdef'.repeat(4)}`, 'é', '😀',
];

/** Quoted scalars: single with `''`, double with every escape YAML 1.2 defines. */
export const QUOTED_SCALARS = [
  "'single'", "''", "'it''s'", "'a # b'", "'1'", "'null'",
  '"double"', '""', '"a\\nb"', '"\\t\\"\\\\\\/"', '"\\x41\\u00e9\\U0001F600"', '"\\0\\a\\b\\e\\N\\_\\L\\P\\v\\f\\r\\ "',
  '"tab\there"', '"1"', '"true"', '"<<"', '"a\\\\b"',
];

/** Quoted scalars that are not right: invalid escapes, no closing quote, text after the quote. */
const BROKEN_QUOTED = ['"\\q invalid"', '"\\x4"', '"\\u12"', '"\\U0011FFFF"', "'unterminated", '"unterminated', '"a" trailing', "'a'b"];

/** Scalars with an odd end or start (a comment, an indicator, a lone dash), and broken quoted ones. */
const ODD_SCALARS = [...BROKEN_QUOTED, 'a #b', 'a # comment', '-', '- a', 'a: b', '?', '? a', '%x', '@x', '`x', '&', '*', '!', '|', '>', "'", '"'];

const TAGS = ['!!str', '!!int', '!!float', '!!bool', '!!null', '!custom', '!', '!!binary', '!<tag:yaml.org,2002:str>'];

export const ANCHOR_NAMES = ['a', 'b', 'base', 'defaults', 'x-1'];

/** Flow collections, single-line. */
const FLOW_TEXTS = [
  '[]', '{}', '[ ]', '[a, b]', '[a, b,]', '[build, test]', '{a: 1, b: [x, y]}', '{a: 1,}', '[a: 1, b]', '[[a], {b: c}]',
  '{ name: "redis:7", alias: cache }', '[ "x", \'y\', 1, null, ~ ]', '[*a, *b]', '{? a: b}', '{a, b: }', '[a, [b, [c, [d]]]]',
  '{"a": 1, \'b\': 2}', '[1.5, .NaN, -.inf, 0x1F, true]', '[a b, c]', '[, a]', '[a,, b]', '{a: b: c}', '[a]]', '{a: [b}', '[', '{',
  '[!reference [.a, b]]', '{<<: *a}', '[&c x, *c]',
];

/** Flow collections over several lines: the first line, then the continuation lines. */
const MULTI_LINE_FLOWS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['[a,', ['b]']],
  ['[', ['a,', 'b,', ']']],
  ['{a: 1,', ['b: 2}']],
  ['{', ['name: x,', '# comment', 'alias: y', '}']],
  ['[a, # comment', ['b]']],
];

/** Lines of block scalars: text, more-indented text, blank lines with and without spaces, text that looks like YAML. */
const BLOCK_LINES = ['echo one', 'make test', '  more indented', '    deeper', '', '', '  ', 'key: value', '- item', '# not a comment', 'a\ttab', '\tstarts with a tab', '"quoted"', 'é😀'];

const BLOCK_HEADERS = ['|', '|-', '|+', '>', '>-', '>+', '|2', '>2-', '|+2', '|-1', '| # comment', '>  # comment'];

const CI_KEYS = [
  'image', 'services', 'script', 'variables', 'name', 'entrypoint', 'alias', 'extends', 'tags', 'before_script',
  'rules', 'if', 'when', 'cache', 'key', 'paths', 'stage', 'needs', 'pull_policy', 'command', 'DOCKER_AUTH_CONFIG',
];

/** Keys of every scalar form. */
const ODD_KEYS = [
  '"quoted key"', "'single key'", '"a\\tb"', '1', '007', 'true', 'null', '~', '0x1F', '1.5', '.NaN', 'a b', '-a', 'a:b', 'a#b',
  "'it''s'", '""', '"<<"', '<<', '? x', '[a, b]', '{a: b}', '!!str 1', '&k key', '*a', 'k'.repeat(1030),
];

const TOP_LEVEL_KEYS = ['stages', 'variables', 'default', 'include', 'workflow', '.base', '.tpl', 'build', 'test', 'deploy', 'job-1', 'job-2', '"quoted job"', 'image', 'services'];

const COMMENTS = ['# note', '#', '# - item: x', '#: x', '# &a *b', '#\t tab'];

/** Characters that YAML gives meaning to, for the mutations. */
export const STRESS_CHARACTERS = [' ', '\t', '\n', ':', '-', '#', "'", '"', '|', '>', '&', '*', '!', '[', ']', '{', '}', ',', '\r'] as const;

// ---- Arbitraries ------------------------------------------------------------------------

/**
 * Which YAML a generator writes. `tame` stays inside what pipelines are made of (and
 * what the fast parser reads itself): block collections, one-line plain and quoted
 * scalars, block scalars without indentation indicators, one-line flow collections,
 * anchors, aliases, merges, `!reference`, comments; spaces only, LF only, a mapping at
 * the root. `wild` uses everything: tabs, CRLF, a BOM, tags, explicit keys, odd keys
 * and scalars, multi-line scalars and flows, indentation indicators, document markers,
 * directives and a `spec:` header, other roots.
 */
export type Profile = 'tame' | 'wild';

const without = (pool: readonly string[], ...unwanted: string[]) => pool.filter((entry) => !unwanted.includes(entry) && !entry.includes('\t'));

interface Pools {
  readonly plain: readonly string[];
  readonly quoted: readonly string[];
  readonly odd: readonly string[];
  readonly tags: readonly string[];
  readonly flows: readonly string[];
  readonly multiLineFlows: ReadonlyArray<readonly [string, readonly string[]]>;
  readonly blockHeaders: readonly string[];
  readonly blockLines: readonly string[];
  readonly oddKeys: readonly string[];
  readonly comments: readonly string[];
  readonly blanks: readonly string[];
  readonly separators: readonly string[];
  readonly explicitKeys: boolean;
  readonly multiLineScalars: boolean;
  readonly prefixes: ReadonlyArray<readonly string[]>;
  readonly suffixes: ReadonlyArray<readonly string[]>;
  readonly otherRoots: boolean;
  readonly crlfAndBom: boolean;
}

/** What comes before the pipeline: nothing, directives and markers, comments, a `spec:` header document. */
const WILD_PREFIXES: ReadonlyArray<readonly string[]> = [
  [], [], [], [],
  ['---'], ['--- # document'], ['%YAML 1.2', '---'], ['%TAG !e! tag:example.com,2026:', '---'], ['# a comment', '', '# another'],
  ['spec:', '  inputs:', '    stage:', '      default: test', '---'],
  ['%YAML 1.2'],
];

const WILD_SUFFIXES: ReadonlyArray<readonly string[]> = [[], [], [], ['...'], ['---', 'second: document'], ['...', '---', '- third'], ['# trailing comment']];

const POOLS: Readonly<Record<Profile, Pools>> = {
  tame: {
    plain: without(PLAIN_SCALARS),
    quoted: without(QUOTED_SCALARS),
    odd: ['a #b', 'a # comment', '-a', ':a', 'a:b', 'a#b'],
    tags: [],
    flows: without(FLOW_TEXTS, '[a: 1, b]', '{? a: b}', '{a, b: }', '[, a]', '[a,, b]', '{a: b: c}', '[a]]', '{a: [b}', '[', '{', '[!reference [.a, b]]', '{<<: *a}', '[a b, c]'),
    multiLineFlows: [],
    blockHeaders: ['|', '|-', '|+', '>', '>-', '>+', '| # comment', '>- # comment'],
    blockLines: without(BLOCK_LINES),
    oddKeys: ['"quoted key"', "'single key'", '1', '007', 'true', 'null', '~', '0x1F', '1.5', 'a b', '-a', 'a:b', "'it''s'", '"<<"'],
    comments: without(COMMENTS),
    blanks: ['', ' ', '  '],
    separators: [' '],
    explicitKeys: false,
    multiLineScalars: false,
    prefixes: [[], [], [], ['# a comment', '', '# another']],
    suffixes: [[], [], ['# trailing comment']],
    otherRoots: false,
    crlfAndBom: false,
  },
  wild: {
    plain: PLAIN_SCALARS,
    quoted: QUOTED_SCALARS,
    odd: ODD_SCALARS,
    tags: TAGS,
    flows: FLOW_TEXTS,
    multiLineFlows: MULTI_LINE_FLOWS,
    blockHeaders: BLOCK_HEADERS,
    blockLines: BLOCK_LINES,
    oddKeys: ODD_KEYS,
    comments: COMMENTS,
    blanks: ['', ' ', '  ', '\t'],
    separators: [' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', '\t', '  '],
    explicitKeys: true,
    multiLineScalars: true,
    prefixes: WILD_PREFIXES,
    suffixes: WILD_SUFFIXES,
    otherRoots: true,
    crlfAndBom: true,
  },
};

const MAX_ENTRIES = 5;
const MAX_ITEMS = 4;

/** The document arbitrary of a profile. */
function documentsOf(pools: Pools): fc.Arbitrary<GenDocument> {
  /** An anchor on one node in eight. */
  const maybeAnchor: fc.Arbitrary<string | undefined> = fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...ANCHOR_NAMES) });
  const trailingComments = [...pools.comments.map((text) => ` ${text}`), ...(pools.blanks.includes('\t') ? ['\t# tab first'] : [])];
  const comment = fc.oneof({ weight: 12, arbitrary: fc.constant('') }, { weight: 3, arbitrary: fc.constantFrom(...trailingComments) });
  const continuationLines = fc.array(fc.constantFrom('continued', 'more words', '', 'end"', "end'", 'x: y', '# hash'), { maxLength: 2 });
  const noContinuation = fc.constant<readonly string[]>([]);

  const scalarChoices: Array<fc.WeightedArbitrary<GenValue>> = [
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('scalar' as const), text: fc.constantFrom(...pools.plain), continuation: noContinuation, anchor: maybeAnchor }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('scalar' as const), text: fc.constantFrom(...pools.odd), continuation: noContinuation }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('scalar' as const), text: fc.constantFrom(...pools.quoted), continuation: noContinuation, anchor: maybeAnchor }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('block' as const), header: fc.constantFrom(...pools.blockHeaders), lines: fc.array(fc.constantFrom(...pools.blockLines), { maxLength: 5 }), anchor: maybeAnchor }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('flow' as const), text: fc.constantFrom(...pools.flows), continuation: noContinuation, anchor: maybeAnchor }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('alias' as const), name: fc.constantFrom(...ANCHOR_NAMES, 'missing') }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('reference' as const), parts: fc.array(fc.constantFrom('.base', '.tpl', 'build', 'script', 'image', '"quoted"'), { minLength: 1, maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('empty' as const), anchor: maybeAnchor }) },
  ];
  if (pools.multiLineScalars) {
    // Plain and quoted scalars over several lines.
    scalarChoices.push({ weight: 1, arbitrary: fc.record({ kind: fc.constant('scalar' as const), text: fc.constantFrom('first words', '"open', "'open", '"a\\', 'plain: no'), continuation: continuationLines }) });
    scalarChoices.push({ weight: 1, arbitrary: fc.record({ kind: fc.constant('reference' as const), parts: fc.array(fc.constantFrom('.base', '*a', ''), { maxLength: 2 }) }) });
  }
  if (pools.tags.length > 0) {
    scalarChoices.push({ weight: 1, arbitrary: fc.record({ kind: fc.constant('scalar' as const), text: fc.constantFrom(...pools.plain, ...pools.quoted), continuation: noContinuation, tag: fc.constantFrom(...pools.tags) }) });
  }
  if (pools.multiLineFlows.length > 0) {
    scalarChoices.push({ weight: 1, arbitrary: fc.constantFrom(...pools.multiLineFlows).map(([text, continuation]): GenValue => ({ kind: 'flow', text, continuation })) });
  }
  const scalar = fc.oneof(...scalarChoices);

  const blank = fc.record({ kind: fc.constant('blank' as const), spaces: fc.constantFrom(...pools.blanks) });
  const ownLineComment = fc.record({ kind: fc.constant('comment' as const), text: fc.constantFrom(...pools.comments), shift: fc.integer({ min: -3, max: 3 }) });
  const separator = fc.constantFrom(...pools.separators);
  const explicit = (oneIn: number) => (pools.explicitKeys ? fc.nat(oneIn - 1).map((n) => n === 0) : fc.constant(false));
  const key = (keys: readonly string[]) => fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.constantFrom(...pools.oddKeys) });

  const merge = fc.record({
    kind: fc.constant('pair' as const),
    key: fc.constant('<<'),
    value: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...ANCHOR_NAMES).map((name): GenValue => ({ kind: 'alias', name })) },
      { weight: 2, arbitrary: fc.constantFrom('[*a, *b]', '[*base]', '{x: 1}', '[*a, x]', '[]').map((text): GenValue => ({ kind: 'flow', text, continuation: [] })) },
      { weight: 1, arbitrary: scalar },
    ),
    separator: fc.constant(' '),
    comment,
    explicit: fc.constant(false),
  });

  const valueOf = (depth: number): fc.Arbitrary<GenValue> =>
    depth <= 0 ? scalar : fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 2, arbitrary: mapOf(depth - 1) }, { weight: 2, arbitrary: seqOf(depth - 1) });

  const entryOf = (depth: number): fc.Arbitrary<GenEntry> => {
    const pair = fc.record({ kind: fc.constant('pair' as const), key: key(CI_KEYS), value: valueOf(depth), separator, comment, explicit: explicit(16) });
    return fc.oneof({ weight: 10, arbitrary: pair }, { weight: 2, arbitrary: merge }, { weight: 1, arbitrary: ownLineComment }, { weight: 1, arbitrary: blank });
  };

  const mapOf = (depth: number): fc.Arbitrary<GenValue> =>
    fc.record({ kind: fc.constant('map' as const), entries: fc.array(entryOf(depth), { maxLength: MAX_ENTRIES }), anchor: maybeAnchor });

  const seqOf = (depth: number): fc.Arbitrary<GenValue> => {
    const item = fc.record({ kind: fc.constant('item' as const), value: valueOf(depth), comment });
    return fc.record({
      kind: fc.constant('seq' as const),
      items: fc.array(fc.oneof({ weight: 8, arbitrary: item }, { weight: 1, arbitrary: ownLineComment }, { weight: 1, arbitrary: blank }), { maxLength: MAX_ITEMS }),
      anchor: maybeAnchor,
    });
  };

  /** A job, a template or a top-level keyword with a value as GitLab CI has them (and sometimes not). */
  const topLevelEntry: fc.Arbitrary<GenEntry> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('pair' as const),
        key: fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...TOP_LEVEL_KEYS) }, { weight: 1, arbitrary: fc.constantFrom(...pools.oddKeys) }),
        value: fc.oneof({ weight: 4, arbitrary: mapOf(2) }, { weight: 1, arbitrary: valueOf(2) }),
        separator: fc.constant(' '),
        comment,
        explicit: explicit(32),
      }),
    },
    { weight: 1, arbitrary: merge },
    { weight: 1, arbitrary: ownLineComment },
    { weight: 1, arbitrary: blank },
  );

  const mapRoot = fc.record({ kind: fc.constant('map' as const), entries: fc.array(topLevelEntry, { minLength: 1, maxLength: 8 }), anchor: fc.constant(undefined) });
  const root: fc.Arbitrary<GenValue> = pools.otherRoots
    ? fc.oneof({ weight: 12, arbitrary: mapRoot }, { weight: 1, arbitrary: seqOf(2) }, { weight: 1, arbitrary: scalar })
    : mapRoot;

  return fc.record({
    indent: fc.constantFrom(2 as const, 4 as const),
    seqAtKeyIndent: fc.boolean(),
    prefix: fc.constantFrom(...pools.prefixes),
    root,
    suffix: fc.constantFrom(...pools.suffixes),
    finalNewline: fc.nat(7).map((n) => n !== 0),
    crlf: pools.crlfAndBom ? fc.nat(7).map((n) => n === 0) : fc.constant(false),
    bom: pools.crlfAndBom ? fc.nat(15).map((n) => n === 0) : fc.constant(false),
  });
}

/** Generated documents of each profile, as trees. */
export const genDocuments: Readonly<Record<Profile, fc.Arbitrary<GenDocument>>> = { tame: documentsOf(POOLS.tame), wild: documentsOf(POOLS.wild) };

// ---- Writing ----------------------------------------------------------------------------

function props(anchor: string | undefined, tag?: string): string {
  return `${anchor !== undefined ? `&${anchor} ` : ''}${tag !== undefined ? `${tag} ` : ''}`;
}

function spaces(column: number): string {
  return ' '.repeat(Math.max(0, column));
}

/**
 * A value after `key:` or `- ` at `column`: what follows on the same line (with its leading
 * space), and the lines after it.
 */
function writeValue(value: GenValue, column: number, doc: GenDocument): { inline: string; lines: string[] } {
  const child = column + doc.indent;
  switch (value.kind) {
    case 'scalar':
      return { inline: ` ${props(value.anchor, value.tag)}${value.text}`, lines: value.continuation.map((line) => (line === '' ? '' : spaces(child) + line)) };
    case 'flow':
      return { inline: ` ${props(value.anchor)}${value.text}`, lines: value.continuation.map((line) => spaces(child) + line) };
    case 'block':
      return { inline: ` ${props(value.anchor)}${value.header}`, lines: value.lines.map((line) => (line.trim() === '' ? line : spaces(child) + line)) };
    case 'alias':
      return { inline: ` *${value.name}`, lines: [] };
    case 'reference':
      return { inline: ` !reference [${value.parts.join(', ')}]`, lines: [] };
    case 'empty':
      return { inline: value.anchor !== undefined ? ` &${value.anchor}` : '', lines: [] };
    case 'map':
      if (value.entries.length === 0) return { inline: ` ${props(value.anchor)}{}`, lines: [] };
      return { inline: value.anchor !== undefined ? ` &${value.anchor}` : '', lines: writeEntries(value.entries, child, doc) };
    case 'seq':
      if (value.items.length === 0) return { inline: ` ${props(value.anchor)}[]`, lines: [] };
      return { inline: value.anchor !== undefined ? ` &${value.anchor}` : '', lines: writeItems(value.items, doc.seqAtKeyIndent ? column : child, doc) };
  }
}

function writeEntries(entries: readonly GenEntry[], column: number, doc: GenDocument): string[] {
  const lines: string[] = [];
  for (const entry of entries) {
    if (entry.kind === 'blank') lines.push(entry.spaces);
    else if (entry.kind === 'comment') lines.push(spaces(column + entry.shift) + entry.text);
    else {
      const { inline, lines: after } = writeValue(entry.value, column, doc);
      const rest = inline === '' ? '' : entry.separator + inline.slice(1);
      if (entry.explicit) lines.push(`${spaces(column)}? ${entry.key}`, `${spaces(column)}:${rest}${entry.comment}`);
      else lines.push(`${spaces(column)}${entry.key}:${rest}${entry.comment}`);
      lines.push(...after);
    }
  }
  return lines;
}

function writeItems(items: readonly GenItem[], column: number, doc: GenDocument): string[] {
  const lines: string[] = [];
  for (const item of items) {
    if (item.kind === 'blank') lines.push(item.spaces);
    else if (item.kind === 'comment') lines.push(spaces(column + item.shift) + item.text);
    else {
      const { value } = item;
      // A map or sequence without an anchor starts on the dash's line: `- key: v`, `- - a`.
      const compact = (value.kind === 'map' && value.anchor === undefined && value.entries[0]?.kind === 'pair') || (value.kind === 'seq' && value.anchor === undefined && value.items[0]?.kind === 'item');
      if (compact) {
        const inner = value.kind === 'map' ? writeEntries(value.entries, column + 2, doc) : writeItems(value.items, column + 2, doc);
        lines.push(`${spaces(column)}- ${inner[0]!.slice(column + 2)}${item.comment}`, ...inner.slice(1));
      } else {
        const { inline, lines: after } = writeValue(value, column, doc);
        lines.push(`${spaces(column)}-${inline}${item.comment}`, ...after);
      }
    }
  }
  return lines;
}

function writeRoot(doc: GenDocument): string[] {
  const { root: value } = doc;
  if (value.kind === 'map' && value.entries.length > 0 && value.anchor === undefined) return writeEntries(value.entries, 0, doc);
  if (value.kind === 'seq' && value.items.length > 0 && value.anchor === undefined) return writeItems(value.items, 0, doc);
  const { inline, lines } = writeValue(value, 0, doc);
  return [inline.slice(1), ...lines];
}

export function writeDocument(doc: GenDocument): string {
  const lines = [...doc.prefix, ...writeRoot(doc), ...doc.suffix];
  const text = lines.join(doc.crlf ? '\r\n' : '\n') + (doc.finalNewline ? (doc.crlf ? '\r\n' : '\n') : '');
  return doc.bom ? `\ufeff${text}` : text;
}

/** Generated GitLab-CI-like documents of each profile, written out. */
export const yamlDocumentTexts: Readonly<Record<Profile, fc.Arbitrary<string>>> = { tame: genDocuments.tame.map(writeDocument), wild: genDocuments.wild.map(writeDocument) };

// ---- Mutations --------------------------------------------------------------------------

/** Replace `deleted` characters at a fraction `at` of the text with `inserted` (either may be empty). */
export interface Mutation {
  readonly at: number;
  readonly deleted: number;
  readonly inserted: string;
}

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.record({
  // In steps of 1/1000: fc.double spreads over the float representation, nearly all near 0.
  at: fc.nat({ max: 1000 }).map((n) => n / 1000),
  deleted: fc.oneof(fc.constant(0), fc.nat(3)),
  inserted: fc.array(fc.constantFrom(...STRESS_CHARACTERS), { maxLength: 3 }).map((characters) => characters.join('')),
});

/** No mutation for a third of the documents (the fast parser must take and match those), one to four for the others. */
export const mutationsArbitrary: fc.Arbitrary<Mutation[]> = fc.oneof(fc.constant<Mutation[]>([]), fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 }), fc.array(mutationArbitrary, { minLength: 1, maxLength: 2 }));

export function applyMutations(text: string, mutations: readonly Mutation[]): string {
  let current = text;
  for (const { at, deleted, inserted } of mutations) {
    const start = Math.min(current.length, Math.floor(at * (current.length + 1)));
    current = current.slice(0, start) + inserted + current.slice(Math.min(current.length, start + deleted));
  }
  return current;
}

/**
 * A generated document, tame two times in three, with the mutations applied (none for a
 * third of them): the damaged texts reach every corner of both parsers, the intact tame
 * ones keep the fast parser busy with texts it reads itself.
 */
export const mutatedYamlDocument: fc.Arbitrary<string> = fc
  .tuple(fc.oneof({ weight: 2, arbitrary: yamlDocumentTexts.tame }, { weight: 1, arbitrary: yamlDocumentTexts.wild }), mutationsArbitrary)
  .map(([text, mutations]) => applyMutations(text, mutations));

/** The stress characters without the tab and the carriage return, which the fast parser leaves to the yaml package at once. */
const IN_SUBSET_CHARACTERS = STRESS_CHARACTERS.filter((character) => character !== '\t' && character !== '\r');

/**
 * A tame document with one to three mutations that use no tab and no carriage return:
 * damage the fast parser must recognise itself (to give up on it, or to read it as the
 * yaml package does), not damage it hands over at the first glance.
 */
export const tameDamagedYamlDocument: fc.Arbitrary<string> = fc
  .tuple(
    yamlDocumentTexts.tame,
    fc.array(
      fc.record({
        at: fc.nat({ max: 1000 }).map((n) => n / 1000),
        deleted: fc.oneof(fc.constant(0), fc.nat(3)),
        inserted: fc.array(fc.constantFrom(...IN_SUBSET_CHARACTERS, 'a', '?', '%', '@', '\\'), { maxLength: 3 }).map((characters) => characters.join('')),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([text, mutations]) => applyMutations(text, mutations));
