/**
 * Quick fixes through the real editor: `vscode.executeCodeActionProvider` on each
 * diagnostic's range, every offered fix applied to the documents shown in editors, and a
 * diagnostic of that range gone afterwards. Each fix starts from the original text.
 *
 * Until the bundled server advertises `codeActionProvider`, these tests are reported as
 * pending (with the reason in the title), never as passing. A fix that calls a client
 * command runs that command with its prompts answered through the test seam
 * (prompts.ts), and what it produced (the clipboard) is checked too; a fix that calls a
 * command the extension does not register fails the run.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activatePullguard,
  codeOf,
  expectSameAsCli,
  FILES,
  openDocument,
  pullguardDiagnostics,
  rangeOf,
  readCliDiagnostics,
  setText,
  summarizeDiagnostics,
  waitForDiagnostics,
} from './helpers';
import { Script, withPrompts } from './prompts';
import { getServerCapabilities } from './serverCapabilities';

const NO_CODE_ACTIONS = 'pending: the bundled server does not advertise codeActionProvider yet';
/** Set by the `before` hook from the server's own answer to `initialize`. */
let codeActionsAdvertised = false;

/** `it`, reported as pending while the server has no code actions. */
function test(title: string, body: (this: Mocha.Context) => Promise<void>): void {
  it(title, async function (this: Mocha.Context) {
    if (!codeActionsAdvertised) skip(this, NO_CODE_ACTIONS);
    await body.call(this);
  });
}

/** Marks the running test pending, with the reason in its title (mocha has no other place for it). */
function skip(context: Mocha.Context, reason: string): never {
  context.test!.title += ` [${reason}]`;
  context.skip();
}

/**
 * Fixes that ask a registry over the network (SPEC §3, *Pin image to digest*): this sweep
 * over the examples leaves them out (their images are on registries that do not exist);
 * pin.test.ts applies them against the real registry the driver starts.
 */
const NEEDS_NETWORK = /\bdigest\b/i;

async function quickFixesAt(document: vscode.TextDocument, range: vscode.Range, kind = vscode.CodeActionKind.QuickFix): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>(
    'vscode.executeCodeActionProvider',
    document.uri,
    range,
    kind.value,
  );
  // A bare Command has a string `command`; a CodeAction's `command` is a Command object.
  return actions.filter((action): action is vscode.CodeAction => typeof action.command !== 'string');
}

/** The documents a code action edits, with their text now. */
async function editedDocuments(action: vscode.CodeAction): Promise<Map<string, { document: vscode.TextDocument; text: string }>> {
  const documents = new Map<string, { document: vscode.TextDocument; text: string }>();
  for (const [uri] of action.edit?.entries() ?? []) {
    const document = await vscode.workspace.openTextDocument(uri);
    documents.set(uri.toString(), { document, text: document.getText() });
  }
  return documents;
}

/** Applies a code action the way the editor does: its edit, then its command. */
async function applyCodeAction(action: vscode.CodeAction): Promise<void> {
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `the edit of "${action.title}" applies`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}

/**
 * The user's answers for the client command a fix calls, and the check of what it
 * produced: Create DOCKER_AUTH_CONFIG copies the JSON for the fix's registry; Move to a
 * CI/CD variable copies the JSON the edit removed and opens GitLab's docs.
 */
function commandScript(action: vscode.CodeAction): { script: Script; check: () => Promise<void> } {
  const script = new Script();
  const command = action.command!;
  switch (command.command) {
    case 'pullguard.createDockerAuthConfig': {
      const registry = (command.arguments?.[0] as { registry: string }).registry;
      script.inputs = ['e2e-user'];
      script.secrets = ['e2e-password'];
      script.picks = ['Copy to clipboard'];
      return {
        script,
        check: async () => assert.equal(await vscode.env.clipboard.readText(), JSON.stringify({ auths: { [registry]: { auth: Buffer.from('e2e-user:e2e-password').toString('base64') } } })),
      };
    }
    case 'pullguard.moveToVariable':
      script.buttons = ['Copy JSON and open CI/CD variables docs'];
      return {
        script,
        check: async () => {
          assert.equal(await vscode.env.clipboard.readText(), String(command.arguments?.[0]).trim());
          assert.deepEqual(script.external, ['https://docs.gitlab.com/ci/variables/#for-a-project']);
        },
      };
    default:
      return { script, check: async () => undefined };
  }
}

async function restore(documents: Map<string, { document: vscode.TextDocument; text: string }>): Promise<void> {
  for (const { document, text } of documents.values()) {
    if (document.getText() !== text) await setText(document, text);
    if (document.isDirty) await document.save();
  }
}

function codeCounts(uri: vscode.Uri): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of pullguardDiagnostics(uri)) counts.set(codeOf(d), (counts.get(codeOf(d)) ?? 0) + 1);
  return counts;
}

/** Applies the quick fix titled like `title` offered on `range`, checks the line, then puts the text back. */
async function expectFix(file: string, code: string, needle: string, title: RegExp, fixedLine: RegExp): Promise<void> {
  const document = await openDocument(file, true);
  const range = rangeOf(document, needle);
  await waitForDiagnostics(document, `${code} on \`${needle}\``, (d) => d.some((x) => codeOf(x) === code && x.range.isEqual(range)));
  const actions = await quickFixesAt(document, range);
  const fix = actions.find((action) => title.test(action.title));
  assert.ok(fix, `a quick fix titled like ${title} on \`${needle}\`; offered: ${actions.map((a) => a.title).join(' | ') || 'nothing'}`);
  const touched = await editedDocuments(fix);
  try {
    await applyCodeAction(fix);
    assert.match(document.getText(), fixedLine);
    await waitForDiagnostics(document, `no ${code} after the fix`, (d) => d.length > 0 && !d.some((x) => codeOf(x) === code));
  } finally {
    await restore(touched);
  }
}

