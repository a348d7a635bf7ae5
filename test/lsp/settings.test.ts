/**
 * `pullguard.*` settings through the real server process: read with
 * `workspace/configuration` when the client supports it, else from
 * `initializationOptions.settings` and the `didChangeConfiguration` payload; a
 * change re-publishes (push) or asks the client to refresh (pull); a bad value is
 * reported to the user as a warning and falls back to its default.
 *
 * The warning is a `window/showMessage` notification: it needs no answer, so a client
 * that rejects requests cannot take the server down (tests at the end).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { FullDocumentDiagnosticReport } from 'vscode-languageserver';
import {
  describePublish,
  expected,
  rangeOf,
  Session,
  Severity,
  sortSummaries,
  summarize,
  uriOf,
  type DiagnosticSummary,
  useTempWorkspace,
} from './harness';

const PIPELINE = 'build:\n  image: redis\n  script: [x]\ntest:\n  image: node:20\n  script: [x]\n';
const latestTag = (severity: number) => expected('image/latest-tag', rangeOf(PIPELINE, 'redis'), severity);
const notPinned = (severity: number) => expected('image/not-pinned', rangeOf(PIPELINE, '20', 'node:'), severity);
const DEFAULTS: DiagnosticSummary[] = sortSummaries([latestTag(Severity.Warning), notPinned(Severity.Information)]);

const workspace = useTempWorkspace('pullguard-lsp-settings-');

/** A server on its own workspace folder with the pipeline open and its first publish received. */
async function startWithPipeline(options: Parameters<typeof Session.start>[0] & object): Promise<{ session: Session; uri: string; first: DiagnosticSummary[] }> {
  const root = workspace.next('w');
  const session = await Session.start({ ...options, root });
  const uri = uriOf(join(root, '.gitlab-ci.yml'));
  session.open(uri, PIPELINE);
  if (options.pull) {
    const report = (await session.pull(uri)) as FullDocumentDiagnosticReport;
    return { session, uri, first: summarize(report.items) };
  }
  return { session, uri, first: summarize((await session.waitForCurrent(uri)).diagnostics) };
}

/** Changes the settings and returns the next diagnostics the server pushes. */
async function pushAfter(session: Session, uri: string, change: () => void): Promise<DiagnosticSummary[]> {
  const mark = session.mark();
  change();
  const published = await session.waitForDiagnostics(uri, { after: mark, what: `diagnostics re-published for ${uri} after the settings change` });
  return summarize(published.diagnostics);
}

/** Changes the settings, waits for the server's refresh request, then pulls. */
async function pullAfter(session: Session, uri: string, change: () => void): Promise<DiagnosticSummary[]> {
  const seen = session.refreshRequests;
  change();
  await session.waitForRefresh(seen);
  const report = (await session.pull(uri)) as FullDocumentDiagnosticReport;
  return summarize(report.items);
}

