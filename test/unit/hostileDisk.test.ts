/**
 * The workspace on disk, as the CLI walk and the server's index meet it: folders named
 * like files, files that vanish, FIFOs and dangling links in place of files (the tests
 * run as root, so "unreadable" is simulated with paths that cannot be read as text),
 * symbolic link loops, files over the size limit, and a tree larger than the walk's
 * entry limit. Each case ends quickly with the file skipped and a reason for the log,
 * never a hang or an exception.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { findCandidateFiles, findCandidateFilesAsync, listingsFromDisk, listingTime, MAX_FILE_BYTES, readTextFile, type FindOptions } from '../../server/src/node/findFiles';
import { makeTree, run } from '../helpers/cli';

const PIPELINE = 'build:\n  image: Redis:1\n  script: [make]\n';

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

type Walker = (root: string, options?: FindOptions) => string[] | Promise<string[]>;

/**
 * The walks of a folder: the CLI's, the server's (listing one folder at a time while the
 * tree is in the file system's cache, as it is here), and the server's once listings come
 * from the disk (in parallel). Each must find and tell the same.
 */
const WALKERS: ReadonlyArray<[string, Walker]> = [
  ['findCandidateFiles', findCandidateFiles],
  ['findCandidateFilesAsync', (root, options) => findCandidateFilesAsync(root, options)],
  ['findCandidateFilesAsync, in parallel', (root, options) => findCandidateFilesAsync(root, { ...options, parallel: true })],
];

/** A walk with the skipped entries collected, relative to `root`. */
async function walkWith(walker: Walker, root: string, maxEntries?: number): Promise<{ files: string[]; skipped: Array<[string, string]> }> {
  const skipped: Array<[string, string]> = [];
  const files = await walker(root, { onSkip: (path, reason) => skipped.push([path.slice(root.length + 1) || '.', reason]), maxEntries });
  return { files: files.map((f) => f.slice(root.length + 1)), skipped };
}

describe('reading one file', () => {
  test('a FIFO named like a config is refused at once, without waiting for a writer', () => {
    const root = makeTree({});
    mkfifo(join(root, 'config.toml'));
    assert.deepEqual(readTextFile(join(root, 'config.toml')), { ok: false, reason: 'it is not a regular file' });
  });

  test('a link to a FIFO is refused the same way', () => {
    const root = makeTree({});
    mkfifo(join(root, 'fifo'));
    symlinkSync(join(root, 'fifo'), join(root, '.gitlab-ci.yml'));
    assert.deepEqual(readTextFile(join(root, '.gitlab-ci.yml')), { ok: false, reason: 'it is not a regular file' });
  });

  test('a dangling link, a link loop, a folder and a vanished file each get their reason', () => {
    const root = makeTree({ 'config.json/inner.txt': 'x' });
    symlinkSync(join(root, 'nowhere'), join(root, 'dangling.yml'));
    symlinkSync(join(root, 'loop-b.yml'), join(root, 'loop-a.yml'));
    symlinkSync(join(root, 'loop-a.yml'), join(root, 'loop-b.yml'));
    writeFileSync(join(root, 'gone.yml'), PIPELINE);
    rmSync(join(root, 'gone.yml'));
    assert.deepEqual(readTextFile(join(root, 'dangling.yml')), { ok: false, reason: 'it is a symbolic link to nothing' });
    assert.deepEqual(readTextFile(join(root, 'loop-a.yml')), { ok: false, reason: 'it is a symbolic link loop' });
    assert.deepEqual(readTextFile(join(root, 'config.json')), { ok: false, reason: 'it is a directory' });
    assert.deepEqual(readTextFile(join(root, 'gone.yml')), { ok: false, reason: 'it does not exist' });
  });

  test('a sparse file just over the limit is refused by its size, unread', () => {
    const root = makeTree({ 'big.yml': '' });
    truncateSync(join(root, 'big.yml'), MAX_FILE_BYTES + 1);
    assert.deepEqual(readTextFile(join(root, 'big.yml')), { ok: false, reason: 'it is larger than 16 MiB', tooLarge: true });
  });

  test('a link to a regular file is read when named directly', () => {
    const root = makeTree({ 'real.yml': PIPELINE });
    symlinkSync(join(root, 'real.yml'), join(root, '.gitlab-ci.yml'));
    assert.deepEqual(readTextFile(join(root, '.gitlab-ci.yml')), { ok: true, text: PIPELINE });
  });
});

