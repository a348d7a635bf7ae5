#!/usr/bin/env node
// Runs the test suites and ends with one plain line, `N passed, N failed`, summing
// them all (CI reads that line). `node scripts/test.mjs [suite...]`; no suite = all.
//
// Every suite is node's own test runner over TypeScript files (loaded through tsx).
// The LSP suite drives the bundled server, so the bundle is built first.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const SUITES = {
  unit: { dir: 'test/unit', needsBuild: false },
  lsp: { dir: 'test/lsp', needsBuild: true },
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
for (const name of suites) {
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
  const suitePassed = count('pass');
  // A runner that died without a summary still counts as a failure.
  const suiteFailed = count('fail') + (run.status !== 0 && count('fail') === 0 ? 1 : 0);
  console.log(`${name}: ${suitePassed} passed, ${suiteFailed} failed`);
  passed += suitePassed;
  failed += suiteFailed;
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
