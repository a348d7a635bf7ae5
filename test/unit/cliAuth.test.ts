/**
 * `pullguard auth encode|decode` and `pullguard explain` (SPEC §5): their output,
 * the public JSON shape of `explain`, exit statuses, and above all that no output
 * in any format ever contains a password, plain or base64-encoded, except the
 * `auth` value that `auth encode` exists to print.
 *
 * Most tests call `main` in process; one group spawns the bundled `dist/cli.js`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ensureBuilt } from '../helpers/build';
import { after, before, describe, test } from 'node:test';
import { main } from '../../server/src/cli/main';

const REPO_ROOT = resolve(__dirname, '../..');
const CLI_BUNDLE = join(REPO_ROOT, 'dist/cli.js');

const PASSWORD = 'S3cr3t-Planted-Pw!';
const USER = 'deploy';

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Every form in which the planted password must never appear. */
const LEAKS = [PASSWORD, b64(`${USER}:${PASSWORD}`), b64(PASSWORD), b64(`${USER}:${PASSWORD}\n`), Buffer.from(PASSWORD).toString('base64url')];

function assertNoLeak(text: string, what: string): void {
  for (const leak of LEAKS) assert.ok(!text.includes(leak), `${what} contains the secret as ${JSON.stringify(leak)}:\n${text}`);
}

// ---- Fixtures -----------------------------------------------------------------------

const AUTH = b64(`${USER}:${PASSWORD}`);
const DOCKER_CONFIG = JSON.stringify({ auths: { 'registry.example.com:5000': { auth: AUTH }, 'ghcr.io': { username: USER, password: PASSWORD } } }, null, 2);
const PIPELINE = `variables:
  DOCKER_AUTH_CONFIG: '{"auths":{"registry.example.com:5000/team":{"auth":"${AUTH}"},"registry.gitlab.com":{}}}'
build:
  image: registry.example.com:5000/team/app:1
  script: [make]
other:
  variables:
    DOCKER_AUTH_CONFIG: '{"auths":{"other.example.com":{"password":"${PASSWORD}","username":"${USER}"}}}'
  script: [make]
`;
const RUNNER_CONFIG = `[[runners]]
  name = "docker"
  executor = "docker"
  environment = ["DOCKER_AUTH_CONFIG={\\"auths\\":{\\"registry.example.com:5000\\":{\\"auth\\":\\"${AUTH}\\"}}}"]
`;

const temporaryFolders: string[] = [];
after(() => {
  for (const folder of temporaryFolders) rmSync(folder, { recursive: true, force: true });
});

function makeTree(files: Readonly<Record<string, string>>): string {
  const root = mkdtempSync(join(tmpdir(), 'pullguard-auth-test-'));
  temporaryFolders.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const TREE = makeTree({ '.gitlab-ci.yml': PIPELINE, 'config.toml': RUNNER_CONFIG, 'docker/config.json': DOCKER_CONFIG, 'broken.json': `{"auths":{"x":{"password":"${PASSWORD}"}},}` });

// ---- Running ------------------------------------------------------------------------

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function run(argv: readonly string[], stdin = '', cwd = TREE): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, cwd, { out: (text) => out.push(text), err: (text) => err.push(text), readStdin: async () => stdin });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

// ---- auth encode ------------------------------------------------------------------------

