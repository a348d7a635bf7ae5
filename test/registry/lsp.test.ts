/**
 * The registry requests over the real language server (dist/server.js over stdio) against
 * the real registries: the quick fix's command, `pullguard/pinImage`,
 * `pullguard/pinAllImages` and `pullguard/checkAccess`; and in an untrusted workspace,
 * that nothing is contacted and no helper runs until trust is granted.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, TextDocumentEdit, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ensureServerBuilt, positionIn, Session, stopAllSessions, TempWorkspace, uriOf } from '../lsp/harness';
import { USERS, startSilentListener } from '../../scripts/registry/testRegistries';
import { assertNoSecret, authValue, makeFakeHelper, missingToolsReason, useRegistries } from './support';

const skip = missingToolsReason();
const registries = useRegistries();
const workspace = new TempWorkspace('pullguard-registry-lsp-');
const outputs: string[] = [];

interface PinImageResult {
  ok: boolean;
  image: string;
  digest?: string;
  edit?: WorkspaceEdit;
  failure?: { kind: string; message: string };
}

function applyEdit(text: string, edit: WorkspaceEdit | null | undefined, version: number): string {
  assert.ok(edit?.documentChanges, 'no documentChanges');
  const change = edit.documentChanges[0] as TextDocumentEdit;
  assert.equal(change.textDocument.version, version, 'the edit is not tied to the version it was computed for');
  return TextDocument.applyEdits(TextDocument.create('file:///x', 'yaml', 0, text), change.edits as TextEdit[]);
}

function pipeline(hosts: { token: string; basic: string; open: string }): string {
  const auths = JSON.stringify({ auths: {
    [hosts.token]: { auth: authValue(USERS.alice.username, USERS.alice.password) },
    [hosts.basic]: { auth: authValue(USERS.alice.username, USERS.alice.password) },
  } });
  return [
    'variables:',
    `  DOCKER_AUTH_CONFIG: '${auths}'`,
    'build:',
    `  image: ${hosts.token}/team/app:1.0`,
    '  services:',
    `    - name: "${hosts.basic}/team/multi:2.0"`,
    '  script: [make]',
    'test:',
    `  image: '${hosts.open}/team/multi'`,
    '  script: [make]',
    '',
  ].join('\n');
}

function record(value: unknown): void {
  outputs.push(JSON.stringify(value));
}

describe('registry requests over the language server', { skip }, () => {
  before(async () => {
    ensureServerBuilt();
    await registries.start();
  });
  after(async () => {
    await stopAllSessions();
    await registries.stop();
    workspace.remove();
    assertNoSecret(outputs.join('\n'), 'a server answer, message or log');
  });

  test('the quick fix carries the pin command, and pinImage returns the edit with the registry\'s digest', async () => {
    const r = registries.get();
    const root = workspace.folder('trusted');
    const path = join(root, '.gitlab-ci.yml');
    const text = pipeline({ token: r.token.host, basic: r.basic.host, open: r.open.host });
    writeFileSync(path, text);
    const uri = uriOf(path);
    const session = await Session.start({ root, initializationOptions: { workspaceTrusted: true }, settings: { registry: { caFile: r.caFile } } });
    try {
      const published = session.waitForDiagnostics(uri);
      session.open(uri, text);
      const { diagnostics } = await published;
      const notPinned = diagnostics.find((d: Diagnostic) => d.code === 'image/not-pinned' && d.range.start.line === 3);
      assert.ok(notPinned, JSON.stringify(diagnostics.map((d) => [d.code, d.range.start])));
      const actions = await session.client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: notPinned.range, context: { diagnostics: [notPinned], only: ['quickfix'] } });
      const pin = actions.find((a) => a.command?.command === 'pullguard.pinImage');
      assert.ok(pin, JSON.stringify(actions.map((a) => a.title)));
      assert.equal(pin.title, 'Pin to digest (asks the registry)');
      assert.equal(pin.edit, undefined, 'the quick fix itself must not contact anything');
      const [argument] = pin.command!.arguments as [{ uri: string; offset: number; image: string }];
      assert.equal(argument.image, `${r.token.host}/team/app:1.0`);

      const result = await session.client.request<PinImageResult>('pullguard/pinImage', { textDocument: { uri: argument.uri }, offset: argument.offset }, 30_000);
      record(result);
      assert.ok(result.ok, JSON.stringify(result.failure));
      assert.equal(result.digest, r.content.single.digest);
      const pinned = applyEdit(text, result.edit, 1);
      assert.equal(pinned, text.replace(`${r.token.host}/team/app:1.0`, `${r.token.host}/team/app:1.0@${r.content.single.digest}`));

      // Pin all: the token image (alice), the TLS service (alice, CA from the settings), the open one without a tag.
      const all = await session.client.request<{ edit: WorkspaceEdit | null; pinned: Array<{ image: string; digest: string }>; failures: unknown[] }>('pullguard/pinAllImages', { textDocument: { uri } }, 30_000);
      record(all);
      assert.deepEqual(all.failures, []);
      const expected = text
        .replace(`${r.token.host}/team/app:1.0`, `${r.token.host}/team/app:1.0@${r.content.single.digest}`)
        .replace(`"${r.basic.host}/team/multi:2.0"`, `"${r.basic.host}/team/multi:2.0@${r.content.multi.digest}"`)
        .replace(`'${r.open.host}/team/multi'`, `'${r.open.host}/team/multi:latest@${r.content.multi.digest}'`);
      assert.equal(applyEdit(text, all.edit, 1), expected);

      // Check access at the cursor: the runner's key, what was sent, what the registry answered.
      const access = await session.client.request<{ outcome: string; candidates: Array<{ key: string }>; credentials: string; exchanges: unknown[] }>(
        'pullguard/checkAccess', { textDocument: { uri }, position: positionIn(text, 'team/app') }, 30_000);
      record(access);
      assert.equal(access.outcome, 'authorized');
      assert.deepEqual(access.candidates.map((c) => c.key), [r.token.host]);
      assert.match(access.credentials, /user `alice`/);
      record({ messages: session.shownMessages, logs: session.logMessages, stderr: session.stderr() });
    } finally {
      await session.stop();
    }
  });

  test('$/cancelRequest stops a pin that waits on a silent registry', async () => {
    const listener = await startSilentListener();
    const root = workspace.folder('cancel');
    const path = join(root, '.gitlab-ci.yml');
    const text = `build:\n  image: ${listener.host}/team/app:1.0\n  script: [make]\n`;
    writeFileSync(path, text);
    const uri = uriOf(path);
    const session = await Session.start({ root, initializationOptions: { workspaceTrusted: true }, settings: { registry: { timeoutMs: 60_000 } } });
    try {
      const published = session.waitForDiagnostics(uri);
      session.open(uri, text);
      await published;
      // The id the next request gets (the harness numbers them in order).
      const id = (session.client as unknown as { nextId: number }).nextId;
      const started = Date.now();
      const answer = session.client.request<PinImageResult>('pullguard/pinImage', { textDocument: { uri }, position: positionIn(text, 'team/app') }, 20_000)
        .then((result) => ({ result, error: undefined }), (error: Error) => ({ result: undefined, error }));
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(listener.connections() > 0, 'the request never reached the registry');
      session.client.notify('$/cancelRequest', { id });
      const { result, error } = await answer;
      record(result ?? String(error));
      assert.ok(Date.now() - started < 10_000, 'the cancellation did not stop the request');
      if (result) assert.equal(result.failure?.kind, 'cancelled');
      else assert.match(String(error), /cancel/i);
    } finally {
      await session.stop();
      await listener.close();
    }
  });

  test('untrusted: no request contacts anything and no helper runs; granting trust lets them through', async () => {
    const listener = await startSilentListener();
    const helper = makeFakeHelper(USERS.alice.username, listener.host);
    const savedPath = process.env.PATH;
    // The server inherits this PATH: the helper would be found if it were run.
    process.env.PATH = `${helper.dir}:${savedPath}`;
    const root = workspace.folder('untrusted');
    const path = join(root, '.gitlab-ci.yml');
    const text = [
      'variables:',
      `  DOCKER_AUTH_CONFIG: '{"credHelpers": {"${listener.host}": "pgtest"}}'`,
      'build:',
      `  image: ${listener.host}/team/app:1.0`,
      '  script: [make]',
      '',
    ].join('\n');
    writeFileSync(path, text);
    const uri = uriOf(path);
    let session: Session | undefined;
    try {
      for (const initializationOptions of [undefined, { workspaceTrusted: false }]) {
        session = await Session.start({ root, ...(initializationOptions ? { initializationOptions } : {}), settings: { registry: { timeoutMs: 300 } } });
        const published = session.waitForDiagnostics(uri);
        session.open(uri, text);
        await published;
        const position = positionIn(text, 'team/app');
        const pin = await session.client.request<PinImageResult>('pullguard/pinImage', { textDocument: { uri }, position });
        const all = await session.client.request<{ refused?: { kind: string } }>('pullguard/pinAllImages', { textDocument: { uri } });
        const access = await session.client.request<{ outcome: string; message: string }>('pullguard/checkAccess', { textDocument: { uri }, position });
        record([pin, all, access]);
        assert.equal(pin.failure?.kind, 'untrusted');
        assert.equal(all.refused?.kind, 'untrusted');
        assert.equal(access.outcome, 'untrusted');
        assert.match(access.message, /not trusted/);
        if (initializationOptions) break;
        await session.stop();
      }
      assert.equal(listener.connections(), 0, 'an untrusted workspace contacted the registry');
      assert.equal(existsSync(helper.log), false, 'an untrusted workspace ran a credential helper');

      // The same request once the client says the workspace is trusted: the helper runs and the registry is contacted.
      session!.client.notify('pullguard/didChangeWorkspaceTrust', { trusted: true });
      const access = await session!.client.request<{ outcome: string }>('pullguard/checkAccess', { textDocument: { uri }, position: positionIn(text, 'team/app') }, 30_000);
      record(access);
      assert.equal(access.outcome, 'timeout');
      assert.ok(listener.connections() > 0, 'trusted: the registry was not contacted');
      assert.ok(existsSync(helper.log), 'trusted: the helper did not run');
    } finally {
      process.env.PATH = savedPath;
      await session?.stop();
      await listener.close();
      rmSync(helper.dir, { recursive: true, force: true });
    }
  });
});
