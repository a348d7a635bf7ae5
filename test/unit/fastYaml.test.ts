/**
 * The fast block-YAML parser (server/src/service/parse/fastYaml.ts) must build exactly
 * the model the `yaml` package's path builds: for every text, `parseYamlModel(text)`
 * equals `parseYamlModel(text, { fastPath: false })` (offsets, values, styles, tags,
 * shared anchored nodes, merges, errors in order, `!reference` jobs), whether the file is
 * parsed one top-level entry at a time (`chunkedFrom: 0`), by the default rule, or whole
 * (`chunkedFrom: Infinity`). Proven on the repository's YAML files and doc examples, the
 * bench and warm-up pipelines (where the fast path must also really be taken), hand-written
 * corner cases, random GitLab-CI-like documents with random damage, and incremental
 * re-parses after random edits.
 *
 * The comparison itself is tested first: it must see a changed value, offset, style, tag,
 * sharing, error order or field, or it would prove nothing.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { generatePipeline } from '../../bench/generate';
import { getYamlModelEdit, parseYamlModel, updateYamlModel, type YamlModel, type YMap, type YNode, type YScalar } from '../../server/src/service/parse/yamlModel';
import { syntheticPipeline } from '../../server/src/service/warmUp';
import { mutatedYamlDocument, yamlDocumentTexts } from '../helpers/yamlDocuments';
import {
  assertFastEqualsSlow,
  assertSameReferencedJobs,
  assertSameYamlModel,
  CHUNK_SETTINGS,
  cloneYamlModel,
  countParses,
  parseWithPath,
} from '../helpers/yamlModelEquality';

const REPO_ROOT = join(__dirname, '..', '..');
const SEED = 20261126;

// ---- The comparison can fail --------------------------------------------------------------

/** The node at a path of keys and indexes (keys of maps, numbers of sequences). */
function nodeAt(model: YamlModel, ...path: Array<string | number>): YNode {
  let node = model.root;
  for (const step of path) {
    if (typeof step === 'number') {
      assert.ok(node?.kind === 'seq');
      node = node.items[step];
    } else {
      assert.ok(node?.kind === 'map');
      node = node.pairs.find((pair) => pair.key.value === step)?.value;
    }
  }
  assert.ok(node, `a node at ${path.join('.')}`);
  return node;
}

const SAMPLE = `.defaults: &defaults
  tags: [docker]
job-1:
  <<: *defaults
  image:
    name: alpine:3.20
    entrypoint: [""]
  script: !reference [.setup, script]
  variables:
    COUNT: 3
    RATIO: .NaN
    ZERO: -0.0
  after: *defaults
dup: 1
dup: 2
`;

