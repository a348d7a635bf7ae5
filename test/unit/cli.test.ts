/**
 * The command-line tool (SPEC §5): which files it finds, its output formats (the
 * JSON shape and the rule codes are a public interface), its flags and
 * `.pullguard.json`, and its exit status (0 no errors, 1 errors, 2 bad usage or
 * unreadable input).
 *
 * Most tests call `runCli` in process on temporary folders; one group spawns the
 * bundled `dist/cli.js` to prove what the real binary prints and returns.
 * Expected positions are computed from the fixture text with indexOf, never typed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTree, run, type CliRun } from '../helpers/cli';
import { ensureBuilt } from '../helpers/build';
import { runCli } from '../../server/src/cli/main';

const REPO_ROOT = resolve(__dirname, '../..');
const CLI_BUNDLE = join(REPO_ROOT, 'dist/cli.js');
/** The fixture with one finding of each default severity, used as `.gitlab-ci.yml`. */
const PIPELINE = readFileSync(join(REPO_ROOT, 'test/fixtures/cli/pipeline.yml'), 'utf8');

type Run = CliRun;

interface Position {
  readonly line: number;
  readonly character: number;
}
interface Range {
  readonly start: Position;
  readonly end: Position;
}
interface JsonProblem {
  readonly file: string;
  readonly range: Range;
  readonly severity: string;
  readonly code: string;
  readonly message: string;
}

function runJson(argv: readonly string[], cwd: string): { code: number; problems: JsonProblem[]; err: string } {
  const result = run(['--format', 'json', ...argv], cwd);
  return { code: result.code, problems: JSON.parse(result.out) as JsonProblem[], err: result.err };
}

/** `[file, code, severity, covered text]` of each problem, for compact assertions. */
function summarize(problems: readonly JsonProblem[], root: string): Array<[string, string, string, string]> {
  return problems.map((p) => [p.file, p.code, p.severity, coveredText(readFileSync(join(root, p.file), 'utf8'), p.range)]);
}

// ---- Positions --------------------------------------------------------------------

/** The 0-based LSP position of `offset` in `text`: lines end at `\n` (also in `\r\n`), characters are UTF-16 units. */
function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) };
}

function offsetAt(text: string, position: Position): number {
  let offset = 0;
  for (let line = 0; line < position.line; line++) offset = text.indexOf('\n', offset) + 1;
  return offset + position.character;
}

function coveredText(text: string, range: Range): string {
  return text.slice(offsetAt(text, range.start), offsetAt(text, range.end));
}

/** The range of the one occurrence of `needle` in `text` (after `anchor`, when given). */
function rangeOf(text: string, needle: string, anchor = ''): Range {
  const from = anchor ? text.indexOf(anchor) : 0;
  assert.notEqual(from, -1, `fixture has no \`${anchor}\``);
  const start = text.indexOf(needle, from + anchor.length);
  assert.notEqual(start, -1, `fixture has no \`${needle}\``);
  if (!anchor) assert.equal(text.lastIndexOf(needle), start, `\`${needle}\` is not unique in the fixture`);
  return { start: positionAt(text, start), end: positionAt(text, start + needle.length) };
}

/** What the fixture `PIPELINE` gives, in order, without messages. */
function pipelineProblems(file = '.gitlab-ci.yml'): Array<Omit<JsonProblem, 'message'>> {
  return [
    { file, range: rangeOf(PIPELINE, 'App'), severity: 'error', code: 'image/uppercase-repository' },
    { file, range: rangeOf(PIPELINE, 'latest'), severity: 'warning', code: 'image/latest-tag' },
    { file, range: rangeOf(PIPELINE, '20.17'), severity: 'information', code: 'image/not-pinned' },
    { file, range: rangeOf(PIPELINE, '3.20'), severity: 'hint', code: 'image/tag-and-digest' },
  ];
}

function job(name: string, image: string): string {
  return `${name}:\n  image: ${image}\n  script: [make]\n`;
}

// ---- Discovery ------------------------------------------------------------------------

