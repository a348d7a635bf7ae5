/**
 * The real server under stress: bursts of edits with requests cancelled out of order,
 * many documents opened and closed under a small heap, settings changed while an
 * analysis waits for them. The end state must always be what a fresh analysis of the
 * final text gives, every request must be answered, and the server must log no error.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic, PublishDiagnosticsParams, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { createRandom, generatePipeline } from '../../bench/generate';
import { LspClient, LspResponseError } from '../../bench/lspClient';
import { analyze, type AnalyzeOptions } from '../helpers/analyze';
import { ensureServerBuilt, positionAt, REPO_ROOT, SERVER_PATH, Session, stopAllSessions, TempWorkspace, uriOf } from './harness';

const workspace = new TempWorkspace('pullguard-lsp-stress-');

before(() => ensureServerBuilt());
after(async () => {
  await stopAllSessions();
  workspace.remove();
});

/** What the tests compare: everything the user sees of a diagnostic. */
function seen(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics
    .map((d) => `${String(d.code)} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity} ${typeof d.message === 'string' ? d.message : d.message.value}`)
    .sort();
}

/** A fresh, in-process analysis of `text` at `uri`, in a workspace holding only it. */
function fresh(uri: string, text: string, options: Omit<AnalyzeOptions, 'uri' | 'workspace'> = {}): string[] {
  return seen(analyze('gitlab-ci', text, { ...options, uri, workspace: { [uri]: text } }).map((found) => found.diagnostic));
}

/** The id the client will give its next request (to cancel it later). */
function nextRequestId(client: LspClient): number {
  return (client as unknown as { nextId: number }).nextId;
}

const PIECES = ['image: Redis:1\n', '  services: [postgres]\n', 'x', ':', ' ', '\n', '"', '[', ']', '{', '- ', 'latest', '@sha256:', '😀', '\t'];

describe('a burst of edits with out-of-order cancellation', () => {
  test('100 rapid edits, with hovers and code actions cancelled in shuffled order, end in the diagnostics of the final text', async () => {
    const root = workspace.folder('burst');
    const uri = uriOf(join(root, '.gitlab-ci.yml'));
    const session = await Session.start({ root });
    const random = createRandom(2026);
    session.open(uri, generatePipeline({ jobs: 8, anchors: true, seed: 5 }));
    await session.waitForCurrent(uri);

    const answers: Array<Promise<unknown>> = [];
    const ids: number[] = [];
    for (let edit = 0; edit < 100; edit++) {
      const text = session.text(uri);
      const start = random.int(text.length + 1);
      const end = Math.min(text.length, start + (random.chance(0.5) ? 0 : random.int(30)));
      const change: TextDocumentContentChangeEvent = { range: { start: positionAt(text, start), end: positionAt(text, end) }, text: random.chance(0.3) ? '' : random.pick(PIECES) };
      session.change(uri, [change]);
      for (const method of ['textDocument/hover', 'textDocument/codeAction']) {
        const current = session.text(uri);
        const position = positionAt(current, random.int(current.length + 1));
        ids.push(nextRequestId(session.client));
        const params = method === 'textDocument/hover'
          ? { textDocument: { uri }, position }
          : { textDocument: { uri }, range: { start: position, end: position }, context: { diagnostics: [] } };
        answers.push(session.client.request(method, params));
      }
      // Cancel a few requests, most recent or long answered, in no particular order.
      if (random.chance(0.5)) {
        const shuffled = [...ids].sort(() => random.next() - 0.5).slice(0, 3);
        for (const id of shuffled) session.client.notify('$/cancelRequest', { id });
      }
    }
    // A cancellation of a request that never existed is ignored too.
    session.client.notify('$/cancelRequest', { id: 987_654 });

    const settled = await Promise.allSettled(answers);
    const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected')
      .filter((s) => !(s.reason instanceof LspResponseError && s.reason.code === -32800));
    assert.deepEqual(failures.map((f) => String(f.reason)), [], 'every request answered, or answered as cancelled');

    const finalText = session.text(uri);
    const published = await session.waitForCurrent(uri, { timeoutMs: 30_000 });
    assert.deepEqual(seen(published.diagnostics), fresh(uri, finalText));
    assert.deepEqual(session.errorLogs(), []);
    assert.equal(await session.stop(), 0);
  });
});

