/**
 * The language server program (`node dist/server.js --stdio`).
 *
 * Start-up is the editor's wait for a ready server, so the work is put off as far as
 * the protocol allows:
 *
 * 1. Over stdio, the `initialize` request is read from stdin by hand and answered from
 *    capabilities.ts before any library is loaded or even compiled (the answer depends
 *    only on the client's capabilities): this bundle is small. The bytes read are put
 *    back on stdin for vscode-languageserver, loaded next with the connection
 *    (serverProtocol.ts, dist/serverProtocol.js), which handles `initialize` as usual;
 *    its own answer is dropped.
 * 2. The rest (server.ts, bundled as dist/serverCore.js: the language service with yaml,
 *    zod and the TOML parser) is loaded when the next message is dispatched, usually
 *    `initialized`, before handing that message on.
 *
 * Messages are dispatched one at a time in the order they came, and the loads are
 * synchronous, so none is lost or reordered: the first ones wait for them.
 */
import type * as LanguageServer from 'vscode-languageserver/node';
import type { InitializeParams } from 'vscode-languageserver/node';
import { join } from 'node:path';
import { getInitializeResult } from './capabilities';
import { requireBundleOrExit } from './codeCache';
import type * as Protocol from './serverProtocol';

/**
 * dist/serverCore.js uses the copy of vscode-languageserver in dist/serverProtocol.js
 * rather than bundling its own, and takes it from here, the main module (scripts/build.mjs);
 * set once that bundle is loaded.
 */
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

/**
 * Loads the protocol bundle and starts the connection.
 * @param answeredId the id of the `initialize` request already answered by hand, whose second answer is dropped
 */
function start(answeredId: number | string | undefined): void {
  const protocol = requireBundleOrExit(join(__dirname, 'serverProtocol.js'), 'its connection') as typeof Protocol;
  languageServer = protocol.languageServer;
  protocol.start(answeredId);
}
