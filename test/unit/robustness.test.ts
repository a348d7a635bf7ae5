/**
 * Robustness: what the analysis core (through the `analyze` helper) and the CLI do
 * with input nobody writes on purpose — empty and binary files, a 10 MB pipeline,
 * an alias bomb, deep nesting, CRLF line ends, a byte order mark, non-ASCII text,
 * and files over the 16 MiB limit. No crash, no hang, and positions that stay exact
 * (0-based lines, UTF-16 characters).
 *
 * Work that could hang or overflow runs in a child process that is killed after a
 * bound, so a regression fails its test instead of stalling the suite. Expected
 * positions are computed from the fixture with indexOf.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { makeTree, run, type CliRun } from '../helpers/cli';
import { runCli } from '../../server/src/cli/main';
import { MAX_DOCUMENT_LENGTH } from '../../server/src/service/parsedDocument';
import { analyze, type Found, type Kind } from '../helpers/analyze';

const REPO_ROOT = resolve(__dirname, '../..');
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;
const ANALYZE_HELPER = join(REPO_ROOT, 'test/helpers/analyze.ts');
const CLI_SOURCE = join(REPO_ROOT, 'server/src/cli/main.ts');

const SYNTAX_CODE: Readonly<Record<Kind, string>> = {
  'gitlab-ci': 'syntax/yaml',
  'runner-config': 'syntax/toml',
  'docker-config': 'syntax/json',
};
const KINDS = Object.keys(SYNTAX_CODE) as Kind[];

interface JsonProblem {
  readonly file: string;
  readonly range: { readonly start: { line: number; character: number }; readonly end: { line: number; character: number } };
  readonly severity: string;
  readonly code: string;
  readonly message: string;
}

interface ChildRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Runs node (with tsx) in a child process, killed after `timeoutMs`. */
function runNode(args: readonly string[], options: { cwd: string; timeoutMs: number; env?: Record<string, string> }): Promise<ChildRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolvePromise({ status, stdout, stderr, timedOut });
    });
  });
}

type ChildFound = Pick<Found, 'code' | 'line' | 'character' | 'text'>;

const ANALYZE_IN_CHILD = `
const { readFileSync } = require('node:fs');
const { analyze } = require(process.env.PULLGUARD_TEST_HELPER);
const text = readFileSync(process.env.PULLGUARD_TEST_FILE, 'utf8');
const found = analyze(process.env.PULLGUARD_TEST_KIND, text);
process.stdout.write(JSON.stringify(found.map((f) => ({ code: f.code, line: f.line, character: f.character, text: f.text.slice(0, 200) }))));
`;

/** `analyze(kind, text)` in a child process: its findings, or a failure that says why. */
async function analyzeInChild(kind: Kind, text: string, timeoutMs: number): Promise<ChildFound[]> {
  const folder = makeTree({ 'input.txt': text });
  const result = await runNode(['-e', ANALYZE_IN_CHILD], {
    cwd: folder,
    timeoutMs,
    env: { PULLGUARD_TEST_HELPER: ANALYZE_HELPER, PULLGUARD_TEST_FILE: join(folder, 'input.txt'), PULLGUARD_TEST_KIND: kind },
  });
  assert.ok(!result.timedOut, `the analysis did not finish within ${timeoutMs / 1000} s`);
  assert.equal(result.status, 0, `the analysis failed:\n${result.stderr.slice(0, 2000)}`);
  return JSON.parse(result.stdout) as ChildFound[];
}

/** The CLI from source in a child process, with `--format json`. */
async function cliInChild(root: string, timeoutMs: number, argv: readonly string[] = []): Promise<{ code: number | null; problems: JsonProblem[]; err: string }> {
  const result = await runNode([CLI_SOURCE, '--format', 'json', ...argv], { cwd: root, timeoutMs });
  assert.ok(!result.timedOut, `the CLI did not finish within ${timeoutMs / 1000} s`);
  assert.ok(result.status === 0 || result.status === 1, `the CLI exited ${result.status}:\n${result.stderr.slice(0, 2000)}`);
  return { code: result.status, problems: JSON.parse(result.stdout) as JsonProblem[], err: result.stderr };
}

// ---- Positions --------------------------------------------------------------------

