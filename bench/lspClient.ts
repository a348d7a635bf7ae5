/**
 * A minimal LSP client over stdio (JSON-RPC 2.0 with Content-Length framing) for
 * driving a real server process from the benchmark and from tests.
 *
 * The client advertises push diagnostics only (no `textDocument.diagnostic`), so the
 * server must send `textDocument/publishDiagnostics`; `waitForDiagnostics` waits for
 * them. Every wait is bounded by a timeout and fails with the server's stderr tail.
 *
 *   const client = LspClient.start('dist/server.js', ['--stdio']);
 *   await client.initialize();
 *   const published = client.waitForDiagnostics(uri);   // register before sending
 *   client.didOpen(uri, 'yaml', text);
 *   const { diagnostics } = await published;
 *   await client.shutdown();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type {
  ClientCapabilities,
  ConfigurationItem,
  InitializeParams,
  InitializeResult,
  PublishDiagnosticsParams,
  ServerCapabilities,
  TextDocumentContentChangeEvent,
  WorkspaceFolder,
} from 'vscode-languageserver';

export interface LspClientOptions {
  /** Executable that runs the server script; default: this Node binary. */
  readonly node?: string;
  /** Extra arguments for Node before the script (e.g. `--inspect`). */
  readonly nodeArgs?: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Settings answered to `workspace/configuration`, as a nested object like VS Code's
   * (`{ pullguard: { … } }`); an item's `section` is looked up by its dotted path.
   * Missing sections, and everything when no settings are given, answer `{}`.
   */
  readonly settings?: Record<string, unknown>;
  /** Default timeout of `request` and the waits, in ms; default 10 000. */
  readonly timeoutMs?: number;
  /** Echo server stderr to this process's stderr as it arrives (it is always kept for errors). */
  readonly echoStderr?: boolean;
}

/** A JSON-RPC error answered by the server. */
export class LspResponseError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(`${method} failed (${code}): ${message}`);
    this.name = 'LspResponseError';
  }
}

export type RequestHandler = (params: unknown) => unknown | Promise<unknown>;
export type NotificationHandler = (params: unknown) => void;

interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

interface Pending {
  readonly method: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout;
}

interface Waiter {
  readonly method: string;
  readonly matches: (params: unknown) => boolean;
  resolve(params: unknown): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout;
}

/** What this client supports; notably no pull diagnostics, so the server pushes. */
export const DEFAULT_CLIENT_CAPABILITIES: ClientCapabilities = {
  general: { positionEncodings: ['utf-16'] },
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    workspaceFolders: true,
  },
  window: { workDoneProgress: true },
  textDocument: {
    synchronization: { dynamicRegistration: false, didSave: true, willSave: false, willSaveWaitUntil: false },
    publishDiagnostics: {
      relatedInformation: true,
      versionSupport: true,
      codeDescriptionSupport: true,
      dataSupport: true,
      tagSupport: { valueSet: [1, 2] },
    },
    hover: { dynamicRegistration: false, contentFormat: ['markdown', 'plaintext'] },
    codeAction: {
      dynamicRegistration: false,
      isPreferredSupport: true,
      dataSupport: true,
      codeActionLiteralSupport: {
        codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.rewrite', 'source', 'source.fixAll'] },
      },
    },
  },
};

/**
 * The same, pulling the diagnostics (`textDocument/diagnostic`) as VS Code's language client
 * does, with the server's `workspace/diagnostic/refresh` requests (the server then publishes none).
 */
export const PULL_CLIENT_CAPABILITIES: ClientCapabilities = {
  ...DEFAULT_CLIENT_CAPABILITIES,
  workspace: { ...DEFAULT_CLIENT_CAPABILITIES.workspace, diagnostics: { refreshSupport: true } },
  textDocument: { ...DEFAULT_CLIENT_CAPABILITIES.textDocument, diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } },
};

const STDERR_KEEP = 16 * 1024;

export class LspClient {
  /** Capabilities from the `initialize` answer; `undefined` before it. */
  serverCapabilities: ServerCapabilities | undefined;

