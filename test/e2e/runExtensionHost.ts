/**
 * `npm run test:vscode`: the extension-host suite (test/e2e/suite/) in a desktop VS Code
 * that @vscode/test-electron downloads — for a machine that can reach
 * update.code.visualstudio.com. Where it cannot, the same suite runs inside code-server:
 * `npm test` (scripts/e2e/exthost.mjs).
 *
 * The extension runs from this folder (dist/, built by `npm run build`); the workspace is a
 * fresh copy of examples/ plus test/e2e/fixtures/, as in code-server. VS Code's version is
 * `PULLGUARD_VSCODE_VERSION` (default `stable`; mocha 12 needs the node 20.19+ of VS Code 1.100 or later).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { startTestRegistries } from '../../scripts/registry/testRegistries';

const root = resolve(__dirname, '../..');

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pullguard-vscode-'));
  const workspace = join(dir, 'workspace');
  cpSync(join(root, 'examples'), workspace, { recursive: true });
  cpSync(join(root, 'test/e2e/fixtures'), join(workspace, 'fixtures'), { recursive: true });
  // What the CLI reports for the workspace: the suite checks the editor shows exactly that.
  const cli = spawnSync(process.execPath, [join(root, 'dist/cli.js'), '--format', 'json', '.'], { cwd: workspace, encoding: 'utf8' });
  if (cli.status !== 0 && cli.status !== 1) throw new Error(`pullguard --format json failed (${cli.status}): ${cli.stderr}`);
  const cliDiagnostics = join(dir, 'cli-diagnostics.json');
  writeFileSync(cliDiagnostics, cli.stdout);
  const userData = join(dir, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User/settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'git.enabled': false }));
  const resultsDir = join(root, 'out/test-results');
  mkdirSync(resultsDir, { recursive: true });
  // A real registry for the *Pin to digest* tests (Debian's docker-registry); without one
  // they are reported pending, as in any run outside CI.
  const registries = await startTestRegistries().catch((error: unknown) => {
    console.warn(`No test registry (${error instanceof Error ? error.message : String(error)}): the Pin to digest tests will be pending.`);
    return undefined;
  });
  const registryEnv: Record<string, string> = registries
    ? { PULLGUARD_E2E_REGISTRY: JSON.stringify({ open: registries.open.host, single: registries.content.single, multi: registries.content.multi }) }
    : {};
  try {
    return await runTests({
      version: process.env.PULLGUARD_VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath: join(root, 'out/e2e/suite/index.js'),
      extensionTestsEnv: {
        PULLGUARD_E2E_RESULTS: join(resultsDir, 'e2e-vscode.json'),
        PULLGUARD_E2E_CLI_DIAGNOSTICS: cliDiagnostics,
        // The extension exports the seam through which the tests answer its prompts.
        PULLGUARD_TEST_SEAM: '1',
        ...registryEnv,
      },
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', userData],
    });
  } finally {
    await registries?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