describe('finding files', () => {
  /** Every file that must be found carries a finding; every file that must be skipped would carry one. */
  const TREE: Record<string, string> = {
    '.gitlab-ci.yml': `include:\n  - local: /ci/extra.yml\n  - local: /ci/parts/*.yml\n${job('root', 'redis')}`,
    'services/api/build.gitlab-ci.yml': job('api', 'redis'),
    '.gitlab/ci/deep/nested/lint.yml': job('lint', 'redis'),
    'ci/extra.yml': job('extra', 'redis'),
    'ci/parts/one.yml': job('one', 'redis'),
    'ci/parts/two.yml': job('two', 'redis'),
    'ci/not-included.yml': job('stray', 'redis'),
    'config.toml': '[[runners]]\n  executor = "docker"\n  [runners.docker]\n    image = "ruby"\n',
    'app/config.toml': '# an application setting, not a runner\n[server]\nport = = 8080\n',
    'gitlab-runner/fragment.toml': '[runners.docker]\nimage = = "ruby"\n',
    'ops/gitlab-runner/prod/config.toml': '[[runners]]\n  [runners.docker]\n    image = "ruby"\n',
    '.docker/config.json': '{"auths": {}',
    'deploy/docker-config.json': '{"auths": {}',
    'app/config.json': '{"auths": {}',
    'app/settings.yml': job('settings', 'redis'),
    'node_modules/dep/.gitlab-ci.yml': job('dependency', 'redis'),
    '.git/hooks/.gitlab-ci.yml': job('vcs', 'redis'),
    'node_modules/dep/.docker/config.json': '{"auths": {}',
  };
  const FOUND = [
    '.docker/config.json',
    '.gitlab-ci.yml',
    '.gitlab/ci/deep/nested/lint.yml',
    'ci/extra.yml',
    'ci/parts/one.yml',
    'ci/parts/two.yml',
    'config.toml',
    'deploy/docker-config.json',
    'gitlab-runner/fragment.toml',
    'ops/gitlab-runner/prod/config.toml',
    'services/api/build.gitlab-ci.yml',
  ];

  test('finds the three kinds of files in a folder tree by default, and only those', () => {
    const root = makeTree(TREE);
    const { problems } = runJson([], root);
    assert.deepEqual([...new Set(problems.map((p) => p.file))].sort(), FOUND);
  });

  test('counts the files it analysed in the text summary', () => {
    const root = makeTree(TREE);
    const { out } = run([], root);
    assert.match(out.split('\n').at(-1)!, new RegExp(` in ${FOUND.length} files\\.$`));
  });

  test('analyses each kind as what it is', () => {
    const root = makeTree(TREE);
    const codes = new Map(runJson([], root).problems.map((p) => [p.file, p.code]));
    assert.equal(codes.get('ci/extra.yml'), 'image/latest-tag');
    assert.equal(codes.get('config.toml'), 'image/latest-tag');
    assert.equal(codes.get('gitlab-runner/fragment.toml'), 'syntax/toml');
    assert.equal(codes.get('.docker/config.json'), 'syntax/json');
    assert.equal(codes.get('deploy/docker-config.json'), 'syntax/json');
  });

  test('searches the current directory when no path is given, like `.`', () => {
    const root = makeTree(TREE);
    assert.deepEqual(runJson([], root).problems, runJson(['.'], root).problems);
  });

  test('finds a file named by a bare-string `include` relative to the searched folder', () => {
    const root = makeTree({
      '.gitlab-ci.yml': `include: '/templates/build.yml'\n${job('root', 'node:20')}`,
      'templates/build.yml': job('templated', 'redis'),
    });
    assert.deepEqual(summarize(runJson([], root).problems, root), [
      ['.gitlab-ci.yml', 'image/not-pinned', 'information', '20'],
      ['templates/build.yml', 'image/latest-tag', 'warning', 'redis'],
    ]);
  });

  test('finds a file named by an include of an included file', () => {
    const root = makeTree({
      '.gitlab-ci.yml': `include:\n  - local: /ci/a.yml\n${job('root', 'redis')}`,
      'ci/a.yml': `include:\n  - local: /ci/b.yml\n${job('a', 'redis')}`,
      'ci/b.yml': job('b', 'redis'),
    });
    assert.deepEqual(runJson([], root).problems.map((p) => p.file), ['.gitlab-ci.yml', 'ci/a.yml', 'ci/b.yml']);
  });

  test('reads no YAML file that no pipeline includes, and each file it reads once', (t) => {
    const root = makeTree({
      '.gitlab-ci.yml': `include:\n  - local: /ci/*.yml\n${job('root', 'redis')}`,
      'ci/build.yml': job('build', 'redis'),
      'k8s/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\n',
      'charts/app/values.yaml': 'image:\n  repository: redis\n',
      '.docker/config.json': '{"auths": {}}',
      'package.json': '{}',
    });
    const opened: string[] = [];
    const openSync = fs.openSync;
    t.mock.method(fs, 'openSync', (...args: Parameters<typeof fs.openSync>) => {
      opened.push(relative(root, String(args[0])).split(sep).join('/'));
      return openSync(...args);
    });
    const result = runJson([], root);
    assert.deepEqual(result.problems.map((p) => p.file), ['.gitlab-ci.yml', 'ci/build.yml']);
    assert.deepEqual(opened.sort(), ['.docker/config.json', '.gitlab-ci.yml', 'ci/build.yml']);
  });

  test('still analyses a YAML file named on the command line that nothing includes', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('root', 'redis'), 'templates/standalone.yml': job('alone', 'redis') });
    const result = runJson(['.', 'templates/standalone.yml'], root);
    assert.deepEqual(result.problems.map((p) => p.file), ['.gitlab-ci.yml', 'templates/standalone.yml']);
  });

  test('searches a folder named like a pipeline file instead of reading it', () => {
    const root = makeTree({ 'odd.gitlab-ci.yml/.gitlab-ci.yml': job('inner', 'redis') });
    const result = runJson(['odd.gitlab-ci.yml'], root);
    assert.equal(result.code, 0, result.err);
    assert.deepEqual(result.problems.map((p) => p.file), ['odd.gitlab-ci.yml/.gitlab-ci.yml']);
  });
});

