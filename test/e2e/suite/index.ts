/**
 * The extension-host test runner: VS Code loads this module (`extensionTestsPath`) in the
 * extension host and calls `run()`; the run fails when it throws. Used as is by
 * `@vscode/test-electron` (test/e2e/runExtensionHost.ts) and inside code-server
 * (scripts/e2e/exthost.mjs).
 *
 * Besides mocha's spec output, it writes `{passed, failed, pending, tests: [...]}` to
 * `$PULLGUARD_E2E_RESULTS` when set, which scripts/test.mjs counts.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export async function run(): Promise<void> {
  // mocha 12 is an ES module: import() works on every node the extension host runs on.
  const { default: Mocha } = (await import('mocha')) as unknown as { default: typeof import('mocha') };
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const files = readdirSync(__dirname).filter((name) => name.endsWith('.test.js')).sort();
  for (const file of files) mocha.addFile(join(__dirname, file));
  await mocha.loadFilesAsync();

  const results: TestResult[] = [];
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on('pass', (test) => results.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration }));
    runner.on('pending', (test) => results.push({ title: test.fullTitle(), state: 'pending' }));
    runner.on('fail', (test, error: Error) => results.push({ title: test.fullTitle(), state: 'failed', error: error.stack ?? error.message }));
  });

  const count = (state: TestResult['state']) => results.filter((result) => result.state === state).length;
  const resultsFile = process.env.PULLGUARD_E2E_RESULTS;
  if (resultsFile) {
    writeFileSync(resultsFile, JSON.stringify({ passed: count('passed'), failed: count('failed'), pending: count('pending'), tests: results }, null, 2));
  }
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed.`);
}
