/**
 * A compact, position-keeping model of a YAML document: scalars, maps and
 * sequences with offsets, and nothing else the rules do not use.
 *
 * Anchors are resolved in one pass while the tree is built (an alias becomes a
 * shared reference to the anchored node, never a copy), and `<<` merges are kept
 * as links from a map to the maps it merges. Nothing here ever walks an expanded
 * alias, so an alias bomb costs as much as its text.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, parseDocument, Scalar, type Document, type Node as YamlNode } from 'yaml';

export type ScalarStyle = 'plain' | 'single' | 'double' | 'literal' | 'folded';

interface YBase {
  /** Offset of the node's first character (after its tag and anchor). */
  readonly start: number;
  /** Offset just past the node's value. */
  readonly end: number;
  /** A local tag such as `!reference`; undefined for the standard ones. */
  readonly tag: string | undefined;
}

export interface YScalar extends YBase {
  readonly kind: 'scalar';
  /** The resolved value: string, number, boolean or null. */
  readonly value: unknown;
  readonly style: ScalarStyle;
}

export interface YPair {
  readonly key: YScalar;
  /** Absent for `key:` with nothing after it. */
  readonly value: YNode | undefined;
}

export interface YMap extends YBase {
  readonly kind: 'map';
  readonly pairs: YPair[];
  /** Maps merged in with `<<`, in priority order. */
  readonly merges: YMap[];
}

export interface YSeq extends YBase {
  readonly kind: 'seq';
  readonly items: YNode[];
}

export type YNode = YScalar | YMap | YSeq;

export interface YamlSyntaxError {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
}

export interface YamlModel {
  /** The top-level node of the pipeline document, if it parsed to anything. */
  readonly root: YNode | undefined;
  readonly errors: readonly YamlSyntaxError[];
}

/** GitLab's own tags; they must not be reported as unknown. */
const CUSTOM_TAGS = [{ tag: '!reference', collection: 'seq' as const, resolve: (value: unknown) => value }];

const MERGE_KEY = '<<';

function scalarStyle(type: Scalar['type']): ScalarStyle {
  switch (type) {
    case Scalar.QUOTE_SINGLE:
      return 'single';
    case Scalar.QUOTE_DOUBLE:
      return 'double';
    case Scalar.BLOCK_LITERAL:
      return 'literal';
    case Scalar.BLOCK_FOLDED:
      return 'folded';
    default:
      return 'plain';
  }
}

function firstLine(message: string): string {
  // The yaml package turns its own stack overflow on deep nesting into an error message.
  if (/call stack/i.test(message)) return 'The YAML is nested too deeply here for Pullguard to analyse';
  const line = message.split('\n')[0] ?? message;
  // The yaml package appends " at line L, column C:"; the editor shows the place itself.
  return line.replace(/ at line \d+, column \d+:?$/, '').trim();
}

class ModelBuilder {
  private readonly anchors = new Map<string, YNode>();
  /** Problems the YAML package leaves to us: duplicate keys, aliases of no anchor. */
  readonly errors: YamlSyntaxError[] = [];
  /** Offset of the text being converted within the whole document. */
  base = 0;

