/**
 * The CLI reports what the editor shows (README: the main command prints "what the
 * editor would show"): for the same workspace on disk, the findings of `pullguard
 * --format json` are the diagnostics the server publishes with every file open as it is
 * on disk — same file, range, severity, code and message. Over the bundled examples, a
 * generated pipeline with its runner and Docker configs, and workspaces of templates
 * that include one another, drawn from fixed seeds.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { generateDockerConfig, generatePipeline, generateRunnerConfig } from '../../bench/generate';
import { findCandidateFiles } from '../../server/src/node/findFiles';
import { run } from '../helpers/cli';
import { messageText, REPO_ROOT, Session, uriOf, useTempWorkspace, writeTextFile } from './harness';

const workspace = useTempWorkspace('pullguard-lsp-parity-');

const SEVERITIES = ['', 'error', 'warning', 'information', 'hint'];

/** Each file's possible texts in the seeded workspaces; undefined: the file is left out. */
const TEXTS: Readonly<Record<string, ReadonlyArray<string | undefined>>> = {
  '.gitlab-ci.yml': [
    'include:\n  - local: ci/a.yml\nbuild:\n  extends: .a\n  script: [make]\n',
    'include:\n  - local: ci/*.yml\nbuild:\n  extends: .b\n  image: $IMG\n  script: [make]\n',
    'include: ci/nested.yml\ntest:\n  extends: .n\n  script: [make]\n',
    'build:\n  image: registry.example.com/app:1\n  services: [postgres:16]\n  script: [make]\n',
    'variables:\n  DOCKER_AUTH_CONFIG: \'{"auths": {"private.example.com": {"auth": "dTpw"}}}\'\nbuild:\n  image: private.example.com/x:1\n  script: [make]\n',
  ],
  'sub/.gitlab-ci.yml': ['include: /ci/b.yml\nx:\n  extends: .b\n  script: [a]\n', 'x:\n  image: redis\n  script: [a]\n', undefined],
  'ci/a.yml': ['.a:\n  image: alpine:3.20\n', '.a:\n  image: registry.example.com/a:1\nvariables:\n  IMG: node:20\n', 'include: ci/b.yml\n.a:\n  extends: .b\n', ': [bad', 'job-in-template:\n  image: ubuntu\n  script: [x]\n', undefined],
  'ci/b.yml': ['.b:\n  image: docker.io/library/redis:7\n', 'variables:\n  IMG: private.example.com/x:1\n.b:\n  image: $IMG\n', undefined],
  'ci/nested.yml': ['include: ci/a.yml\n.n:\n  extends: .a\n', '.n:\n  image: mysql:8\n', undefined],
  'k8s/deploy.yaml': ['apiVersion: v1\nkind: Pod\n', undefined],
  'gitlab-runner/config.toml': [
    '[[runners]]\n  executor = "docker"\n  [runners.docker]\n    image = "alpine:3"\n    allowed_images = ["registry.example.com/**"]\n',
    '[[runners]]\n  executor = "docker"\n  environment = ["DOCKER_AUTH_CONFIG={\\"auths\\":{\\"private.example.com\\":{\\"auth\\":\\"dTpw\\"}}}"]\n',
    'not toml [',
    undefined,
  ],
  '.docker/config.json': ['{"auths": {"registry.example.com": {"auth": "dTpw"}}}', '{"credHelpers": {"private.example.com": "ecr-login"}}', '{bad', undefined],
};

function seededWorkspace(seed: number): string {
  let state = seed;
  const root = workspace.next('seed');
  for (const [path, texts] of Object.entries(TEXTS)) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const text = texts[Math.floor((state / 2 ** 31) * texts.length)];
    if (text !== undefined) writeTextFile(join(root, path), text);
  }
  return root;
}

/** One finding or diagnostic as a line, the same for both. */
function line(file: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, severity: string, code: string, message: string): string {
  return `${file} ${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character} ${severity} ${code}: ${message}`;
}

function cliLines(root: string): string[] {
  const { code, out, err } = run(['.', '--format', 'json'], root);
  assert.ok(code === 0 || code === 1, `the CLI exited ${code}: ${err}`);
  const findings = JSON.parse(out) as Array<{ file: string; range: Parameters<typeof line>[1]; severity: string; code: string; message: string }>;
  return findings.map((f) => line(f.file, f.range, f.severity, f.code, f.message)).sort();
}

async function serverLines(root: string): Promise<string[]> {
  const session = await Session.start({ root });
  const files = findCandidateFiles(root);
  for (const file of files) session.open(uriOf(file), readFileSync(file, 'utf8'), file.endsWith('.json') ? 'json' : file.endsWith('.toml') ? 'toml' : 'yaml');
  for (const file of files) await session.waitForCurrent(uriOf(file));
  // Opening one file may have the others checked again: the last publish of each, once all are in.
  await session.client.request('pullguard/$barrier').catch(() => undefined);
  const lines: string[] = [];
  for (const file of files) {
    for (const d of session.lastPublished(uriOf(file))?.diagnostics ?? []) lines.push(line(relative(root, file), d.range, SEVERITIES[d.severity ?? 1]!, String(d.code), messageText(d)));
  }
  assert.deepEqual(session.errorLogs(), []);
  assert.equal(await session.stop(), 0);
  return lines.sort();
}

describe('the CLI and the editor', () => {
  test('report the same for the bundled examples', async () => {
    const root = workspace.next('examples');
    cpSync(join(REPO_ROOT, 'examples'), root, { recursive: true });
    const expected = cliLines(root);
    assert.ok(expected.length > 10, `the examples give findings: ${expected.length}`);
    assert.deepEqual(await serverLines(root), expected);
  });

  test('report the same for a generated pipeline with its runner and Docker configs', async () => {
    const root = workspace.next('generated');
    writeTextFile(join(root, '.gitlab-ci.yml'), generatePipeline({ jobs: 30, anchors: true, seed: 3 }));
    writeTextFile(join(root, 'gitlab-runner/config.toml'), generateRunnerConfig(5));
    writeTextFile(join(root, '.docker/config.json'), generateDockerConfig(10));
    assert.deepEqual(await serverLines(root), cliLines(root));
  });

  test('report the same for workspaces of templates including one another', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const root = seededWorkspace(seed);
      assert.deepEqual(await serverLines(root), cliLines(root), `seed ${seed}`);
    }
  });
});
