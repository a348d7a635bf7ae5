#!/usr/bin/env node
// The main job: builds Pullguard and analyses the bundled examples/, printing what
// the editor would show. The examples contain deliberate mistakes, so the CLI's
// exit status 1 ("errors found") is the expected outcome here; anything else fails.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const args = process.argv.slice(2);
const run = spawnSync(process.execPath, [join(root, 'dist/cli.js'), ...(args.length > 0 ? args : ['examples'])], { stdio: 'inherit', cwd: root });
if (run.status === 1) {
  console.log('\nThe examples contain deliberate errors, so `pullguard` exited with status 1, as it does in a pipeline.');
  process.exit(0);
}
process.exit(run.status ?? 1);
