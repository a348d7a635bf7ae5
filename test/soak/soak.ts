/**
 * What the soak checks share: a server started over a folder, waited on until it is quiet,
 * and its open documents' diagnostics compared with those of a fresh server that opens the
 * same documents over the same folder. The checks drive random changes through the real
 * server, which settles in its own time (a watcher's report is read again 500 ms later), so
 * they wait with timers: they are run by hand, not in a suite (`npm run soak`).
 *
 * `PULLGUARD_LSP_SERVER` runs them against another build; `PULLGUARD_SOAK_EACH=1` compares
 * after every change instead of once at the end (slower; a difference that shows only at
 * the end came from changes in a burst); `PULLGUARD_SOAK_LOG=1` prints the server's log.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver';
import { LspClient } from '../../bench/lspClient';

export const SERVER_PATH = process.env.PULLGUARD_LSP_SERVER ? resolve(process.env.PULLGUARD_LSP_SERVER) : resolve(__dirname, '../../dist/server.js');

/** Past the server's re-read of a reported file (500 ms) and its debounce. */
const QUIET_MS = 900;

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** A fresh folder holding `files` (path from the root → text). */
export function writeWorkspace(files: ReadonlyMap<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pullguard-soak-'));
  for (const [path, text] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

export function languageOf(path: string): string {
  return path.endsWith('.json') ? 'json' : path.endsWith('.toml') ? 'toml' : 'yaml';
}

/** A started server over `root`, with what it published last per URI and the errors it logged. */
export interface SoakServer {
  readonly client: LspClient;
  readonly uriOf: (path: string) => string;
  readonly errors: string[];
}

export async function startServer(root: string, settings: Record<string, unknown> = {}): Promise<SoakServer> {
  const client = LspClient.start(SERVER_PATH, ['--stdio'], { cwd: root, timeoutMs: 20_000, settings: { pullguard: settings } });
  const errors: string[] = [];
  client.onNotification('window/logMessage', (params) => {
    const message = params as { type: number; message: string };
    if (message.type === 1) errors.push(message.message);
    if (process.env.PULLGUARD_SOAK_LOG === '1') console.log(`[server ${message.type}] ${message.message}`);
  });
  if (process.env.PULLGUARD_SOAK_LOG === '1') {
    client.onRequest('client/registerCapability', (params) => {
      console.log(`[server registers] ${JSON.stringify(params)}`);
      return null;
    });
  }
  const folder = pathToFileURL(root).href;
  await client.initialize({ rootUri: folder, workspaceFolders: [{ uri: folder, name: 'soak' }] });
  return { client, uriOf: (path) => pathToFileURL(join(root, path)).href, errors };
}

/** Waits until the server has handled everything and settled. */
export async function quiet(server: SoakServer): Promise<void> {
  await sleep(QUIET_MS);
  // A request answered: every message before it is handled (an unknown method is answered with an error).
  await server.client.request('pullguard/soakBarrier').catch(() => undefined);
}

function lines(published: PublishDiagnosticsParams | undefined): string[] {
  return (published?.diagnostics ?? []).map((d: Diagnostic) =>
    `${d.range.start.line}:${d.range.start.character} ${d.severity} ${d.code}: ${typeof d.message === 'string' ? d.message : d.message.value}`);
}

/**
 * Compares what `kept` published last for each open document with what a fresh server over
 * the same folder, with `settings`, publishes for the same texts. Returns the first
 * difference, or undefined.
 */
export async function differenceFromFresh(kept: SoakServer, root: string, open: ReadonlyMap<string, { text: string; version: number }>, settings: Record<string, unknown> = {}): Promise<string | undefined> {
  const fresh = await startServer(root, settings);
  try {
    for (const [path, document] of open) fresh.client.didOpen(fresh.uriOf(path), languageOf(path), document.text, document.version);
    await quiet(fresh);
    for (const [path, document] of open) {
      const last = kept.client.diagnosticsFor(kept.uriOf(path));
      if (last && last.version !== document.version) return `${path}: the last diagnostics are of version ${last.version}, not ${document.version}`;
      const [mine, theirs] = [lines(last), lines(fresh.client.diagnosticsFor(fresh.uriOf(path)))];
      if (JSON.stringify(mine) !== JSON.stringify(theirs)) return `${path} differs\n  kept:  ${mine.join('\n         ')}\n  fresh: ${theirs.join('\n         ')}`;
    }
    if (kept.errors.length > 0) return `errors logged: ${kept.errors.join(' | ')}`;
    return undefined;
  } finally {
    await fresh.client.shutdown();
  }
}

/**
 * Runs a check over the seeds the command line names (`--seeds N --steps N --first N`),
 * printing each difference, then a summary line; the exit code is 1 when any seed differed.
 */
export function runSeeds(what: string, defaults: { seeds: number; steps: number }, check: (seed: number, steps: number) => Promise<string | undefined>): void {
  const run = async (): Promise<number> => {
    const { seeds, steps, first } = readCounts(defaults);
    let differing = 0;
    for (let seed = first; seed < first + seeds; seed++) {
      const difference = await check(seed, steps);
      if (!difference) continue;
      differing++;
      console.log(`seed ${seed}: ${difference}\n`);
    }
    console.log(`${what}: ${differing} of ${seeds} seeds differ from a fresh server`);
    return differing === 0 ? 0 : 1;
  };
  void run().then((code) => (process.exitCode = code));
}

/** `--seeds N --steps N --first N` from the command line, with defaults. */
function readCounts(defaults: { seeds: number; steps: number }): { seeds: number; steps: number; first: number } {
  const value = (flag: string, fallback: number): number => {
    const at = process.argv.indexOf(flag);
    const parsed = at === -1 ? fallback : Number(process.argv[at + 1]);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${flag} takes a positive whole number`);
    return parsed;
  };
  return { seeds: value('--seeds', defaults.seeds), steps: value('--steps', defaults.steps), first: value('--first', 1) };
}