/** Line and UTF-16 character of `offset`, counting `\r\n` as one line end. */
function positionAt(content: string, offset: number): { line: number; character: number } {
  const lines = content.slice(0, offset).split(/\r\n|\n/);
  return { line: lines.length - 1, character: lines.at(-1)!.length };
}

function at(found: readonly Pick<Found, 'code' | 'line' | 'character' | 'text'>[], code: string): Array<{ line: number; character: number; text: string }> {
  return found.filter((f) => f.code === code).map(({ line, character, text }) => ({ line, character, text }));
}

/** A deterministic pseudo-random byte source (mulberry32). */
function randomBytes(seed: number, length: number): Uint8Array {
  let state = seed >>> 0;
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    bytes[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  // A NUL early on, as in any binary file.
  bytes[7] = 0;
  return bytes;
}

function job(name: string, image: string): string {
  return `${name}:\n  image: ${image}\n  script: [make]\n`;
}

// ---- Empty files ------------------------------------------------------------------

describe('empty files', () => {
  const CASES: ReadonlyArray<{ name: string; kind: Kind; content: string }> = [
    { name: 'finds nothing in an empty pipeline', kind: 'gitlab-ci', content: '' },
    { name: 'finds nothing in a pipeline of blank lines', kind: 'gitlab-ci', content: '\n\n  \n' },
    { name: 'finds nothing in an empty runner configuration', kind: 'runner-config', content: '' },
    { name: 'finds nothing in a runner configuration of blank lines', kind: 'runner-config', content: '\n\n' },
    {
      name: 'finds nothing in an empty Docker config, which Docker reads as no configuration',
      kind: 'docker-config',
      content: '',
    },
    {
      name: 'finds nothing in a Docker config of blank lines',
      kind: 'docker-config',
      content: '\n  \n',
    },
  ];
  for (const { name, kind, content } of CASES) {
    test(name, () => {
      assert.deepEqual(analyze(kind, content).map((f) => f.code), []);
    });
  }

  test('reports no problems for an empty pipeline and runner configuration through the CLI, and exits 0', () => {
    const root = makeTree({ '.gitlab-ci.yml': '', 'gitlab-runner/config.toml': '' });
    const result = run([], root);
    assert.equal(result.code, 0, result.err);
    assert.equal(result.out, 'No problems in 2 files.');
  });

  test('reports no problems for an empty Docker config through the CLI, and exits 0', () => {
    const root = makeTree({ '.docker/config.json': '' });
    const result = run([], root);
    assert.equal(result.code, 0);
    assert.equal(result.out, 'No problems in 1 file.');
  });
});

// ---- Binary files -----------------------------------------------------------------

describe('binary files', () => {
  const BYTES = randomBytes(20240601, 4096);
  const TEXT = Buffer.from(BYTES).toString('utf8');

  for (const kind of KINDS) {
    test(`analyses random bytes as ${kind} without an exception, reporting at most syntax errors inside the file`, () => {
      const found = analyze(kind, TEXT);
      for (const f of found) {
        assert.equal(f.code, SYNTAX_CODE[kind], `unexpected ${f.code} on random bytes`);
        const { start, end } = f.diagnostic.range;
        assert.ok(start.line >= 0 && end.line >= start.line, JSON.stringify(f.diagnostic.range));
      }
      if (kind !== 'gitlab-ci') assert.ok(found.length > 0, `random bytes read as a valid ${kind}`);
    });
  }

  test('exits 2 for a binary file named on the command line, saying it is binary', () => {
    const root = makeTree({ '.gitlab-ci.yml': BYTES });
    const result = run(['.gitlab-ci.yml'], root);
    assert.equal(result.code, 2);
    assert.match(result.err, /\.gitlab-ci\.yml.*binary/);
  });

  test('skips a binary file it finds in a folder and analyses the others', () => {
    const root = makeTree({ '.gitlab-ci.yml': BYTES, '.docker/config.json': BYTES, 'build.gitlab-ci.yml': job('build', 'redis') });
    const result = run(['--format', 'json'], root);
    assert.equal(result.code, 0, result.err);
    assert.deepEqual((JSON.parse(result.out) as JsonProblem[]).map((p) => [p.file, p.code]), [['build.gitlab-ci.yml', 'image/latest-tag']]);
  });
});

// ---- Large and hostile input --------------------------------------------------------

/** About `megabytes` MB of pipeline: many jobs with a script of 20 lines each, every job on `:latest`. */
function largePipeline(megabytes: number): { text: string; jobs: number } {
  const parts = ['stages: [build, test]\n\n.base:\n  retry: 2\n\n'];
  let size = parts[0]!.length;
  let jobs = 0;
  while (size < megabytes * 1024 * 1024) {
    const script = Array.from({ length: 20 }, (_, line) => `    - ./scripts/step-${line}.sh --job ${jobs} --flag value-${line}`).join('\n');
    const extras = jobs % 10 === 0 ? '  extends: .base\n  services: [postgres:16]\n' : '';
    const part = `job-${jobs}:\n  stage: test\n  image: team/app-${jobs}:latest\n${extras}  variables:\n    NAME: value-${jobs}\n  script:\n${script}\n\n`;
    parts.push(part);
    size += part.length;
    jobs++;
  }
  return { text: parts.join(''), jobs };
}

/** Nine levels of nine aliases: fully expanded, `*a9` would be 9^9 (387 million) strings. */
const LAUGHS = [
  'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array.from({ length: 9 }, () => `*a${i}`).join(', ')}]`),
].join('\n');

const BOMB_IN_SERVICES_AND_VARIABLES = `${LAUGHS}\n\nbuild:\n  image: redis:latest\n  services: *a9\n  variables: *a9\n  tags: *a9\n  script: [make]\n`;
const BOMB_IN_SCRIPTS = `${LAUGHS}\n\nbuild:\n  image: redis:latest\n  before_script: *a9\n  script: *a9\n  after_script: *a9\n`;
const MERGE_BOMB = [
  '.m0: &m0 {image: redis:latest, script: [make]}',
  ...Array.from({ length: 9 }, (_, i) => `.m${i + 1}: &m${i + 1} {<<: [${Array.from({ length: 9 }, () => `*m${i}`).join(', ')}]}`),
  'build:',
  '  <<: *m9',
  '',
].join('\n');

describe('large and hostile input', { concurrency: true }, () => {
  test('analyses a 10 MB pipeline of many jobs without an exception', { timeout: 300_000 }, async () => {
    const { text, jobs } = largePipeline(10);
    assert.ok(text.length >= 10 * 1024 * 1024 && jobs > 5000);
    const found = await analyzeInChild('gitlab-ci', text, 240_000);
    const latest = found.filter((f) => f.code === 'image/latest-tag');
    assert.equal(latest.length, jobs);
    assert.deepEqual(latest.at(-1), { code: 'image/latest-tag', ...positionAt(text, text.lastIndexOf(':latest') + 1), text: 'latest' });
  });

  test('checks a 10 MB pipeline through the CLI', { timeout: 300_000 }, async () => {
    const { text, jobs } = largePipeline(10);
    const root = makeTree({ '.gitlab-ci.yml': text });
    const { code, problems } = await cliInChild(root, 240_000);
    assert.equal(code, 0);
    assert.equal(problems.filter((p) => p.code === 'image/latest-tag').length, jobs);
  });

  test('analyses an alias bomb used as services, variables and tags without expanding it', { timeout: 90_000 }, async () => {
    const found = await analyzeInChild('gitlab-ci', BOMB_IN_SERVICES_AND_VARIABLES, 60_000);
    const latest = at(found, 'image/latest-tag').map((f) => f.text);
    assert.ok(latest.includes('latest'), JSON.stringify(found.slice(0, 5)));
  });

  test('analyses an alias bomb used as scripts without expanding it', { timeout: 90_000 }, async () => {
    const found = await analyzeInChild('gitlab-ci', BOMB_IN_SCRIPTS, 60_000);
    assert.ok(at(found, 'image/latest-tag').some((f) => f.text === 'latest'));
  });

  test('analyses nine levels of nine `<<` merges without expanding them', { timeout: 90_000 }, async () => {
    const found = await analyzeInChild('gitlab-ci', MERGE_BOMB, 60_000);
    assert.deepEqual(at(found, 'image/latest-tag').map((f) => f.text), ['latest']);
  });

  test('checks an alias bomb used as services through the CLI', { timeout: 90_000 }, async () => {
    const root = makeTree({ '.gitlab-ci.yml': BOMB_IN_SERVICES_AND_VARIABLES });
    const { problems } = await cliInChild(root, 60_000);
    assert.ok(problems.some((p) => p.code === 'image/latest-tag'));
  });

  test('checks an alias bomb used as scripts through the CLI', { timeout: 90_000 }, async () => {
    const root = makeTree({ '.gitlab-ci.yml': BOMB_IN_SCRIPTS });
    const { problems } = await cliInChild(root, 60_000);
    assert.ok(problems.some((p) => p.code === 'image/latest-tag'));
  });
});

// ---- Deep nesting -------------------------------------------------------------------

describe('deep nesting', () => {
  const DEPTH = 5000;
  const NESTED = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
  const PIPELINE = `build:\n  image: redis:latest\n  script: [make]\n  variables:\n    DEEP: ${NESTED}\n\ntest:\n  image: Team/app:1\n  script: ${NESTED}\n`;

  test('analyses 5,000 nested flow sequences under job keys without a stack overflow', () => {
    const found = analyze('gitlab-ci', PIPELINE);
    assert.deepEqual(at(found, 'image/latest-tag').map((f) => f.text), ['latest']);
    assert.deepEqual(at(found, 'image/uppercase-domain').map((f) => f.text), ['Team']);
  });

  test('does not pass on an internal stack overflow as a YAML error message', () => {
    const messages = analyze('gitlab-ci', PIPELINE).map((f) => f.message);
    assert.ok(!messages.some((message) => /call stack/i.test(message)), messages.join('\n'));
  });

  test('analyses 5,000 nested arrays in a runner configuration without a stack overflow', () => {
    const content = `[[runners]]\n  deep = ${NESTED}\n  [runners.docker]\n    image = "redis:latest"\n`;
    assert.deepEqual(at(analyze('runner-config', content), 'image/latest-tag').map((f) => f.text), ['latest']);
  });

  test('analyses 5,000 nested arrays in a Docker config without a stack overflow', () => {
    assert.doesNotThrow(() => analyze('docker-config', `{"auths": {}, "deep": ${NESTED}}`));
  });

  test('checks a deeply nested pipeline through the CLI', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const result = run(['--format', 'json'], root);
    const codes = (JSON.parse(result.out) as JsonProblem[]).map((p) => p.code);
    assert.ok(codes.includes('image/latest-tag'), codes.join(', '));
  });

  test('checks a deeply nested Docker config through the CLI without crashing', () => {
    const root = makeTree({ '.docker/config.json': `{"auths": {}, "deep": ${NESTED}}` });
    let result: CliRun | undefined;
    assert.doesNotThrow(() => {
      result = run([], root);
    });
    assert.ok(result!.code === 0 || result!.code === 1);
  });
});

