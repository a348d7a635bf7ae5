/**
 * Glob patterns written by a hostile or half-typed file (`include: '{'`, a setting
 * with `[z-a]`): each becomes a pattern that matches something sensible, never an
 * invalid regular expression that made the model rules throw. Found by the fuzzing
 * suite (test/fuzz, seed 4242); the pipeline cases are its shrunk counterexamples.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { globToRegExp, matchGlob } from '../../server/src/service/text/glob';
import { analyze } from '../helpers/analyze';

describe('glob patterns with unpaired or impossible brackets', () => {
  const CASES: ReadonlyArray<[glob: string, matches: string, doesNotMatch: string]> = [
    ['ci/{a', 'ci/{a', 'ci/a'],
    ['ci/a}', 'ci/a}', 'ci/a'],
    ['ci/{a,b}/{x', 'ci/b/{x', 'ci/b/x'],
    ['ci/[z-a].yml', 'ci/[z-a].yml', 'ci/z.yml'],
    ['ci/{[}]', 'ci/{[}]', 'ci/}'],
    ['$(?:{', '$(?:{', ''],
  ];
  for (const [glob, matches, doesNotMatch] of CASES) {
    test(`\`${glob}\` is a valid pattern matching \`${matches}\``, () => {
      assert.doesNotThrow(() => globToRegExp(glob));
      assert.equal(matchGlob(glob, matches), true);
      assert.equal(matchGlob(glob, doesNotMatch), false);
    });
  }

  test('well-formed patterns keep their meaning', () => {
    assert.equal(matchGlob('ci/{a,b}.yml', 'ci/b.yml'), true);
    assert.equal(matchGlob('ci/[!x]*.yml', 'ci/y1.yml'), true);
    assert.equal(matchGlob('**/*.yml', '/project/ci/deep/a.yml'), true);
  });
});

describe('pipelines whose include is half typed', () => {
  const WORKSPACE = { 'file:///project/ci/a.yml': '.a:\n  image: redis\n' };
  for (const include of ["include: '{'", 'include: ${', 'include: "{ "', "include: '[z-a]'", 'include: [{local: "ci/{a"}]']) {
    test(`\`${include}\` is analysed without a rule failure`, () => {
      // analyze() throws when a rule family fails.
      const found = analyze('gitlab-ci', `${include}\nbuild:\n  image: Redis:1\n  script: [make]\n`, { workspace: WORKSPACE });
      assert.ok(found.some((f) => f.code === 'image/uppercase-repository'));
    });
  }
});
