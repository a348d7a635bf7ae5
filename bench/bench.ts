/**
 * End-to-end benchmark of the language server, driven over stdio like an editor.
 *
 *   node scripts/build.mjs && node --import tsx bench/bench.ts [--quick] [--server path]
 *     [--sizes 500,5000] [--workspaces 100,400] [--sessions N] [--timeline] [--node-options '...']
 *
 * The server is started as the VS Code client starts it (client/src/serverLaunch.ts:
 * `node --v8-pool-size=N <server> --stdio`); `--node-options ''` starts it with Node's defaults.
 *
 * For each generated `.gitlab-ci.yml` (N = 50, 500, 5000 jobs × anchors off/on) it
 * runs a few fresh server sessions and times: start → `initialize` answered (next to
 * the same for a script that answers it with no library: Node's own start-up),
 * open → first diagnostics, 20 edits → diagnostics for that version, 20 hovers and
 * 20 code-action requests on image lines, then reads the server's peak RSS; in other
 * fresh servers, the open after the server was idle, the 20 edits after a pause once
 * the file is open, and the 20 edits with the diagnostics pulled (as VS Code gets them)
 * instead of published. It also times the bare parse of the same text in this process
 * (the floor no server can beat), a large runner `config.toml` and Docker `config.json`,
 * and the bundle sizes.
 *
 * Prints a table, one `BENCH {json}` line per case, and writes the JSON lines to
 * `.bench-results/latest.jsonl` (gitignored). See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseTree } from 'jsonc-parser';
import type { CodeAction, Command, Diagnostic, DocumentDiagnosticReport, Hover, PublishDiagnosticsParams } from 'vscode-languageserver';
import { parseDocument } from 'yaml';
import { serverNodeOptions } from '../client/src/serverLaunch.js';
import { generateDockerConfig, generateMonorepoFiles, generatePipeline, generateRunnerConfig } from './generate.js';
import { imageValueOn, lineRange, retypeImage, spreadImageLines } from './imageEdits.js';
import { DEFAULT_CLIENT_CAPABILITIES, LspClient, LspResponseError, PULL_CLIENT_CAPABILITIES } from './lspClient.js';
import { summarize, type Stats } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_FILE = join(ROOT, '.bench-results', 'latest.jsonl');

/** How long each step may take before the run fails with the server's stderr. */
const TIMEOUTS = { startupMs: 20_000, diagnosticsMs: 60_000, requestMs: 30_000, shutdownMs: 5_000 };
const EDITS = 20;
/** Edits always made, even past the budget, so every case has a few samples. */
const MIN_EDITS = 5;
const PROBES = 20;
/** Timed runs of a floor: at least this many, and for at least FLOOR_MIN_MS (a small file's 5 runs took 30 ms, and one collection in them moved the median). */
const FLOOR_RUNS = 5;
const FLOOR_MIN_MS = 500;
const RUNNER_CONFIG_RUNNERS = 200;
const DOCKER_CONFIG_ENTRIES = 2000;

interface Plan {
  readonly sizes: readonly number[];
  /** Fresh server sessions per pipeline case, by job count. */
  readonly sessions: (jobs: number) => number;
  /** Sessions for each config-file case (each opens one document). */
  readonly configOpens: number;
  /**
   * A case starts no further session once it has run this long (at least one always
   * runs), and a session's edit loop stops after this long (at least MIN_EDITS edits).
   */
  readonly caseBudgetMs: number;
  /** Sessions per pipeline case that open the file after the server was idle (idleOpenSession). */
  readonly idleOpenSessions: number;
  /** Sessions per pipeline case that pause between the open and the edits (pausedEditSession). */
  readonly pausedEditSessions: number;
  /** Sessions per pipeline case in which the editor pulls the diagnostics (pulledEditSession). */
  readonly pulledEditSessions: number;
  /** Packages of the generated monorepos the workspace cases run in (generateMonorepoFiles). */
  readonly workspacePackages: readonly number[];
  /** Fresh servers, and CLI runs, per workspace case in the monorepo, and as many with the pipeline alone. */
  readonly workspaceSessions: number;
}

const FULL_PLAN: Plan = {
  sizes: [50, 500, 5000],
  sessions: (jobs) => (jobs <= 50 ? 5 : jobs <= 500 ? 3 : 1),
  configOpens: 3,
  caseBudgetMs: 30_000,
  idleOpenSessions: 2,
  pausedEditSessions: 2,
  pulledEditSessions: 1,
  workspacePackages: [100, 400],
  workspaceSessions: 3,
};
const QUICK_PLAN: Plan = {
  sizes: [50, 500],
  sessions: (jobs) => (jobs <= 50 ? 2 : 1),
  configOpens: 1,
  caseBudgetMs: 10_000,
  idleOpenSessions: 1,
  pausedEditSessions: 1,
  pulledEditSessions: 1,
  workspacePackages: [100],
  workspaceSessions: 2,
};

/**
 * Untimed calls before a floor is timed, for at least this long (and at least one): one
 * call left the parser of the first case half compiled, so that its floor (50 jobs:
 * ~30 ms) was twice what the same parse costs once V8 has compiled it.
 */
const FLOOR_WARM_UP_MS = 250;

/**
 * Before the first floor is timed, the floor's parser runs this long on two other 50-job
 * pipelines: the first case's FLOOR_WARM_UP_MS left it half compiled (session 16: its
 * floor read 9.5–13.4 ms where the same parse takes 5.1–6.2 ms once compiled).
 */
const FLOOR_PARSER_WARM_UP_MS = 2000;

function warmUpFloorParser(): void {
  const texts = [false, true].map((anchors) => generatePipeline({ jobs: 50, anchors, seed: 2 }));
  const started = performance.now();
  for (let i = 0; performance.now() - started < FLOOR_PARSER_WARM_UP_MS; i++) parseDocument(texts[i % 2]!);
}

/**
 * Times `runs` calls at least, and more until FLOOR_MIN_MS have passed, after untimed
 * warm-up calls (so JIT compilation is not counted).
 */
function timeRuns(runs: number, action: () => void): number[] {
  const warmUpStarted = performance.now();
  do action();
  while (performance.now() - warmUpStarted < FLOOR_WARM_UP_MS);
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < runs || performance.now() - started < FLOOR_MIN_MS) {
    const start = performance.now();
    action();
    samples.push(performance.now() - start);
  }
  return samples;
}