// ---- Line ends, byte order marks, non-ASCII text ------------------------------------

interface PositionCase {
  readonly name: string;
  readonly kind: Kind;
  readonly content: string;
  readonly code: string;
  /** The text the finding covers; its position is where it occurs in `content` (after `after`). */
  readonly covers: string;
  readonly after?: string;
}

function expectedAt(content: string, covers: string, after = ''): { line: number; character: number; text: string } {
  const from = after ? content.indexOf(after) : 0;
  assert.notEqual(from, -1, `fixture has no \`${after}\``);
  const offset = content.indexOf(covers, from + after.length);
  assert.notEqual(offset, -1, `fixture has no \`${covers}\``);
  return { ...positionAt(content, offset), text: covers };
}

function positionTests(cases: readonly PositionCase[]): void {
  for (const { name, kind, content, code, covers, after: anchor } of cases) {
    test(name, () => {
      assert.deepEqual(at(analyze(kind, content), code), [expectedAt(content, covers, anchor)]);
    });
  }
}

describe('CRLF line ends', () => {
  positionTests([
    {
      name: 'reports an image finding at its exact line and character',
      kind: 'gitlab-ci',
      content: 'stages: [test]\r\n\r\ntest:\r\n  stage: test\r\n  image: registry.example.com/Team/app:1\r\n  script: [make]\r\n',
      code: 'image/uppercase-repository',
      covers: 'Team',
    },
    {
      name: 'maps a double-quoted name continued with an escaped line break',
      kind: 'gitlab-ci',
      content: 'build:\r\n  image: "registry.example.com/\\\r\n    Team/app:1"\r\n  script: [make]\r\n',
      code: 'image/uppercase-repository',
      covers: 'Team',
    },
    {
      name: 'maps a name in a folded block scalar',
      kind: 'gitlab-ci',
      content: 'build:\r\n  image: >-\r\n    registry.example.com/Team/app:1\r\n  script: [make]\r\n',
      code: 'image/uppercase-repository',
      covers: 'Team',
    },
    {
      name: 'reports a YAML syntax error at its exact line and character',
      kind: 'gitlab-ci',
      content: 'build:\r\n  image: redis:latest\r\n  script: [make\r\n  when: manual\r\n',
      code: 'syntax/yaml',
      covers: 'w',
      after: '[make',
    },
    {
      name: 'reports a runner image after a bad line at its exact line and character',
      kind: 'runner-config',
      content: '[[runners]]\r\n  executor = docker\r\n  [runners.docker]\r\n    image = "Redis:7"\r\n',
      code: 'image/uppercase-repository',
      covers: 'Redis',
    },
    {
      name: 'reports a TOML syntax error at its exact line and character',
      kind: 'runner-config',
      content: '[[runners]]\r\n  name = "docker"\r\n  executor = docker\r\n',
      code: 'syntax/toml',
      covers: 'd',
      after: 'executor = ',
    },
    {
      name: 'reports a JSON syntax error at its exact line and character',
      kind: 'docker-config',
      content: '{\r\n  "auths": {\r\n    "a.example.com": {}\r\n    "b.example.com": {}\r\n  }\r\n}\r\n',
      code: 'syntax/json',
      covers: '"b.example.com"',
    },
  ]);

  test('prints exact positions for a CRLF file through the CLI', () => {
    const content = 'build:\r\n  image: node:20\r\n  script: [make]\r\n\r\ntest:\r\n  image: redis:latest\r\n';
    const root = makeTree({ '.gitlab-ci.yml': content });
    const problems = JSON.parse(run(['--format', 'json'], root).out) as JsonProblem[];
    assert.deepEqual(problems.map((p) => [p.code, p.range.start, p.range.end]), [
      ['image/not-pinned', positionAt(content, content.indexOf('20')), positionAt(content, content.indexOf('20') + 2)],
      ['image/latest-tag', positionAt(content, content.indexOf('latest')), positionAt(content, content.indexOf('latest') + 6)],
    ]);
  });
});

