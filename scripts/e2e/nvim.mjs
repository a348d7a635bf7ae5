#!/usr/bin/env node
// Neovim as a second LSP client: runs test/e2e/nvim/lsp.lua headless against the bundled
// server (dist/server.js, what the .vsix holds) on a copy of the examples workspace, and
// counts its PASS / FAIL / PENDING lines.
//
//   node scripts/e2e/nvim.mjs [--results FILE]
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Checks, keepArtifacts, log, parseArgs, prepareWorkspace, ROOT, runDir, toolPaths } from './lib.mjs';

const SUITE = 'nvim';
const args = parseArgs();
const checks = new Checks(SUITE);
const started = Date.now();
const dir = runDir(SUITE);

try {
  const { workspace } = prepareWorkspace(dir);
  const run = spawnSync(toolPaths().nvim, ['--headless', '--clean', '-c', `luafile ${join(ROOT, 'test/e2e/nvim/lsp.lua')}`], {
    cwd: workspace,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PULLGUARD_SERVER: join(ROOT, 'dist/server.js'), PULLGUARD_WORKSPACE: workspace },
  });
  for (const line of run.stdout.split('\n')) {
    const match = /^(PASS|FAIL|PENDING) (.+?)(?: :: (.*))?$/.exec(line.trim());
    if (!match) {
      if (line.trim()) log(SUITE, line.trim());
      continue;
    }
    const [, state, title, why] = match;
    if (state === 'PASS') checks.pass(title);
    else if (state === 'PENDING') checks.pending(title, why);
    else checks.fail(title, why);
  }
  if (run.error) checks.fail('neovim run', run.error);
  else if (run.status !== 0 && checks.counts().failed === 0) checks.fail('neovim run', `nvim exited with ${run.status}: ${run.stderr}`);
  else if (checks.tests.length === 0) checks.fail('neovim run', `nvim printed no checks: ${run.stdout}${run.stderr}`);
} catch (error) {
  checks.fail('neovim run', error);
}

const { passed, failed, pending } = checks.counts();
checks.write(args.results);
if (failed > 0 || process.env.PULLGUARD_E2E_KEEP) log(SUITE, `run kept in ${keepArtifacts(SUITE, dir)}`);
rmSync(dir, { recursive: true, force: true });
log(SUITE, `${passed} passed, ${failed} failed, ${pending} pending in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed > 0 ? 1 : 0);
