/**
 * Hostile input with a bounded outcome: deep nesting (10,000 levels), very long lines
 * and values, huge credential maps, alias bombs, `extends` cycles and long chains,
 * `include: local` loops, files over the size limit. Each case ends with findings, or
 * with one diagnostic naming the limit that was hit (docs/limits.md), never with an
 * exception, a hang or unbounded memory.
 *
 * Cases that could hang or blow the heap run in a child process with a heap limit and
 * a generous time limit (a bound that catches a hang, not a performance test).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { MarkupContent } from 'vscode-languageserver-types';
import { LanguageService } from '../../server/src/service/languageService';
import { analyze, FILE_NAMES, findingsOf, makeContext, type AnalyzeOptions, type Kind } from '../helpers/analyze';
import { makeTree, run } from '../helpers/cli';

describe('10,000 levels of nesting in a pipeline', () => {
  const DEPTH = 10_000;

  test('closed flow sequences: the image is still checked, and the depth is reported once, inside the document', () => {
    const text = `build:\n  image: redis:latest\n  script: ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}\n`;
    const found = analyze('gitlab-ci', text);
    assert.deepEqual(found.filter((f) => f.code === 'image/latest-tag').map((f) => f.text), ['latest']);
    const syntax = found.filter((f) => f.code === 'syntax/yaml');
    assert.equal(syntax.length, 1, syntax.map((f) => f.message).join('\n'));
    assert.match(syntax[0]!.message, /nested too deeply here for Pullguard/);
  });

  test('closed flow mappings: the depth is reported, not one error per level', () => {
    const found = analyze('gitlab-ci', `build:\n  image: redis:latest\n  variables: ${'{a: '.repeat(DEPTH)}1${'}'.repeat(DEPTH)}\n`);
    assert.deepEqual(found.filter((f) => f.code === 'image/latest-tag').map((f) => f.text), ['latest']);
    const syntax = found.filter((f) => f.code === 'syntax/yaml');
    assert.ok(syntax.length >= 1 && syntax.length <= 2, `${syntax.length} syntax errors`);
  });

  test('unclosed flow sequences: a few syntax errors, not one per open bracket', () => {
    const found = analyze('gitlab-ci', `build:\n  image: redis:latest\n  script: ${'['.repeat(DEPTH)}\n`);
    assert.deepEqual(found.filter((f) => f.code === 'image/latest-tag').map((f) => f.text), ['latest']);
    const syntax = found.filter((f) => f.code === 'syntax/yaml');
    assert.ok(syntax.length >= 1 && syntax.length <= 3, `${syntax.length} syntax errors:\n${syntax.slice(0, 5).map((f) => f.message).join('\n')}`);
  });

  test('compact block sequences (`- - - …`) 10,000 levels deep on one line', () => {
    const found = analyze('gitlab-ci', `build:\n  image: redis:latest\n  script:\n    ${'- '.repeat(DEPTH)}make\n`);
    assert.deepEqual(found.filter((f) => f.code === 'image/latest-tag').map((f) => f.text), ['latest']);
    const syntax = found.filter((f) => f.code === 'syntax/yaml');
    assert.ok(syntax.length <= 2, `${syntax.length} syntax errors:\n${syntax.slice(0, 5).map((f) => `${f.line}:${f.character} ${f.message}`).join('\n')}`);
  });

  test('block mappings indented 10,000 levels deep (50 MB of indentation) get the one size-limit diagnostic', () => {
    const lines = ['build:', '  image: redis:latest', 'deep:'];
    for (let level = 1; level <= DEPTH; level++) lines.push(`${' '.repeat(level)}k${level}:`);
    const text = `${lines.join('\n')} end\n`;
    assert.ok(text.length > 16 * 1024 * 1024);
    const found = analyze('gitlab-ci', text);
    assert.deepEqual(found.map((f) => [f.code, f.line, f.character]), [['syntax/yaml', 0, 0]]);
    assert.match(found[0]!.message, /larger than 16 MiB/);
  });

  test('block mappings 2,000 levels deep with one space each (2 MB) are analysed', () => {
    const lines = ['build:', '  image: redis:latest', 'deep:'];
    for (let level = 1; level <= 2000; level++) lines.push(`${' '.repeat(level)}k${level}:`);
    const found = analyze('gitlab-ci', `${lines.join('\n')} end\n`);
    assert.deepEqual(found.filter((f) => f.code === 'image/latest-tag').map((f) => f.text), ['latest']);
  });
});

describe('TOML values and nesting beyond the parser', () => {
  test('a runner config with a 300,000-character string gets one syntax/toml at the start naming the limit, and no exception', () => {
    const found = analyze('runner-config', `[[runners]]\n  name = "${'x'.repeat(300_000)}"\n  [runners.docker]\n    image = "redis:latest"\n`);
    assert.deepEqual(found.map((f) => [f.code, f.line, f.character]), [['syntax/toml', 0, 0]]);
    assert.match(found[0]!.message, /too long .* for Pullguard to read/);
    // Past Pullguard's limit the file may be valid: the message must not say the runner rejects it.
    assert.match(found[0]!.message, /the runner may still load this configuration/i);
    assert.doesNotMatch(found[0]!.message, /fails to load/);
  });

  test('a runner config with arrays nested 10,000 levels deep gets one syntax/toml naming the limit', () => {
    const found = analyze('runner-config', `[[runners]]\n  x = ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
    assert.deepEqual(found.map((f) => [f.code, f.line, f.character]), [['syntax/toml', 0, 0]]);
    assert.match(found[0]!.message, /nesting too deep/);
  });

  test('a Docker config nested 1,000 levels deep (which Go reads) is not called unreadable by Docker', () => {
    const found = analyze('docker-config', `{"auths": {}, "x": ${'['.repeat(1000)}${']'.repeat(1000)}}`);
    assert.deepEqual(found.map((f) => f.code), ['syntax/json']);
    assert.match(found[0]!.message, /nested more than 512 levels/);
    assert.match(found[0]!.message, /may accept it/);
    assert.doesNotMatch(found[0]!.message, /cannot read this file/);
  });

  test('a DOCKER_AUTH_CONFIG nested 1,000 levels deep is not called unparseable by the runner', () => {
    const json = `{"auths": {}, "x": ${'['.repeat(1000)}${']'.repeat(1000)}}`;
    const found = analyze('gitlab-ci', `variables:\n  DOCKER_AUTH_CONFIG: '${json}'\nbuild:\n  image: redis:7\n  script: [make]\n`);
    const invalid = found.filter((f) => f.code === 'auth/invalid-json');
    assert.equal(invalid.length, 1);
    assert.match(invalid[0]!.message, /may accept it/);
    assert.doesNotMatch(invalid[0]!.message, /cannot parse/);
  });

  test('the CLI reports such a config.toml found in a folder and still checks the pipeline next to it', () => {
    const root = makeTree({
      'gitlab-runner/config.toml': `[[runners]]\n  x = ${'{a = '.repeat(10_000)}1${'}'.repeat(10_000)}\n`,
      '.gitlab-ci.yml': 'build:\n  image: redis\n  script: [make]\n',
    });
    const result = run(['--format', 'json'], root);
    assert.doesNotMatch(result.err, /internal error|\n\s+at /);
    const problems = JSON.parse(result.out) as Array<{ file: string; code: string }>;
    assert.deepEqual(problems.map((p) => [p.file, p.code]), [['.gitlab-ci.yml', 'image/latest-tag'], ['gitlab-runner/config.toml', 'syntax/toml']]);
  });
});

// ---- Large input, in a child process with a heap limit and a time limit ----------------

const ANALYZE_HELPER = join(__dirname, '../helpers/analyze.ts');
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;
/** The child's heap: a case that needs more than this fails with an out-of-memory crash. */
const HEAP_LIMIT_MB = 1024;

