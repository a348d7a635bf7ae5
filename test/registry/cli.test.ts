/**
 * `pullguard pin` and `pullguard check-access` against the real registries: in process for
 * the file rewrites, and the bundled `dist/cli.js` as a child process for exit codes and
 * output. Every output is checked for secrets.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runPinCommand } from '../../server/src/cli/pin';
import { runCheckAccessCommand } from '../../server/src/cli/checkAccess';
import { ensureBuilt, REPO_ROOT } from '../helpers/build';
import { USERS, WRONG_PASSWORD, getFreePort } from '../../scripts/registry/testRegistries';
import { assertNoSecret, authValue, dockerAuthConfig, missingToolsReason, skopeoDigest, useRegistries } from './support';

const skip = missingToolsReason();
const registries = useRegistries();
const outputs: string[] = [];
const folders: string[] = [];

function makeFolder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pullguard-registry-cli-'));
  folders.push(root);
  // A repository root, so `.pullguard.json` is looked up here and not above.
  mkdirSync(join(root, '.git'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), content);
  }
  return root;
}

async function inProcess(command: typeof runPinCommand, argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command(argv, cwd, { out: (t) => out.push(t), err: (t) => err.push(t), readStdin: async () => '' });
  const result = { code, out: out.join('\n'), err: err.join('\n') };
  outputs.push(result.out, result.err);
  return result;
}

/** The bundled CLI as a child process (asynchronously: the token server runs in this process). */
function cli(argv: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'dist/cli.js'), ...argv], { cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
      outputs.push(stdout, stderr);
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: stdout, err: stderr });
    });
  });
}

