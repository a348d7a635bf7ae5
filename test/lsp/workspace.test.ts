/**
 * Cross-file analysis through the real server process: runner `config.toml` files in
 * the workspace folder (scanned from disk at `initialized`, updated by
 * `workspace/didChangeWatchedFiles`, or open in the editor) define variables and
 * pull policies that the open `.gitlab-ci.yml` sees.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { FullDocumentDiagnosticReport, MarkupContent } from 'vscode-languageserver';
import {
  expected,
  positionIn,
  rangeOf,
  Session,
  Severity,
  summarize,
  uriOf,
  useTempWorkspace,
  writeTextFile,
  type DiagnosticSummary,
} from './harness';

const FileChangeType = { Created: 1, Changed: 2, Deleted: 3 } as const;

const RUNNER_WITH_IMAGE = '[[runners]]\n  name = "docker"\n  executor = "docker"\n  environment = ["RUNNER_IMAGE=ruby"]\n';
const RUNNER_WITHOUT_IMAGE = '[[runners]]\n  name = "docker"\n  executor = "docker"\n  environment = ["OTHER=1"]\n';
const PIPELINE = 'build:\n  image: $RUNNER_IMAGE:3.3\n  script: [x]\n';

/** `$RUNNER_IMAGE` defined: only the tag is unpinned. */
const DEFINED: DiagnosticSummary[] = [expected('image/not-pinned', rangeOf(PIPELINE, '3.3'), Severity.Information)];
/** `$RUNNER_IMAGE` undefined: the runner would pull `:3.3`. */
const UNDEFINED: DiagnosticSummary[] = [expected('image/undefined-variable', rangeOf(PIPELINE, '$RUNNER_IMAGE'), Severity.Warning)];

const workspace = useTempWorkspace('pullguard-lsp-workspace-');

interface Project {
  readonly root: string;
  readonly toml: string;
  readonly tomlUri: string;
  readonly ciUri: string;
}

/** A fresh workspace folder; the runner config at `tomlPath` (relative) when `runnerConfig` is given. */
function project(runnerConfig: string | undefined, tomlPath = 'gitlab-runner/config.toml'): Project {
  const root = workspace.next();
  const toml = join(root, tomlPath);
  if (runnerConfig !== undefined) writeTextFile(toml, runnerConfig);
  return { root, toml, tomlUri: uriOf(toml), ciUri: uriOf(join(root, '.gitlab-ci.yml')) };
}

async function openPipeline(session: Session, p: Project): Promise<DiagnosticSummary[]> {
  session.open(p.ciUri, PIPELINE);
  return summarize((await session.waitForCurrent(p.ciUri)).diagnostics);
}

/** Runs `action` and waits until the pipeline is published with `expected` diagnostics. */
function expectRepublished(session: Session, p: Project, action: () => void, expected: DiagnosticSummary[], why: string, timeoutMs?: number): Promise<void> {
  return session.expectRepublished(p.ciUri, action, expected, why, { timeoutMs });
}

function watchedFileChanged(session: Session, uri: string, type: number): void {
  session.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type }] });
}

