/**
 * Each edit's time, in order, over fresh servers: the benchmark's edits (bench.ts) of one
 * pipeline, printed one row per server, to see which edits of a session are slow (the
 * first ones, before V8 has optimized the code; one after a full collection).
 *
 *   node --import tsx bench/editTimeline.ts --server .bench-results/dist/server.js --jobs 5000 --servers 4 [--anchors]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { generatePipeline } from './generate.js';
import { retypeImage, spreadImageLines } from './imageEdits.js';
import { LspClient, LspResponseError } from './lspClient.js';
import { summarize } from './stats.js';

const EDITS = 20;
const TIMEOUT_MS = 60_000;

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

const server = resolve(option('server', 'dist/server.js'));
const jobs = Number(option('jobs', '5000'));
const servers = Number(option('servers', '3'));
const anchors = process.argv.includes('--anchors');
if (!Number.isInteger(jobs) || jobs < 1 || !Number.isInteger(servers) || servers < 1) {
  console.error('Usage: editTimeline.ts [--server PATH] [--jobs N] [--servers N] [--anchors]');
  process.exit(2);
}

/** One fresh server: open the pipeline, then the 20 edits one at a time; each edit's time until its version's diagnostics. */
async function session(text: string): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pullguard-edit-timeline-'));
  const file = join(dir, '.gitlab-ci.yml');
  writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  const root = pathToFileURL(dir).href;
  const client = LspClient.start(server, ['--stdio'], { cwd: dir, timeoutMs: TIMEOUT_MS });
  try {
    await client.initialize({ rootUri: root, workspaceFolders: [{ uri: root, name: 'timeline' }] }, TIMEOUT_MS);
    // Answered after the `initialized` work (the warm-up, the workspace scan), as in bench.ts.
    await client.request('pullguard-bench/barrier', undefined, TIMEOUT_MS).catch((error: unknown) => {
      if (!(error instanceof LspResponseError)) throw error;
    });
    let version = 1;
    const opened = client.waitForDiagnostics(uri, { version, timeoutMs: TIMEOUT_MS });
    client.didOpen(uri, 'yaml', text, version);
    await opened;
    const lines = text.split('\n');
    const times: number[] = [];
    for (const [k, line] of spreadImageLines(lines, EDITS).entries()) {
      const change = retypeImage(lines, line, `edited-${k}:1.${version}`);
      version++;
      const published = client.waitForDiagnostics(uri, { version, timeoutMs: TIMEOUT_MS });
      const start = performance.now();
      client.didChange(uri, version, [client.syncKind === 2 ? change : { text: lines.join('\n') }]);
      await published;
      times.push(performance.now() - start);
    }
    await client.shutdown();
    return times;
  } finally {
    client.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const text = generatePipeline({ jobs, anchors, seed: 1 });
  console.log(`${jobs} jobs${anchors ? ' +anchors' : ''}, ${servers} fresh servers, edit → diagnostics in ms, one row per server:`);
  const rows: number[][] = [];
  for (let s = 0; s < servers; s++) {
    const times = await session(text);
    rows.push(times);
    console.log(times.map((ms) => ms.toFixed(0).padStart(5)).join(''));
  }
  const column = (from: number, to: number) => summarize(rows.flatMap((row) => row.slice(from, to)))!;
  for (const [label, from, to] of [['edits 1-2', 0, 2], ['edits 3-8', 2, 8], ['edits 9-20', 8, EDITS]] as const) {
    const stats = column(from, to);
    console.log(`${label.padEnd(11)} median ${stats.median.toFixed(0)} ms, p95 ${stats.p95.toFixed(0)} ms (n = ${stats.n})`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
