/**
 * Finds the files Pullguard reads in a folder tree (SPEC, file table), for the CLI
 * and for the server's workspace index. Bounded: it skips dependency and VCS
 * folders, never follows symbolic links (so a link loop cannot trap it), and stops
 * after a fixed number of entries. What it passes over that looked like one of the
 * files (a link, a FIFO, a folder it cannot list, the rest of a huge tree) is told to
 * `onSkip`, so the server can log it.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync, type Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
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

/** One folder's entries as listed, or the error its listing threw. */
type Listing = { readonly entries: readonly Dirent[] } | { readonly error: unknown };

function listFolder(folder: string): Listing {
  try {
    return { entries: readdirSync(folder, { withFileTypes: true }) };
  } catch (error) {
    return { error };
  }
}

function listFolderAsync(folder: string): Promise<Listing> {
  return readdir(folder, { withFileTypes: true }).then((entries) => ({ entries }), (error: unknown) => ({ error }));
}

/**
 * A walk's state and what it makes of each folder's listing. The folders are taken in
 * one order, breadth first (a tree over the entry limit has its files nearest the root
 * read), whichever walk below lists them: the same files, the same skips told in the
 * same order, the same entries counted before the limit. Breadth first, the folders to
 * be taken next are known, so their listings can be started ahead.
 */
class CandidateWalk {
  private readonly found: string[] = [];
  private readonly start: string;
  /** Folders found, in the order they are taken; those before `taken` are. */
  private readonly folders: string[];
  private taken = 0;
  private seen = 0;
  private stopped = false;
  private readonly onSkip: SkipReporter;
  private readonly isWanted: (path: string) => boolean;
  private readonly maxEntries: number;

  constructor(private readonly root: string, options: FindOptions) {
    this.onSkip = options.onSkip ?? (() => {});
    this.isWanted = options.isWanted ?? (() => true);
    this.maxEntries = options.maxEntries ?? MAX_ENTRIES;
    this.start = normalize(root);
    this.folders = [this.start];
  }

  /** The next folder to list, or undefined when the walk is over. */
  next(): string | undefined {
    return this.stopped ? undefined : this.folders[this.taken++];
  }

  /** The folders to be taken after the one `next` gave, up to `count` of them (fewer when their parents are not taken yet). */
  upcoming(count: number): readonly string[] {
    return this.folders.slice(this.taken, this.taken + count);
  }

  /** Takes a folder's listing: its candidate files are found, its folders to be taken next. */
  take(folder: string, listing: Listing): void {
    if ('error' in listing) {
      // Unreadable or vanished folder: skip it, keep the rest. A root that does not exist is no news.
      if (folder !== this.start || (listing.error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.onSkip(folder, `its entries cannot be listed (${describeErrorCode(listing.error)})`);
      }
      return;
    }
    for (const entry of listing.entries) {
      if (++this.seen > this.maxEntries) {
        const limit = this.maxEntries.toLocaleString('en-US');
        this.onSkip(this.root, `the folder has more than ${limit} entries; the files after the first ${limit} are not read`);
        this.stopped = true;
        return;
      }
      // Not path.join, which normalizes each of a big tree's paths again (a quarter of the walk).
      const path = folder.endsWith(sep) ? folder + entry.name : folder + sep + entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) this.folders.push(path);
      } else if (!isCandidate(entry.name) || !this.isWanted(path)) {
        continue;
      } else if (entry.isSymbolicLink()) {
        this.onSkip(path, 'it is a symbolic link, and Pullguard does not follow links in a folder it searches (name the file itself to check it)');
      } else if (entry.isFile()) {
        this.found.push(path);
      } else {
        this.onSkip(path, 'it is not a regular file');
      }
    }
  }

  /** The candidate files found, sorted. */
  result(): string[] {
    return this.found.sort();
  }
}

/** The candidate files under `root`, sorted; the folders listed one at a time (the CLI's walk). */
export function findCandidateFiles(root: string, options: FindOptions = {}): string[] {
  const walk = new CandidateWalk(root, options);
  for (let folder = walk.next(); folder !== undefined; folder = walk.next()) walk.take(folder, listFolder(folder));
  return walk.result();
}

/** Listings started ahead of the walk once it lists in parallel. */
const LISTINGS_AHEAD = 16;
/** Listings timed together to tell whether the file system's cache holds the tree. */
const TIMED_LISTINGS = 16;
/**
 * Whether a listing came from the disk, from its time: more than this for the listing
 * itself, once EACH_ENTRY_MS is allowed for each entry. Measured on a monorepo of 2,804
 * folders: from the cache, a folder of 5 entries is listed in 16–50 µs and one of 400 in
 * 600–730; from the disk, one of 5 in 145–800 µs (bench/README.md, session 19).
 */
const COLD_LISTING_MS = 0.075;
const EACH_ENTRY_MS = 0.002;

export interface AsyncFindOptions extends FindOptions {
  /** List in parallel from the first folder (tests); by default only once listings come from the disk. */
  readonly parallel?: boolean;
}

/**
 * findCandidateFiles, listing folders in parallel once they come from the disk. From the
 * cache, a folder is listed fastest by a plain `readdirSync`: libuv's thread pool costs
 * more in round trips than it saves (a 14,000-file monorepo's walk 128–156 ms against
 * 71–79). From the disk, each listing waits on it, and LISTINGS_AHEAD of them at a time
 * wait together: 278–309 ms against 493–545 (bench/README.md, session 19). So the walk
 * times its listings, and when their median says they come from the disk it lists the
 * next folders ahead, in parallel. It still takes the folders in the order
 * findCandidateFiles does, so what it finds and tells is the same.
 */
export async function findCandidateFilesAsync(root: string, options: AsyncFindOptions = {}): Promise<string[]> {
  const walk = new CandidateWalk(root, options);
  let folder = walk.next();
  // From the cache: one folder at a time, synchronously. Every TIMED_LISTINGS listings,
  // their median says whether to go on so.
  let times: number[] = [];
  while (folder !== undefined && !options.parallel) {
    if (times.length === TIMED_LISTINGS) {
      if (listingsFromDisk(times)) break;
      times = [];
    }
    const started = performance.now();
    const listing = listFolder(folder);
    times.push(listingTime(performance.now() - started, 'entries' in listing ? listing.entries.length : 0));
    walk.take(folder, listing);
    folder = walk.next();
  }
  // From the disk: the listings of the folders to be taken next are started ahead.
  const ahead = new Map<string, Promise<Listing>>();
  for (; folder !== undefined; folder = walk.next()) {
    for (const next of [folder, ...walk.upcoming(LISTINGS_AHEAD - 1)]) {
      if (!ahead.has(next)) ahead.set(next, listFolderAsync(next));
    }
    const listing = ahead.get(folder)!;
    ahead.delete(folder);
    walk.take(folder, await listing);
  }
  return walk.result();
}

/** A listing's time for the folder itself: `ms` less EACH_ENTRY_MS for each of its `entries`. */
export function listingTime(ms: number, entries: number): number {
  return ms - entries * EACH_ENTRY_MS;
}

/** Whether listings (their listingTime) come from the disk rather than the cache: their median is over COLD_LISTING_MS. */
export function listingsFromDisk(times: readonly number[]): boolean {
  return median(times) > COLD_LISTING_MS;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
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
