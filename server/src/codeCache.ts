/**
 * Loading the server's bundles with a V8 code cache kept in the folder NODE_COMPILE_CACHE
 * names (the client sets it: client/src/extension.ts), for the two bundles the server
 * loads after answering `initialize` (dist/serverProtocol.js, dist/serverCore.js): the core
 * then loads in about half the time (measured on Node 20: ~95 ms → ~45 ms of compiling and
 * running its top level), which the first diagnostics no longer wait for.
 *
 * The cache is first made after the bundle's top level has run, and made again once the
 * server has warmed up (refreshCodeCaches): V8 compiles a function only when it is first
 * called, and a cache made later holds the analysis's functions too, which the next
 * start's first analysis then need not compile (a 50-job pipeline opened with the window:
 * its first diagnostics ~275 → ~240 ms after the spawn, bench/README.md, session 17). Node
 * 22.1+ keeps a compile cache of its own in that folder, but only of what compiling a
 * module's top level compiles; it still caches the entry (dist/server.js).
 *
 * The cache is keyed by a hash of the bundle's text and the Node version and platform,
 * so a rebuilt bundle or another Node never reads a stale one (V8 itself only checks the
 * text's length), and carries its own checksum, so a damaged file is ignored (and
 * replaced) rather than handed to V8. Any failure to read or write it only means
 * compiling as `require` would.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

const LOADED_BUNDLES = Symbol.for('pullguard.codeCache.loadedBundles');

export type CodeCacheUse = 'used' | 'written' | 'not written';

/** The folder for the cache, or undefined when none is configured. */
export function codeCacheFolder(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const folder = env.NODE_COMPILE_CACHE;
  return folder ? join(folder, 'pullguard-v8') : undefined;
}

/** A bundle loaded with a code cache, to make its cache again later (refreshCodeCaches). */
interface LoadedBundle {
  readonly script: Script;
  readonly cacheFile: string;
  readonly prefix: string;
  /** Bytes of the cache read or written last. */
  bytes: number;
}

/**
 * The bundles loaded with a code cache in this process. Each bundle that loads another
 * has its own copy of this module (dist/server.js loads dist/serverProtocol.js, which loads
 * dist/serverCore.js), so they share the list through the global object.
 */
const loadedBundles: LoadedBundle[] = ((globalThis as { [LOADED_BUNDLES]?: LoadedBundle[] })[LOADED_BUNDLES] ??= []);

/**
 * Loads another bundle of the server (`file`, an absolute path): with the code cache when
 * NODE_COMPILE_CACHE names a folder, else as `require` does. A server without it can serve
 * nothing, so a failure ends the process with a message for the editor's log.
 * @param what what the bundle is to the server, for that message ("its analysis")
 */
export function requireBundleOrExit(file: string, what: string): unknown {
  try {
    const folder = codeCacheFolder();
    return folder ? requireWithCodeCache(file, folder).exports : require(file);
  } catch (error) {
    process.stderr.write(`Pullguard: the language server could not load ${what}, reinstall the extension: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  }
}

/**
 * `require(file)` for a CommonJS file, compiled with the code cache in `folder`. The file
 * gets what `require` gives a module: exports, a require relative to it, its filename
 * and folder (not an entry in require.cache: nothing else loads it).
 */
export function requireWithCodeCache(file: string, folder: string): { exports: unknown; cache: CodeCacheUse } {
  const bytes = readFileSync(file);
  const name = basename(file, '.js');
  // The bytes as read are hashed, not the text: hashing a string encodes it to UTF-8 again
  // first, which for this bundle (not all ASCII) takes several times as long as the hash.
  const key = createHash('sha256').update(`${process.version} ${process.platform}-${process.arch}\n`).update(bytes).digest('hex').slice(0, 32);
  const source = bytes.toString('utf8');
  const cacheFile = join(folder, `${name}-${key}.bin`);
  const cachedData = readChecked(cacheFile);
  // A first line `#!...` is allowed at the start of a file only, not inside the wrapper below.
  const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${body}\n})`, { filename: file, cachedData });
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const loaded: LoadedBundle = { script, cacheFile, prefix: `${name}-`, bytes: cachedData?.length ?? 0 };
  loadedBundles.push(loaded);
  if (cachedData && !script.cachedDataRejected) return { exports: module.exports, cache: 'used' };
  // Made after running the top level, so the functions it called are in the cache too.
  const data = script.createCachedData();
  const written = writeChecked(cacheFile, data, loaded.prefix);
  if (written) loaded.bytes = data.length;
  return { exports: module.exports, cache: written ? 'written' : 'not written' };
}

/**
 * A cache holding this much more than the one read or written is written in its place:
 * the functions compiled since. Less is what any run adds (a function or two), not worth
 * a write on every start.
 */
const REFRESH_GROWTH = 1.1;

/**
 * Makes the cache of every bundle loaded with one again, now that more of its functions
 * are compiled (call it once the server has warmed up, when idle: it takes a few ms), and
 * writes those that grew by REFRESH_GROWTH. Returns the files written.
 */
export function refreshCodeCaches(): string[] {
  const written: string[] = [];
  for (const bundle of loadedBundles) {
    const data = bundle.script.createCachedData();
    if (data.length < bundle.bytes * REFRESH_GROWTH || !writeChecked(bundle.cacheFile, data, bundle.prefix)) continue;
    bundle.bytes = data.length;
    written.push(basename(bundle.cacheFile));
  }
  return written;
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** The cache's data, or undefined when the file is missing, unreadable or does not match its checksum. */
function readChecked(file: string): Buffer | undefined {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch {
    return undefined;
  }
  const data = content.subarray(32);
  return content.length > 32 && sha256(data).equals(content.subarray(0, 32)) ? data : undefined;
}

/**
 * Writes checksum + data through a temporary file (another server may read the cache
 * meanwhile), then removes the other files of this bundle: caches of older builds or
 * Node versions, and temporary files a crash left.
 */
function writeChecked(file: string, data: Buffer, prefix: string): boolean {
  const folder = dirname(file);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(folder, { recursive: true });
    writeFileSync(temporary, Buffer.concat([sha256(data), data]));
    renameSync(temporary, file);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Left for the next write's cleanup.
    }
    return false;
  }
  try {
    for (const entry of readdirSync(folder)) {
      if (entry.startsWith(prefix) && join(folder, entry) !== file) rmSync(join(folder, entry), { force: true });
    }
  } catch {
    // Old caches only take space.
  }
  return true;
}
