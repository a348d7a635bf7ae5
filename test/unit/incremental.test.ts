/**
 * Incremental re-analysis: after an edit, a large pipeline is re-parsed only in the
 * top-level entries the edit touches. These tests prove it gives what a fresh parse
 * and analysis of the edited text give (model, errors, findings with offsets, images),
 * on random edits of generated pipelines, and that the reuse really happens.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { generatePipeline } from '../../bench/generate';
import { LanguageService, type DocumentAnalysis } from '../../server/src/service/languageService';
import { parseYamlModel, updateYamlModel, type YamlModel } from '../../server/src/service/parse/yamlModel';
import { makeContext } from '../helpers/analyze';
import { yamlShape } from '../helpers/yamlShape';

const URI = 'file:///project/.gitlab-ci.yml';

/** deepEqual, with a quick comparison first (assert's own is slow on structures this large). */
function assertSame(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) assert.deepEqual(actual, expected);
}

function modelShape(model: YamlModel): unknown {
  return { root: yamlShape(model.root), errors: model.errors };
}

/** What an analysis shows the user: findings as they are, images without their lookup functions. */
function analysisShape(analysis: DocumentAnalysis): unknown {
  return {
    findings: analysis.findings,
    images: analysis.images.map((image) => ({
      role: image.role, text: image.text, start: image.start, end: image.end, segments: image.map.segments, place: image.place,
      origin: image.origin && { kind: image.origin.kind, job: 'job' in image.origin ? image.origin.job : undefined },
      users: image.users, pullPolicy: image.pullPolicy, alias: image.alias,
    })),
    credentialKeys: analysis.credentials.keys.map((key) => [key.offset, key.length]),
  };
}

/** Text an edit inserts: what typing does, and what moves entries, anchors and structure. */
const INSERTS = [
  '', 'x', 'a', '1', ' ', '  ', '\n', '\n\n', ':', ': ', '-', '- ', '#', '# note\n', '"', "'", '[', ']', '{', '}', '\t', '\r\n',
  'image: alpine:3.20', 'registry.example.com:5000/group/edited:1.2', '@sha256:' + 'a'.repeat(64),
  '&defaults ', '&extra ', '*defaults', '*extra', '<<: *defaults', '<<: *missing', '!reference [.base, image]',
  'new-job:\n  image: node:20\n  script: [make]\n', '.hidden: &extra\n  image: busybox\n', 'late:\n  <<: *extra\n',
  '  services:\n    - postgres:16\n', 'variables:\n  DOCKER_AUTH_CONFIG: "{}"\n', '---\n', '%YAML 1.2\n', 'job: [unclosed\n', 'dup: 1\n',
];

interface Edit {
  /** Where, as a fraction of the text's lines; then at the line's start or inside it. */
  readonly line: number;
  readonly atLineStart: boolean;
  readonly column: number;
  readonly remove: number;
  readonly insert: string;
}

const editArbitrary: fc.Arbitrary<Edit> = fc.record({
  line: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  atLineStart: fc.boolean(),
  column: fc.nat(40),
  remove: fc.oneof(fc.constant(0), fc.nat(3), fc.nat(200)),
  insert: fc.oneof(fc.constantFrom(...INSERTS), fc.string({ maxLength: 6 })),
});

/** The edit as an offset range in `text`. */
function locate(text: string, edit: Edit): { offset: number; remove: number } {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineStart = lineStarts[Math.floor(edit.line * lineStarts.length)]!;
  const lineEnd = text.indexOf('\n', lineStart) === -1 ? text.length : text.indexOf('\n', lineStart);
  const offset = edit.atLineStart ? lineStart : Math.min(lineStart + edit.column, lineEnd);
  return { offset, remove: Math.min(edit.remove, text.length - offset) };
}

function applyEdit(text: string, edit: Edit): string {
  const { offset, remove } = locate(text, edit);
  return text.slice(0, offset) + edit.insert + text.slice(offset + remove);
}

const PIPELINES = [false, true].map((anchors) => ({ anchors, text: generatePipeline({ jobs: 250, anchors, seed: 11 }) }));

