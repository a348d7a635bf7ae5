/**
 * The `auth` field of Docker's config format: base64 of `username:password`
 * (REFERENCE §1.5, docker/cli `decodeAuth` [DC-FILE]).
 *
 * Secrets stay here. `decodeAuth` returns the username and facts about the
 * password (its length, a trailing newline), never the password itself. The only
 * way out for a password is `revealPassword`, which exists for one explicit user
 * action (the client's "Copy password"); nothing that logs, hovers or prints may
 * call it. `encodeAuth`/`buildDockerAuthConfig` take a password the user typed
 * and return only its encoded form.
 */

const STANDARD_ALPHABET = /^[A-Za-z0-9+/]*$/;

export type AuthDecoding =
  | {
      readonly ok: true;
      readonly username: string;
      /** Characters (Unicode code points) of the password, after NUL bytes are trimmed. */
      readonly passwordLength: number;
      /** `echo` without `-n`, or a wrapped `base64`, leaves a newline that becomes part of the password (§1.5). */
      readonly passwordEndsWithNewline: boolean;
      readonly password?: never;
    }
  | {
      readonly ok: false;
      /** Completes "The `auth` of `<key>` …": a phrase that never quotes the value. */
      readonly reason: string;
    };

type Parts = { readonly ok: true; readonly username: string; readonly password: string } | { readonly ok: false; readonly reason: string };

/** Standard base64 with padding required, as Go's `base64.StdEncoding` reads it. */
function decodeStandardBase64(value: string): Uint8Array | string {
  // Go's decoder skips `\r` and `\n` anywhere; every other character counts.
  const text = value.replace(/[\r\n]/g, '');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const body = text.slice(0, text.length - padding);
  if (!STANDARD_ALPHABET.test(body)) {
    if (/[-_]/.test(body) && /^[A-Za-z0-9+/_-]*=*$/.test(body)) {
      return 'uses the URL-safe base64 alphabet (`-` or `_`), but docker/cli accepts only standard base64 (`+` and `/`)';
    }
    if (body.includes('=')) return 'has `=` padding before its end, which standard base64 allows only at the end';
    const position = [...body].findIndex((ch) => !/[A-Za-z0-9+/]/.test(ch));
    return `is not base64: character ${position + 1} is not in the base64 alphabet`;
  }
  if (text.length % 4 !== 0) {
    return 'is not padded standard base64: docker/cli needs `=` padding to a multiple of 4 characters';
  }
  // The text is now valid padded base64, which `atob` decodes exactly as Go does.
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function splitAuth(value: string): Parts {
  if (value === '') {
    // docker/cli then reads the `username`/`password` fields instead; callers check for '' first.
    return { ok: false, reason: 'is empty' };
  }
  const bytes = decodeStandardBase64(value);
  if (typeof bytes === 'string') return { ok: false, reason: bytes };
  const decoded = new TextDecoder().decode(bytes);
  // Split at the first `:`, so a `:` inside the password is fine (§1.5).
  const colon = decoded.indexOf(':');
  if (colon === -1) return { ok: false, reason: 'does not decode to `username:password`: there is no `:`' };
  if (colon === 0) return { ok: false, reason: 'decodes to an empty username (nothing before the first `:`)' };
  // docker/cli trims NUL bytes from both ends of the password (`strings.Trim(password, "\x00")`).
  return { ok: true, username: decoded.slice(0, colon), password: decoded.slice(colon + 1).replace(/^\0+|\0+$/g, '') };
}

/**
 * Decodes an `auth` value the way docker/cli does (§1.5): standard base64 with
 * padding, split at the first `:`, a non-empty username, NUL bytes trimmed from
 * the password. The password is masked at this point: only its length leaves.
 */
export function decodeAuth(value: string): AuthDecoding {
  const parts = splitAuth(value);
  if (!parts.ok) return parts;
  return {
    ok: true,
    username: parts.username,
    passwordLength: [...parts.password].length,
    passwordEndsWithNewline: /[\r\n]$/.test(parts.password),
  };
}

/**
 * The password inside an `auth` value, or undefined when it does not decode.
 * Only for an explicit user action that asks for the secret (the client's
 * "Copy password"); never for logs, hovers, messages or command output.
 */
export function revealPassword(value: string): string | undefined {
  const parts = splitAuth(value);
  return parts.ok ? parts.password : undefined;
}

/** Standard padded base64 of `username:password`, UTF-8 encoded: what `auth` holds. */
export function encodeAuth(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Why a username cannot go into `auth`, or undefined when it can: the decoder
 * splits at the first `:` and rejects an empty username (§1.5).
 */
export function getUsernameProblem(username: string): string | undefined {
  if (username === '') return 'The username is empty; docker/cli rejects an `auth` without a username.';
  if (username.includes(':')) return 'The username contains `:`; docker/cli splits `auth` at the first `:`, so the rest of the username would become part of the password.';
  return undefined;
}

/** The `DOCKER_AUTH_CONFIG` JSON for one registry: `{"auths":{"<registry>":{"auth":"<base64>"}}}`. */
export function buildDockerAuthConfig(registry: string, username: string, password: string): string {
  return JSON.stringify({ auths: { [registry]: { auth: encodeAuth(username, password) } } });
}
