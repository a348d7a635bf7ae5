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
import { parseFast, type FastParse } from './fastYaml';
import { addMerges, detached, duplicateKeyError, reportDuplicateKeys, unknownAliasError } from './yamlBuilding';
import { keepOneAlive } from '../keepAlive';

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

/** What the builder records of one chunk of a large file, to reuse it after an edit elsewhere. */
interface ChunkTracking {
  /** Every node built for the chunk (not the nodes its aliases point to). */
  readonly nodes: YNode[];
  /** Anchors the chunk defines, in order (a later one of the same name wins). */
  readonly anchors: Map<string, YNode>;
  /** Names the chunk's aliases use, resolved or not. */
  readonly aliases: Set<string>;
  /** Jobs the chunk's `!reference [job, …]` tags name. */
  readonly references: Set<string>;
}

class ModelBuilder {
  /** Problems the YAML package leaves to us: duplicate keys, aliases of no anchor. */
  errors: YamlSyntaxError[] = [];
  /** Offset of the text being converted within the whole document. */
  base = 0;
  /** Set while converting one chunk of a large file. */
  tracking: ChunkTracking | undefined;

  /** @param anchors the anchors defined before the text converted (in earlier chunks) */
  constructor(private readonly anchors = new Map<string, YNode>()) {}

  private defineAnchor(name: string, node: YNode): void {
    this.anchors.set(name, node);
    this.tracking?.anchors.set(name, node);
  }

  convert(node: YamlNode | null | undefined): YNode | undefined {
    if (!node) return undefined;
    if (isAlias(node)) {
      this.tracking?.aliases.add(detached(node.source));
      // The most recent anchor of that name, as YAML defines it.
      const target = this.anchors.get(node.source);
      if (!target && node.range) this.errors.push(unknownAliasError(node.source, this.base + node.range[0], this.base + node.range[1]));
      return target;
    }
    // Objects are built with all their fields in one literal so they share one shape.
    const start = (node.range?.[0] ?? 0) + this.base;
    const end = (node.range?.[1] ?? 0) + this.base;
    const tag = node.tag && !node.tag.startsWith('tag:yaml.org,2002:') ? node.tag : undefined;
    if (isScalar(node)) {
      const scalar: YScalar = { kind: 'scalar', start, end, tag, value: detached(node.value), style: scalarStyle(node.type) };
      this.tracking?.nodes.push(scalar);
      if (node.anchor) this.defineAnchor(detached(node.anchor), scalar);
      return scalar;
    }
    if (isMap(node)) {
      const map: YMap = { kind: 'map', start, end, tag, pairs: [], merges: [] };
      this.tracking?.nodes.push(map);
      // Registered before the children, so a child alias to it is a reference, not a copy.
      if (node.anchor) this.defineAnchor(detached(node.anchor), map);
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const key = this.convert(item.key as YamlNode);
        const value = this.convert(item.value as YamlNode);
        if (!key || key.kind !== 'scalar') continue;
        if (key.value === MERGE_KEY && key.style === 'plain') {
          addMerges(map, value);
          continue;
        }
        map.pairs.push({ key, value });
      }
      this.checkDuplicateKeys(map.pairs);
      return map;
    }
    if (isSeq(node)) {
      const seq: YSeq = { kind: 'seq', start, end, tag, items: [] };
      this.tracking?.nodes.push(seq);
      if (node.anchor) this.defineAnchor(detached(node.anchor), seq);
      for (const item of node.items) {
        const converted = this.convert(item as YamlNode);
        if (converted) seq.items.push(converted);
      }
      if (tag === '!reference' && this.tracking) {
        const job = scalarText(seq.items[0]);
        if (job !== undefined) this.tracking.references.add(job);
      }
      return seq;
    }
    return undefined;
  }

  checkDuplicateKeys(pairs: readonly YPair[]): void {
    reportDuplicateKeys(pairs, this.errors);
  }

  /** The node an alias of `name` would mean here: the latest anchor of that name so far. */
  anchorNamed(name: string): YNode | undefined {
    return this.anchors.get(name);
  }

  /**
   * Takes over the anchors and errors of what the fast parser built, as if this builder
   * had converted it; the tracked chunk holds the parse's own node list and name sets.
   */
  adopt(parse: FastParse): void {
    for (const [name, node] of parse.anchors) this.defineAnchor(name, node);
    for (const error of parse.errors) this.errors.push(error);
  }
}
// A builder lives for one parse: see keepAlive.ts.
keepOneAlive(new ModelBuilder());

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

