/**
 * The custom requests behind the client commands (server/src/clientRequests.ts), over
 * the real server: the registries a workspace pulls from (open files and files on disk),
 * the credential trace at a position, and the kind of an open document.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureServerBuilt, positionIn, Session, stopAllSessions, TempWorkspace, uriOf, writeTextFile } from './harness';

const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const AUTH = Buffer.from('ci-user:s3cret-pw').toString('base64');
const workspace = new TempWorkspace('pullguard-lsp-client-requests-');
before(ensureServerBuilt);
after(async () => {
  await stopAllSessions();
  workspace.remove();
});

const PIPELINE = [
  'variables:',
  `  DOCKER_AUTH_CONFIG: '{"auths": {"registry.example.com": {"auth": "${AUTH}"}}}'`,
  'build:',
  '  image: registry.example.com/team/app:1.0',
  '  services:',
  `    - ${ECR}/db:2`,
  '  script: [make]',
  'lint:',
  '  image: alpine:3.20',
  '  script: [lint]',
  '',
].join('\n');

describe('client requests', () => {
  test('lists the registries of open and on-disk pipelines and runner configs, with the images pulled without credentials', async () => {
    const root = workspace.folder('registries');
    writeTextFile(join(root, 'gitlab-runner/config.toml'), '[[runners]]\n  executor = "docker"\n  [runners.docker]\n    image = "quay.io/org/base:1"\n');
    writeTextFile(join(root, 'other.gitlab-ci.yml'), 'test:\n  image: registry.example.com:5000/tools:1\n  script: [t]\n');
    const session = await Session.start({ root });
    const uri = uriOf(join(root, '.gitlab-ci.yml'));
    session.open(uri, PIPELINE);
    await session.waitForCurrent(uri);
    const registries = await session.client.request('pullguard/workspaceRegistries', {});
    assert.deepEqual(registries, [
      { registry: ECR, key: ECR, images: 1, anonymousImages: 1, cloud: 'ecr' },
      { registry: 'docker.io', key: 'https://index.docker.io/v1/', images: 1, anonymousImages: 1 },
      { registry: 'quay.io', key: 'quay.io', images: 1, anonymousImages: 1 },
      { registry: 'registry.example.com', key: 'registry.example.com', images: 1, anonymousImages: 0 },
      { registry: 'registry.example.com:5000', key: 'registry.example.com:5000', images: 1, anonymousImages: 1 },
    ].sort((a, b) => a.registry.localeCompare(b.registry)));
    assert.ok(!JSON.stringify(registries).includes(AUTH));
    assert.equal(await session.stop(), 0);
  });

  test('explains the credentials of the image at a position without any secret', async () => {
    const root = workspace.folder('explain');
    const session = await Session.start({ root });
    const uri = uriOf(join(root, '.gitlab-ci.yml'));
    session.open(uri, PIPELINE);
    await session.waitForCurrent(uri);
    const answer = await session.client.request<{ ok: boolean; image: string; text: string }>('pullguard/explainImage', { textDocument: { uri }, position: positionIn(PIPELINE, 'registry.example.com/team/app:1.0') });
    assert.equal(answer.ok, true);
    assert.equal(answer.image, 'registry.example.com/team/app:1.0');
    assert.match(answer.text, /^Where: job `build`/);
    assert.match(answer.text, /Runner's path: {2}registry\.example\.com\/team\/app/);
    assert.match(answer.text, /auths {8}registry\.example\.com {2}\(user ci-user, password •••• \(9 characters\)\)/);
    assert.match(answer.text, /Result: registry\.example\.com from \$DOCKER_AUTH_CONFIG/);
    assert.ok(!answer.text.includes(AUTH) && !answer.text.includes('s3cret-pw'));
    const off = await session.client.request<{ ok: boolean; message: string }>('pullguard/explainImage', { textDocument: { uri }, position: { line: 0, character: 2 } });
    assert.deepEqual(off, { ok: false, message: 'the cursor is not on an image or service name. Put it on the name after `image:`, `services:` or `name:`.' });
    assert.equal(await session.stop(), 0);
  });

  test('tells the kind of an open document, and none for one it does not have', async () => {
    const root = workspace.folder('kinds');
    const session = await Session.start({ root });
    const files: Array<[string, string, string, string]> = [
      ['.gitlab-ci.yml', PIPELINE, 'yaml', 'gitlab-ci'],
      ['config.toml', '[[runners]]\n  executor = "docker"\n', 'toml', 'runner-config'],
      ['.docker/config.json', '{"auths": {}}', 'json', 'docker-config'],
      ['notes.yml', 'a: 1\n', 'yaml', 'none'],
    ];
    for (const [path, text, language, kind] of files) {
      const uri = uriOf(join(root, path));
      session.open(uri, text, language);
      await session.waitForCurrent(uri);
      assert.equal(await session.client.request('pullguard/documentKind', { textDocument: { uri } }), kind, path);
    }
    assert.equal(await session.client.request('pullguard/documentKind', { textDocument: { uri: uriOf(join(root, 'closed.yml')) } }), 'none');
    assert.equal(await session.stop(), 0);
  });
});
