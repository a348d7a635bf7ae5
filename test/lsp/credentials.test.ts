/**
 * Credentials through the real server: a runner config.toml edited in the editor
 * changes what an open pipeline is told, and no secret ever leaves the server —
 * not in diagnostics, hovers, or logs.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { codesOf, positionAt, Session, uriOf, useTempWorkspace } from './harness';

const PLANTED_PASSWORD = 'Pl4nted-Secr3t-Pw';
const PLANTED_TOKEN = 'pl4nted-identity-t0ken';
const AUTH = Buffer.from(`ci-user:${PLANTED_PASSWORD}`).toString('base64');

/** Every form in which the planted secrets could leak. */
const FORBIDDEN = [
  AUTH,
  PLANTED_PASSWORD,
  PLANTED_TOKEN,
  Buffer.from(PLANTED_PASSWORD).toString('base64'),
  encodeURIComponent(PLANTED_PASSWORD),
  Buffer.from(PLANTED_TOKEN).toString('base64'),
];

function assertNoSecret(what: string, text: string): void {
  for (const secret of FORBIDDEN) assert.ok(!text.includes(secret), `${what} contains a planted secret (${secret})`);
}

const workspace = useTempWorkspace('pullguard-lsp-credentials-');

describe('credentials across files', () => {
  test('adding DOCKER_AUTH_CONFIG to an open runner config.toml clears auth/no-credentials in the open pipeline', async () => {
    const root = workspace.folder('cross');
    const session = await Session.start({ root });
    const pipelineUri = uriOf(join(root, '.gitlab-ci.yml'));
    const runnerUri = uriOf(join(root, 'gitlab-runner/config.toml'));
    session.open(pipelineUri, 'build:\n  image: registry.example.com/team/app:1.0\n  script: [make]\n');
    const first = await session.waitForCurrent(pipelineUri);
    assert.ok(codesOf(first.diagnostics).includes('auth/no-credentials'), codesOf(first.diagnostics).join(', '));

    const mark = session.mark();
    session.open(runnerUri, '[[runners]]\n  executor = "docker"\n', 'toml');
    session.replace(runnerUri, 'executor = "docker"\n', `executor = "docker"\n  environment = ["DOCKER_AUTH_CONFIG={\\"auths\\":{\\"registry.example.com\\":{\\"auth\\":\\"${AUTH}\\"}}}"]\n`);
    const updated = await session.waitForCurrent(pipelineUri, { after: mark });
    assert.ok(!codesOf(updated.diagnostics).includes('auth/no-credentials'), codesOf(updated.diagnostics).join(', '));
    assert.equal(await session.stop(), 0);
  });
});

describe('secrets never leave the server', () => {
  const PIPELINE = [
    'variables:',
    `  DOCKER_AUTH_CONFIG: '{"auths": {"registry.example.com": {"auth": "${AUTH}"}, "other.example.com": {"username": "u", "password": "${PLANTED_PASSWORD}", "identitytoken": "${PLANTED_TOKEN}"}}}'`,
    'build:',
    '  image: registry.example.com/team/app:1.0',
    '  script: [make]',
    'test:',
    '  variables:',
    `    DOCKER_AUTH_CONFIG: "{\\"auths\\": {\\"registry.example.com\\": {\\"auth\\": \\"${AUTH}\\"}, \\"x.example.com\\": {\\"auth\\": \\"bad!\\"}}}"`,
    '  image: registry.example.com/team/app:2.0',
    '  script: [make]',
    '',
  ].join('\n');
  const RUNNER = `[[runners]]\n  executor = "docker"\n  environment = ["DOCKER_AUTH_CONFIG={\\"auths\\":{\\"registry.example.com\\":{\\"username\\":\\"u\\",\\"password\\":\\"${PLANTED_PASSWORD}\\"}}}"]\n  [runners.docker]\n    image = "registry.example.com/base:1"\n`;
  const CONFIG = JSON.stringify({ auths: { 'registry.example.com': { auth: AUTH }, 'bad.example.com': { auth: `${AUTH}!` } }, credsStore: 'desktop' }, null, 2);

  test('publishes diagnostics, answers hovers at every character and logs without any planted secret', async () => {
    const root = workspace.folder('secrets');
    const session = await Session.start({ root, settings: { rules: {} } });
    const files: Array<[string, string, string]> = [
      [uriOf(join(root, '.gitlab-ci.yml')), PIPELINE, 'yaml'],
      [uriOf(join(root, 'gitlab-runner/config.toml')), RUNNER, 'toml'],
      [uriOf(join(root, '.docker/config.json')), CONFIG, 'json'],
    ];
    for (const [uri, text, language] of files) {
      session.open(uri, text, language);
      const published = await session.waitForCurrent(uri);
      assert.ok(published.diagnostics.length > 0, `no diagnostics for ${uri}`);
      assertNoSecret(`diagnostics of ${uri}`, JSON.stringify(published.diagnostics));
      for (let offset = 0; offset < text.length; offset += 3) {
        const hover = await session.hover(uri, positionAt(text, offset));
        if (hover) assertNoSecret(`hover at ${offset} of ${uri}`, JSON.stringify(hover));
      }
    }
    assertNoSecret('log messages', JSON.stringify(session.logMessages));
    assertNoSecret('shown messages', JSON.stringify(session.shownMessages));
    assertNoSecret('server stderr', session.stderr());
    assert.equal(await session.stop(), 0);
  });
});
