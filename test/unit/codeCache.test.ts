/**
 * The V8 code cache the server keeps for its core bundle on Node before 22.1
 * (server/src/codeCache.ts): written on the first load, used on the next, keyed by the
 * bundle's text, and a damaged or foreign file is ignored and replaced, never trusted.
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

describe('codeCacheFolder', () => {
  test('is in NODE_COMPILE_CACHE on Node before 22.1, and none where Node caches itself or no folder is set', () => {
    assert.equal(codeCacheFolder({ NODE_COMPILE_CACHE: '/cache' }, '20.20.2'), join('/cache', 'pullguard-v8'));
    assert.equal(codeCacheFolder({ NODE_COMPILE_CACHE: '/cache' }, '22.0.0'), join('/cache', 'pullguard-v8'));
    assert.equal(codeCacheFolder({ NODE_COMPILE_CACHE: '/cache' }, '22.1.0'), undefined);
    assert.equal(codeCacheFolder({ NODE_COMPILE_CACHE: '/cache' }, '24.3.0'), undefined);
    assert.equal(codeCacheFolder({}, '20.20.2'), undefined);
    assert.equal(codeCacheFolder({ NODE_COMPILE_CACHE: '' }, '20.20.2'), undefined);
  });
});
