/**
 * The server's life cycle over stdio: what `initialize` answers, what it registers
 * after `initialized`, and how it exits.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { expected, rangeOf, Session, Severity, summarize, uriOf, useTempWorkspace, within } from './harness';

const workspace = useTempWorkspace('pullguard-lsp-lifecycle-');

describe('initialize', () => {
  test('answers with incremental sync, hover, and its name', async () => {
    const session = await Session.start({ root: workspace.folder('init') });
    const result = session.initializeResult!;
    assert.equal(result.serverInfo?.name, 'pullguard');
    assert.equal(result.capabilities.textDocumentSync, 2);
    assert.equal(result.capabilities.hoverProvider, true);
    assert.equal(await session.stop(), 0);
  });

  test('registers a watcher for YAML, TOML and JSON files and, with workspace/configuration, for settings changes', async () => {
    const session = await Session.start({ root: workspace.folder('registrations') });
    await session.waitUntil(
      () => (session.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles') ? true : undefined),
      'the registration of workspace/didChangeWatchedFiles',
    );
    const watcher = session.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles')!;
    assert.deepEqual(watcher.registerOptions, { watchers: [{ globPattern: '**/*.{yml,yaml,toml,json}' }] });
    await session.waitUntil(
      () => (session.registrations.some((r) => r.method === 'workspace/didChangeConfiguration') ? true : undefined),
      'the registration of workspace/didChangeConfiguration',
    );
    const configuration = session.registrations.find((r) => r.method === 'workspace/didChangeConfiguration')!;
    assert.deepEqual(configuration.registerOptions, { section: 'pullguard' });
    assert.equal(await session.stop(), 0);
  });

  test('works without any workspace folder', async () => {
    const session = await Session.start({});
    const text = 'build:\n  image: redis\n';
    const uri = uriOf(join(workspace.folder('no-folder'), '.gitlab-ci.yml'));
    session.open(uri, text);
    const published = await session.waitForCurrent(uri);
    assert.deepEqual(summarize(published.diagnostics), [expected('image/latest-tag', rangeOf(text, 'redis'), Severity.Warning)]);
    assert.equal(await session.stop(), 0);
  });

  test('works when the workspace folder does not exist on disk', async () => {
    const missing = join(workspace.root, 'does-not-exist');
    const session = await Session.start({ root: missing });
    const text = 'build:\n  image: Redis:1\n';
    const uri = uriOf(join(missing, '.gitlab-ci.yml'));
    session.open(uri, text);
    const published = await session.waitForCurrent(uri);
    assert.deepEqual(summarize(published.diagnostics), [expected('image/uppercase-repository', rangeOf(text, 'Redis'), Severity.Error)]);
    assert.equal(await session.stop(), 0);
  });
});

describe('warm-up', () => {
  test('a server whose pipeline came with the start warms up once it is idle, and the pipeline reads the same after it', async () => {
    const root = workspace.folder('warm-up');
    const session = await Session.start({ root });
    const text = 'build:\n  image: redis\n';
    const uri = uriOf(join(root, '.gitlab-ci.yml'));
    session.open(uri, text);
    assert.deepEqual(summarize((await session.waitForCurrent(uri)).diagnostics), [expected('image/latest-tag', rangeOf(text, 'redis'), Severity.Warning)]);
    // Before this was done idle, a document open from the start meant no warm-up at all; and
    // the warm-up that had begun stopped for good at the first document. Now it runs its
    // rounds whenever the server is idle (server/src/service/warmUp.ts).
    // Its 40 rounds, or fewer on a machine slow enough that its second of analyses runs out first.
    const done = await session.waitUntil(() => session.logMessages.find((m) => m.message.startsWith('Pullguard: warm-up done: ')),
      'the end of the warm-up in the log', 30_000, () => JSON.stringify(session.logMessages.map((m) => m.message)));
    const rounds = Number(/^Pullguard: warm-up done: (\d+) rounds /.exec(done.message)?.[1]);
    assert.ok(rounds >= 1 && rounds <= 40, done.message);
    // The warm-up analyses its own pipeline in a service of its own: the user's file is untouched.
    const edited = session.replace(uri, 'redis', 'Redis:1');
    const published = await session.waitForCurrent(uri);
    assert.equal(published.version, edited);
    assert.deepEqual(summarize(published.diagnostics), [expected('image/uppercase-repository', rangeOf(session.text(uri), 'Redis'), Severity.Error)]);
    assert.equal(await session.stop(), 0);
  });
});

describe('warm-up on the workspace\'s pipelines', () => {
  test('a server left idle analyses the small pipelines on disk nearest the root after its own rounds, and a pipeline opened then reads as in any server', async () => {
    const root = workspace.folder('warm-up-workspace');
    const text = 'build:\n  image: redis\n';
    writeFileSync(join(root, '.gitlab-ci.yml'), text);
    // The three pipelines nearest the root are taken (the root's, a/ and b/), and of them only
    // those under the warm-up's length limit (64 KB): a/'s 2,000 jobs are not analysed, nor c/.
    const jobs = Array.from({ length: 2000 }, (_, i) => `job-${i}:\n  image: alpine:3.20\n  script: [make]\n`).join('');
    for (const [folder, content] of [['a', jobs], ['b', text], ['c', text]]) {
      mkdirSync(join(root, folder!));
      writeFileSync(join(root, folder!, '.gitlab-ci.yml'), content!);
    }
    const session = await Session.start({ root });
    const done = await session.waitUntil(() => session.logMessages.find((m) => m.message.startsWith('Pullguard: warm-up done: ')),
      'the end of the warm-up in the log', 30_000, () => JSON.stringify(session.logMessages.map((m) => m.message)));
    // The root's and b/'s, WORKSPACE_PIPELINE_ANALYSES (10) times each.
    assert.match(done.message, /^Pullguard: warm-up done: \d+ rounds on a small built-in pipeline and 20 analyses of the workspace's pipelines, run while the server was idle\.$/);
    const uri = uriOf(join(root, '.gitlab-ci.yml'));
    session.open(uri, text);
    assert.deepEqual(summarize((await session.waitForCurrent(uri)).diagnostics), [expected('image/latest-tag', rangeOf(text, 'redis'), Severity.Warning)]);
    assert.deepEqual(session.errorLogs(), []);
    assert.equal(await session.stop(), 0);
  });
});

describe('shutdown and exit', () => {
  test('answers shutdown with null and exits with code 0 after exit', async () => {
    const session = await Session.start({ root: workspace.folder('shutdown') });
    const uri = uriOf(join(workspace.root, 'shutdown', '.gitlab-ci.yml'));
    session.open(uri, 'build:\n  image: redis\n');
    await session.waitForCurrent(uri);
    assert.equal(await session.client.request('shutdown'), null);
    session.client.notify('exit');
    const code = await within(session.stop(), 10_000, 'the server did not exit after shutdown + exit');
    assert.equal(code, 0);
    assert.equal(session.isAlive(), false);
  });

  test('exits with code 1 when exit comes without shutdown', async () => {
    const session = await Session.start({ root: workspace.folder('exit') });
    session.client.notify('exit');
    const deadline = Date.now() + 10_000;
    while (session.isAlive() && Date.now() < deadline) await session.quiet(50);
    assert.equal(session.isAlive(), false, 'the process ended within 10 s of exit');
    // The process is gone: stop() only collects its exit code.
    assert.equal(await session.stop(), 1);
  });
});
