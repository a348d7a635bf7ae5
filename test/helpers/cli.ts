/**
 * Helpers of the CLI tests: temporary folder trees, removed after the test file,
 * and the CLI run in-process with its output collected.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { runCli } from '../../server/src/cli/main';

const temporaryFolders: string[] = [];
after(() => {
  for (const folder of temporaryFolders) rmSync(folder, { recursive: true, force: true });
});

/** A fresh folder under the OS temp dir holding `files` (relative path → content). */
export function makeTree(files: Readonly<Record<string, string | Uint8Array>>): string {
  const root = mkdtempSync(join(tmpdir(), 'pullguard-test-'));
  temporaryFolders.push(root);
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return root;
}

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** `pullguard ARGV` in `cwd`, in this process. */
export function run(argv: readonly string[], cwd: string): CliRun {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(argv, cwd, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
