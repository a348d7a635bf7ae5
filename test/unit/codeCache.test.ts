/**
 * The V8 code cache the server keeps for the bundles it loads (server/src/codeCache.ts):
 * written on the first load, used on the next, made again with the functions compiled
 * since, keyed by the bundle's text, and a damaged or foreign file is ignored and
 * replaced, never trusted.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { after, describe, test } from 'node:test';
import { codeCacheFolder, requireWithCodeCache } from '../../server/src/codeCache';

const root = mkdtempSync(join(tmpdir(), 'pullguard-code-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** A bundle-like CommonJS file (with the build's `#!` first line) and its sibling, in a fresh folder. */
function makeBundle(value: number): { file: string; cache: string } {
  const dir = join(root, `case-${++folders}`);
  const file = join(dir, 'bundle.js');
  mkdirSync(dir);
  writeFileSync(join(dir, 'sibling.js'), 'module.exports = "sibling";\n');
  writeFileSync(file, `#!/usr/bin/env node\nfunction answer() { return ${value}; }\nmodule.exports = { answer: answer(), sibling: require('./sibling.js'), file: __filename, dir: __dirname, self: this === exports };\n`);
  return { file, cache: join(dir, 'cache') };
}

/**
 * requireWithCodeCache in a new Node process. Within one process V8 keeps what it has
 * compiled (by text and file name) and does not even read the cache for that file again,
 * so whether V8 takes a cache or turns it down shows only in a fresh process.
 */
function requireInFreshProcess(file: string, cache: string): { exports: unknown; cache: string } {
  const program = `const { requireWithCodeCache } = require(${JSON.stringify(join(__dirname, '../../server/src/codeCache.ts'))});
process.stdout.write(JSON.stringify(requireWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(cache)})));`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', program], { cwd: join(__dirname, '../..'), encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as { exports: unknown; cache: string };
}

function cacheFiles(cache: string): string[] {
  return readdirSync(cache);
}

describe('requireWithCodeCache', () => {
  test('gives the module what require gives it, writes the cache, then uses it', () => {
    const { file, cache } = makeBundle(42);
    const expected = { answer: 42, sibling: 'sibling', file, dir: join(file, '..'), self: true };
    const first = requireWithCodeCache(file, cache);
    assert.deepEqual(first, { exports: expected, cache: 'written' });
    assert.equal(cacheFiles(cache).length, 1);
    assert.deepEqual(requireInFreshProcess(file, cache), { exports: expected, cache: 'used' });
  });

  test('a damaged cache is ignored and replaced', () => {
    const { file, cache } = makeBundle(7);
    requireWithCodeCache(file, cache);
    const cacheFile = join(cache, cacheFiles(cache)[0]!);
    const damaged = readFileSync(cacheFile);
    damaged[damaged.length >> 1] ^= 0xff;
    writeFileSync(cacheFile, damaged);
    assert.deepEqual(requireWithCodeCache(file, cache).cache, 'written');
    assert.deepEqual(requireWithCodeCache(file, cache), { exports: { answer: 7, sibling: 'sibling', file, dir: join(file, '..'), self: true }, cache: 'used' });
    writeFileSync(cacheFile, damaged.subarray(0, 20));
    assert.deepEqual(requireWithCodeCache(file, cache).cache, 'written');
  });

  test('a cache that is whole but that V8 rejects (made for other code) is replaced', () => {
    const { file, cache } = makeBundle(5);
    requireWithCodeCache(file, cache);
    const cacheFile = join(cache, cacheFiles(cache)[0]!);
    // Passes the file's own checksum, so only V8's check can turn it down.
    const foreign = new Script('(function () { return "other code"; })', { filename: 'other.js' }).createCachedData();
    writeFileSync(cacheFile, Buffer.concat([createHash('sha256').update(foreign).digest(), foreign]));
    assert.deepEqual(requireInFreshProcess(file, cache), { exports: { answer: 5, sibling: 'sibling', file, dir: join(file, '..'), self: true }, cache: 'written' });
    assert.equal(requireInFreshProcess(file, cache).cache, 'used');
  });

  test('a file without a first #! line loads the same', () => {
    const { file, cache } = makeBundle(9);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^#!.*\n/, ''));
    assert.deepEqual(requireWithCodeCache(file, cache), { exports: { answer: 9, sibling: 'sibling', file, dir: join(file, '..'), self: true }, cache: 'written' });
  });

  test('a rebuilt bundle gets a new cache and the old one is removed', () => {
    const { file, cache } = makeBundle(1);
    requireWithCodeCache(file, cache);
    const before = cacheFiles(cache);
    // Same length, other text: V8 alone would take the old cache for it.
    writeFileSync(file, readFileSync(file, 'utf8').replace('return 1;', 'return 2;'));
    const rebuilt = requireWithCodeCache(file, cache);
    assert.equal(rebuilt.cache, 'written');
    assert.equal((rebuilt.exports as { answer: number }).answer, 2);
    const now = cacheFiles(cache);
    assert.equal(now.length, 1);
    assert.notDeepEqual(now, before);
  });

  test('a cache folder that cannot be made only means no cache', () => {
    const { file } = makeBundle(3);
    const blocked = join(root, 'a-file');
    writeFileSync(blocked, '');
    assert.deepEqual(requireWithCodeCache(file, join(blocked, 'cache')).cache, 'not written');
  });
});

