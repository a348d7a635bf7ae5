/**
 * The client commands (SPEC §3) run against a scripted UI: what they ask, what they
 * produce (JSON, escaped text, clipboard, documents), and that no secret reaches
 * anything the user sees except by the explicit choice to copy it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { decodeAuthAtCursor, encodeCredentials, findAuthAtCursor, COPY_PASSWORD, COPY_USERNAME } from '../../../client/src/commands/authValue';
import { createDockerAuthConfig, getRegistryProblem, toRegistryKey } from '../../../client/src/commands/createAuthConfig';
import { addEcrCredentialHelper, addEcrHelpersToConfig, getEcrRegion, getLoginCommand } from '../../../client/src/commands/ecrHelper';
import { explainCredentials } from '../../../client/src/commands/explain';
import { CI_CD_VARIABLES_DOCS, COPY_AND_OPEN, OPEN_DOCS, moveToVariable } from '../../../client/src/commands/moveToVariable';
import { editorAt, FakeServer, FakeUi, registry } from './fakeUi';

const PASSWORD = 'S3cret-pa$$word';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const ECR2 = '210987654321.dkr.ecr.us-east-2.amazonaws.com';

function assertNoSecretShown(ui: FakeUi, ...secrets: string[]): void {
  const shown = ui.visibleText();
  for (const secret of secrets) assert.ok(!shown.includes(secret), `${secret} was shown: ${shown}`);
}

describe('Create DOCKER_AUTH_CONFIG…', () => {
  test('offers the workspace registries, those without credentials first, and copies the JSON only when chosen', async () => {
    const ui = new FakeUi();
    const server = new FakeServer();
    server.registries = [registry('a.example.com', 2, 0), registry('z.example.com:5000', 1, 1)];
    ui.picks = [(items) => {
      assert.deepEqual(items.map((i) => i.label), ['z.example.com:5000', 'a.example.com', 'Type a registry…']);
      return 'z.example.com:5000';
    }, 'Copy to clipboard'];
    ui.inputs = ['deploy-user'];
    ui.secrets = [PASSWORD];
    assert.equal(await createDockerAuthConfig(ui, server), 'copy');
    assert.deepEqual(ui.clipboard, [JSON.stringify({ auths: { 'z.example.com:5000': { auth: b64(`deploy-user:${PASSWORD}`) } } })]);
    assert.deepEqual(ui.asked.map((a) => a.kind), ['pick', 'ask', 'askSecret', 'pick']);
    assertNoSecretShown(ui, PASSWORD, b64(`deploy-user:${PASSWORD}`));
  });

  test('takes the registry from the quick fix and inserts an escaped YAML scalar at the cursor', async () => {
    const ui = new FakeUi();
    ui.editor = editorAt('variables:\n  DOCKER_AUTH_CONFIG: |\nbuild:\n  image: registry.example.com/app:1\n', 'yaml');
    ui.inputs = ['ci'];
    ui.secrets = ["it's"];
    ui.picks = ['Insert at cursor as a YAML scalar'];
    assert.equal(await createDockerAuthConfig(ui, new FakeServer(), { registry: 'registry.example.com' }), 'insert');
    assert.deepEqual(ui.asked.map((a) => a.kind), ['ask', 'askSecret', 'pick']);
    const value = parseYaml(ui.editor.text).variables.DOCKER_AUTH_CONFIG;
    assert.deepEqual(JSON.parse(value), { auths: { 'registry.example.com': { auth: b64("ci:it's") } } });
    assert.deepEqual(ui.clipboard, []);
  });

  test('inserts a TOML environment entry inside the runner\'s array, and refuses a place that would break the config', async () => {
    const ui = new FakeUi();
    ui.editor = editorAt('[[runners]]\n  executor = "docker"\n  environment = ["A=1", |]\n', 'toml', 'file:///ws/config.toml');
    ui.inputs = ['u'];
    ui.secrets = ['p$w'];
    ui.picks = ['Insert at cursor as a TOML string for `environment`'];
    assert.equal(await createDockerAuthConfig(ui, new FakeServer(), { registry: 'r.example.com' }), 'insert');
    assert.ok(ui.editor.text.includes(`["A=1", "DOCKER_AUTH_CONFIG={\\"auths\\":{\\"r.example.com\\":{\\"auth\\":\\"${b64('u:p$w')}\\"}}}"]`), ui.editor.text);

    const refused = new FakeUi();
    refused.editor = editorAt('[[runners]]\n  environment = ["A=1"]\n  |\n', 'toml', 'file:///ws/config.toml');
    refused.inputs = ['u'];
    refused.secrets = ['p'];
    refused.picks = ['Insert at cursor as a TOML string for `environment`'];
    assert.equal(await createDockerAuthConfig(refused, new FakeServer(), { registry: 'r.example.com' }), undefined);
    assert.equal(refused.editor.text, '[[runners]]\n  environment = ["A=1"]\n  \n');
    assert.match(refused.told[0]!.message, /nothing was inserted.*already has an `environment` array/);
  });

  test('lets the registry be typed, keyed for Docker Hub as the runner matches it, and opens a new JSON document', async () => {
    const ui = new FakeUi();
    const server = new FakeServer();
    server.registries = [registry('registry.example.com', 1, 1)];
    ui.picks = ['Type a registry…', 'Open as new JSON document'];
    ui.inputs = ['docker.io', 'hubuser'];
    ui.secrets = ['tok'];
    assert.equal(await createDockerAuthConfig(ui, server), 'open');
    assert.deepEqual(ui.opened, [{ languageId: 'json', content: `${JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('hubuser:tok') } } }, null, 2)}\n` }]);
  });

  test('asks for the registry directly when the server has none or is not running', async () => {
    const ui = new FakeUi();
    const server = new FakeServer();
    server.failing = true;
    ui.inputs = ['registry.example.com:5000', 'u'];
    ui.secrets = ['p'];
    ui.picks = ['Copy to clipboard'];
    await createDockerAuthConfig(ui, server);
    assert.deepEqual(ui.asked.map((a) => a.kind), ['ask', 'ask', 'askSecret', 'pick']);
    assert.match(ui.clipboard[0]!, /"registry\.example\.com:5000"/);
  });

  test('stops without output when any question is cancelled', async () => {
    for (const step of ['registry', 'username', 'password', 'where'] as const) {
      const ui = new FakeUi();
      ui.inputs = step === 'registry' ? [undefined] : ['r.example.com', ...(step === 'username' ? [undefined] : ['u'])];
      ui.secrets = step === 'password' ? [undefined] : ['p'];
      ui.picks = [undefined];
      assert.equal(await createDockerAuthConfig(ui, new FakeServer()), undefined, step);
      assert.deepEqual([ui.clipboard, ui.opened], [[], []], step);
    }
  });

  test('rejects registries and usernames the runner could not use', () => {
    assert.match(getRegistryProblem('')!, /Type the registry/);
    assert.match(getRegistryProblem('a b')!, /no spaces/);
    assert.equal(getRegistryProblem('registry.example.com:5000/team'), undefined);
    assert.equal(toRegistryKey('index.docker.io'), 'https://index.docker.io/v1/');
    assert.equal(toRegistryKey('registry.example.com/team'), 'registry.example.com/team');
  });

  test('does not accept a username with `:`: the rest would become part of the password', async () => {
    const ui = new FakeUi();
    ui.inputs = ['a:b'];
    await assert.rejects(createDockerAuthConfig(ui, new FakeServer(), { registry: 'r.example.com' }), /splits `auth` at the first `:`/);
  });

  test('keeps the password input masked: never pre-filled, only through askSecret', async () => {
    const ui = new FakeUi();
    ui.inputs = ['u'];
    ui.secrets = ['p'];
    ui.picks = [undefined];
    await createDockerAuthConfig(ui, new FakeServer(), { registry: 'r.example.com' });
    const secret = ui.asked.find((a) => a.kind === 'askSecret');
    assert.ok(secret && !('value' in secret.options!));
  });
});

describe('Encode credentials to base64', () => {
  test('copies the base64 of user:password when chosen, and tells without the value', async () => {
    const ui = new FakeUi();
    ui.inputs = ['alice'];
    ui.secrets = [PASSWORD];
    ui.picks = ['Copy to clipboard'];
    assert.equal(await encodeCredentials(ui), 'copy');
    assert.deepEqual(ui.clipboard, [b64(`alice:${PASSWORD}`)]);
    assertNoSecretShown(ui, PASSWORD, b64(`alice:${PASSWORD}`));
  });

  test('inserts the value at the cursor', async () => {
    const ui = new FakeUi();
    ui.editor = editorAt('{"auths": {"r": {"auth": "|"}}}', 'json', 'file:///ws/.docker/config.json');
    ui.inputs = ['alice'];
    ui.secrets = ['pw'];
    ui.picks = ['Insert at cursor'];
    await encodeCredentials(ui);
    assert.equal(JSON.parse(ui.editor.text).auths.r.auth, b64('alice:pw'));
  });
});

describe('Decode auth at cursor', () => {
  const auth = b64(`alice:${PASSWORD}`);

  test('finds the value under the cursor, or the auth of the line, in plain and escaped JSON', () => {
    assert.equal(findAuthAtCursor(`{"auth": "${auth.slice(0, 5)}|${auth.slice(5)}"}`.replace('|', ''), 14), auth);
    const escaped = `  DOCKER_AUTH_CONFIG: "{\\"auths\\": {\\"r\\": {\\"auth\\": \\"${auth}\\"}}}"`;
    assert.equal(findAuthAtCursor(escaped, 5), auth);
    assert.equal(findAuthAtCursor('image: alpine:3.20', 3), undefined);
  });

  test('shows the username and the masked password, and copies the password only on Copy password', async () => {
    const ui = new FakeUi();
    ui.editor = editorAt(`variables:\n  DOCKER_AUTH_CONFIG: '{"auths": {"r": {"auth": "${auth.slice(0, 3)}|${auth.slice(3)}"}}}'\n`, 'yaml');
    ui.buttons = [COPY_PASSWORD];
    assert.equal(await decodeAuthAtCursor(ui), 'password');
    assert.equal(ui.told.length, 1);
    assert.match(ui.told[0]!.message, /username `alice`, password •••• \(15 characters\)/);
    assert.deepEqual(ui.told[0]!.buttons, [COPY_USERNAME, COPY_PASSWORD]);
    assert.deepEqual(ui.clipboard, [PASSWORD]);
    assertNoSecretShown(ui, PASSWORD);
  });

  test('copies nothing when the message is dismissed', async () => {
    const ui = new FakeUi();
    ui.editor = editorAt(`"auth": "|${auth}"`, 'json');
    ui.buttons = [undefined];
    assert.equal(await decodeAuthAtCursor(ui), undefined);
    assert.deepEqual(ui.clipboard, []);
  });

  test('warns about a password that ends in a newline', async () => {
    const ui = new FakeUi();
    ui.editor = editorAt(`"auth": "|${b64('alice:pw\n')}"`, 'json');
    ui.buttons = [undefined];
    await decodeAuthAtCursor(ui);
    assert.match(ui.told[0]!.message, /ends with a newline/);
  });

  test('says why a value is not a valid auth, without quoting it', async () => {
    const ui = new FakeUi();
    ui.editor = editorAt(`"auth": "|${b64('no-colon')}"`, 'json');
    assert.equal(await decodeAuthAtCursor(ui), undefined);
    assert.equal(ui.told[0]!.severity, 'error');
    assert.match(ui.told[0]!.message, /no `:`/);
  });

  test('asks for a cursor on an auth value when there is none', async () => {
    const ui = new FakeUi();
    ui.editor = editorAt('image: alp|ine', 'yaml');
    await decodeAuthAtCursor(ui);
    assert.match(ui.told[0]!.message, /no base64 `auth` value at the cursor/);
  });
});

describe('Add ECR credential helper', () => {
  test('reads the region of an ECR host and builds the login command', () => {
    assert.equal(getEcrRegion(ECR), 'eu-west-1');
    assert.equal(getLoginCommand(ECR), `aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin ${ECR}`);
  });

  test('adds credHelpers to the Docker config in the editor, keeping its layout', async () => {
    const ui = new FakeUi();
    const server = new FakeServer();
    server.registries = [registry(ECR, 1, 1, 'ecr'), registry('registry.example.com', 1, 1)];
    const before = '{\n    "auths": {\n        "registry.example.com": {}\n    }\n}\n';
    ui.editor = editorAt(`|${before}`, 'json', 'file:///ws/.docker/config.json');
    ui.picks = ['Add to config.json'];
    ui.buttons = ['Copy login command'];
    assert.deepEqual(await addEcrCredentialHelper(ui, server), [ECR]);
    assert.deepEqual(JSON.parse(ui.editor.text), { auths: { 'registry.example.com': {} }, credHelpers: { [ECR]: 'ecr-login' } });
    assert.match(ui.editor.text, /\n {4}"credHelpers": \{\n {8}"123/);
    assert.deepEqual(ui.clipboard, [getLoginCommand(ECR)]);
  });

  test('lets the user choose among several ECR registries and delivers the JSON elsewhere', async () => {
    const ui = new FakeUi();
    const server = new FakeServer();
    server.registries = [registry(ECR, 1, 1, 'ecr'), registry(ECR2, 1, 0, 'ecr')];
    ui.pickManys = [[ECR, ECR2]];
    ui.picks = ['Copy to clipboard'];
    ui.buttons = [undefined, undefined];
    await addEcrCredentialHelper(ui, server);
    assert.deepEqual(JSON.parse(ui.clipboard[0]!), { credHelpers: { [ECR]: 'ecr-login', [ECR2]: 'ecr-login' } });
    assert.equal(ui.clipboard.length, 1);
  });

  test('asks for an ECR host when the workspace uses none, and rejects other hosts', async () => {
    const ui = new FakeUi();
    ui.inputs = ['registry.example.com'];
    await assert.rejects(addEcrCredentialHelper(ui, new FakeServer()), /Not an ECR registry host/);
  });

  test('leaves a config that already has the helpers unchanged', () => {
    const text = JSON.stringify({ credHelpers: { [ECR]: 'ecr-login' } });
    assert.deepEqual(addEcrHelpersToConfig(text, [ECR]), []);
    assert.equal(addEcrHelpersToConfig('[1]', [ECR]), undefined);
  });
});

describe('Explain credentials for image at cursor', () => {
  test('asks the server for the cursor position and shows the trace read-only', async () => {
    const ui = new FakeUi();
    const server = new FakeServer();
    server.explained = { ok: true, image: 'registry.example.com/app:1', text: 'Result: anonymous pull.' };
    ui.editor = editorAt('build:\n  image: registry.exa|mple.com/app:1\n', 'yaml');
    assert.equal(await explainCredentials(ui, server), 'Result: anonymous pull.');
    assert.deepEqual(server.explainAsked, [{ uri: 'file:///ws/.gitlab-ci.yml', position: { line: 1, character: 21 } }]);
    assert.deepEqual(ui.readOnly, [{ title: 'Credentials for registry.example.com/app:1', content: 'Result: anonymous pull.' }]);
  });

  test('passes on why there is nothing to explain', async () => {
    const ui = new FakeUi();
    const server = new FakeServer();
    server.explained = { ok: false, message: 'the cursor is not on an image or service name.' };
    ui.editor = editorAt('|build:\n', 'yaml');
    await explainCredentials(ui, server);
    assert.deepEqual(ui.told.map((t) => t.message), ['Pullguard: the cursor is not on an image or service name.']);
    assert.deepEqual(ui.readOnly, []);
  });
});

describe('Move credentials to a CI/CD variable', () => {
  const json = `{"auths": {"r": {"auth": "${b64('u:p')}"}}}\n`;

  test('copies the JSON and opens the docs only on the explicit choice', async () => {
    const ui = new FakeUi();
    ui.buttons = [COPY_AND_OPEN];
    assert.equal(await moveToVariable(ui, json), 'copied');
    assert.deepEqual(ui.clipboard, [json.trim()]);
    assert.deepEqual(ui.external, [CI_CD_VARIABLES_DOCS]);
    assertNoSecretShown(ui, b64('u:p'));
  });

  test('opens the docs without touching the clipboard, or does nothing when dismissed', async () => {
    const docs = new FakeUi();
    docs.buttons = [OPEN_DOCS];
    assert.equal(await moveToVariable(docs, json), 'docs');
    assert.deepEqual([docs.clipboard, docs.external], [[], [CI_CD_VARIABLES_DOCS]]);
    const dismissed = new FakeUi();
    dismissed.buttons = [undefined];
    assert.equal(await moveToVariable(dismissed, json), undefined);
    assert.deepEqual([dismissed.clipboard, dismissed.external], [[], []]);
  });

  test('says how it is meant to be run when called without the JSON', async () => {
    const ui = new FakeUi();
    assert.equal(await moveToVariable(ui, undefined), undefined);
    assert.match(ui.told[0]!.message, /runs from the quick fix of auth\/committed-secret/);
  });
});