describe('paths on the command line', () => {
  test('analyses only the files named', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('a', 'redis'), 'other.gitlab-ci.yml': job('b', 'node:20') });
    assert.deepEqual(summarize(runJson(['other.gitlab-ci.yml'], root).problems, root), [
      ['other.gitlab-ci.yml', 'image/not-pinned', 'information', '20'],
    ]);
  });

  test('reads a named file that no pattern matches by its extension and content', () => {
    const root = makeTree({
      'pipelines/deploy.yml': job('deploy', 'redis'),
      'hosts/prod.toml': '[[runners]]\n  [runners.docker]\n    image = "ruby"\n',
      'secrets/registry.json': '{"auths": {}',
      'notes/settings.json': '{"theme": "dark",}',
    });
    const result = runJson(['pipelines/deploy.yml', 'hosts/prod.toml', 'secrets/registry.json', 'notes/settings.json'], root);
    assert.deepEqual(result.problems.map((p) => [p.file, p.code]), [
      ['hosts/prod.toml', 'image/latest-tag'],
      ['pipelines/deploy.yml', 'image/latest-tag'],
      ['secrets/registry.json', 'syntax/json'],
    ]);
  });

  test('reports a file named twice, or named inside a named folder, once', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('a', 'redis') });
    assert.equal(runJson(['.', '.gitlab-ci.yml', './.gitlab-ci.yml'], root).problems.length, 1);
  });

  test('prints file paths relative to the current directory with `/`', () => {
    const root = makeTree({ 'projects/web/.gitlab/ci/jobs/lint.yml': job('lint', 'redis'), 'elsewhere/.gitlab-ci.yml': job('x', 'redis') });
    const files = runJson(['web', join(root, 'elsewhere/.gitlab-ci.yml')], join(root, 'projects')).problems.map((p) => p.file);
    assert.deepEqual(files, ['../elsewhere/.gitlab-ci.yml', 'web/.gitlab/ci/jobs/lint.yml']);
  });

  test('exits 2 for a path that does not exist, naming it, and still analyses the others', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('a', 'redis') });
    const result = run(['--format', 'json', 'missing.gitlab-ci.yml', '.gitlab-ci.yml'], root);
    assert.equal(result.code, 2);
    assert.match(result.err, /missing\.gitlab-ci\.yml/);
    assert.deepEqual((JSON.parse(result.out) as JsonProblem[]).map((p) => p.code), ['image/latest-tag']);
  });

  test('exits 2 for a named file it cannot read, naming it', () => {
    const root = makeTree({ '.gitlab-ci.yml': new Uint8Array([0x6a, 0x6f, 0x62, 0x3a, 0x00, 0x0a]) });
    const result = run(['.gitlab-ci.yml'], root);
    assert.equal(result.code, 2);
    assert.match(result.err, /\.gitlab-ci\.yml/);
  });
});

// ---- Output formats -------------------------------------------------------------------

