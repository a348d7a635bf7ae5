/**
 * `pullguard auth encode|decode` (SPEC §5): build a `DOCKER_AUTH_CONFIG` from a
 * username and a password read on stdin, and read one back with the passwords
 * masked. No password is ever printed, in any form other than the `auth` value
 * that `encode` exists to produce.
 */
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { parseArgs } from 'node:util';
import { buildDockerAuthConfig, decodeAuth, getUsernameProblem } from '../service/credentials/base64';
import { isUnmatchedDockerHubAlias } from '../service/credentials/normalize';
import { UsageError } from './projectSettings';
import { maskSecret } from '../service/text/secret';

/** What a subcommand may use of the process: output lines and all of stdin. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<string>;
}

const USAGE = `Usage: pullguard auth encode --registry REGISTRY --username USER --password-stdin
       pullguard auth decode < INPUT

encode  prints the DOCKER_AUTH_CONFIG JSON {"auths":{"REGISTRY":{"auth":"…"}}} for
        USER and the password read from stdin (one trailing newline is dropped).
decode  reads a Docker config JSON (config.json or DOCKER_AUTH_CONFIG) or one
        base64 auth value on stdin and prints each registry's username, with the
        password masked.

Exit status: 0 ok, 1 an auth value or the JSON is invalid, 2 bad usage or no input.`;

function describeJsonError(error: ParseError): string {
  return `${printParseErrorCode(error.error)} at offset ${error.offset}`;
}

async function runEncode(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      registry: { type: 'string' },
      username: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
  });
  // Never echo a stray argument: it may well be the password typed on the command line.
  if (positionals.length > 0) throw new UsageError('auth encode takes no positional arguments; pipe the password in with --password-stdin.');
  // The password is read from stdin only, so that it never lands in shell history or the process list.
  if (!values['password-stdin']) throw new UsageError('auth encode needs --password-stdin: pipe the password in, it is never taken as an argument.');
  const registry = values.registry ?? '';
  if (registry === '') throw new UsageError('auth encode needs --registry, the host[:port] the image names use (for example registry.example.com:5000).');
  const username = values.username;
  if (username === undefined) throw new UsageError('auth encode needs --username.');
  const usernameProblem = getUsernameProblem(username);
  if (usernameProblem) throw new UsageError(usernameProblem);

  let password = await io.readStdin();
  // `echo secret | …` adds one newline that is not part of the password; drop exactly that one
  // (the encoded value must not contain it, §1.5), and no more, so a password may still end in whitespace.
  if (password.endsWith('\r\n')) password = password.slice(0, -2);
  else if (password.endsWith('\n')) password = password.slice(0, -1);
  if (password === '') throw new UsageError('No password on stdin.');
  if (/[\r\n]/.test(password)) io.err('pullguard: warning: the password contains a line break; it is encoded as it is.');
  if (isUnmatchedDockerHubAlias(registry)) {
    io.err(`pullguard: warning: the runner never matches \`${registry}\` to Docker Hub images; use https://index.docker.io/v1/ or docker.io.`);
  }
  io.out(buildDockerAuthConfig(registry, username, password));
  return 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** One `auths` entry: username and masked password, as docker/cli reads them (§1.5). */