describe('the model comparison', () => {
  test('accepts a model and its copy, and an error-free cyclic model (an alias inside its own anchor)', () => {
    const model = parseYamlModel(SAMPLE);
    assert.ok(model.errors.length > 0, 'the sample has a duplicate key error to compare');
    assertSameYamlModel(cloneYamlModel(model), model);
    const cyclic = parseYamlModel('a: &x\n  b: *x\n');
    assert.equal(nodeAt(cyclic, 'a', 'b'), nodeAt(cyclic, 'a'), 'the alias is the map itself');
    assertSameYamlModel(cloneYamlModel(cyclic), cyclic);
    // NaN equals NaN (Object.is), as deepEqual would not say with ===.
    assert.ok(Number.isNaN((nodeAt(model, 'job-1', 'variables', 'RATIO') as YScalar).value));
  });

  test('names the path and both values of a changed scalar', () => {
    const model = parseYamlModel(SAMPLE);
    const altered = cloneYamlModel(model);
    (nodeAt(altered, 'job-1', 'image', 'name') as { value: unknown }).value = 'alpine:3.21';
    assert.throws(() => assertSameYamlModel(altered, model, 'sample'), (error: Error) => {
      assert.match(error.message, /^sample: root\.job-1\.image\.name: value differs: actual "alpine:3\.21", expected "alpine:3\.20"/);
      return true;
    });
  });

  test('tells -0 from 0, a number from a string, and sees offsets, styles, tags and key changes', () => {
    const model = parseYamlModel(SAMPLE);
    const cases: Array<[string, (copy: YamlModel) => void, RegExp]> = [
      ['-0 → 0', (copy) => { (nodeAt(copy, 'job-1', 'variables', 'ZERO') as { value: unknown }).value = 0; }, /root\.job-1\.variables\.ZERO: value differs: actual 0, expected -0/],
      ['3 → "3"', (copy) => { (nodeAt(copy, 'job-1', 'variables', 'COUNT') as { value: unknown }).value = '3'; }, /COUNT: value type \(string vs number\)/],
      ['end', (copy) => { (nodeAt(copy, 'job-1', 'image') as { end: number }).end += 1; }, /root\.job-1\.image: end differs/],
      ['start', (copy) => { (nodeAt(copy, 'job-1', 'script') as { start: number }).start -= 1; }, /root\.job-1\.script: start differs/],
      ['style', (copy) => { (nodeAt(copy, 'job-1', 'image', 'entrypoint', 0) as { style: string }).style = 'single'; }, /entrypoint\[0\]: style differs: actual "single", expected "double"/],
      ['tag', (copy) => { (nodeAt(copy, 'job-1', 'script') as { tag: string | undefined }).tag = undefined; }, /root\.job-1\.script: tag differs: actual undefined, expected "!reference"/],
      ['key', (copy) => { ((copy.root as YMap).pairs[1]!.key as { start: number }).start += 1; }, /root\.job-1\{key\}: start differs/],
      ['lost item', (copy) => { (nodeAt(copy, 'job-1', 'script') as { items: YNode[] }).items.pop(); }, /root\.job-1\.script: number of items \(1 vs 2/],
      ['lost pair', (copy) => { (nodeAt(copy, 'job-1') as YMap).pairs.pop(); }, /root\.job-1: number of pairs \(3 vs 4\) differs: actual "image, script, variables", expected "image, script, variables, after"/],
      ['lost merge', (copy) => { (nodeAt(copy, 'job-1') as YMap).merges.pop(); }, /root\.job-1: number of merges/],
      ['extra field', (copy) => { (nodeAt(copy, 'job-1', 'image') as unknown as Record<string, unknown>).anchor = 'x'; }, /root\.job-1\.image: set of fields differs/],
      ['kind', (copy) => { (nodeAt(copy, 'job-1', 'image') as { kind: string }).kind = 'seq'; }, /root\.job-1\.image: kind differs/],
    ];
    for (const [name, alter, message] of cases) {
      const altered = cloneYamlModel(model);
      alter(altered);
      assert.throws(() => assertSameYamlModel(altered, model), message, name);
    }
  });

  test('sees sharing broken or made up: a copy where the anchored node was, one node where there were two', () => {
    const model = parseYamlModel(SAMPLE);
    const split = cloneYamlModel(model);
    // `after: *defaults` becomes a copy of the anchored map instead of the map itself.
    const after = (nodeAt(split, 'job-1') as YMap).pairs.find((pair) => pair.key.value === 'after')! as { value: YNode | undefined };
    after.value = cloneYamlModel({ root: after.value, errors: [] }).root;
    assert.throws(() => assertSameYamlModel(split, model), /root\.job-1\.after: sharing \(the expected node here is also the one at root\["\.defaults"\]/);

    const twoNodes = parseYamlModel('a: &x 1\nb: *x\nc: 1\n');
    const merged = cloneYamlModel(twoNodes);
    // c (the same text at another place) becomes the shared node: caught by the start first, so make them equal everywhere.
    const pairs = (merged.root as YMap).pairs as Array<{ key: YScalar; value: YNode | undefined }>;
    const sameShape = parseYamlModel('a: &x 1\nb: *x\nc: *x\n');
    const separate = cloneYamlModel(sameShape);
    const separatePairs = (separate.root as YMap).pairs as Array<{ key: YScalar; value: YNode | undefined }>;
    separatePairs[2]!.value = { ...(separatePairs[0]!.value as YScalar) };
    assert.throws(() => assertSameYamlModel(separate, sameShape), /root\.c: sharing \(the expected node here is also the one at root\.a/);
    assert.throws(() => assertSameYamlModel(sameShape, separate), /root\.c: sharing \(the actual node here is also the one at root\.a/);
    pairs[2]!.value = pairs[0]!.value;
    assert.throws(() => assertSameYamlModel(merged, twoNodes), /root\.c: sharing/);
  });

  test('sees errors changed, missing or in another order', () => {
    const model = parseYamlModel('a: *missing\nb: 1\nb: 2\n');
    assert.equal(model.errors.length, 2);
    const swapped = cloneYamlModel(model);
    (swapped.errors as unknown[]).reverse();
    assert.throws(() => assertSameYamlModel(swapped, model), /errors\[0\] differs/);
    const fewer = cloneYamlModel(model);
    (fewer.errors as unknown[]).pop();
    assert.throws(() => assertSameYamlModel(fewer, model), /errors\[1\] differs: actual none/);
    const moved = cloneYamlModel(model);
    (moved.errors[0] as { offset: number }).offset += 1;
    assert.throws(() => assertSameYamlModel(moved, model), /errors\[0\] differs/);
  });

  test('sees the jobs !reference names differ', () => {
    const text = 'a:\n  script: !reference [.one, script]\nb:\n  script: [x]\n';
    const chunked = parseYamlModel(text, { chunkedFrom: 0 });
    assertSameReferencedJobs(parseYamlModel(text, { chunkedFrom: 0 }), chunked);
    assert.throws(() => assertSameReferencedJobs(parseYamlModel(text.replace('.one', '.two'), { chunkedFrom: 0 }), chunked), /!reference/);
    // A whole parse keeps no job set; a chunked one does.
    assert.throws(() => assertSameReferencedJobs(parseYamlModel(text, { chunkedFrom: Infinity }), chunked), /!reference/);
  });
});

// ---- The repository's YAML ----------------------------------------------------------------

/** Every .yml/.yaml file under these directories (no node_modules), and the yaml blocks of the Markdown files. */
const CORPUS_DIRECTORIES = ['test', 'examples', 'docs'];

function walk(directory: string, found: string[]): void {
  for (const entry of readdirSync(directory)) {
    if (entry === 'node_modules') continue;
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) walk(path, found);
    else found.push(path);
  }
}

function repositoryCorpus(): Array<{ name: string; text: string }> {
  const files: string[] = [];
  for (const directory of CORPUS_DIRECTORIES) walk(join(REPO_ROOT, directory), files);
  files.push(join(REPO_ROOT, 'README.md'));
  const corpus: Array<{ name: string; text: string }> = [];
  for (const path of files.sort()) {
    const name = relative(REPO_ROOT, path);
    if (/\.ya?ml$/.test(path)) corpus.push({ name, text: readFileSync(path, 'utf8') });
    else if (path.endsWith('.md')) {
      let index = 0;
      for (const block of readFileSync(path, 'utf8').matchAll(/```ya?ml\n([\s\S]*?)```/g)) corpus.push({ name: `${name} yaml block ${++index}`, text: block[1]! });
    }
  }
  return corpus;
}

const CORPUS = repositoryCorpus();

const BENCH_PIPELINES = [50, 500].flatMap((jobs) => [false, true].map((anchors) => ({ name: `bench pipeline (${jobs} jobs, anchors ${anchors ? 'on' : 'off'})`, text: generatePipeline({ jobs, anchors, seed: 5 }) })));
const FAST_PATH_PIPELINES = [...BENCH_PIPELINES, { name: 'warm-up pipeline (40 jobs)', text: syntheticPipeline(40) }];

describe('the repository\'s YAML, the bench pipelines and the warm-up pipeline', () => {
  test('the corpus holds the YAML files of the fixtures, the examples and the docs', () => {
    const names = CORPUS.map((entry) => entry.name);
    assert.ok(names.includes('examples/.gitlab-ci.yml') && names.includes('test/fixtures/cli/pipeline.yml'), names.join(', '));
    assert.ok(names.filter((name) => name.startsWith('docs/')).length >= 20, 'the rule pages\' examples are in');
  });

  for (const { name, text } of [...CORPUS, ...FAST_PATH_PIPELINES]) {
    test(`fast path equals the yaml package: ${name}`, () => {
      for (const { chunkedFrom } of CHUNK_SETTINGS) assertFastEqualsSlow(text, chunkedFrom, name);
    });
  }

  for (const { name, text } of FAST_PATH_PIPELINES) {
    test(`the fast path parses all of it, and fastPath: false none of it: ${name}`, () => {
      for (const { name: setting, chunkedFrom } of CHUNK_SETTINGS) {
        const options = chunkedFrom === undefined ? {} : { chunkedFrom };
        const fast = countParses(() => parseYamlModel(text, options));
        assert.ok(fast.fast > 0 && fast.slow === 0, `${setting}: the fast parser took ${fast.fast} parts and the yaml package ${fast.slow}; the yaml package should take none`);
        const slow = countParses(() => parseWithPath(text, { ...options, fastPath: false }));
        assert.ok(slow.fast === 0 && slow.slow > 0, `${setting}, fastPath: false: the fast parser took ${slow.fast} parts and the yaml package ${slow.slow}`);
        if (chunkedFrom === 0) assert.equal(fast.fast, slow.slow, 'one count per chunk on either path');
      }
    });
  }
});

// ---- Hand-written corner cases ------------------------------------------------------------

const SCALAR_FORMS = [
  '', 'null', '~', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE',
  '0', '007', '-3', '+4', '-0', '0o17', '0o8', '0x1F', '0x1f', '0xG', '1_000', '0b101',
  '1.5', '.5', '5.', '1e3', '1E3', '-1.5e-3', '+1e+3', '.inf', '-.inf', '+.inf', '.Inf', '.INF', '.NaN', '.nan', '.NAN', '0.0', '-0.0',
  '1.2.3', 'yes', 'no', 'on', 'off', 'y', 'n', '0x', '-', '-a', ':a', 'a:b', 'a#b', 'a #b', 'a\t#b', '2026-11-26', '12:30:00',
  'a  b', 'trailing ', 'é', '😀', 'http://x.example/a?b=c#d', '<<', '=', '!', '&', '*', '@', '`', '%', '|', '>', '?', '? a', '?a', ',a', '[a', ']', '{', '}',
];

/** Each case is parsed with the fast path and with the yaml package, whole and in chunks. */
const CASES: Array<readonly [string, string]> = [
  ['an empty text', ''],
  ['only a newline', '\n'],
  ['only comments', '# one\n  # two\n#three'],
  ['only blank lines with spaces', '  \n\t\n   '],
  ['no final newline', 'job:\n  script: [make]'],
  ['a root sequence', '- a\n- b: c\n- - d\n'],
  ['a root scalar', 'just text\n'],
  ['a root quoted scalar', '"quoted"\n'],
  ['a root block scalar', '|\n  text\n'],
  ['a root flow map', '{a: 1, b: [2]}\n'],
  ['comments everywhere', '# top\njob: # after key\n  # own line at the child indent\n image: alpine # odd indent comment is not here\n   # odd indent\n  script: # c\n    - a # item\n# column zero between items\n    - b\n      # deeper\n    - c\n# last\n'],
  ['comments between seq items at odd indents', 'list:\n- a\n # one\n- b\n   # three\n-   c\n'],
  ['a comment right after a colon, no space', 'a:#x\nb: c#d\n'],
  ['blank lines with and without trailing spaces', 'a: 1\n\n  \nb:\n\n  c: 2\n    \n\n  d: 3\n\t\n'],
  ...SCALAR_FORMS.map((form): [string, string] => [`the value ${JSON.stringify(form)}`, `key: ${form}\nnext: x\n`]),
  ...SCALAR_FORMS.filter((form) => form !== '').map((form): [string, string] => [`the key ${JSON.stringify(form)}`, `${form}: value\nother: y\n`]),
  ...SCALAR_FORMS.filter((form) => form !== '').map((form): [string, string] => [`the seq item ${JSON.stringify(form)}`, `list:\n  - ${form}\n  - x\n`]),
  ['quoted keys', '"a b": 1\n\'c d\': 2\n"": 3\n\'\': 4\n"\\t": 5\n\'it\'\'s\': 6\n"1": 7\n\'true\': 8\n'],
  ['single quotes with escapes', "a: 'it''s'\nb: ''''\nc: 'a\\nb'\nd: '#x'\ne: ' lead'\nf: 'x' # c\n"],
  ['every double-quoted escape', 'a: "\\n \\t \\" \\\\ \\/ \\x41 \\u00e9 \\U0001F600 \\0 \\a \\b \\e \\f \\r \\v \\N \\_ \\L \\P \\  \\\t"\n'],
  ['invalid double-quoted escapes', 'a: "\\q"\nb: "\\x4"\nc: "\\u12"\nd: "\\U0011FFFF"\ne: "\\xZZ"\nf: "\\ud800"\n'],
  ['an escaped line break in double quotes', 'a: "one \\\n  two"\nb: x\n'],
  ['an unterminated double quote', 'a: "open\nb: c\n'],
  ['an unterminated single quote', "a: 'open\nb: c\n"],
  ['an unterminated quote at the end of the file', 'a: "open'],
  ['text after a closing quote', 'a: "x" y\nb: \'x\'y\n'],
  ['quoted scalars spanning lines', 'a: "one\n  two\n\n  three"\nb: \'four\n   five\'\nc: x\n'],
  ['a quoted scalar continued at the key\'s indent', 'a: "one\ntwo"\n'],
  ['multi-line plain scalars', 'a: one\n  two\n\n  three\nb: four\n    five # c\nc:\n  six\n  seven\n'],
  ['a multi-line plain scalar in a seq', 'l:\n  - one\n    two\n  - three\n'],
  ['a plain scalar continued with a colon', 'a: one\n  two: three\n'],
  ['block scalars of every chomping', 'a: |\n  x\n\n\nb: |-\n  x\n\n\nc: |+\n  x\n\n\nd: >\n  x\n  y\n\n\ne: >-\n  x\n\n\nf: >+\n  x\n\n\ng: end\n'],
  ['more-indented lines in folded scalars', 'a: >\n  one\n  two\n    indented\n    more\n  back\n\n  para\n\n\tx\nb: c\n'],
  ['explicit indentation indicators', 'a: |2\n    two extra\n  base\nb: >1\n  x\nc: |+3\n     x\nd: |-2\n  x\ne: |0\n  x\n'],
  ['an indentation indicator too large for the text', 'a: |4\n  short\nb: x\n'],
  ['empty block scalars', 'a: |\nb: >-\nc: |+\n\nd: x\n'],
  ['a block scalar with leading blank lines', 'a: |\n\n\n  text\nb: x\n'],
  ['a block scalar with a more-indented first line', 'a: |\n    deep\n  shallow\nb: x\n'],
  ['a block scalar with a comment after the header', 'a: | # c\n  x\nb: >- #c\n  y\n'],
  ['a block scalar with text after the header', 'a: | x\n  y\n'],
  ['a block scalar last in the file with a final newline', 'a: |\n  x\n'],
  ['a block scalar last in the file without a final newline', 'a: |\n  x'],
  ['a keep block scalar last in the file with trailing blank lines', 'a: |+\n  x\n\n\n'],
  ['a block scalar header last in the file', 'a: >'],
  ['a block scalar in a seq', 'l:\n  - |\n    x\n  - >-\n    y\n    z\n'],
  ['tabs as indentation', 'a:\n\tb: 1\n'],
  ['a tab after the colon', 'a:\tb\nc:\t\td\n'],
  ['tabs inside values and before comments', 'a: b\tc\nd: e\t# c\nf: "g\th"\n'],
  ['a tab after a seq dash', 'l:\n  -\ta\n  - b\n'],
  ['a tab in a blank line of a block scalar', 'a: |\n  x\n\t\n  y\n'],
  ['CRLF line endings', 'job:\r\n  image: alpine\r\n  script:\r\n    - a\r\n    - |\r\n      x\r\n      y\r\n'],
  ['a lone CR', 'a: b\rc: d\n'],
  ['mixed line endings', 'a: 1\r\nb: 2\nc: |\r\n  x\n  y\r\n'],
  ['a byte-order mark', '\ufeffjob:\n  image: alpine\n'],
  ['a byte-order mark before a comment', '\ufeff# c\na: 1\n'],
  ['a document start marker', '---\na: 1\n'],
  ['a document start marker with a comment', '--- # c\na: 1\n'],
  ['a document end marker', 'a: 1\n...\n'],
  ['two documents', 'a: 1\n---\nb: 2\n'],
  ['a spec header document', 'spec:\n  inputs:\n    stage:\n      default: test\n---\njob:\n  stage: $[[ inputs.stage ]]\n  script: [make]\n'],
  ['a spec header and a third document', 'spec:\n  inputs: {}\n---\njob: 1\n---\nother: 2\n'],
  ['a value after ---', '--- a\n'],
  ['--- inside a value', 'a: |\n  ---\n  x\nb: --- x\n'],
  ['a %YAML directive', '%YAML 1.2\n---\na: 1\n'],
  ['a %YAML directive without a marker', '%YAML 1.2\na: 1\n'],
  ['a %TAG directive', '%TAG !e! tag:example.com,2026:\n---\na: !e!x 1\n'],
  ['single-line flow collections', 'a: [x, y, z]\nb: {k: v, l: [1, 2]}\nc: [ "q", \'s\', 1.5, null, ~, true ]\n'],
  ['multi-line flow collections', 'a: [x,\n  y,\n  z]\nb: {\n  k: v,\n  l: w\n}\nc: 1\n'],
  ['nested flow collections', 'a: [[1, [2, [3]]], {b: {c: [d]}}]\n'],
  ['empty flow collections', 'a: []\nb: {}\nc: [ ]\nd: { }\ne: [[]]\n'],
  ['trailing commas in flow', 'a: [x, y,]\nb: {k: v,}\n'],
  ['double commas in flow', 'a: [x,, y]\nb: [, x]\n'],
  ['flow pairs in a flow seq', 'a: [k: v, l: w, m]\nb: [? x : y]\n'],
  ['a flow map with keys without values', 'a: {x, y: }\n'],
  ['a comment inside a multi-line flow', 'a: [x, # c\n  y]\n'],
  ['an unclosed flow seq', 'a: [x, y\nb: c\n'],
  ['an unclosed flow map at the end', 'a: {x: 1'],
  ['an extra closing bracket', 'a: [x]]\nb: {y: 1}}\n'],
  ['a flow seq as a key', '[a, b]: c\n'],
  ['flow collections with anchors and aliases', 'a: &x [1, 2]\nb: [*x, &y {k: v}, *y]\n'],
  ['!reference in block seq items', 'job:\n  script:\n    - !reference [.setup, script]\n    - make\n    - !reference [.teardown, after_script]\n'],
  ['!reference as a map value', 'job:\n  image: !reference [.base, image]\n  variables: !reference [.vars, variables]\n'],
  ['!reference with one part and none', 'a: !reference [.x]\nb: !reference []\n'],
  ['!reference in block form', 'a: !reference\n  - .x\n  - y\n'],
  ['!reference on a scalar and a map', 'a: !reference x\nb: !reference {x: y}\n'],
  ['other tags', 'a: !!str 1\nb: !custom x\nc: !!int "3"\nd: !!float 1\ne: !!bool yes\nf: !!null ""\ng: !<tag:yaml.org,2002:str> 5\nh: ! x\ni: !!binary aGk=\nj: !!map {a: 1}\nk: !!seq [1]\nl: !x\n'],
  ['a tag on an empty value', 'a: !custom\nb: 1\n'],
  ['anchors on scalars, maps and seqs', 'a: &s x\nb: &m\n  k: v\nc: &q\n  - 1\nd: [*s, *m, *q]\n'],
  ['an anchor on an empty value', 'a: &e\nb: *e\nc: &f # c\nd: 1\n'],
  ['an anchor and a tag together', 'a: &x !!str 1\nb: !!str &y 2\nc: *x\nd: *y\n'],
  ['an anchor on a key', '&k a: 1\n*k : 2\n'],
  ['an alias before its anchor', 'a: *later\nb: &later 1\n'],
  ['an unknown alias', 'a: *nowhere\nb: [*nothing]\n'],
  ['a redefined anchor', 'a: &x 1\nb: *x\nc: &x 2\nd: *x\n'],
  ['an alias inside its own anchor', 'a: &x\n  b: *x\n  c: [*x]\n'],
  ['an alias with a trailing space and comment', 'a: &x 1\nb: *x # c\nc: *x \n'],
  ['an alias as a key', 'a: &x k\n*x : v\n'],
  ['an anchor on a seq item', 'l:\n  - &i item\n  - *i\n  - &j\n    k: v\n  - *j\n'],
  ['an anchor on its own line before a map', 'a: &x\n  # c\n  k: v\nb: *x\n'],
  ['a merge of one alias', '.base: &base\n  image: alpine\njob:\n  <<: *base\n  script: [make]\n'],
  ['a merge of a list of aliases', '.a: &a\n  x: 1\n.b: &b\n  y: 2\njob:\n  <<: [*a, *b]\n'],
  ['a merge of a block list', '.a: &a\n  x: 1\njob:\n  <<:\n    - *a\n    - {z: 3}\n'],
  ['a merge of an inline map', 'job:\n  <<: {x: 1}\n'],
  ['a quoted << key', 'a:\n  "<<": x\n  \'<<\': y\n'],
  ['a merge of a scalar', 'a:\n  <<: x\n  <<: 1\n  <<:\n'],
  ['a merge of a missing alias', 'a:\n  <<: *missing\n'],
  ['merges at the top level', '.a: &a\n  x: 1\n<<: *a\nb: 2\n'],
  ['a merge of a merge', '.a: &a\n  x: 1\n.b: &b\n  <<: *a\n  y: 2\nc:\n  <<: *b\n'],
  ['two << keys in one map', '.a: &a {x: 1}\nb:\n  <<: *a\n  <<: *a\n'],
  ['compact maps in seqs', 'services:\n  - name: postgres:16\n    alias: db\n  - name: redis\n    command: ["--x"]\n'],
  ['compact maps in seqs at the key\'s indent', 'services:\n- name: postgres:16\n  alias: db\n- redis\n'],
  ['nested seqs on one line', 'a:\n  - - x\n    - y\n  - - - z\n'],
  ['a seq at the same indent as its key', 'a:\n- x\n- y\nb: 1\n'],
  ['a seq at the key indent in a nested map', 'a:\n  b:\n  - x\n  c: 1\n'],
  ['empty seq items', 'a:\n  -\n  - x\n  -\n'],
  ['an empty seq item last in the file', 'a:\n  -'],
  ['a seq item with only a comment', 'a:\n  - # c\n  - x\n'],
  ['an empty value with a comment, then a blank line', 'a: # c\n\n'],
  ['a nested empty value with a comment, then a blank line', 'a:\n  b: # c\n\nd: 1\n'],
  ['an empty value with a comment, then a line of spaces and no final newline', 'stages: #{}\n  '],
  ['an empty value with a comment ending a nested map, then an outer key', 'a:\n  b:\n    c: # c\n  d: []\n'],
  ['an empty value with a comment ending a map in a seq item', 'a:\n  - b: # c\n  - x\n'],
  ['an anchored empty value with a comment, then a blank line', 'a: &x # c\n\n'],
  ['a document start marker with content on its line (found by the fuzz suite, seed 9090)', '--- An e2e fixture: one image\nbuild:\n  image: alpine\n'],
  ['a document end marker with content on its line', 'a: 1\n... b: 2\nc: 3\n'],
  ['document markers as the last line, with no final newline', 'a: 1\n---'],
  ['an anchor run into a flow collection', 'a: &x{}\nb: &y[a]\nc: &z{a: 1}\nd:\n  - &w[1]\n'],
  ['tags and anchors run into quotes', 'a: &x"q"\nb: &y\'q\'\nc: !reference[a]\nd: *x{}\n'],
  ['key: at the end of a map', 'a:\n  b: 1\n  c:\nd: 2\n'],
  ['key: at the end of the file', 'a: 1\nb:'],
  ['key: at the end of the file with a newline', 'a: 1\nb:\n'],
  ['a key without a value in a seq map', 'l:\n  - a:\n    b:\n'],
  ['duplicate keys in a small map', 'a: 1\nb: 2\na: 3\n'],
  ['duplicate keys nested', 'job:\n  image: a\n  image: b\n  script: []\n'],
  ['duplicate keys of different forms', 'a: 1\n"a": 2\n\'a\': 3\n'],
  ['duplicate null and number keys', '~: 1\nnull: 2\n1: 3\n01: 4\n0x1: 5\n'],
  ['duplicate keys in a map of 16', `m:\n${Array.from({ length: 15 }, (_, i) => `  k${i}: ${i}\n`).join('')}  k3: dup\n`],
  ['duplicate keys in a map of 17 and more', `m:\n${Array.from({ length: 30 }, (_, i) => `  k${i % 20}: ${i}\n`).join('')}`],
  ['duplicate keys at the top level, more than 16', Array.from({ length: 40 }, (_, i) => `j${i % 25}:\n  s: ${i}\n`).join('')],
  ['explicit keys', '? a\n: 1\n? b\n? c\n: 3\n'],
  ['an explicit key with a block value', '? |\n  block key\n: v\n'],
  ['complex keys', '? [a, b]\n: 1\n? {c: d}\n: 2\n? - e\n  - f\n: 3\n'],
  ['an explicit key in a nested map', 'a:\n  ? b\n  : c\n  d: e\n'],
  ['a key of 1024 characters', `${'k'.repeat(1024)}: v\n`],
  ['a key longer than 1024 characters', `${'k'.repeat(1030)}: v\nb: 1\n`],
  ['a quoted key longer than 1024 characters', `"${'k'.repeat(1030)}": v\n`],
  ['a nested key longer than 1024 characters', `a:\n  ${'k'.repeat(1100)}: v\n`],
  ['200 nested maps', `${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} leaf\n`],
  ['200 nested seqs', `${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i * 2)}-`).join('\n')} leaf\n`],
  ['200 nested flow seqs', `a: ${'['.repeat(200)}x${']'.repeat(200)}\n`],
  ['a child less indented than its sibling', 'a:\n    b: 1\n  c: 2\n'],
  ['a seq item less indented than its sibling', 'a:\n    - x\n  - y\n'],
  ['an over-indented value line', 'a: 1\n    b: 2\n'],
  ['an over-indented key after a nested map', 'a:\n  b: 1\n     c: 2\n'],
  ['a map at column 0 after a nested map', 'a:\n  b: 1\nc: 2\n  d: 3\n'],
  ['key: value: other', 'a: b: c\n'],
  ['key: - a', 'a: - b\n'],
  ['a seq item then a key at the same indent', 'a:\n  - x\n  b: 1\n'],
  ['a key then a seq item at the same indent', 'a:\n  b: 1\n  - x\n'],
  ['a colon with no space after it', 'a:b\nc:\n  d:e\n'],
  ['a key with a space before its colon', 'a : 1\nb  :  2\n'],
  ['a key ending in a colon', 'a:: 1\n'],
  ['a dash without a space', 'a:\n  -x\n  --y\n'],
  ['a question mark as a plain scalar', 'a: ?\nb: ?x\n'],
  ['an indicator at the start of a value', 'a: @x\nb: `y\nc: %z\n'],
  ['GitLab job with everything', `.base: &base
  image:
    name: registry.example.com:5000/group/app:1.2
    entrypoint: [""]
    pull_policy: [always, if-not-present]
  services:
    - name: postgres:16
      alias: db
    - redis:7
  variables: &vars
    DOCKER_AUTH_CONFIG: |
      {"auths": {"registry.example.com:5000": {"auth": "dXNlcjpwYXNz"}}}
    COUNT: 3
job:
  <<: *base
  extends: [.base, .other]
  variables:
    <<: *vars
    EXTRA: "x"
  script:
    - !reference [.base, before_script]
    - >
      folded command
      continued
  rules:
    - if: '$CI_COMMIT_BRANCH == "main"'
      when: always
`],
];

describe('hand-written YAML: the fast path equals the yaml package', () => {
  for (const [name, text] of CASES) {
    test(name, () => {
      for (const { chunkedFrom } of CHUNK_SETTINGS) assertFastEqualsSlow(text, chunkedFrom, name);
    });
  }
});

// ---- Random documents ---------------------------------------------------------------------

/** Adds the text to a failure's message, so the shrunk counterexample can be pasted into a case. */
function withText(text: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof Error) error.message += `\n  text: ${JSON.stringify(text)}`;
    throw error;
  }
}