describe('--format json', () => {
  test('prints one array of {file, range, severity, code, message} with 0-based positions', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const { code, problems } = runJson([], root);
    assert.equal(code, 1);
    assert.deepEqual(problems.map(({ message: _message, ...rest }) => rest), pipelineProblems());
  });

  test('has exactly the documented keys, and a message sentence in each problem', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const { problems } = runJson([], root);
    assert.ok(problems.length > 0);
    for (const problem of problems) {
      assert.deepEqual(Object.keys(problem), ['file', 'range', 'severity', 'code', 'message']);
      assert.deepEqual(Object.keys(problem.range), ['start', 'end']);
      assert.deepEqual(Object.keys(problem.range.start), ['line', 'character']);
      assert.deepEqual(Object.keys(problem.range.end), ['line', 'character']);
      assert.match(problem.message, /^\S.*\.$/s);
    }
  });

  test('counts characters in UTF-16 units after an emoji on the same line', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const latest = runJson([], root).problems.find((p) => p.code === 'image/latest-tag')!;
    const line = PIPELINE.split('\n')[latest.range.start.line]!;
    assert.equal(latest.range.start.character, line.indexOf('latest'));
    // The fixture line must tell UTF-16 units from code points, or this test proves nothing.
    assert.notEqual(line.indexOf('latest'), [...line.slice(0, line.indexOf('latest'))].length);
  });

  test('prints an empty array when nothing is found', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('a', `alpine@sha256:${'a'.repeat(64)}`) });
    const result = run(['--format', 'json'], root);
    assert.equal(result.code, 0);
    assert.deepEqual(JSON.parse(result.out), []);
  });
});

describe('--format sarif', () => {
  const LEVELS: Readonly<Record<string, string>> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

  interface SarifLog {
    version: string;
    runs: Array<{
      tool: { driver: { name: string; rules: Array<{ id: string; shortDescription?: { text: string }; helpUri?: string }> } };
      columnKind?: string;
      results: Array<{
        ruleId: string;
        ruleIndex: number;
        level: string;
        message: { text: string };
        locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }>;
      }>;
    }>;
  }

  test('is SARIF 2.1.0 with one run of the pullguard tool', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const log = JSON.parse(run(['--format', 'sarif'], root).out) as SarifLog;
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    assert.equal(log.runs[0]!.tool.driver.name, 'pullguard');
    assert.equal(log.runs[0]!.columnKind ?? 'utf16CodeUnits', 'utf16CodeUnits');
  });

  test('describes each rule it reports, once', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const { rules } = (JSON.parse(run(['--format', 'sarif'], root).out) as SarifLog).runs[0]!.tool.driver;
    assert.deepEqual(rules.map((rule) => rule.id).sort(), pipelineProblems().map((p) => p.code).sort());
    for (const rule of rules) {
      assert.ok(rule.shortDescription?.text, `${rule.id} has no description`);
      assert.ok(rule.helpUri?.includes(rule.id), `${rule.id} has no help link to its page`);
    }
  });

  test('gives each result its rule, level and 1-based region', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const [sarifRun] = (JSON.parse(run(['--format', 'sarif'], root).out) as SarifLog).runs;
    const results = sarifRun!.results.map((result) => ({
      ruleId: result.ruleId,
      indexedRule: sarifRun!.tool.driver.rules[result.ruleIndex]?.id,
      level: result.level,
      uri: result.locations[0]!.physicalLocation.artifactLocation.uri,
      region: result.locations[0]!.physicalLocation.region,
      hasMessage: result.message.text.length > 0,
    }));
    assert.deepEqual(results, pipelineProblems().map((p) => ({
      ruleId: p.code,
      indexedRule: p.code,
      level: LEVELS[p.severity],
      uri: '.gitlab-ci.yml',
      region: {
        startLine: p.range.start.line + 1,
        startColumn: p.range.start.character + 1,
        endLine: p.range.end.line + 1,
        endColumn: p.range.end.character + 1,
      },
      hasMessage: true,
    })));
  });

  test('exits like the other formats', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    assert.equal(run(['--format', 'sarif'], root).code, 1);
  });
});