/**
 * Every quick fix offered on the file's diagnostics, each applied to the original text: a
 * document changes, and one of the diagnostics on the fix's range is gone. Returns the
 * fixes applied and those that call a client command the extension does not register.
 */
async function applyEveryQuickFix(file: string): Promise<{ applied: string[]; missingCommands: string[] }> {
  const document = await openDocument(file, true);
  await expectSameAsCli(document, readCliDiagnostics());
  const before = summarizeDiagnostics(document);
  const registered = new Set(await vscode.commands.getCommands(true));
  const applied: string[] = [];
  const missingCommands: string[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const diagnostic of pullguardDiagnostics(document.uri)) {
    // VS Code sends every diagnostic that touches the range, so a fix may be for a neighbour.
    const candidates = pullguardDiagnostics(document.uri).filter((d) => d.range.intersection(diagnostic.range));
    const codes = [...new Set(candidates.map(codeOf))];
    for (const action of await quickFixesAt(document, diagnostic.range)) {
      const edits = action.edit?.entries().map(([uri, e]) => [uri.toString(), e.map((x) => [x.range.start.line, x.range.start.character, x.newText])]);
      const key = JSON.stringify([action.title, edits, action.command?.command]);
      if (seen.has(key)) continue;
      seen.add(key);
      const label = `"${action.title}" at ${diagnostic.range.start.line + 1}:${diagnostic.range.start.character + 1} (${codes.join(', ')})`;
      if (NEEDS_NETWORK.test(action.title)) continue;
      if (action.command && !registered.has(action.command.command)) {
        missingCommands.push(`${label} calls \`${action.command.command}\``);
        continue;
      }
      const counts = codeCounts(document.uri);
      const touched = await editedDocuments(action);
      const { script, check } = action.command ? commandScript(action) : { script: new Script(), check: async () => undefined };
      try {
        await vscode.env.clipboard.writeText('(before the fix)');
        await withPrompts(script, () => applyCodeAction(action));
        await check();
        if (action.edit) {
          assert.ok([...touched.values()].some(({ document: d, text }) => d.getText() !== text), 'a document changed');
          await waitForDiagnostics(document, `one of ${codes.join(', ')} fewer`, () => {
            const now = codeCounts(document.uri);
            return codes.some((code) => (now.get(code) ?? 0) < counts.get(code)!);
          });
        }
        applied.push(action.edit ? label : `${label}, command only: its result checked`);
      } catch (error) {
        problems.push(`${label}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
      await restore(touched);
      await waitForDiagnostics(document, 'the original diagnostics back', () => summarizeDiagnostics(document).join('\n') === before.join('\n'));
    }
  }
  assert.deepEqual(problems, [], `quick fixes that did not work in ${file}`);
  return { applied, missingCommands };
}

describe('quick fixes in the editor', () => {
  before(async () => {
    const extension = await activatePullguard();
    codeActionsAdvertised = Boolean((await getServerCapabilities(extension.extensionPath)).codeActionProvider);
  });

  test('lowercases the repository path with the image/uppercase-repository fix in .gitlab-ci.yml', async () => {
    await expectFix(FILES.pipeline, 'image/uppercase-repository', 'Acme', /`acme`/, /^ {2}image: registry\.gitlab\.com\/acme\/tools\/lint:2\.1$/m);
  });

  test('lowercases the repository path with the image/uppercase-repository fix in config.toml', async () => {
    await expectFix(FILES.runnerConfig, 'image/uppercase-repository', 'Redis', /`redis`/, /^ {4}name = "redis:7"$/m);
  });

  test('rewrites the bare index.docker.io key of config.json with the auth/docker-hub-key fix', async () => {
    await expectFix(FILES.dockerConfig, 'auth/docker-hub-key', '"index.docker.io"', /index\.docker\.io\/v1\//, /^ {4}"https:\/\/index\.docker\.io\/v1\/": \{$/m);
  });

  const files = [FILES.pipeline, FILES.runnerConfig, FILES.dockerConfig, FILES.credentialsFixture, 'fixtures/no-credentials.gitlab-ci.yml'];
  const missingCommands: string[] = [];
  for (const file of files) {
    test(`applies every quick fix offered in ${file}, and each removes a diagnostic of its range`, async () => {
      const result = await applyEveryQuickFix(file);
      missingCommands.push(...result.missingCommands);
      console.log(`      applied in ${file}:\n        ${result.applied.join('\n        ') || '(none offered)'}`);
    });
  }

  test('offers a client command only if the extension registers it', async () => {
    assert.deepEqual(missingCommands, [], 'fixes that call client commands the extension does not register');
  });

  test('applies "fix all" (source.fixAll) on .gitlab-ci.yml and config.json, leaving none of the safe problems', async () => {
    for (const [file, code] of [[FILES.pipeline, 'image/uppercase-repository'], [FILES.dockerConfig, 'auth/docker-hub-key']] as const) {
      const document = await openDocument(file, true);
      await waitForDiagnostics(document, `${code} before fix-all`, (d) => d.some((x) => codeOf(x) === code));
      const whole = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
      const [fixAll] = await quickFixesAt(document, whole, vscode.CodeActionKind.SourceFixAll);
      assert.ok(fixAll, `a source.fixAll action for ${file}`);
      const touched = await editedDocuments(fixAll);
      try {
        await applyCodeAction(fixAll);
        await waitForDiagnostics(document, `no ${code} after fix-all`, (d) => d.length > 0 && !d.some((x) => codeOf(x) === code));
      } finally {
        await restore(touched);
      }
    }
  });
});