describe('a byte order mark', () => {
  const BOM = '\uFEFF';

  positionTests([
    {
      name: 'keeps findings on later lines of a pipeline exact',
      kind: 'gitlab-ci',
      content: `${BOM}build:\n  image: redis\n  script: [make]\n`,
      code: 'image/latest-tag',
      covers: 'redis',
    },
    {
      name: 'counts the mark as one UTF-16 unit on the first line',
      kind: 'gitlab-ci',
      content: `${BOM}build: {image: redis, script: [make]}\n`,
      code: 'image/latest-tag',
      covers: 'redis',
    },
    {
      name: 'reports a Docker config that starts with one, which Go\'s JSON decoder rejects, at the mark',
      kind: 'docker-config',
      content: `${BOM}{"auths": {}}\n`,
      code: 'syntax/json',
      covers: BOM,
    },
    {
      name: 'still checks the runner image of a config.toml that starts with one',
      kind: 'runner-config',
      content: `${BOM}[[runners]]\n  [runners.docker]\n    image = "redis:latest"\n`,
      code: 'image/latest-tag',
      covers: 'latest',
    },
  ]);

  test('does not report a runner configuration that starts with one', () => {
    assert.deepEqual(at(analyze('runner-config', `${BOM}[[runners]]\n  executor = "docker"\n`), 'syntax/toml'), []);
  });

  test('prints exact positions after a byte order mark through the CLI', () => {
    const content = `${BOM}build:\n  image: node:20\n  script: [make]\n`;
    const root = makeTree({ '.gitlab-ci.yml': content });
    const [problem] = JSON.parse(run(['--format', 'json'], root).out) as JsonProblem[];
    assert.deepEqual([problem?.code, problem?.range.start], ['image/not-pinned', positionAt(content, content.indexOf('20'))]);
  });
});

