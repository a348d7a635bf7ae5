/**
 * Diagnostics through the real server process: pushed (`publishDiagnostics`) when the
 * client has no pull support, pulled (`textDocument/diagnostic`) when it has;
 * incremental edits; versions; closing.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { FullDocumentDiagnosticReport } from 'vscode-languageserver';
import {
  codesOf,
  describePublish,
  expected,
  messageText,
  rangeOf,
  Session,
  Severity,
  sortSummaries,
  summarize,
  uriOf,
  type DiagnosticSummary,
  useTempWorkspace,
} from './harness';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** One finding of each common image rule, in several jobs and services. */
const PIPELINE = [
  'build:',
  '  image: redis',
  '  services:',
  '    - registry.example.com:5000',
  '    - name: registry.example.com/Team/db:1',
  '      alias: db',
  '  script: [make]',
  '',
  'test:',
  '  image: node:20',
  '  services: [mysql:latest]',
  '  script: [make test]',
  '',
  'deploy:',
  '  image: $DEPLOY_IMAGE:2',
  '  script: [deploy]',
  '',
  'pinned:',
  `  image: alpine:3.20@${DIGEST}`,
  '  script: [x]',
  '',
].join('\n');

function pipelineExpectations(text: string): DiagnosticSummary[] {
  return sortSummaries([
    expected('image/latest-tag', rangeOf(text, 'redis'), Severity.Warning),
    expected('image/port-as-tag', rangeOf(text, 'registry.example.com:5000'), Severity.Warning),
    expected('image/uppercase-repository', rangeOf(text, 'Team'), Severity.Error),
    expected('image/not-pinned', rangeOf(text, '20', 'node:'), Severity.Information),
    expected('image/latest-tag', rangeOf(text, 'latest', 'mysql:'), Severity.Warning),
    expected('image/undefined-variable', rangeOf(text, '$DEPLOY_IMAGE'), Severity.Warning),
    expected('image/tag-and-digest', rangeOf(text, '3.20', 'alpine:'), Severity.Hint),
  ]);
}

/** Broken in the middle (a tab as indentation); the jobs around it still parse. */
const BROKEN_PIPELINE = [
  'build:',
  '  image: redis',
  '  script: [x]',
  '\toops: 1',
  'test:',
  '  image: Node:20',
  '  script: [x]',
  '',
].join('\n');

const RUNNER_CONFIG = [
  'concurrent = 4',
  '',
  '[[runners]]',
  '  name = "docker-runner"',
  '  executor = "docker"',
  '  [runners.docker]',
  '    image = "ruby"',
  '    broken = = 1',
  '  [[runners.docker.services]]',
  '    name = "Postgres:16"',
  '    alias = "db"',
  '',
].join('\n');

const workspace = useTempWorkspace('pullguard-lsp-diagnostics-');