// ---------------------------------------------------------------------------
// Sessions

interface SessionResult {
  startupMs: number;
  readyMs: number;
  openMs: number[];
  /** The same text opened again, under another name, in the server that has just analysed it. */
  reopenMs: number[];
  editMs: number[];
  /** The server's CPU time over the edits (all its threads), per edit. */
  editCpuMs: number | undefined;
  hoverMs: number[];
  codeActionMs: number[];
  /** Diagnostics in the first publish after open. */
  diagnostics: number;
  /** Hovers that returned content, code actions returned in total. */
  hoversWithContent: number;
  codeActions: number;
  peakRssBytes: number | undefined;
  sync: 'full' | 'incremental' | 'none';
  /** Requests not measured because the server does not advertise them. */
  unsupported: string[];
}

interface Workspace {
  readonly dir: string;
  readonly uri: string;
}

function makeWorkspace(parent: string, name: string): Workspace {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  return { dir, uri: pathToFileURL(dir).href };
}

interface StartedServer {
  readonly client: LspClient;
  /** Spawn → `initialize` answered. */
  readonly startupMs: number;
  /** Spawn → a request sent after `initialized` answered, i.e. the work done on `initialized` (workspace scan) is over. */
  readonly readyMs: number;
}

/** A program run with Node (`node <nodeOptions> <path> --stdio`). */
interface ServerCommand {
  readonly path: string;
  /** Node's options, before the program: the VS Code client's (serverNodeOptions) unless --node-options says otherwise. */
  readonly nodeOptions: readonly string[];
}

/** Spawns `program` and sends `initialize`: the client, the moment of the spawn, and spawn → answer. */
async function spawnAndInitialize(program: ServerCommand, workspace: Workspace, capabilities = DEFAULT_CLIENT_CAPABILITIES, env?: NodeJS.ProcessEnv): Promise<{ client: LspClient; start: number; startupMs: number }> {
  const start = performance.now();
  const client = LspClient.start(program.path, ['--stdio'], { nodeArgs: program.nodeOptions, cwd: workspace.dir, timeoutMs: TIMEOUTS.requestMs, echoStderr: process.env.PULLGUARD_BENCH_STDERR === '1', ...(env ? { env } : {}) });
  try {
    await client.initialize({ rootUri: workspace.uri, workspaceFolders: [{ uri: workspace.uri, name: 'bench' }], capabilities }, TIMEOUTS.startupMs);
    return { client, start, startupMs: performance.now() - start };
  } catch (error) {
    client.kill();
    throw error;
  }
}

/** Spawns the server and completes the handshake. */
async function startServer(server: ServerCommand, workspace: Workspace, capabilities = DEFAULT_CLIENT_CAPABILITIES): Promise<StartedServer> {
  const { client, start, startupMs } = await spawnAndInitialize(server, workspace, capabilities);
  try {
    // The server handles messages in order, so any answer (MethodNotFound is one) comes
    // after its `initialized` handler finished. Opening later keeps that work out of open→diag.
    await client.request('pullguard-bench/barrier', undefined, TIMEOUTS.startupMs).catch((error: unknown) => {
      if (!(error instanceof LspResponseError)) throw error;
    });
    return { client, startupMs, readyMs: performance.now() - start };
  } catch (error) {
    client.kill();
    throw error;
  }
}

/**
 * A fresh server on `workspace` with `text` written in it as `.gitlab-ci.yml`: `session`
 * runs with the started server and the pipeline's URI; the server is shut down after it,
 * and killed whatever happens.
 */
async function withPipelineServer<T>(
  server: ServerCommand,
  workspace: Workspace,
  text: string,
  session: (started: StartedServer, uri: string) => Promise<T>,
  capabilities = DEFAULT_CLIENT_CAPABILITIES,
): Promise<T> {
  const file = join(workspace.dir, '.gitlab-ci.yml');
  writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  const started = await startServer(server, workspace, capabilities);
  try {
    const result = await session(started, uri);
    await stopServer(started.client);
    return result;
  } finally {
    started.client.kill();
  }
}

/**
 * How long a server is left alone before the idle open: longer than the warm-up it
 * continues with while it is idle (IDLE_AFTER_MS + IDLE_WARM_UP_MS in server/src/server.ts,
 * and the turns of the event loop between its analyses: 1.2–1.8 s after `ready` here).
 * 2 s until session 11.
 */
const IDLE_WAIT_MS = 3000;

/**
 * A fresh server left idle for IDLE_WAIT_MS, then the pipeline opened: a server that
 * started with the workspace, before the user opened the file (VS Code starts it when
 * the workspace contains a pipeline), as opposed to `open→diag`, opened the moment
 * the server is ready.
 */
function idleOpenSession(server: ServerCommand, workspace: Workspace, text: string): Promise<number> {
  return withPipelineServer(server, workspace, text, async ({ client }, uri) => {
    await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
    return (await timeToDiagnostics(client, uri, 1, () => client.didOpen(uri, 'yaml', text, 1))).ms;
  });
}

/**
 * How long a user looks at a file just opened before the first keystroke, at the least:
 * finding the line. The server goes on warming up once it has been idle for
 * IDLE_AFTER_MS (300 ms, server/src/server.ts).
 */
const PAUSE_BEFORE_EDITS_MS = 1000;

/**
 * A fresh server, the pipeline opened the moment it is ready, then PAUSE_BEFORE_EDITS_MS
 * before the edits: the first keystrokes as a user makes them, as opposed to
 * `edit→diag`, whose first edit is sent the moment the open's diagnostics arrive.
 */
function pausedEditSession(server: ServerCommand, workspace: Workspace, text: string, editBudgetMs: number): Promise<number[]> {
  return withPipelineServer(server, workspace, text, async ({ client }, uri) => {
    await timeToDiagnostics(client, uri, 1, () => client.didOpen(uri, 'yaml', text, 1));
    await new Promise((resolve) => setTimeout(resolve, PAUSE_BEFORE_EDITS_MS));
    return (await makeEdits(client, uri, text, editBudgetMs)).editMs;
  });
}

/**
 * A fresh server that a client pulling the diagnostics talks to, as VS Code does: the
 * pipeline opened the moment the server is ready and its diagnostics pulled, then the
 * edits of `edit→diag`, each sent with the pull that follows it (naming the result id of
 * the list before, so an unchanged list comes back as `unchanged`), each timed to the
 * answer.
 */
