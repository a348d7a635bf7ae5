/**
 * Exact equality of two YAML models, for proving that the fast block-YAML parser
 * builds what the `yaml` package's path builds (server/src/service/parse/fastYaml.ts
 * against the builder of yamlModel.ts).
 *
 * The two node graphs are walked together, pairing each actual node with its expected
 * node in both directions: an anchored node shared by its aliases must be shared the
 * same way on both sides (one node, not two copies, and not two nodes merged into one),
 * and a cycle (an alias inside its own anchor) ends the walk instead of looping.
 * A mismatch names the path of the node (`root.job-1.image.name`, `root.script[2]`,
 * `root.build<<[0]`) and both values.
 */
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import * as yamlModelModule from '../../server/src/service/parse/yamlModel';
import {
  getReferencedJobs,
  parseYamlModel,
  type YamlModel,
  type YamlParseOptions,
  type YamlSyntaxError,
  type YMap,
  type YNode,
  type YPair,
} from '../../server/src/service/parse/yamlModel';

/** How a value is shown in a mismatch message: strings quoted, -0 and NaN as themselves. */
function show(value: unknown): string {
  if (Object.is(value, -0)) return '-0';
  if (typeof value === 'number' || typeof value === 'bigint' || value === undefined) return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  return JSON.stringify(value) ?? String(value);
}

function describeNode(node: YNode | undefined): string {
  if (!node) return 'nothing';
  const where = `[${node.start}, ${node.end})`;
  return node.kind === 'scalar' ? `scalar ${show(node.value)} at ${where}` : `${node.kind} at ${where}`;
}

/** `.key` for a key that reads well in a path, `["key"]` for any other. */
function pathStep(key: unknown): string {
  const text = String(key);
  return /^[\w$/-]+$/.test(text) ? `.${text}` : `[${JSON.stringify(text)}]`;
}

function fail(path: string, what: string, actual: unknown, expected: unknown, label: string | undefined): never {
  const prefix = label ? `${label}: ` : '';
  throw new assert.AssertionError({
    message: `${prefix}${path}: ${what} differs: actual ${show(actual)}, expected ${show(expected)}`,
    actual,
    expected,
    operator: 'assertSameYamlModel',
  });
}

/**
 * Scalar values: Object.is for the string, number, boolean and null a scalar resolves to
 * (NaN is NaN, -0 is not 0); the objects a few standard tags resolve to (`!!binary`
 * gives bytes) are compared by content and class.
 */
function sameValue(actual: unknown, expected: unknown): boolean {
  if (typeof actual !== 'object' || actual === null || typeof expected !== 'object' || expected === null) return Object.is(actual, expected);
  return Object.getPrototypeOf(actual) === Object.getPrototypeOf(expected) && isDeepStrictEqual(actual, expected);
}

/** The fields each kind of node has; a node with more or fewer is not the same model. */
const FIELDS: Readonly<Record<YNode['kind'], string>> = {
  scalar: 'end,kind,start,style,tag,value',
  map: 'end,kind,merges,pairs,start,tag',
  seq: 'end,items,kind,start,tag',
};

class GraphComparison {
  /** Each actual node visited, with the expected node it was paired with and where. */
  private readonly actualToExpected = new Map<YNode, { expected: YNode; path: string }>();
  private readonly expectedToActual = new Map<YNode, { actual: YNode; path: string }>();

  constructor(private readonly label: string | undefined) {}