describe('settings with workspace/configuration', () => {
  test('asks for the pullguard section scoped to the document', async () => {
    const { session, uri } = await startWithPipeline({});
    assert.ok(session.configurationRequests.some((r) => r.items.some((item) => item.section === 'pullguard' && item.scopeUri === uri)),
      `configuration requests: ${JSON.stringify(session.configurationRequests)}`);
    assert.ok(session.registrations.some((r) => r.method === 'workspace/didChangeConfiguration'),
      `registrations: ${JSON.stringify(session.registrations)}`);
    assert.equal(await session.stop(), 0);
  });

  test('push: a rule severity of error, then off, then pinning off each re-publish with the new settings', async () => {
    const { session, uri, first } = await startWithPipeline({ settings: {} });
    assert.deepEqual(first, DEFAULTS);

    const asError = await pushAfter(session, uri, () => session.changeSettings({ rules: { 'image/latest-tag': 'error' } }));
    assert.deepEqual(asError, sortSummaries([latestTag(Severity.Error), notPinned(Severity.Information)]));

    const off = await pushAfter(session, uri, () => session.changeSettings({ rules: { 'image/latest-tag': 'off' } }));
    assert.deepEqual(off, [notPinned(Severity.Information)]);

    const unpinnedOff = await pushAfter(session, uri, () => session.changeSettings({ pinning: 'off' }));
    assert.deepEqual(unpinnedOff, [latestTag(Severity.Warning)]);

    const pinningAsHint = await pushAfter(session, uri, () => session.changeSettings({ pinning: 'hint' }));
    assert.deepEqual(pinningAsHint, sortSummaries([latestTag(Severity.Warning), notPinned(Severity.Hint)]));
    assert.equal(await session.stop(), 0);
  });

  test('push: pullguard.variables marks a variable defined, so image/undefined-variable goes away', async () => {
    const root = workspace.next('w');
    const session = await Session.start({ root });
    const uri = uriOf(join(root, '.gitlab-ci.yml'));
    const text = 'deploy:\n  image: $DEPLOY_IMAGE\n  script: [x]\n';
    session.open(uri, text);
    const before = await session.waitForCurrent(uri);
    assert.deepEqual(summarize(before.diagnostics), [expected('image/undefined-variable', rangeOf(text, '$DEPLOY_IMAGE'), Severity.Warning)]);
    const afterChange = await pushAfter(session, uri, () => session.changeSettings({ variables: { DEPLOY_IMAGE: '*' } }));
    assert.deepEqual(afterChange, []);
    assert.equal(await session.stop(), 0);
  });

  test('pull: a settings change makes the server send workspace/diagnostic/refresh, and the next pull uses the new settings', async () => {
    const { session, uri, first } = await startWithPipeline({ pull: true, settings: {} });
    assert.deepEqual(first, DEFAULTS);

    const asError = await pullAfter(session, uri, () => session.changeSettings({ rules: { 'image/latest-tag': 'error' } }));
    assert.deepEqual(asError, sortSummaries([latestTag(Severity.Error), notPinned(Severity.Information)]));

    const off = await pullAfter(session, uri, () => session.changeSettings({ rules: { 'image/latest-tag': 'off' }, pinning: 'off' }));
    assert.deepEqual(off, []);
    assert.deepEqual(session.published, [], 'pull mode never pushes');
    assert.equal(await session.stop(), 0);
  });

  test('pull, with a client that does not take refresh requests: a settings change sends none, and the next pull uses the new settings', async () => {
    const { session, uri, first } = await startWithPipeline({ pull: true, refreshSupport: false, settings: {} });
    assert.deepEqual(first, DEFAULTS);
    session.changeSettings({ rules: { 'image/latest-tag': 'error' } });
    await session.quiet(500);
    assert.equal(session.refreshRequests, 0, 'no workspace/diagnostic/refresh');
    const report = (await session.pull(uri)) as FullDocumentDiagnosticReport;
    assert.deepEqual(summarize(report.items), sortSummaries([latestTag(Severity.Error), notPinned(Severity.Information)]));
    assert.equal(await session.stop(), 0);
  });

  test('reports a bad value with a showMessage warning, uses the default for it and keeps the good values', async () => {
    const { session, first } = await startWithPipeline({ settings: { pinning: 'loud', rules: { 'image/latest-tag': 'error' } } });
    const message = await session.waitForShownMessage((m) => m.message.includes('pullguard.pinning'), 'a warning about pullguard.pinning');
    assert.equal(message.type, 2, 'a warning');
    assert.match(message.message, /default is used/);
    assert.deepEqual(first, sortSummaries([latestTag(Severity.Error), notPinned(Severity.Information)]));
    assert.equal(await session.stop(), 0);
  });

  test('warns about an unknown rule code and an invalid severity in pullguard.rules', async () => {
    const { session, uri, first } = await startWithPipeline({ settings: { rules: { 'image/no-such-rule': 'error' } } });
    await session.waitForShownMessage((m) => m.type === 2 && m.message.includes('image/no-such-rule'), 'a warning naming the unknown rule');
    assert.deepEqual(first, DEFAULTS);
    const mark = session.shownMessages.length;
    const published = session.mark();
    session.changeSettings({ rules: { 'image/latest-tag': 'fatal' } });
    await session.waitForShownMessage((m) => m.type === 2 && m.message.includes('pullguard.rules'), 'a warning about pullguard.rules', mark);
    // The whole rules setting falls back to its default: the diagnostics the editor has stand, not sent again.
    await session.quiet(500);
    assert.deepEqual(session.publishedFor(uri, published), [], 'nothing re-published');
    assert.deepEqual(summarize(session.lastPublished(uri)!.diagnostics), DEFAULTS);
    assert.equal(await session.stop(), 0);
  });

  // While it asks for the settings of a file just opened, the server analyses it with its
  // folder's (server.ts, analyseAhead). What it publishes or answers must be the file's own.
  for (const mode of ['push', 'pull'] as const) {
    test(`${mode}: a file whose settings differ from its folder's gets diagnostics made with its own, published once`, async () => {
      const root = workspace.next('w');
      const folderUri = uriOf(root);
      const session = await Session.start({ root, pull: mode === 'pull' });
      session.settingsForScope = (scopeUri) => (scopeUri === folderUri ? {} : { rules: { 'image/latest-tag': 'error' } });
      await session.waitUntil(() => session.configurationRequests.find((r) => r.items.some((item) => item.scopeUri === folderUri)), 'the request for the folder\'s settings');
      await session.quiet(200);
      // The file's settings come late, so the analysis with the folder's runs first.
      session.configurationDelayMs = 300;
      const uri = uriOf(join(root, '.gitlab-ci.yml'));
      session.open(uri, PIPELINE);
      const own = sortSummaries([latestTag(Severity.Error), notPinned(Severity.Information)]);
      if (mode === 'pull') {
        const report = (await session.pull(uri)) as FullDocumentDiagnosticReport;
        assert.deepEqual(summarize(report.items), own);
        assert.deepEqual(session.published, [], 'pull mode never pushes');
      } else {
        assert.deepEqual(summarize((await session.waitForCurrent(uri)).diagnostics), own);
        await session.quiet(500);
        assert.equal(session.publishedFor(uri).length, 1, `publishes: ${session.publishedFor(uri).map(describePublish).join('; ')}`);
      }
      assert.ok(session.configurationRequests.some((r) => r.items.some((item) => item.scopeUri === uri)), 'the file\'s own settings were asked for');
      assert.equal(await session.stop(), 0);
    });
  }

  test('keeps working with defaults when the client answers the section with null or a non-object', async () => {
    for (const answer of [null, 'verbose', [1, 2]]) {
      const { session, first } = await startWithPipeline({ settings: answer });
      assert.deepEqual(first, DEFAULTS, `answer ${JSON.stringify(answer)}`);
      assert.equal(await session.stop(), 0);
    }
  });
});