  private readonly child: ChildProcess;
  private readonly timeoutMs: number;
  private settings: Record<string, unknown>;
  /** As sent in `initialize`, answered to `workspace/workspaceFolders`. */
  private workspaceFolders: WorkspaceFolder[] | null = null;
  private nextId = 1;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Where the body of the message being read starts and ends in the unread chunks, once its header is read. */
  private messageStart = 0;
  private messageEnd: number | undefined;
  private stderr = '';
  private exitError: Error | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly waiters = new Set<Waiter>();
  private readonly requestHandlers = new Map<string, RequestHandler>();
  private readonly notificationHandlers = new Map<string, Set<NotificationHandler>>();
  /** Last publish per URI, so a wait for a version that already arrived returns at once. */
  private readonly lastDiagnostics = new Map<string, PublishDiagnosticsParams>();
  private readonly exited: Promise<number | null>;

  /** Spawns `node serverPath ...args`; call `initialize()` next. */
  static start(serverPath: string, args: readonly string[] = ['--stdio'], options: LspClientOptions = {}): LspClient {
    return new LspClient(serverPath, args, options);
  }

  private constructor(serverPath: string, args: readonly string[], options: LspClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.settings = options.settings ?? {};
    this.child = spawn(options.node ?? process.execPath, [...(options.nodeArgs ?? []), serverPath, ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => {
      // `close`, not `exit`: answers still in the stdout pipe are read before we give up.
      this.child.once('close', (code, signal) => {
        this.fail(new Error(`Language server exited (code ${code}${signal ? `, signal ${signal}` : ''}).${this.stderrTail()}`));
        resolve(code);
      });
      this.child.once('error', (error) => {
        this.fail(new Error(`Could not run the language server: ${error.message}`));
        resolve(null);
      });
    });
    this.child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (options.echoStderr) process.stderr.write(text);
      this.stderr = (this.stderr + text).slice(-STDERR_KEEP);
    });
    // A server that dies mid-write must not crash us with EPIPE; the exit handler reports it.
    this.child.stdin!.on('error', () => undefined);