function pulledEditSession(server: ServerCommand, workspace: Workspace, text: string, editBudgetMs: number): Promise<number[]> {
  return withPipelineServer(server, workspace, text, async ({ client }, uri) => {
    const pull = async (previousResultId: string | undefined): Promise<DocumentDiagnosticReport> => {
      const report = await client.request<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri }, previousResultId }, TIMEOUTS.diagnosticsMs);
      if (report.kind !== 'full' && report.kind !== 'unchanged') throw new Error(`The server answered a diagnostic pull with a report of kind ${String((report as { kind?: unknown }).kind)}.`);
      return report;
    };
    client.didOpen(uri, 'yaml', text, 1);
    let resultId = (await pull(undefined)).resultId;
    const { editMs } = await makeEdits(client, uri, text, editBudgetMs, async (_version, send) => {
      const start = performance.now();
      send();
      resultId = (await pull(resultId)).resultId;
      return performance.now() - start;
    });
    return editMs;
  }, PULL_CLIENT_CAPABILITIES);
}

async function stopServer(client: LspClient): Promise<void> {
  await client.shutdown(TIMEOUTS.shutdownMs);
}

/**
 * A program that answers `initialize` with no library loaded: Node's start-up plus the
 * same stdio handshake, the floor of a server's "start" on this machine.
 */
const NODE_START_FLOOR_PROGRAM = `
let input = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  input = Buffer.concat([input, chunk]);
  const headerEnd = input.indexOf('\\r\\n\\r\\n');
  if (headerEnd === -1) return;
  const length = Number(/Content-Length: *(\\d+)/i.exec(input.toString('ascii', 0, headerEnd))[1]);
  if (input.length < headerEnd + 4 + length) return;
  const request = JSON.parse(input.toString('utf8', headerEnd + 4, headerEnd + 4 + length));
  const body = JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { capabilities: {} } });
  process.stdout.write('Content-Length: ' + Buffer.byteLength(body) + '\\r\\n\\r\\n' + body);
  process.stdin.removeAllListeners('data');
});
`;

/** Spawn → `initialize` answered for NODE_START_FLOOR_PROGRAM, run with the server's Node options and timed as startServer times the server. */
async function timeNodeStart(scratch: string, workspace: Workspace, nodeOptions: readonly string[]): Promise<number> {
  const program = join(scratch, 'node-start-floor.cjs');
  if (!existsSync(program)) writeFileSync(program, NODE_START_FLOOR_PROGRAM);
  const { client, startupMs } = await spawnAndInitialize({ path: program, nodeOptions }, workspace);
  client.kill();
  return startupMs;
}

/** Sends a document's text or change with `send` and times it to the diagnostics the server publishes for `version`. */
async function timeToDiagnostics(client: LspClient, uri: string, version: number, send: () => void): Promise<{ ms: number; published: PublishDiagnosticsParams }> {
  const waiting = client.waitForDiagnostics(uri, { version, timeoutMs: TIMEOUTS.diagnosticsMs });
  const start = performance.now();
  send();
  const published = await waiting;
  return { ms: performance.now() - start, published };
}

function syncName(kind: 0 | 1 | 2): SessionResult['sync'] {
  return kind === 2 ? 'incremental' : kind === 1 ? 'full' : 'none';
}

/**
 * The edits, in a document opened at version 1 with `text`: the image retyped on 20 lines
 * spread through the file, one at a time, each timed to its diagnostics.
 * @param timeEdit sends a change (`send`) and times it to its diagnostics: published by
 *   default, or pulled (pulledEditSession)
 * @returns the times, the server's CPU time per edit, and the edited text's lines
 */
async function makeEdits(
  client: LspClient,
  uri: string,
  text: string,
  editBudgetMs: number,
  timeEdit: (version: number, send: () => void) => Promise<number> = async (version, send) => (await timeToDiagnostics(client, uri, version, send)).ms,
): Promise<{ editMs: number[]; editCpuMs: number | undefined; lines: string[] }> {
  const lines = text.split('\n');
  const targets = spreadImageLines(lines, EDITS);
  const editMs: number[] = [];
  let version = 1;
  const editsStarted = performance.now();
  const cpuBeforeEdits = client.cpuTimeMs();
  for (const [k, line] of targets.entries()) {
    // A slow server on a huge file would blow the run's time: keep what we have.
    if (k >= MIN_EDITS && performance.now() - editsStarted > editBudgetMs) break;
    const retyped = retypeImage(lines, line, `edited-${k}:1.${version}`);
    version++;
    // Build the payload before starting the clock: the editor has it ready too.
    const change = client.syncKind === 2 ? retyped : { text: lines.join('\n') };
    editMs.push(await timeEdit(version, () => client.didChange(uri, version, [change])));
  }
  const cpuAfterEdits = client.cpuTimeMs();
  const editCpuMs = cpuBeforeEdits !== undefined && cpuAfterEdits !== undefined && editMs.length > 0 ? (cpuAfterEdits - cpuBeforeEdits) / editMs.length : undefined;
  return { editMs, editCpuMs, lines };
}

