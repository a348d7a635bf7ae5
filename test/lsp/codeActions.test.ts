/**
 * Code actions through the real server: `textDocument/codeAction` for a published
 * diagnostic, its `WorkspaceEdit` applied here by a small applier and sent back as
 * `didChange`, then the diagnostics of the new version. Every fix kind, with Docker's
 * JSON escaped inside a YAML double-quoted scalar, a YAML block scalar and a TOML
 * basic string; commands; and the fix-all source action.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, Position, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { codesOf, ensureServerBuilt, Session, stopAllSessions, TempWorkspace, uriOf } from './harness';

const AUTH = Buffer.from('ci-user:s3cret-pw').toString('base64');
const AUTH_NEWLINE = Buffer.from('ci-user:s3cret-pw\n').toString('base64');
const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const FIX_ALL = 'source.fixAll.pullguard';

const workspace = new TempWorkspace('pullguard-lsp-code-actions-');
before(ensureServerBuilt);
after(async () => {
  await stopAllSessions();
  workspace.remove();
});

// ---- A small WorkspaceEdit applier --------------------------------------------------------

/** The offset of an LSP position (UTF-16 units; lines end at `\n`, `\r\n` or `\r`). */
function offsetAt(text: string, position: Position): number {
  let offset = 0;
  for (let line = 0; line < position.line; line++) {
    const next = text.slice(offset).search(/\r\n|\r|\n/);
    if (next === -1) return text.length;
    offset += next + (text.startsWith('\r\n', offset + next) ? 2 : 1);
  }
  return Math.min(text.length, offset + position.character);
}

function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const placed = edits.map((edit) => ({ start: offsetAt(text, edit.range.start), end: offsetAt(text, edit.range.end), newText: edit.newText }));
  placed.sort((a, b) => b.start - a.start || b.end - a.end);
  for (let i = 1; i < placed.length; i++) assert.ok(placed[i]!.end <= placed[i - 1]!.start, 'the edits of one document overlap');
  let result = text;
  for (const edit of placed) result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
  return result;
}

/** Applies the edit to the open documents it names and sends each as a full-text change. */
function applyWorkspaceEdit(session: Session, edit: WorkspaceEdit | undefined): string[] {
  assert.ok(edit?.changes, 'the action has no edit');
  for (const [uri, edits] of Object.entries(edit.changes)) session.change(uri, [{ text: applyTextEdits(session.text(uri), edits) }]);
  return Object.keys(edit.changes);
}

function requestCodeActions(session: Session, uri: string, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
  const range = diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return session.client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, ...(only ? { only } : {}) } });
}

// ---- One quick fix, end to end ------------------------------------------------------------

interface File {
  readonly path: string;
  readonly text: string;
}

interface QuickFixCase {
  readonly files: readonly File[];
  /** The file whose diagnostic is fixed. */
  readonly target: string;
  readonly code: string;
  readonly title: string;
  /** Each edited file's expected text. */
  readonly expected: Readonly<Record<string, string>>;
}

const LANGUAGES: Readonly<Record<string, string>> = { yml: 'yaml', toml: 'toml', json: 'json' };

let folders = 0;

/** Opens the files, asks for the fix of `code`, applies it, and returns the action and the new diagnostics. */
async function runQuickFix(fix: QuickFixCase): Promise<{ action: CodeAction; after: Diagnostic[] }> {
  const root = workspace.folder(`case-${++folders}`);
  const session = await Session.start({ root });
  const uriOfPath = (path: string) => uriOf(join(root, path));
  for (const file of fix.files) session.open(uriOfPath(file.path), file.text, LANGUAGES[file.path.split('.').pop()!] ?? 'plaintext');
  const target = uriOfPath(fix.target);
  // The index must know every file before the target's diagnostics are final.
  for (const file of fix.files) await session.waitForCurrent(uriOfPath(file.path));
  const published = await session.waitForDiagnostics(target, {
    version: session.version(target),
    where: (p) => p.diagnostics.some((d) => d.code === fix.code),
    what: `${fix.code} in ${fix.target}`,
  });
  const diagnostic = published.diagnostics.find((d) => d.code === fix.code)!;
  const actions = await requestCodeActions(session, target, [diagnostic]);
  const action = actions.find((a) => a.title === fix.title);
  assert.ok(action, `no action titled ${fix.title} among ${JSON.stringify(actions.map((a) => a.title))}`);
  assert.equal(action.kind, 'quickfix');
  assert.deepEqual(action.diagnostics?.map((d) => d.code), [fix.code]);
  const mark = session.mark();
  const changed = applyWorkspaceEdit(session, action.edit);
  assert.deepEqual(changed.sort(), Object.keys(fix.expected).map(uriOfPath).sort());
  for (const [path, text] of Object.entries(fix.expected)) assert.equal(session.text(uriOfPath(path)), text, path);
  const republished = await session.waitForDiagnostics(target, { after: mark, version: session.version(target), what: `${fix.target} after the fix` });
  assert.equal(await session.stop(), 0);
  return { action, after: republished.diagnostics };
}