describe('--format codequality', () => {
  const SEVERITY_RANK: Readonly<Record<string, number>> = { info: 0, minor: 1, major: 2, critical: 3, blocker: 4 };

  interface Issue {
    description: string;
    check_name: string;
    fingerprint: string;
    severity: string;
    location: { path: string; lines?: { begin: number }; positions?: { begin: { line: number; column?: number } } };
  }

  function report(root: string): Issue[] {
    return JSON.parse(run(['--format', 'codequality'], root).out) as Issue[];
  }

  function beginLine(issue: Issue): number | undefined {
    return issue.location.positions?.begin.line ?? issue.location.lines?.begin;
  }

  test('reports each finding with its check, path and 1-based line', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const issues = report(root);
    assert.deepEqual(issues.map((issue) => [issue.check_name, issue.location.path, beginLine(issue)]),
      pipelineProblems().map((p) => [p.code, '.gitlab-ci.yml', p.range.start.line + 1]));
    for (const issue of issues) assert.ok(issue.description.length > 0, `${issue.check_name} has no description`);
  });

  test('uses only GitLab severities, in the order of the findings\' severities', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const ranks = report(root).map((issue) => SEVERITY_RANK[issue.severity]);
    assert.ok(ranks.every((rank) => rank !== undefined), `unknown severity in ${JSON.stringify(ranks)}`);
    // error, warning, information, hint: strictly falling for the first three, hint no higher than information.
    const [error, warning, information, hint] = ranks as number[];
    assert.ok(error! > warning! && warning! > information! && hint! <= information!, JSON.stringify(ranks));
  });

  test('gives every finding its own fingerprint, also two identical findings in one file', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE + job('again', 'redis') + job('once-more', 'redis') });
    const fingerprints = report(root).map((issue) => issue.fingerprint);
    assert.equal(fingerprints.length, pipelineProblems().length + 2);
    assert.ok(fingerprints.every((fingerprint) => typeof fingerprint === 'string' && fingerprint.length > 0));
    assert.equal(new Set(fingerprints).size, fingerprints.length);
  });

  test('keeps fingerprints stable across runs', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE, 'gitlab-runner/config.toml': '[[runners]]\n  [runners.docker]\n    image = "ruby"\n' });
    assert.deepEqual(report(root).map((issue) => issue.fingerprint), report(root).map((issue) => issue.fingerprint));
  });

  test('prints an empty array when nothing is found', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('a', `alpine@sha256:${'a'.repeat(64)}`) });
    assert.deepEqual(report(root), []);
  });
});

describe('--format text', () => {
  test('ends with a summary line counting each severity and the files analysed', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE, 'gitlab-runner/config.toml': '[[runners]]\n  [runners.docker]\n    image = "ruby:3.3"\n' });
    const { out } = run([], root);
    assert.equal(out.split('\n').at(-1), '5 problems (1 error, 1 warning, 2 information, 1 hint) in 2 files.');
  });

  test('says so when there are no problems', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('a', `alpine@sha256:${'a'.repeat(64)}`), '.docker/config.json': '{"auths": {}}' });
    const result = run([], root);
    assert.equal(result.code, 0);
    assert.equal(result.out.split('\n').at(-1), 'No problems in 2 files.');
  });

  test('uses the singular for one problem in one file', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('a', 'redis') });
    assert.equal(run([], root).out.split('\n').at(-1), '1 problem (0 errors, 1 warning, 0 information, 0 hints) in 1 file.');
  });

  test('lists each problem under its file with a 1-based line:column and its code', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const lines = run([], root).out.split('\n');
    assert.equal(lines[0], '.gitlab-ci.yml');
    for (const problem of pipelineProblems()) {
      const where = `${problem.range.start.line + 1}:${problem.range.start.character + 1}`;
      assert.ok(lines.some((line) => line.trimStart().startsWith(`${where} `) && line.includes(problem.severity) && line.endsWith(problem.code)),
        `no line for ${problem.code} at ${where}`);
    }
  });

  test('is the default format', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    assert.equal(run([], root).out, run(['--format', 'text'], root).out);
  });
});

// ---- Flags ------------------------------------------------------------------------------

describe('--rule CODE=SEVERITY', () => {
  test('changes a rule\'s severity', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('a', 'redis') });
    const { code, problems } = runJson(['--rule', 'image/latest-tag=error'], root);
    assert.deepEqual(problems.map((p) => [p.code, p.severity]), [['image/latest-tag', 'error']]);
    assert.equal(code, 1);
  });

  test('turns a rule off with `off`', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const { code, problems } = runJson(['--rule', 'image/uppercase-repository=off'], root);
    assert.deepEqual(problems.map((p) => p.code), ['image/latest-tag', 'image/not-pinned', 'image/tag-and-digest']);
    assert.equal(code, 0);
  });

  test('takes several rules, one flag each', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const { problems } = runJson(['--rule', 'image/latest-tag=off', '--rule', 'image/not-pinned=warning'], root);
    assert.deepEqual(problems.map((p) => [p.code, p.severity]), [
      ['image/uppercase-repository', 'error'],
      ['image/not-pinned', 'warning'],
      ['image/tag-and-digest', 'hint'],
    ]);
  });

  test('exits 2 for an unknown rule code, naming it, before analysing anything', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const result = run(['--rule', 'image/lastest-tag=off'], root);
    assert.equal(result.code, 2);
    assert.match(result.err, /unknown rule `image\/lastest-tag`/);
    assert.equal(result.out, '');
  });

  test('exits 2 for an unknown severity', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const result = run(['--rule', 'image/latest-tag=loud'], root);
    assert.equal(result.code, 2);
    assert.match(result.err, /loud/);
  });

  test('exits 2 when the severity is missing', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    assert.equal(run(['--rule', 'image/latest-tag'], root).code, 2);
  });
});