describe('random GitLab-CI-like documents, intact and damaged', () => {
  test('the fast path equals the yaml package, in chunks and whole (400 documents)', () => {
    fc.assert(
      fc.property(mutatedYamlDocument, (text) => {
        withText(text, () => {
          assertFastEqualsSlow(text, 0);
          assertFastEqualsSlow(text, Infinity);
        });
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  test('the intact tame documents keep the fast parser busy: it parses at least a quarter of them whole', () => {
    // Else the property above would compare the yaml package with itself.
    const texts = fc.sample(yamlDocumentTexts.tame, { seed: SEED, numRuns: 200 });
    let wholeByFastPath = 0;
    for (const text of texts) if (countParses(() => parseYamlModel(text, { chunkedFrom: Infinity })).slow === 0) wholeByFastPath++;
    assert.ok(wholeByFastPath >= texts.length / 4, `the fast parser parsed ${wholeByFastPath} of ${texts.length} generated tame documents`);
  });
});

// ---- Incremental re-parses ----------------------------------------------------------------

/** Text an edit puts in: typing, characters YAML gives meaning to, and whole entries, anchors and merges. */
const EDIT_INSERTS = [
  '', 'x', '1', ' ', '  ', '\t', '\n', '\n\n', ':', ': ', '-', '- ', '#', '# c\n', '"', "'", '[', ']', '{', '}', ',', '|', '>', '&', '*', '!', '\r\n',
  'image: alpine:3.20', '&defaults ', '*defaults', '<<: *defaults', '<<: *missing', '!reference [.base, image]',
  'new-job:\n  image: node:20\n  script: [make]\n', '.hidden: &extra\n  image: busybox\n', 'late:\n  <<: *extra\n',
  '  script: |\n    echo one\n\n    echo two\n', 'dup: 1\n', '---\n', 'k: [a,\n  b]\n',
];

interface TextEdit {
  readonly at: number;
  readonly atLineStart: boolean;
  readonly deleted: number;
  readonly inserted: string;
}

const textEdit: fc.Arbitrary<TextEdit> = fc.record({
  // A fraction of the text in steps of 1/10000 (fc.double spreads over the float representation, nearly all near 0).
  at: fc.nat({ max: 9_999 }).map((n) => n / 10_000),
  atLineStart: fc.boolean(),
  deleted: fc.oneof(fc.constant(0), fc.nat(4), fc.nat(120)),
  inserted: fc.oneof(fc.constantFrom(...EDIT_INSERTS), fc.array(fc.constantFrom(' ', '\t', '\n', ':', '-', '#', "'", '"', '|', '>', '&', '*', '!', '[', ']', '{', '}', ',', 'a'), { maxLength: 4 }).map((chars) => chars.join(''))),
});

function applyTextEdit(text: string, edit: TextEdit): string {
  let start = Math.floor(edit.at * text.length);
  if (edit.atLineStart) start = text.lastIndexOf('\n', start - 1) + 1;
  return text.slice(0, start) + edit.inserted + text.slice(Math.min(text.length, start + edit.deleted));
}

describe('incremental re-parse of a 500-job pipeline', () => {
  test('30 random edits: updateYamlModel on a fresh fast parse equals a chunked parse by the yaml package', () => {
    // Without fast-check's bias to the ends of ranges, so the edits spread over the file.
    const edits = fc.sample(fc.noBias(textEdit), { seed: SEED, numRuns: 30 });
    const text = generatePipeline({ jobs: 500, anchors: true, seed: 13 });
    let reused = 0;
    edits.forEach((edit, index) => {
      // Each edit of the generated text, on a model of its own (updateYamlModel consumes it).
      const previous = parseYamlModel(text, { chunkedFrom: 0 });
      const edited = applyTextEdit(text, edit);
      const updated = updateYamlModel(previous, edited, { chunkedFrom: 0 });
      const expected = parseWithPath(edited, { chunkedFrom: 0, fastPath: false });
      const label = `edit ${index} (${JSON.stringify(edit)})`;
      assertSameYamlModel(updated, expected, label);
      assertSameReferencedJobs(updated, expected, label);
      if (getYamlModelEdit(updated)) reused++;
    });
    // The update reused entries for most edits: the incremental path, not only the whole parse, was compared.
    assert.ok(reused >= 10, `only ${reused} of 30 updates re-parsed only the edited entries`);
  });
});