describe('settings changed mid-analysis', () => {
  test('settings changed three times while the answers to workspace/configuration are slow: the last settings win', async () => {
    const root = workspace.folder('settings');
    const uri = uriOf(join(root, '.gitlab-ci.yml'));
    const text = 'build:\n  image: node:20\n  services: [redis:7]\n  script: [make]\n';
    const session = await Session.start({ root, settings: {} });
    session.open(uri, text);
    await session.waitForCurrent(uri);

    session.configurationDelayMs = 300;
    session.changeSettings({ pinning: 'error' });
    session.replace(uri, 'make', 'make all');
    await session.quiet(50);
    session.changeSettings({ pinning: 'off', rules: { 'image/not-pinned': 'hint' } });
    session.replace(uri, 'redis:7', 'redis:7.4');
    session.changeSettings({ pinning: 'warning' });
    const finalText = session.text(uri);
    const want = fresh(uri, finalText, { settings: { pinning: 'warning' } });
    assert.ok(want.some((d) => d.startsWith('image/not-pinned') && / 2 /.test(d)), 'the final settings make not-pinned a warning');
    // The last publish for the final version must settle on the last settings.
    await session.waitUntil(() => {
      const last = session.lastPublished(uri);
      return last?.version === session.version(uri) && JSON.stringify(seen(last.diagnostics)) === JSON.stringify(want) ? true : undefined;
    }, 'diagnostics under the last settings', 15_000, () => `last: ${JSON.stringify(seen(session.lastPublished(uri)?.diagnostics ?? []))}`);
    // Nothing older arrives after it.
    await session.quiet(800);
    assert.deepEqual(seen(session.lastPublished(uri)!.diagnostics), want);
    assert.deepEqual(session.errorLogs(), []);
    await session.stop();
  });
});

describe('many documents opened and closed', () => {
  test('250 pipelines of 20 KB opened, analysed and closed in turn fit in a 100 MB heap, each closed one cleared', { timeout: 300_000 }, async () => {
    const root = workspace.folder('many');
    // A heap too small to keep 250 analysed 20 KB pipelines (about 0.9 MB each when
    // retained, over 200 MB in all): a cache that kept closed documents would crash the server.
    const client = LspClient.start(SERVER_PATH, ['--stdio'], { cwd: REPO_ROOT, timeoutMs: 30_000, nodeArgs: ['--max-old-space-size=100'] });
    try {
      await client.initialize({ rootUri: uriOf(root), workspaceFolders: [{ uri: uriOf(root), name: 'many' }] });
      const base = generatePipeline({ jobs: 66, anchors: true, seed: 11 });
      assert.ok(base.length > 20_000, `a pipeline of ${base.length} characters`);
      const cleared: Array<Promise<PublishDiagnosticsParams>> = [];
      for (let i = 0; i < 250; i++) {
        const uri = uriOf(join(root, `p${i}`, '.gitlab-ci.yml'));
        client.didOpen(uri, 'yaml', `# document ${i}\n${base}`, 1);
        const published = await client.waitForDiagnostics(uri, { version: 1 });
        assert.ok(published.diagnostics.length > 0);
        cleared.push(client.waitForNotification<PublishDiagnosticsParams>('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length === 0));
        client.didClose(uri);
      }
      await Promise.all(cleared);
      // Still answering, with a fresh document analysed from scratch.
      const last = uriOf(join(root, 'last', '.gitlab-ci.yml'));
      client.didOpen(last, 'yaml', 'build:\n  image: Redis:1\n', 1);
      const published = await client.waitForDiagnostics(last, { version: 1 });
      assert.deepEqual(published.diagnostics.map((d) => d.code), ['image/uppercase-repository']);
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }
  });
});