describe('--pinning LEVEL', () => {
  test('sets the severity of image/not-pinned', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('a', 'node:20') });
    assert.deepEqual(runJson([], root).problems.map((p) => p.severity), ['information']);
    assert.deepEqual(runJson(['--pinning', 'error'], root).problems.map((p) => p.severity), ['error']);
    assert.equal(runJson(['--pinning', 'error'], root).code, 1);
  });

  test('turns image/not-pinned off with `off`', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('a', 'node:20') });
    assert.deepEqual(runJson(['--pinning', 'off'], root).problems, []);
  });

  test('exits 2 for an unknown level', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('a', 'node:20') });
    assert.equal(run(['--pinning', 'always'], root).code, 2);
  });
});

describe('--ci-registry HOST', () => {
  const CONTENT = job('tools', '$CI_REGISTRY/tools/app:1');

  test('is what $CI_REGISTRY expands to in findings', () => {
    const root = makeTree({ '.gitlab-ci.yml': CONTENT });
    const [byDefault] = runJson([], root).problems;
    const [withFlag] = runJson(['--ci-registry', 'registry.example.com:5000'], root).problems;
    assert.equal(byDefault?.code, 'image/not-pinned');
    assert.match(byDefault!.message, /`registry\.gitlab\.com\/tools\/app:1`/);
    assert.equal(withFlag?.code, 'image/not-pinned');
    assert.match(withFlag!.message, /`registry\.example\.com:5000\/tools\/app:1`/);
  });

  test('exits 2 for a value that is not host[:port]', () => {
    const root = makeTree({ '.gitlab-ci.yml': CONTENT });
    const result = run(['--ci-registry', 'https://registry.example.com/'], root);
    assert.equal(result.code, 2);
  });
});

describe('--var NAME=VALUE', () => {
  const CONTENT = job('deploy', '$BASE_IMAGE:1.2');

  test('reports an undefined variable without it', () => {
    const root = makeTree({ '.gitlab-ci.yml': CONTENT });
    assert.deepEqual(summarize(runJson([], root).problems, root), [['.gitlab-ci.yml', 'image/undefined-variable', 'warning', '$BASE_IMAGE']]);
  });

  test('silences image/undefined-variable with `*`, defined but unknown', () => {
    const root = makeTree({ '.gitlab-ci.yml': CONTENT });
    const codes = runJson(['--var', 'BASE_IMAGE=*'], root).problems.map((p) => p.code);
    assert.ok(!codes.includes('image/undefined-variable'), codes.join(', '));
  });

  test('checks nothing that depends on a `*` value', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('deploy', '$BASE_IMAGE') });
    assert.deepEqual(runJson(['--var', 'BASE_IMAGE=*'], root).problems, []);
  });

  test('uses the value when the name is checked', () => {
    const root = makeTree({ '.gitlab-ci.yml': CONTENT });
    const { code, problems } = runJson(['--var', 'BASE_IMAGE=Alpine'], root);
    assert.deepEqual(summarize(problems, root), [['.gitlab-ci.yml', 'image/uppercase-repository', 'error', '$BASE_IMAGE']]);
    assert.equal(code, 1);
  });

  test('takes several variables, one flag each', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('deploy', '$REGISTRY/$TOOL:1') });
    const codes = runJson(['--var', 'REGISTRY=*', '--var', 'TOOL=*'], root).problems.map((p) => p.code);
    assert.ok(!codes.includes('image/undefined-variable'), codes.join(', '));
  });

  test('exits 2 without `=`', () => {
    const root = makeTree({ '.gitlab-ci.yml': CONTENT });
    assert.equal(run(['--var', 'BASE_IMAGE'], root).code, 2);
  });

  test('exits 2 for a name that is not a variable name', () => {
    const root = makeTree({ '.gitlab-ci.yml': CONTENT });
    const result = run(['--var', 'bad-name=1', '--var', 'BASE_IMAGE=*'], root);
    assert.equal(result.code, 2);
  });
});

