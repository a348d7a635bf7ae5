/**
 * Diagnostics already computed go out before the server starts on the next document.
 * Opening a Docker `config.json` changes what a pipeline open beside it means, so both
 * are validated again; the config's diagnostics must reach the editor when they are
 * ready, not after the pipeline's whole re-analysis. (vscode-jsonrpc writes a message
 * from a setImmediate callback; a validation that started on the next expired timer held
 * that write back for as long as it took.)
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, test } from 'node:test';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { ensureServerBuilt, Session, stopAllSessions, TempWorkspace, uriOf, writeTextFile } from './harness';

const workspace = new TempWorkspace('pullguard-lsp-order-');

before(() => ensureServerBuilt());
after(async () => {
  await stopAllSessions();
  workspace.remove();
});

/** A pipeline of `jobs` jobs whose analysis takes a while (hundreds of milliseconds for thousands of jobs). */
function largePipeline(jobs: number): string {
  const lines = ['variables:', '  DATABASE_URL: postgres://app@postgres:5432/app', ''];
  for (let i = 0; i < jobs; i++) {
    lines.push(`job-${i}:`, `  image: registry.example.com:5000/group/app-${i % 40}:1.${i % 7}`, '  services:', '    - name: postgres:16', '      alias: postgres', '  script: [make]', '');
  }
  return lines.join('\n');
}

const DOCKER_CONFIG = JSON.stringify({ auths: { 'registry.example.com:5000': { auth: 'dXNlcjpwYXNz' } } }, null, 2);

test('a document opened beside a large pipeline gets its diagnostics before the pipeline has been analysed again', async () => {
  const root = workspace.folder('order');
  const pipelineUri = uriOf(join(root, '.gitlab-ci.yml'));
  const configPath = join(root, '.docker/config.json');
  writeTextFile(configPath, '{}');
  const configUri = uriOf(configPath);
  const session = await Session.start({ root });
  session.open(pipelineUri, largePipeline(3000));
  await session.waitForCurrent(pipelineUri, { timeoutMs: 60_000 });

  const arrivals: Array<{ uri: string; at: number }> = [];
  session.client.onNotification('textDocument/publishDiagnostics', (params) => arrivals.push({ uri: (params as PublishDiagnosticsParams).uri, at: performance.now() }));
  const mark = session.mark();
  const opened = performance.now();
  session.open(configUri, DOCKER_CONFIG, 'json');
  await session.waitForDiagnostics(configUri, { after: mark, version: 1, timeoutMs: 60_000 });
  // The Docker config's credentials change what the pipeline's pulls mean: it is published again.
  await session.waitForDiagnostics(pipelineUri, { after: mark, timeoutMs: 60_000 });

  const configAfter = arrivals.find((a) => a.uri === configUri)!.at - opened;
  const pipelineAfter = arrivals.find((a) => a.uri === pipelineUri)!.at - opened;
  // The config's own analysis is a small part of the pipeline's (3,000 jobs). Held back, its
  // diagnostics arrived just before the pipeline's, when that analysis was over.
  assert.ok(configAfter < pipelineAfter / 2, `the config's diagnostics came after ${configAfter.toFixed(0)} ms, the pipeline's after ${pipelineAfter.toFixed(0)} ms`);
  assert.equal(await session.stop(), 0);
});

const RUNNER_CONFIG = '[[runners]]\n  name = "docker"\n  executor = "docker"\n  [runners.docker]\n    image = "alpine:latest"\n';

test('a config.toml opened beside another is published once, and the other not again: neither reads the other', async () => {
  const root = workspace.folder('second-config');
  const firstUri = uriOf(join(root, 'a', 'config.toml'));
  const secondUri = uriOf(join(root, 'b', 'config.toml'));
  const session = await Session.start({ root });
  session.open(firstUri, RUNNER_CONFIG, 'toml');
  await session.waitForCurrent(firstUri);
  await session.quiet(300);

  const mark = session.mark();
  session.open(secondUri, RUNNER_CONFIG, 'toml');
  await session.waitForDiagnostics(secondUri, { after: mark, version: 1 });
  await session.quiet(500);
  assert.equal(session.publishedFor(secondUri, mark).length, 1, 'the new config.toml is published once');
  assert.deepEqual(session.publishedFor(firstUri, mark), [], 'the first config.toml is not published again');

  // A Docker config is what a runner's lookup reads: its arrival re-checks both; their
  // diagnostics (alpine, on Docker Hub) stay as they were, so neither is published again.
  const dockerMark = session.mark();
  session.open(uriOf(join(root, '.docker', 'config.json')), DOCKER_CONFIG, 'json');
  await session.quiet(500);
  assert.deepEqual([...session.publishedFor(firstUri, dockerMark), ...session.publishedFor(secondUri, dockerMark)], []);
  assert.equal(await session.stop(), 0);
});