describe('refreshCodeCaches', () => {
  /** A bundle whose `later` (large) is compiled only when first called, after the top level has run. */
  function makeLazyBundle(): { file: string; cache: string } {
    const dir = join(root, `case-${++folders}`);
    mkdirSync(dir);
    const statements = Array.from({ length: 400 }, (_, i) => `  total += (input * ${i + 1}) % ${i + 7};`).join('\n');
    const file = join(dir, 'bundle.js');
    writeFileSync(file, `function later(input) {\n  let total = 0;\n${statements}\n  return total;\n}\nmodule.exports = { later };\n`);
    return { file, cache: join(dir, 'cache') };
  }

  /** Loads the bundle in a fresh process, calls `later` if asked, refreshes twice: what each refresh wrote and the cache's size after each. */
  function loadCallRefresh(file: string, cache: string, call: boolean): { load: string; value: number | null; refreshes: Array<{ written: string[]; bytes: number }> } {
    const codeCache = join(__dirname, '../../server/src/codeCache.ts');
    const program = `const { requireWithCodeCache, refreshCodeCaches } = require(${JSON.stringify(codeCache)});
const { statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const loaded = requireWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(cache)});
const value = ${call} ? loaded.exports.later(3) : null;
const size = () => statSync(join(${JSON.stringify(cache)}, readdirSync(${JSON.stringify(cache)})[0])).size;
const refreshes = [];
for (let i = 0; i < 2; i++) refreshes.push({ written: refreshCodeCaches(), bytes: size() });
process.stdout.write(JSON.stringify({ load: loaded.cache, value, refreshes }));`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', program], { cwd: join(__dirname, '../..'), encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as { load: string; value: number | null; refreshes: Array<{ written: string[]; bytes: number }> };
  }

  test('writes the cache again with the functions compiled since it was made, once, and the next load uses it', () => {
    const { file, cache } = makeLazyBundle();
    const first = loadCallRefresh(file, cache, true);
    assert.equal(first.load, 'written');
    const written = cacheFiles(cache);
    // `later` was compiled after the cache was made: the refreshed cache holds it, and is larger.
    assert.deepEqual(first.refreshes[0]!.written, written);
    // Nothing compiled since: no second write.
    assert.deepEqual(first.refreshes[1]!.written, []);
    assert.equal(first.refreshes[1]!.bytes, first.refreshes[0]!.bytes);
    const second = loadCallRefresh(file, cache, true);
    assert.equal(second.load, 'used');
    assert.equal(second.value, first.value);
    // Read with `later` in it: calling it compiles nothing new, so nothing is written.
    assert.deepEqual(second.refreshes.map((refresh) => refresh.written), [[], []]);
  });

  test('writes nothing when no function was compiled since the cache was made', () => {
    const { file, cache } = makeLazyBundle();
    const run = loadCallRefresh(file, cache, false);
    assert.equal(run.load, 'written');
    assert.deepEqual(run.refreshes.map((refresh) => refresh.written), [[], []]);
  });
});

describe('codeCacheFolder', () => {
  test('is in NODE_COMPILE_CACHE, and none when no folder is set', () => {
    assert.equal(codeCacheFolder({ NODE_COMPILE_CACHE: '/cache' }), join('/cache', 'pullguard-v8'));
    assert.equal(codeCacheFolder({}), undefined);
    assert.equal(codeCacheFolder({ NODE_COMPILE_CACHE: '' }), undefined);
  });
});