describe('incremental re-parse of a large pipeline', () => {
  for (const { anchors, text } of PIPELINES) {
    test(`gives the model and errors of a fresh parse after random edits (${anchors ? 'with' : 'without'} anchors)`, () => {
      let steps = 0;
      let reused = 0;
      fc.assert(
        fc.property(fc.array(editArbitrary, { minLength: 1, maxLength: 4 }), (edits) => {
          let current = text;
          let model = parseYamlModel(current);
          for (const edit of edits) {
            current = applyEdit(current, edit);
            const previousPairs = new Set(model.root?.kind === 'map' ? model.root.pairs : []);
            model = updateYamlModel(model, current);
            steps++;
            if (model.root?.kind === 'map' && model.root.pairs.some((pair) => previousPairs.has(pair))) reused++;
            assertSame(modelShape(model), modelShape(parseYamlModel(current)));
          }
        }),
        { numRuns: 20, seed: 20261126 },
      );
      // Most random edits stay inside entries: the reuse path, not the fallback, is what was compared.
      assert.ok(reused > steps / 2, `only ${reused} of ${steps} edits reused entries`);
    });
  }

  test('gives the model of a fresh parse after random edits of a CRLF file with a byte-order mark', () => {
    const text = `\ufeff${PIPELINES[1]!.text.replace(/\n/g, '\r\n')}`;
    fc.assert(
      fc.property(fc.array(editArbitrary, { minLength: 1, maxLength: 3 }), (edits) => {
        let current = text;
        let model = parseYamlModel(current);
        for (const edit of edits) {
          current = applyEdit(current, edit);
          model = updateYamlModel(model, current);
          assertSame(modelShape(model), modelShape(parseYamlModel(current)));
        }
      }),
      { numRuns: 10, seed: 20261126 },
    );
  });

  test('reuses the entries an edit does not touch', () => {
    const { text } = PIPELINES[1]!;
    const before = parseYamlModel(text);
    const at = text.indexOf('image: ', text.length >> 1) + 'image: '.length;
    const edited = `${text.slice(0, at)}busybox:1.36 ${text.slice(at)}`;
    const after = updateYamlModel(before, edited);
    assert.ok(before.root?.kind === 'map' && after.root?.kind === 'map');
    const firstPair = after.root.pairs[0]!;
    const lastPair = after.root.pairs.at(-1)!;
    // Entries before the edit are the same objects; entries after it the same objects, moved.
    assert.equal(firstPair, before.root.pairs[0]);
    assert.equal(lastPair, before.root.pairs.at(-1));
    assert.equal(edited.slice(lastPair.key.start, lastPair.key.end), String(lastPair.key.value));
    assert.deepEqual(modelShape(after), modelShape(parseYamlModel(edited)));
  });

  test('parses the whole file again when an edited entry defines an anchor a later one uses', () => {
    const { text } = PIPELINES[1]!;
    const before = parseYamlModel(text);
    // `&defaults` is defined near the top and used by jobs all through the file.
    const edited = text.replace('&defaults', '&renamed');
    const after = updateYamlModel(before, edited);
    assert.deepEqual(modelShape(after), modelShape(parseYamlModel(edited)));
    assert.ok(after.errors.some((error) => /`\*defaults` refers to no anchor/.test(error.message)));
    assert.ok(after.root?.kind === 'map' && before.root?.kind === 'map');
    assert.notEqual(after.root.pairs.at(-1), before.root.pairs.at(-1), 'the later entries are parsed again');
  });

  test('parses the whole file again when an edit leaves a line at column 0 that is not a key', () => {
    const { text } = PIPELINES[0]!;
    const at = text.indexOf('\n', text.length >> 1) + 1;
    const edited = `${text.slice(0, at)}---\n${text.slice(at)}`;
    const after = updateYamlModel(parseYamlModel(text), edited);
    assert.deepEqual(modelShape(after), modelShape(parseYamlModel(edited)));
  });
});

describe('incremental re-analysis in the language service', () => {
  for (const { anchors, text } of PIPELINES) {
    test(`gives the findings and images of a fresh analysis after random edits (${anchors ? 'with' : 'without'} anchors)`, () => {
      const context = makeContext();
      fc.assert(
        fc.property(fc.array(editArbitrary, { minLength: 1, maxLength: 4 }), (edits) => {
          const service = new LanguageService((family, error) => {
            throw new Error(`the ${family} rules failed: ${String(error)}`);
          });
          let document = TextDocument.create(URI, 'yaml', 1, text);
          service.analyze(document, context);
          for (const edit of edits) {
            const { offset, remove } = locate(document.getText(), edit);
            const range = { start: document.positionAt(offset), end: document.positionAt(offset + remove) };
            document = TextDocument.update(document, [{ range, text: edit.insert }], document.version + 1);
            const incremental = service.analyze(document, context);
            const fresh = new LanguageService().analyze(TextDocument.create(URI, 'yaml', 1, document.getText()), context);
            assertSame(analysisShape(incremental), analysisShape(fresh));
          }
        }),
        { numRuns: 6, seed: 20261126 },
      );
    });
  }
});