/** Files longer than this are parsed one top-level entry (a chunk) at a time, unless told otherwise. */
const CHUNKED_LENGTH = 64 * 1024;

export interface YamlParseOptions {
  /**
   * Files longer than this are parsed one top-level entry at a time (default 64 KiB).
   * Below it a whole parse costs less, and an edit is cheap either way; the warm-up sets
   * 0 to run the incremental code on its small pipeline.
   */
  readonly chunkedFrom?: number;
  /**
   * Whether the fast parser (`fastYaml.ts`) may parse the text, or the parts of it it
   * understands (default true); false parses everything with the YAML package, as the
   * tests that compare the two do.
   */
  readonly fastPath?: boolean;
}

/** How many texts (whole files or top-level entries) each parser has parsed; read by the tests that check the fast path is taken. */
export const yamlParseCounts = { fast: 0, slow: 0 };

/** The fast parser reads line breaks as `\n` only: a text with a carriage return goes to the YAML package. */
function mayParseFast(text: string, options: YamlParseOptions): boolean {
  return options.fastPath !== false && !text.includes('\r');
}
/** A line that starts a top-level `key:` entry (plain, double- or single-quoted key). */
const TOP_LEVEL_KEY = /^(?:[^\s#\-?:,[\]{}&*!|>'"%@`][^\n]*?|"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')[ \t]*:(?:[ \t]|\r?$)/;

/**
 * The starts of the lines between `from` (a line start) and `to` (a line start or the
 * end) that start a top-level key. Undefined when a line in between starts at column 0
 * with anything else (directives, `---`, a root sequence, flow text), which only the
 * whole-file parse reads right.
 */
function findKeyLines(text: string, from: number, to: number): number[] | undefined {
  const starts: number[] = [];
  let lineStart = from === 0 && text.charCodeAt(0) === 0xfeff ? 1 : from;
  while (lineStart < to) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1 || lineEnd > to) lineEnd = to;
    const first = text[lineStart];
    if (first !== ' ' && first !== '\t' && first !== '#' && first !== '\r' && lineStart !== lineEnd) {
      if (!TOP_LEVEL_KEY.test(text.slice(lineStart, lineEnd))) return undefined;
      starts.push(lineStart);
    }
    lineStart = lineEnd + 1;
  }
  return starts;
}

/**
 * Where a single-document file with a block mapping at its root can be cut into
 * independent chunks: one per top-level key, the first also holding what comes
 * before it. Undefined for a small file, and for a file with any other line at
 * column 0, which the whole-file parse handles instead. The cuts depend only on the
 * lines they are at, so an edit moves no cut outside the lines it touches.
 */
export function findTopLevelBatches(text: string, chunkedFrom = CHUNKED_LENGTH): Array<{ start: number; end: number }> | undefined {
  if (text.length <= chunkedFrom) return undefined;
  const keys = findKeyLines(text, 0, text.length);
  if (!keys) return undefined;
  return toRanges([0, ...keys.slice(1)], text.length);
}

function toRanges(starts: readonly number[], end: number): Array<{ start: number; end: number }> {
  return starts.map((start, i) => ({ start, end: starts[i + 1] ?? end }));
}

/** One top-level entry of a large file, parsed on its own, kept to be reused after edits elsewhere. */
interface Chunk extends ChunkTracking {
  start: number;
  end: number;
  pairs: YPair[];
  merges: YMap[];
  /** From the YAML package. */
  readonly syntaxErrors: YamlSyntaxError[];
  /** From the model builder: duplicate keys inside the entry, aliases of no anchor. */
  readonly builderErrors: YamlSyntaxError[];
}

