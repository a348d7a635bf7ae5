/**
 * Planted secrets (test/unit/security/plantedSecrets.ts: every YAML, TOML and
 * config.json place) against the real server at its most verbose: `$/setTrace`
 * verbose, the files on disk (indexed) and open in the editor, edits that break the
 * syntax around the secrets, hovers at every other offset, code actions on every
 * diagnostic. Nothing the server sends — published diagnostics, answers, log and
 * trace messages, shown messages — nor its stderr carries a secret in any form.
 *
 * Exempt, as in the unit test: the move-to-variable action's command argument (the
 * user's JSON, for the clipboard) and the trailing-newline fix's edit (the corrected
 * `auth`, written in place).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import { assertNoSecret, CONFIG, PIPELINE, RUNNER } from '../../unit/security/plantedSecrets';
import { ensureServerBuilt, positionAt, Session, stopAllSessions, TempWorkspace, uriOf } from '../harness';

const workspace = new TempWorkspace('pullguard-lsp-secrets-');

before(() => ensureServerBuilt());
after(async () => {
  await stopAllSessions();
  workspace.remove();
});

const MOVE_TO_VARIABLE = 'Move `DOCKER_AUTH_CONFIG` to a CI/CD variable';

function scannable(action: CodeAction): unknown {
  if (action.title === MOVE_TO_VARIABLE) return { ...action, command: { ...action.command, arguments: ['(the user\'s JSON)'] } };
  if (action.diagnostics?.length === 1 && action.diagnostics[0]!.code === 'auth/trailing-newline') return { ...action, edit: '(the corrected auth)' };
  return action;
}

describe('secrets and the server at trace level', () => {
  test('nothing the server sends or writes to stderr carries a planted secret', { timeout: 240_000 }, async () => {
    const root = workspace.folder('trace');
    const files: Array<[string, string, string]> = [
      ['.gitlab-ci.yml', PIPELINE, 'yaml'],
      ['gitlab-runner/config.toml', RUNNER, 'toml'],
      ['.docker/config.json', CONFIG, 'json'],
    ];
    for (const [name, text] of files) {
      mkdirSync(dirname(join(root, name)), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    const session = await Session.start({ root });
    const traces: unknown[] = [];
    for (const method of ['$/logTrace', 'telemetry/event', '$/progress']) session.client.onNotification(method, (params) => traces.push({ method, params }));
    session.client.notify('$/setTrace', { value: 'verbose' });
    const answers: unknown[] = [];

    for (const [name, text, language] of files) {
      const uri = uriOf(join(root, name));
      session.open(uri, text, language);
      const published = await session.waitForCurrent(uri, { timeoutMs: 20_000 });
      assert.ok(published.diagnostics.length > 0, `diagnostics for ${name}`);
      for (let offset = 0; offset <= text.length; offset += 2) answers.push(await session.hover(uri, positionAt(text, offset)));
      const end = positionAt(text, text.length);
      answers.push(...(await session.client.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri }, range: { start: { line: 0, character: 0 }, end }, context: { diagnostics: published.diagnostics },
      })).map(scannable));
      for (const diagnostic of published.diagnostics as Diagnostic[]) {
        answers.push(...(await session.client.request<CodeAction[]>('textDocument/codeAction', {
          textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] },
        })).map(scannable));
      }
      // Break the syntax at every 23rd character, one edit at a time, and restore it.
      for (let offset = 0; offset < text.length; offset += 23) {
        const current = session.text(uri);
        const range = { start: positionAt(current, offset), end: positionAt(current, offset + 1) };
        const removed = current.slice(offset, offset + 1);
        session.change(uri, [{ range, text: '' }]);
        await session.waitForCurrent(uri, { timeoutMs: 20_000 });
        session.change(uri, [{ range: { start: range.start, end: range.start }, text: removed }]);
      }
      await session.waitForCurrent(uri, { timeoutMs: 20_000 });
      assert.equal(session.text(uri), text);
    }

    assert.ok(session.published.length > 30);
    assertNoSecret('published diagnostics', JSON.stringify(session.published));
    assertNoSecret('answers (hovers, code actions)', JSON.stringify(answers));
    assertNoSecret('log messages', JSON.stringify(session.logMessages));
    assertNoSecret('trace, telemetry and progress notifications', JSON.stringify(traces));
    assertNoSecret('shown messages', JSON.stringify(session.shownMessages));
    assertNoSecret('server stderr', session.stderr());
    assert.deepEqual(session.errorLogs(), []);
    assert.equal(await session.stop(), 0);
  });
});
