/**
 * The client commands in the real editor (SPEC §3): each run through
 * `vscode.commands.executeCommand` with its prompts answered through the test seam
 * (prompts.ts), and its result checked where the user would find it: the clipboard, the
 * document in the editor, a new or read-only document, the diagnostics afterwards.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as vscode from 'vscode';
import {
  activatePullguard,
  codeOf,
  eventually,
  FILES,
  openDocument,
  pullguardDiagnostics,
  rangeOf,
  setText,
  waitForDiagnostics,
} from './helpers';
import { pullguardApi, Script, withPrompts } from './prompts';

const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const NO_CREDENTIALS_FIXTURE = 'fixtures/no-credentials.gitlab-ci.yml';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Puts the cursor in the active editor at the first `needle` (plus `offset`). */
async function cursorAt(document: vscode.TextDocument, needle: string, offset = 0): Promise<vscode.TextEditor> {
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  const position = rangeOf(document, needle).start.translate(0, offset);
  editor.selection = new vscode.Selection(position, position);
  return editor;
}

async function clipboard(): Promise<string> {
  return vscode.env.clipboard.readText();
}

async function restoreFile(document: vscode.TextDocument, text: string): Promise<void> {
  if (document.getText() !== text) await setText(document, text);
  if (document.isDirty) await document.save();
}

