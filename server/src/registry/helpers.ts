/**
 * Docker credential helpers, with the real protocol (REFERENCE §5.2): the program
 * `docker-credential-<suffix>` on `PATH`, the action as its first argument; `get` reads
 * the server URL on stdin and answers `{"ServerURL","Username","Secret"}` on stdout;
 * "credentials not found" means no credentials (not an error); `list` answers a JSON map
 * of server URL → username. A username `<token>` marks an identity token.
 *
 * Helpers run only on an explicit registry action in a trusted workspace (or from the
 * CLI), bounded in time and output; what they print is never shown, only whether they
 * answered.
 */
import { spawn } from 'node:child_process';
import { RegistryError } from './errors';
import type { RegistryCredential } from './client';

const MAX_OUTPUT_BYTES = 256 * 1024;
/** A helper suffix the runner would run: a plain program name (§1.2: anything else aborts the lookup). */
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface HelperOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** The environment the helper runs with (its `PATH` finds it). */
  readonly env?: NodeJS.ProcessEnv;
}

export function helperProgram(helper: string): string {
  return `docker-credential-${helper}`;
}

function runHelper(helper: string, action: 'get' | 'list', input: string, options: HelperOptions): Promise<{ code: number; stdout: string }> {
  const program = helperProgram(helper);
  if (!HELPER_NAME.test(helper) || helper.includes('..')) {
    return Promise.reject(new RegistryError('helper-failed', `\`${helper}\` is not a plain helper name; Pullguard does not run it (the runner refuses it too).`));
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const child = spawn(program, [action], { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'ignore'], windowsHide: true });
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | undefined, code = 0) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) {
        child.kill('SIGKILL');
        reject(error);
      } else {
        resolve({ code, stdout: Buffer.concat(chunks).toString('utf8') });
      }
    };
    const onAbort = () => finish(new RegistryError('cancelled', 'Cancelled.'));
    const timer = setTimeout(() => finish(new RegistryError('helper-failed', `\`${program} ${action}\` did not answer within ${options.timeoutMs} ms.`)), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) return finish(new RegistryError('helper-failed', `\`${program} ${action}\` printed more than ${MAX_OUTPUT_BYTES / 1024} KiB.`));
      chunks.push(chunk);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish(new RegistryError('helper-failed', error.code === 'ENOENT'
        ? `\`${program}\` is not on \`PATH\`, so it cannot run here; on a runner the same failure makes it drop the whole source.`
        : `\`${program}\` could not run (${error.code ?? error.message}).`));
    });
    child.on('close', (code) => finish(undefined, code ?? 1));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/**
 * `docker-credential-<helper> get` for `serverUrl`: the credentials, or undefined when
 * the helper has none ("credentials not found": the runner then pulls anonymously).
 */
export async function getHelperCredential(helper: string, serverUrl: string, options: HelperOptions): Promise<RegistryCredential | undefined> {
  const { code, stdout } = await runHelper(helper, 'get', serverUrl, options);
  const program = helperProgram(helper);
  if (code !== 0) {
    if (/credentials not found/i.test(stdout)) return undefined;
    throw new RegistryError('helper-failed', `\`${program} get\` failed (exit status ${code}); on a runner the same failure makes it drop the whole source.`);
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
  } catch {
    throw new RegistryError('helper-failed', `\`${program} get\` answered something that is not the helper protocol's JSON.`);
  }
  const username = typeof answer.Username === 'string' ? answer.Username : '';
  const secret = typeof answer.Secret === 'string' ? answer.Secret : '';
  if (secret === '') return undefined;
  if (username === '<token>') return { kind: 'identity-token', token: secret };
  return { kind: 'basic', username, password: secret };
}

/** `docker-credential-<helper> list`: the server URLs the store holds (with their usernames). */
export async function listHelperServers(helper: string, options: HelperOptions): Promise<Record<string, string>> {
  const { code, stdout } = await runHelper(helper, 'list', '', options);
  const program = helperProgram(helper);
  if (code !== 0) throw new RegistryError('helper-failed', `\`${program} list\` failed (exit status ${code}); on a runner the same failure makes it drop the whole source.`);
  try {
    const parsed = JSON.parse(stdout) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([url, user]) => [url, typeof user === 'string' ? user : '']));
  } catch {
    throw new RegistryError('helper-failed', `\`${program} list\` answered something that is not the helper protocol's JSON map.`);
  }
}
