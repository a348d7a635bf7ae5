/**
 * Property-based fuzzing of the analysis core (`LanguageService`): random edits of
 * realistic files of the three kinds, truncations at every offset, random bytes and
 * random hostile Unicode. For every input: no exception escapes and no rule family
 * fails; every diagnostic, hover and code-action edit range lies inside the document
 * on UTF-16 boundaries; the same text gives the same diagnostics in a fresh service;
 * a document analysed after edits gives what its edited text gives from scratch.
 *
 * Seeded (see harness.ts): the seed is printed with each property, and a failure
 * prints the counterexample and how to replay it.
 */
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  applyEdits,
  check,
  checkAnalysis,
  checkEditedEqualsFresh,
  CONTEXTS,
  editArbitrary,
  hostileString,
  runsFor,
  SEEDS,
  type Kind,
} from './harness';

const KINDS: readonly Kind[] = ['gitlab-ci', 'runner-config', 'docker-config'];
const seedIndex = fc.nat({ max: SEEDS.length - 1 });
const contextIndex = fc.nat({ max: CONTEXTS.length - 1 });
const fraction = fc.double({ min: 0, max: 1, noNaN: true });

/** The seed files small enough to truncate at every offset within the CI budget. */
const TRUNCATED = SEEDS.filter((seed) => seed.name.startsWith('examples/') || seed.name.startsWith('test/') || seed.name.startsWith('credential'));

describe('fuzzing the analysis core', () => {
  test('random edits of realistic files: no exception, ranges inside the document, hovers and code actions, deterministic', () =>
    check(
      'random edits',
      fc.property(seedIndex, contextIndex, fc.array(editArbitrary, { minLength: 1, maxLength: 6 }), fc.array(fraction, { maxLength: 2 }), fc.boolean(), (seed, contextAt, edits, hoverAt, codeActions) => {
        const { kind, text } = SEEDS[seed]!;
        checkAnalysis(kind, applyEdits(text, edits), CONTEXTS[contextAt]!, { hoverAt, codeActions, determinism: true });
      }),
      runsFor(3000),
    ));

  test('a document analysed after edits gives what its edited text gives from scratch', () =>
    check(
      'edited equals fresh',
      fc.property(seedIndex, contextIndex, fc.array(editArbitrary, { minLength: 1, maxLength: 4 }), (seed, contextAt, edits) => {
        const { kind, text } = SEEDS[seed]!;
        checkEditedEqualsFresh(kind, text, edits, CONTEXTS[contextAt]!);
      }),
      runsFor(3000),
    ));

  test('random Unicode (surrogate pairs, lone surrogates, combining marks, RTL, NUL, line breaks) inserted into realistic files', () =>
    check(
      'hostile unicode',
      fc.property(seedIndex, contextIndex, fc.array(fc.tuple(fraction, hostileString), { minLength: 1, maxLength: 10 }), fraction, (seed, contextAt, insertions, hoverAt) => {
        const { kind, text } = SEEDS[seed]!;
        const edited = applyEdits(text, insertions.map(([at, inserted]) => ({ at, deleted: 0, inserted })));
        checkAnalysis(kind, edited, CONTEXTS[contextAt]!, { hoverAt: [hoverAt] });
      }),
      runsFor(3000),
    ));

  test('random bytes read as UTF-8 or Latin-1, as each kind of file', () =>
    check(
      'random bytes',
      fc.property(fc.constantFrom(...KINDS), contextIndex, fc.uint8Array({ maxLength: 600 }), fc.constantFrom('utf8', 'latin1') as fc.Arbitrary<BufferEncoding>, fraction, (kind, contextAt, bytes, encoding, hoverAt) => {
        checkAnalysis(kind, Buffer.from(bytes).toString(encoding), CONTEXTS[contextAt]!, { hoverAt: [hoverAt], determinism: true });
      }),
      runsFor(4000),
    ));

  test('text made only of hostile pieces (syntax characters, anchors, tags, quotes, line breaks), as each kind', () =>
    check(
      'hostile text',
      fc.property(fc.constantFrom(...KINDS), contextIndex, fc.array(hostileString, { maxLength: 30 }), fraction, (kind, contextAt, pieces, hoverAt) => {
        checkAnalysis(kind, pieces.join(''), CONTEXTS[contextAt]!, { hoverAt: [hoverAt], codeActions: true });
      }),
      runsFor(2200),
    ));

  for (const seed of TRUNCATED) {
    test(`${seed.name} truncated at every offset (${seed.text.length + 1} cases)`, () => {
      console.log(`fuzz: truncations of ${seed.name}: ${seed.text.length + 1} cases`);
      for (let offset = 0; offset <= seed.text.length; offset++) {
        try {
          checkAnalysis(seed.kind, seed.text.slice(0, offset), CONTEXTS[offset % CONTEXTS.length]!);
        } catch (error) {
          throw new Error(`${seed.name} truncated at offset ${offset}: ${error instanceof Error ? error.stack : String(error)}`);
        }
      }
    });
  }
});