describe('settings without workspace/configuration', () => {
  test('reads initializationOptions.settings and never asks the client', async () => {
    const { session, first } = await startWithPipeline({
      configuration: false,
      initializationOptions: { settings: { rules: { 'image/latest-tag': 'error' }, pinning: 'warning' } },
    });
    assert.deepEqual(first, sortSummaries([latestTag(Severity.Error), notPinned(Severity.Warning)]));
    assert.deepEqual(session.configurationRequests, []);
    assert.equal(session.registrations.some((r) => r.method === 'workspace/didChangeConfiguration'), false);
    assert.equal(await session.stop(), 0);
  });

  test('push: replaces the settings with the didChangeConfiguration payload and re-publishes', async () => {
    const { session, uri, first } = await startWithPipeline({
      configuration: false,
      initializationOptions: { settings: { rules: { 'image/latest-tag': 'error' } } },
    });
    assert.deepEqual(first, sortSummaries([latestTag(Severity.Error), notPinned(Severity.Information)]));
    const changed = await pushAfter(session, uri, () => session.changeSettings({ pinning: 'off' }));
    assert.deepEqual(changed, [latestTag(Severity.Warning)], 'the payload replaces the whole settings, so latest-tag is back to its default');
    const off = await pushAfter(session, uri, () => session.changeSettings({ rules: { 'image/latest-tag': 'off' } }));
    assert.deepEqual(off, [notPinned(Severity.Information)]);
    assert.deepEqual(session.configurationRequests, []);
    assert.equal(await session.stop(), 0);
  });

  test('pull: a didChangeConfiguration payload triggers a refresh and the next pull uses it', async () => {
    const { session, uri, first } = await startWithPipeline({ configuration: false, pull: true });
    assert.deepEqual(first, DEFAULTS);
    const changed = await pullAfter(session, uri, () => session.changeSettings({ rules: { 'image/latest-tag': 'hint' } }));
    assert.deepEqual(changed, sortSummaries([latestTag(Severity.Hint), notPinned(Severity.Information)]));
    assert.equal(await session.stop(), 0);
  });

  test('reports a bad initializationOptions value with a warning and falls back to the default', async () => {
    const { session, first } = await startWithPipeline({
      configuration: false,
      initializationOptions: { settings: { rules: { 'image/latest-tag': 'fatal' } } },
    });
    const message = await session.waitForShownMessage((m) => m.message.includes('pullguard.rules'), 'a warning about pullguard.rules');
    assert.equal(message.type, 2);
    assert.deepEqual(first, DEFAULTS);
    assert.equal(await session.stop(), 0);
  });

  test('reports a bad didChangeConfiguration value with a warning, falls back, and keeps publishing', async () => {
    const { session, uri } = await startWithPipeline({ configuration: false });
    const changed = await pushAfter(session, uri, () => session.changeSettings({ registry: { timeoutMs: 5 }, pinning: 'error' }));
    await session.waitForShownMessage((m) => m.type === 2 && m.message.includes('pullguard.registry.timeoutMs'), 'a warning about pullguard.registry.timeoutMs');
    assert.deepEqual(changed, sortSummaries([latestTag(Severity.Warning), notPinned(Severity.Error)]), describePublish(session.lastPublished(uri)));
    assert.equal(await session.stop(), 0);
  });
});

describe('how a bad setting is reported to the user', () => {
  test('sends the warning as a window/showMessage notification, which needs no answer', async () => {
    const { session } = await startWithPipeline({ settings: { pinning: 'loud' } });
    const message = await session.waitForShownMessage((m) => m.message.includes('pullguard.pinning'), 'a warning about pullguard.pinning');
    assert.equal(message.via, 'notification');
    assert.equal(await session.stop(), 0);
  });

  test('stays alive and keeps publishing when the client answers window/showMessageRequest with an error', async () => {
    const root = workspace.next('w');
    const session = await Session.start({ root, settings: { pinning: 'loud' } });
    session.showMessageRequestAnswer = 'error';
    const uri = uriOf(join(root, '.gitlab-ci.yml'));
    session.open(uri, PIPELINE);
    const published = await session.waitForCurrent(uri);
    assert.deepEqual(summarize(published.diagnostics), DEFAULTS);
    assert.ok(await session.hover(uri, rangeOf(PIPELINE, 'redis').start), 'hover still answers');
    assert.equal(await session.stop(), 0);
  });
});