describe('.pullguard.json', () => {
  test('is read from the repository root, the nearest folder above with a .git', () => {
    const root = makeTree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.pullguard.json': JSON.stringify({ rules: { 'image/latest-tag': 'error' } }),
      'app/.gitlab-ci.yml': job('a', 'redis'),
    });
    const { code, problems } = runJson([], join(root, 'app'));
    assert.deepEqual(problems.map((p) => [p.code, p.severity]), [['image/latest-tag', 'error']]);
    assert.equal(code, 1);
  });

  test('cannot choose the machine-only settings: they are dropped with a warning naming the flag', () => {
    const root = makeTree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.pullguard.json': JSON.stringify({ registry: { caFile: '/tmp/evil-ca.pem', timeoutMs: 2000 } }),
      '.gitlab-ci.yml': job('a', 'redis'),
    });
    const result = run(['--format', 'json', '.'], root);
    assert.equal(result.code, 0);
    assert.match(result.err, /sets registry\.caFile, which a repository cannot choose; use --ca-file\./);
  });

  test('is not read from a folder below the repository root', () => {
    const root = makeTree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'app/.pullguard.json': JSON.stringify({ rules: { 'image/latest-tag': 'off' } }),
      'app/.gitlab-ci.yml': job('a', 'redis'),
    });
    assert.deepEqual(runJson([], join(root, 'app')).problems.map((p) => p.code), ['image/latest-tag']);
  });

  test('applies rules, pinning, ciRegistry and variables from the file', () => {
    const root = makeTree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.pullguard.json': JSON.stringify({
        rules: { 'image/latest-tag': 'off' },
        pinning: 'warning',
        ciRegistry: 'registry.example.com:5000',
        variables: { BASE_IMAGE: '*' },
      }),
      '.gitlab-ci.yml': job('a', 'redis') + job('b', '$BASE_IMAGE:1') + job('c', '$CI_REGISTRY/tools/app:1'),
    });
    const { problems } = runJson([], root);
    assert.deepEqual(problems.map((p) => [p.code, p.severity]), [
      ['image/not-pinned', 'warning'],
      ['image/not-pinned', 'warning'],
    ]);
    assert.match(problems[1]!.message, /registry\.example\.com:5000\/tools\/app:1/);
  });

  test('is overridden by flags, and --var adds to its variables', () => {
    const root = makeTree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.pullguard.json': JSON.stringify({ rules: { 'image/latest-tag': 'error' }, pinning: 'error', variables: { BASE_IMAGE: '*' } }),
      '.gitlab-ci.yml': job('a', 'redis') + job('b', '$BASE_IMAGE:1') + job('c', '$TOOL:1'),
    });
    const { code, problems } = runJson(['--rule', 'image/latest-tag=information', '--pinning', 'hint', '--var', 'TOOL=*'], root);
    assert.deepEqual(problems.map((p) => [p.code, p.severity]), [
      ['image/latest-tag', 'information'],
      ['image/not-pinned', 'hint'],
      ['image/not-pinned', 'hint'],
    ]);
    assert.equal(code, 0);
  });

  test('exits 2 for a file that is not JSON, naming the file', () => {
    const root = makeTree({ '.git/HEAD': 'ref: refs/heads/main\n', '.pullguard.json': '{"rules": {', '.gitlab-ci.yml': job('a', 'redis') });
    const result = run([], root);
    assert.equal(result.code, 2);
    assert.ok(result.err.includes(join(root, '.pullguard.json')), result.err);
  });

  test('exits 2 for a file that is not a JSON object, naming the file', () => {
    const root = makeTree({ '.git/HEAD': 'ref: refs/heads/main\n', '.pullguard.json': '["image/latest-tag"]', '.gitlab-ci.yml': job('a', 'redis') });
    const result = run([], root);
    assert.equal(result.code, 2);
    assert.ok(result.err.includes('.pullguard.json'), result.err);
  });

  test('refuses a setting with a bad value as bad input, naming the setting (exit 2)', () => {
    const root = makeTree({ '.git/HEAD': 'ref: refs/heads/main\n', '.pullguard.json': JSON.stringify({ pinning: 'loud' }), '.gitlab-ci.yml': job('a', 'node:20') });
    const { code, out, err } = run([], root);
    assert.equal(code, 2);
    assert.match(err, /pullguard\.pinning/);
    assert.equal(out, '', 'nothing is analysed with a silent default');
  });
});

// ---- Exit status and usage ------------------------------------------------------------