/** The chunks of a model parsed in chunks, and the text they are of. A model is updated from them once. */
const chunkedParses = new WeakMap<YamlModel, ChunkedParse>();

interface ChunkedParse {
  readonly text: string;
  readonly chunks: readonly Chunk[];
  /** Whether a top-level key is written in two chunks (each later one is an error, made by `assemble`). */
  readonly keysRepeatAcrossChunks: boolean;
}

function parseChunk(text: string, start: number, end: number, builder: ModelBuilder, fast: boolean): Chunk {
  const parsed = fast ? parseFast(text, start, end, (name) => builder.anchorNamed(name)) : undefined;
  const doc = parsed ? undefined : parseDocument(text.slice(start, end), PARSE_OPTIONS);
  // The fast parser's node list and name sets become the chunk's: nothing else holds them.
  const chunk: Chunk = {
    start, end, pairs: [], merges: [], syntaxErrors: doc ? toSyntaxErrors(doc, start) : [], builderErrors: [],
    nodes: parsed?.nodes ?? [], anchors: new Map(), aliases: parsed?.aliases ?? new Set(), references: parsed?.references ?? new Set(),
  };
  builder.base = start;
  builder.errors = chunk.builderErrors;
  builder.tracking = chunk;
  let part: YNode | undefined;
  if (parsed) {
    yamlParseCounts.fast++;
    builder.adopt(parsed);
    part = parsed.root;
  } else {
    yamlParseCounts.slow++;
    part = builder.convert(doc!.contents as YamlNode | undefined);
  }
  builder.tracking = undefined;
  if (part?.kind === 'map') {
    chunk.pairs = part.pairs;
    chunk.merges = part.merges;
  }
  return chunk;
}

/** The model of the whole file from its chunks: the root map, then the errors in the order one parse gives them. */
function assemble(text: string, chunks: readonly Chunk[]): YamlModel {
  const root: YMap = { kind: 'map', start: 0, end: text.length, tag: undefined, pairs: [], merges: [] };
  const syntaxErrors: YamlSyntaxError[] = [];
  const builderErrors: YamlSyntaxError[] = [];
  const duplicates: YamlSyntaxError[] = [];
  // Duplicates inside a chunk were reported by the builder; these are across chunks.
  const chunkOfKey = new Map<unknown, number>();
  for (let index = 0; index < chunks.length; index++) {
    const chunk = chunks[index]!;
    for (const pair of chunk.pairs) {
      root.pairs.push(pair);
      const earlier = chunkOfKey.get(pair.key.value);
      if (earlier !== undefined && earlier !== index) duplicates.push(duplicateKeyError(pair.key));
      chunkOfKey.set(pair.key.value, index);
    }
    for (const merged of chunk.merges) root.merges.push(merged);
    for (const error of chunk.syntaxErrors) syntaxErrors.push(error);
    for (const error of chunk.builderErrors) builderErrors.push(error);
  }
  const errors = [...syntaxErrors, ...builderErrors, ...duplicates].sort((a, b) => a.offset - b.offset);
  const model: YamlModel = { root, errors };
  chunkedParses.set(model, { text, chunks, keysRepeatAcrossChunks: duplicates.length > 0 });
  return model;
}

/**
 * `assemble(text, chunks)` for an edit that left the file's top-level structure as it
 * was: the edited entries' chunks replaced by as many fresh ones with the same keys, in
 * the same order, none of them merging (`<<`) into the root or holding an error, in a
 * file whose top-level keys are each written once. The root's pairs are then the
 * previous root's with the edited ones swapped, and the errors the previous model's
 * (all of other entries, those after the edit already moved by shiftChunk): no walk
 * over every entry, which `assemble` costs on each keystroke (~4-11 ms at 5,000 jobs,
 * most of it reading 5,000 chunks from memory; bench/README.md, session 13).
 * Undefined when the edit changed more than that.
 */
