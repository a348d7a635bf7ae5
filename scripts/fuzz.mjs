#!/usr/bin/env node
// The long fuzzing run: the properties of the `fuzz` suite (test/fuzz) with a larger
// budget and a seed of your choice. `npm run fuzz -- --runs N --seed S`:
//   --runs N   total number of cases over all properties (the CI suite runs 20,000)
//   --seed S   the seed (default: a random one, printed so the run can be replayed)
// The truncation properties are exhaustive (every offset) and do not scale with --runs.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = join(import.meta.dirname, '..');
let values;
try {
  ({ values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' } }, strict: true }));
} catch (error) {
  console.error(`fuzz: ${error.message}\nUsage: npm run fuzz -- [--runs N] [--seed S]`);
  process.exit(2);
}
const runs = values.runs ?? '100000';
const seed = values.seed ?? String(Math.floor(Math.random() * 2 ** 31));
for (const [name, value] of [['--runs', runs], ['--seed', seed]]) {
  if (!/^\d+$/.test(value) || Number(value) < (name === '--runs' ? 1 : 0)) {
    console.error(`fuzz: ${name} expects a whole number, got \`${value}\`.`);
    process.exit(2);
  }
}
console.log(`fuzz: ${runs} cases, seed ${seed}; replay with: npm run fuzz -- --runs ${runs} --seed ${seed}`);
const files = readdirSync(join(root, 'test/fuzz')).filter((f) => f.endsWith('.test.ts')).map((f) => join('test/fuzz', f));
const started = Date.now();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PULLGUARD_FUZZ_RUNS: runs, PULLGUARD_FUZZ_SEED: seed },
});
console.log(`fuzz: finished in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${seed}, exit ${result.status}`);
process.exit(result.status ?? 1);