describe('client commands in the editor', () => {
  before(async () => {
    await activatePullguard();
  });

  beforeEach(async () => {
    // A known clipboard, so a test cannot pass on a previous one's content.
    await vscode.env.clipboard.writeText('(before the test)');
  });

  it('registers every command the manifest contributes', async () => {
    const extension = await activatePullguard();
    const contributed = (extension.packageJSON.contributes.commands as Array<{ command: string }>).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((id) => !registered.has(id)), []);
    assert.ok(contributed.length >= 9, contributed.join(', '));
  });

  it('Create DOCKER_AUTH_CONFIG… offers the workspace registries and copies the JSON only when asked', async () => {
    const script = new Script();
    script.picks = [(labels) => {
      assert.ok(labels.includes(ECR) && labels.includes('quay.io') && labels.includes('Type a registry…'), labels.join(' | '));
      return ECR;
    }, 'Copy to clipboard'];
    script.inputs = ['AWS'];
    script.secrets = ['ecr-token-value'];
    await withPrompts(script, () => vscode.commands.executeCommand('pullguard.createDockerAuthConfig'));
    assert.deepEqual(script.asked.map((a) => a.kind), ['pick', 'ask', 'askSecret', 'pick']);
    assert.equal(await clipboard(), JSON.stringify({ auths: { [ECR]: { auth: b64('AWS:ecr-token-value') } } }));
    assert.ok(!JSON.stringify(script.told).includes('ecr-token-value') && !JSON.stringify(script.told).includes(b64('AWS:ecr-token-value')));
  });

  it('Create DOCKER_AUTH_CONFIG… opens the JSON as a new untitled document', async () => {
    const script = new Script();
    script.picks = ['Type a registry…', 'Open as new JSON document'];
    script.inputs = ['registry.example.net:8443', 'builder'];
    script.secrets = ['pw'];
    await withPrompts(script, () => vscode.commands.executeCommand('pullguard.createDockerAuthConfig'));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor?.document.isUntitled, 'an untitled document is active');
    assert.equal(editor.document.languageId, 'json');
    assert.deepEqual(JSON.parse(editor.document.getText()), { auths: { 'registry.example.net:8443': { auth: b64('builder:pw') } } });
    assert.equal(await clipboard(), '(before the test)');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('the auth/no-credentials quick fix inserts DOCKER_AUTH_CONFIG escaped for YAML, and the diagnostic goes away', async () => {
    const document = await openDocument(NO_CREDENTIALS_FIXTURE, true);
    const original = document.getText();
    const range = rangeOf(document, 'quay.io/acme/app:1.0');
    const [diagnostic] = await waitForDiagnostics(document, 'auth/no-credentials on the quay.io image', (d) => d.some((x) => codeOf(x) === 'auth/no-credentials'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.command?.command === 'pullguard.createDockerAuthConfig');
    assert.ok(fix?.command, `a Create DOCKER_AUTH_CONFIG fix among ${actions.map((a) => a.title).join(' | ')} (diagnostic ${diagnostic?.message})`);
    assert.deepEqual(fix.command.arguments, [{ registry: 'quay.io' }]);
    // The cursor on the empty line of `variables:`, as the user would put it.
    await cursorAt(document, '  \nbuild:', 2);
    const script = new Script();
    script.inputs = ['robot$acme'];
    script.secrets = ["it's-a-token"];
    script.picks = ['Insert at cursor as a YAML scalar'];
    try {
      await withPrompts(script, () => vscode.commands.executeCommand(fix.command!.command, ...(fix.command!.arguments ?? [])));
      const expected = JSON.stringify({ auths: { 'quay.io': { auth: b64("robot$acme:it's-a-token") } } });
      assert.ok(document.getText().includes(`  DOCKER_AUTH_CONFIG: '${expected.replaceAll("'", "''")}'\nbuild:`), document.getText());
      await waitForDiagnostics(document, 'no auth/no-credentials after the insert', (d) => d.length > 0 && !d.some((x) => codeOf(x) === 'auth/no-credentials'));
      assert.ok(!pullguardDiagnostics(document.uri).some((d) => codeOf(d) === 'auth/invalid-json'));
    } finally {
      await restoreFile(document, original);
    }
  });

  it('Encode credentials to base64 copies the auth value', async () => {
    const script = new Script();
    script.inputs = ['alice'];
    script.secrets = ['pa:ss'];
    script.picks = ['Copy to clipboard'];
    await withPrompts(script, () => vscode.commands.executeCommand('pullguard.encodeCredentials'));
    assert.equal(await clipboard(), b64('alice:pa:ss'));
  });

  it('Decode auth at cursor shows the username, masks the password, and copies it only on Copy password', async () => {
    const document = await openDocument(FILES.credentialsFixture, true);
    await cursorAt(document, 'ZGVwbG95ZXI6czNjcjN0LXZhbHVl', 6);
    const dismissed = new Script();
    dismissed.buttons = [undefined];
    await withPrompts(dismissed, () => vscode.commands.executeCommand('pullguard.decodeAuthAtCursor'));
    assert.equal(await clipboard(), '(before the test)');
    const script = new Script();
    script.buttons = ['Copy password'];
    await withPrompts(script, () => vscode.commands.executeCommand('pullguard.decodeAuthAtCursor'));
    assert.equal(script.told.length, 1);
    assert.match(script.told[0]!.message, /username `deployer`, password •••• \(12 characters\)/);
    assert.ok(!script.told[0]!.message.includes('s3cr3t-value'));
    assert.equal(await clipboard(), 's3cr3t-value');
  });

  it('Add ECR credential helper adds credHelpers to the Docker config in the editor and offers the aws login command', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'json', content: '{\n  "auths": {}\n}\n' });
    await vscode.window.showTextDocument(document);
    const script = new Script();
    script.picks = ['Add to'];
    script.buttons = ['Copy login command'];
    await withPrompts(script, () => vscode.commands.executeCommand('pullguard.addEcrCredentialHelper'));
    assert.deepEqual(JSON.parse(document.getText()), { auths: {}, credHelpers: { [ECR]: 'ecr-login' } });
    assert.equal(await clipboard(), `aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin ${ECR}`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Explain credentials for image at cursor shows the resolution trace read-only, without secrets', async () => {
    const document = await openDocument(FILES.credentialsFixture, true);
    await cursorAt(document, 'registry.internal.example:8443/ops/deploy:2.0', 3);
    await withPrompts(new Script(), () => vscode.commands.executeCommand('pullguard.explainCredentials'));
    const shown = await eventually(() => {
      const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'pullguard-explain');
      assert.ok(editor, 'a pullguard-explain document is shown');
      return editor.document;
    });
    const text = shown.getText();
    assert.match(text, /^Where: job `deploy`/);
    assert.match(text, /Result: registry\.internal\.example:8443 from \$DOCKER_AUTH_CONFIG/);
    assert.ok(!text.includes('ZGVwbG95ZXI6czNjcjN0LXZhbHVl') && !text.includes('s3cr3t-value'));
    // Typing into it changes nothing: the editor of a content provider's document is read-only.
    await vscode.window.showTextDocument(shown);
    await vscode.commands.executeCommand('type', { text: 'typed' });
    assert.equal(shown.getText(), text, 'the trace is read-only');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Move credentials to a CI/CD variable copies the JSON and opens the docs only on that choice', async () => {
    const json = '{"auths": {"registry.example.com": {"auth": "dTpw"}}}';
    const declined = new Script();
    declined.buttons = [undefined];
    await withPrompts(declined, () => vscode.commands.executeCommand('pullguard.moveToVariable', json));
    assert.equal(await clipboard(), '(before the test)');
    assert.deepEqual(declined.external, []);
    const script = new Script();
    script.buttons = ['Copy JSON and open CI/CD variables docs'];
    await withPrompts(script, () => vscode.commands.executeCommand('pullguard.moveToVariable', json));
    assert.equal(await clipboard(), json);
    assert.deepEqual(script.external, ['https://docs.gitlab.com/ci/variables/#for-a-project']);
  });

  it('reports when the language server was ready after activation', () => {
    const ms = pullguardApi().serverReadyMs();
    assert.ok(typeof ms === 'number' && ms > 0, String(ms));
    console.log(`      activation → language server ready: ${ms} ms`);
  });

  it('starts the language server with one V8 helper thread per core besides its main thread, at most four', function () {
    if (process.platform !== 'linux') this.skip();
    // The server is a child of this extension host process: `node <options> …/dist/server.js --stdio`.
    const pids = execFileSync('pgrep', ['-P', String(process.pid), '-f', 'dist/server.js'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    assert.equal(pids.length, 1, `one server process, found ${pids.join(', ')}`);
    const commandLine = readFileSync(`/proc/${pids[0]}/cmdline`, 'utf8').split('\0');
    const helpers = Math.min(4, Math.max(1, availableParallelism() - 1));
    assert.ok(commandLine.includes(`--v8-pool-size=${helpers}`), commandLine.join(' '));
  });

  it('restarts the language server when its process dies, and diagnostics keep coming', async function () {
    if (process.platform !== 'linux') this.skip();
    const document = await openDocument(NO_CREDENTIALS_FIXTURE, true);
    const original = document.getText();
    // The server is a child of this extension host process: `node …/dist/server.js`.
    const pids = execFileSync('pgrep', ['-P', String(process.pid), '-f', 'dist/server.js'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    assert.equal(pids.length, 1, `one server process, found ${pids.join(', ')}`);
    process.kill(Number(pids[0]), 'SIGKILL');
    const restarted = await eventually(() => {
      const now = execFileSync('pgrep', ['-P', String(process.pid), '-f', 'dist/server.js'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
      assert.ok(now.length === 1 && now[0] !== pids[0], `a new server process (was ${pids[0]}, now ${now.join(', ')})`);
      return now[0];
    });
    try {
      await setText(document, original.replace('quay.io/acme/app:1.0', 'quay.io/acme/App:1.0'));
      await waitForDiagnostics(document, `image/uppercase-repository from the restarted server (pid ${restarted})`, (d) => d.some((x) => codeOf(x) === 'image/uppercase-repository'));
    } finally {
      await restoreFile(document, original);
    }
  });
});
