/**
 * Finds the files Pullguard reads in a folder tree (SPEC, file table), for the CLI
 * and for the server's workspace index. Bounded: it skips dependency and VCS
 * folders, never follows symbolic links, and stops after a fixed number of entries.
 */
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'out', '.venv', 'vendor']);
const MAX_ENTRIES = 200_000;
/** Candidate files larger than this are not read (the analysis would refuse them anyway). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Names worth reading: the three kinds' extensions. */
function isCandidate(name: string): boolean {
  return /\.(ya?ml|toml|json)$/i.test(name);
}

export function findCandidateFiles(root: string): string[] {
  const found: string[] = [];
  const stack = [root];
  let seen = 0;
  while (stack.length > 0 && seen < MAX_ENTRIES) {
    const folder = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      continue; // unreadable folder: skip it, keep the rest
    }
    for (const entry of entries) {
      seen++;
      if (entry.isSymbolicLink()) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) stack.push(path);
      } else if (entry.isFile() && isCandidate(entry.name)) {
        found.push(path);
      }
    }
  }
  return found.sort();
}

export type ReadResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: string; readonly tooLarge?: boolean };

/** Reads a UTF-8 text file, refusing directories, huge files and binary content with a reason. */
export function readTextFile(path: string): ReadResult {
  try {
    const stat = lstatSync(path).isSymbolicLink() ? statSync(path) : lstatSync(path);
    if (stat.isDirectory()) return { ok: false, reason: 'it is a directory' };
    if (!stat.isFile()) return { ok: false, reason: 'it is not a regular file' };
    if (stat.size > MAX_FILE_BYTES) return { ok: false, reason: `it is larger than ${MAX_FILE_BYTES / (1024 * 1024)} MiB`, tooLarge: true };
    const bytes = readFileSync(path);
    if (bytes.includes(0)) return { ok: false, reason: 'it is a binary file (it contains NUL bytes)' };
    return { ok: true, text: bytes.toString('utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code === 'ELOOP' ? 'a symbolic link loop' : `it cannot be read (${code ?? 'unknown error'})`;
    return { ok: false, reason };
  }
}