function reassemble(text: string, previous: YamlModel, before: ChunkedParse, replaced: readonly Chunk[], fresh: readonly Chunk[], chunks: readonly Chunk[]): YamlModel | undefined {
  const previousRoot = previous.root;
  if (before.keysRepeatAcrossChunks || previousRoot?.kind !== 'map' || replaced.length !== fresh.length) return undefined;
  for (let i = 0; i < fresh.length; i++) {
    const old = replaced[i]!;
    const now = fresh[i]!;
    if (!isPlainEntry(old) || !isPlainEntry(now) || old.pairs.length !== now.pairs.length) return undefined;
    for (let k = 0; k < now.pairs.length; k++) if (old.pairs[k]!.key.value !== now.pairs[k]!.key.value) return undefined;
  }
  const oldPairs = replaced.flatMap((chunk) => chunk.pairs);
  const newPairs = fresh.flatMap((chunk) => chunk.pairs);
  // The edited pairs are contiguous in the root; entries without pairs (none here) would not be found.
  const at = oldPairs.length > 0 ? previousRoot.pairs.indexOf(oldPairs[0]!) : -1;
  if (at < 0) return undefined;
  const pairs = previousRoot.pairs.slice(0, at).concat(newPairs, previousRoot.pairs.slice(at + oldPairs.length));
  const root: YMap = { kind: 'map', start: 0, end: text.length, tag: undefined, pairs, merges: [...previousRoot.merges] };
  const model: YamlModel = { root, errors: [...previous.errors] };
  chunkedParses.set(model, { text, chunks, keysRepeatAcrossChunks: false });
  return model;
}

/** A chunk that adds only its own pairs to the root: no `<<` into it, no error of its own. */
function isPlainEntry(chunk: Chunk): boolean {
  return chunk.merges.length === 0 && chunk.syntaxErrors.length === 0 && chunk.builderErrors.length === 0;
}

/**
 * Parses a pipeline file. A large file is parsed one top-level entry at a time:
 * the YAML package's cost grows faster than linearly on one huge mapping, an
 * entry's anchors stay visible to the next through the builder's anchor table,
 * and an edit re-parses only the entries it touches (`updateYamlModel`).
 * A file that starts with a `spec:` header document (CI/CD inputs) has the
 * pipeline in its second document.
 */
export function parseYamlModel(text: string, options: YamlParseOptions = {}): YamlModel {
  const chunkedFrom = options.chunkedFrom ?? CHUNKED_LENGTH;
  const fast = mayParseFast(text, options);
  const batches = findTopLevelBatches(text, chunkedFrom);
  if (batches) {
    const builder = new ModelBuilder();
    return assemble(text, batches.map(({ start, end }) => parseChunk(text, start, end, builder, fast)));
  }
  const fastParse = fast ? parseFast(text, 0, text.length, () => undefined) : undefined;
  if (fastParse) {
    yamlParseCounts.fast++;
    return { root: fastParse.root, errors: fastParse.errors.sort((a, b) => a.offset - b.offset) };
  }
  yamlParseCounts.slow++;
  const builder = new ModelBuilder();
  const errors: YamlSyntaxError[] = [];
  const parsed = parseAllDocuments(text, PARSE_OPTIONS);
  // An empty file gives an EmptyStream, not an array.
  const documents: Document[] = Array.isArray(parsed) ? parsed : [];
  for (const doc of documents) errors.push(...toSyntaxErrors(doc, 0));
  const first = builder.convert(documents[0]?.contents as YamlNode | undefined);
  const isSpecHeader = first?.kind === 'map' && first.pairs.some((pair) => pair.key.value === 'spec');
  const root = documents.length > 1 && isSpecHeader ? builder.convert(documents[1]!.contents as YamlNode | undefined) : first;
  errors.push(...builder.errors);
  errors.sort((a, b) => a.offset - b.offset);
  return { root, errors };
}