  node(actual: YNode | undefined, expected: YNode | undefined, path: string): void {
    if (actual === undefined || expected === undefined) {
      if (actual !== expected) fail(path, 'node', describeNode(actual), describeNode(expected), this.label);
      return;
    }
    const seenActual = this.actualToExpected.get(actual);
    const seenExpected = this.expectedToActual.get(expected);
    if (seenActual || seenExpected) {
      // Reached again (an alias, a merge, a cycle): it must be the same pairing as before.
      if (seenActual && seenActual.expected !== expected) {
        fail(path, `sharing (the actual node here is also the one at ${seenActual.path}, the expected one is not)`, describeNode(actual), describeNode(expected), this.label);
      }
      if (seenExpected && seenExpected.actual !== actual) {
        fail(path, `sharing (the expected node here is also the one at ${seenExpected.path}, the actual one is not)`, describeNode(actual), describeNode(expected), this.label);
      }
      return;
    }
    this.actualToExpected.set(actual, { expected, path });
    this.expectedToActual.set(expected, { actual, path });

    if (actual.kind !== expected.kind) fail(path, 'kind', actual.kind, expected.kind, this.label);
    const actualFields = Object.keys(actual).sort().join(',');
    const expectedFields = Object.keys(expected).sort().join(',');
    if (actualFields !== expectedFields) fail(path, 'set of fields', actualFields, expectedFields, this.label);
    if (actualFields !== FIELDS[actual.kind]) fail(path, 'set of fields (against the YNode type)', actualFields, FIELDS[actual.kind], this.label);
    if (actual.start !== expected.start) fail(path, 'start', actual.start, expected.start, this.label);
    if (actual.end !== expected.end) fail(path, 'end', actual.end, expected.end, this.label);
    if (actual.tag !== expected.tag) fail(path, 'tag', actual.tag, expected.tag, this.label);

    if (actual.kind === 'scalar' && expected.kind === 'scalar') {
      if (typeof actual.value !== typeof expected.value) fail(path, `value type (${typeof actual.value} vs ${typeof expected.value})`, actual.value, expected.value, this.label);
      if (!sameValue(actual.value, expected.value)) fail(path, 'value', actual.value, expected.value, this.label);
      if (actual.style !== expected.style) fail(path, 'style', actual.style, expected.style, this.label);
    } else if (actual.kind === 'seq' && expected.kind === 'seq') {
      this.lengths(path, 'items', actual.items.length, expected.items.length, actual.items, expected.items);
      for (let i = 0; i < expected.items.length; i++) this.node(actual.items[i], expected.items[i], `${path}[${i}]`);
    } else if (actual.kind === 'map' && expected.kind === 'map') {
      this.pairs(actual.pairs, expected.pairs, path);
      this.merges(actual, expected, path);
    }
  }

  private lengths(path: string, what: string, actual: number, expected: number, actualNodes: readonly YNode[], expectedNodes: readonly YNode[]): void {
    if (actual === expected) return;
    const first = Math.min(actual, expected);
    fail(path, `number of ${what} (${actual} vs ${expected}; the first unmatched: ${describeNode(actualNodes[first])} vs ${describeNode(expectedNodes[first])})`, actual, expected, this.label);
  }

  private pairs(actual: readonly YPair[], expected: readonly YPair[], path: string): void {
    if (actual.length !== expected.length) {
      const keys = (pairs: readonly YPair[]) => pairs.map((pair) => String(pair.key.value)).join(', ');
      fail(path, `number of pairs (${actual.length} vs ${expected.length})`, keys(actual), keys(expected), this.label);
    }
    for (let i = 0; i < expected.length; i++) {
      const actualPair = actual[i]!;
      const expectedPair = expected[i]!;
      const fields = (pair: YPair) => Object.keys(pair).sort().join(',');
      // `value` is present (maybe undefined) on every pair the builder makes.
      if (fields(actualPair) !== fields(expectedPair)) fail(`${path} pair ${i}`, 'set of pair fields', fields(actualPair), fields(expectedPair), this.label);
      const step = `${path}${pathStep(expectedPair.key.value)}`;
      this.node(actualPair.key, expectedPair.key, `${step}{key}`);
      this.node(actualPair.value, expectedPair.value, step);
    }
  }

  private merges(actual: YMap, expected: YMap, path: string): void {
    this.lengths(path, 'merges (<<)', actual.merges.length, expected.merges.length, actual.merges, expected.merges);
    for (let i = 0; i < expected.merges.length; i++) this.node(actual.merges[i], expected.merges[i], `${path}<<[${i}]`);
  }
}

function describeError(error: YamlSyntaxError | undefined): string {
  return error ? `${error.offset}+${error.length} ${JSON.stringify(error.message)}` : 'none';
}

/**
 * Asserts two models are the same: the same errors in the same order, and node graphs
 * equal field by field (values with Object.is, so NaN equals NaN and -0 differs from 0)
 * with the same sharing.
 */
export function assertSameYamlModel(actual: YamlModel, expected: YamlModel, label?: string): void {
  const prefix = label ? `${label}: ` : '';
  const modelFields = (model: YamlModel) => Object.keys(model).sort().join(',');
  if (modelFields(actual) !== modelFields(expected)) fail('model', 'set of fields', modelFields(actual), modelFields(expected), label);
  const count = Math.max(actual.errors.length, expected.errors.length);
  for (let i = 0; i < count; i++) {
    const a = actual.errors[i];
    const e = expected.errors[i];
    if (!a || !e || a.offset !== e.offset || a.length !== e.length || a.message !== e.message) {
      assert.fail(`${prefix}errors[${i}] differs: actual ${describeError(a)}, expected ${describeError(e)} (${actual.errors.length} vs ${expected.errors.length} errors)`);
    }
  }
  // Anything else on an error (a field one side adds) shows up here.
  assert.deepEqual(actual.errors, expected.errors, `${prefix}errors`);
  new GraphComparison(label).node(actual.root, expected.root, 'root');
}

