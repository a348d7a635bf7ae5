/**
 * Builds `dist/` when a bundle is missing or older than the sources, so a test file
 * that drives a bundle (the server, the CLI) also runs alone. Test files run in
 * parallel, so the build is serialized with a lock directory and the staleness is
 * checked again inside it (scripts/test.mjs builds first, so this is usually a no-op).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../..');
const LOCK = join(tmpdir(), 'pullguard-tests-build.lock');
const WAIT_MS = 120_000;

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function isStale(bundle: string): boolean {
  if (!existsSync(bundle)) return true;
  const sources = Math.max(newestMtime(join(REPO_ROOT, 'server/src')), statSync(join(REPO_ROOT, 'package.json')).mtimeMs);
  return statSync(bundle).mtimeMs < sources;
}

/** @param bundle the bundle the caller needs, e.g. `dist/cli.js` */
export function ensureBuilt(bundle: string): void {
  const path = resolve(REPO_ROOT, bundle);
  if (!isStale(path)) return;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // Another test file is building; a lock older than the wait is left over from a crash.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > WAIT_MS) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // removed meanwhile
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the build lock ${LOCK}.`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (!isStale(path)) return;
    const build = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs')], { cwd: REPO_ROOT, encoding: 'utf8', timeout: WAIT_MS });
    if (build.status !== 0) throw new Error(`node scripts/build.mjs failed (status ${build.status}):\n${build.stdout}\n${build.stderr}`);
  } finally {
    rmdirSync(LOCK);
  }
}