/** The last chunk that starts at or before `offset`. */
function chunkAt(chunks: readonly Chunk[], offset: number): number {
  let low = 0;
  let high = chunks.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (chunks[mid]!.start <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Compared a block at a time first: V8 compares two substrings much faster than their characters one by one. */
const COMPARED_BLOCK = 4096;

function commonPrefixLength(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i + COMPARED_BLOCK <= limit && a.slice(i, i + COMPARED_BLOCK) === b.slice(i, i + COMPARED_BLOCK)) i += COMPARED_BLOCK;
  while (i < limit && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

function commonSuffixLength(a: string, b: string, limit: number): number {
  let i = 0;
  while (i + COMPARED_BLOCK <= limit && a.slice(a.length - i - COMPARED_BLOCK, a.length - i) === b.slice(b.length - i - COMPARED_BLOCK, b.length - i)) i += COMPARED_BLOCK;
  while (i < limit && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

/** Moves a chunk after an edit above it, with everything built for it. */
function shiftChunk(chunk: Chunk, delta: number): void {
  chunk.start += delta;
  chunk.end += delta;
  for (const node of chunk.nodes as Array<{ start: number; end: number }>) {
    node.start += delta;
    node.end += delta;
  }
  // Two loops, not one over the two lists joined: that made an array per chunk, thousands per keystroke.
  for (const error of chunk.syntaxErrors as Array<{ offset: number }>) error.offset += delta;
  for (const error of chunk.builderErrors as Array<{ offset: number }>) error.offset += delta;
}

/**
 * The model of `text`, an edit of the text `previous` was parsed from: only the
 * top-level entries the edit touches are parsed again, the others are reused (the
 * ones after it moved by the edit's length). The result is the model
 * `parseYamlModel(text)` gives (test/unit/incremental.test.ts checks it on random
 * edits); whenever reuse could differ — a small file, a line at column 0 that is not
 * a key, an anchor defined in the edited entries that a later entry's alias names —
 * it is that whole parse.
 *
 * `previous` is consumed: its later entries now have the offsets of `text`.
 */
export function updateYamlModel(previous: YamlModel, text: string, options: YamlParseOptions = {}): YamlModel {
  const before = chunkedParses.get(previous);
  if (!before || text.length <= (options.chunkedFrom ?? CHUNKED_LENGTH)) return parseYamlModel(text, options);
  const { text: old, chunks } = before;
  if (old === text) return previous;

  // The changed span: [prefix, old.length - suffix) in the old text.
  const prefix = commonPrefixLength(old, text);
  const suffix = commonSuffixLength(old, text, Math.min(old.length, text.length) - prefix);
  // The entries holding the change, widened by a character on each side: an edit
  // at the start of a line may join it to the entry before, one at the end of an
  // entry may change how the next one starts.
  const first = chunkAt(chunks, Math.max(prefix - 1, 0));
  const last = chunkAt(chunks, Math.min(old.length - suffix, old.length - 1));
  const delta = text.length - old.length;
  const from = chunks[first]!.start;
  const to = chunks[last]!.end + delta;
  const keys = findKeyLines(text, from, to);
  // An edited region with no key left, or that no longer starts with one, joins its neighbours.
  if (!keys || keys.length === 0 || (from > 0 && keys[0] !== from)) return parseYamlModel(text, options);
  const starts = from === 0 ? [0, ...keys.slice(1)] : keys;

  const anchors = new Map<string, YNode>();
  for (let i = 0; i < first; i++) for (const [name, node] of chunks[i]!.anchors) anchors.set(name, node);
  const builder = new ModelBuilder(anchors);
  const fast = mayParseFast(text, options);
  const fresh = toRanges(starts, to).map(({ start, end }) => parseChunk(text, start, end, builder, fast));

  // An alias after the edit that names an anchor defined in the edited entries (before
  // or after the edit) may now mean another node: only a whole parse resolves it.
  const changedAnchors = new Set<string>();
  for (const chunk of [...chunks.slice(first, last + 1), ...fresh]) for (const name of chunk.anchors.keys()) changedAnchors.add(name);
  if (changedAnchors.size > 0) {
    for (let i = last + 1; i < chunks.length; i++) {
      for (const name of chunks[i]!.aliases) if (changedAnchors.has(name)) return parseYamlModel(text, options);
    }
  }

  chunkedParses.delete(previous);
  if (delta !== 0) for (let i = last + 1; i < chunks.length; i++) shiftChunk(chunks[i]!, delta);
  const replaced = chunks.slice(first, last + 1);
  const updated = chunks.slice(0, first).concat(fresh, chunks.slice(last + 1));
  const model = reassemble(text, previous, before, replaced, fresh, updated) ?? assemble(text, updated);
  modelEdits.set(model, {
    from,
    oldTo: chunks[last]!.end,
    newTo: to,
    delta,
    removed: describeChunks(replaced),
    added: describeChunks(fresh),
  });
  return model;
}

/**
 * What an incremental update changed: the text [from, oldTo) of the previous version
 * became [from, newTo); everything before is untouched, everything after moved by
 * `delta` (its nodes are the same objects, their offsets already moved).
 */
export interface YamlModelEdit {
  readonly from: number;
  readonly oldTo: number;
  readonly newTo: number;
  readonly delta: number;
  /** The top-level entries of the replaced text (in the previous model). */
  readonly removed: EditedEntries;
  /** The top-level entries that replaced them. */
  readonly added: EditedEntries;
}

export interface EditedEntries {
  readonly pairs: readonly YPair[];
  /** Every node built for these entries (not the nodes their aliases point to). */
  readonly nodes: ReadonlySet<YNode>;
  /**
   * True when the entries merge (`<<`) into the root map: they then change more than
   * their own keys. (Aliases in them read other entries' nodes, as `extends` does; an
   * anchor of theirs that a later entry uses makes the update a whole parse.)
   */
  readonly mergesIntoRoot: boolean;
}

function describeChunks(chunks: readonly Chunk[]): EditedEntries {
  return {
    pairs: chunks.flatMap((chunk) => chunk.pairs),
    nodes: new Set(chunks.flatMap((chunk) => chunk.nodes)),
    mergesIntoRoot: chunks.some((chunk) => chunk.merges.length > 0),
  };
}

const modelEdits = new WeakMap<YamlModel, YamlModelEdit>();

/** The edit an incremental update made to get `model`; undefined for a model parsed whole. */
export function getYamlModelEdit(model: YamlModel): YamlModelEdit | undefined {
  return modelEdits.get(model);
}

/**
 * `compute`, answered once per node. An incremental update keeps the nodes of the entries
 * the edit did not touch (moved in place) and builds new ones for the entries it did, and
 * makes the whole parse new when an edited node is used elsewhere (an alias). So an
 * answer read from a node's content, not its offsets, holds as long as the node: what
 * every analysis asks of every job is then worked out again only for the edited jobs.
 */
export function perNode<N extends YNode, T>(compute: (node: N) => T): (node: N) => T {
  const answers = new WeakMap<N, T>();
  return (node) => {
    if (answers.has(node)) return answers.get(node) as T;
    const answer = compute(node);
    answers.set(node, answer);
    return answer;
  };
}

/** Whether `model` was parsed in chunks (a large file): only such a model can be updated entry by entry. */
export function isParsedInChunks(model: YamlModel): boolean {
  return chunkedParses.has(model);
}

/** Jobs named by a `!reference` anywhere in a model parsed in chunks; undefined for one parsed whole. */
export function getReferencedJobs(model: YamlModel): ReadonlySet<string> | undefined {
  const parse = chunkedParses.get(model);
  if (!parse) return undefined;
  const names = new Set<string>();
  for (const chunk of parse.chunks) for (const name of chunk.references) names.add(name);
  return names;
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