for (const [name, walker] of WALKERS) describe(`walking a folder: ${name}`, () => {
  const walk = (root: string, maxEntries?: number) => walkWith(walker, root, maxEntries);

  test('does not follow a link loop of folders, and says which candidate links it passed over', async () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE, 'a/b/config.toml': '[[runners]]\n' });
    symlinkSync(join(root, 'a'), join(root, 'a/b/up'));
    symlinkSync(join(root, 'a/b'), join(root, 'a/down'));
    symlinkSync(join(root, '.gitlab-ci.yml'), join(root, 'a/linked.gitlab-ci.yml'));
    const { files, skipped } = await walk(root);
    assert.deepEqual(files, ['.gitlab-ci.yml', 'a/b/config.toml']);
    assert.deepEqual(skipped.map(([path]) => path), ['a/linked.gitlab-ci.yml']);
    assert.match(skipped[0]![1], /symbolic link/);
  });

  test('descends into a folder named like a file, and skips a FIFO named like one', async () => {
    const root = makeTree({ '.gitlab-ci.yml/inner.gitlab-ci.yml': PIPELINE });
    mkdirSync(join(root, 'gitlab-runner'));
    mkfifo(join(root, 'gitlab-runner/config.toml'));
    const { files, skipped } = await walk(root);
    assert.deepEqual(files, ['.gitlab-ci.yml/inner.gitlab-ci.yml']);
    assert.deepEqual(skipped, [['gitlab-runner/config.toml', 'it is not a regular file']]);
  });

  test('passes over the files the caller does not want in silence, links and FIFOs among them', async () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE, 'package.json': '{}', 'pkg/tsconfig.json': '{}', '.docker/config.json': '{}' });
    mkfifo(join(root, 'pkg/package.json'));
    symlinkSync(join(root, 'package.json'), join(root, 'pkg/linked.json'));
    symlinkSync(join(root, '.gitlab-ci.yml'), join(root, 'pkg/linked.gitlab-ci.yml'));
    const wanted: string[] = [];
    const skipped: string[] = [];
    const files = await walker(root, {
      onSkip: (path) => skipped.push(path.slice(root.length + 1)),
      isWanted: (path) => {
        wanted.push(path.slice(root.length + 1));
        return !path.endsWith('.json') || path.endsWith('/.docker/config.json');
      },
    });
    assert.deepEqual(files.map((f) => f.slice(root.length + 1)), ['.docker/config.json', '.gitlab-ci.yml']);
    assert.deepEqual(skipped, ['pkg/linked.gitlab-ci.yml']);
    // Asked about candidates only, never about a folder.
    assert.deepEqual(wanted.sort(), ['.docker/config.json', '.gitlab-ci.yml', 'package.json', 'pkg/linked.gitlab-ci.yml', 'pkg/linked.json', 'pkg/package.json', 'pkg/tsconfig.json']);
  });

  test('gives each path as path.join would, also from a root with a trailing separator or dots', async () => {
    const root = makeTree({ 'a/.gitlab-ci.yml': PIPELINE });
    assert.deepEqual(await walker(`${root}/`), [join(root, 'a/.gitlab-ci.yml')]);
    assert.deepEqual(await walker(`${root}/a/../a`), [join(root, 'a/.gitlab-ci.yml')]);
  });

  test('stops at the entry limit and says so', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`f${String(i).padStart(2, '0')}.yml`] = '';
    const root = makeTree(files);
    const result = await walk(root, 10);
    assert.equal(result.files.length, 10);
    assert.deepEqual(result.skipped.map(([path]) => path), ['.']);
    assert.match(result.skipped[0]![1], /more than 10 entries/);
  });

  test('a root that does not exist gives nothing, and nothing to log', async () => {
    const root = makeTree({});
    assert.deepEqual(await walk(join(root, 'missing')), { files: [], skipped: [] });
  });

  test('a root that is a file is told as a folder that cannot be listed', async () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    assert.deepEqual(await walk(join(root, '.gitlab-ci.yml')), { files: [], skipped: [['.', 'its entries cannot be listed (ENOTDIR)']] });
  });

  test('stops at the limit breadth first: the files nearest the root are read', async () => {
    // Four folders, each with a file and a deeper folder of five. The limit, 12, is the
    // root's 4 entries and the four folders' 2 each: every `f.yml` and no deeper file. Depth
    // first, whatever the order of the listings, one folder's deep files would come first.
    const files: Record<string, string> = {};
    for (let i = 0; i < 4; i++) {
      files[`d${i}/f.yml`] = '';
      for (let k = 0; k < 5; k++) files[`d${i}/deep/g${k}.yml`] = '';
    }
    const result = await walk(makeTree(files), 12);
    assert.deepEqual(result.files, ['d0/f.yml', 'd1/f.yml', 'd2/f.yml', 'd3/f.yml']);
  });
});