function describeEntry(key: string, entry: unknown, io: CommandIo): boolean {
  io.out(key);
  if (!isObject(entry)) {
    io.out('  invalid: the entry is not a JSON object; the runner drops this whole source.');
    return false;
  }
  const text = (name: string) => (typeof entry[name] === 'string' ? (entry[name] as string) : undefined);
  const auth = text('auth');
  let ok = true;
  if (auth) {
    const decoded = decodeAuth(auth);
    if (!decoded.ok) {
      io.out(`  invalid: the \`auth\` value ${decoded.reason}; the runner drops this whole source.`);
      return false;
    }
    io.out(`  username: ${decoded.username}`);
    io.out(`  password: ${maskSecret(decoded.passwordLength)}`);
    if (decoded.passwordEndsWithNewline) {
      io.out('  warning: the password ends with a newline, which the registry will reject; encode it with printf, not echo.');
      ok = false;
    }
    if (text('username') !== undefined || text('password') !== undefined) io.out('  note: `auth` wins over the `username`/`password` fields.');
  } else {
    const username = text('username');
    const password = text('password');
    if (username !== undefined) io.out(`  username: ${username}`);
    if (password !== undefined) io.out(`  password: ${maskSecret([...password].length)}`);
  }
  const identityToken = text('identitytoken');
  const registryToken = text('registrytoken');
  if (identityToken) io.out(`  identitytoken: ${maskSecret([...identityToken].length)}`);
  if (registryToken) io.out(`  registrytoken: ${maskSecret([...registryToken].length)}`);
  if (!auth && !text('username') && !text('password') && !identityToken && !registryToken) {
    io.out('  no credentials: the entry still shadows every lower source for this registry.');
  }
  return ok;
}

function decodeConfig(text: string, io: CommandIo): number {
  const errors: ParseError[] = [];
  // Go's decoder is strict JSON: no comments, no trailing commas.
  const value: unknown = parse(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length > 0 || !isObject(value)) {
    io.err(`pullguard: the input is not a valid Docker config JSON (${errors.length > 0 ? describeJsonError(errors[0]!) : 'not an object'}); the runner would drop it whole.`);
    return 1;
  }
  const auths = value.auths;
  const helpers = value.credHelpers;
  const store = value.credsStore;
  if (auths === undefined && helpers === undefined && store === undefined) {
    io.err('pullguard: the JSON has no `auths`, `credHelpers` or `credsStore`, so it gives the runner no credentials.');
    return 1;
  }
  let ok = true;
  if (isObject(auths)) {
    for (const [key, entry] of Object.entries(auths)) ok = describeEntry(key, entry, io) && ok;
  }
  if (isObject(helpers)) {
    for (const [key, helper] of Object.entries(helpers)) io.out(`${key}\n  helper: docker-credential-${String(helper)} (asked at pull time)`);
  }
  if (typeof store === 'string') io.out(`credsStore: docker-credential-${store} (the runner uses only the registries it lists)`);
  return ok ? 0 : 1;
}

async function runDecode(argv: readonly string[], io: CommandIo): Promise<number> {
  // Never echo the argument: it is likely the auth value itself.
  if (argv.length > 0) throw new UsageError('auth decode takes no arguments; pipe the JSON or the auth value in on stdin.');
  const text = (await io.readStdin()).trim();
  if (text === '') throw new UsageError('Nothing on stdin: pipe in a Docker config JSON or an auth value.');
  if (text.startsWith('{')) return decodeConfig(text, io);
  // A value copied with its JSON quotes.
  const value = /^"[^"]*"$/.test(text) ? text.slice(1, -1) : text;
  const decoded = decodeAuth(value);
  if (!decoded.ok) {
    io.err(`pullguard: the auth value ${decoded.reason}.`);
    return 1;
  }
  io.out(`username: ${decoded.username}`);
  io.out(`password: ${maskSecret(decoded.passwordLength)}`);
  if (decoded.passwordEndsWithNewline) {
    io.out('warning: the password ends with a newline, which the registry will reject; encode it with printf, not echo.');
    return 1;
  }
  return 0;
}

/** `pullguard auth …`; `argv` starts after `auth`. */
export async function runAuthCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const [verb, ...rest] = argv;
  try {
    if (verb === undefined || verb === '--help' || verb === '-h') {
      io.out(USAGE);
      return verb === undefined ? 2 : 0;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(USAGE);
      return 0;
    }
    if (verb === 'encode') return await runEncode(rest, io);
    if (verb === 'decode') return await runDecode(rest, io);
    throw new UsageError(`Unknown auth command \`${verb}\`; use encode or decode.`);
  } catch (error) {
    // parseArgs errors name the flag, never a value read from stdin.
    io.err(`pullguard: ${error instanceof Error ? error.message : String(error)}`);
    io.err('Run `pullguard auth --help` for usage.');
    return 2;
  }
}
