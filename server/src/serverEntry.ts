/**
 * The language server program (`node dist/server.js --stdio`).
 *
 * Start-up is the editor's wait for a ready server, so the work is put off as far as
 * the protocol allows:
 *
 * 1. Over stdio, the `initialize` request is read from stdin by hand and answered from
 *    capabilities.ts before any library is loaded (the answer depends only on the
 *    client's capabilities). The bytes read are put back on stdin for vscode-languageserver,
 *    loaded next, which handles `initialize` as usual; its own answer is dropped.
 * 2. The rest (server.ts, bundled as dist/serverCore.js: the language service with yaml,
 *    zod and the TOML parser) is loaded when the next message is dispatched, usually
 *    `initialized`, before handing that message on.
 *
 * Messages are dispatched one at a time in the order they came, and the loads are
 * synchronous, so none is lost or reordered: the first ones wait for them.
 */
import type * as LanguageServer from 'vscode-languageserver/node';
import type { InitializeParams, Message, MessageWriter } from 'vscode-languageserver/node';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { getInitializeResult } from './capabilities';
import { codeCacheFolder, requireWithCodeCache } from './codeCache';
import { createReusedBufferEncoder } from './messageEncoder';
import type { StartedServer } from './server';

/** What vscode-languageserver answers by itself: no reason to load the analysis for these. */
const ANSWERED_WITHOUT_ANALYSIS = new Set(['initialize', 'shutdown', 'exit']);

/** dist/serverCore.js uses this copy of vscode-languageserver rather than bundling its own (scripts/build.mjs); set once loaded. */
export let languageServer: typeof LanguageServer;

if (process.argv.includes('--stdio')) answerInitializeThenStart();
else start(undefined);

/**
 * Reads stdin up to the end of its first message. An `initialize` request is answered
 * at once; either way the bytes go back on stdin and the library starts.
 */
function answerInitializeThenStart(): void {
  const chunks: Buffer[] = [];
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    const read = Buffer.concat(chunks);
    const first = readFirstMessage(read);
    if (first === 'incomplete') return;
    process.stdin.off('data', onData);
    process.stdin.off('end', onEnd);
    process.stdin.pause();
    process.stdin.unshift(read);
    const id = first !== 'invalid' && first.method === 'initialize' ? first.id : undefined;
    if (id !== undefined) {
      const params = (first as { params?: { capabilities?: InitializeParams['capabilities'] } }).params;
      writeMessage({ jsonrpc: '2.0', id, result: getInitializeResult(params?.capabilities ?? {}) });
    }
    start(id);
    // Paused above while the bytes went back: the library's reader, listening now, takes over from here.
    process.stdin.resume();
  };
  // The client went away before saying anything whole: nothing to serve.
  const onEnd = (): void => process.exit(1);
  process.stdin.on('data', onData);
  process.stdin.on('end', onEnd);
}

/** The first JSON-RPC message of `bytes`, if all of it has arrived; 'invalid' when it is not one (the library then says so). */
function readFirstMessage(bytes: Buffer): { id?: number | string; method?: string } | 'incomplete' | 'invalid' {
  const headerEnd = bytes.indexOf('\r\n\r\n');
  if (headerEnd === -1) return bytes.length > 8192 ? 'invalid' : 'incomplete';
  const length = /^content-length: *(\d+)\s*$/im.exec(bytes.toString('ascii', 0, headerEnd))?.[1];
  if (length === undefined) return 'invalid';
  const end = headerEnd + 4 + Number(length);
  if (bytes.length < end) return 'incomplete';
  try {
    const message: unknown = JSON.parse(bytes.toString('utf8', headerEnd + 4, end));
    return typeof message === 'object' && message !== null ? (message as { id?: number | string; method?: string }) : 'invalid';
  } catch {
    return 'invalid';
  }
}

function writeMessage(message: object): void {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  process.stdout.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
}