describe('push diagnostics (client without textDocument.diagnostic)', () => {
  let session: Session;
  const root = workspace.folder('push');
  before(async () => {
    session = await Session.start({ root });
  });

  test('does not advertise a diagnostic provider, so the client expects pushes', () => {
    const capabilities = session.initializeResult!.capabilities;
    assert.equal(capabilities.diagnosticProvider, undefined);
  });

  test('publishes the image findings of a .gitlab-ci.yml with exact codes, ranges, severities, source and rule links', async () => {
    const uri = uriOf(join(root, '.gitlab-ci.yml'));
    session.open(uri, PIPELINE);
    const published = await session.waitForCurrent(uri);
    assert.equal(published.version, 1);
    assert.deepEqual(summarize(published.diagnostics), pipelineExpectations(PIPELINE));
    for (const diagnostic of published.diagnostics) {
      assert.ok(diagnostic.codeDescription?.href.endsWith(`docs/rules/${diagnostic.code}.md`), `href of ${diagnostic.code}: ${diagnostic.codeDescription?.href}`);
      assert.ok(typeof diagnostic.message === 'string' && diagnostic.message.length > 20, `${String(diagnostic.code)} has a sentence as message`);
    }
  });

  test('names the undefined variable and what the runner pulls instead in the message', async () => {
    const uri = uriOf(join(root, 'message', '.gitlab-ci.yml'));
    session.open(uri, 'deploy:\n  image: $DEPLOY_IMAGE:2\n  script: [x]\n');
    const published = await session.waitForCurrent(uri);
    const [diagnostic] = published.diagnostics.filter((d) => d.code === 'image/undefined-variable');
    assert.ok(diagnostic, describePublish(published));
    assert.match(messageText(diagnostic), /`\$DEPLOY_IMAGE` is not defined/);
    assert.match(messageText(diagnostic), /pulls `:2`/);
  });

  test('reports a YAML syntax error at the offending character and still reports images of the parts that parsed', async () => {
    const uri = uriOf(join(root, 'broken', '.gitlab-ci.yml'));
    session.open(uri, BROKEN_PIPELINE);
    const published = await session.waitForCurrent(uri);
    assert.deepEqual(summarize(published.diagnostics), sortSummaries([
      expected('image/latest-tag', rangeOf(BROKEN_PIPELINE, 'redis'), Severity.Warning),
      expected('syntax/yaml', rangeOf(BROKEN_PIPELINE, '\t'), Severity.Error),
      expected('image/uppercase-repository', rangeOf(BROKEN_PIPELINE, 'Node'), Severity.Error),
    ]));
  });

  test('checks a runner config.toml: the default image, its services and a TOML syntax error at the second `=`', async () => {
    const uri = uriOf(join(root, 'gitlab-runner', 'config.toml'));
    session.open(uri, RUNNER_CONFIG, 'toml');
    const published = await session.waitForCurrent(uri);
    assert.deepEqual(summarize(published.diagnostics), sortSummaries([
      expected('image/latest-tag', rangeOf(RUNNER_CONFIG, 'ruby'), Severity.Warning),
      expected('syntax/toml', rangeOf(RUNNER_CONFIG, '=', 'broken ='), Severity.Error),
      expected('image/uppercase-repository', rangeOf(RUNNER_CONFIG, 'Postgres'), Severity.Error),
      // A docker runner with services and no per-job network (issue 4).
      expected('runner/no-network-per-build', rangeOf(RUNNER_CONFIG, '"docker"'), Severity.Information),
    ]));
  });

  test('reports a comment in a Docker config.json as a JSON syntax error covering the comment', async () => {
    const text = '{\n  "auths": {\n    "registry.example.com": { "auth": "dXNlcjpwYXNz" } // CI token\n  }\n}\n';
    const uri = uriOf(join(root, '.docker', 'config.json'));
    session.open(uri, text, 'json');
    const published = await session.waitForCurrent(uri);
    assert.deepEqual(summarize(published.diagnostics), [expected('syntax/json', rangeOf(text, '// CI token'), Severity.Error)]);
  });

  test('reports a missing comma in a Docker config.json on the token after it', async () => {
    const text = '{\n  "auths": {}\n  "credsStore": "desktop"\n}\n';
    const uri = uriOf(join(root, 'comma', '.docker', 'config.json'));
    session.open(uri, text, 'json');
    const published = await session.waitForCurrent(uri);
    const syntax = published.diagnostics.filter((d) => d.code === 'syntax/json');
    assert.deepEqual(summarize(syntax), [expected('syntax/json', rangeOf(text, '"credsStore"'), Severity.Error)]);
    // The rest of the file is still checked: the credentials store is reported too.
    assert.ok(codesOf(published.diagnostics).includes('auth/helper-unavailable'), codesOf(published.diagnostics).join(', '));
  });

  test('publishes an empty list for a YAML file that is not a pipeline', async () => {
    const uri = uriOf(join(root, 'docker-compose.yml'));
    session.open(uri, 'services:\n  web:\n    image: redis\n');
    const published = await session.waitForCurrent(uri);
    assert.deepEqual(published.diagnostics, []);
  });

  test('clears the diagnostics of a closed document with an empty publish', async () => {
    const uri = uriOf(join(root, 'closing', '.gitlab-ci.yml'));
    session.open(uri, 'build:\n  image: redis\n  script: [x]\n');
    const opened = await session.waitForCurrent(uri);
    assert.equal(opened.diagnostics.length, 1, describePublish(opened));
    const mark = session.mark();
    session.close(uri);
    const cleared = await session.waitForDiagnostics(uri, { after: mark, what: 'the publish that clears the closed document' });
    assert.deepEqual(cleared.diagnostics, []);
  });
});

