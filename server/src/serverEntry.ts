/**
 * The language server program (`node dist/server.js --stdio`). It answers `initialize`
 * with only vscode-languageserver loaded, and loads the rest (server.ts, bundled as
 * dist/serverCore.js: the language service with yaml, zod and the TOML parser, most of
 * the start-up time) when the next message is dispatched, usually `initialized`, before
 * handing that message on. Messages are dispatched one at a time in the order they came,
 * and the load is synchronous, so none is lost or reordered: the first ones wait for it.
 */
import * as languageServer from 'vscode-languageserver/node';
import type { InitializeParams, Message } from 'vscode-languageserver/node';
import { join } from 'node:path';
import { getInitializeResult } from './capabilities';
import { codeCacheFolder, requireWithCodeCache } from './codeCache';
import type { StartedServer } from './server';

/** What vscode-languageserver answers by itself: no reason to load the analysis for these. */
const ANSWERED_WITHOUT_ANALYSIS = new Set(['initialize', 'shutdown', 'exit']);

let server: StartedServer | undefined;
let initializeParams: InitializeParams | undefined;

/** dist/serverCore.js uses this copy of vscode-languageserver rather than bundling its own (scripts/build.mjs). */
export { languageServer };

const connection = languageServer.createConnection(languageServer.ProposedFeatures.all, {
  messageStrategy: {
    handleMessage(message, next) {
      if (!server && !(isMethodCall(message) && ANSWERED_WITHOUT_ANALYSIS.has(message.method))) server = loadServer();
      return next(message);
    },
  },
});

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

function isMethodCall(message: Message): message is Message & { method: string } {
  return typeof (message as { method?: unknown }).method === 'string';
}
