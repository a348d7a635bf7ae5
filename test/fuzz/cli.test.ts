/**
 * Fuzzing the CLI: random trees of the files it reads (edited realistic files,
 * random bytes, hostile text, under every name the file table knows) checked in every
 * output format. The CLI exits 0 or 1 (never 2: every file is found by the walk, none
 * is named), prints no internal error or stack trace, and its JSON-based formats parse.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { makeTree, run } from '../helpers/cli';
import { applyEdits, check, editArbitrary, hostileString, runsFor, SEEDS } from './harness';

const NAMES = [
  '.gitlab-ci.yml',
  'ci/templates.yml',
  'deploy.gitlab-ci.yml',
  '.gitlab/ci/build.yml',
  'gitlab-runner/config.toml',
  'config.toml',
  '.docker/config.json',
  'docker-config.json',
  'other.json',
];

const contentArbitrary: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.nat({ max: SEEDS.length - 1 }), fc.array(editArbitrary, { maxLength: 5 })).map(([seed, edits]) => applyEdits(SEEDS[seed]!.text, edits)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 20 }).map((pieces) => pieces.join('')) },
  // A pipeline that includes the others, so cross-file analysis runs on the random files too.
  { weight: 1, arbitrary: fc.constant('include:\n  - local: ci/templates.yml\n  - local: .gitlab/ci/build.yml\nbuild:\n  extends: .tpl\n  image: Redis\n') },
);

const treeArbitrary = fc.dictionary(fc.constantFrom(...NAMES), contentArbitrary, { minKeys: 1, maxKeys: 5 });

describe('fuzzing the CLI', () => {
  test('random trees: exit 0 or 1, no internal error or stack trace, parseable output', () =>
    check(
      'CLI trees',
      fc.property(treeArbitrary, fc.constantFrom('text', 'json', 'sarif', 'codequality'), (files, format) => {
        const root = makeTree(files);
        const result = run(['--format', format], root);
        assert.ok(result.code === 0 || result.code === 1, `exit ${result.code}: ${result.err}`);
        assert.doesNotMatch(result.err, /internal error|\n\s+at /, 'no internal error or stack trace');
        if (format !== 'text') assert.doesNotThrow(() => JSON.parse(result.out), 'the output parses as JSON');
      }),
      runsFor(300),
    ));
});
