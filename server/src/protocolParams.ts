/**
 * The shape of the params of each message the server handles, checked before the
 * message is dispatched (serverProtocol.ts). Without it a client's malformed message
 * reached code that trusts the protocol's types: a `didOpen` whose `uri` was a number
 * stopped the server, and a hover with no params was answered "Internal error" by the
 * library itself, which reads `params.workDoneToken` before any handler of ours runs.
 *
 * A request that fails the check is answered InvalidParams (-32602) with what is wrong,
 * and a notification is dropped with a log line. Only the fields the server reads are
 * checked, and other fields are allowed: clients send more than the protocol's minimum.
 *
 * Written out rather than as zod schemas: these run on every message, and zod compiles
 * each schema on its first parse (1–3 ms each, measured), on the path of the first
 * `didOpen` after the server starts.
 */

import type { ClientCapabilities, InitializeParams, WorkspaceFolder } from 'vscode-languageserver/node';

/** Why `value` (found at `path`) is not of the expected shape, or undefined when it is. */
type Check = (value: unknown, path: string) => string | undefined;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const string: Check = (value, path) => (typeof value === 'string' ? undefined : `${path} must be a string`);
const integer: Check = (value, path) => (Number.isSafeInteger(value) ? undefined : `${path} must be an integer`);
const unsignedInteger: Check = (value, path) => (Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : `${path} must be an integer of 0 or more`);
/** Any JSON value, `null` included: the field need only be there or not. */
const anything: Check = () => undefined;

/** A field that may be absent, or null as some clients write an absent field. */
function optional(check: Check): Check {
  return (value, path) => (value === undefined || value === null ? undefined : check(value, path));
}

function oneOf(...values: readonly unknown[]): Check {
  return (value, path) => (values.includes(value) ? undefined : `${path} must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
}

/** An object with these fields (a field not listed may be there too). */
function object(fields: Readonly<Record<string, Check>>): Check {
  return (value, path) => {
    if (!isObject(value)) return `${path} must be an object`;
    for (const [name, check] of Object.entries(fields)) {
      const problem = check(value[name], `${path}.${name}`);
      if (problem) return problem;
    }
    return undefined;
  };
}

function arrayOf(item: Check): Check {
  return (value, path) => {
    if (!Array.isArray(value)) return `${path} must be an array`;
    for (let i = 0; i < value.length; i++) {
      const problem = item(value[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}

const position = object({ line: unsignedInteger, character: unsignedInteger });
const range = object({ start: position, end: position });
const textDocument = object({ uri: string });
const atPosition = object({ textDocument, position });
/** ImageAtParams (service/protocol.ts): an offset (the quick fix's command arguments), a position or a range; none finds no image. */
const atImage = object({ textDocument, offset: optional(unsignedInteger), position: optional(position), range: optional(range) });

/** LSP 3.17: a change with a range, or the whole new text. */
const contentChange: Check = (value, path) =>
  isObject(value) && value.range !== undefined ? object({ range, text: string })(value, path) : object({ text: string })(value, path);

/** Client-to-server methods whose params the server reads. Others pass unchecked (unknown ones get MethodNotFound). */
const PARAMS: Readonly<Record<string, Check>> = {
  'textDocument/didOpen': object({ textDocument: object({ uri: string, version: integer, text: string }) }),
  'textDocument/didChange': object({ textDocument: object({ uri: string, version: integer }), contentChanges: arrayOf(contentChange) }),
  'textDocument/didClose': object({ textDocument }),
  'textDocument/didSave': object({ textDocument }),
  'workspace/didChangeWatchedFiles': object({ changes: arrayOf(object({ uri: string, type: oneOf(1, 2, 3) })) }),
  'workspace/didChangeConfiguration': object({ settings: anything }),
  'workspace/didChangeWorkspaceFolders': object({ event: object({ added: arrayOf(object({ uri: string })), removed: arrayOf(object({ uri: string })) }) }),
  '$/cancelRequest': object({ id: (value, path) => (typeof value === 'string' || Number.isSafeInteger(value) ? undefined : `${path} must be a number or a string`) }),
  '$/setTrace': object({ value: oneOf('off', 'messages', 'verbose') }),
  'textDocument/hover': atPosition,
  'textDocument/codeAction': object({
    textDocument,
    range,
    context: object({ diagnostics: arrayOf(object({ range })), only: optional(arrayOf(string)) }),
  }),
  'textDocument/diagnostic': object({ textDocument, previousResultId: optional(string) }),
  'pullguard/explainImage': atPosition,
  'pullguard/documentKind': object({ textDocument }),
  'pullguard/pinImage': atImage,
  'pullguard/pinAllImages': object({ textDocument }),
  'pullguard/checkAccess': atImage,
};

/**
 * What is wrong with the params of a `method` message, as a sentence for the client's
 * log (`params.textDocument.uri must be a string`), or undefined when nothing is or the
 * method is not one this server checks.
 */
export function paramsProblem(method: string, params: unknown): string | undefined {
  const check = Object.hasOwn(PARAMS, method) ? PARAMS[method] : undefined;
  return check?.(params, 'params');
}

/**
 * The `initialize` params made safe for the library and the server to read, and what
 * was malformed in them. The request is answered (serverEntry.ts) before the params are
 * read, so a malformed field cannot be refused: it is replaced instead (no
 * capabilities, a folder fewer) and named in `problems` for a log line. Without this,
 * `capabilities: null` made the library's own handler throw before the server saw the
 * folders, and a folder whose `uri` was not a string stopped the server.
 */
export function readInitializeParams(raw: unknown): { params: InitializeParams; problems: string[] } {
  const problems: string[] = [];
  if (!isObject(raw)) problems.push('params must be an object');
  const given = isObject(raw) ? raw : {};
  const capabilities: ClientCapabilities = isObject(given.capabilities) ? given.capabilities : {};
  if (given.capabilities !== undefined && !isObject(given.capabilities)) problems.push('params.capabilities must be an object');
  let workspaceFolders: WorkspaceFolder[] | null = null;
  if (Array.isArray(given.workspaceFolders)) {
    const folders: WorkspaceFolder[] = [];
    given.workspaceFolders.forEach((folder: unknown, i) => {
      const problem = object({ uri: string })(folder, `params.workspaceFolders[${i}]`);
      if (problem) problems.push(problem);
      else folders.push(folder as WorkspaceFolder);
    });
    workspaceFolders = folders;
  } else if (given.workspaceFolders !== undefined && given.workspaceFolders !== null) {
    problems.push('params.workspaceFolders must be an array or null');
  }
  let rootUri: string | null = null;
  if (typeof given.rootUri === 'string') rootUri = given.rootUri;
  else if (given.rootUri !== undefined && given.rootUri !== null) problems.push('params.rootUri must be a string or null');
  // processId is the library's: a number it watches, and anything else it ignores.
  const params = { ...given, capabilities, workspaceFolders, rootUri } as InitializeParams;
  return { params, problems };
}