describe('exit status', () => {
  const CASES: ReadonlyArray<{ name: string; content: string; expected: number }> = [
    { name: 'exits 0 when there are only warnings', content: job('a', 'redis'), expected: 0 },
    { name: 'exits 0 when there is only information and hints', content: job('a', 'node:20') + job('b', `alpine:3@sha256:${'a'.repeat(64)}`), expected: 0 },
    { name: 'exits 0 when there is nothing', content: job('a', `alpine@sha256:${'a'.repeat(64)}`), expected: 0 },
    { name: 'exits 1 when any finding is an error', content: job('a', 'redis') + job('b', 'team/App:1'), expected: 1 },
    { name: 'exits 1 for a syntax error', content: 'a: [\n', expected: 1 },
  ];
  for (const { name, content, expected } of CASES) {
    test(name, () => {
      const root = makeTree({ '.gitlab-ci.yml': content });
      assert.equal(run([], root).code, expected);
    });
  }
});

describe('bad usage', () => {
  const CASES: ReadonlyArray<{ name: string; argv: readonly string[]; says: RegExp }> = [
    { name: 'exits 2 for an unknown flag', argv: ['--fromat', 'json'], says: /--fromat/ },
    { name: 'exits 2 for an unknown format', argv: ['--format', 'xml'], says: /xml/ },
    { name: 'exits 2 for a flag without its value', argv: ['--format'], says: /--format/ },
  ];
  for (const { name, argv, says } of CASES) {
    test(name, () => {
      const root = makeTree({ '.gitlab-ci.yml': job('a', 'redis') });
      const result = run(argv, root);
      assert.equal(result.code, 2);
      assert.match(result.err, says);
      assert.equal(result.out, '');
    });
  }

  test('prints usage for --help and -h, naming every flag, and exits 0', () => {
    const root = makeTree({});
    for (const flag of ['--help', '-h']) {
      const result = run([flag], root);
      assert.equal(result.code, 0);
      assert.match(result.out, /^Usage: pullguard/);
      for (const option of ['--format', '--rule', '--pinning', '--ci-registry', '--var']) assert.ok(result.out.includes(option), `--help does not name ${option}`);
    }
  });

  test('prints the version for --version and -v, and exits 0', () => {
    const root = makeTree({});
    for (const flag of ['--version', '-v']) {
      const result = run([flag], root);
      assert.equal(result.code, 0);
      assert.match(result.out, /^\d+\.\d+\.\d+(?:-[\w.]+)?$/);
    }
  });
});

// ---- The real binary ----------------------------------------------------------------------

function ensureCliBuilt(): void {
  ensureBuilt('dist/cli.js');
}

function runBinary(argv: readonly string[], cwd: string): Run {
  const result = spawnSync(process.execPath, [CLI_BUNDLE, ...argv], { cwd, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.error, undefined, `could not run ${CLI_BUNDLE}: ${result.error?.message}`);
  return { code: result.status ?? -1, out: result.stdout, err: result.stderr };
}

describe('the bundled binary (dist/cli.js)', () => {
  before(() => ensureCliBuilt(), { timeout: 180_000 });

  test('exits 1 with the findings on stdout and nothing on stderr when there is an error', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const result = runBinary([], root);
    assert.equal(result.code, 1);
    assert.equal(result.err, '');
    assert.equal(result.out.trimEnd().split('\n').at(-1), '4 problems (1 error, 1 warning, 1 information, 1 hint) in 1 file.');
  });

  test('exits 0 when there are only warnings', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('a', 'redis') });
    const result = runBinary([], root);
    assert.equal(result.code, 0);
    assert.match(result.out, /image\/latest-tag/);
  });

  test('prints the same JSON as runCli', () => {
    const root = makeTree({ '.gitlab-ci.yml': PIPELINE });
    const result = runBinary(['--format', 'json'], root);
    assert.deepEqual(JSON.parse(result.out), runJson([], root).problems);
  });

  test('exits 2 with the reason on stderr and nothing on stdout for an unknown flag', () => {
    const root = makeTree({ '.gitlab-ci.yml': job('a', 'redis') });
    const result = runBinary(['--bogus'], root);
    assert.equal(result.code, 2);
    assert.match(result.err, /--bogus/);
    assert.equal(result.out, '');
  });

  test('exits 2 for a path that does not exist, saying so on stderr', () => {
    const root = makeTree({});
    const result = runBinary(['nowhere'], root);
    assert.equal(result.code, 2);
    assert.match(result.err, /nowhere/);
  });

  test('prints the package version and exits 0', () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = runBinary(['--version'], makeTree({}));
    assert.equal(result.code, 0);
    assert.equal(result.out, `${version}\n`);
  });

  test('prints usage and exits 0 for --help', () => {
    const result = runBinary(['--help'], makeTree({}));
    assert.equal(result.code, 0);
    assert.match(result.out, /^Usage: pullguard/);
  });
});
