/**
 * The language service returns the list of diagnostics it returned before when nothing
 * in it changed, and keeps an analysis over a workspace change the document does not
 * read: the server then answers a pull `unchanged` and does not publish a version twice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LanguageService, type AnalysisContext } from '../../server/src/service/languageService';
import { WorkspaceIndex } from '../../server/src/service/model/workspace';
import { parseDocumentAs } from '../../server/src/service/parsedDocument';
import { DEFAULT_SETTINGS } from '../../server/src/service/settings';
import { FILE_NAMES, makeContext } from '../helpers/analyze';

const PIPELINE = 'build:\n  image: node:20\n  script:\n    - make\n';
const RUNNER_CONFIG = '[[runners]]\n  name = "docker"\n  executor = "docker"\n  [runners.docker]\n    image = "alpine:3.20"\n';
const OTHER_RUNNER_CONFIG = '[[runners]]\n  name = "other"\n  executor = "docker"\n  environment = ["RUNNER_IMAGE=ruby"]\n';
const DOCKER_CONFIG = '{"auths": {"registry.example.com": {"auth": "dXNlcjpwYXNz"}}}';
const OTHER_DOCKER_URI = 'file:///project/other/.docker/config.json';
const OTHER_RUNNER_URI = 'file:///project/other/config.toml';

/** A context with the settings of `base` (the server keeps one settings object until they change) and these other files. */
function withFiles(base: AnalysisContext, files: Readonly<Record<string, string>>): AnalysisContext {
  return { settings: base.settings, workspace: makeContext({ workspace: files }).workspace };
}

function edit(document: TextDocument, from: string, to: string): TextDocument {
  const at = document.getText().indexOf(from);
  assert.ok(at >= 0, `${from} is in the document`);
  return TextDocument.update(document, [{ range: { start: document.positionAt(at), end: document.positionAt(at + from.length) }, text: to }], document.version + 1);
}

test('an edit that changes no diagnostic gives the same frozen list; one that changes one gives a new list', () => {
  const service = new LanguageService();
  const context = makeContext();
  let document = TextDocument.create(FILE_NAMES['gitlab-ci'], 'yaml', 1, PIPELINE);
  const first = service.doValidation(document, context);
  assert.ok(first.length > 0 && Object.isFrozen(first));
  assert.equal(service.doValidation(document, context), first, 'the same version asked again');

  document = edit(document, '- make', '- make test');
  assert.equal(service.doValidation(document, context), first, 'typing in a script');

  document = edit(document, 'node:20', 'node:22');
  const changed = service.doValidation(document, context);
  assert.notEqual(changed, first);
  assert.match(changed.map((d) => d.message).join('\n'), /node:22/);
});

test('a change that keeps the version number (LSP forbids it) is still analysed: the text decides, not the number', () => {
  const service = new LanguageService();
  const context = makeContext();
  const document = TextDocument.create(FILE_NAMES['gitlab-ci'], 'yaml', 5, PIPELINE);
  assert.match(service.doValidation(document, context).map((d) => d.message).join('\n'), /node:20/);
  // As the server's documents apply a client's change: the same object, a new text, the same version.
  TextDocument.update(document, [{ text: PIPELINE.replace('node:20', 'node:22') }], 5);
  const changed = service.doValidation(document, context);
  assert.match(changed.map((d) => d.message).join('\n'), /node:22/);
  assert.doesNotMatch(changed.map((d) => d.message).join('\n'), /node:20/);
});

test('a config.json keeps its analysis and list when runner configs come and go', () => {
  const service = new LanguageService();
  const document = TextDocument.create(FILE_NAMES['docker-config'], 'json', 1, '{"credsStore": "desktop", "auths": {}}');
  const before = makeContext();
  const list = service.doValidation(document, before);
  const analysis = service.analyze(document, before);
  const after = withFiles(before, { [OTHER_RUNNER_URI]: OTHER_RUNNER_CONFIG, [OTHER_DOCKER_URI]: DOCKER_CONFIG });
  assert.equal(service.analyze(document, after), analysis);
  assert.equal(service.doValidation(document, after), list);
  // Other settings are read: a macOS runner has the desktop store the Linux one lacks.
  const macos = { settings: makeContext({ settings: { runner: { platform: 'macos' } } }).settings, workspace: after.workspace };
  assert.notEqual(service.analyze(document, macos), analysis, 'other settings: analysed again');
  assert.ok(list.some((d) => d.code === 'auth/helper-unavailable'));
  assert.ok(!service.doValidation(document, macos).some((d) => d.code === 'auth/helper-unavailable'));
});