describe('pullguard auth encode', () => {
  const cases: ReadonlyArray<{ name: string; input: string; expected: string }> = [
    { name: 'drops the one newline that echo adds', input: `${PASSWORD}\n`, expected: `${USER}:${PASSWORD}` },
    { name: 'drops a Windows line ending', input: `${PASSWORD}\r\n`, expected: `${USER}:${PASSWORD}` },
    { name: 'takes a password without a newline as it is', input: PASSWORD, expected: `${USER}:${PASSWORD}` },
    { name: 'drops exactly one newline, no more', input: `${PASSWORD}\n\n`, expected: `${USER}:${PASSWORD}\n` },
    { name: 'keeps trailing spaces, which may be part of the password', input: `${PASSWORD} \n`, expected: `${USER}:${PASSWORD} ` },
  ];
  for (const { name, input, expected } of cases) {
    test(name, async () => {
      const result = await run(['auth', 'encode', '--registry', 'registry.example.com:5000', '--username', USER, '--password-stdin'], input);
      assert.equal(result.code, 0, result.err);
      assert.equal(result.out, JSON.stringify({ auths: { 'registry.example.com:5000': { auth: b64(expected) } } }));
    });
  }

  test('prints the base64 form of the password by design, never the plain password', async () => {
    const result = await run(['auth', 'encode', '--registry', 'r.example.com', '--username', USER, '--password-stdin'], PASSWORD);
    assert.ok(result.out.includes(AUTH));
    assert.ok(!`${result.out}\n${result.err}`.includes(PASSWORD));
  });

  const refusals: ReadonlyArray<{ name: string; input: { argv: readonly string[]; stdin: string }; expected: RegExp }> = [
    { name: 'refuses a username with a colon', input: { argv: ['--registry', 'r.example.com', '--username', 'de:ploy', '--password-stdin'], stdin: PASSWORD }, expected: /first `:`/ },
    { name: 'refuses an empty username', input: { argv: ['--registry', 'r.example.com', '--username', '', '--password-stdin'], stdin: PASSWORD }, expected: /username is empty/ },
    { name: 'refuses to run without --password-stdin', input: { argv: ['--registry', 'r.example.com', '--username', USER], stdin: PASSWORD }, expected: /--password-stdin/ },
    { name: 'refuses an empty password', input: { argv: ['--registry', 'r.example.com', '--username', USER, '--password-stdin'], stdin: '\n' }, expected: /No password/ },
    { name: 'refuses to run without --registry', input: { argv: ['--username', USER, '--password-stdin'], stdin: PASSWORD }, expected: /--registry/ },
    { name: 'refuses a password given as an argument without echoing it', input: { argv: ['--registry', 'r.example.com', '--username', USER, PASSWORD], stdin: '' }, expected: /no positional arguments/ },
    { name: 'refuses a --password flag without echoing its value', input: { argv: ['--registry', 'r.example.com', '--username', USER, `--password=${PASSWORD}`], stdin: '' }, expected: /Unknown option '--password'/ },
  ];
  for (const { name, input, expected } of refusals) {
    test(name, async () => {
      const result = await run(['auth', 'encode', ...input.argv], input.stdin);
      assert.equal(result.code, 2);
      assert.equal(result.out, '');
      assert.match(result.err, expected);
      assertNoLeak(result.err, 'stderr');
    });
  }

  test('warns that a bare index.docker.io key never matches Docker Hub, and still encodes', async () => {
    const result = await run(['auth', 'encode', '--registry', 'index.docker.io', '--username', USER, '--password-stdin'], 'x');
    assert.equal(result.code, 0);
    assert.match(result.err, /never matches `index\.docker\.io` to Docker Hub/);
  });
});

// ---- auth decode ------------------------------------------------------------------------

describe('pullguard auth decode', () => {
  const cases: ReadonlyArray<{ name: string; input: string; expected: { code: number; out: RegExp[]; err?: RegExp } }> = [
    { name: 'prints the username and the masked password of a base64 value', input: `${AUTH}\n`, expected: { code: 0, out: [/^username: deploy$/m, /^password: •••• \(18 characters\)$/m] } },
    { name: 'accepts a value copied with its JSON quotes', input: `"${AUTH}"`, expected: { code: 0, out: [/^username: deploy$/m] } },
    { name: 'warns about a trailing newline in the password and exits 1', input: b64(`${USER}:${PASSWORD}\n`), expected: { code: 1, out: [/19 characters/, /ends with a newline/] } },
    { name: 'prints each registry of a Docker config JSON', input: DOCKER_CONFIG, expected: { code: 0, out: [/^registry\.example\.com:5000\n {2}username: deploy\n {2}password: •••• \(18 characters\)$/m, /^ghcr\.io\n {2}username: deploy\n {2}password: •••• \(18 characters\)$/m] } },
    { name: 'says an empty entry still shadows lower sources', input: '{"auths":{"registry.gitlab.com":{}}}', expected: { code: 0, out: [/no credentials: the entry still shadows/] } },
    { name: 'names helpers and stores without asking them', input: '{"credHelpers":{"123456789012.dkr.ecr.us-east-1.amazonaws.com":"ecr-login"},"credsStore":"pass"}', expected: { code: 0, out: [/docker-credential-ecr-login/, /credsStore: docker-credential-pass/] } },
    { name: 'reports an auth value in the URL-safe alphabet and exits 1', input: `{"auths":{"a.example.com":{"auth":"${Buffer.from(`u:${PASSWORD}>>?`).toString('base64url')}="}}}`, expected: { code: 1, out: [/URL-safe/] } },
    { name: 'reports a value that is not padded and exits 1', input: b64('u:abc').replace(/=+$/, ''), expected: { code: 1, out: [], err: /not padded/ } },
    { name: 'reports invalid JSON without quoting it and exits 1', input: `{"auths":{"x":{"password":"${PASSWORD}"}},}`, expected: { code: 1, out: [], err: /not a valid Docker config JSON/ } },
  ];
  for (const { name, input, expected } of cases) {
    test(name, async () => {
      const result = await run(['auth', 'decode'], input);
      assert.equal(result.code, expected.code, result.err);
      for (const pattern of expected.out) assert.match(result.out, pattern);
      if (expected.err) assert.match(result.err, expected.err);
      assertNoLeak(`${result.out}\n${result.err}`, 'decode output');
    });
  }

  test('exits 2 when stdin is empty', async () => {
    const result = await run(['auth', 'decode'], ' \n');
    assert.equal(result.code, 2);
    assert.match(result.err, /Nothing on stdin/);
  });

  test('refuses a value given as an argument without echoing it', async () => {
    const result = await run(['auth', 'decode', AUTH]);
    assert.equal(result.code, 2);
    assertNoLeak(result.err, 'stderr');
  });
});