/** One fresh server: open the pipeline, edit it, hover and ask for code actions. */
function pipelineSession(server: ServerCommand, workspace: Workspace, text: string, editBudgetMs: number): Promise<SessionResult> {
  return withPipelineServer(server, workspace, text, async ({ client, startupMs, readyMs }, uri) => {
    const sync = client.syncKind;
    const capabilities = client.serverCapabilities ?? {};
    const unsupported = [
      ...(capabilities.hoverProvider ? [] : ['hover']),
      ...(capabilities.codeActionProvider ? [] : ['codeAction']),
    ];
    if (sync === 0) throw new Error('The server does not accept document changes (textDocumentSync.change = None).');

    const { ms: openMs, published: opened } = await timeToDiagnostics(client, uri, 1, () => client.didOpen(uri, 'yaml', text, 1));
    const { editMs, editCpuMs, lines } = await makeEdits(client, uri, text, editBudgetMs);
    const diagnostics = client.diagnosticsFor(uri)?.diagnostics ?? [];

    // Hovers and code actions on the same image lines, in the edited document.
    const probes = spreadImageLines(lines, PROBES).map((line) => imageValueOn(lines, line)!);
    const hoverMs: number[] = [];
    let hoversWithContent = 0;
    for (const value of unsupported.includes('hover') ? [] : probes) {
      const start = performance.now();
      const hover = await client.request<Hover | null>('textDocument/hover', {
        textDocument: { uri },
        position: { line: value.line, character: value.start + ((value.end - value.start) >> 1) },
      });
      hoverMs.push(performance.now() - start);
      if (hover && hover.contents) hoversWithContent++;
    }
    const codeActionMs: number[] = [];
    let codeActions = 0;
    for (const value of unsupported.includes('codeAction') ? [] : probes) {
      const range = lineRange(value);
      // Like an editor: send the diagnostics that touch the requested line.
      const context = { diagnostics: diagnostics.filter((d: Diagnostic) => d.range.start.line <= value.line && d.range.end.line >= value.line) };
      const start = performance.now();
      const actions = await client.request<(CodeAction | Command)[] | null>('textDocument/codeAction', { textDocument: { uri }, range, context });
      codeActionMs.push(performance.now() - start);
      codeActions += actions?.length ?? 0;
    }

    const peakRssBytes = client.peakMemoryBytes();

    // The same file opened again (a second checkout, say) in this now warm server: the
    // open of a file once the server has run a while, without a fresh process's cost.
    // After the peak memory is read, as two copies are open now.
    const reopened = pathToFileURL(join(workspace.dir, 'reopened', '.gitlab-ci.yml')).href;
    const { ms: reopenMs } = await timeToDiagnostics(client, reopened, 1, () => client.didOpen(reopened, 'yaml', text, 1));

    return {
      startupMs,
      readyMs,
      openMs: [openMs],
      reopenMs: [reopenMs],
      editMs,
      editCpuMs,
      hoverMs,
      codeActionMs,
      diagnostics: opened.diagnostics.length,
      hoversWithContent,
      codeActions,
      peakRssBytes,
      sync: syncName(sync),
      unsupported,
    };
  });
}

/** One server; opens `opens` copies of a config file (distinct URIs) and times each to diagnostics. */
async function configSession(
  server: ServerCommand,
  workspace: Workspace,
  relativePath: string,
  languageId: string,
  text: string,
  opens: number,
): Promise<SessionResult> {
  const { client, startupMs, readyMs } = await startServer(server, workspace);
  try {
    const openMs: number[] = [];
    let diagnostics = 0;
    for (let i = 1; i <= opens; i++) {
      const file = join(workspace.dir, `copy-${i}`, relativePath);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      const uri = pathToFileURL(file).href;
      const { ms, published } = await timeToDiagnostics(client, uri, 1, () => client.didOpen(uri, languageId, text, 1));
      diagnostics = published.diagnostics.length;
      openMs.push(ms);
    }
    const peakRssBytes = client.peakMemoryBytes();
    const sync = syncName(client.syncKind);
    await stopServer(client);
    return {
      startupMs,
      readyMs,
      // The first open meets a fresh server; the later ones (other paths) a warm one.
      openMs: openMs.slice(0, 1),
      reopenMs: openMs.slice(1),
      editMs: [],
      editCpuMs: undefined,
      hoverMs: [],
      codeActionMs: [],
      diagnostics,
      hoversWithContent: 0,
      codeActions: 0,
      peakRssBytes,
      sync,
      unsupported: [],
    };
  } finally {
    client.kill();
  }
}

// ---------------------------------------------------------------------------
// Cases and reporting

interface CaseResult {
  kind: 'gitlab-ci' | 'runner-config' | 'docker-config';
  name: string;
  jobs?: number;
  anchors?: boolean;
  bytes: number;
  lines: number;
  sessions: number;
  sync?: SessionResult['sync'];
  diagnostics?: number;
  startupMs?: Stats;
  /** Spawn → `initialize` answered by a program with no library (NODE_START_FLOOR_PROGRAM), once before each session. */
  nodeStartMs?: Stats;
  readyMs?: Stats;
  openMs?: Stats;
  /** Open after the fresh server was left idle (idleOpenSession). */
  idleOpenMs?: Stats;
  /** Edits made after a pause once the file is open (pausedEditSession). */
  pausedEditMs?: Stats;
  /** Each of those sessions' edit times, in order (ms, to 0.1). */
  pausedEditMsBySession?: number[][];
  /** Edits made with the diagnostics pulled, as VS Code does (pulledEditSession). */
  pulledEditMs?: Stats;
  /** Each of those sessions' edit times, in order (ms, to 0.1). */
  pulledEditMsBySession?: number[][];
  reopenMs?: Stats;
  editMs?: Stats;
  /** Each session's edit times, in the order the edits were made (ms, to 0.1). */
  editMsBySession?: number[][];
  /** The server's CPU time per edit (all threads, from /proc), median over the sessions. */
  editCpuMs?: number;
  hoverMs?: Stats;
  codeActionMs?: Stats;
  /** Parse of the same text in this process with the parser the server uses. */
  parseFloorMs?: Stats;
  /** Median open→diagnostics over the median floor (issue 8's target: at most 1.5). */
  openToFloor?: number;
  /** The same for the open after idle, and for the reopen in a warm server. */
  idleOpenToFloor?: number;
  reopenToFloor?: number;
  hoversWithContent?: string;
  codeActions?: number;
  /** Largest VmHWM over the sessions, in MiB. */
  peakRssMiB?: number;
  /** Requests the server does not advertise, so not measured. */
  unsupported?: string[];
  error?: string;
}

/** The largest peak RSS of the sessions, in MiB to 0.1; undefined where it could not be read. */
function peakMiB(sessions: readonly { readonly peakRssBytes: number | undefined }[]): number | undefined {
  const peaks = sessions.map((s) => s.peakRssBytes).filter((v): v is number => v !== undefined);
  return peaks.length > 0 ? Math.round((Math.max(...peaks) / 2 ** 20) * 10) / 10 : undefined;
}

