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
import { describe, test } from 'node:test';
import { analyze } from '../helpers/analyze';
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