// ---- explain ------------------------------------------------------------------------

describe('pullguard explain', () => {
  test('prints exactly the public JSON shape', async () => {
    const result = await run(['explain', 'registry.example.com:5000/team/app:1', '--file', '.gitlab-ci.yml', '--job', 'build', '--format', 'json']);
    assert.equal(result.code, 0, result.err);
    const json = JSON.parse(result.out);
    assert.deepEqual(Object.keys(json), ['image', 'normalized', 'registryPath', 'candidates', 'match', 'anonymous', 'droppedSources', 'notes']);
    assert.deepEqual(json.candidates, [{ source: '$DOCKER_AUTH_CONFIG', key: 'registry.example.com:5000/team', path: 'registry.example.com:5000/team' }]);
    assert.deepEqual(json.match, { source: '$DOCKER_AUTH_CONFIG', key: 'registry.example.com:5000/team' });
    assert.equal(json.anonymous, false);
    assert.equal(json.registryPath, 'registry.example.com:5000/team/app');
    assert.ok(json.notes.every((note: unknown) => typeof note === 'string'));
  });

  test('lets the pipeline\'s DOCKER_AUTH_CONFIG replace the runner\'s and says so', async () => {
    const result = await run(['explain', 'registry.example.com:5000/other/app:1', '--file', '.gitlab-ci.yml', '--runner-config', 'config.toml', '--format', 'json']);
    const json = JSON.parse(result.out);
    // The runner's entry would match; the pipeline's replaces it and has only the `team` namespace.
    assert.equal(json.match, null);
    assert.equal(json.anonymous, true);
    assert.ok(json.notes.some((note: string) => /replaces the runner's `environment` one; the two are never merged/.test(note)), json.notes.join('\n'));
  });

  test('a job value that is not plain text still replaces the runner\'s: its sources leave the runner\'s out and say why', async () => {
    const cwd = makeTree({
      '.gitlab-ci.yml': 'plain:\n  script: [make]\nopaque:\n  variables:\n    DOCKER_AUTH_CONFIG: [not, text]\n  script: [make]\n',
      'config.toml': RUNNER_CONFIG,
    });
    const explain = async (job: string) => JSON.parse((await run(['explain', 'registry.example.com:5000/team/app:1', '--file', '.gitlab-ci.yml', '--job', job, '--runner-config', 'config.toml', '--format', 'json'], '', cwd)).out);
    const opaque = await explain('opaque');
    assert.equal(opaque.match, null);
    assert.ok(opaque.notes.some((note: string) => /Job `opaque` sets `DOCKER_AUTH_CONFIG` to a value that is not plain text/.test(note)), opaque.notes.join('\n'));
    const plain = await explain('plain');
    assert.deepEqual(plain.match, { source: '$DOCKER_AUTH_CONFIG', key: 'registry.example.com:5000' });
    assert.ok(!plain.notes.some((note: string) => /not plain text/.test(note)), plain.notes.join('\n'));
  });

  test('uses the runner\'s environment entry when the pipeline sets none', async () => {
    const result = await run(['explain', 'registry.example.com:5000/other/app:1', '--runner-config', 'config.toml', '--format', 'json']);
    assert.deepEqual(JSON.parse(result.out).match, { source: '$DOCKER_AUTH_CONFIG', key: 'registry.example.com:5000' });
  });

  test('prints a readable trace: sources, lookup paths, result and notes', async () => {
    const result = await run(['explain', 'registry.gitlab.com/group/app:1', '--file', '.gitlab-ci.yml', '--docker-config', 'docker/config.json']);
    assert.equal(result.code, 0, result.err);
    for (const pattern of [
      /^Runner's path: {2}registry\.gitlab\.com\/group\/app/m,
      /^ {2}1\. \$DOCKER_AUTH_CONFIG {2}\(global variables in \.gitlab-ci\.yml\)$/m,
      new RegExp(`^ {2}2\\. ${join(TREE, 'docker/config.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} {2}\\(the runner user's Docker config\\)$`, 'm'),
      /^ {2}3\. job payload \(GitLab Registry\)/m,
      /^ {2}registry\.gitlab\.com {2}registry\.gitlab\.com from \$DOCKER_AUTH_CONFIG \(auths\) {2}<- used$/m,
      /^Result: registry\.gitlab\.com from \$DOCKER_AUTH_CONFIG \(no credentials: effectively anonymous\)\.$/m,
      /including the job token/,
    ]) assert.match(result.out, pattern);
  });

  const usage: ReadonlyArray<{ name: string; input: readonly string[]; expected: RegExp }> = [
    { name: 'exits 2 without an image', input: ['explain'], expected: /needs an IMAGE/ },
    { name: 'exits 2 for a job the file does not have', input: ['explain', 'nginx', '--file', '.gitlab-ci.yml', '--job', 'nope'], expected: /no job `nope`/ },
    { name: 'exits 2 for a file that cannot be read', input: ['explain', 'nginx', '--docker-config', 'missing.json'], expected: /cannot read missing\.json/ },
    { name: 'exits 2 for an unknown format', input: ['explain', 'nginx', '--format', 'sarif'], expected: /--format must be text or json/ },
  ];
  for (const { name, input, expected } of usage) {
    test(name, async () => {
      const result = await run(input);
      assert.equal(result.code, 2);
      assert.match(result.err, expected);
    });
  }
});

describe('no output ever contains the planted password', () => {
  const RUNS: ReadonlyArray<{ name: string; input: { argv: readonly string[]; stdin?: string } }> = [
    { name: 'auth decode of a Docker config JSON', input: { argv: ['auth', 'decode'], stdin: DOCKER_CONFIG } },
    { name: 'auth decode of a base64 value', input: { argv: ['auth', 'decode'], stdin: AUTH } },
    { name: 'auth decode of invalid JSON that holds the password', input: { argv: ['auth', 'decode'], stdin: `{"auths":{"x":{"auth":"${AUTH}","password":"${PASSWORD}"}` } },
    ...(['text', 'json'] as const).flatMap((format) => [
      { name: `explain --format ${format} with every source`, input: { argv: ['explain', 'registry.example.com:5000/team/app:1', '--file', '.gitlab-ci.yml', '--runner-config', 'config.toml', '--docker-config', 'docker/config.json', '--format', format] } },
      { name: `explain --format ${format} for the job whose variable has a plain password`, input: { argv: ['explain', 'other.example.com/app', '--file', '.gitlab-ci.yml', '--job', 'other', '--format', format] } },
      { name: `explain --format ${format} for an image the Docker config serves`, input: { argv: ['explain', 'ghcr.io/team/app', '--docker-config', 'docker/config.json', '--format', format] } },
      { name: `explain --format ${format} with a Docker config that does not parse`, input: { argv: ['explain', 'x/app', '--docker-config', 'broken.json', '--format', format] } },
    ]),
  ];
  for (const { name, input } of RUNS) {
    test(name, async () => {
      const result = await run(input.argv, input.stdin);
      assertNoLeak(`${result.out}\n${result.err}`, name);
    });
  }

  test('the leak check itself catches a password in the output', () => {
    assert.throws(() => assertNoLeak(`user deploy ${AUTH}`, 'probe'));
  });
});

// ---- The bundled binary --------------------------------------------------------------

function ensureCliBuilt(): void {
  ensureBuilt('dist/cli.js');
}

describe('the bundled binary (dist/cli.js)', () => {
  before(() => ensureCliBuilt(), { timeout: 180_000 });

  test('decodes stdin and explains, without printing the password', () => {
    const decode = spawnSync(process.execPath, [CLI_BUNDLE, 'auth', 'decode'], { cwd: TREE, input: DOCKER_CONFIG, encoding: 'utf8', timeout: 60_000 });
    assert.equal(decode.status, 0, decode.stderr);
    assert.match(decode.stdout, /password: •••• \(18 characters\)/);
    const explain = spawnSync(process.execPath, [CLI_BUNDLE, 'explain', 'registry.example.com:5000/team/app:1', '--docker-config', 'docker/config.json', '--format', 'json'], { cwd: TREE, encoding: 'utf8', timeout: 60_000 });
    assert.equal(explain.status, 0, explain.stderr);
    // The runner labels this source with the file's path.
    assert.deepEqual(JSON.parse(explain.stdout).match, { source: join(realpathSync(TREE), 'docker/config.json'), key: 'registry.example.com:5000' });
    for (const output of [decode.stdout, decode.stderr, explain.stdout, explain.stderr]) assertNoLeak(output, 'dist/cli.js');
  });

  test('encodes a password piped in with echo', () => {
    const result = spawnSync(process.execPath, [CLI_BUNDLE, 'auth', 'encode', '--registry', 'registry.example.com', '--username', USER, '--password-stdin'], { input: `${PASSWORD}\n`, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `{"auths":{"registry.example.com":{"auth":"${AUTH}"}}}\n`);
  });
});
