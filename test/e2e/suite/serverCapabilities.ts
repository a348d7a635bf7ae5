/**
 * Asks the extension's own bundled server what it advertises, so a suite can tell "the
 * server has no code actions yet" (tests reported as pending) from "code actions are
 * broken" (tests fail).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

function frame(message: object): Buffer {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

/** The JSON-RPC messages in a stdio transcript. */
function readFrames(output: Buffer): Array<Record<string, unknown>> {
  const messages: Array<Record<string, unknown>> = [];
  let at = 0;
  for (;;) {
    const headerEnd = output.indexOf('\r\n\r\n', at);
    if (headerEnd === -1) return messages;
    const length = Number(/Content-Length: (\d+)/i.exec(output.subarray(at, headerEnd).toString('ascii'))?.[1]);
    const start = headerEnd + 4;
    if (start + length > output.length) return messages; // the rest has not arrived yet
    messages.push(JSON.parse(output.subarray(start, start + length).toString('utf8')) as Record<string, unknown>);
    at = start + length;
  }
}

/**
 * `initialize` → `shutdown` → `exit` against `<extensionPath>/dist/server.js --stdio`, with
 * the client capabilities VS Code sends for code actions; resolves to the server's capabilities.
 */
export function getServerCapabilities(extensionPath: string): Promise<Record<string, unknown>> {
  // In VS Code's desktop extension host process.execPath is Electron; this makes it a node.
  const server = spawn(process.execPath, [join(extensionPath, 'dist/server.js'), '--stdio'], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = Buffer.alloc(0);
  let stderr = '';
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('no answer to initialize within 15 s')), 15_000);
    let done = false;
    function finish(error: Error | undefined, capabilities?: Record<string, unknown>): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      server.stdin.end(Buffer.concat([frame({ id: 2, method: 'shutdown' }), frame({ method: 'exit' })]));
      setTimeout(() => server.kill(), 1000).unref();
      if (capabilities) resolve(capabilities);
      else reject(new Error(`the bundled server did not answer initialize: ${error?.message}; stderr: ${stderr}`));
    }
    server.on('error', (error) => finish(error));
    server.on('exit', (code) => finish(new Error(`it exited with code ${code}`)));
    server.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    server.stdout.on('data', (chunk: Buffer) => {
      stdout = Buffer.concat([stdout, chunk]);
      const response = readFrames(stdout).find((message) => message.id === 1);
      const capabilities = (response?.result as { capabilities?: Record<string, unknown> } | undefined)?.capabilities;
      if (capabilities) finish(undefined, capabilities);
    });
    server.stdin.write(
      frame({
        id: 1,
        method: 'initialize',
        params: {
          processId: null,
          rootUri: null,
          capabilities: {
            textDocument: {
              codeAction: {
                dynamicRegistration: true,
                isPreferredSupport: true,
                dataSupport: true,
                resolveSupport: { properties: ['edit'] },
                codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'source'] } },
              },
            },
          },
        },
      }),
    );
  });
}
