#!/usr/bin/env node
// The extension-host suite inside code-server: installs the .vsix, starts code-server with
// the smoke-test driver enabled, and opens the workbench with `?payload=` naming the test
// runner (out/e2e/suite/index.js) — what @vscode/test-electron does on a desktop. The
// workbench calls `window.codeAutomationExit(code)` when the run ends; mocha's per-test
// results come back through the results file the runner writes.
//
//   node scripts/e2e/exthost.mjs [--vsix dist/pullguard.vsix] [--results FILE]
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { format } from 'node:util';
import { buildSuite, SUITE_OUT } from './buildSuite.mjs';
import { installVsix, keepArtifacts, launchBrowser, log, parseArgs, prepareWorkspace, runDir, startCodeServer, startRegistries } from './lib.mjs';

const SUITE = 'e2e-exthost';
const RUN_TIMEOUT_MS = 300_000;
const args = parseArgs();
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const dir = runDir(SUITE);
const resultsFile = join(dir, 'mocha-results.json');
let exitCode = 1;
let problem;
let server;
let browser;
let registries;

try {
  const testsPath = await buildSuite();
  const { workspace, cliDiagnostics } = prepareWorkspace(dir);
  const { extensionsDir, userDataDir } = installVsix(args.vsix, dir);
  log(SUITE, `installed ${args.vsix} into ${extensionsDir} (${elapsed()})`);
  // A real registry for the *Pin to digest* quick fix (Debian's docker-registry).
  registries = await startRegistries(dir);
  log(SUITE, `test registries on ${registries.info.open} (${elapsed()})`);
  server = await startCodeServer({
    dir,
    extensionsDir,
    userDataDir,
    workspace,
    smokeTestDriver: true,
    // Inherited by the extension host, where the runner and the tests read them.
    env: {
      PULLGUARD_E2E_RESULTS: resultsFile,
      PULLGUARD_E2E_CLI_DIAGNOSTICS: cliDiagnostics,
      PULLGUARD_E2E_EXTENSIONS_DIR: extensionsDir,
      // The extension exports the seam through which the tests answer its prompts.
      PULLGUARD_TEST_SEAM: '1',
      PULLGUARD_E2E_REGISTRY: JSON.stringify(registries.info),
    },
  });
  log(SUITE, `code-server listening on ${server.url} (${elapsed()})`);
  browser = await launchBrowser();
  // The commands' tests read what they put on the clipboard (vscode.env.clipboard is the browser's here).
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  // The workbench forwards its log lines here, mocha's spec output from the extension host
  // among them (indented, unlike the workbench's own; PULLGUARD_E2E_VERBOSE=1 shows all).
  await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
    const line = format(...[].concat(logArgs));
    if (/^\s{2}/.test(line) || process.env.PULLGUARD_E2E_VERBOSE) console.log(line);
  });
  const exited = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(code)));
  const payload = [
    ['extensionDevelopmentPath', server.remote(SUITE_OUT)],
    ['extensionTestsPath', server.remote(testsPath)],
  ];
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  let timer;
  exitCode = await Promise.race([
    exited,
    new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), RUN_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  log(SUITE, `extension host finished with code ${exitCode} (${elapsed()})`);
  if (exitCode === 'timeout') problem = `the extension host did not finish the tests within ${RUN_TIMEOUT_MS / 1000} s`;
} catch (error) {
  problem = error instanceof Error ? (error.stack ?? error.message) : String(error);
} finally {
  await browser?.close().catch(() => undefined);
  server?.stop();
  await registries?.stop();
}

// Mocha's own counts; a run that died before writing them is one failure.
let results = { passed: 0, failed: 0, pending: 0, tests: [] };
if (existsSync(resultsFile)) results = JSON.parse(readFileSync(resultsFile, 'utf8'));
else problem ??= `the test runner wrote no results (exit code ${exitCode}); code-server log: ${join(dir, 'code-server.log')}`;
if (exitCode !== 0 && results.failed === 0) problem ??= `the extension host exited with code ${exitCode}`;
if (problem) {
  results.failed += 1;
  results.tests.push({ title: 'extension-host run', state: 'failed', error: problem });
  log(SUITE, `FAIL ${problem}`);
}
for (const test of results.tests.filter((t) => t.state === 'pending')) log(SUITE, `PENDING ${test.title}`);
if (args.results) {
  mkdirSync(dirname(args.results), { recursive: true });
  writeFileSync(args.results, JSON.stringify(results, null, 2));
}
if (results.failed > 0 || process.env.PULLGUARD_E2E_KEEP) log(SUITE, `kept the run (workspace, code-server log) in ${keepArtifacts(SUITE, dir)}`);
rmSync(dir, { recursive: true, force: true });
log(SUITE, `${results.passed} passed, ${results.failed} failed, ${results.pending} pending in ${elapsed()}`);
process.exit(results.failed > 0 ? 1 : 0);