describe('runner config.toml on disk', () => {
  test('defines $RUNNER_IMAGE for the pipeline; rewriting it without the variable and reporting the change brings image/undefined-variable', async () => {
    const p = project(RUNNER_WITH_IMAGE);
    const session = await Session.start({ root: p.root });
    assert.deepEqual(await openPipeline(session, p), DEFINED);

    writeFileSync(p.toml, RUNNER_WITHOUT_IMAGE);
    await expectRepublished(session, p, () => watchedFileChanged(session, p.tomlUri, FileChangeType.Changed), UNDEFINED, 'the runner config lost the variable');

    writeFileSync(p.toml, RUNNER_WITH_IMAGE);
    await expectRepublished(session, p, () => watchedFileChanged(session, p.tomlUri, FileChangeType.Changed), DEFINED, 'the variable came back');
    assert.equal(await session.stop(), 0);
  });

  test('brings image/undefined-variable when the runner config.toml is deleted', async () => {
    const p = project(RUNNER_WITH_IMAGE);
    const session = await Session.start({ root: p.root });
    assert.deepEqual(await openPipeline(session, p), DEFINED);
    rmSync(p.toml);
    await expectRepublished(session, p, () => watchedFileChanged(session, p.tomlUri, FileChangeType.Deleted), UNDEFINED, 'the runner config was deleted');
    assert.equal(await session.stop(), 0);
  });

  test('reads a reported config.toml again once its write is over: a change reported mid-write is not the last word', async () => {
    const p = project(RUNNER_WITH_IMAGE);
    const session = await Session.start({ root: p.root });
    assert.deepEqual(await openPipeline(session, p), DEFINED);
    // Reported while written in place, truncated, and read so (the variable is gone)...
    writeFileSync(p.toml, '');
    await expectRepublished(session, p, () => watchedFileChanged(session, p.tomlUri, FileChangeType.Changed), UNDEFINED, 'a read of the truncated file');
    // ...then the rest of the write, which the watcher does not report again.
    await expectRepublished(session, p, () => writeFileSync(p.toml, RUNNER_WITH_IMAGE), DEFINED, 'the rest of the write, unreported');
    // Both reads are in the log: diagnostics that change without an edit are explained there.
    assert.equal(session.logMessages.filter((m) => m.message === `Pullguard: ${p.tomlUri} changed on disk; the open files are checked again.`).length, 2);
    // Once the file stays as it is, it is not read into a re-publish again.
    const mark = session.mark();
    await session.quiet(1500);
    assert.deepEqual(session.publishedFor(p.ciUri, mark), []);
    assert.equal(await session.stop(), 0);
  });

  test('reads a runner config.toml created after start up when its creation is reported', async () => {
    const p = project(undefined);
    const session = await Session.start({ root: p.root });
    assert.deepEqual(await openPipeline(session, p), UNDEFINED);
    writeTextFile(p.toml, RUNNER_WITH_IMAGE);
    await expectRepublished(session, p, () => watchedFileChanged(session, p.tomlUri, FileChangeType.Created), DEFINED, 'the runner config was created');
    assert.equal(await session.stop(), 0);
  });

  test('finds a config.toml with [[runners]] in any sub-folder at start up', async () => {
    const p = project(RUNNER_WITH_IMAGE, 'ops/runners/prod/config.toml');
    const session = await Session.start({ root: p.root });
    assert.deepEqual(await openPipeline(session, p), DEFINED);
    assert.equal(await session.stop(), 0);
  });

  test('does not scan node_modules for runner configs', async () => {
    const p = project(RUNNER_WITH_IMAGE, 'node_modules/some-package/gitlab-runner/config.toml');
    const session = await Session.start({ root: p.root });
    assert.deepEqual(await openPipeline(session, p), UNDEFINED);
    assert.equal(await session.stop(), 0);
  });

  test('shows the pull policy of the workspace runner in the hover of a pipeline image', async () => {
    const p = project('[[runners]]\n  executor = "docker"\n  [runners.docker]\n    pull_policy = "if-not-present"\n');
    const session = await Session.start({ root: p.root });
    const text = 'build:\n  image: alpine:3.20\n  script: [x]\n';
    session.open(p.ciUri, text);
    const hover = await session.hover(p.ciUri, positionIn(text, 'alpine:3.20'));
    assert.ok(hover, 'a hover on the image');
    assert.match((hover.contents as MarkupContent).value, /^\| Pull policy \| `if-not-present` \(from the runner `config\.toml` in this workspace\) \|$/m);
    assert.equal(await session.stop(), 0);
  });

  test('pull mode: a reported disk change makes the server ask for a refresh, and the next pull sees it', async () => {
    const p = project(RUNNER_WITH_IMAGE);
    const session = await Session.start({ root: p.root, pull: true });
    session.open(p.ciUri, PIPELINE);
    assert.deepEqual(summarize(((await session.pull(p.ciUri)) as FullDocumentDiagnosticReport).items), DEFINED);
    const seen = session.refreshRequests;
    writeFileSync(p.toml, RUNNER_WITHOUT_IMAGE);
    watchedFileChanged(session, p.tomlUri, FileChangeType.Changed);
    await session.waitForRefresh(seen);
    assert.deepEqual(summarize(((await session.pull(p.ciUri)) as FullDocumentDiagnosticReport).items), UNDEFINED);
    assert.equal(await session.stop(), 0);
  });

  test('pull mode: a refresh the editor refuses is said in the log, and the next pull still sees the change', async () => {
    const p = project(RUNNER_WITH_IMAGE);
    const session = await Session.start({ root: p.root, pull: true });
    session.open(p.ciUri, PIPELINE);
    assert.deepEqual(summarize(((await session.pull(p.ciUri)) as FullDocumentDiagnosticReport).items), DEFINED);
    session.refreshAnswer = 'error';
    const seen = session.refreshRequests;
    writeFileSync(p.toml, RUNNER_WITHOUT_IMAGE);
    watchedFileChanged(session, p.tomlUri, FileChangeType.Changed);
    await session.waitForRefresh(seen);
    await session.waitUntil(() => session.logMessages.find((m) => m.type === 1 && m.message.startsWith('Pullguard: the editor did not take the request to pull diagnostics again: ')),
      'the refused refresh in the log', undefined, () => JSON.stringify(session.logMessages.map((m) => m.message)));
    assert.deepEqual(summarize(((await session.pull(p.ciUri)) as FullDocumentDiagnosticReport).items), UNDEFINED);
    assert.equal(await session.stop(), 0);
  });
});