const ANALYZE_IN_CHILD = `
const { readFileSync } = require('node:fs');
const { analyze } = require(process.env.PULLGUARD_TEST_HELPER);
const text = readFileSync(process.env.PULLGUARD_TEST_FILE, 'utf8');
const options = JSON.parse(process.env.PULLGUARD_TEST_OPTIONS);
const found = analyze(process.env.PULLGUARD_TEST_KIND, text, options);
process.stdout.write(JSON.stringify(found.map((f) => ({ code: f.code, line: f.line, character: f.character, text: f.text.slice(0, 100), message: f.message.slice(0, 300) }))));
`;

interface ChildFinding {
  readonly code: string;
  readonly line: number;
  readonly character: number;
  readonly text: string;
  readonly message: string;
}

/** `analyze(kind, text)` in a child process with a bounded heap, killed after `timeoutMs`. */
function analyzeInChild(kind: Kind, text: string, timeoutMs: number, options: AnalyzeOptions = {}): Promise<ChildFinding[]> {
  const folder = makeTree({ 'input.txt': text });
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MB}`, '--import', TSX_LOADER, '-e', ANALYZE_IN_CHILD], {
      env: { ...process.env, PULLGUARD_TEST_HELPER: ANALYZE_HELPER, PULLGUARD_TEST_FILE: join(folder, 'input.txt'), PULLGUARD_TEST_KIND: kind, PULLGUARD_TEST_OPTIONS: JSON.stringify(options) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') reject(new Error(`the analysis did not finish within ${timeoutMs / 1000} s`));
      else if (status !== 0) reject(new Error(`the analysis failed (status ${status}, heap limit ${HEAP_LIMIT_MB} MB):\n${stderr.slice(0, 2000)}`));
      else resolvePromise(JSON.parse(stdout) as ChildFinding[]);
    });
  });
}

describe('large input', { concurrency: 1 }, () => {
  test('a 50 MB pipeline gets the one size-limit diagnostic', { timeout: 180_000 }, async () => {
    const text = `build:\n  image: Redis\n  script:\n${'    - echo "a line of a very long script"\n'.repeat(1_250_000)}`;
    assert.ok(text.length > 50_000_000);
    const found = await analyzeInChild('gitlab-ci', text, 120_000);
    assert.deepEqual(found.map((f) => [f.code, f.line, f.character]), [['syntax/yaml', 0, 0]]);
    assert.match(found[0]!.message, /larger than 16 MiB/);
  });

  test('the CLI reports a 50 MB config.json found in a folder without reading it, and checks the rest', { timeout: 60_000 }, () => {
    const root = makeTree({ '.docker/config.json': `{"auths": {${'"r.example.com": {"auth": "dTpw"},'.repeat(1_500_000)}}}`, '.gitlab-ci.yml': 'build:\n  image: Redis:1\n  script: [make]\n' });
    const result = run(['--format', 'json'], root);
    assert.equal(result.code, 1, result.err);
    const problems = JSON.parse(result.out) as Array<{ file: string; code: string; message: string }>;
    assert.deepEqual(problems.map((p) => [p.file, p.code]), [['.docker/config.json', 'syntax/json'], ['.gitlab-ci.yml', 'image/uppercase-repository']]);
    assert.match(problems[0]!.message, /larger than 16 MiB/);
  });

  test('a single 5 MB line (a script entry) is analysed: the image before it is checked', { timeout: 180_000 }, async () => {
    const found = await analyzeInChild('gitlab-ci', `build:\n  image: redis:latest\n  script: ["${'x'.repeat(5_000_000)}"]\ntest:\n  image: Node:20\n`, 120_000);
    assert.deepEqual(found.map((f) => [f.code, f.line]), [['image/latest-tag', 1], ['image/uppercase-repository', 4]]);
  });

  test('a 5 MB image name is one image/name-too-long, its message cut short', { timeout: 180_000 }, async () => {
    const found = await analyzeInChild('gitlab-ci', `build:\n  image: registry.example.com/${'a'.repeat(5_000_000)}:1\n`, 120_000);
    assert.deepEqual(found.map((f) => f.code), ['image/name-too-long']);
    assert.ok(found[0]!.message.length < 300, 'the message does not repeat the 5 MB name');
  });

  test('a Docker config with 100,000 registries under auths is analysed, and a duplicate at its end is found', { timeout: 300_000 }, async () => {
    const auths: Record<string, { auth: string }> = {};
    for (let i = 0; i < 100_000; i++) auths[`registry-${i}.example.com`] = { auth: 'dTpw' };
    auths['https://registry-99999.example.com'] = { auth: 'dTpw' };
    const found = await analyzeInChild('docker-config', JSON.stringify({ auths }, null, 1), 240_000);
    assert.deepEqual(found.map((f) => f.code), ['auth/duplicate-registry']);
    assert.match(found[0]!.message, /registry-99999\.example\.com/);
  });

  test('a DOCKER_AUTH_CONFIG with 1 MB of base64 in one auth is read, and its key still matches the image', { timeout: 180_000 }, async () => {
    const auth = Buffer.from(`ci-user:${'p'.repeat(750_000)}`).toString('base64');
    assert.ok(auth.length >= 1_000_000);
    const text = `build:\n  image: registry.example.com/team/app:1\n  variables:\n    DOCKER_AUTH_CONFIG: '{"auths": {"registry.example.com": {"auth": "${auth}"}}}'\n  script: [make]\n`;
    const found = await analyzeInChild('gitlab-ci', text, 120_000);
    assert.deepEqual(found.map((f) => f.code).sort(), ['auth/committed-secret', 'image/not-pinned']);
    const secret = found.find((f) => f.code === 'auth/committed-secret')!;
    assert.ok(secret.message.length < 1000 && !secret.message.includes(auth.slice(0, 40)), 'the message does not carry the credential');
  });

  test('a DOCKER_AUTH_CONFIG with 1 MB of characters outside base64 is one auth/invalid-base64', { timeout: 180_000 }, async () => {
    const text = `build:\n  image: registry.example.com/team/app:1\n  variables:\n    DOCKER_AUTH_CONFIG: '{"auths": {"registry.example.com": {"auth": "${'!'.repeat(1_000_000)}"}}}'\n  script: [make]\n`;
    const found = await analyzeInChild('gitlab-ci', text, 120_000);
    assert.equal(found.filter((f) => f.code === 'auth/invalid-base64').length, 1);
  });
});

// ---- extends and include: local --------------------------------------------------------

describe('extends cycles and long chains', () => {
  test('an extends cycle: the jobs are still checked, and the job hover says GitLab rejects the cycle', () => {
    const text = '.a:\n  extends: .b\n.b:\n  extends: .a\nbuild:\n  extends: .a\n  image: redis:latest\n  script: [make]\n';
    assert.deepEqual(findingsOf('gitlab-ci', text, 'image/latest-tag'), ['latest']);
    const hover = hoverAt('gitlab-ci', text, text.indexOf('build'));
    assert.match(hover, /circular dependency detected in `extends`/);
  });

  test('a chain of 1,000 templates: the image at its root is checked, and the hover names GitLab\'s limit of 11 levels', { timeout: 120_000 }, () => {
    let text = '.t0:\n  image: redis:latest\n';
    for (let i = 1; i < 1000; i++) text += `.t${i}:\n  extends: .t${i - 1}\n`;
    text += 'build:\n  extends: .t999\n  script: [make]\n';
    assert.deepEqual(findingsOf('gitlab-ci', text, 'image/latest-tag'), ['latest']);
    assert.match(hoverAt('gitlab-ci', text, text.indexOf('build:')), /nesting too deep in `extends`/);
  });
});

describe('include: local loops', () => {
  test('a pipeline that includes itself is analysed once', () => {
    const text = 'include: [{local: .gitlab-ci.yml}]\nbuild:\n  image: redis:latest\n  script: [make]\n';
    const found = analyze('gitlab-ci', text, { workspace: { 'file:///project/.gitlab-ci.yml': text } });
    assert.deepEqual(found.map((f) => f.code), ['image/latest-tag']);
  });

  test('a loop through two included files ends, and the templates of both reach the job', () => {
    const text = 'include: [{local: a.yml}]\nbuild:\n  extends: [.a, .b]\n  script: [make]\n';
    const options = {
      workspace: {
        'file:///project/.gitlab-ci.yml': text,
        'file:///project/a.yml': 'include: [{local: b.yml}]\n.a:\n  services: [postgres:16]\n',
        'file:///project/b.yml': 'include: [{local: a.yml}, {local: .gitlab-ci.yml}]\n.b:\n  image: redis:7\n',
      },
    };
    assert.doesNotThrow(() => analyze('gitlab-ci', text, options));
    const hover = hoverAt('gitlab-ci', text, text.indexOf('build'), options);
    assert.match(hover, /redis:7/);
    assert.match(hover, /postgres:16/);
  });

  test('a chain of 300 included files, each including the next and the first, ends within the include limit', { timeout: 120_000 }, () => {
    const workspace: Record<string, string> = {};
    for (let i = 0; i < 300; i++) workspace[`file:///project/ci/${i}.yml`] = `include: [{local: ci/${i + 1}.yml}, {local: ci/0.yml}]\n.t${i}: {image: "redis:${i}"}\n`;
    const text = 'include: [{local: ci/0.yml}]\nbuild:\n  extends: .t3\n  script: [make]\n';
    workspace['file:///project/.gitlab-ci.yml'] = text;
    assert.deepEqual(analyze('gitlab-ci', text, { workspace }).map((f) => f.code), []);
    assert.match(hoverAt('gitlab-ci', text, text.indexOf('build'), { workspace }), /redis:3\b/);
  });
});

function hoverAt(kind: Kind, text: string, offset: number, options: AnalyzeOptions = {}): string {
  const document = TextDocument.create(FILE_NAMES[kind], 'plaintext', 1, text);
  const hover = new LanguageService().doHover(document, document.positionAt(offset), makeContext(options));
  return hover ? (hover.contents as MarkupContent).value : '';
}