function mergeSessions(base: CaseResult, sessions: readonly SessionResult[]): CaseResult {
  const all = <K extends 'openMs' | 'reopenMs' | 'editMs' | 'hoverMs' | 'codeActionMs'>(key: K): number[] => sessions.flatMap((s) => s[key]);
  const last = sessions.at(-1);
  const openMs = summarize(all('openMs'));
  const reopenMs = summarize(all('reopenMs'));
  return {
    ...base,
    sessions: sessions.length,
    sync: last?.sync,
    diagnostics: last?.diagnostics,
    startupMs: summarize(sessions.map((s) => s.startupMs)),
    readyMs: summarize(sessions.map((s) => s.readyMs)),
    openMs,
    reopenMs,
    editMs: summarize(all('editMs')),
    editMsBySession: sessions.map((s) => s.editMs.map((ms) => Math.round(ms * 10) / 10)),
    editCpuMs: summarize(sessions.flatMap((s) => (s.editCpuMs === undefined ? [] : [s.editCpuMs])))?.median,
    hoverMs: summarize(all('hoverMs')),
    codeActionMs: summarize(all('codeActionMs')),
    hoversWithContent: last && last.hoverMs.length > 0 ? `${last.hoversWithContent}/${last.hoverMs.length}` : undefined,
    codeActions: last && last.codeActionMs.length > 0 ? last.codeActions : undefined,
    peakRssMiB: peakMiB(sessions),
    openToFloor: openToFloor(openMs, base.parseFloorMs),
    reopenToFloor: openToFloor(reopenMs, base.parseFloorMs),
    unsupported: last && last.unsupported.length > 0 ? last.unsupported : undefined,
  };
}

function openToFloor(open: Stats | undefined, floor: Stats | undefined): number | undefined {
  return open && floor && floor.median > 0 ? Math.round((open.median / floor.median) * 100) / 100 : undefined;
}