  convert(node: YamlNode | null | undefined): YNode | undefined {
    if (!node) return undefined;
    if (isAlias(node)) {
      // The most recent anchor of that name, as YAML defines it.
      const target = this.anchors.get(node.source);
      if (!target && node.range) {
        const [start, end] = node.range;
        this.errors.push({ offset: this.base + start, length: Math.max(1, end - start), message: `The alias \`*${node.source}\` refers to no anchor defined before it` });
      }
      return target;
    }
    // Objects are built with all their fields in one literal so they share one shape.
    const start = (node.range?.[0] ?? 0) + this.base;
    const end = (node.range?.[1] ?? 0) + this.base;
    const tag = node.tag && !node.tag.startsWith('tag:yaml.org,2002:') ? node.tag : undefined;
    if (isScalar(node)) {
      const scalar: YScalar = { kind: 'scalar', start, end, tag, value: node.value, style: scalarStyle(node.type) };
      if (node.anchor) this.anchors.set(node.anchor, scalar);
      return scalar;
    }
    if (isMap(node)) {
      const map: YMap = { kind: 'map', start, end, tag, pairs: [], merges: [] };
      // Registered before the children, so a child alias to it is a reference, not a copy.
      if (node.anchor) this.anchors.set(node.anchor, map);
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const key = this.convert(item.key as YamlNode);
        const value = this.convert(item.value as YamlNode);
        if (!key || key.kind !== 'scalar') continue;
        if (key.value === MERGE_KEY && key.style === 'plain') {
          this.addMerges(map, value);
          continue;
        }
        map.pairs.push({ key, value });
      }
      this.checkDuplicateKeys(map.pairs);
      return map;
    }
    if (isSeq(node)) {
      const seq: YSeq = { kind: 'seq', start, end, tag, items: [] };
      if (node.anchor) this.anchors.set(node.anchor, seq);
      for (const item of node.items) {
        const converted = this.convert(item as YamlNode);
        if (converted) seq.items.push(converted);
      }
      return seq;
    }
    return undefined;
  }

  /** Linear for the small maps that make up most of a pipeline, a set for large ones. */
  checkDuplicateKeys(pairs: readonly YPair[]): void {
    if (pairs.length <= 16) {
      for (let i = 1; i < pairs.length; i++) {
        for (let j = 0; j < i; j++) {
          if (pairs[j]!.key.value === pairs[i]!.key.value) {
            this.reportDuplicate(pairs[i]!.key);
            break;
          }
        }
      }
      return;
    }
    const seen = new Set<unknown>();
    for (const { key } of pairs) {
      if (seen.has(key.value)) this.reportDuplicate(key);
      seen.add(key.value);
    }
  }

  reportDuplicate(key: YScalar): void {
    this.errors.push({
      offset: key.start,
      length: Math.max(1, key.end - key.start),
      message: `Map keys must be unique; \`${String(key.value)}\` is defined again here, and this definition replaces the earlier one`,
    });
  }

  addMerges(map: YMap, value: YNode | undefined): void {
    if (value?.kind === 'map') map.merges.push(value);
    else if (value?.kind === 'seq') for (const item of value.items) if (item.kind === 'map') map.merges.push(item);
  }
}

const PARSE_OPTIONS = {
  customTags: CUSTOM_TAGS,
  keepSourceTokens: false,
  prettyErrors: false,
  merge: false,
  // The package compares every key with every other (quadratic in a map's size);
  // the model builder finds duplicates in one pass instead.
  uniqueKeys: false,
} as const;

function toSyntaxErrors(doc: Document, base: number): YamlSyntaxError[] {
  return doc.errors.map((error) => {
    const [start, end] = error.pos;
    return { offset: base + start, length: Math.max(1, end - start), message: firstLine(error.message) };
  });
}

