/**
 * Supply chain: what users install. The packaged .vsix (dist/pullguard.vsix, built by
 * `npm run package` when missing or older than the sources) holds no node_modules and
 * no source maps, and its bundles point to none; and the code bundled into the
 * extension and the server comes from production dependencies only — the esbuild
 * dependency graph of both entry points names no package that package-lock.json marks
 * as a dev dependency. The runtime dependencies and why each is needed are listed in
 * docs/security.md.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import { REPO_ROOT } from '../../helpers/build';

const VSIX = join(REPO_ROOT, 'dist/pullguard.vsix');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

/** The .vsix, packaged first when missing or stale; the dev bundles are rebuilt after, as other tests expect them. */
function ensurePackaged(): void {
  const sources = Math.max(...['server/src', 'client/src', 'package.json', '.vscodeignore', 'syntaxes'].map((p) => newestMtime(join(REPO_ROOT, p))));
  if (existsSync(VSIX) && statSync(VSIX).mtimeMs >= sources) return;
  for (const args of [['scripts/package.mjs'], ['scripts/build.mjs']]) {
    const run = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000 });
    assert.equal(run.status, 0, `node ${args.join(' ')} failed:\n${run.stdout}\n${run.stderr}`);
  }
}

/** The entries of a zip archive (a .vsix), with their inflated contents. */
function readZip(file: string): Map<string, Buffer> {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.notEqual(end, -1, `${file} is not a zip archive`);
  const entries = new Map<string, Buffer>();
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + compressed);
    entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

/** Packages package-lock.json marks as dev-only, by their node_modules path. */
function devOnlyPackages(): Set<string> {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  return new Set(Object.entries(lock.packages).filter(([path, entry]) => path !== '' && entry.dev).map(([path]) => path));
}

/** The node_modules package an esbuild input path belongs to (`node_modules/@scope/name`, `node_modules/a/node_modules/b`). */
function packageOf(input: string): string | undefined {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1];
}

describe('the packaged extension', () => {
  test('holds no node_modules and no source maps, and its bundles reference none', { timeout: 400_000 }, () => {
    ensurePackaged();
    const entries = readZip(VSIX);
    const names = [...entries.keys()];
    const bundles = ['extension/dist/server.js', 'extension/dist/serverProtocol.js', 'extension/dist/serverCore.js', 'extension/dist/client.js'];
    for (const bundle of bundles) assert.ok(names.includes(bundle), `${bundle} missing from ${names.join(', ')}`);
    assert.deepEqual(names.filter((name) => /(?:^|\/)node_modules\//.test(name)), []);
    assert.deepEqual(names.filter((name) => /\.map$|\.tsx?$/.test(name)), []);
    for (const bundle of bundles) {
      const text = entries.get(bundle)!.toString('utf8');
      // The program (server.js) is small on purpose: it answers `initialize` before loading the rest.
      assert.ok(text.length > 2_000, `${bundle} is a real bundle`);
      assert.doesNotMatch(text, /sourceMappingURL|sourcesContent/, `${bundle} points to or embeds a source map`);
    }
  });
});

describe('the bundled code', () => {
  // The program (serverEntry.ts) bundles no package at all: it answers `initialize`, then loads the others.
  for (const [name, entry, usesPackages] of [['server program', 'server/src/serverEntry.ts', false], ['server protocol', 'server/src/serverProtocol.ts', true], ['server core', 'server/src/server.ts', true], ['client', 'client/src/extension.ts', true]] as const) {
    test(`of the ${name} comes from production dependencies only`, async () => {
      // The options of scripts/build.mjs that decide what is bundled.
      const result = await esbuild.build({
        absWorkingDir: REPO_ROOT,
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        external: ['vscode'],
        mainFields: ['module', 'main'],
        define: { PULLGUARD_VERSION: '"0.0.0-test"' },
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const packages = new Set(Object.keys(result.metafile.inputs).map(packageOf).filter((p): p is string => p !== undefined));
      assert.equal(packages.size > 0, usesPackages, usesPackages ? 'the bundle uses node_modules packages' : `the program bundles ${[...packages].join(', ')}`);
      const dev = devOnlyPackages();
      assert.deepEqual([...packages].filter((p) => dev.has(p)), [], `dev dependencies bundled into the ${name}`);
    });
  }
});
