/**
 * Start-up over stdio: dist/server.js answers `initialize` before it loads its connection
 * (dist/serverProtocol.js) and its analysis (dist/serverCore.js, see
 * server/src/serverEntry.ts), and the messages that come before
 * the analysis is loaded are all handled, in order. Driven with raw JSON-RPC frames so
 * that several messages can reach the server in one write.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { codeCacheFolder } from '../../server/src/codeCache';
import { SERVER_PATH, TIMEOUT_MS, uriOf, useTempWorkspace, within } from './harness';

const workspace = useTempWorkspace('pullguard-lsp-startup-');

interface RawMessage {
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { message: string };
}

/** A server process spoken to in raw frames; it keeps every message the server sent, in order. */
class RawServer {
  readonly received: RawMessage[] = [];
  private readonly process: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private stderr = '';
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<number | null>;

  constructor(serverPath: string, cwd: string, env: NodeJS.ProcessEnv = process.env) {
    this.process = spawn(process.execPath, [serverPath, '--stdio'], { cwd, env });
    this.process.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.process.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.process.on('exit', (code) => resolve(code)));
  }

  /** Sends the messages in a single write, as one chunk on the server's stdin. */
  send(...messages: RawMessage[]): void {
    this.process.stdin.write(Buffer.concat(messages.map((message) => frame(JSON.stringify({ jsonrpc: '2.0', ...message })))));
  }

  /** Sends one message in two writes, split inside its body. */
  sendSplit(message: RawMessage): void {
    const bytes = frame(JSON.stringify({ jsonrpc: '2.0', ...message }));
    const half = bytes.length >> 1;
    this.process.stdin.write(bytes.subarray(0, half));
    setTimeout(() => this.process.stdin.write(bytes.subarray(half)), 50);
  }

  /** Writes bytes as they are, framed or not. */
  write(bytes: Buffer): void {
    this.process.stdin.write(bytes);
  }

  /** Closes the server's stdin, as a client that goes away does. */
  endInput(): void {
    this.process.stdin.end();
  }

  /** The first message received that matches, waiting for it. */
  async waitFor(description: string, matches: (message: RawMessage) => boolean): Promise<RawMessage> {
    const found = (): RawMessage | undefined => this.received.find(matches);
    const wait = new Promise<RawMessage>((resolve) => {
      const check = (): void => {
        const message = found();
        if (!message) return;
        this.waiters.delete(check);
        resolve(message);
      };
      this.waiters.add(check);
      check();
    });
    return within(wait, TIMEOUT_MS, `${description}; stderr: ${this.stderr}`);
  }

  stderrText(): string {
    return this.stderr;
  }

  kill(): void {
    this.process.kill();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd === -1) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.toString('ascii', 0, headerEnd))?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      this.received.push(JSON.parse(this.buffer.toString('utf8', headerEnd + 4, headerEnd + 4 + length)) as RawMessage);
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      for (const waiter of [...this.waiters]) waiter();
    }
  }
}

/** A JSON-RPC frame: the header, then the body (any text, for the tests that send a broken one). */
function frame(body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes]);
}

const INITIALIZE = { id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } };

/** A pipeline whose one image has no tag (image/latest-tag), written in `folder`. */
function writeRedisPipeline(folder: string): { uri: string; text: string } {
  const file = join(folder, '.gitlab-ci.yml');
  const text = 'build:\n  image: redis\n';
  writeFileSync(file, text);
  return { uri: uriOf(file), text };
}

/** The messages of a client that starts the server on `folder` and opens the document at once. */
function startAndOpen(folder: string, uri: string, text: string): RawMessage[] {
  return [
    { ...INITIALIZE, params: { ...INITIALIZE.params, rootUri: uriOf(folder) } },
    { method: 'initialized', params: {} },
    { method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'yaml', version: 1, text } } },
  ];
}

/** The codes of the first diagnostics the server publishes for `uri`. */
async function publishedCodes(server: RawServer, uri: string, what: string): Promise<string[]> {
  const published = await server.waitFor(what, (message) => message.method === 'textDocument/publishDiagnostics' && (message.params as { uri: string }).uri === uri);
  return (published.params as { diagnostics: { code: string }[] }).diagnostics.map((diagnostic) => diagnostic.code);
}