describe('runner config.toml open in the editor', () => {
  test('edits to the open config.toml update the pipeline diagnostics without any disk change', async () => {
    const p = project(RUNNER_WITH_IMAGE);
    const session = await Session.start({ root: p.root });
    assert.deepEqual(await openPipeline(session, p), DEFINED);
    session.open(p.tomlUri, RUNNER_WITH_IMAGE, 'toml');
    await session.waitForCurrent(p.tomlUri);

    await expectRepublished(session, p, () => session.replace(p.tomlUri, 'RUNNER_IMAGE=ruby', 'OTHER=1'), UNDEFINED, 'editing the open config.toml');

    await expectRepublished(session, p, () => session.replace(p.tomlUri, 'OTHER=1', 'RUNNER_IMAGE=ruby'), DEFINED, 'editing the variable back');
    assert.equal(await session.stop(), 0);
  });

  test('a config.toml opened in the editor but absent from disk defines the variable', async () => {
    const p = project(undefined);
    const session = await Session.start({ root: p.root });
    assert.deepEqual(await openPipeline(session, p), UNDEFINED);
    await expectRepublished(session, p, () => session.open(p.tomlUri, RUNNER_WITH_IMAGE, 'toml'), DEFINED, 'opening an unsaved config.toml');
    assert.equal(await session.stop(), 0);
  });

  test('closing a config.toml with unsaved edits re-publishes the pipeline with what the disk says', async () => {
    const p = project(RUNNER_WITH_IMAGE);
    const session = await Session.start({ root: p.root });
    assert.deepEqual(await openPipeline(session, p), DEFINED);
    session.open(p.tomlUri, RUNNER_WITH_IMAGE, 'toml');
    await expectRepublished(session, p, () => session.replace(p.tomlUri, 'RUNNER_IMAGE=ruby', 'OTHER=1'), UNDEFINED, 'an unsaved edit');
    await expectRepublished(session, p, () => session.close(p.tomlUri), DEFINED, 'closing the edited config.toml', 5_000);
    assert.equal(await session.stop(), 0);
  });

  test('pull mode: an edit of the open config.toml that the editor never pulls still makes the server ask for a refresh', async () => {
    // VS Code pulls only the documents shown in tabs: a config.toml opened by an
    // extension, or in a closed tab, is synchronized but never pulled.
    const p = project(RUNNER_WITH_IMAGE);
    const session = await Session.start({ root: p.root, pull: true });
    session.open(p.ciUri, PIPELINE);
    assert.deepEqual(summarize(((await session.pull(p.ciUri)) as FullDocumentDiagnosticReport).items), DEFINED);
    session.open(p.tomlUri, RUNNER_WITH_IMAGE, 'toml');
    await session.quiet(300);
    const seen = session.refreshRequests;
    session.replace(p.tomlUri, 'RUNNER_IMAGE=ruby', 'OTHER=1');
    await session.waitForRefresh(seen);
    assert.deepEqual(summarize(((await session.pull(p.ciUri)) as FullDocumentDiagnosticReport).items), UNDEFINED);
    assert.equal(await session.stop(), 0);
  });

  test('closed before its settings came, its editor text does not come back over a later change on disk', async () => {
    // The server asks for an opened document's settings before it records the editor's text
    // in the workspace index. Closed meanwhile, and changed on disk, the file must count as
    // the disk has it, also once the late answer arrives.
    const p = project(RUNNER_WITH_IMAGE);
    const session = await Session.start({ root: p.root });
    assert.deepEqual(await openPipeline(session, p), DEFINED);
    session.configurationDelayMs = 300;
    await expectRepublished(session, p, () => {
      session.open(p.tomlUri, RUNNER_WITH_IMAGE, 'toml');
      session.close(p.tomlUri);
      writeFileSync(p.toml, RUNNER_WITHOUT_IMAGE);
      watchedFileChanged(session, p.tomlUri, FileChangeType.Changed);
    }, UNDEFINED, 'the config.toml changed on disk after it was closed');
    const mark = session.mark();
    await session.quiet(700); // past the late settings answer
    const since = session.publishedFor(p.ciUri, mark).map((published) => summarize(published.diagnostics));
    assert.ok(since.every((d) => JSON.stringify(d) === JSON.stringify(UNDEFINED)), `published after the late answer: ${JSON.stringify(since)}`);
    assert.equal(await session.stop(), 0);
  });

  test('ignores a disk change reported for a config.toml that is open: the editor text wins', async () => {
    const p = project(RUNNER_WITH_IMAGE);
    const session = await Session.start({ root: p.root });
    assert.deepEqual(await openPipeline(session, p), DEFINED);
    session.open(p.tomlUri, RUNNER_WITH_IMAGE, 'toml');
    await session.waitForCurrent(p.tomlUri);
    const mark = session.mark();
    writeFileSync(p.toml, RUNNER_WITHOUT_IMAGE);
    watchedFileChanged(session, p.tomlUri, FileChangeType.Changed);
    await session.quiet(400);
    const since = session.publishedFor(p.ciUri, mark).map((x) => summarize(x.diagnostics));
    assert.ok(since.every((d) => JSON.stringify(d) === JSON.stringify(DEFINED)), `published after the disk change: ${JSON.stringify(since)}`);
    // The server is not just asleep: an edit to the open file still counts.
    await expectRepublished(session, p, () => session.replace(p.tomlUri, 'RUNNER_IMAGE=ruby', 'OTHER=1'), UNDEFINED, 'editing the open config.toml');
    assert.equal(await session.stop(), 0);
  });
});

describe('workspace roots', () => {
  test('scans the legacy rootUri when the client sends no workspace folders', async () => {
    const p = project(RUNNER_WITH_IMAGE);
    const session = await Session.start({ root: p.root, rootUriOnly: true });
    assert.deepEqual(await openPipeline(session, p), DEFINED);
    assert.equal(await session.stop(), 0);
  });
});

describe('runner configs at paths named by pullguard.files.runnerConfig', () => {
  const custom = { files: { runnerConfig: ['**/ci-runners/*.toml'] } };

  test('reads them from disk with settings from initializationOptions', async () => {
    const p = project(RUNNER_WITH_IMAGE, 'ci-runners/prod.toml');
    const session = await Session.start({ root: p.root, configuration: false, initializationOptions: { settings: custom } });
    assert.deepEqual(await openPipeline(session, p), DEFINED);
    assert.equal(await session.stop(), 0);
  });

  test('reads them from disk with settings from workspace/configuration', async () => {
    const p = project(RUNNER_WITH_IMAGE, 'ci-runners/prod.toml');
    const session = await Session.start({ root: p.root, settings: custom });
    assert.deepEqual(await openPipeline(session, p), DEFINED);
    assert.equal(await session.stop(), 0);
  });
});