describe('pull diagnostics (client with textDocument.diagnostic)', () => {
  let session: Session;
  const root = workspace.folder('pull');
  before(async () => {
    session = await Session.start({ root, pull: true });
  });

  test('advertises a diagnostic provider with inter-file dependencies', () => {
    assert.deepEqual(session.initializeResult!.capabilities.diagnosticProvider, {
      identifier: 'pullguard',
      interFileDependencies: true,
      workspaceDiagnostics: false,
    });
  });

  test('answers textDocument/diagnostic with a full report of the same items push mode publishes', async () => {
    const uri = uriOf(join(root, '.gitlab-ci.yml'));
    session.open(uri, PIPELINE);
    const report = await session.pull(uri);
    assert.equal(report.kind, 'full');
    assert.deepEqual(summarize((report as FullDocumentDiagnosticReport).items), pipelineExpectations(PIPELINE));
  });

  test('answers for a runner config.toml and a config.json too', async () => {
    const tomlUri = uriOf(join(root, 'gitlab-runner', 'config.toml'));
    session.open(tomlUri, RUNNER_CONFIG, 'toml');
    const toml = (await session.pull(tomlUri)) as FullDocumentDiagnosticReport;
    assert.deepEqual(toml.items.map((d) => d.code).sort(), ['image/latest-tag', 'image/uppercase-repository', 'runner/no-network-per-build', 'syntax/toml']);
    const json = '{"auths": {},}';
    const jsonUri = uriOf(join(root, '.docker', 'config.json'));
    session.open(jsonUri, json, 'json');
    const report = (await session.pull(jsonUri)) as FullDocumentDiagnosticReport;
    assert.ok(report.items.length > 0 && report.items.every((d) => d.code === 'syntax/json'), JSON.stringify(report.items));
    assert.deepEqual(report.items[0]!.range, rangeOf(json, '}', '{},'));
  });

  test('reflects the newest version after an incremental edit', async () => {
    const uri = uriOf(join(root, 'edit', '.gitlab-ci.yml'));
    session.open(uri, 'build:\n  image: redis\n  script: [x]\n');
    session.replace(uri, 'redis', 'redis:7.4');
    const report = (await session.pull(uri)) as FullDocumentDiagnosticReport;
    const text = session.text(uri);
    assert.deepEqual(summarize(report.items), [expected('image/not-pinned', rangeOf(text, '7.4'), Severity.Information)]);
  });

  test('answers `unchanged` to a pull naming the result id of the report it would give again', async () => {
    const uri = uriOf(join(root, 'result-ids', '.gitlab-ci.yml'));
    session.open(uri, 'build:\n  image: redis:7.4\n  script:\n    - make\n');
    const first = (await session.pull(uri)) as FullDocumentDiagnosticReport;
    assert.equal(first.kind, 'full');
    assert.ok(first.resultId, 'a full report has a result id');
    assert.deepEqual(await session.pull(uri, undefined, first.resultId), { kind: 'unchanged', resultId: first.resultId }, 'the same version pulled again');
    // Typing in a script changes no diagnostic.
    session.replace(uri, '- make', '- make test');
    assert.deepEqual(await session.pull(uri, undefined, first.resultId), { kind: 'unchanged', resultId: first.resultId }, 'after typing in the script');
    // A new image changes them: a full report, with another id.
    session.replace(uri, 'redis:7.4', 'redis:7.2');
    const changed = (await session.pull(uri, undefined, first.resultId)) as FullDocumentDiagnosticReport;
    assert.equal(changed.kind, 'full');
    assert.notEqual(changed.resultId, first.resultId);
    assert.deepEqual(summarize(changed.items), [expected('image/not-pinned', rangeOf(session.text(uri), '7.2'), Severity.Information)]);
    // An id the server never gave, or an old one: the full report.
    assert.equal((await session.pull(uri, undefined, 'no-such-id')).kind, 'full');
  });

  test('answers an empty full report for a document that is not open', async () => {
    const report = await session.pull(uriOf(join(root, 'never-opened', '.gitlab-ci.yml')));
    assert.deepEqual(report, { kind: 'full', items: [] });
  });

  test('never pushes publishDiagnostics, not even when a document closes', async () => {
    const uri = uriOf(join(root, 'closed', '.gitlab-ci.yml'));
    session.open(uri, 'build:\n  image: redis\n  script: [x]\n');
    await session.pull(uri);
    session.close(uri);
    await session.quiet(300);
    assert.deepEqual(session.published.map((p) => p.uri), []);
  });
});

