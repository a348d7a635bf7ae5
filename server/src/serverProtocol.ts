/**
 * The protocol side of the language server: vscode-languageserver's connection over the
 * stdio (or the transport the arguments name), and the analysis (dist/serverCore.js)
 * loaded when the first message that needs it is dispatched, usually `initialized`.
 *
 * Bundled apart (dist/serverProtocol.js) from the program (dist/server.js,
 * serverEntry.ts), which answers `initialize` by hand before this bundle is even
 * compiled: vscode-languageserver alone takes ~10 ms to compile on the CI machine.
 */
import type * as LanguageServer from 'vscode-languageserver/node';
import type { InitializeParams, Message, MessageWriter } from 'vscode-languageserver/node';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { getInitializeResult } from './capabilities';
import { requireBundleOrExit } from './codeCache';
import { createReusedBufferEncoder } from './messageEncoder';
import { paramsProblem, readInitializeParams } from './protocolParams';
import type { StartedServer } from './server';

/** What vscode-languageserver answers by itself: no reason to load the analysis for these. */
const ANSWERED_WITHOUT_ANALYSIS = new Set(['initialize', 'shutdown', 'exit']);

/**
 * A request whose params have not the shape of its method is dispatched as this one
 * instead, whose handler answers InvalidParams: the strategy that checks messages can
 * only pass them on, not answer them.
 */
const INVALID_PARAMS_METHOD = 'pullguard/$invalidParams';

/** The library, for the program to hand on to dist/serverCore.js (see serverEntry.ts). */
export const languageServer = require('vscode-languageserver/node') as typeof LanguageServer;

/** @param answeredId the id of the `initialize` request already answered by hand, whose second answer is dropped */
export function start(answeredId: number | string | undefined): void {
  let server: StartedServer | undefined;
  let initializeParams: InitializeParams | undefined;
  let shutdownReceived = false;
  const options = {
    messageStrategy: {
      handleMessage(message: Message, next: (message: Message) => void): void {
        const method = isMethodCall(message) ? message.method : ''; // '' for a response from the client
        if (method === 'shutdown') shutdownReceived = true;
        if (!server && !ANSWERED_WITHOUT_ANALYSIS.has(method)) server = loadServer();
        server?.messageArrived();
        if (method === 'initialize') {
          const { params, problems } = readInitializeParams((message as { params?: unknown }).params);
          for (const problem of problems) connection.console.warn(`Pullguard: the editor's initialize request is malformed, and that part of it is ignored: ${problem}.`);
          next({ ...message, params } as Message);
          return;
        }
        const problem = paramsProblem(method, (message as { params?: unknown }).params);
        if (problem === undefined) next(message);
        else if (isRequest(message)) next({ jsonrpc: '2.0', id: message.id, method: INVALID_PARAMS_METHOD, params: { method, problem } } as Message);
        else connection.console.warn(`Pullguard ignored a ${method} notification: ${problem}.`);
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

  // Optional chaining: a client may send this method itself.
  connection.onRequest(INVALID_PARAMS_METHOD, (params: { method?: string; problem?: string } | null) =>
    new languageServer.ResponseError(languageServer.ErrorCodes.InvalidParams, `Pullguard cannot answer ${params?.method ?? 'this request'}: ${params?.problem ?? 'its params are not valid'}.`));

  connection.listen();

  function loadServer(): StartedServer {
    // The sibling bundle of server.ts (scripts/build.mjs), compiled only now.
    const core = requireBundleOrExit(join(__dirname, 'serverCore.js'), 'its analysis') as typeof import('./server');
    const started = core.startServer(connection);
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

function isRequest(message: Message): message is Message & { id: number | string } {
  const id = (message as { id?: unknown }).id;
  return typeof id === 'number' || typeof id === 'string';
}
