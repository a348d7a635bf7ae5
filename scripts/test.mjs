#!/usr/bin/env node
// Runs the test suites and ends with one plain line, `N passed, N failed`, summing
// them all (CI reads that line). `node scripts/test.mjs [suite...]`; no suite = all.
//
// `unit`, `lsp` and `fuzz` are node's own test runner over TypeScript files (loaded through
// tsx); the LSP suite drives the bundled server, so the bundle is built first. `fuzz` runs the
// seeded property-based tests of test/fuzz with its CI budget (`npm run fuzz` runs longer).
//
// The e2e suites drive real editors: `e2e-exthost` (the mocha suite of test/e2e/suite in
// code-server's extension host), `e2e-ui` (the workbench through chromium) and `nvim`
// (neovim as an LSP client). They and the `registry` suite (Debian's docker-registry,
// skopeo, openssl) need the tools of scripts/e2e/install-tools.sh, which this script
// installs when they are missing (outside the clone); a suite that cannot run is counted
// as failed, never skipped. The code-server suites test the packaged .vsix.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { missingTools, toolsDir } from './e2e/lib.mjs';

const root = join(import.meta.dirname, '..');
const EDITOR_TOOLS = ['node24', 'codeServer', 'chromium'];
const SUITES = {
  unit: { dir: 'test/unit', needsBuild: false },
  lsp: { dir: 'test/lsp', needsBuild: true },
  // vscode-tmgrammar-test on the TextMate grammars of syntaxes/ (driven by test/grammar/grammar.test.ts).
  grammar: { dir: 'test/grammar', needsBuild: false },
  // Real registries (Debian's docker-registry), skopeo and openssl; in CI a missing tool fails the suite.
  registry: { dir: 'test/registry', needsBuild: true, tools: ['dockerRegistry', 'skopeo', 'openssl'] },
  // Property-based fuzzing of the core and the CLI with a fixed seed and 20,000 cases (test/fuzz/harness.ts).
  fuzz: { dir: 'test/fuzz', needsBuild: false },
  'e2e-exthost': { driver: 'scripts/e2e/exthost.mjs', tools: EDITOR_TOOLS, needsVsix: true },
  'e2e-ui': { driver: 'scripts/e2e/ui.mjs', tools: EDITOR_TOOLS, needsVsix: true },
  nvim: { driver: 'scripts/e2e/nvim.mjs', tools: ['nvim'], needsVsix: true },
};

const requested = process.argv.slice(2);
for (const name of requested) {
  if (!(name in SUITES)) {
    console.error(`Unknown suite \`${name}\`. Known suites: ${Object.keys(SUITES).join(', ')}.`);
    process.exit(2);
  }
}
const suites = requested.length > 0 ? requested : Object.keys(SUITES);

function findTests(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

if (suites.some((name) => SUITES[name].needsBuild)) {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const resultsDir = join(root, 'out/test-results');
mkdirSync(resultsDir, { recursive: true });
let passed = 0;
let failed = 0;
const pending = [];
const notRun = new Map(); // suite → why

/** Runs a suite of node's test runner; returns its counts from the TAP summary. */
function runNodeSuite(name) {
  const files = findTests(join(root, SUITES[name].dir)).map((f) => relative(root, f));
  const tapFile = join(resultsDir, `${name}.tap`);
  console.log(`\n=== ${name}: ${files.length} test files ===`);
  const run = spawnSync(
    process.execPath,
    [
      '--import', 'tsx',
      '--test',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
      ...files,
    ],
    { stdio: 'inherit', cwd: root, env: process.env },
  );
  const tap = readFileSync(tapFile, 'utf8');
  const count = (label) => Number(tap.match(new RegExp(`^# ${label} (\\d+)$`, 'm'))?.[1] ?? 0);
  // A runner that died without a summary still counts as a failure.
  return { passed: count('pass'), failed: count('fail') + (run.status !== 0 && count('fail') === 0 ? 1 : 0), pending: [] };
}

/** Runs an e2e driver; returns its counts from the results file it writes. */
function runE2eSuite(name) {
  const resultsFile = join(resultsDir, `${name}.json`);
  rmSync(resultsFile, { force: true });
  console.log(`\n=== ${name} ===`);
  const run = spawnSync(process.execPath, [join(root, SUITES[name].driver), '--results', resultsFile], { stdio: 'inherit', cwd: root, env: process.env });
  if (!existsSync(resultsFile)) return { passed: 0, failed: 1, pending: [] };
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  return {
    passed: results.passed,
    failed: results.failed + (run.status !== 0 && results.failed === 0 ? 1 : 0),
    pending: results.tests.filter((t) => t.state === 'pending').map((t) => `${name}: ${t.title}`),
  };
}

/**
 * Before the first suite that needs outside tools (editors, neovim, the registry programs):
 * installs the missing ones (outside the clone); a suite whose tools are still missing is
 * not run, and counted as failed.
 */
function prepareTools() {
  const needs = [...new Set(suites.flatMap((name) => SUITES[name].tools ?? []))];
  if (missingTools(needs).length > 0) {
    const started = Date.now();
    console.log(`\n=== tools: installing into ${toolsDir()} (missing: ${missingTools(needs).join(', ')}) ===`);
    const install = spawnSync('bash', [join(root, 'scripts/e2e/install-tools.sh'), toolsDir()], { stdio: 'inherit', cwd: root });
    console.log(`tools: install-tools.sh exited with ${install.status} after ${seconds(started)}`);
  }
  for (const name of suites) {
    const missing = missingTools(SUITES[name].tools ?? []);
    if (missing.length > 0) notRun.set(name, `its tools are missing (${missing.join(', ')}) and \`bash scripts/e2e/install-tools.sh\` could not install them`);
  }
}

/** Before the first e2e suite: packages the .vsix the code-server suites install. */
function prepareE2e() {
  const needVsix = suites.filter((name) => SUITES[name].needsVsix && !notRun.has(name));
  if (needVsix.length > 0) {
    // The artefact users install is the one tested: production bundles, packaged by vsce.
    console.log('\n=== package: npm run package (dist/pullguard.vsix) ===');
    const pack = spawnSync(process.execPath, [join(root, 'scripts/package.mjs')], { stdio: 'inherit', cwd: root });
    if (pack.status !== 0) for (const name of needVsix) notRun.set(name, '`npm run package` failed');
  }
}

prepareTools();
let e2ePrepared = false;
for (const name of suites) {
  if (SUITES[name].driver && !e2ePrepared) {
    prepareE2e();
    e2ePrepared = true;
  }
  const started = Date.now();
  if (notRun.has(name)) {
    console.log(`\n=== ${name}: NOT RUN, counted as 1 failure: ${notRun.get(name)} ===`);
    failed += 1;
    continue;
  }
  const result = SUITES[name].driver ? runE2eSuite(name) : runNodeSuite(name);
  console.log(`${name}: ${result.passed} passed, ${result.failed} failed${result.pending.length ? `, ${result.pending.length} pending` : ''} (${seconds(started)})`);
  passed += result.passed;
  failed += result.failed;
  pending.push(...result.pending);
}

if (pending.length > 0) console.log(`\nPending (not counted as passed):\n  ${pending.join('\n  ')}`);
if (notRun.size > 0) console.log(`\nNot run (counted as failed): ${[...notRun.keys()].join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