/** Asserts `getReferencedJobs` gives the same answer for both: both undefined, or the same names. */
export function assertSameReferencedJobs(actual: YamlModel, expected: YamlModel, label?: string): void {
  const names = (model: YamlModel) => {
    const jobs = getReferencedJobs(model);
    return jobs === undefined ? undefined : [...jobs].sort();
  };
  assert.deepEqual(names(actual), names(expected), `${label ? `${label}: ` : ''}the jobs named by !reference (getReferencedJobs)`);
}

/**
 * A deep copy of a model that keeps its sharing (each node copied once), for tests that
 * alter a copy and check the comparison sees it.
 */
export function cloneYamlModel(model: YamlModel): YamlModel {
  const copies = new Map<YNode, YNode>();
  const copy = (node: YNode | undefined): YNode | undefined => {
    if (!node) return undefined;
    const done = copies.get(node);
    if (done) return done;
    if (node.kind === 'scalar') {
      const scalar = { ...node };
      copies.set(node, scalar);
      return scalar;
    }
    if (node.kind === 'seq') {
      const seq = { ...node, items: [] as YNode[] };
      copies.set(node, seq);
      for (const item of node.items) seq.items.push(copy(item)!);
      return seq;
    }
    const map: YMap = { ...node, pairs: [], merges: [] };
    copies.set(node, map);
    for (const pair of node.pairs) map.pairs.push({ key: copy(pair.key) as YPair['key'], value: copy(pair.value) });
    for (const merged of node.merges) map.merges.push(copy(merged) as YMap);
    return map;
  };
  return { root: copy(model.root), errors: model.errors.map((error) => ({ ...error })) };
}

// ---- The two paths -------------------------------------------------------------------

/** The options of parseYamlModel, with the switch between the fast parser and the yaml package. */
export type ParsePathOptions = YamlParseOptions & {
  /** false: the yaml package parses everything; true or absent: the fast parser where it applies. */
  readonly fastPath?: boolean;
};

/** parseYamlModel with the path switch (typed here so these tests compile before and after it lands). */
export function parseWithPath(text: string, options: ParsePathOptions): YamlModel {
  return parseYamlModel(text, options);
}

export interface ParseCounts {
  readonly fast: number;
  readonly slow: number;
}

/**
 * The chunks and documents parsed by each path so far (yamlModel.ts's `yamlParseCounts`),
 * copied. Throws when yamlModel.ts does not export them.
 */
export function parseCounts(): ParseCounts {
  const counts = (yamlModelModule as unknown as { yamlParseCounts?: ParseCounts }).yamlParseCounts;
  if (!counts || typeof counts.fast !== 'number' || typeof counts.slow !== 'number') {
    throw new Error('server/src/service/parse/yamlModel.ts exports no `yamlParseCounts` ({ fast, slow }): the fast YAML parser is not wired in yet');
  }
  return { fast: counts.fast, slow: counts.slow };
}

/** How many chunks or documents each path parsed while `run` ran. */
export function countParses(run: () => void): ParseCounts {
  const before = parseCounts();
  run();
  const after = parseCounts();
  return { fast: after.fast - before.fast, slow: after.slow - before.slow };
}

/** The chunk thresholds every text is parsed with: one chunk per top-level entry, the default, one whole parse. */
export const CHUNK_SETTINGS: ReadonlyArray<{ readonly name: string; readonly chunkedFrom: number | undefined }> = [
  { name: 'chunkedFrom 0', chunkedFrom: 0 },
  { name: 'default chunking', chunkedFrom: undefined },
  { name: 'chunkedFrom Infinity', chunkedFrom: Infinity },
];

function chunkOptions(chunkedFrom: number | undefined): YamlParseOptions {
  return chunkedFrom === undefined ? {} : { chunkedFrom };
}

/**
 * Parses `text` with the fast path and with the yaml package only, and asserts the two
 * models and their `!reference` job sets are the same.
 */
export function assertFastEqualsSlow(text: string, chunkedFrom: number | undefined, label?: string): void {
  // The fast path is the default: what the product runs.
  const fast = parseWithPath(text, chunkOptions(chunkedFrom));
  const slow = parseWithPath(text, { ...chunkOptions(chunkedFrom), fastPath: false });
  const where = `${label ? `${label}, ` : ''}chunkedFrom ${chunkedFrom ?? 'default'}`;
  assertSameYamlModel(fast, slow, where);
  assertSameReferencedJobs(fast, slow, where);
}
