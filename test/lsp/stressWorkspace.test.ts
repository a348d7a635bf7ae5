/**
 * The server's workspace index on a hostile folder: symbolic link loops, a FIFO and
 * a dangling link named like configs, a folder named like a pipeline, a file that
 * vanishes while open. The index is built (a runner config beside them still counts),
 * each passed-over entry gets one log line saying why (files no config pattern matches,
 * none), and nothing is logged as an error.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { codesOf, ensureServerBuilt, Session, stopAllSessions, TempWorkspace, uriOf } from './harness';

const workspace = new TempWorkspace('pullguard-lsp-disk-');

before(() => ensureServerBuilt());
after(async () => {
  await stopAllSessions();
  workspace.remove();
});

const RUNNER = '[[runners]]\n  executor = "docker"\n  [runners.docker]\n    allowed_images = ["registry.example.com/**"]\n';
const PIPELINE = 'build:\n  image: docker.io/library/redis:7\n  script: [make]\n';

describe('a workspace with link loops, a FIFO, dangling links and folders named like files', () => {
  test('is indexed, logs one line per passed-over entry, and cross-file rules still see the runner config', async () => {
    const root = workspace.folder('hostile');
    mkdirSync(join(root, 'gitlab-runner'));
    writeFileSync(join(root, 'gitlab-runner/config.toml'), RUNNER);
    mkdirSync(join(root, 'a/b'), { recursive: true });
    symlinkSync(join(root, 'a'), join(root, 'a/b/loop')); // a/b/loop → a: a folder loop
    symlinkSync(root, join(root, 'a/root')); // a link back to the root
    symlinkSync(join(root, 'a/x.yml'), join(root, 'a/y.yml'));
    symlinkSync(join(root, 'a/y.yml'), join(root, 'a/x.yml')); // a file link loop
    symlinkSync(join(root, 'nowhere'), join(root, 'dangling.gitlab-ci.yml'));
    mkdirSync(join(root, '.docker'));
    execFileSync('mkfifo', [join(root, '.docker/config.json')]);
    mkdirSync(join(root, 'deploy.gitlab-ci.yml')); // a folder named like a pipeline
    // No config pattern matches these: passed over without a word, never read.
    execFileSync('mkfifo', [join(root, 'package.json')]);
    symlinkSync(join(root, 'nowhere'), join(root, 'a/tsconfig.json'));

    const session = await Session.start({ root });
    const skipped = await session.waitUntil(() => {
      const lines = session.logMessages.map((m) => m.message).filter((m) => m.startsWith('Pullguard: skipped'));
      return lines.length >= 4 ? lines : undefined;
    }, 'the log lines of the skipped entries', 15_000, () => `log: ${JSON.stringify(session.logMessages.map((m) => m.message))}`);
    assert.deepEqual(skipped.map((line) => line.replace(root, '<root>')).sort(), [
      'Pullguard: skipped <root>/.docker/config.json: it is not a regular file.',
      'Pullguard: skipped <root>/a/x.yml: it is a symbolic link, and Pullguard does not follow links in a folder it searches (name the file itself to check it).',
      'Pullguard: skipped <root>/a/y.yml: it is a symbolic link, and Pullguard does not follow links in a folder it searches (name the file itself to check it).',
      'Pullguard: skipped <root>/dangling.gitlab-ci.yml: it is a symbolic link, and Pullguard does not follow links in a folder it searches (name the file itself to check it).',
    ]);

    const uri = uriOf(join(root, '.gitlab-ci.yml'));
    session.open(uri, PIPELINE);
    await session.waitUntil(() => {
      const last = session.lastPublished(uri);
      return last && codesOf(last.diagnostics).includes('runner/image-not-allowed') ? true : undefined;
    }, 'runner/image-not-allowed from the runner config on disk', 15_000);
    assert.deepEqual(session.errorLogs(), []);
    assert.equal(await session.stop(), 0);
  });
});

describe('files that vanish or change nature', () => {
  test('a file deleted while open is still analysed as the editor holds it; closed, it is cleared without an error', async () => {
    const root = workspace.folder('vanish');
    const path = join(root, '.gitlab-ci.yml');
    writeFileSync(path, PIPELINE);
    writeFileSync(join(root, 'config.toml'), RUNNER);
    const session = await Session.start({ root });
    const uri = uriOf(path);
    session.open(uri, 'build:\n  image: Redis:1\n');
    await session.waitForCurrent(uri);

    rmSync(path);
    rmSync(join(root, 'config.toml'));
    session.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 3 }, { uri: uriOf(join(root, 'config.toml')), type: 3 }] });
    session.replace(uri, 'Redis:1', 'Redis:2');
    assert.deepEqual(codesOf((await session.waitForCurrent(uri)).diagnostics), ['image/uppercase-repository']);

    const mark = session.mark();
    session.close(uri);
    assert.deepEqual((await session.waitForDiagnostics(uri, { after: mark })).diagnostics, []);
    await session.quiet(300);
    assert.deepEqual(session.errorLogs(), []);
    assert.equal(await session.stop(), 0);
  });

  test('a watched file that became a folder, a FIFO or a dangling link is dropped from the index without an error', async () => {
    const root = workspace.folder('nature');
    writeFileSync(join(root, 'config.toml'), RUNNER);
    const session = await Session.start({ root });
    const uri = uriOf(join(root, '.gitlab-ci.yml'));
    session.open(uri, PIPELINE);
    await session.waitUntil(() => {
      const last = session.lastPublished(uri);
      return last && codesOf(last.diagnostics).includes('runner/image-not-allowed') ? true : undefined;
    }, 'the runner config on disk applied', 15_000);

    for (const [index, makeHostile] of [
      (path: string) => mkdirSync(path),
      (path: string) => execFileSync('mkfifo', [path]),
      (path: string) => symlinkSync(join(root, 'nowhere'), path),
    ].entries()) {
      const path = join(root, 'config.toml');
      rmSync(path, { recursive: true, force: true });
      makeHostile(path);
      session.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(path), type: 2 }] });
      // Without the runner config, the allowlist rule has nothing to check against.
      await session.waitUntil(() => {
        const last = session.lastPublished(uri);
        return last && !codesOf(last.diagnostics).includes('runner/image-not-allowed') ? true : undefined;
      }, `the runner config dropped (case ${index})`, 15_000);
      rmSync(path, { recursive: true, force: true });
      writeFileSync(path, RUNNER);
      session.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(path), type: 2 }] });
      await session.waitUntil(() => {
        const last = session.lastPublished(uri);
        return last && codesOf(last.diagnostics).includes('runner/image-not-allowed') ? true : undefined;
      }, `the runner config back (case ${index})`, 15_000);
    }
    assert.deepEqual(session.errorLogs(), []);
    assert.equal(await session.stop(), 0);
  });
});

describe('a workspace walked in parallel, as when its folders are not in the file system cache', () => {
  test('the pipeline opened at once gets its first diagnostics with the runner config the walk finds among its last', async () => {
    // Breadth first, the deepest folders are listed last; 3,000 folders listed in parallel
    // take many turns of the server's event loop, during which the open is handled.
    const root = workspace.folder('walked-in-parallel');
    for (let i = 0; i < 1500; i++) mkdirSync(join(root, `packages/p${i}/src`), { recursive: true });
    writeFileSync(join(root, 'packages/p1499/src/config.toml'), RUNNER);
    writeFileSync(join(root, '.gitlab-ci.yml'), PIPELINE);
    const uri = uriOf(join(root, '.gitlab-ci.yml'));

    const session = await Session.start({ root, env: { PULLGUARD_WALK: 'parallel' } });
    session.open(uri, PIPELINE);
    const first = await session.waitUntil(() => session.published.find((published) => published.uri === uri), 'the first diagnostics', 15_000);
    assert.ok(codesOf(first.diagnostics).includes('runner/image-not-allowed'), `the first diagnostics: ${codesOf(first.diagnostics).join(', ')}`);
    assert.deepEqual(session.errorLogs(), []);
    assert.equal(await session.stop(), 0);
  });
});

describe('YAML files no pipeline names', () => {
  test('are read only when an include names them: an unreadable one is logged then, and one nobody includes never', async () => {
    const root = workspace.folder('unread-yaml');
    mkdirSync(join(root, 'k8s'));
    mkdirSync(join(root, 'ci'));
    // NUL bytes: files Pullguard refuses to read, with a log line when it tries.
    writeFileSync(join(root, 'k8s/blob.yaml'), 'kind: Secret\n\0\n');
    writeFileSync(join(root, 'ci/blob.yml'), '.tpl:\n\0\n');
    writeFileSync(join(root, 'ci/templates.yml'), '.tpl:\n  image: docker.io/library/node:20\n');
    const pipeline = 'include:\n  - local: /ci/templates.yml\n  - local: /ci/blob.yml\nbuild:\n  extends: .tpl\n  script: [make]\n';
    writeFileSync(join(root, '.gitlab-ci.yml'), pipeline);
    const session = await Session.start({ root });
    const uri = uriOf(join(root, '.gitlab-ci.yml'));
    session.open(uri, pipeline);
    await session.waitForCurrent(uri);
    await session.quiet(300);
    const skipped = session.logMessages.map((m) => m.message).filter((m) => m.startsWith('Pullguard: skipped')).map((line) => line.replace(root, '<root>'));
    assert.deepEqual(skipped, ['Pullguard: skipped <root>/ci/blob.yml: it is a binary file (it contains NUL bytes).']);
    assert.deepEqual(session.errorLogs(), []);
    assert.equal(await session.stop(), 0);
  });

  test('reported changed by a branch switch, those nobody includes are not read (an unreadable one is logged once included), and a changed included template is', async () => {
    const root = workspace.folder('branch-switch');
    mkdirSync(join(root, 'k8s'));
    mkdirSync(join(root, 'ci'));
    const manifests = Array.from({ length: 200 }, (_, i) => join(root, 'k8s', `service-${i}.yaml`));
    // 64 KiB each, so that reading them would show plainly in the bytes the server reads.
    const padding = `# ${'x'.repeat(64 * 1024)}\n`;
    for (const path of manifests) writeFileSync(path, `kind: Service\n${padding}`);
    const templates = join(root, 'ci/templates.yml');
    writeFileSync(templates, '.tpl:\n  variables:\n    IMG: node\n');
    const pipeline = 'include:\n  - local: /ci/templates.yml\nbuild:\n  extends: .tpl\n  image: $IMG:20.1.0\n  script: [make]\n';
    writeFileSync(join(root, '.gitlab-ci.yml'), pipeline);
    const session = await Session.start({ root });
    const uri = uriOf(join(root, '.gitlab-ci.yml'));
    session.open(uri, pipeline);
    assert.ok(!codesOf((await session.waitForCurrent(uri)).diagnostics).includes('image/undefined-variable'));

    // The checkout rewrites every manifest. The bytes the server reads (Linux) show whether it
    // read them: before, each was read when reported and again once settled, 25 MiB here. Not
    // its read(2) calls: V8's helper threads wake the event loop through an eventfd, read 8
    // bytes at a time, thousands of times while the server warms up in its idle time.
    for (const path of manifests) writeFileSync(path, `kind: Deployment\n${padding}`);
    const before = bytesRead(session.client.pid!);
    session.client.notify('workspace/didChangeWatchedFiles', { changes: manifests.map((path) => ({ uri: uriOf(path), type: 2 })) });
    await session.quiet(800); // past the settling re-read (WATCHED_FILE_SETTLE_MS)
    // A request answered: every message before it is handled.
    await session.hover(uri, { line: 0, character: 0 });
    const read = bytesRead(session.client.pid!) - before;
    assert.ok(read < 1024 * 1024, `${read} bytes read after 200 manifests of 64 KiB nobody includes were reported changed`);

    // The included template, changed: read, and the pipeline checked again with it.
    const mark = session.mark();
    writeFileSync(templates, '.tpl:\n  variables:\n    OTHER: node\n');
    session.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(templates), type: 2 }] });
    await session.waitForDiagnostics(uri, {
      after: mark,
      where: (published) => codesOf(published.diagnostics).includes('image/undefined-variable'),
      what: 'the pipeline re-published with image/undefined-variable: its changed template no longer defines IMG',
    });

    // One that the branch made binary: not read, so not logged, until an include names it.
    const blob = join(root, 'k8s/blob.yaml');
    writeFileSync(blob, 'kind: Secret\n\0\n');
    session.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(blob), type: 1 }] });
    await session.hover(uri, { line: 0, character: 0 });
    const skipped = () => session.logMessages.map((m) => m.message).filter((m) => m.startsWith('Pullguard: skipped')).map((m) => m.replace(root, '<root>'));
    assert.deepEqual(skipped(), []);
    session.replace(uri, '  - local: /ci/templates.yml\n', '  - local: /ci/templates.yml\n  - local: /k8s/blob.yaml\n');
    await session.waitForCurrent(uri);
    assert.deepEqual(skipped(), ['Pullguard: skipped <root>/k8s/blob.yaml: it is a binary file (it contains NUL bytes).']);
    assert.deepEqual(session.errorLogs(), []);
    assert.equal(await session.stop(), 0);
  });
});

/** How many bytes the process has read, from files, pipes and the rest (Linux: `rchar` of /proc/PID/io). */
function bytesRead(pid: number): number {
  const match = /^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  assert.ok(match, `no rchar in /proc/${pid}/io`);
  return Number(match[1]);
}
