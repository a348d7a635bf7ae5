/**
 * Finds the files Pullguard reads in a folder tree (SPEC, file table), for the CLI
 * and for the server's workspace index. Bounded: it skips dependency and VCS
 * folders, never follows symbolic links (so a link loop cannot trap it), and stops
 * after a fixed number of entries. What it passes over that looked like one of the
 * files (a link, a FIFO, a folder it cannot list, the rest of a huge tree) is told to
 * `onSkip`, so the server can log it.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { normalize, sep } from 'node:path';

const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'out', '.venv', 'vendor']);
/** Folder entries looked at per tree, at most (docs/limits.md). */
export const MAX_ENTRIES = 200_000;
/** Candidate files larger than this are not read (the analysis would refuse them anyway). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Names worth reading: the three kinds' extensions. */
function isCandidate(name: string): boolean {
  return /\.(ya?ml|toml|json)$/i.test(name);
}

/** Told about an entry the walk passed over, with the reason as a sentence fragment. */
export type SkipReporter = (path: string, reason: string) => void;

export interface FindOptions {
  readonly onSkip?: SkipReporter;
  /**
   * Whether a file named like a candidate may be one the caller reads, from its path
   * (default: every one). The others are passed over in silence, links and FIFOs among
   * them: a repository's `package.json` files are no business of Pullguard's.
   */
  readonly isWanted?: (path: string) => boolean;
  /** Entries looked at before the walk stops; `MAX_ENTRIES` unless a test needs a small tree to hit it. */
  readonly maxEntries?: number;
}

export function findCandidateFiles(root: string, options: FindOptions = {}): string[] {
  const { onSkip = () => {}, isWanted = () => true, maxEntries = MAX_ENTRIES } = options;
  const found: string[] = [];
  const start = normalize(root);
  const stack = [start];
  let seen = 0;
  while (stack.length > 0) {
    const folder = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (error) {
      // Unreadable or vanished folder: skip it, keep the rest.
      if (folder !== start || (error as NodeJS.ErrnoException).code !== 'ENOENT') onSkip(folder, `its entries cannot be listed (${describeErrorCode(error)})`);
      continue;
    }
    for (const entry of entries) {
      if (++seen > maxEntries) {
        onSkip(root, `the folder has more than ${maxEntries.toLocaleString('en-US')} entries; the files after the first ${maxEntries.toLocaleString('en-US')} are not read`);
        return found.sort();
      }
      // Not path.join, which normalizes each of a big tree's paths again (a quarter of the walk).
      const path = folder.endsWith(sep) ? folder + entry.name : folder + sep + entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) stack.push(path);
      } else if (!isCandidate(entry.name) || !isWanted(path)) {
        continue;
      } else if (entry.isSymbolicLink()) {
        onSkip(path, 'it is a symbolic link, and Pullguard does not follow links in a folder it searches (name the file itself to check it)');
      } else if (entry.isFile()) {
        found.push(path);
      } else {
        onSkip(path, 'it is not a regular file');
      }
    }
  }
  return found.sort();
}

export type ReadResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: string; readonly tooLarge?: boolean };

function describeErrorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'unknown error';
}

/**
 * Reads a UTF-8 text file, refusing directories, FIFOs and devices, huge files and
 * binary content with a reason. The checks are made on the opened file itself, so a
 * file swapped for a FIFO after it was listed cannot block the read.
 */
export function readTextFile(path: string): ReadResult {
  let fd: number | undefined;
  try {
    // Non-blocking: opening a FIFO must not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { ok: false, reason: 'it is a directory' };
    if (!stat.isFile()) return { ok: false, reason: 'it is not a regular file' };
    if (stat.size > MAX_FILE_BYTES) return { ok: false, reason: `it is larger than ${MAX_FILE_BYTES / (1024 * 1024)} MiB`, tooLarge: true };
    const bytes = readFileSync(fd);
    if (bytes.length > MAX_FILE_BYTES) return { ok: false, reason: `it is larger than ${MAX_FILE_BYTES / (1024 * 1024)} MiB`, tooLarge: true };
    if (bytes.includes(0)) return { ok: false, reason: 'it is a binary file (it contains NUL bytes)' };
    return { ok: true, text: bytes.toString('utf8') };
  } catch (error) {
    return { ok: false, reason: describeFileError(path, error) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Why `path` could not be opened or listed, as a sentence fragment for messages. */
export function describeFileError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOENT') return isDanglingLink(path) ? 'it is a symbolic link to nothing' : 'it does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'it is a symbolic link loop';
  return `it cannot be read (${code ?? 'unknown error'})`;
}

function isDanglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