/** @param answeredId the id of the `initialize` request already answered by hand, whose second answer is dropped */
function start(answeredId: number | string | undefined): void {
  languageServer = require('vscode-languageserver/node') as typeof LanguageServer;
  let server: StartedServer | undefined;
  let initializeParams: InitializeParams | undefined;
  let shutdownReceived = false;
  const options = {
    messageStrategy: {
      handleMessage(message: Message, next: (message: Message) => void): void {
        const method = isMethodCall(message) ? message.method : ''; // '' for a response from the client
        if (method === 'shutdown') shutdownReceived = true;
        if (!server && !ANSWERED_WITHOUT_ANALYSIS.has(method)) server = loadServer();
        next(message);
      },
    },
  };
  let connection: LanguageServer.Connection;
  if (answeredId === undefined) {
    connection = languageServer.createConnection(languageServer.ProposedFeatures.all, options);
  } else {
    const reader = new languageServer.StreamMessageReader(process.stdin);
    const writer = withoutAnswerTo(answeredId, new languageServer.StreamMessageWriter(process.stdout, { contentTypeEncoder: createReusedBufferEncoder() }));
    connection = languageServer.createConnection(languageServer.ProposedFeatures.all, reader, writer, options);
    // What the library does for the stdio it opens itself: the client closing stdin ends the server,
    // and `console` must not write into the protocol.
    const exit = (): never => process.exit(shutdownReceived ? 0 : 1);
    process.stdin.on('end', exit);
    process.stdin.on('close', exit);
    sendConsoleToClient(connection);
  }

  connection.onInitialize((params) => {
    initializeParams = params;
    // Loaded already only if a message came before `initialize`, which the protocol forbids.
    server?.applyInitializeParams(params);
    return getInitializeResult(params.capabilities);
  });

  connection.listen();

  function loadServer(): StartedServer {
    let started: StartedServer;
    try {
      // The sibling bundle of server.ts (scripts/build.mjs), compiled only now: on Node
      // before 22.1 with our own code cache (codeCache.ts), on later Node with Node's.
      const cacheFolder = codeCacheFolder();
      const core = (cacheFolder ? requireWithCodeCache(join(__dirname, 'serverCore.js'), cacheFolder).exports : require('./serverCore.js')) as typeof import('./server');
      started = core.startServer(connection);
    } catch (error) {
      // Without the analysis the server can answer nothing: the editor restarts it and shows this.
      process.stderr.write(`Pullguard: the language server could not load its analysis, reinstall the extension: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      process.exit(1);
    }
    if (initializeParams) started.applyInitializeParams(initializeParams);
    return started;
  }
}

/** The library's writer, but for its answer to the request already answered by hand. */
function withoutAnswerTo(id: number | string, writer: MessageWriter): MessageWriter {
  let dropped = false;
  return {
    onError: writer.onError,
    onClose: writer.onClose,
    write(message) {
      const response = message as { id?: unknown; method?: unknown };
      if (!dropped && response.id === id && response.method === undefined) {
        dropped = true;
        return Promise.resolve();
      }
      return writer.write(message);
    },
    end: () => writer.end(),
    dispose: () => writer.dispose(),
  };
}

/**
 * stdout carries the protocol: anything printed with `console` goes to the client's
 * log instead, as vscode-languageserver arranges itself when it opens stdio. Node's other
 * console methods (table, count, time, group, assert, trace...) print through these five,
 * all but console.dir, which writes to stdout itself.
 */
function sendConsoleToClient(connection: LanguageServer.Connection): void {
  const text = (args: unknown[]): string => args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg))).join(' ');
  console.log = (...args: unknown[]) => connection.console.log(text(args));
  console.info = (...args: unknown[]) => connection.console.info(text(args));
  console.warn = (...args: unknown[]) => connection.console.warn(text(args));
  console.error = (...args: unknown[]) => connection.console.error(text(args));
  console.debug = (...args: unknown[]) => connection.console.log(text(args));
  console.dir = (value: unknown, options?: Parameters<typeof inspect>[1]) => connection.console.log(inspect(value, options));
}

function isMethodCall(message: Message): message is Message & { method: string } {
  return typeof (message as { method?: unknown }).method === 'string';
}