describe('non-ASCII text before an image on the same line', () => {
  const TEXT = 'héllo 👍 世界';

  positionTests([
    {
      name: 'counts an emoji as two UTF-16 units in a pipeline',
      kind: 'gitlab-ci',
      content: `build: {variables: {NOTE: "${TEXT}"}, image: "redis:latest", script: [make]}\n`,
      code: 'image/latest-tag',
      covers: 'latest',
    },
    {
      name: 'counts UTF-16 units in an image hash after non-ASCII keys',
      kind: 'gitlab-ci',
      content: `build:\n  variables: {"клю́ч": "${TEXT}"}\n  image: {name: "Team/app:1", entrypoint: [""]}  # ${TEXT}\n  script: [make]\n`,
      code: 'image/uppercase-domain',
      covers: 'Team',
    },
    {
      name: 'counts UTF-16 units in a runner configuration',
      kind: 'runner-config',
      content: `[[runners]]\n  name = "${TEXT}"\n  docker = { tls_verify = false, network_mode = "${TEXT}", image = "Redis:7" }\n`,
      code: 'image/uppercase-repository',
      covers: 'Redis',
    },
    {
      name: 'counts UTF-16 units before a JSON syntax error',
      kind: 'docker-config',
      content: `{"auths": {"${TEXT}": {} "registry.example.com": {}}}`,
      code: 'syntax/json',
      covers: '"registry.example.com"',
    },
    {
      name: 'covers a name component with an emoji in it whole',
      kind: 'gitlab-ci',
      content: 'build:\n  image: "re👍dis:1"\n  script: [make]\n',
      code: 'image/invalid-reference',
      covers: 're👍dis',
    },
  ]);

  test('the fixtures tell UTF-16 units from code points', () => {
    const line = `build: {variables: {NOTE: "${TEXT}"}, image: "redis:latest"`;
    assert.notEqual(line.indexOf('latest'), [...line.slice(0, line.indexOf('latest'))].length);
  });

  test('prints UTF-16 characters through the CLI', () => {
    const content = `lint: {variables: {NOTE: "${TEXT}"}, image: "node:20", script: [make]}\n`;
    const root = makeTree({ '.gitlab-ci.yml': content });
    const [problem] = JSON.parse(run(['--format', 'json'], root).out) as JsonProblem[];
    assert.deepEqual([problem?.code, problem?.range.start, problem?.range.end], [
      'image/not-pinned',
      positionAt(content, content.indexOf('20"')),
      positionAt(content, content.indexOf('20"') + 2),
    ]);
  });
});

