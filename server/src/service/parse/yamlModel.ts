/**
 * A compact, position-keeping model of a YAML document: scalars, maps and
 * sequences with offsets, and nothing else the rules do not use.
 *
 * Anchors are resolved in one pass while the tree is built (an alias becomes a
 * shared reference to the anchored node, never a copy), and `<<` merges are kept
 * as links from a map to the maps it merges. Nothing here ever walks an expanded
 * alias, so an alias bomb costs as much as its text.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, Scalar, type Document, type Node as YamlNode } from 'yaml';

export type ScalarStyle = 'plain' | 'single' | 'double' | 'literal' | 'folded';

interface YBase {
  /** Offset of the node's first character (after its tag and anchor). */
  readonly start: number;
  /** Offset just past the node's value. */
  readonly end: number;
  readonly tag?: string;
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
  const line = message.split('\n')[0] ?? message;
  // The yaml package appends " at line L, column C:"; the editor shows the place itself.
  return line.replace(/ at line \d+, column \d+:?$/, '').trim();
}

class ModelBuilder {
  private readonly anchors = new Map<string, YNode>();

  convert(node: YamlNode | null | undefined): YNode | undefined {
    if (!node) return undefined;
    if (isAlias(node)) {
      // The most recent anchor of that name, as YAML defines it.
      return this.anchors.get(node.source);
    }
    const range = node.range ?? [0, 0, 0];
    const tag = node.tag && !node.tag.startsWith('tag:yaml.org,2002:') ? node.tag : undefined;
    const base = tag ? { start: range[0], end: range[1], tag } : { start: range[0], end: range[1] };
    if (isScalar(node)) {
      const scalar: YScalar = { ...base, kind: 'scalar', value: node.value, style: scalarStyle(node.type) };
      if (node.anchor) this.anchors.set(node.anchor, scalar);
      return scalar;
    }
    if (isMap(node)) {
      const map: YMap = { ...base, kind: 'map', pairs: [], merges: [] };
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
      return map;
    }
    if (isSeq(node)) {
      const seq: YSeq = { ...base, kind: 'seq', items: [] };
      if (node.anchor) this.anchors.set(node.anchor, seq);
      for (const item of node.items) {
        const converted = this.convert(item as YamlNode);
        if (converted) seq.items.push(converted);
      }
      return seq;
    }
    return undefined;
  }

  private addMerges(map: YMap, value: YNode | undefined): void {
    if (value?.kind === 'map') map.merges.push(value);
    else if (value?.kind === 'seq') for (const item of value.items) if (item.kind === 'map') map.merges.push(item);
  }
}

/**
 * Parses a pipeline file. A file that starts with a `spec:` header document
 * (CI/CD inputs) has the pipeline in its second document.
 */
export function parseYamlModel(text: string): YamlModel {
  const parsed = parseAllDocuments(text, {
    customTags: CUSTOM_TAGS,
    keepSourceTokens: false,
    prettyErrors: false,
    merge: false,
    // Duplicate `<<` keys are legal merges; other duplicate keys are real mistakes.
    uniqueKeys: (a, b) => isScalar(a) && isScalar(b) && a.value === b.value && a.value !== MERGE_KEY,
  });
  const documents: Document[] = Array.isArray(parsed) ? parsed : [];
  const errors: YamlSyntaxError[] = [];
  // parseAllDocuments returns an EmptyStream (no documents) for an empty file.
  for (const doc of documents) {
    for (const error of doc.errors) {
      const [start, end] = error.pos;
      errors.push({ offset: start, length: Math.max(1, end - start), message: firstLine(error.message) });
    }
  }
  const builder = new ModelBuilder();
  const first = builder.convert(documents[0]?.contents as YamlNode | undefined);
  const isSpecHeader = first?.kind === 'map' && first.pairs.some((pair) => pair.key.value === 'spec');
  if (documents.length > 1 && isSpecHeader) {
    return { root: builder.convert(documents[1]!.contents as YamlNode | undefined), errors };
  }
  return { root: first, errors };
}

// ---- Lookups over the model -------------------------------------------------

const MAX_MERGE_DEPTH = 32;

/** The value of `key` in `map`: its own pair (the last one), else the first merged map that has it. */
export function getValue(map: YMap, key: string, depth = 0): YNode | undefined {
  for (let i = map.pairs.length - 1; i >= 0; i--) {
    const pair = map.pairs[i]!;
    if (pair.key.value === key) return pair.value;
  }
  if (depth >= MAX_MERGE_DEPTH) return undefined;
  for (const merged of map.merges) {
    if (hasKey(merged, key, depth + 1)) return getValue(merged, key, depth + 1);
  }
  return undefined;
}

export function hasKey(map: YMap, key: string, depth = 0): boolean {
  if (map.pairs.some((pair) => pair.key.value === key)) return true;
  if (depth >= MAX_MERGE_DEPTH) return false;
  return map.merges.some((merged) => hasKey(merged, key, depth + 1));
}

/** The pair of `key` written in this map itself (not merged in). */
export function getOwnPair(map: YMap, key: string): YPair | undefined {
  for (let i = map.pairs.length - 1; i >= 0; i--) if (map.pairs[i]!.key.value === key) return map.pairs[i];
  return undefined;
}

/** All keys of a map, own and merged, each once, in first-seen order. */
export function getKeys(map: YMap, depth = 0, into: Set<string> = new Set()): Set<string> {
  for (const pair of map.pairs) into.add(String(pair.key.value));
  if (depth < MAX_MERGE_DEPTH) for (const merged of map.merges) getKeys(merged, depth + 1, into);
  return into;
}

export function scalarText(node: YNode | undefined): string | undefined {
  if (node?.kind !== 'scalar' || node.value === null || node.value === undefined) return undefined;
  return typeof node.value === 'string' ? node.value : String(node.value);
}

export function isNullNode(node: YNode | undefined): boolean {
  return node === undefined || (node.kind === 'scalar' && node.value === null);
}