describe('incremental synchronization', () => {
  let session: Session;
  const root = workspace.folder('incremental');
  before(async () => {
    session = await Session.start({ root });
  });

  test('advertises incremental text document sync', () => {
    const sync = session.initializeResult!.capabilities.textDocumentSync;
    assert.equal(typeof sync === 'number' ? sync : sync?.change, 2);
  });

  test('applies ranged changes (insert, several in one notification, multi-line delete) and publishes for each new version', async () => {
    const uri = uriOf(join(root, '.gitlab-ci.yml'));
    session.open(uri, 'build:\n  image: redis\n  script: [x]\n');
    const first = await session.waitForCurrent(uri);
    assert.deepEqual(summarize(first.diagnostics), [expected('image/latest-tag', rangeOf(session.text(uri), 'redis'), Severity.Warning)]);

    // Insert a tag at the end of the name (an empty range).
    const afterRedis = rangeOf(session.text(uri), 'redis').end;
    session.change(uri, [{ range: { start: afterRedis, end: afterRedis }, text: ':7.4' }]);
    const second = await session.waitForCurrent(uri);
    assert.equal(session.text(uri), 'build:\n  image: redis:7.4\n  script: [x]\n');
    assert.deepEqual(summarize(second.diagnostics), [expected('image/not-pinned', rangeOf(session.text(uri), '7.4'), Severity.Information)]);

    // Two changes in one notification, the second relative to the first's result.
    const end = rangeOf(session.text(uri), '[x]\n').end;
    session.change(uri, [
      { range: { start: end, end }, text: 'test:\n  image: Node\n  script: [x]\n' },
      { range: rangeOf('build:\n  image: redis:7.4\n  script: [x]\ntest:\n  image: Node\n  script: [x]\n', 'redis:7.4'), text: 'registry.example.com:5000' },
    ]);
    const third = await session.waitForCurrent(uri);
    const thirdText = session.text(uri);
    assert.equal(thirdText, 'build:\n  image: registry.example.com:5000\n  script: [x]\ntest:\n  image: Node\n  script: [x]\n');
    assert.deepEqual(summarize(third.diagnostics), sortSummaries([
      expected('image/port-as-tag', rangeOf(thirdText, 'registry.example.com:5000'), Severity.Warning),
      expected('image/uppercase-repository', rangeOf(thirdText, 'Node'), Severity.Error),
    ]));

    // Delete a whole line, newline included (a range that spans two lines).
    const line = rangeOf(thirdText, '  image: Node\n');
    session.change(uri, [{ range: line, text: '' }]);
    const fourth = await session.waitForCurrent(uri);
    assert.equal(session.text(uri), 'build:\n  image: registry.example.com:5000\n  script: [x]\ntest:\n  script: [x]\n');
    // `test` lost its image: it runs in the runner's default image (a hint, issue 4).
    assert.deepEqual(codesOfPublish(fourth), ['image/port-as-tag', 'runner/default-image']);
  });

  test('never publishes an older version after a newer one during a burst of edits', async () => {
    const uri = uriOf(join(root, 'burst', '.gitlab-ci.yml'));
    const texts = new Map<number, string>();
    texts.set(session.open(uri, 'build:\n  image: redis:1\n  script: [x]\n'), session.text(uri));
    for (let i = 2; i <= 30; i++) {
      const version = session.replace(uri, String(i - 1), String(i), 'redis:');
      texts.set(version, session.text(uri));
      // Mostly faster than the server's 50 ms debounce, sometimes slower: several publishes overlap the edits.
      await session.quiet(i % 4 === 0 ? 80 : 5);
    }
    await session.waitForDiagnostics(uri, { version: 30 });
    await session.quiet(300); // anything stale would arrive now
    const published = session.publishedFor(uri);
    const versions = published.map((p) => p.version ?? -1);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b), `versions in publish order: ${versions.join(', ')}`);
    assert.equal(versions.at(-1), 30);
    assert.ok(versions.length > 1, `the edits were spread out to get several publishes, got ${versions.join(', ')}`);
    for (const p of published) {
      const text = texts.get(p.version!)!;
      assert.deepEqual(summarize(p.diagnostics), [expected('image/not-pinned', rangeOf(text, String(p.version), 'redis:'), Severity.Information)],
        `version ${p.version} published the findings of its own text`);
    }
  });

  test('publishes a burst of edits made while the settings are being fetched once, for the newest version', async () => {
    const slow = await Session.start({ root: workspace.folder('slow-settings') });
    slow.configurationDelayMs = 400;
    const uri = uriOf(join(workspace.root, 'slow-settings', '.gitlab-ci.yml'));
    slow.open(uri, 'build:\n  image: redis\n  script: [x]\n');
    await slow.waitUntil(() => (slow.configurationRequests.length > 0 ? true : undefined), 'the first workspace/configuration request');
    slow.replace(uri, 'redis', 'redis:7');
    slow.replace(uri, 'redis:7', 'Redis:7');
    const last = await slow.waitForDiagnostics(uri, { version: 3 });
    await slow.quiet(600);
    assert.deepEqual(slow.publishedFor(uri).map((p) => p.version), [3]);
    assert.deepEqual(summarize(last.diagnostics), [expected('image/uppercase-repository', rangeOf(slow.text(uri), 'Redis'), Severity.Error)]);
    assert.equal(await slow.stop(), 0);
  });

  test('never publishes for a document closed while its settings were being fetched', async () => {
    const slow = await Session.start({ root: workspace.folder('slow-close') });
    slow.configurationDelayMs = 500;
    const uri = uriOf(join(workspace.root, 'slow-close', '.gitlab-ci.yml'));
    slow.open(uri, 'build:\n  image: redis\n  script: [x]\n');
    await slow.waitUntil(() => (slow.configurationRequests.length > 0 ? true : undefined), 'the first workspace/configuration request');
    await slow.quiet(150); // the validation (50 ms after the change) now waits for the settings
    slow.close(uri);
    await slow.waitForDiagnostics(uri, { what: 'the publish that clears the closed document' });
    await slow.quiet(900); // the settings have arrived meanwhile
    const published = slow.publishedFor(uri);
    assert.deepEqual(published.map((p) => p.diagnostics), [[]], `publishes: ${published.map(describePublish).join(' | ')}`);
    assert.equal(await slow.stop(), 0);
  });
});

function codesOfPublish(published: { diagnostics: readonly { code?: string | number }[] }): string[] {
  return published.diagnostics.map((d) => String(d.code)).sort();
}