// ---- Files over the limit -------------------------------------------------------------

describe('files over the 16 MiB limit', () => {
  const PIPELINE_HEAD = 'build:\n  image: redis\n  script: [make]\n';
  const padTo = (head: string, length: number) => head + '#'.repeat(length - head.length);

  for (const kind of KINDS) {
    test(`gives one clear diagnostic instead of analysing a ${kind} file of 16 MiB + 1 characters`, () => {
      const found = analyze(kind, padTo(kind === 'gitlab-ci' ? PIPELINE_HEAD : '', MAX_DOCUMENT_LENGTH + 1));
      assert.deepEqual(found.map((f) => [f.code, f.line, f.character]), [[SYNTAX_CODE[kind], 0, 0]]);
      assert.match(found[0]!.message, /16 MiB/);
    });
  }

  test('still analyses a pipeline of exactly 16 MiB', () => {
    const found = analyze('gitlab-ci', padTo(PIPELINE_HEAD, MAX_DOCUMENT_LENGTH));
    assert.deepEqual(found.map((f) => [f.code, f.text]), [['image/latest-tag', 'redis']]);
  });

  test('exits 2 for a file over the limit named on the command line, saying why', () => {
    const root = makeTree({ '.gitlab-ci.yml': padTo(PIPELINE_HEAD, MAX_DOCUMENT_LENGTH + 1) });
    const result = run(['.gitlab-ci.yml'], root);
    assert.equal(result.code, 2);
    assert.match(result.err, /\.gitlab-ci\.yml.*16 MiB/);
  });

  test('reports a file over the limit that it finds in a folder', () => {
    const root = makeTree({ '.gitlab-ci.yml': padTo(PIPELINE_HEAD, MAX_DOCUMENT_LENGTH + 1) });
    const problems = JSON.parse(run(['--format', 'json'], root).out) as JsonProblem[];
    assert.deepEqual(problems.map((p) => [p.file, p.code]), [['.gitlab-ci.yml', 'syntax/yaml']]);
    assert.match(problems[0]!.message, /16 MiB/);
  });
});
