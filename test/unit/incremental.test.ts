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
import type { Range } from 'vscode-languageserver-types';
import { generatePipeline } from '../../bench/generate';
import type { Finding } from '../../server/src/service/finding';
import { placesKeptBy } from '../../server/src/service/incremental';
import { LanguageService, type DocumentAnalysis } from '../../server/src/service/languageService';
import { getValue, parseYamlModel, perNode, scalarText, updateYamlModel, yamlParseCounts, type YamlModel, type YamlModelEdit, type YMap, type YNode } from '../../server/src/service/parse/yamlModel';
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

  test('answers kept per node (perNode) are worked out again only for the entries an edit replaced', () => {
    const { text } = PIPELINES[1]!;
    const asked: YNode[] = [];
    const imageOf = perNode((map: YMap) => {
      asked.push(map);
      return scalarText(getValue(map, 'image'));
    });
    const jobMaps = (model: YamlModel) => (model.root?.kind === 'map' ? model.root.pairs : []).flatMap((pair) => (pair.value?.kind === 'map' ? [pair.value] : []));
    const before = parseYamlModel(text);
    const entries = jobMaps(before).length;
    for (const map of jobMaps(before)) imageOf(map);
    assert.equal(asked.length, entries);
    // Retype the value of an image in the middle of the file: its entry alone is parsed again.
    const at = text.indexOf('image: ', text.length >> 1) + 'image: '.length;
    const end = text.indexOf('\n', at);
    const edited = `${text.slice(0, at)}busybox:1.36${text.slice(end)}`;
    const after = updateYamlModel(before, edited);
    asked.length = 0;
    const answers = jobMaps(after).map(imageOf);
    // One miss (the edited entry, a new node) and hits for every other: and they are still right.
    assert.equal(asked.length, 1);
    assert.equal(imageOf(asked[0] as YMap), 'busybox:1.36');
    assert.deepEqual(answers, jobMaps(parseYamlModel(edited)).map((map) => scalarText(getValue(map, 'image'))));
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

  test('reports a top-level key written twice, in entries an edit did not touch or in the one it renamed', () => {
    const { text } = PIPELINES[0]!;
    const jobKeys = [...text.matchAll(/^([a-z][\w-]*):\n/gm)].map((match) => ({ name: match[1]!, at: match.index }));
    const early = jobKeys[5]!;
    const middle = jobKeys[jobKeys.length >> 1]!;
    const imageLine = (source: string) => source.indexOf('  image: ', middle.at + 1);
    // A job written again at the end: its duplicate error is the whole parse's, not an entry's.
    const repeated = `${text}\n${early.name}:\n  script: [make]\n`;
    const retyped = `${repeated.slice(0, imageLine(repeated))}  image: node:22${repeated.slice(repeated.indexOf('\n', imageLine(repeated)))}`;
    const afterRetype = updateYamlModel(parseYamlModel(repeated), retyped);
    assert.ok(afterRetype.errors.some((error) => error.offset > middle.at && /is defined again here/.test(error.message)), 'the error after the edit is still there');
    assertSame(modelShape(afterRetype), modelShape(parseYamlModel(retyped)));
    // A job renamed to an earlier one's name: the edited entry's key now repeats that one.
    const renamed = `${text.slice(0, middle.at)}${early.name}${text.slice(middle.at + middle.name.length)}`;
    const afterRename = updateYamlModel(parseYamlModel(text), renamed);
    assert.ok(afterRename.errors.some((error) => error.offset === middle.at), 'the renamed key is reported');
    assertSame(modelShape(afterRename), modelShape(parseYamlModel(renamed)));
  });

  test('parses an edit of a small file with the options it is given', () => {
    // Parsed whole (too small for chunks), so no record of the previous parse is left to update from.
    const before = parseYamlModel('job:\n  image: alpine:3.20\n', { fastPath: false });
    const fastBefore = yamlParseCounts.fast;
    updateYamlModel(before, 'job:\n  image: alpine:3.21\n', { fastPath: false });
    assert.equal(yamlParseCounts.fast, fastBefore, 'the YAML package parsed it, as asked');
    updateYamlModel(before, 'job:\n  image: alpine:3.22\n');
    assert.equal(yamlParseCounts.fast, fastBefore + 1, 'by default the fast parser does');
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

describe('diagnostics kept across versions', () => {
  // An edit's diagnostics reuse the previous version's, and skip working out the ranges of
  // those whose places the edit cannot have moved (placesKept, service/incremental.ts):
  // only when the version before was the one the re-analysis started from, and only on
  // lines and columns the edit kept. Versions analysed without diagnostics (a hover
  // between keystrokes) and edits that add or remove lines, `\r\n` and lone `\r` among
  // them, must still give what a fresh validation gives.
  const STEP_INSERTS = ['x', ' ', '\n', '\r\n', '\r', '\n\n', 'ab', '# note\n', ''];
  const stepArbitrary = fc.record({
    line: fc.nat(1_000_000),
    column: fc.nat(12),
    remove: fc.oneof(fc.constant(0), fc.nat(2), fc.nat(40)),
    insert: fc.constantFrom(...STEP_INSERTS),
    validate: fc.boolean(),
  });
  for (const { anchors, text } of PIPELINES) {
    test(`give what a fresh validation gives, whether or not each version was validated (${anchors ? 'with' : 'without'} anchors)`, () => {
      const context = makeContext();
      let reused = 0;
      fc.assert(
        fc.property(fc.array(stepArbitrary, { minLength: 2, maxLength: 6 }), (steps) => {
          const service = new LanguageService((family, error) => {
            throw new Error(`the ${family} rules failed: ${String(error)}`);
          });
          let document = TextDocument.create(URI, 'yaml', 1, text);
          let previous = service.doValidation(document, context);
          for (const step of steps) {
            const current = document.getText();
            const lineStarts = [0];
            for (let i = current.indexOf('\n'); i !== -1; i = current.indexOf('\n', i + 1)) lineStarts.push(i + 1);
            const start = lineStarts[step.line % lineStarts.length]!;
            const offset = Math.min(start + step.column, current.length);
            const end = Math.min(offset + step.remove, current.length);
            document = TextDocument.update(document, [{ range: { start: document.positionAt(offset), end: document.positionAt(end) }, text: step.insert }], document.version + 1);
            if (!step.validate) {
              service.analyze(document, context);
              continue;
            }
            const diagnostics = service.doValidation(document, context);
            assertSame(diagnostics, new LanguageService().doValidation(TextDocument.create(URI, 'yaml', 1, document.getText()), context));
            const kept = new Set(previous);
            reused += diagnostics.filter((diagnostic) => kept.has(diagnostic)).length;
            previous = diagnostics;
          }
        }),
        { numRuns: 12, seed: 20261127 },
      );
      assert.ok(reused > 0, 'some diagnostics were kept from a version before');
    });
  }
});

test('diagnostics two versions back are not taken for kept places: a line added by an edit of the same length, in a version never validated, moves them', () => {
  // The middle version is analysed (a hover) but never validated, so the last version's
  // diagnostics are made against the first's. Its edit keeps the text's length and adds a
  // line: the findings after it stay the same objects, a line lower. The last edit, in
  // another job, keeps the lines; the findings after it are copies, and their diagnostics
  // (the first version's) must not be taken as placed right.
  const jobs = Array.from({ length: 1500 }, (_, i) => `job-${i}:\n  image: alpine:3.${i % 20}\n  script:\n    - make check-${i}\n`).join('\n');
  const text = `first:\n  image: alpine:3.20\n  script: |\n    make abcde\n\nsecond:\n  image: node:20\n\n${jobs}`;
  assert.ok(text.length > 64 * 1024, 'parsed entry by entry');
  const context = makeContext();
  const service = new LanguageService();
  let document = TextDocument.create(URI, 'yaml', 1, text);
  service.doValidation(document, context);
  const replace = (from: string, to: string) => {
    const at = document.getText().indexOf(from);
    document = TextDocument.update(document, [{ range: { start: document.positionAt(at), end: document.positionAt(at + from.length) }, text: to }], document.version + 1);
  };
  const before = service.incrementalAnalyses;
  replace(' abcd', '\n    ');
  service.analyze(document, context);
  replace('node:20', 'node:22');
  const diagnostics = service.doValidation(document, context);
  assert.equal(service.incrementalAnalyses, before + 2, 'both edits re-analysed only their job');
  assertSame(diagnostics, new LanguageService().doValidation(TextDocument.create(URI, 'yaml', 1, document.getText()), context));
});

/** A runner that refuses some images, pulls `if-not-present`, runs services and a per-job network: every runner rule has work. */
const RUNNER_CONFIG = [
  '[[runners]]',
  '  name = "shared"',
  '  executor = "docker"',
  '  environment = ["FF_NETWORK_PER_BUILD=true"]',
  '  [runners.docker]',
  '    image = "alpine:3.20"',
  '    pull_policy = ["if-not-present"]',
  '    allowed_images = ["node:*", "python:*", "registry.example.com:5000/*:*", "registry.example.com:5000/**/*:*"]',
  '    allowed_users = ["app"]',
  '    [[runners.docker.services]]',
  '      name = "redis:7"',
  '      alias = "cache"',
  '',
].join('\n');

/** What typing inside a job does: new image names (good, private, pinned, broken, with variables), variables, services, keys. */
const IMAGE_VALUES = [
  'node:22', 'python:3.13-slim', 'registry.example.com:5000/group/edited:2.0', 'registry.example.com/app:1', 'Registry.Example.com/App:1',
  '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:dev', 'ghcr.io/acme/tool@sha256:' + 'b'.repeat(64), '$CI_REGISTRY_IMAGE/edited:$CI_COMMIT_SHA',
  '$UNKNOWN_IMAGE', 'alpine:', 'gitlab.com:443/acme/dependency_proxy/containers/alpine:3', '"quoted:1"', "'single:2'", '',
];

const JOB_EDITS: ReadonlyArray<(line: string, pick: number) => string | undefined> = [
  // Retype an image value.
  (line, pick) => (/^\s+image: /.test(line) ? line.replace(/image: .*/, `image: ${IMAGE_VALUES[pick % IMAGE_VALUES.length]}`) : undefined),
  // Change a job variable's value, or make it a URL to a host no service answers to.
  (line, pick) => (/^\s{4}COMPONENT: /.test(line) ? line.replace(/COMPONENT: .*/, pick % 2 ? 'COMPONENT: edited' : 'DATABASE_URL: postgres://runner@pg:5432/db') : undefined),
  // Rename a service alias.
  (line, pick) => (/^\s+alias: /.test(line) ? line.replace(/alias: .*/, `alias: ${['build', 'db', 'object-store', 'x_y'][pick % 4]}`) : undefined),
  // Type inside a script line.
  (line, pick) => (/^\s+- (?:npm|go|helm|make|docker|pytest|tar|trivy)/.test(line) ? `${line}${' x'.repeat((pick % 3) + 1)}` : undefined),
  // A misspelt key next to the image, and a pull policy.
  (line, pick) => (/^\s{2}stage: /.test(line) ? `${line}\n  ${pick % 2 ? 'imag: node:20' : 'tags: [docker]'}` : undefined),
  (line) => (/^\s{4}- name: /.test(line) ? `${line}\n      pull_policy: if-not-present` : undefined),
  // Inside a job's own DOCKER_AUTH_CONFIG (the global one is indented less): another registry key, another or a broken credential.
  (line, pick) => (/^ {10}"[^"]+": \{$/.test(line) ? line.replace(/"[^"]+"/, `"${['registry.example.com:5000', 'gcr.io', 'https://index.docker.io/v1/', 'index.docker.io'][pick % 4]}"`) : undefined),
  (line, pick) => (/^ {12}"auth": "/.test(line) ? line.replace(/"auth": ".*"/, `"auth": "${['dTpw', 'not base64!', 'dTpwCg==', ''][pick % 4]}"`) : undefined),
];

describe('re-analysis of only the edited jobs', () => {
  const contexts = [
    { name: 'without runners', context: makeContext() },
    { name: 'with a runner config.toml', context: makeContext({ workspace: { 'file:///project/.gitlab-runner/config.toml': RUNNER_CONFIG } }) },
  ];
  for (const { anchors, text } of PIPELINES) {
    for (const { name, context } of contexts) {
      test(`gives what a whole analysis gives after edits inside jobs (${anchors ? 'with' : 'without'} anchors, ${name})`, () => {
        let steps = 0;
        let incremental = 0;
        fc.assert(
          fc.property(fc.array(fc.record({ line: fc.nat(1_000_000), kind: fc.nat(JOB_EDITS.length - 1), pick: fc.nat(1000) }), { minLength: 1, maxLength: 5 }), (edits) => {
            const service = new LanguageService((family, error) => {
              throw new Error(`the ${family} rules failed: ${String(error)}`);
            });
            let document = TextDocument.create(URI, 'yaml', 1, text);
            service.analyze(document, context);
            for (const { line, kind, pick } of edits) {
              const current = document.getText();
              const lines = current.split('\n');
              // The first line from the chosen one on that this kind of edit applies to.
              const first = line % lines.length;
              let at = -1;
              let replacement: string | undefined;
              for (let i = 0; i < lines.length && replacement === undefined; i++) {
                at = (first + i) % lines.length;
                replacement = JOB_EDITS[kind]!(lines[at]!, pick);
              }
              if (replacement === undefined) continue;
              const range = { start: { line: at, character: 0 }, end: { line: at, character: lines[at]!.length } };
              document = TextDocument.update(document, [{ range, text: replacement }], document.version + 1);
              const before = service.incrementalAnalyses;
              const analysed = service.analyze(document, context);
              steps++;
              incremental += service.incrementalAnalyses - before;
              const fresh = new LanguageService();
              const freshDocument = TextDocument.create(URI, 'yaml', 1, document.getText());
              assertSame(analysisShape(analysed), analysisShape(fresh.analyze(freshDocument, context)));
              // The diagnostics, most of them the previous version's objects (toDiagnostics).
              assertSame(service.doValidation(document, context), fresh.doValidation(freshDocument, context));
              // Hovers read the kept images and their credential lookups.
              for (const image of analysed.images.filter((_, i) => i % 97 === pick % 97)) {
                const position = document.positionAt(image.start + 1);
                assertSame(service.doHover(document, position, context), fresh.doHover(freshDocument, position, context));
              }
              // A DOCKER_AUTH_CONFIG key's hover lists the images it serves, in the document's order.
              for (const key of analysed.credentials.keys) {
                const position = document.positionAt(key.offset + 1);
                assertSame(service.doHover(document, position, context), fresh.doHover(freshDocument, position, context));
              }
            }
          }),
          { numRuns: 8, seed: 20261126 },
        );
        // Reuse is what was compared: most edits inside a job keep the rest of the analysis.
        assert.ok(incremental > steps / 2, `only ${incremental} of ${steps} edits re-analysed just the edited jobs`);
      });
    }
  }
});

/**
 * Each case edits one job in a way that changes findings elsewhere in the file: the
 * re-analysis must notice and analyse the whole document (its result equals a fresh
 * analysis), while an edit that changes nothing elsewhere re-checks only the job.
 */
describe('re-analysis of the edited jobs notices what reaches other jobs', () => {
  /** Enough plain jobs after the cases for the file to be parsed entry by entry. */
  const FILLER = Array.from({ length: 1000 }, (_, i) => `filler-${i}:\n  stage: test\n  image: alpine:3.20\n  script:\n    - make check-${i}\n`).join('\n');
  const cases: ReadonlyArray<{ name: string; text: string; from: string; to: string; reuse: boolean; runner?: boolean; dockerConfig?: string }> = [
    {
      name: 'a plain edit of a job\'s own image (reused)',
      text: 'edited:\n  image: node:20\n  script: [make]\n',
      from: 'image: node:20', to: 'image: registry.example.com/app:1', reuse: true,
    },
    {
      name: 'a job another job extends',
      text: 'edited:\n  image: node:20\n  script: [make]\nchild:\n  extends: edited\n  script: [make]\n',
      from: 'image: node:20', to: 'image: Registry.Example.com/App:1', reuse: false,
    },
    {
      name: 'a job another job `!reference`s',
      text: 'edited:\n  image: node:20\n  script: [make]\nborrower:\n  image: !reference [edited, image]\n  script: [make]\n',
      from: 'image: node:20', to: 'image: registry.example.com/app:1', reuse: false,
    },
    {
      name: 'a service alias a global URL names',
      text: 'variables:\n  DATABASE_URL: postgres://runner@db:5432/app\nedited:\n  image: node:20\n  services:\n    - name: postgres:16\n      alias: db\n  script: [make]\n',
      from: 'alias: db', to: 'alias: database', reuse: false,
    },
    {
      name: 'a variable a template\'s image uses',
      text: '.tpl:\n  image: registry.example.com:5000/$COMPONENT:1\nedited:\n  extends: .tpl\n  variables:\n    COMPONENT: api\n  script: [make]\n',
      from: 'COMPONENT: api', to: 'COMPONENT: Bad_Name', reuse: false,
    },
    {
      name: 'a per-job network for a `default:` service aliased `build`',
      text: 'default:\n  services:\n    - name: redis:7\n      alias: build\nedited:\n  image: node:20\n  variables:\n    FF_NETWORK_PER_BUILD: "false"\n  script: [make]\n',
      from: 'FF_NETWORK_PER_BUILD: "false"', to: 'FF_NETWORK_PER_BUILD: "true"', reuse: false,
    },
    {
      name: 'a job\'s own DOCKER_AUTH_CONFIG',
      text: '.tpl:\n  image: registry.example.com/tool:1\nedited:\n  extends: .tpl\n  variables:\n    DOCKER_AUTH_CONFIG: \'{"auths": {"registry.example.com": {"auth": "dTpw"}}}\'\n  script: [make]\n',
      from: '"registry.example.com": {', to: '"other.example.com": {', reuse: false,
    },
    {
      name: 'a job\'s own DOCKER_AUTH_CONFIG that only its own image is looked up with (reused)',
      text: 'edited:\n  image: registry.example.com/tool:1\n  variables:\n    DOCKER_AUTH_CONFIG: \'{"auths": {"registry.example.com": {"auth": "dTpw"}}}\'\n  script: [make]\n',
      from: '"registry.example.com": {', to: '"other.example.com": {', reuse: true,
    },
    {
      name: 'a job\'s own DOCKER_AUTH_CONFIG, the second user of a template\'s image (reused)',
      text: '.tpl:\n  image: registry.example.com/tool:1\nfirst:\n  extends: .tpl\n  script: [make]\nedited:\n  extends: .tpl\n  variables:\n    DOCKER_AUTH_CONFIG: \'{"auths": {"registry.example.com": {"auth": "dTpw"}}}\'\n  script: [make]\n',
      from: '"registry.example.com": {', to: '"other.example.com": {', reuse: true,
    },
    {
      name: 'a DOCKER_AUTH_CONFIG written into the first user of a template\'s image',
      text: '.tpl:\n  image: registry.example.com/tool:1\nedited:\n  extends: .tpl\n  variables:\n    COMPONENT: api\n  script: [make]\n',
      from: 'COMPONENT: api', to: 'DOCKER_AUTH_CONFIG: \'{"auths": {"registry.example.com": {"auth": "dTpw"}}}\'', reuse: false,
    },
    {
      name: 'an edit that moves a later job\'s DOCKER_AUTH_CONFIG (reused, its lookup refreshed)',
      text: 'edited:\n  image: node:20\n  script: [make]\nlater:\n  image: registry.example.com/app:1\n  variables:\n    DOCKER_AUTH_CONFIG: \'{"auths": {"registry.example.com:5000": {"auth": "dTpw"}}}\'\n  script: [make]\n',
      from: 'image: node:20', to: 'image: node:22-bookworm-slim', reuse: true,
    },
    {
      name: 'a script edit in the first of two jobs sharing an image hash through an alias (reused)',
      text: '.hashes:\n  image: &shared\n    name: node:20\n    pull_policy: if-not-present\n    ports: [80]\nedited:\n  image: *shared\n  script: [make]\nother:\n  image: *shared\n  script: [make]\n',
      from: 'script: [make]', to: 'script: [make, test]', reuse: true, runner: true,
    },
    {
      name: 'a job that stops using a shared image hash',
      text: '.hashes:\n  image: &shared\n    name: node:20\n    pull_policy: if-not-present\n    ports: [80]\nedited:\n  image: *shared\n  script: [make]\nother:\n  image: *shared\n  script: [make]\n',
      from: 'image: *shared', to: 'image: node:22', reuse: false, runner: true,
    },
    {
      name: 'an anchor defined and used inside the edited job (reused)',
      text: 'edited:\n  image: &own node:20\n  services:\n    - name: *own\n      alias: tool\n  script: [make]\n',
      from: 'script: [make]', to: 'script: [make, test]', reuse: true,
    },
    {
      name: 'an edit before the global DOCKER_AUTH_CONFIG whose key a fix of the edited job renames (reused, the read moved)',
      text: 'edited:\n  image: registry.example.com/app:1\n  script: [make]\nvariables:\n  DOCKER_AUTH_CONFIG: \'{"auths": {"registry.example.com:5000": {"auth": "dTpw"}}}\'\n',
      from: 'image: registry.example.com/app:1', to: 'image: registry.example.com/tool:22', reuse: true,
    },
    {
      name: 'an edit before an image whose fix renames a key in the workspace config.json (reused, that key not moved)',
      text: 'edited:\n  image: node:20\n  script: [make]\nlater:\n  image: registry.example.com/app:1\n  script: [make]\n',
      from: 'image: node:20', to: 'image: node:22-bookworm-slim', reuse: true,
      // The key far enough into config.json to be past the edit's offsets in the pipeline.
      dockerConfig: `{${' '.repeat(400)}"auths": {"registry.example.com:5000": {"auth": "dTpw"}}}`,
    },
    {
      name: 'a job that stops naming a template that does not exist (reused: only its own findings and hover change)',
      text: '.base:\n  image: node:20\nedited:\n  extends: [.base, .missing]\n  script: [make]\n',
      from: 'extends: [.base, .missing]', to: 'extends: [.base]', reuse: true,
    },
    {
      name: 'an image a runner refuses, under an alias-less service rename (reused)',
      text: 'edited:\n  image: node:20\n  services:\n    - name: postgres:16\n      alias: db\n  script: [make]\n',
      from: 'alias: db', to: 'alias: build', reuse: true, runner: true,
    },
  ];
  for (const { name, text, from, to, reuse, runner, dockerConfig } of cases) {
    test(name, () => {
      const context = makeContext({
        workspace: {
          ...(runner ? { 'file:///project/.gitlab-runner/config.toml': RUNNER_CONFIG } : {}),
          ...(dockerConfig ? { 'file:///project/.docker/config.json': dockerConfig } : {}),
        },
      });
      const original = `${text}\n${FILLER}`;
      assert.ok(original.includes(from));
      const service = new LanguageService((family, error) => {
        throw new Error(`the ${family} rules failed: ${String(error)}`);
      });
      const document = TextDocument.create(URI, 'yaml', 1, original);
      service.analyze(document, context);
      const at = original.indexOf(from);
      const edited = TextDocument.update(document, [{ range: { start: document.positionAt(at), end: document.positionAt(at + from.length) }, text: to }], 2);
      const analysed = service.analyze(edited, context);
      const fresh = new LanguageService();
      const freshDocument = TextDocument.create(URI, 'yaml', 1, edited.getText());
      assertSame(analysisShape(analysed), analysisShape(fresh.analyze(freshDocument, context)));
      // Hovers read the kept images, their credential lookups and the keys they matched; the
      // edited job's name, its effective configuration.
      const jobName = edited.getText().indexOf('\nedited:') + 2;
      for (const offset of [jobName, ...analysed.images.map((image) => image.start + 1), ...analysed.credentials.keys.map((key) => key.offset + 1)]) {
        const position = edited.positionAt(offset);
        assertSame(service.doHover(edited, position, context), fresh.doHover(freshDocument, position, context));
      }
      // The lookups kept refer to the document's sources as they are now (with their places), never a copy read before the edit.
      const current = new Set(analysed.credentials.configReads?.map((read) => read.source));
      for (const [image, credentials] of analysed.credentials.images) {
        for (const source of credentials.sources) {
          if (source.origin.kind === 'ci-variable') assert.ok(current.has(source), `the lookup of ${image.text} uses a source read before the edit`);
        }
      }
      assert.equal(service.incrementalAnalyses, reuse ? 1 : 0, reuse ? 'only the edited job was checked again' : 'the whole document was analysed again');
    });
  }
});

test('the count of jobs extending each job follows edits re-analysed job by job', () => {
  // The first edit lists `edited` once instead of twice: the same `extends` chain, so only
  // `child` is checked again, and the index of who extends whom (service/incremental.ts)
  // comes from the one before. `child` still extends `edited`, so an edit of `edited`
  // must analyse the whole document.
  const filler = Array.from({ length: 1000 }, (_, i) => `filler-${i}:\n  stage: test\n  image: alpine:3.20\n  script:\n    - make check-${i}\n`).join('\n');
  const text = `edited:\n  image: node:20\n  script: [make]\nchild:\n  extends: [edited, edited]\n  script: [make]\n\n${filler}`;
  const context = makeContext();
  const service = new LanguageService((family, error) => {
    throw new Error(`the ${family} rules failed: ${String(error)}`);
  });
  let document = TextDocument.create(URI, 'yaml', 1, text);
  service.analyze(document, context);
  const replace = (from: string, to: string) => {
    const at = document.getText().indexOf(from);
    document = TextDocument.update(document, [{ range: { start: document.positionAt(at), end: document.positionAt(at + from.length) }, text: to }], document.version + 1);
    const analysed = service.analyze(document, context);
    assertSame(analysisShape(analysed), analysisShape(new LanguageService().analyze(TextDocument.create(URI, 'yaml', 1, document.getText()), context)));
  };
  replace('extends: [edited, edited]', 'extends: [edited]');
  assert.equal(service.incrementalAnalyses, 1, 'only child was checked again');
  replace('image: node:20', 'image: Registry.Example.com/App:1');
  assert.equal(service.incrementalAnalyses, 1, 'the whole document was analysed again: child extends edited');
});

test('a burst of edits analysed once at its end re-checks only the edited job', () => {
  const { text } = PIPELINES[0]!;
  const context = makeContext();
  const service = new LanguageService();
  let document = TextDocument.create(URI, 'yaml', 1, text);
  service.analyze(document, context);
  // Typing `:22` one character at a time at the end of a job's image: three versions, one analysis.
  const at = text.indexOf('\n', text.indexOf('  image: node:20', text.length >> 1));
  for (const [i, typed] of [...':22'].entries()) {
    const position = document.positionAt(at + i);
    document = TextDocument.update(document, [{ range: { start: position, end: position }, text: typed }], document.version + 1);
  }
  const analysed = service.analyze(document, context);
  assert.equal(service.incrementalAnalyses, 1);
  assertSame(analysisShape(analysed), analysisShape(new LanguageService().analyze(TextDocument.create(URI, 'yaml', 1, document.getText()), context)));
});

test('the diagnostics an edit leaves as they were are the previous version\'s objects, the others new', () => {
  const { text } = PIPELINES[0]!;
  const context = makeContext();
  const service = new LanguageService();
  let document = TextDocument.create(URI, 'yaml', 1, text);
  let previous = service.doValidation(document, context);
  const freshDiagnostics = () => new LanguageService().doValidation(TextDocument.create(URI, 'yaml', 1, document.getText()), context);
  const imageLine = (from: number) => document.positionAt(text.indexOf('  image: ', from)).line;
  /** Edits, checks the result against a fresh analysis, and gives the lines of the diagnostics made anew. */
  const edit = (range: Range, newText: string): number[] => {
    const before = service.incrementalAnalyses;
    document = TextDocument.update(document, [{ range, text: newText }], document.version + 1);
    const diagnostics = service.doValidation(document, context);
    assert.equal(service.incrementalAnalyses, before + 1, 'the edit re-analysed only the edited job');
    assertSame(diagnostics, freshDiagnostics());
    for (const diagnostic of diagnostics) assert.ok(Object.isFrozen(diagnostic) && Object.isFrozen(diagnostic.range.start), 'diagnostics are frozen');
    const kept = new Set(previous);
    previous = diagnostics;
    return [...new Set(diagnostics.filter((diagnostic) => !kept.has(diagnostic)).map((diagnostic) => diagnostic.range.start.line))];
  };

  // Retyping an image (as bench.ts does): new diagnostics on that line only, before it and after it the same objects.
  const retyped = imageLine(text.length >> 1);
  const line = document.getText().split('\n')[retyped]!;
  assert.deepEqual(edit({ start: { line: retyped, character: 0 }, end: { line: retyped, character: line.length } }, line.replace(/image: .*/, 'image: registry.example.com/edited:1')), [retyped]);

  // The same version asked again: all the same objects.
  assert.deepEqual(service.doValidation(document, context), previous);
  assert.ok(service.doValidation(document, context).every((diagnostic, i) => diagnostic === previous[i]));

  // A line typed into a job moves everything after it down: those are new, those before it kept.
  const inserted = imageLine(text.length >> 2);
  const newLines = edit({ start: { line: inserted, character: 0 }, end: { line: inserted, character: 0 } }, '    # a comment typed in the job\n');
  assert.ok(newLines.length > 0 && newLines.every((at) => at > inserted), `new diagnostics on lines ${newLines.slice(0, 5).join(', ')}…, after line ${inserted}`);
  assert.ok(previous.some((diagnostic) => diagnostic.range.start.line < inserted), 'diagnostics before the typed line were compared');

  // And typed back out: the lines after it are where they were, as new objects again.
  const removed = edit({ start: { line: inserted, character: 0 }, end: { line: inserted + 1, character: 0 } }, '');
  assert.ok(removed.length > 0 && removed.every((at) => at >= inserted));
});

test('a version whose text is the analysed one (a keystroke typed and deleted) keeps the analysis', () => {
  const { text } = PIPELINES[0]!;
  const context = makeContext();
  const service = new LanguageService();
  let document = TextDocument.create(URI, 'yaml', 1, text);
  const analysed = service.analyze(document, context);
  const at = document.positionAt(text.indexOf('  image: node:20', text.length >> 1) + '  image: node:20'.length);
  document = TextDocument.update(document, [{ range: { start: at, end: at }, text: '-' }], 2);
  document = TextDocument.update(document, [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '' }], 3);
  assert.equal(document.getText(), text);
  assert.equal(service.analyze(document, context), analysed, 'the same analysis, not a new one');
  // And the next real edit still takes the incremental path from it.
  document = TextDocument.update(document, [{ range: { start: at, end: at }, text: '-alpine' }], 4);
  const edited = service.analyze(document, context);
  assert.equal(service.incrementalAnalyses, 1);
  assertSame(analysisShape(edited), analysisShape(new LanguageService().analyze(TextDocument.create(URI, 'yaml', 1, document.getText()), context)));
});

test('a small pipeline parsed in chunks (as the warm-up does) gives what a whole parse gives, edit after edit', () => {
  const context = makeContext({ workspace: { 'file:///project/.gitlab-runner/config.toml': RUNNER_CONFIG } });
  const text = generatePipeline({ jobs: 40, anchors: true, seed: 5 });
  const service = new LanguageService(undefined, { chunkedFrom: 0 });
  let document = TextDocument.create(URI, 'yaml', 1, text);
  service.analyze(document, context);
  let edits = 0;
  for (let pick = 0; pick < 40; pick++) {
    const lines = document.getText().split('\n');
    const at = lines.findIndex((line, i) => i >= (pick * 37) % lines.length && JOB_EDITS[pick % JOB_EDITS.length]!(line, pick) !== undefined);
    if (at === -1) continue;
    const range = { start: { line: at, character: 0 }, end: { line: at, character: lines[at]!.length } };
    document = TextDocument.update(document, [{ range, text: JOB_EDITS[pick % JOB_EDITS.length]!(lines[at]!, pick)! }], document.version + 1);
    edits++;
    const fresh = new LanguageService().analyze(TextDocument.create(URI, 'yaml', 1, document.getText()), context);
    assertSame(analysisShape(service.analyze(document, context)), analysisShape(fresh));
  }
  assert.ok(edits > 20 && service.incrementalAnalyses > edits / 3, `${service.incrementalAnalyses} of ${edits} edits re-analysed just the edited jobs`);
});

describe('placesKeptBy: which kept findings are on the line and column they were', () => {
  // The edited text is whole entries, from a line start to a line start (updateYamlModel).
  const before = 'a:\n  x: 1\nb:\n  y: 2\nc:\n  z: 3\n';
  const from = before.indexOf('b:');
  const oldTo = before.indexOf('c:');
  const edit = (after: string): YamlModelEdit => ({ from, oldTo, newTo: after.indexOf('c:'), delta: after.length - before.length, removed: undefined!, added: undefined! });
  const at = (offset: number, related?: Finding['related']): Finding => ({ code: 'image/not-pinned', offset, length: 1, message: 'm', ...(related ? { related } : {}) });

  test('an edit inside a line keeps every place, after the edit too', () => {
    const after = before.replace('y: 2', 'y: 22');
    const kept = placesKeptBy(edit(after), before, after);
    assert.equal(kept(at(after.indexOf('z'))), true);
    assert.equal(kept(at(0)), true);
  });

  test('an edit that adds or removes a line, `\\r\\n` or a lone `\\r` among them, keeps only what ends before it', () => {
    for (const inserted of ['\n', '\r\n', '\r']) {
      const after = before.replace('  y: 2\n', `  y: 2${inserted}  w: 4\n`);
      const kept = placesKeptBy(edit(after), before, after);
      assert.equal(kept(at(0)), true, JSON.stringify(inserted));
      assert.equal(kept(at(after.indexOf('z'))), false, JSON.stringify(inserted));
      // Before the edit itself, but with a related place after it.
      assert.equal(kept(at(0, [{ offset: after.indexOf('z'), length: 1, message: 'there' }])), false, JSON.stringify(inserted));
    }
    // `\r\n` in place of `\n` is the same line count: everything is kept.
    const crlf = before.replace('  y: 2\n', '  y: 2\r\n');
    assert.equal(placesKeptBy(edit(crlf), before, crlf)(at(crlf.indexOf('z'))), true);
  });
});