describe('telling listings from the disk', () => {
  // Times measured on the benchmark's 2,804-folder monorepo (bench/README.md, session 19), in ms.
  test('listings from the cache are no disk, a few slow ones among them included', () => {
    const cached = [0.009, 0.011, 0.014, 0.015, 0.013, 0.016, 0.012, 0.023, 0.025, 0.014, 0.015, 0.011, 0.010, 0.019, 0.021, 0.017];
    assert.equal(listingsFromDisk(cached), false);
    // A few listings held up by the scheduler or a collection do not move the median.
    assert.equal(listingsFromDisk([...cached.slice(0, 12), 4.6, 1.7, 0.9, 2.2]), false);
  });

  test('listings from the disk are', () => {
    const fromDisk = [0.125, 0.147, 0.163, 0.198, 0.131, 0.154, 0.194, 0.149, 0.176, 0.144, 0.152, 0.173, 0.269, 0.601, 0.131, 0.187];
    assert.equal(listingsFromDisk(fromDisk), true);
  });

  test('a large folder from the cache is no disk: each entry has its allowance', () => {
    // 400 entries listed in 600–730 µs from the cache.
    assert.equal(listingsFromDisk(Array.from({ length: 16 }, (_, i) => listingTime(0.6 + i * 0.008, 400))), false);
    // The same folder from the disk, ~0.2 ms more.
    assert.equal(listingsFromDisk(Array.from({ length: 16 }, (_, i) => listingTime(0.85 + i * 0.008, 400))), true);
  });
});

describe('the walks agree', () => {
  /** A tree of nested folders with candidates, other files, links, FIFOs and skipped folders, from a seed. */
  function randomTree(seed: number): string {
    let state = seed;
    const random = (n: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % n;
    };
    const names = ['.gitlab-ci.yml', 'config.toml', 'config.json', 'values.yaml', 'README.md', 'node_modules/x.yml', 'ci/jobs.yml'];
    const files: Record<string, string> = {};
    for (let i = 0; i < 120; i++) {
      const depth = random(5);
      const folders = Array.from({ length: depth }, () => `d${random(4)}`);
      files[[...folders, `${i}-${names[random(names.length)]}`].join('/')] = '';
    }
    const root = makeTree(files);
    mkfifo(join(root, 'fifo.gitlab-ci.yml'));
    symlinkSync(root, join(root, 'loop'));
    symlinkSync(join(root, 'missing'), join(root, 'dangling.toml'));
    return root;
  }

  test('every walk finds and tells the same, also when the limit cuts the tree', async () => {
    for (const seed of [1, 2, 3]) {
      const root = randomTree(seed);
      for (const limit of [undefined, 7, 40, 150]) {
        const expected = await walkWith(findCandidateFiles, root, limit);
        for (const [name, walker] of WALKERS.slice(1)) {
          assert.deepEqual(await walkWith(walker, root, limit), expected, `${name}, seed ${seed}, limit ${limit}`);
        }
      }
    }
  });
});

describe('the CLI on such a tree', () => {
  test('checks the regular files and exits 1 for their errors, past link loops, FIFOs, dangling links and folders named like files', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE, 'docker-config.json/x.txt': 'x' });
    mkdirSync(join(root, '.docker'));
    mkfifo(join(root, '.docker/config.json'));
    symlinkSync(join(root, 'nowhere'), join(root, 'dangling.gitlab-ci.yml'));
    symlinkSync(root, join(root, 'loop'));
    const result = run(['--format', 'json'], root);
    assert.equal(result.code, 1, result.err);
    assert.deepEqual((JSON.parse(result.out) as Array<{ file: string; code: string }>).map((p) => [p.file, p.code]), [['.gitlab-ci.yml', 'image/uppercase-repository']]);
    // On stderr, one line per candidate passed over; the folder links are not followed and not named.
    assert.deepEqual(result.err.split('\n').sort(), [
      'pullguard: skipped .docker/config.json: it is not a regular file.',
      'pullguard: skipped dangling.gitlab-ci.yml: it is a symbolic link, and Pullguard does not follow links in a folder it searches (name the file itself to check it).',
    ]);
  });

  test('does not read, nor name, a folder\'s JSON and TOML files that no config pattern matches', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE, 'pkg/package.json': '{"name": "pkg"}', 'pkg/Cargo.toml': '[package]\n' });
    mkfifo(join(root, 'package.json'));
    symlinkSync(join(root, 'nowhere'), join(root, 'pkg/tsconfig.json'));
    symlinkSync(join(root, 'nowhere'), join(root, 'pyproject.toml'));
    const result = run(['--format', 'json'], root);
    assert.equal(result.code, 1, result.err);
    assert.deepEqual((JSON.parse(result.out) as Array<{ file: string }>).map((p) => p.file), ['.gitlab-ci.yml']);
    assert.equal(result.err, '');
  });

  test('exits 2 when a FIFO is named on the command line, saying it is not a regular file', () => {
    const root = makeTree({});
    mkfifo(join(root, '.gitlab-ci.yml'));
    const result = run(['.gitlab-ci.yml'], root);
    assert.equal(result.code, 2);
    assert.match(result.err, /\.gitlab-ci\.yml: it is not a regular file/);
  });

  test('exits 2 when a symbolic link loop is named on the command line, saying it is a loop', () => {
    const root = makeTree({});
    symlinkSync(join(root, 'b.yml'), join(root, 'a.yml'));
    symlinkSync(join(root, 'a.yml'), join(root, 'b.yml'));
    const result = run(['a.yml'], root);
    assert.equal(result.code, 2);
    assert.equal(result.err, 'pullguard: cannot read a.yml: it is a symbolic link loop.');
  });
});