/** dist/server.js in a folder of its own, with its connection bundle but without its analysis (or, with `withoutConnection`, alone). */
function startEntryOnly(name: string, withoutConnection = false): RawServer {
  const folder = workspace.folder(name);
  const entryOnly = join(folder, 'server.js');
  copyFileSync(SERVER_PATH, entryOnly);
  if (!withoutConnection) copyFileSync(join(dirname(SERVER_PATH), 'serverProtocol.js'), join(folder, 'serverProtocol.js'));
  return new RawServer(entryOnly, folder);
}

describe('start-up', () => {
  test('initialize is answered without the analysis; a server that cannot load it says so and exits with code 1', async () => {
    const server = startEntryOnly('entry-only');
    try {
      server.send(INITIALIZE);
      const answer = await server.waitFor('the answer to initialize', (message) => message.id === 1);
      assert.equal(answer.error, undefined);
      assert.deepEqual(answer.result, {
        capabilities: {
          textDocumentSync: 2,
          hoverProvider: true,
          codeActionProvider: { codeActionKinds: ['quickfix', 'source.fixAll.pullguard'], resolveProvider: false },
        },
        serverInfo: { name: 'pullguard' },
      });
      server.send({ method: 'initialized', params: {} });
      assert.equal(await within(server.exited, TIMEOUT_MS, 'the server did not exit'), 1);
      assert.match(server.stderrText(), /Pullguard: the language server could not load its analysis, reinstall the extension: .*serverCore\.js/);
    } finally {
      server.kill();
    }
  });

  test('initialize is answered before the connection bundle is loaded; a server that cannot load it says so and exits with code 1', async () => {
    const server = startEntryOnly('program-only', true);
    try {
      server.send(INITIALIZE);
      const answer = await server.waitFor('the answer to initialize', (message) => message.id === 1);
      assert.equal(answer.error, undefined);
      assert.equal((answer.result as { serverInfo?: { name?: string } }).serverInfo?.name, 'pullguard');
      assert.equal(await within(server.exited, TIMEOUT_MS, 'the server did not exit'), 1);
      assert.match(server.stderrText(), /Pullguard: the language server could not load its connection, reinstall the extension: .*serverProtocol\.js/);
    } finally {
      server.kill();
    }
  });

  test('a client that only starts and stops the server never makes it load its analysis', async () => {
    // Loading the analysis would fail and end it with code 1.
    const server = startEntryOnly('start-stop');
    try {
      server.send(INITIALIZE, { id: 2, method: 'shutdown' });
      const answer = await server.waitFor('the answer to shutdown', (message) => message.id === 2);
      assert.equal(answer.error, undefined);
      server.send({ method: 'exit' });
      assert.equal(await within(server.exited, TIMEOUT_MS, 'the server did not exit'), 0);
      assert.doesNotMatch(server.stderrText(), /could not load its analysis/);
    } finally {
      server.kill();
    }
  });

  test('initialize is answered once, before the library is loaded, and the library still reads it', async () => {
    const folder = workspace.folder('answered-once');
    const server = new RawServer(SERVER_PATH, folder);
    try {
      // Sent in two writes that split the first frame: the server reads on until it is whole.
      server.sendSplit({ ...INITIALIZE, params: { ...INITIALIZE.params, initializationOptions: { settings: { rules: { 'no/such-rule': 'error' } } } } });
      await server.waitFor('the answer to initialize', (message) => message.id === 1);
      server.send({ method: 'initialized', params: {} }, { id: 2, method: 'shutdown' });
      await server.waitFor('the answer to shutdown', (message) => message.id === 2);
      // The library handled initialize too: the settings it carried were read (and their mistake reported).
      await server.waitFor('the warning about the settings', (message) => message.method === 'window/showMessage' && /no\/such-rule/.test(JSON.stringify(message.params)));
      assert.equal(server.received.filter((message) => message.id === 1 && message.method === undefined).length, 1, 'one answer to initialize');
      server.send({ method: 'exit' });
      assert.equal(await within(server.exited, TIMEOUT_MS, 'the server did not exit'), 0);
    } finally {
      server.kill();
    }
  });

  test('a first message other than initialize is left to the library, and initialize after it is answered once', async () => {
    const server = new RawServer(SERVER_PATH, workspace.folder('not-initialize-first'));
    try {
      server.send({ id: 7, method: 'textDocument/hover', params: { textDocument: { uri: 'file:///x.yml' }, position: { line: 0, character: 0 } } });
      // The library hands it on (there is nothing at that place to tell about).
      const early = await server.waitFor('the answer to the early request', (message) => message.id === 7);
      assert.equal(early.error, undefined);
      assert.equal(early.result, null);
      server.send(INITIALIZE);
      const answer = await server.waitFor('the answer to initialize', (message) => message.id === 1);
      assert.equal(answer.error, undefined);
      assert.equal(server.received.filter((message) => message.id === 1).length, 1);
    } finally {
      server.kill();
    }
  });

  test('messages sent together with initialize are all handled, in order', async () => {
    const folder = workspace.folder('one-write');
    const { uri, text } = writeRedisPipeline(folder);
    const server = new RawServer(SERVER_PATH, folder);
    try {
      // The analysis is loaded while these wait in the server's queue.
      server.send(
        ...startAndOpen(folder, uri, text),
        { id: 2, method: 'textDocument/hover', params: { textDocument: { uri }, position: { line: 1, character: 10 } } },
      );
      assert.deepEqual(await publishedCodes(server, uri, 'the diagnostics of the opened file'), ['image/latest-tag']);
      const hover = await server.waitFor('the answer to hover', (message) => message.id === 2);
      assert.equal(hover.error, undefined);
      assert.match(JSON.stringify(hover.result), /redis/);
      const answers = server.received.filter((message) => message.id !== undefined && message.method === undefined).map((message) => message.id);
      assert.deepEqual(answers, [1, 2], 'initialize answered before hover');
      server.send({ id: 3, method: 'shutdown' }, { method: 'exit' });
      assert.equal(await within(server.exited, TIMEOUT_MS, 'the server did not exit'), 0);
    } finally {
      server.kill();
    }
  });

  test('a client that goes away before its first message is whole ends the server with code 1', async () => {
    const server = new RawServer(SERVER_PATH, workspace.folder('gone-early'));
    try {
      server.write(frame(JSON.stringify({ jsonrpc: '2.0', ...INITIALIZE })).subarray(0, 30));
      server.endInput();
      assert.equal(await within(server.exited, TIMEOUT_MS, 'the server did not exit'), 1);
      assert.equal(server.received.length, 0);
    } finally {
      server.kill();
    }
  });

  test('a first message that is not JSON is left to the library, and initialize after it is answered once', async () => {
    const server = new RawServer(SERVER_PATH, workspace.folder('not-json-first'));
    try {
      server.write(frame('{"jsonrpc": "2.0", "id": 5, "method": "initialize"'));
      server.send(INITIALIZE);
      const answer = await server.waitFor('the answer to initialize', (message) => message.id === 1);
      assert.equal(answer.error, undefined);
      assert.equal((answer.result as { serverInfo?: { name: string } }).serverInfo?.name, 'pullguard');
      assert.deepEqual(server.received.filter((message) => message.id !== undefined && message.method === undefined).map((message) => message.id), [1]);
    } finally {
      server.kill();
    }
  });

  test('with NODE_COMPILE_CACHE set (as the client sets it) the analysis loads and works, the first time, from the cache, and from the cache made again once warm', async () => {
    const folder = workspace.folder('code-cache');
    const { uri, text } = writeRedisPipeline(folder);
    const env = { ...process.env, NODE_COMPILE_CACHE: join(folder, 'compile-cache') };
    const ownCache = codeCacheFolder(env)!;
    const coreCache = (): string[] => readdirSync(ownCache).filter((name) => name.startsWith('serverCore-'));
    let sizeBeforeWarm = 0;
    for (const run of ['first', 'second', 'warm', 'after warm']) {
      const server = new RawServer(SERVER_PATH, folder, env);
      try {
        server.send(...startAndOpen(folder, uri, text));
        assert.deepEqual(await publishedCodes(server, uri, `the diagnostics, ${run} run`), ['image/latest-tag']);
        if (run === 'warm') {
          // Left idle, the server warms up, then keeps its compiled analysis for the next start.
          sizeBeforeWarm = statSync(join(ownCache, coreCache()[0]!)).size;
          const logged = await server.waitFor('the log line of the cache made again', (message) => message.method === 'window/logMessage' && String((message.params as { message: string }).message).includes('compiled analysis is kept'));
          assert.match((logged.params as { message: string }).message, /serverCore-[0-9a-f]+\.bin/);
        }
        server.send({ id: 2, method: 'shutdown' }, { method: 'exit' });
        assert.equal(await within(server.exited, TIMEOUT_MS, 'the server did not exit'), 0);
      } finally {
        server.kill();
      }
      assert.deepEqual(coreCache().length, 1, `one cache of dist/serverCore.js after the ${run} run`);
      if (run === 'warm') assert.ok(statSync(join(ownCache, coreCache()[0]!)).size > sizeBeforeWarm * 1.1, 'the cache made again holds more');
    }
  });
});