function emit(record: object): void {
  const line = JSON.stringify(record);
  console.log(`BENCH ${line}`);
  appendFileSync(RESULTS_FILE, line + '\n');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function runPipelineCase(server: ServerCommand, scratch: string, plan: Plan, jobs: number, anchors: boolean): Promise<CaseResult> {
  const text = generatePipeline({ jobs, anchors, seed: 1 });
  const name = `gitlab-ci ${jobs} jobs${anchors ? ' +anchors' : ''}`;
  const base: CaseResult = { kind: 'gitlab-ci', name, jobs, anchors, bytes: Buffer.byteLength(text), lines: text.split('\n').length, sessions: 0 };
  // The floor first, while no server competes for the CPU.
  base.parseFloorMs = summarize(timeRuns(FLOOR_RUNS, () => parseDocument(text)));
  const workspacePrefix = `ci-${jobs}-${anchors ? 'anchors' : 'plain'}`;
  const sessions: SessionResult[] = [];
  const nodeStarts: number[] = [];
  const idleOpens: number[] = [];
  const pausedEdits: number[][] = [];
  const pulledEdits: number[][] = [];
  let error: string | undefined;
  const started = performance.now();
  try {
    for (let i = 0; i < plan.sessions(jobs); i++) {
      if (i > 0 && performance.now() - started > plan.caseBudgetMs) break;
      const workspace = makeWorkspace(scratch, `${workspacePrefix}-${i}`);
      // Interleaved with the sessions, so both see the same load on the machine.
      nodeStarts.push(await timeNodeStart(scratch, workspace, server.nodeOptions));
      sessions.push(await pipelineSession(server, workspace, text, plan.caseBudgetMs));
    }
    for (let i = 0; i < plan.idleOpenSessions; i++) {
      idleOpens.push(await idleOpenSession(server, makeWorkspace(scratch, `${workspacePrefix}-idle-${i}`), text));
    }
    for (let i = 0; i < plan.pausedEditSessions; i++) {
      pausedEdits.push(await pausedEditSession(server, makeWorkspace(scratch, `${workspacePrefix}-paused-${i}`), text, plan.caseBudgetMs));
    }
    for (let i = 0; i < plan.pulledEditSessions; i++) {
      pulledEdits.push(await pulledEditSession(server, makeWorkspace(scratch, `${workspacePrefix}-pulled-${i}`), text, plan.caseBudgetMs));
    }
  } catch (caught) {
    // What was measured before the failure is reported with it.
    error = errorMessage(caught);
  }
  const idleOpenMs = summarize(idleOpens);
  return {
    ...mergeSessions({ ...base, nodeStartMs: summarize(nodeStarts) }, sessions),
    idleOpenMs,
    idleOpenToFloor: openToFloor(idleOpenMs, base.parseFloorMs),
    pausedEditMs: summarize(pausedEdits.flat()),
    pausedEditMsBySession: pausedEdits.map((row) => row.map((ms) => Math.round(ms * 10) / 10)),
    pulledEditMs: summarize(pulledEdits.flat()),
    pulledEditMsBySession: pulledEdits.map((row) => row.map((ms) => Math.round(ms * 10) / 10)),
    ...(error === undefined ? {} : { error }),
  };
}

async function runConfigCase(
  server: ServerCommand,
  scratch: string,
  plan: Plan,
  kind: 'runner-config' | 'docker-config',
): Promise<CaseResult> {
  const isRunner = kind === 'runner-config';
  const text = isRunner ? generateRunnerConfig(RUNNER_CONFIG_RUNNERS) : generateDockerConfig(DOCKER_CONFIG_ENTRIES);
  const name = isRunner ? `config.toml ${RUNNER_CONFIG_RUNNERS} runners` : `config.json ${DOCKER_CONFIG_ENTRIES} auths`;
  const base: CaseResult = { kind, name, bytes: Buffer.byteLength(text), lines: text.split('\n').length, sessions: 0 };
  if (isRunner) {
    const { parseTOML } = await import('toml-eslint-parser');
    base.parseFloorMs = summarize(timeRuns(FLOOR_RUNS, () => parseTOML(text)));
  } else {
    base.parseFloorMs = summarize(timeRuns(FLOOR_RUNS, () => parseTree(text)));
  }
  try {
    const workspace = makeWorkspace(scratch, kind);
    base.nodeStartMs = summarize([await timeNodeStart(scratch, workspace, server.nodeOptions)]);
    const session = isRunner
      ? await configSession(server, workspace, join('.gitlab-runner', 'config.toml'), 'toml', text, plan.configOpens)
      : await configSession(server, workspace, join('.docker', 'config.json'), 'json', text, plan.configOpens);
    return mergeSessions(base, [session]);
  } catch (error) {
    return { ...base, error: errorMessage(error) };
  }
}

// ---------------------------------------------------------------------------
// The workspace around the pipeline

/** Jobs of the pipeline in the workspace cases: a small file, so that the workspace is most of the cost. */
const WORKSPACE_PIPELINE_JOBS = 50;
/** How long the server that makes the code cache is left idle: past its warm-up (IDLE_WAIT_MS's reasoning). */
const CODE_CACHE_WARM_UP_MS = 3000;

interface WorkspaceSessionResult {
  /** Spawn → the first diagnostics of the pipeline, opened right after `initialized`. */
  readonly firstDiagnosticsMs: number;
  /** The first `pullguard/workspaceRegistries` (the *Create DOCKER_AUTH_CONFIG…* command), answered. */
  readonly registriesMs: number;
  readonly peakRssBytes: number | undefined;
}

/**
 * A fresh server on `workspace`, its pipeline opened at once, as VS Code does for a file
 * left open in the window (the workspace scan then comes before its diagnostics), then
 * the registries of the workspace asked for.
 */
async function workspaceSession(server: ServerCommand, workspace: Workspace, text: string, options: { env?: NodeJS.ProcessEnv; idleMs?: number } = {}): Promise<WorkspaceSessionResult> {
  const uri = pathToFileURL(join(workspace.dir, '.gitlab-ci.yml')).href;
  const { client, start } = await spawnAndInitialize(server, workspace, DEFAULT_CLIENT_CAPABILITIES, options.env);
  try {
    const waiting = client.waitForDiagnostics(uri, { version: 1, timeoutMs: TIMEOUTS.diagnosticsMs });
    client.didOpen(uri, 'yaml', text, 1);
    await waiting;
    const firstDiagnosticsMs = performance.now() - start;
    // Idle, the server warms up, and then makes its code cache again (server/src/codeCache.ts).
    if (options.idleMs) await new Promise((resolve) => setTimeout(resolve, options.idleMs));
    const asked = performance.now();
    await client.request('pullguard/workspaceRegistries', {});
    const registriesMs = performance.now() - asked;
    const peakRssBytes = client.peakMemoryBytes();
    await stopServer(client);
    return { firstDiagnosticsMs, registriesMs, peakRssBytes };
  } finally {
    client.kill();
  }
}

/** `node cli.js <folder> --format json`, timed: the CLI over the whole workspace, as a CI job runs it. */
function timeCli(cliPath: string, folder: string): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, [cliPath, folder, '--format', 'json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: TIMEOUTS.diagnosticsMs });
  const ms = performance.now() - start;
  // 0: no problem, 1: problems found (the pipeline has some); anything else is a failure.
  if (run.status !== 0 && run.status !== 1) throw new Error(`the CLI exited with ${run.status ?? run.signal}: ${run.stderr.slice(-500)}`);
  return ms;
}

interface WorkspaceResult {
  kind: 'workspace';
  name: string;
  packages: number;
  /** Files and bytes of the monorepo besides the pipeline. */
  files: number;
  bytes: number;
  sessions: number;
  /** In the monorepo, and (`alone`) in a folder holding only the pipeline: the baseline, measured in the same run. */
  firstDiagnosticsMs?: Stats;
  aloneFirstDiagnosticsMs?: Stats;
  /** Median first diagnostics in the monorepo over the median alone. */
  firstDiagnosticsToAlone?: number;
  /**
   * Alone, with NODE_COMPILE_CACHE set as the client sets it, the cache made by a server
   * that warmed up before (the user's second start): the measured servers only read it.
   */
  aloneCachedFirstDiagnosticsMs?: Stats;
  registriesMs?: Stats;
  aloneRegistriesMs?: Stats;
  peakRssMiB?: number;
  alonePeakRssMiB?: number;
  cliMs?: Stats;
  aloneCliMs?: Stats;
  error?: string;
}

/**
 * A pipeline in a monorepo of `packages` packages against the same pipeline alone, with
 * fresh servers and CLI runs interleaved: what the workspace's other files cost.
 */
async function runWorkspaceCase(server: ServerCommand, scratch: string, plan: Plan, packages: number): Promise<WorkspaceResult> {
  const text = generatePipeline({ jobs: WORKSPACE_PIPELINE_JOBS, anchors: false, seed: 1 });
  const files = generateMonorepoFiles(packages);
  const result: WorkspaceResult = {
    kind: 'workspace',
    name: `workspace ${packages} packages`,
    packages,
    files: files.size,
    bytes: [...files.values()].reduce((sum, content) => sum + Buffer.byteLength(content), 0),
    sessions: 0,
  };
  const monorepo = makeWorkspace(scratch, `monorepo-${packages}`);
  const alone = makeWorkspace(scratch, `alone-${packages}`);
  for (const [path, content] of files) {
    mkdirSync(dirname(join(monorepo.dir, path)), { recursive: true });
    writeFileSync(join(monorepo.dir, path), content);
  }
  for (const workspace of [monorepo, alone]) writeFileSync(join(workspace.dir, '.gitlab-ci.yml'), text);
  const cliPath = join(dirname(server.path), 'cli.js');
  const measured = { monorepo: [] as WorkspaceSessionResult[], alone: [] as WorkspaceSessionResult[], cached: [] as WorkspaceSessionResult[] };
  const cli = { monorepo: [] as number[], alone: [] as number[] };
  const cachedEnv = { ...process.env, NODE_COMPILE_CACHE: join(scratch, `compile-cache-${packages}`) };
  try {
    // The cache the cached sessions read: made by a server left to warm up.
    await workspaceSession(server, alone, text, { env: cachedEnv, idleMs: CODE_CACHE_WARM_UP_MS });
    for (let i = 0; i < plan.workspaceSessions; i++) {
      // Alternated, so all see the same load on the machine.
      const order: Array<'monorepo' | 'alone' | 'cached'> = i % 2 === 0 ? ['monorepo', 'alone', 'cached'] : ['cached', 'alone', 'monorepo'];
      for (const key of order) {
        if (key === 'cached') {
          measured.cached.push(await workspaceSession(server, alone, text, { env: cachedEnv }));
          continue;
        }
        const workspace = key === 'monorepo' ? monorepo : alone;
        measured[key].push(await workspaceSession(server, workspace, text));
        if (existsSync(cliPath)) cli[key].push(timeCli(cliPath, workspace.dir));
      }
    }
  } catch (error) {
    result.error = errorMessage(error);
  }
  result.sessions = measured.monorepo.length;
  result.firstDiagnosticsMs = summarize(measured.monorepo.map((s) => s.firstDiagnosticsMs));
  result.aloneFirstDiagnosticsMs = summarize(measured.alone.map((s) => s.firstDiagnosticsMs));
  result.firstDiagnosticsToAlone = openToFloor(result.firstDiagnosticsMs, result.aloneFirstDiagnosticsMs);
  result.aloneCachedFirstDiagnosticsMs = summarize(measured.cached.map((s) => s.firstDiagnosticsMs));
  result.registriesMs = summarize(measured.monorepo.map((s) => s.registriesMs));
  result.aloneRegistriesMs = summarize(measured.alone.map((s) => s.registriesMs));
  result.peakRssMiB = peakMiB(measured.monorepo);
  result.alonePeakRssMiB = peakMiB(measured.alone);
  result.cliMs = summarize(cli.monorepo);
  result.aloneCliMs = summarize(cli.alone);
  return result;
}

function printWorkspaceTable(results: readonly WorkspaceResult[]): void {
  if (results.length === 0) return;
  const header = ['workspace', 'files', 'size', 'sessions', 'first diags', 'alone', 'ratio', 'alone, cached', 'registries', 'alone', 'peak RSS', 'alone', 'CLI', 'alone'];
  const rows = results.map((r) => [
    r.name,
    String(r.files),
    formatBytes(r.bytes),
    String(r.sessions),
    formatMs(r.firstDiagnosticsMs),
    formatMs(r.aloneFirstDiagnosticsMs),
    formatRatio(r.firstDiagnosticsToAlone),
    formatMs(r.aloneCachedFirstDiagnosticsMs),
    formatMs(r.registriesMs),
    formatMs(r.aloneRegistriesMs),
    r.peakRssMiB === undefined ? '-' : `${r.peakRssMiB} MiB`,
    r.alonePeakRssMiB === undefined ? '-' : `${r.alonePeakRssMiB} MiB`,
    formatMs(r.cliMs),
    formatMs(r.aloneCliMs),
  ]);
  console.log(`
A ${WORKSPACE_PIPELINE_JOBS}-job pipeline in a generated monorepo, and alone in its folder (times in ms as median / p95; first diags: spawn → diagnostics, the file opened at once; cached: with the code cache a warmed-up server made, as on a second start; registries: the first pullguard/workspaceRegistries; CLI: \`cli.js <folder> --format json\`).`);
  printMarkdownTable(header, rows);
  for (const r of results) if (r.error) console.log(`
FAILED ${r.name}: ${r.error}`);
}

interface BundleSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** The bundles built with the server measured (client, server, CLI side by side). */
function bundleSizes(serverPath: string): BundleSize[] {
  const sizes: BundleSize[] = [];
  for (const name of ['client.js', 'server.js', 'serverProtocol.js', 'serverCore.js', 'cli.js']) {
    const path = join(dirname(serverPath), name);
    if (!existsSync(path)) continue;
    const file = path.startsWith(ROOT) ? relative(ROOT, path) : path;
    sizes.push({ file, bytes: statSync(path).size, gzipBytes: gzipSync(readFileSync(path)).length });
  }
  return sizes;
}

// ---------------------------------------------------------------------------
// Table

function formatMs(stats: Stats | undefined): string {
  if (!stats) return '-';
  const one = (value: number): string => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
  return `${one(stats.median)} / ${one(stats.p95)}`;
}

/** A ratio to the floor as the table shows it: `1.23×`, or `-` when not measured. */
function formatRatio(ratio: number | undefined): string {
  return ratio === undefined ? '-' : `${ratio.toFixed(2)}×`;
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** A Markdown table, its columns padded: the first one left-aligned, the figures right-aligned. */
function printMarkdownTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const render = (cells: readonly string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(render(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 1) + '-' : '-'.repeat(w + 1) + ':')).join('|')}|`);
  for (const row of rows) console.log(render(row));
}

function printTable(results: readonly CaseResult[]): void {
  const header = ['case', 'size', 'sessions', 'start', 'node start', 'ready', 'open→diag', 'idle open', 'reopen', 'edits', 'edit→diag', 'edit after pause', 'edit, pulled', 'edit CPU', 'hover', 'codeAction', 'parse floor', 'open/floor', 'idle/floor', 'reopen/floor', 'peak RSS', 'diags'];
  const rows = results.map((r) => [
    r.name,
    formatBytes(r.bytes),
    String(r.sessions),
    formatMs(r.startupMs),
    formatMs(r.nodeStartMs),
    formatMs(r.readyMs),
    formatMs(r.openMs),
    formatMs(r.idleOpenMs),
    formatMs(r.reopenMs),
    r.editMs ? String(r.editMs.n) : '-',
    formatMs(r.editMs),
    formatMs(r.pausedEditMs),
    formatMs(r.pulledEditMs),
    r.editCpuMs === undefined ? '-' : r.editCpuMs.toFixed(1),
    formatMs(r.hoverMs),
    formatMs(r.codeActionMs),
    formatMs(r.parseFloorMs),
    formatRatio(r.openToFloor),
    formatRatio(r.idleOpenToFloor),
    formatRatio(r.reopenToFloor),
    r.peakRssMiB === undefined ? '-' : `${r.peakRssMiB} MiB`,
    r.diagnostics === undefined ? '-' : String(r.diagnostics),
  ]);
  console.log('\nTimes in ms as median / p95.');
  printMarkdownTable(header, rows);
  const unsupported = [...new Set(results.flatMap((r) => r.unsupported ?? []))];
  if (unsupported.length > 0) console.log(`\nNot measured (the server does not advertise them): ${unsupported.join(', ')}.`);
  for (const r of results) if (r.error) console.log(`\nFAILED ${r.name}: ${r.error}`);
}

/**
 * Each pipeline session's edits in the order they were made, one row per session, and
 * the medians of edits 1–2, 3–8 and 9–20: which edits of a session are slow (the first
 * ones: before V8 has optimized the code, and at the top of the file, where the most of
 * the analysis moves; one after a full collection).
 */
function printTimeline(results: readonly CaseResult[]): void {
  for (const r of results) {
    for (const [title, rows] of [['edit → diagnostics', r.editMsBySession ?? []], ['edit after pause → diagnostics', r.pausedEditMsBySession ?? []], ['edit → pulled diagnostics', r.pulledEditMsBySession ?? []]] as const) {
      if (rows.length === 0) continue;
      console.log(`\n${r.name}: ${title} in ms, in order, one row per session`);
      for (const row of rows) console.log(row.map((ms) => ms.toFixed(0).padStart(5)).join(''));
      for (const [label, from, to] of [['edits 1-2', 0, 2], ['edits 3-8', 2, 8], ['edits 9-20', 8, EDITS]] as const) {
        const stats = summarize(rows.flatMap((row) => row.slice(from, to)));
        if (stats) console.log(`${label.padEnd(11)} median ${stats.median.toFixed(0)} ms, p95 ${stats.p95.toFixed(0)} ms (n = ${stats.n})`);
      }
    }
  }
}

// ---------------------------------------------------------------------------

interface Options {
  readonly quick: boolean;
  readonly serverPath: string;
  /** Node's options for the server (and for the Node start-up floor). */
  readonly nodeOptions: readonly string[];
  readonly sizes: number[] | undefined;
  /** Only these workspace cases (packages of the monorepo), and no other case. */
  readonly workspaces: number[] | undefined;
  /** Fresh server sessions per pipeline case, each making all its edits, instead of the plan's. */
  readonly sessions: number | undefined;
  readonly timeline: boolean;
}

const USAGE = "Usage: node --import tsx bench/bench.ts [--quick] [--sizes 50,500,5000] [--workspaces 100,400] [--sessions N] [--timeline] [--server path/to/server.js] [--node-options '--opt ...']";

/** A flag's list of counts (`500,5000`); a usage error ends the run. */
function parseCounts(flag: string, value: string, what: string, example: string): number[] {
  const counts = value.split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 0)) {
    console.error(`${flag} takes ${what} separated by commas, e.g. ${flag} ${example} (got ${value}).`);
    process.exit(2);
  }
  return counts;
}

function parseArgs(argv: readonly string[]): Options {
  let quick = false;
  let serverPath = join(ROOT, 'dist', 'server.js');
  // As the VS Code client starts the server; --node-options '' for Node's defaults.
  let nodeOptions: readonly string[] = serverNodeOptions();
  let sizes: number[] | undefined;
  let workspaces: number[] | undefined;
  let sessions: number | undefined;
  let timeline = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--timeline') timeline = true;
    else if (arg === '--sizes' && argv[i + 1]) sizes = parseCounts(arg, argv[++i]!, 'job counts', '500,5000');
    else if (arg === '--workspaces' && argv[i + 1]) workspaces = parseCounts(arg, argv[++i]!, 'package counts', '100,400');
    else if (arg === '--sessions' && argv[i + 1]) {
      sessions = Number(argv[++i]);
      if (!Number.isInteger(sessions) || sessions < 1) {
        console.error(`--sessions takes a number of fresh servers per pipeline case, e.g. --sessions 4 (got ${argv[i]}).`);
        process.exit(2);
      }
    }
    else if (arg === '--server' && argv[i + 1]) serverPath = resolve(argv[++i]!); // the server runs in each case's own folder
    else if (arg === '--node-options' && argv[i + 1] !== undefined) nodeOptions = argv[++i]!.split(' ').filter(Boolean);
    else {
      console.error(`Unknown argument ${arg}. ${USAGE}`);
      process.exit(2);
    }
  }
  return { quick, serverPath, nodeOptions, sizes, workspaces, sessions, timeline };
}

async function main(): Promise<number> {
  const { quick, serverPath, nodeOptions, sizes, workspaces: onlyWorkspaces, sessions, timeline } = parseArgs(process.argv.slice(2));
  if (!existsSync(serverPath)) {
    console.error(`Server not found at ${relative(process.cwd(), serverPath) || serverPath}. Build it first: node scripts/build.mjs`);
    return 1;
  }
  // --sizes and --workspaces each select cases: only the pipeline sizes and the workspace
  // cases named run (both when both are given), and no config files.
  // --sessions runs that many sessions whatever they take, each with all its edits.
  const server: ServerCommand = { path: serverPath, nodeOptions };
  const selected = sizes !== undefined || onlyWorkspaces !== undefined;
  const plan: Plan = {
    ...(quick ? QUICK_PLAN : FULL_PLAN),
    ...(selected ? { sizes: sizes ?? [], workspacePackages: onlyWorkspaces ?? [] } : {}),
    ...(sessions ? { sessions: () => sessions, caseBudgetMs: Infinity } : {}),
  };
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, '');
  const scratch = mkdtempSync(join(tmpdir(), 'pullguard-bench-'));
  const runStart = performance.now();

  emit({
    kind: 'meta',
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    // Other work on the machine skews every figure: keep the load next to them.
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
    quick,
    server: serverPath.startsWith(ROOT) ? relative(ROOT, serverPath) : serverPath,
    serverNodeOptions: nodeOptions,
  });

  const results: CaseResult[] = [];
  const workspaces: WorkspaceResult[] = [];
  warmUpFloorParser();
  try {
    for (const jobs of plan.sizes) {
      for (const anchors of [false, true]) {
        process.stderr.write(`… gitlab-ci ${jobs} jobs, anchors ${anchors ? 'on' : 'off'}\n`);
        const result = await runPipelineCase(server, scratch, plan, jobs, anchors);
        results.push(result);
        emit(result);
      }
    }
    for (const kind of selected ? [] : (['runner-config', 'docker-config'] as const)) {
      process.stderr.write(`… ${kind}\n`);
      const result = await runConfigCase(server, scratch, plan, kind);
      results.push(result);
      emit(result);
    }
    for (const packages of plan.workspacePackages) {
      process.stderr.write(`… workspace of ${packages} packages\n`);
      const result = await runWorkspaceCase(server, scratch, plan, packages);
      workspaces.push(result);
      emit(result);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  const bundles = bundleSizes(serverPath);
  emit({ kind: 'bundles', files: bundles });
  printTable(results);
  printWorkspaceTable(workspaces);
  console.log(`Server started as: node ${[...nodeOptions, relative(process.cwd(), serverPath) || serverPath].join(' ')} --stdio`);
  if (timeline) printTimeline(results);
  if (bundles.length > 0) {
    console.log('\nBundles: ' + bundles.map((b) => `${b.file} ${formatBytes(b.bytes)} (gzip ${formatBytes(b.gzipBytes)})`).join(', '));
  }
  const totalSeconds = (performance.now() - runStart) / 1000;
  const load = loadavg().map((value) => Math.round(value * 100) / 100);
  emit({ kind: 'total', seconds: Math.round(totalSeconds * 10) / 10, loadAverage: load });
  console.log(`\nTotal ${totalSeconds.toFixed(1)} s on ${cpus().length} CPUs, load average ${load.join(' ')}. JSON lines in ${relative(process.cwd(), RESULTS_FILE)}.`);
  return [...results, ...workspaces].some((r) => r.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`Benchmark failed: ${errorMessage(error)}`);
    process.exit(1);
  },
);