/** Parse work is split at top-level keys into batches of about this many characters. */
const BATCH_LENGTH = 64 * 1024;
/** A line that starts a top-level `key:` entry (plain, double- or single-quoted key). */
const TOP_LEVEL_KEY = /^(?:[^\s#\-?:,[\]{}&*!|>'"%@`][^\n]*?|"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')[ \t]*:(?:[ \t]|\r?$)/;

/**
 * Where a single-document file with a block mapping at its root can be cut into
 * independent parts: at lines that start a top-level key. Undefined when the file
 * has any other line at column 0 (directives, `---`, a root sequence, flow text),
 * which the whole-file parse handles instead.
 */
export function findTopLevelBatches(text: string): Array<{ start: number; end: number }> | undefined {
  if (text.length <= BATCH_LENGTH) return undefined;
  const batches: Array<{ start: number; end: number }> = [];
  let batchStart = 0;
  let lineStart = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const first = text[lineStart];
    if (first !== ' ' && first !== '\t' && first !== '#' && first !== '\r' && lineStart !== lineEnd) {
      if (!TOP_LEVEL_KEY.test(text.slice(lineStart, lineEnd))) return undefined;
      if (lineStart - batchStart >= BATCH_LENGTH) {
        batches.push({ start: batchStart, end: lineStart });
        batchStart = lineStart;
      }
    }
    lineStart = lineEnd + 1;
  }
  batches.push({ start: batchStart, end: text.length });
  return batches;
}

function inSameBatch(batches: ReadonlyArray<{ start: number; end: number }>, a: number, b: number): boolean {
  return batches.some((batch) => batch.start <= a && a < batch.end && batch.start <= b && b < batch.end);
}

/**
 * Parses a pipeline file. A large file is parsed in batches of top-level keys:
 * the YAML package's cost grows faster than linearly on one huge mapping, and a
 * batch's anchors stay visible to the next through the builder's anchor table.
 * A file that starts with a `spec:` header document (CI/CD inputs) has the
 * pipeline in its second document.
 */
export function parseYamlModel(text: string, options: { readonly batches?: boolean } = {}): YamlModel {
  const builder = new ModelBuilder();
  const errors: YamlSyntaxError[] = [];
  const batches = options.batches === false ? undefined : findTopLevelBatches(text);
  let root: YNode | undefined;
  if (batches) {
    const map: YMap = { kind: 'map', start: 0, end: text.length, tag: undefined, pairs: [], merges: [] };
    for (const { start, end } of batches) {
      const doc = parseDocument(text.slice(start, end), PARSE_OPTIONS);
      errors.push(...toSyntaxErrors(doc, start));
      builder.base = start;
      const part = builder.convert(doc.contents as YamlNode | undefined);
      if (part?.kind !== 'map') continue;
      for (const pair of part.pairs) map.pairs.push(pair);
      map.merges.push(...part.merges);
    }
    // Duplicates within a batch were reported by the builder; these are across batches.
    const seen = new Map<unknown, YScalar>();
    for (const { key } of map.pairs) {
      const earlier = seen.get(key.value);
      if (earlier && !inSameBatch(batches, earlier.start, key.start)) builder.reportDuplicate(key);
      seen.set(key.value, key);
    }
    root = map;
  } else {
    const parsed = parseAllDocuments(text, PARSE_OPTIONS);
    // An empty file gives an EmptyStream, not an array.
    const documents: Document[] = Array.isArray(parsed) ? parsed : [];
    for (const doc of documents) errors.push(...toSyntaxErrors(doc, 0));
    const first = builder.convert(documents[0]?.contents as YamlNode | undefined);
    const isSpecHeader = first?.kind === 'map' && first.pairs.some((pair) => pair.key.value === 'spec');
    root = documents.length > 1 && isSpecHeader ? builder.convert(documents[1]!.contents as YamlNode | undefined) : first;
  }
  errors.push(...builder.errors);
  errors.sort((a, b) => a.offset - b.offset);
  return { root, errors };
}

// ---- Lookups over the model -------------------------------------------------

/**
 * The maps a lookup searches, in priority order: the map itself, then its merged
 * maps depth-first. Each map is visited once, so merges of merges (or a merge
 * bomb) cost what their text costs.
 */
function* mergeOrder(map: YMap, seen: Set<YMap> = new Set()): Generator<YMap> {
  if (seen.has(map)) return;
  seen.add(map);
  yield map;
  for (const merged of map.merges) yield* mergeOrder(merged, seen);
}

/** The value of `key` in `map`: its own pair (the last one), else the first merged map that has it. */
export function getValue(map: YMap, key: string): YNode | undefined {
  if (map.merges.length === 0) return getOwnPair(map, key)?.value;
  for (const candidate of mergeOrder(map)) {
    const pair = getOwnPair(candidate, key);
    if (pair) return pair.value;
  }
  return undefined;
}

export function hasKey(map: YMap, key: string): boolean {
  for (const candidate of mergeOrder(map)) if (getOwnPair(candidate, key)) return true;
  return false;
}

/** The pair of `key` written in this map itself (not merged in). */
export function getOwnPair(map: YMap, key: string): YPair | undefined {
  for (let i = map.pairs.length - 1; i >= 0; i--) if (map.pairs[i]!.key.value === key) return map.pairs[i];
  return undefined;
}

/** All keys of a map, own and merged, each once, in first-seen order. */
export function getKeys(map: YMap): Set<string> {
  const keys = new Set<string>();
  for (const candidate of mergeOrder(map)) for (const pair of candidate.pairs) keys.add(String(pair.key.value));
  return keys;
}

export function scalarText(node: YNode | undefined): string | undefined {
  if (node?.kind !== 'scalar' || node.value === null || node.value === undefined) return undefined;
  return typeof node.value === 'string' ? node.value : String(node.value);
}

export function isNullNode(node: YNode | undefined): boolean {
  return node === undefined || (node.kind === 'scalar' && node.value === null);
}