describe('pullguard pin and check-access against real registries', { skip }, () => {
  before(async () => {
    ensureBuilt('dist/cli.js');
    await registries.start();
  });
  after(async () => {
    await registries.stop();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    assertNoSecret(outputs.join('\n'), 'CLI output');
  });

  test('pin --write rewrites every image in place, keeping each quoting style, with the runner\'s credentials', async () => {
    const r = registries.get();
    const auths = dockerAuthConfig({ [r.token.host]: [USERS.alice.username, USERS.alice.password], [r.basic.host]: [USERS.alice.username, USERS.alice.password] });
    const pipeline = [
      'variables:',
      `  DOCKER_AUTH_CONFIG: '${auths}'`,
      `image: ${r.token.host}/team/app:1.0`,
      'build:',
      `  image: "${r.basic.host}/team/multi:2.0"`,
      '  services:',
      `    - '${r.open.host}/public/tool:3.1'`,
      `    - name: ${r.open.host}/team/multi`,
      '      alias: multi',
      '  script: [make]',
      'pinned:',
      `  image: ${r.open.host}/team/app:1.0@${r.content.single.digest}`,
      '  script: [make]',
      '',
    ].join('\n');
    const runner = [
      'concurrent = 1',
      '[[runners]]',
      '  name = "local"',
      '  executor = "docker"',
      '  [runners.docker]',
      `    image = "${r.open.host}/team/multi:2.0"`,
      '',
    ].join('\n');
    const root = makeFolder({ '.gitlab-ci.yml': pipeline, 'gitlab-runner/config.toml': runner });
    const { single, multi, publicImage } = r.content;

    const dry = await inProcess(runPinCommand, ['--ca-file', r.caFile], root);
    assert.equal(dry.code, 0, dry.out + dry.err);
    assert.equal(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8'), pipeline, 'without --write nothing is written');
    assert.match(dry.out, /5 images to pin, 0 failed\. Run with --write/);

    const written = await inProcess(runPinCommand, ['--write', '--ca-file', r.caFile], root);
    assert.equal(written.code, 0, written.out + written.err);
    assert.equal(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8'), pipeline
      .replace(`${r.token.host}/team/app:1.0`, `${r.token.host}/team/app:1.0@${single.digest}`)
      .replace(`"${r.basic.host}/team/multi:2.0"`, `"${r.basic.host}/team/multi:2.0@${multi.digest}"`)
      .replace(`'${r.open.host}/public/tool:3.1'`, `'${r.open.host}/public/tool:3.1@${publicImage.digest}'`)
      .replace(`name: ${r.open.host}/team/multi\n`, `name: ${r.open.host}/team/multi:latest@${multi.digest}\n`));
    assert.equal(readFileSync(join(root, 'gitlab-runner/config.toml'), 'utf8'), runner.replace(`/team/multi:2.0"`, `/team/multi:2.0@${multi.digest}"`));
    // skopeo, asked independently, names the same digests.
    assert.equal(await skopeoDigest(`${r.basic.host}/team/multi:2.0`, { caFile: r.caFile, creds: `${USERS.alice.username}:${USERS.alice.password}` }), multi.digest);
    assert.equal(await skopeoDigest(`${r.token.host}/team/app:1.0`, { creds: `${USERS.alice.username}:${USERS.alice.password}` }), single.digest);

    // A second run finds nothing left to pin.
    const again = await inProcess(runPinCommand, ['--write', '--ca-file', r.caFile, '--format', 'json'], root);
    assert.equal(again.code, 0);
    const rows = JSON.parse(again.out) as Array<{ digest: string | null; failure: { skipped: boolean } | null }>;
    assert.ok(rows.every((row) => row.digest === null && row.failure?.skipped), again.out);
  });

  test('pin reports a failure per image and exits 1; .pullguard.json cannot choose the CA', async () => {
    const r = registries.get();
    const pipeline = `build:\n  image: ${r.basic.host}/team/app:1.0\n  script: [make]\ntest:\n  image: ${r.open.host}/team/app:9.9\n  script: [make]\n`;
    const root = makeFolder({ '.gitlab-ci.yml': pipeline, '.pullguard.json': JSON.stringify({ registry: { caFile: r.caFile } }) });
    const result = await inProcess(runPinCommand, ['--write', '--format', 'json'], root);
    assert.equal(result.code, 1);
    assert.match(result.err, /registry\.caFile, which a repository cannot choose/);
    const rows = JSON.parse(result.out) as Array<{ image: string; failure: { kind: string } | null }>;
    assert.deepEqual(rows.map((row) => row.failure?.kind), ['tls-untrusted', 'tag-not-found']);
    assert.equal(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8'), pipeline);
  });

  test('pin names a path it cannot read and exits 2 before contacting anything', async () => {
    const root = makeFolder({ '.gitlab-ci.yml': 'build:\n  image: alpine:3.20\n  script: [make]\n' });
    const result = await inProcess(runPinCommand, ['missing.yml'], root);
    assert.equal(result.code, 2);
    assert.match(result.err, /cannot read missing\.yml: it does not exist\./);
    assert.equal(result.out, '');
  });

  test('check-access: exit 0 when authorized, 1 when refused, 2 on bad usage; JSON names what was tried', async () => {
    const r = registries.get();
    const good = makeFolder({ 'config.json': dockerAuthConfig({ [r.token.host]: [USERS.alice.username, USERS.alice.password] }) });
    const ok = await cli(['check-access', `${r.token.host}/team/multi:2.0`, '--docker-config', 'config.json', '--format', 'json'], good);
    assert.equal(ok.code, 0, ok.out + ok.err);
    const report = JSON.parse(ok.out) as { outcome: string; digest: string; candidates: Array<{ key: string; source: string }>; credentials: string; exchanges: Array<{ request: string; status: number }> };
    assert.equal(report.outcome, 'authorized');
    assert.equal(report.digest, r.content.multi.digest);
    assert.deepEqual(report.candidates.map((c) => c.key), [r.token.host]);
    assert.match(report.credentials, /user `alice`/);

    const bad = makeFolder({ 'config.json': dockerAuthConfig({ [r.token.host]: [USERS.alice.username, WRONG_PASSWORD] }) });
    const refused = await cli(['check-access', `${r.token.host}/team/app:1.0`, '--docker-config', 'config.json'], bad);
    assert.equal(refused.code, 1);
    assert.match(refused.out, /Result: unauthorized/);
    assert.match(refused.out, /Registry answers:\n.*-> 401/);

    const down = await cli(['check-access', `127.0.0.1:${await getFreePort()}/team/app:1.0`], bad);
    assert.equal(down.code, 1);
    assert.match(down.out, /Result: unreachable/);

    const usage = await cli(['check-access'], bad);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /check-access needs an IMAGE/);
  });

  test('check-access uses the user\'s own Docker config only with --user-docker-config', async () => {
    const r = registries.get();
    const home = mkdtempSync(join(tmpdir(), 'pullguard-docker-home-'));
    folders.push(home);
    writeFileSync(join(home, 'config.json'), JSON.stringify({ auths: { [r.token.host]: { auth: authValue(USERS.alice.username, USERS.alice.password) } } }));
    const cwd = makeFolder({});
    const env = { ...process.env, DOCKER_CONFIG: home };
    const without = await cli(['check-access', `${r.token.host}/team/app:1.0`], cwd, env);
    assert.equal(without.code, 1);
    assert.match(without.out, /Result: authentication-required/);
    const withConfig = await cli(['check-access', `${r.token.host}/team/app:1.0`, '--user-docker-config'], cwd, env);
    assert.equal(withConfig.code, 0, withConfig.out);
    assert.match(withConfig.out, /stands in for the runner user's/);
  });

  test('check-access in process: the TLS registry with --ca-file, and a job that shadows the credentials', async () => {
    const r = registries.get();
    const pipeline = `variables:\n  DOCKER_AUTH_CONFIG: '${dockerAuthConfig({ [r.basic.host]: [USERS.alice.username, USERS.alice.password] })}'\nbuild:\n  variables:\n    DOCKER_AUTH_CONFIG: '${dockerAuthConfig({ [r.basic.host]: [USERS.bob.username, WRONG_PASSWORD] })}'\n  image: x\n  script: [make]\n`;
    const root = makeFolder({ '.gitlab-ci.yml': pipeline });
    const global = await inProcess(runCheckAccessCommand, [`${r.basic.host}/team/app:1.0`, '--file', '.gitlab-ci.yml', '--ca-file', r.caFile], root);
    assert.equal(global.code, 0, global.out);
    const job = await inProcess(runCheckAccessCommand, [`${r.basic.host}/team/app:1.0`, '--file', '.gitlab-ci.yml', '--job', 'build', '--ca-file', r.caFile], root);
    assert.equal(job.code, 1);
    assert.match(job.out, /user `bob`/);
    assert.match(job.out, /Result: unauthorized/);
  });
});