    // Requests every client is expected to answer.
    this.onRequest('workspace/configuration', (params) => {
      const items = (params as { items?: ConfigurationItem[] } | undefined)?.items ?? [];
      return items.map((item) => this.settingsFor(item.section));
    });
    this.onRequest('client/registerCapability', () => null);
    this.onRequest('client/unregisterCapability', () => null);
    this.onRequest('window/workDoneProgress/create', () => null);
    this.onRequest('workspace/workspaceFolders', () => this.workspaceFolders);
    this.onRequest('window/showMessageRequest', () => null); // as if the user dismissed it
    // Taken, and the next pull gets the new diagnostics (a session pulls after each edit).
    this.onRequest('workspace/diagnostic/refresh', () => null);
    this.onNotification('textDocument/publishDiagnostics', (params) => {
      const published = params as PublishDiagnosticsParams;
      this.lastDiagnostics.set(published.uri, published);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends `initialize` (with `DEFAULT_CLIENT_CAPABILITIES` unless given) then `initialized`. */
  async initialize(params: Partial<InitializeParams> = {}, timeoutMs?: number): Promise<InitializeResult> {
    const full: InitializeParams = {
      processId: process.pid,
      clientInfo: { name: 'pullguard-lsp-client', version: '0.1.0' },
      rootUri: null,
      workspaceFolders: null,
      capabilities: DEFAULT_CLIENT_CAPABILITIES,
      ...params,
    };
    this.workspaceFolders = full.workspaceFolders ?? null;
    const result = await this.request<InitializeResult>('initialize', full, timeoutMs);
    this.serverCapabilities = result.capabilities;
    this.notify('initialized', {});
    return result;
  }

  /** Sends a request and resolves with its result; rejects on an error answer, timeout or server exit. */
  request<R = unknown>(method: string, params?: unknown, timeoutMs = this.timeoutMs): Promise<R> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`No answer to ${method} within ${timeoutMs} ms.${this.stderrTail()}`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject, timer });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params?: unknown): void {
    if (this.exitError) throw this.exitError;
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** Answers server→client requests of `method` (replaces any earlier handler, including the defaults). */
  onRequest(method: string, handler: RequestHandler): void {
    this.requestHandlers.set(method, handler);
  }

  /** Listens to server notifications of `method`; returns a function that stops listening. */
  onNotification(method: string, handler: NotificationHandler): () => void {
    let handlers = this.notificationHandlers.get(method);
    if (!handlers) this.notificationHandlers.set(method, (handlers = new Set()));
    handlers.add(handler);
    return () => handlers.delete(handler);
  }

  /**
   * Resolves with the next notification of `method` whose params satisfy `matches`.
   * Call it before the action that triggers the notification.
   */
  waitForNotification<P = unknown>(method: string, matches: (params: P) => boolean = () => true, timeoutMs = this.timeoutMs): Promise<P> {
    if (this.exitError) return Promise.reject(this.exitError);
    return new Promise<P>((resolve, reject) => {
      const waiter: Waiter = {
        method,
        matches: matches as (params: unknown) => boolean,
        resolve: resolve as (params: unknown) => void,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`No ${method} within ${timeoutMs} ms.${this.stderrTail()}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /**
   * Resolves with the diagnostics published for `uri`.
   * Without `version`: the next publish for the URI (register before sending the change).
   * With `version`: a publish for that version, or an unversioned publish arriving
   * after this call (servers may omit the version); if the last publish already
   * carries that version it is returned at once.
   */
  waitForDiagnostics(uri: string, options: { version?: number; timeoutMs?: number } = {}): Promise<PublishDiagnosticsParams> {
    const { version } = options;
    const last = this.lastDiagnostics.get(uri);
    if (version !== undefined && last?.version === version) return Promise.resolve(last);
    return this.waitForNotification<PublishDiagnosticsParams>(
      'textDocument/publishDiagnostics',
      (params) => params.uri === uri && (version === undefined || params.version === undefined || params.version === version),
      options.timeoutMs,
    );
  }

  /** The last diagnostics published for `uri`, if any. */
  diagnosticsFor(uri: string): PublishDiagnosticsParams | undefined {
    return this.lastDiagnostics.get(uri);
  }

  /** Replaces the settings answered to `workspace/configuration` and tells the server. */
  setSettings(settings: Record<string, unknown>): void {
    this.settings = settings;
    this.notify('workspace/didChangeConfiguration', { settings });
  }

  didOpen(uri: string, languageId: string, text: string, version = 1): void {
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  /** `changes` are whole-text (`{ text }`) or ranged events, as the server's sync kind allows. */
  didChange(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[]): void {
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  didClose(uri: string): void {
    this.notify('textDocument/didClose', { textDocument: { uri } });
  }

  /** `1` full, `2` incremental, `0` none, from the server's `textDocumentSync`. */
  get syncKind(): 0 | 1 | 2 {
    const sync = this.serverCapabilities?.textDocumentSync;
    const kind = typeof sync === 'number' ? sync : (sync?.change ?? 0);
    return kind as 0 | 1 | 2;
  }

  /**
   * Peak resident set size of the server process in bytes (`VmHWM` from
   * `/proc/<pid>/status`); `undefined` where /proc is unavailable or the process is gone.
   */
  peakMemoryBytes(): number | undefined {
    return readProcStatusKb(this.child.pid, 'VmHWM');
  }

  /**
   * CPU time the server has used so far, all its threads (V8's collector helpers
   * included), in ms: `utime` + `stime` of `/proc/<pid>/stat`, counted in the kernel's
   * USER_HZ (100 a second on Linux), so to 10 ms. Undefined where /proc is missing.
   */
  cpuTimeMs(): number | undefined {
    return readProcCpuMs(this.child.pid);
  }

  /** Current resident set size in bytes (`VmRSS`), like `peakMemoryBytes`. */
  memoryBytes(): number | undefined {
    return readProcStatusKb(this.child.pid, 'VmRSS');
  }

  /** Everything the server wrote to stderr (last 16 KiB). */
  stderrText(): string {
    return this.stderr;
  }

  /** `shutdown` request, `exit` notification, then waits for the process (killed if it lingers). Resolves with the exit code. */
  async shutdown(timeoutMs = this.timeoutMs): Promise<number | null> {
    if (!this.exitError) {
      try {
        await this.request('shutdown', undefined, timeoutMs);
        this.notify('exit');
      } catch {
        // Already dying or unresponsive: the kill below cleans up.
      }
    }
    return this.waitForExit(timeoutMs);
  }

  /** Kills the server without the shutdown handshake (for cleanup after failures). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private async waitForExit(timeoutMs: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.kill();
      return this.exited;
    }
    return outcome;
  }

  private settingsFor(section: string | undefined): unknown {
    let value: unknown = this.settings;
    for (const key of section ? section.split('.') : []) {
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    }
    return value ?? {};
  }

  private send(message: JsonRpcMessage): void {
    const body = JSON.stringify(message);
    this.child.stdin!.write(`Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`);
  }

  /**
   * Splits the byte stream into messages: `Content-Length` counts bytes, not characters.
   * Chunks of stdout are kept until a whole message has arrived, then joined once: a
   * large message (4 MB of diagnostics at 5,000 jobs) comes in many chunks, and joining
   * or searching the growing buffer on each one would make reading it quadratic, timing
   * this client instead of the server.
   */
  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.messageEnd === undefined) {
        const pending = this.joinChunks();
        const headerEnd = pending.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const header = pending.subarray(0, headerEnd).toString('ascii');
        const match = /^content-length: *(\d+)$/im.exec(header);
        if (!match) {
          this.fail(new Error(`Malformed message header from the server: ${JSON.stringify(header)}`));
          this.kill();
          return;
        }
        this.messageStart = headerEnd + 4;
        this.messageEnd = this.messageStart + Number(match[1]);
      }
      if (this.buffered < this.messageEnd) return;
      const pending = this.joinChunks();
      const body = pending.subarray(this.messageStart, this.messageEnd).toString('utf8');
      const rest = pending.subarray(this.messageEnd);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.messageEnd = undefined;
      let message: JsonRpcMessage;
      try {
        message = JSON.parse(body) as JsonRpcMessage;
      } catch {
        this.fail(new Error(`Server sent a message that is not JSON: ${body.slice(0, 200)}`));
        this.kill();
        return;
      }
      this.dispatch(message);
    }
  }

  /** The unread chunks as one buffer (kept as one, so the next join is free). */
  private joinChunks(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private dispatch(message: JsonRpcMessage): void {
    if (message.method !== undefined && message.id !== undefined && message.id !== null) {
      void this.answer(message.id, message.method, message.params);
    } else if (message.method !== undefined) {
      for (const handler of this.notificationHandlers.get(message.method) ?? []) handler(message.params);
      for (const waiter of this.waiters) {
        if (waiter.method === message.method && waiter.matches(message.params)) {
          this.waiters.delete(waiter);
          clearTimeout(waiter.timer);
          waiter.resolve(message.params);
        }
      }
    } else if (typeof message.id === 'number') {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.error) pending.reject(new LspResponseError(pending.method, message.error.code, message.error.message, message.error.data));
      else pending.resolve(message.result ?? null);
    }
  }

  private async answer(id: number | string, method: string, params: unknown): Promise<void> {
    const handler = this.requestHandlers.get(method);
    if (!handler) {
      this.sendIfAlive({ jsonrpc: '2.0', id, error: { code: -32601, message: `Unhandled method ${method}` } });
      return;
    }
    try {
      this.sendIfAlive({ jsonrpc: '2.0', id, result: (await handler(params)) ?? null });
    } catch (error) {
      this.sendIfAlive({ jsonrpc: '2.0', id, error: { code: -32603, message: error instanceof Error ? error.message : String(error) } });
    }
  }

  private sendIfAlive(message: JsonRpcMessage): void {
    if (!this.exitError) this.send(message);
  }

  /** Rejects everything outstanding: nothing more will come from this server. */
  private fail(error: Error): void {
    if (this.exitError) return;
    this.exitError = error;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`${pending.method}: ${error.message}`));
    }
    this.pending.clear();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`Waiting for ${waiter.method}: ${error.message}`));
    }
    this.waiters.clear();
  }

  private stderrTail(): string {
    const tail = this.stderr.trim().split('\n').slice(-20).join('\n');
    return tail ? `\nServer stderr (last lines):\n${tail}` : '';
  }
}

function readProcStatusKb(pid: number | undefined, field: string): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** USER_HZ: what `/proc/<pid>/stat` counts CPU time in, on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;

function readProcCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (in parentheses, which may hold spaces): state is
    // field 3, utime and stime fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}