test('a config.toml is analysed again when a Docker config changes, not when another runner config does', () => {
  const service = new LanguageService();
  const document = TextDocument.create(FILE_NAMES['runner-config'], 'toml', 1, RUNNER_CONFIG);
  const before = makeContext();
  const list = service.doValidation(document, before);
  const analysis = service.analyze(document, before);

  const withRunner = withFiles(before, { [OTHER_RUNNER_URI]: OTHER_RUNNER_CONFIG });
  assert.equal(service.analyze(document, withRunner), analysis, 'another runner config: the analysis holds');
  assert.equal(service.doValidation(document, withRunner), list);

  // The runner user's credentials: a new lookup, the same diagnostics (alpine is on Docker Hub).
  const withDocker = withFiles(before, { [OTHER_DOCKER_URI]: DOCKER_CONFIG });
  assert.notEqual(service.analyze(document, withDocker), analysis, 'a Docker config: analysed again');
  assert.equal(service.doValidation(document, withDocker), list, 'with nothing it shows changed, the same list');
});

test('a pipeline is analysed again when a runner config comes, and its list changes with what it shows', () => {
  const service = new LanguageService();
  const document = TextDocument.create(FILE_NAMES['gitlab-ci'], 'yaml', 1, 'build:\n  image: $RUNNER_IMAGE:3.3\n  script: [make]\n');
  const before = makeContext();
  const list = service.doValidation(document, before);
  assert.ok(list.some((d) => d.code === 'image/undefined-variable'));
  const after = withFiles(before, { [OTHER_RUNNER_URI]: OTHER_RUNNER_CONFIG });
  const again = service.doValidation(document, after);
  assert.notEqual(again, list);
  assert.ok(!again.some((d) => d.code === 'image/undefined-variable'), 'the runner defines $RUNNER_IMAGE');
});

test('the workspace index: a runner config recorded again with the same text changes nothing, another text does', () => {
  const index = new WorkspaceIndex(['/project']);
  const uri = FILE_NAMES['runner-config'];
  assert.equal(index.setFile(uri, RUNNER_CONFIG, DEFAULT_SETTINGS), true);
  const view = index.view();
  assert.equal(index.setFile(uri, RUNNER_CONFIG, DEFAULT_SETTINGS), false, 'read from disk again');
  assert.equal(index.setOpenDocument(uri, RUNNER_CONFIG, parseDocumentAs('runner-config', RUNNER_CONFIG), DEFAULT_SETTINGS), false, 'opened in the editor with the same text');
  assert.equal(index.view(), view, 'the same view: no document is analysed again');
  assert.equal(index.setFile(uri, OTHER_RUNNER_CONFIG, DEFAULT_SETTINGS), true);
  assert.notEqual(index.view(), view);
});

test('an analysis kept over a workspace change does not keep the workspace view it was made in', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const service = new LanguageService();
  const document = TextDocument.create(FILE_NAMES['docker-config'], 'json', 1, DOCKER_CONFIG);
  const base = makeContext();
  // The view a pipeline open beside the config was part of (a large one holds its model).
  let before: AnalysisContext | undefined = withFiles(base, { [OTHER_RUNNER_URI]: OTHER_RUNNER_CONFIG });
  const oldView = new WeakRef(before.workspace);
  const list = service.doValidation(document, before);
  before = undefined;
  const after = withFiles(base, { [OTHER_DOCKER_URI]: DOCKER_CONFIG });
  assert.equal(service.doValidation(document, after), list);
  // A WeakRef's target is kept until the current job ends.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  gc();
  assert.equal(oldView.deref(), undefined, 'the old view was collected');
});

test('a runner config opened as it is on disk is not parsed again: the workspace index\'s parse is the analysis\'s, with the same diagnostics', () => {
  const uri = FILE_NAMES['runner-config'];
  const context = makeContext({ workspace: { [uri]: RUNNER_CONFIG } });
  const fromDisk = context.workspace.runnerConfigs.find((config) => config.uri === uri)!.model;
  const service = new LanguageService();
  const opened = TextDocument.create(uri, 'toml', 1, RUNNER_CONFIG);
  const parsed = service.getParsed(opened, context);
  assert.equal(parsed.kind === 'runner-config' && parsed.runner, fromDisk, 'the index\'s model');
  const alone = new LanguageService().doValidation(TextDocument.create(uri, 'toml', 1, RUNNER_CONFIG), { settings: context.settings, workspace: makeContext().workspace });
  assert.ok(alone.length > 0, 'the config has findings to compare');
  assert.deepEqual(service.doValidation(opened, context), alone);

  // Another text (unsaved changes), or the same text at another path: parsed anew.
  const changed = TextDocument.create(uri, 'toml', 1, RUNNER_CONFIG.replace('alpine:3.20', 'alpine:3.21'));
  const changedParse = new LanguageService().getParsed(changed, context);
  assert.ok(changedParse.kind === 'runner-config' && changedParse.runner !== fromDisk && changedParse.runner.text === changed.getText());
  const elsewhere = TextDocument.create(OTHER_RUNNER_URI, 'toml', 1, RUNNER_CONFIG);
  const elsewhereParse = new LanguageService().getParsed(elsewhere, context);
  assert.ok(elsewhereParse.kind === 'runner-config' && elsewhereParse.runner !== fromDisk);
});
