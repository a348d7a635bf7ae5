/**
 * Drives the real, bundled language server (`dist/server.js --stdio`) for the LSP
 * suite: a thin layer over the benchmark's stdio client (`bench/lspClient.ts`) that
 *
 * - advertises push or pull diagnostics, with or without `workspace/configuration`;
 * - answers `workspace/configuration` per request with the settings current at that
 *   moment (optionally late), `workspace/diagnostic/refresh`, `client/registerCapability`
 *   and `window/showMessageRequest` (dismissed, or an error), recording each;
 * - records every `publishDiagnostics`, `window/showMessage` and `window/logMessage`
 *   in arrival order, so a test can wait for "the next one after this point";
 * - mirrors each open document (applying ranged changes itself) so expected
 *   positions are computed from the text the server holds.
 *
 * Every wait is bounded and fails with what was seen instead, plus the server's stderr.
 */
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before } from 'node:test';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type {
  ClientCapabilities,
  ConfigurationParams,
  Diagnostic,
  DocumentDiagnosticReport,
  Hover,
  InitializeResult,
  LogMessageParams,
  Position,
  PublishDiagnosticsParams,
  Range,
  Registration,
  RegistrationParams,
  ShowMessageParams,
  ShowMessageRequestParams,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver';
import { DEFAULT_CLIENT_CAPABILITIES, LspClient, PULL_CLIENT_CAPABILITIES } from '../../bench/lspClient';
import { ensureBuilt } from '../helpers/build';

export const REPO_ROOT = resolve(__dirname, '../..');
/**
 * The bundle under test. `PULLGUARD_LSP_SERVER` points the suite at another build (for
 * example a deliberately broken copy, to see the tests fail); it is then not rebuilt.
 */
export const SERVER_PATH = process.env.PULLGUARD_LSP_SERVER ? resolve(process.env.PULLGUARD_LSP_SERVER) : join(REPO_ROOT, 'dist/server.js');
/** The default bound of every wait, in ms. */
export const TIMEOUT_MS = 10_000;

// ---- Build --------------------------------------------------------------------------

/** Builds `dist/` when it is missing or older than `server/src` (unless another build is under test). */
export function ensureServerBuilt(): void {
  if (process.env.PULLGUARD_LSP_SERVER) return;
  ensureBuilt('dist/server.js');
}

export class TempWorkspace {
  readonly root: string;

  constructor(prefix = 'pullguard-lsp-') {
    this.root = mkdtempSync(join(tmpdir(), prefix));
  }

  /** A fresh sub-folder, so tests of one file do not see each other's files on disk. */
  folder(name: string): string {
    const path = join(this.root, name);
    mkdirSync(path, { recursive: true });
    return path;
  }

  private created = 0;

  /** A fresh, numbered sub-folder: `p1`, `p2`, ... */
  next(stem = 'p'): string {
    return this.folder(`${stem}${++this.created}`);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * The temporary folder of one LSP test file, with the hooks every such file needs: the
 * server bundle built before its tests; every session stopped and the folder removed after.
 */
export function useTempWorkspace(prefix: string): TempWorkspace {
  const workspace = new TempWorkspace(prefix);
  before(() => ensureServerBuilt());
  after(async () => {
    await stopAllSessions();
    workspace.remove();
  });
  return workspace;
}

/** Writes `text` to `path`, creating its folders. */
export function writeTextFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export function uriOf(path: string): string {
  return pathToFileURL(path).href;
}

// ---- Positions -----------------------------------------------------------------------

/**
 * The LSP position of a UTF-16 offset, counted here independently of the server's
 * libraries: lines end at `\r\n`, `\n` or `\r`; characters are UTF-16 code units.
 */
export function positionAt(text: string, offset: number): Position {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 13 /* \r */ && text.charCodeAt(i + 1) === 10) {
      if (i + 1 >= offset) break; // between the \r and the \n of one break: still this line
      i++;
      line++;
      lineStart = i + 1;
    } else if (ch === 13 || ch === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

/**
 * The range of the first `needle` in `text`, or the first one after the end of the
 * first `after` (to pick among repeats). Throws when the fixture lacks either.
 */
export function rangeOf(text: string, needle: string, after?: string): Range {
  let from = 0;
  if (after !== undefined) {
    const anchor = text.indexOf(after);
    if (anchor === -1) throw new Error(`fixture has no ${JSON.stringify(after)}`);
    from = anchor + after.length;
  }
  const start = text.indexOf(needle, from);
  if (start === -1) throw new Error(`fixture has no ${JSON.stringify(needle)}${after ? ` after ${JSON.stringify(after)}` : ''}`);
  return { start: positionAt(text, start), end: positionAt(text, start + needle.length) };
}

/** A position inside `needle` (its middle), for hovers. */
export function positionIn(text: string, needle: string, after?: string): Position {
  const { start } = rangeOf(text, needle, after);
  return { line: start.line, character: start.character + Math.floor(needle.length / 2) };
}

// ---- Diagnostics -----------------------------------------------------------------------

export const Severity = { Error: 1, Warning: 2, Information: 3, Hint: 4 } as const;

/** What the tests compare: everything but the message text. */
export interface DiagnosticSummary {
  readonly code: string;
  readonly range: Range;
  readonly severity: number | undefined;
  readonly source: string | undefined;
  readonly href: string | undefined;
}

export const RULE_DOCS_BASE = 'https://github.com/pullguard/pullguard/blob/main/docs/rules/';

export function expected(code: string, range: Range, severity: number): DiagnosticSummary {
  return { code, range, severity, source: 'pullguard', href: `${RULE_DOCS_BASE}${code}.md` };
}

function compareSummaries(a: DiagnosticSummary, b: DiagnosticSummary): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code);
}

/** Diagnostics as sorted summaries; checks on the way that each href ends in `docs/rules/<code>.md`. */
export function summarize(diagnostics: readonly Diagnostic[]): DiagnosticSummary[] {
  return diagnostics
    .map((d) => ({ code: String(d.code), range: d.range, severity: d.severity, source: d.source, href: d.codeDescription?.href }))
    .sort(compareSummaries);
}

export function sortSummaries(list: readonly DiagnosticSummary[]): DiagnosticSummary[] {
  return [...list].sort(compareSummaries);
}

/** A diagnostic's message as text (LSP 3.18 also allows markup). */
export function messageText(diagnostic: Diagnostic): string {
  return typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
}

export function codesOf(diagnostics: readonly Diagnostic[]): string[] {
  return summarize(diagnostics).map((d) => d.code);
}

/** A diagnostic as one line, its message included: for comparing two lists in full. */
export function diagnosticLine(d: Diagnostic): string {
  return `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity} ${d.code}: ${messageText(d)}`;
}

function describeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  if (diagnostics.length === 0) return '(none)';
  return diagnostics
    .map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} severity ${d.severity}`)
    .join('; ');
}

export function describePublish(published: PublishDiagnosticsParams | undefined): string {
  return published ? `version ${published.version ?? '(none)'}: ${describeDiagnostics(published.diagnostics)}` : '(nothing published)';
}

// ---- Sessions ----------------------------------------------------------------------------

export interface SessionOptions {
  /** Workspace folder path (sent as the only workspace folder, and as `rootUri`). */
  readonly root?: string;
  /** Send the folder only as the legacy `rootUri`, with `workspaceFolders: null`. */
  readonly rootUriOnly?: boolean;
  /** Workspace folders sent before `root`'s, as URIs (a folder on a network share, say). */
  readonly otherFolderUris?: readonly string[];
  /** Advertise `textDocument.diagnostic`, so the server answers pulls instead of pushing. */
  readonly pull?: boolean;
  /** Advertise `workspace.configuration` (default true). */
  readonly configuration?: boolean;
  /** With `pull`, advertise `workspace.diagnostics.refreshSupport` (default true). */
  readonly refreshSupport?: boolean;
  /** The `pullguard` section answered to `workspace/configuration`. */
  readonly settings?: unknown;
  readonly initializationOptions?: unknown;
  /** Fields of the `initialize` params sent instead of those built from the options above (a malformed request). */
  readonly initializeParamsOverride?: Readonly<Record<string, unknown>>;
  /** Environment variables set for the server, beside this process's. */
  readonly env?: Readonly<Record<string, string>>;
}


function withoutConfiguration(capabilities: ClientCapabilities): ClientCapabilities {
  const { configuration: _configuration, ...workspace } = capabilities.workspace ?? {};
  return { ...capabilities, workspace };
}

export interface ShownMessage extends ShowMessageParams {
  readonly via: 'notification' | 'request';
}

const live = new Set<Session>();

export class Session {
  /** The `pullguard` section answered to the next `workspace/configuration` requests. */
  settings: unknown;
  /** When set, the `pullguard` section answered for a request's `scopeUri` instead of `settings` (settings per folder or file). */
  settingsForScope: ((scopeUri: string | undefined) => unknown) | undefined;
  /** Every `textDocument/publishDiagnostics`, in arrival order. */
  readonly published: PublishDiagnosticsParams[] = [];
  /**
   * Messages for the user: `window/showMessage` notifications and `window/showMessageRequest`
   * requests alike, marked with how they came.
   */
  readonly shownMessages: ShownMessage[] = [];
  /** How `window/showMessageRequest` is answered: dismissed (null), or with an error as by a client without it. */
  showMessageRequestAnswer: 'dismiss' | 'error' = 'dismiss';
  readonly logMessages: LogMessageParams[] = [];
  readonly configurationRequests: ConfigurationParams[] = [];
  /** Capabilities the server registered dynamically (`client/registerCapability`). */
  readonly registrations: Registration[] = [];
  refreshRequests = 0;
  /** How `workspace/diagnostic/refresh` is answered: accepted, or with an error (as by an editor that refuses it). */
  refreshAnswer: 'accept' | 'error' = 'accept';
  initializeResult: InitializeResult | undefined;
  /** Set to delay answers to `workspace/configuration` (ms). */
  configurationDelayMs = 0;

  private readonly events = new EventEmitter();
  private readonly documents = new Map<string, TextDocument>();

  private constructor(readonly client: LspClient, options: SessionOptions) {
    this.settings = options.settings ?? {};
    this.events.setMaxListeners(100);
    client.onNotification('textDocument/publishDiagnostics', (params) => this.record(this.published, params as PublishDiagnosticsParams));
    client.onNotification('window/showMessage', (params) => this.record(this.shownMessages, { ...(params as ShowMessageParams), via: 'notification' }));
    client.onRequest('window/showMessageRequest', (params) => {
      this.record(this.shownMessages, { ...(params as ShowMessageRequestParams), via: 'request' });
      if (this.showMessageRequestAnswer === 'error') throw new Error('window/showMessageRequest is not supported by this client');
      return null;
    });
    client.onNotification('window/logMessage', (params) => this.record(this.logMessages, params as LogMessageParams));
    client.onRequest('workspace/configuration', async (params) => {
      const request = params as ConfigurationParams;
      const answer = request.items.map((item) => (item.section !== 'pullguard' ? null : this.settingsForScope ? this.settingsForScope(item.scopeUri) : this.settings));
      this.record(this.configurationRequests, request);
      if (this.configurationDelayMs > 0) await new Promise((r) => setTimeout(r, this.configurationDelayMs));
      return answer;
    });
    client.onRequest('client/registerCapability', (params) => {
      for (const registration of (params as RegistrationParams).registrations) this.record(this.registrations, registration);
      return null;
    });
    client.onRequest('workspace/diagnostic/refresh', () => {
      this.refreshRequests++;
      this.events.emit('event');
      if (this.refreshAnswer === 'error') throw new Error('the refresh was refused');
      return null;
    });
  }

  /** Starts the server, sends `initialize` (with the options' capabilities) and `initialized`. */
  static async start(options: SessionOptions = {}): Promise<Session> {
    const client = LspClient.start(SERVER_PATH, ['--stdio'], { cwd: REPO_ROOT, timeoutMs: TIMEOUT_MS, ...(options.env ? { env: { ...process.env, ...options.env } } : {}) });
    const session = new Session(client, options);
    live.add(session);
    let capabilities = options.pull ? PULL_CLIENT_CAPABILITIES : DEFAULT_CLIENT_CAPABILITIES;
    if (options.configuration === false) capabilities = withoutConfiguration(capabilities);
    if (options.refreshSupport === false) capabilities = { ...capabilities, workspace: { ...capabilities.workspace, diagnostics: { refreshSupport: false } } };
    const others = (options.otherFolderUris ?? []).map((uri, i) => ({ uri, name: `other-${i}` }));
    const folders = options.root && !options.rootUriOnly ? [...others, { uri: uriOf(options.root), name: 'workspace' }] : null;
    session.initializeResult = await client.initialize({
      capabilities,
      rootUri: options.root ? uriOf(options.root) : null,
      workspaceFolders: folders,
      ...(options.initializationOptions === undefined ? {} : { initializationOptions: options.initializationOptions }),
      ...options.initializeParamsOverride,
    });
    return session;
  }

  // -- documents

  open(uri: string, text: string, languageId = 'yaml'): number {
    this.documents.set(uri, TextDocument.create(uri, languageId, 1, text));
    this.client.didOpen(uri, languageId, text, 1);
    return 1;
  }

  /** Sends the changes with the next version and applies them to the mirror; returns the version. */
  change(uri: string, changes: TextDocumentContentChangeEvent[]): number {
    const document = this.documents.get(uri);
    if (!document) throw new Error(`${uri} is not open`);
    const version = document.version + 1;
    // Each change on a fresh copy: after a range past the last line, the library's own update
    // keeps a wrong table of line starts (server/src/editorDocuments.ts), and the mirror would
    // then place the next changes wrongly.
    let text = document.getText();
    for (const change of changes) text = TextDocument.update(TextDocument.create(uri, document.languageId, 0, text), [change], 1).getText();
    this.documents.set(uri, TextDocument.create(uri, document.languageId, version, text));
    this.client.didChange(uri, version, changes);
    return version;
  }

  /** One ranged change replacing the first occurrence of `from` (after `after`) with `to`. */
  replace(uri: string, from: string, to: string, after?: string): number {
    return this.change(uri, [{ range: rangeOf(this.text(uri), from, after), text: to }]);
  }

  close(uri: string): void {
    this.documents.delete(uri);
    this.client.didClose(uri);
  }

  /** The text the server should hold for `uri`. */
  text(uri: string): string {
    const document = this.documents.get(uri);
    if (!document) throw new Error(`${uri} is not open`);
    return document.getText();
  }

  version(uri: string): number {
    const document = this.documents.get(uri);
    if (!document) throw new Error(`${uri} is not open`);
    return document.version;
  }

  // -- waiting

  /** A point in the publish log: waits `after` it ignore what came before. */
  mark(): number {
    return this.published.length;
  }

  /**
   * The first diagnostics published for `uri` after `after` (a `mark()`), of `version`
   * when given and satisfying `where` when given.
   */
  waitForDiagnostics(
    uri: string,
    options: { after?: number; version?: number; where?: (p: PublishDiagnosticsParams) => boolean; timeoutMs?: number; what?: string } = {},
  ): Promise<PublishDiagnosticsParams> {
    const { after = 0, version, where, timeoutMs = TIMEOUT_MS } = options;
    const find = () => this.published.slice(after).find((p) => p.uri === uri && (version === undefined || p.version === version) && (!where || where(p)));
    const what = options.what ?? `diagnostics for ${uri}${version === undefined ? '' : ` version ${version}`}`;
    return this.waitUntil(find, what, timeoutMs, () => `last published for it: ${describePublish(this.lastPublished(uri))}`);
  }

  /** The diagnostics the server publishes for the document's current version. */
  waitForCurrent(uri: string, options: { after?: number; timeoutMs?: number } = {}): Promise<PublishDiagnosticsParams> {
    return this.waitForDiagnostics(uri, { ...options, version: this.version(uri) });
  }

  /**
   * Runs `action` and waits until `uri` is published with `want` (after `filter`): a wait
   * for a state rather than the next publish, since a change elsewhere in the workspace may
   * re-publish the document once more with what it already had.
   */
  async expectRepublished(
    uri: string,
    action: () => void,
    want: readonly DiagnosticSummary[],
    why: string,
    options: { filter?: (found: DiagnosticSummary[]) => DiagnosticSummary[]; timeoutMs?: number } = {},
  ): Promise<void> {
    const filter = options.filter ?? ((found) => found);
    const mark = this.mark();
    action();
    const wanted = JSON.stringify(want);
    await this.waitForDiagnostics(uri, {
      after: mark,
      where: (published) => JSON.stringify(filter(summarize(published.diagnostics))) === wanted,
      timeoutMs: options.timeoutMs,
      what: `${uri} re-published after ${why} with ${want.map((d) => d.code).join(', ') || 'no diagnostics'}`,
    });
  }

  lastPublished(uri: string): PublishDiagnosticsParams | undefined {
    return this.published.filter((p) => p.uri === uri).at(-1);
  }

  publishedFor(uri: string, after = 0): PublishDiagnosticsParams[] {
    return this.published.slice(after).filter((p) => p.uri === uri);
  }

  waitForShownMessage(where: (m: ShownMessage) => boolean, what: string, after = 0, timeoutMs = TIMEOUT_MS): Promise<ShownMessage> {
    return this.waitUntil(() => this.shownMessages.slice(after).find(where), what, timeoutMs,
      () => `messages shown: ${JSON.stringify(this.shownMessages.map((m) => m.message))}`);
  }

  /** Resolves once the server has asked for a refresh more than `seen` times. */
  waitForRefresh(seen: number, timeoutMs = TIMEOUT_MS): Promise<number> {
    return this.waitUntil(() => (this.refreshRequests > seen ? this.refreshRequests : undefined), 'a workspace/diagnostic/refresh request', timeoutMs,
      () => `refresh requests so far: ${this.refreshRequests}`);
  }

  /** Lets `ms` pass (to show that something does NOT happen). */
  quiet(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  // -- requests

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
  }

  /** `textDocument/diagnostic`, naming the result id of the report the client has, if any. */
  pull(uri: string, timeoutMs = TIMEOUT_MS, previousResultId?: string): Promise<DocumentDiagnosticReport> {
    return this.client.request<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri }, ...(previousResultId === undefined ? {} : { previousResultId }) }, timeoutMs);
  }

  /** Sets what `workspace/configuration` answers and sends `didChangeConfiguration` the way VS Code does. */
  changeSettings(settings: unknown): void {
    this.settings = settings;
    this.client.notify('workspace/didChangeConfiguration', { settings: { pullguard: settings } });
  }

  stderr(): string {
    return this.client.stderrText();
  }

  /** Log messages of type Error (the server's `connection.console.error`). */
  errorLogs(): string[] {
    return this.logMessages.filter((m) => m.type === 1).map((m) => m.message);
  }

  /** `shutdown` + `exit`; resolves with the exit code (killed after the timeout). */
  async stop(): Promise<number | null> {
    live.delete(this);
    return this.client.shutdown(TIMEOUT_MS);
  }

  kill(): void {
    live.delete(this);
    this.client.kill();
  }

  private record<T>(list: T[], item: T): void {
    list.push(item);
    this.events.emit('event');
  }

  /** Whether the server process is still running. */
  isAlive(): boolean {
    const pid = this.client.pid;
    if (pid === undefined) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Resolves with `find()`'s first defined value, checked now and after each message
   * from the server; rejects after `timeoutMs`, or as soon as the server process is gone.
   */
  waitUntil<T>(find: () => T | undefined, what: string, timeoutMs = TIMEOUT_MS, seen: () => string = () => 'it never came'): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolvePromise, reject) => {
      const fail = (why: string) => {
        cleanup();
        const stderr = this.stderr().trim().split('\n').slice(-15).join('\n');
        reject(new Error(`${why} waiting for ${what}; ${seen()}${stderr ? `\nserver stderr:\n${stderr}` : ''}`));
      };
      const onEvent = () => {
        const value = find();
        if (value === undefined) return;
        cleanup();
        resolvePromise(value);
      };
      const timer = setTimeout(() => fail(`Timed out after ${timeoutMs} ms`), timeoutMs);
      const watchdog = setInterval(() => {
        if (!this.isAlive()) fail('The server process exited');
      }, 100);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(watchdog);
        this.events.off('event', onEvent);
      };
      this.events.on('event', onEvent);
    });
  }
}

/** Kills every session a test left running (for `after` hooks). */
export async function stopAllSessions(): Promise<void> {
  await Promise.all([...live].map((session) => session.stop().catch(() => session.kill())));
}

/** Rejects after `ms` with `message`, for racing a promise that might never settle. */
export function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (no result within ${ms} ms)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
