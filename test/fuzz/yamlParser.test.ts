/**
 * Differential fuzzing of the YAML parsers: for random GitLab-CI-like documents (intact
 * and damaged with the characters YAML gives meaning to), and for the fuzz corpus's
 * pipelines with hostile edits, the fast block parser builds exactly the model the
 * `yaml` package's path builds (`parseYamlModel(text)` against
 * `parseYamlModel(text, { fastPath: false })`), parsed in chunks and whole. The same
 * generator drives the shorter run of test/unit/fastYaml.test.ts.
 *
 * Seeded and budgeted by harness.ts: the seed is printed with each property, and a failure
 * prints the shrunk text and how to replay it.
 */
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { mutatedYamlDocument, tameDamagedYamlDocument } from '../helpers/yamlDocuments';
import { assertFastEqualsSlow } from '../helpers/yamlModelEquality';
import { applyEdits, check, editArbitrary, runsFor, SEEDS } from './harness';

const PIPELINES = SEEDS.filter((seed) => seed.kind === 'gitlab-ci');

/** Both parses, in chunks and whole; a failure's message ends with the text, ready to paste into a unit case. */
function checkBothPaths(text: string): void {
  try {
    assertFastEqualsSlow(text, 0);
    assertFastEqualsSlow(text, Infinity);
  } catch (error) {
    if (error instanceof Error) error.message += `\n  text: ${JSON.stringify(text)}`;
    throw error;
  }
}

describe('fuzzing the fast YAML parser against the yaml package', () => {
  test('generated GitLab-CI-like documents, intact and damaged: the same model on both paths', () =>
    check('fast vs slow YAML: generated documents', fc.property(mutatedYamlDocument, checkBothPaths), runsFor(2500)));

  test('generated pipelines damaged without tabs or carriage returns (which the fast parser hands over at once): the same model on both paths', () =>
    check('fast vs slow YAML: damaged pipelines', fc.property(tameDamagedYamlDocument, checkBothPaths), runsFor(1000)));

  test('the corpus pipelines with hostile edits (Unicode, line breaks, syntax): the same model on both paths', () =>
    check(
      'fast vs slow YAML: edited corpus pipelines',
      fc.property(fc.nat({ max: PIPELINES.length - 1 }), fc.array(editArbitrary, { minLength: 1, maxLength: 4 }), (index, edits) => {
        checkBothPaths(applyEdits(PIPELINES[index]!.text, edits));
      }),
      runsFor(1000),
    ));
});
