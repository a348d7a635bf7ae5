/**
 * Planted passwords and tokens, in every place credentials can be written, must
 * appear nowhere in what the CLI prints (every format, and `explain`).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { main } from '../../server/src/cli/main';

const PASSWORD = 'Pl4nted-Cli-Passw0rd';
const TOKEN = 'pl4nted-cli-registry-t0ken';
const AUTH = Buffer.from(`ci-user:${PASSWORD}`).toString('base64');
const FORBIDDEN = [AUTH, PASSWORD, TOKEN, Buffer.from(PASSWORD).toString('base64'), encodeURIComponent(PASSWORD), Buffer.from(TOKEN).toString('base64')];

const FILES: Readonly<Record<string, string>> = {
  '.gitlab-ci.yml': [
    'variables:',
    `  DOCKER_AUTH_CONFIG: |`,
    `    {"auths": {"registry.example.com": {"auth": "${AUTH}"}, "t.example.com": {"registrytoken": "${TOKEN}"}, "p.example.com": {"username": "u", "password": "${PASSWORD}\\n"}}}`,
    'build:',
    '  image: registry.example.com/team/app:1',
    '  variables:',
    `    DOCKER_AUTH_CONFIG: '{"auths": {"registry.example.com": {"auth": "${AUTH}x"}}}'`,
    '  script: [make]',
    '',
  ].join('\n'),
  'gitlab-runner/config.toml': `[[runners]]\n  executor = "docker"\n  environment = ["DOCKER_AUTH_CONFIG={\\"auths\\":{\\"registry.example.com\\":{\\"password\\":\\"${PASSWORD}\\",\\"username\\":\\"u\\"}}}"]\n`,
  '.docker/config.json': JSON.stringify({ auths: { 'registry.example.com': { auth: AUTH, email: 'a@example.com' }, 'index.docker.io': { identitytoken: TOKEN } }, credsStore: 'desktop' }),
};

const root = mkdtempSync(join(tmpdir(), 'pullguard-secrets-'));
for (const [name, text] of Object.entries(FILES)) {
  mkdirSync(dirname(join(root, name)), { recursive: true });
  writeFileSync(join(root, name), text);
}
after(() => rmSync(root, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await main(argv, root, { out: (t) => lines.push(t), err: (t) => lines.push(t), readStdin: async () => '' });
  return { code, output: lines.join('\n') };
}

describe('no planted secret in the CLI output', () => {
  for (const format of ['text', 'json', 'sarif', 'codequality']) {
    test(`analysis output in ${format} format`, async () => {
      const { output } = await run(['--format', format]);
      assert.match(output, /auth\//, 'the credential rules ran');
      for (const secret of FORBIDDEN) assert.ok(!output.includes(secret), `${format} output contains ${secret}`);
    });
  }

  for (const format of ['text', 'json']) {
    test(`explain output in ${format} format`, async () => {
      const { output } = await run(['explain', 'registry.example.com/team/app:1', '--file', '.gitlab-ci.yml', '--job', 'build',
        '--runner-config', 'gitlab-runner/config.toml', '--docker-config', '.docker/config.json', '--format', format]);
      assert.match(output, /registry\.example\.com/);
      for (const secret of FORBIDDEN) assert.ok(!output.includes(secret), `explain ${format} output contains ${secret}`);
    });
  }
});