async function assertFixed(fix: QuickFixCase): Promise<CodeAction> {
  const { action, after: diagnostics } = await runQuickFix(fix);
  assert.ok(!codesOf(diagnostics).includes(fix.code), `${fix.code} is still reported: ${codesOf(diagnostics).join(', ')}`);
  return action;
}

// ---- Fixtures -------------------------------------------------------------------------------

/** Compact JSON as written by hand: `{"a": 1, "b": {}}`. */
function compact(value: unknown): string {
  return JSON.stringify(value, null, 1).replace(/,\n\s*/g, ', ').replace(/\n\s*/g, '');
}

function doubleQuoted(json: string): string {
  return `"${json.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function literalBlock(json: string): string {
  return `|\n${json.split('\n').map((line) => `    ${line}`).join('\n')}`;
}

function pipeline(scalar: string, image = 'alpine:3.20'): string {
  return `variables:\n  DOCKER_AUTH_CONFIG: ${scalar}\n  OTHER: "1"\nbuild:\n  image: ${image}\n  script: [make]\n`;
}

function runner(entries: string): string {
  return `[[runners]]\n  name = "docker"\n  executor = "docker"\n  environment = [${entries}]\n`;
}

function tomlBasic(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

const CI = '.gitlab-ci.yml';
const RUNNER = 'gitlab-runner/config.toml';
const DOCKER = '.docker/config.json';

// ---- Tests ------------------------------------------------------------------------------------

describe('code actions over LSP', () => {
  test('the server advertises quick fixes and the fix-all source action', async () => {
    const session = await Session.start({ root: workspace.folder('capabilities') });
    assert.deepEqual(session.initializeResult?.capabilities.codeActionProvider, { codeActionKinds: ['quickfix', FIX_ALL], resolveProvider: false });
    assert.equal(await session.stop(), 0);
  });

  describe('Docker JSON in a YAML double-quoted scalar', () => {
    test('renames a top-level key written in the wrong case (replace)', async () => {
      const config = (key: string) => pipeline(doubleQuoted(compact({ [key]: { 'registry.example.com': { auth: AUTH } } })));
      await assertFixed({ files: [{ path: CI, text: config('Auths') }], target: CI, code: 'auth/unknown-key', title: 'Rename to "auths"', expected: { [CI]: config('auths') } });
    });

    test('re-encodes an auth without its trailing newline (strip-auth-newline)', async () => {
      const config = (auth: string) => pipeline(doubleQuoted(compact({ auths: { 'registry.example.com': { auth } } })));
      await assertFixed({ files: [{ path: CI, text: config(AUTH_NEWLINE) }], target: CI, code: 'auth/trailing-newline', title: 'Re-encode `auth` without the trailing newline', expected: { [CI]: config(AUTH) } });
    });

    test('removes a credsStore the runner cannot run (remove-creds-store)', async () => {
      const text = pipeline(doubleQuoted(compact({ auths: { 'registry.example.com': { auth: AUTH } }, credsStore: 'desktop' })));
      await assertFixed({
        files: [{ path: CI, text }], target: CI, code: 'auth/helper-unavailable', title: 'Remove `credsStore`',
        expected: { [CI]: text.replace(', \\"credsStore\\": \\"desktop\\"', '') },
      });
    });
  });

  describe('Docker JSON in a YAML block scalar', () => {
    test('turns credsStore into credHelpers for every registry in auths (creds-store-to-helpers)', async () => {
      const before = { auths: { 'registry.example.com': { auth: AUTH }, 'docker.io': {} }, credsStore: 'pass' };
      const fixed = { auths: before.auths, credHelpers: { 'registry.example.com': 'pass', 'docker.io': 'pass' } };
      await assertFixed({
        files: [{ path: CI, text: pipeline(literalBlock(JSON.stringify(before, null, 2))) }], target: CI, code: 'auth/creds-store',
        title: 'Replace `credsStore` with `credHelpers` → `pass` for every registry in `auths`, empty placeholders included: `registry.example.com`, `docker.io`',
        expected: { [CI]: pipeline(literalBlock(JSON.stringify(fixed, null, 2))) },
      });
    });

    test('removes the variable and hands its JSON to the client command (move-to-variable)', async () => {
      const json = JSON.stringify({ auths: { 'registry.example.com': { auth: AUTH } } }, null, 2);
      const text = pipeline(literalBlock(json));
      const action = await assertFixed({
        files: [{ path: CI, text }], target: CI, code: 'auth/committed-secret', title: 'Move `DOCKER_AUTH_CONFIG` to a CI/CD variable',
        expected: { [CI]: 'variables:\n  OTHER: "1"\nbuild:\n  image: alpine:3.20\n  script: [make]\n' },
      });
      assert.equal(action.isPreferred, true);
      assert.equal(action.command?.command, 'pullguard.moveToVariable');
      assert.equal(action.command?.arguments?.[0], `${json}\n`);
    });
  });

  describe('Docker JSON in a TOML basic string', () => {
    test('removes the ignored email field (remove-field)', async () => {
      const text = runner(`"A=1", ${tomlBasic(`DOCKER_AUTH_CONFIG=${compact({ auths: { 'registry.example.com': { auth: AUTH, email: 'ci@example.com' } } })}`)}`);
      await assertFixed({
        files: [{ path: RUNNER, text }], target: RUNNER, code: 'auth/email-ignored', title: 'Remove `email`',
        expected: { [RUNNER]: text.replace(', \\"email\\": \\"ci@example.com\\"', '') },
      });
    });

    test('replaces a static ECR token with the ecr-login helper (ecr-helper)', async () => {
      const entry = (value: unknown) => runner(tomlBasic(`DOCKER_AUTH_CONFIG=${compact(value)}`));
      await assertFixed({
        files: [{ path: RUNNER, text: entry({ auths: { [ECR]: { auth: AUTH } } }) }], target: RUNNER, code: 'auth/ecr-static-token',
        title: `Use the \`ecr-login\` credential helper for \`${ECR}\``,
        expected: { [RUNNER]: entry({ auths: {}, credHelpers: { [ECR]: 'ecr-login' } }) },
      });
    });

    test('escapes a literal $ as $$ (replace)', async () => {
      const entry = (password: string) => runner(tomlBasic(`DOCKER_AUTH_CONFIG=${compact({ auths: { 'registry.example.com': { username: 'u', password } } })}`));
      await assertFixed({ files: [{ path: RUNNER, text: entry('pa$word') }], target: RUNNER, code: 'auth/dollar-expansion', title: 'Escape as $$', expected: { [RUNNER]: entry('pa$$word') } });
    });

    test('renames the key a pipeline image misses by its port, in the runner config (rename-key)', async () => {
      const config = (key: string) => runner(tomlBasic(`DOCKER_AUTH_CONFIG=${compact({ auths: { [key]: { auth: AUTH } } })}`));
      await assertFixed({
        files: [{ path: RUNNER, text: config('registry.example.com') }, { path: CI, text: 'build:\n  image: registry.example.com:5000/team/app:1.0\n  script: [make]\n' }],
        target: CI, code: 'auth/port-mismatch', title: 'Rename the key `registry.example.com` to `registry.example.com:5000`',
        expected: { [RUNNER]: config('registry.example.com:5000') },
      });
    });
  });

  describe('a Docker config.json', () => {
    test('removes an empty entry (remove-entry)', async () => {
      const text = JSON.stringify({ auths: { 'registry.example.com': { auth: AUTH }, 'old.example.com': {} } }, null, 2);
      await assertFixed({
        files: [{ path: DOCKER, text }], target: DOCKER, code: 'auth/empty-entry', title: 'Remove the `old.example.com` entry',
        expected: { [DOCKER]: JSON.stringify({ auths: { 'registry.example.com': { auth: AUTH } } }, null, 2) },
      });
    });

    test('removes a credHelpers entry the runner cannot run (remove-helper)', async () => {
      const text = JSON.stringify({ auths: { 'registry.example.com': { auth: AUTH } }, credHelpers: { 'gcr.io': 'osxkeychain' } }, null, 2);
      await assertFixed({
        files: [{ path: DOCKER, text }], target: DOCKER, code: 'auth/helper-unavailable', title: 'Remove the `gcr.io` credential helper',
        expected: { [DOCKER]: JSON.stringify({ auths: { 'registry.example.com': { auth: AUTH } }, credHelpers: {} }, null, 2) },
      });
    });
  });

  describe('pipelines and runner configs', () => {
    test('lowercases the repository path (edits)', async () => {
      const text = 'build:\n  image: registry.example.com/Team/App:1.0\n  script: [make]\n';
      await assertFixed({ files: [{ path: CI, text }], target: CI, code: 'image/uppercase-repository', title: 'Lowercase to `team/app`', expected: { [CI]: text.replace('Team/App', 'team/app') } });
    });

    test('corrects a pull policy (replace)', async () => {
      const text = 'build:\n  image:\n    name: alpine:3.20\n    pull_policy: if_not_present\n  script: [make]\n';
      await assertFixed({ files: [{ path: CI, text }], target: CI, code: 'ci/invalid-pull-policy', title: 'Change to `if-not-present`', expected: { [CI]: text.replace('if_not_present', 'if-not-present') } });
    });

    test('gives a colliding service an alias (edits)', async () => {
      const text = 'build:\n  services:\n    - postgres:16.4\n    - postgres:16.4\n  script: [make]\n';
      await assertFixed({
        files: [{ path: CI, text }], target: CI, code: 'service/alias-collision', title: 'Add alias `postgres-2`',
        expected: { [CI]: text.replace('- postgres:16.4\n  script', '- {name: postgres:16.4, alias: postgres-2}\n  script') },
      });
    });

    test('removes links and turns on FF_NETWORK_PER_BUILD (edits)', async () => {
      const text = '[[runners]]\n  executor = "docker"\n  environment = ["A=1"]\n  [runners.docker]\n    image = "alpine:3.20"\n    links = ["mysql:db"]\n';
      await assertFixed({
        files: [{ path: RUNNER, text }], target: RUNNER, code: 'runner/legacy-links', title: 'Remove `links` and turn on FF_NETWORK_PER_BUILD',
        expected: { [RUNNER]: text.replace('"A=1"]', '"A=1", "FF_NETWORK_PER_BUILD=true"]').replace('    links = ["mysql:db"]\n', '') },
      });
    });

    test('renames an unknown [runners.docker] key to the one it was meant to be (replace)', async () => {
      const text = '[[runners]]\n  executor = "docker"\n  [runners.docker]\n    image = "alpine:3.20"\n    pull_polcy = "if-not-present"\n';
      const action = await assertFixed({
        files: [{ path: RUNNER, text }], target: RUNNER, code: 'runner/unknown-key', title: 'Rename to `pull_policy`',
        expected: { [RUNNER]: text.replace('pull_polcy', 'pull_policy') },
      });
      assert.equal(action.isPreferred, true);
    });

    test('offers Create DOCKER_AUTH_CONFIG as a client command with the registry (create-auth-config)', async () => {
      const session = await Session.start({ root: workspace.folder('create-auth-config') });
      const uri = uriOf(join(workspace.root, 'create-auth-config', CI));
      session.open(uri, `build:\n  image: ${ECR}/app:1.0\n  script: [make]\n`);
      const published = await session.waitForCurrent(uri);
      const diagnostic = published.diagnostics.find((d) => d.code === 'auth/no-credentials');
      assert.ok(diagnostic, codesOf(published.diagnostics).join(', '));
      const actions = await requestCodeActions(session, uri, [diagnostic]);
      assert.deepEqual(actions.map((a) => [a.title, a.kind, a.edit, a.command?.command, a.command?.arguments]), [
        [`Create DOCKER_AUTH_CONFIG for \`${ECR}\`…`, 'quickfix', undefined, 'pullguard.createDockerAuthConfig', [{ registry: ECR }]],
      ]);
      assert.equal(await session.stop(), 0);
    });
  });

  describe('every other fix of SPEC §1, in each host string style', () => {
    test('uses the key docker login writes for a bare Docker Hub host, in a config.json (replace)', async () => {
      const config = (key: string) => JSON.stringify({ auths: { [key]: { auth: AUTH } } }, null, 2);
      await assertFixed({ files: [{ path: DOCKER, text: config('registry-1.docker.io') }], target: DOCKER, code: 'auth/docker-hub-key', title: 'Use "https://index.docker.io/v1/"', expected: { [DOCKER]: config('https://index.docker.io/v1/') } });
    });

    test('drops the scheme of a key in a YAML single-quoted scalar (replace)', async () => {
      const config = (key: string) => pipeline(`'${compact({ auths: { [key]: { auth: AUTH } } })}'`, 'registry.example.com/team/app:1.0');
      await assertFixed({ files: [{ path: CI, text: config('https://registry.example.com/team') }], target: CI, code: 'auth/scheme-drops-path', title: 'Use "registry.example.com/team"', expected: { [CI]: config('registry.example.com/team') } });
    });

    test('removes the duplicate entry in a TOML literal string (remove-entry)', async () => {
      const entry = (value: unknown) => runner(`'DOCKER_AUTH_CONFIG=${compact(value)}'`);
      await assertFixed({
        files: [{ path: RUNNER, text: entry({ auths: { 'docker.io': { auth: AUTH }, 'https://index.docker.io/v1/': { auth: AUTH } } }) }], target: RUNNER, code: 'auth/duplicate-registry',
        title: 'Remove the `https://index.docker.io/v1/` entry', expected: { [RUNNER]: entry({ auths: { 'docker.io': { auth: AUTH } } }) },
      });
    });

    test('turns credsStore ecr-login into per-registry credHelpers in a YAML single-quoted scalar (creds-store-to-helpers)', async () => {
      const text = (json: string) => `variables:\n  DOCKER_AUTH_CONFIG: '${json}'\nbuild:\n  image: ${ECR}/app:1.0\n  script: [make]\n`;
      await assertFixed({
        files: [{ path: CI, text: text('{"credsStore": "ecr-login"}') }], target: CI, code: 'auth/ecr-creds-store',
        title: `Replace \`credsStore\` with \`credHelpers\` → \`ecr-login\` for each ECR registry in \`auths\` or used here: \`${ECR}\``,
        expected: { [CI]: text(`{"credHelpers": {"${ECR}": "ecr-login"}}`) },
      });
    });

    test('re-encodes an auth inside a TOML multi-line basic string (strip-auth-newline)', async () => {
      const entry = (auth: string) => runner(`"""DOCKER_AUTH_CONFIG=${compact({ auths: { 'registry.example.com': { auth } } })}"""`);
      await assertFixed({ files: [{ path: RUNNER, text: entry(AUTH_NEWLINE) }], target: RUNNER, code: 'auth/trailing-newline', title: 'Re-encode `auth` without the trailing newline', expected: { [RUNNER]: entry(AUTH) } });
    });

    test('removes the ignored email field inside a YAML folded scalar (remove-field)', async () => {
      const folded = (value: unknown) => `>\n    ${compact(value)}`;
      await assertFixed({
        files: [{ path: CI, text: pipeline(folded({ auths: { 'registry.example.com': { auth: AUTH, email: 'ci@example.com' } } })) }], target: CI, code: 'auth/email-ignored',
        title: 'Remove `email`', expected: { [CI]: pipeline(folded({ auths: { 'registry.example.com': { auth: AUTH } } })) },
      });
    });

    test('uses the dependency proxy prefix variable (replace)', async () => {
      const text = 'build:\n  image: gitlab.com/group/dependency_proxy/containers/alpine:3.20\n  script: [make]\n';
      await assertFixed({ files: [{ path: CI, text }], target: CI, code: 'image/dependency-proxy-port', title: 'Use $CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX', expected: { [CI]: text.replace('gitlab.com/group/dependency_proxy/containers', '$CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX') } });
    });

    test('moves a top-level image under default: (edits)', async () => {
      const text = 'image:\n  name: python:3.12\n  entrypoint: [""]\nbuild:\n  script: [make]\n';
      await assertFixed({ files: [{ path: CI, text }], target: CI, code: 'ci/deprecated-global', title: 'Move `image` under `default:`', expected: { [CI]: 'default:\n  image:\n    name: python:3.12\n    entrypoint: [""]\nbuild:\n  script: [make]\n' } });
    });

    test('renames an image key GitLab does not know (replace)', async () => {
      const text = 'build:\n  image:\n    name: python:3.12\n    entry_point: [""]\n  script: [make]\n';
      await assertFixed({ files: [{ path: CI, text }], target: CI, code: 'ci/invalid-image-key', title: 'Change to `entrypoint`', expected: { [CI]: text.replace('entry_point', 'entrypoint') } });
    });

    test('wraps a single entrypoint in a list (replace)', async () => {
      const text = 'build:\n  image:\n    name: python:3.12\n    entrypoint: "sh"\n  script: [make]\n';
      await assertFixed({ files: [{ path: CI, text }], target: CI, code: 'ci/invalid-entrypoint', title: 'Change to ["sh"]', expected: { [CI]: text.replace('"sh"', '["sh"]') } });
    });

    test('corrects a runner pull policy in its string style (replace)', async () => {
      const text = "[[runners]]\n  executor = \"docker\"\n  [runners.docker]\n    pull_policy = ['if_not_present']\n";
      await assertFixed({ files: [{ path: RUNNER, text }], target: RUNNER, code: 'runner/invalid-pull-policy', title: 'Change to "if-not-present"', expected: { [RUNNER]: text.replace('if_not_present', 'if-not-present') } });
    });

    test('adds FF_NETWORK_PER_BUILD to a runner with services (edits)', async () => {
      const text = '[[runners]]\n  executor = "docker"\n  [[runners.docker.services]]\n    name = "mysql:8"\n';
      await assertFixed({
        files: [{ path: RUNNER, text }], target: RUNNER, code: 'runner/no-network-per-build', title: 'Add FF_NETWORK_PER_BUILD=true to environment',
        expected: { [RUNNER]: text.replace('executor = "docker"\n', 'executor = "docker"\n  environment = ["FF_NETWORK_PER_BUILD=true"]\n') },
      });
    });

    test('converts services written as strings to tables (edits)', async () => {
      const text = '[[runners]]\n  executor = "docker"\n  environment = ["FF_NETWORK_PER_BUILD=true"]\n  [runners.docker]\n    services = ["mysql:8", "redis:7"]\n';
      await assertFixed({ files: [{ path: RUNNER, text }], target: RUNNER, code: 'runner/services-as-strings', title: 'Convert to tables', expected: { [RUNNER]: text.replace('["mysql:8", "redis:7"]', '[{ name = "mysql:8" }, { name = "redis:7" }]') } });
    });

    test('moves a DOCKER_AUTH_CONFIG out of a runner environment (move-to-variable)', async () => {
      const json = compact({ auths: { 'registry.example.com': { auth: AUTH } } });
      const text = runner(`"A=1", ${tomlBasic(`DOCKER_AUTH_CONFIG=${json}`)}`);
      const action = await assertFixed({ files: [{ path: RUNNER, text }], target: RUNNER, code: 'auth/committed-secret', title: 'Move `DOCKER_AUTH_CONFIG` to a CI/CD variable', expected: { [RUNNER]: runner('"A=1"') } });
      assert.equal(action.command?.command, 'pullguard.moveToVariable');
      assert.equal(action.command?.arguments?.[0], json);
    });
  });

  describe('fix all', () => {
    test('applies every safe fix of the document in one edit and leaves the rest', async () => {
      const root = workspace.folder('fix-all');
      const session = await Session.start({ root });
      const uri = uriOf(join(root, CI));
      const text = [
        'variables:',
        `  DOCKER_AUTH_CONFIG: ${doubleQuoted(compact({ Auths: { 'registry.example.com': { auth: AUTH_NEWLINE, email: 'ci@example.com' } } }))}`,
        'build:',
        '  image: registry.example.com/Team/app:1.0',
        '  script: [make]',
        '',
      ].join('\n');
      session.open(uri, text);
      const published = await session.waitForCurrent(uri);
      const actions = await requestCodeActions(session, uri, [], [FIX_ALL]);
      assert.equal(actions.length, 1);
      const [action] = actions as [CodeAction];
      assert.equal(action.kind, FIX_ALL);
      assert.deepEqual(codesOf(action.diagnostics ?? []).sort(), ['auth/email-ignored', 'auth/trailing-newline', 'auth/unknown-key', 'image/uppercase-repository']);
      const mark = session.mark();
      applyWorkspaceEdit(session, action.edit);
      assert.equal(session.text(uri), text
        .replace('\\"Auths\\"', '\\"auths\\"')
        .replace(`\\"${AUTH_NEWLINE}\\", \\"email\\": \\"ci@example.com\\"`, `\\"${AUTH}\\"`)
        .replace('Team', 'team'));
      const fixed = await session.waitForDiagnostics(uri, { after: mark, version: session.version(uri) });
      const left = codesOf(fixed.diagnostics);
      for (const code of codesOf(action.diagnostics ?? [])) assert.ok(!left.includes(code), `${code} is still reported`);
      // The committed secret needs the user: it is only a quick fix with a command.
      assert.ok(codesOf(published.diagnostics).includes('auth/committed-secret') && left.includes('auth/committed-secret'));
      assert.equal(await session.stop(), 0);
    });
  });
});
