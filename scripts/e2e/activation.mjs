#!/usr/bin/env node
// Measures Pullguard's activation time in the real editor: the installed .vsix in
// code-server, the examples workspace opened in chromium, RUNS times (default 5), each
// with fresh user-data and extensions folders. The figure is the extension's own: ms from
// the start of `activate()` to the language server's answer to `initialize` (the client
// ready to serve diagnostics), read by test/e2e/suite/activationProbe.ts. Prints each run
// and the median. `--warm` keeps one profile (user data, extensions) for all runs, as a
// user's second and later window opens are: caches, including the server's compile
// cache, are then warm after the first run, which is left out of the median.
//
//   node scripts/e2e/activation.mjs [--vsix dist/pullguard.vsix] [--runs N] [--warm]
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildSuite, SUITE_OUT } from './buildSuite.mjs';
import { installVsix, launchBrowser, log, parseArgs, prepareWorkspace, runDir, startCodeServer } from './lib.mjs';

const SUITE = 'activation';
const args = parseArgs();
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt === -1 ? 5 : Number(process.argv[runsAt + 1]);
await buildSuite();
const probe = join(SUITE_OUT, 'suite/activationProbe.js');
const warm = args.flags.has('--warm');
const figures = [];
let profile;
for (let i = 1; i <= runs + (warm ? 1 : 0); i++) {
  const dir = runDir(SUITE);
  const resultFile = join(dir, 'activation.json');
  let server;
  let browser;
  try {
    const { workspace } = prepareWorkspace(dir);
    if (!warm || !profile) profile = { dir, ...installVsix(args.vsix, dir) };
    const { extensionsDir, userDataDir } = profile;
    server = await startCodeServer({ dir, extensionsDir, userDataDir, workspace, smokeTestDriver: true, env: { PULLGUARD_E2E_ACTIVATION_FILE: resultFile } });
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const exited = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(code)));
    const payload = [['extensionDevelopmentPath', server.remote(SUITE_OUT)], ['extensionTestsPath', server.remote(probe)]];
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), 120_000))]);
    if (code !== 0 || !existsSync(resultFile)) throw new Error(`the probe ended with ${code}`);
    const { serverReadyMs } = JSON.parse(readFileSync(resultFile, 'utf8'));
    if (warm && i === 1) log(SUITE, `run ${i} (fills the caches, not counted): activation → server ready ${serverReadyMs} ms`);
    else {
      figures.push(serverReadyMs);
      log(SUITE, `run ${i}: activation → server ready ${serverReadyMs} ms`);
    }
  } finally {
    await browser?.close().catch(() => undefined);
    server?.stop();
    if (!warm || profile?.dir !== dir) rmSync(dir, { recursive: true, force: true });
  }
}
if (profile) rmSync(profile.dir, { recursive: true, force: true });
const sorted = [...figures].sort((a, b) => a - b);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
log(SUITE, `activation → server ready over ${figures.length} ${warm ? 'warm' : 'fresh-profile'} runs: median ${median} ms (min ${sorted[0]}, max ${sorted[sorted.length - 1]}): ${figures.join(', ')} ms`);
