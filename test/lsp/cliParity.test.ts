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
import { chooser, drawWorkspace } from '../helpers/includingWorkspaces';
import { messageText, REPO_ROOT, Session, uriOf, useTempWorkspace, writeTextFile } from './harness';

const workspace = useTempWorkspace('pullguard-lsp-parity-');

const SEVERITIES = ['', 'error', 'warning', 'information', 'hint'];

function seededWorkspace(seed: number): string {
  const root = workspace.next('seed');
  for (const [path, text] of drawWorkspace(chooser(seed))) writeTextFile(join(root, path), text);
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
