/**
 * *Encode credentials to base64* and *Decode auth at cursor* (SPEC §3). The value
 * that `auth` holds is base64 of `username:password` (REFERENCE §1.5); the core's
 * base64 module encodes and decodes it exactly as docker/cli does. A decoded
 * password is shown masked; only the explicit *Copy password* button reveals it,
 * and only to the clipboard.
 */
import { decodeAuth, encodeAuth, getUsernameProblem, revealPassword } from '../../../server/src/service/credentials/base64';
import type { EditorState, Ui } from '../ui';
import { maskSecret } from '../../../server/src/service/text/secret';

const BASE64_CHARS = /[A-Za-z0-9+/=]/;

/**
 * The `auth` value at the cursor: the base64 run the cursor is in or touches, or else
 * the value of the `auth` key on the cursor's line (JSON plain or escaped inside a
 * YAML or TOML string: `"auth":"…"`, `\"auth\": \"…\"`).
 */
export function findAuthAtCursor(text: string, offset: number): string | undefined {
  let start = offset;
  let end = offset;
  while (start > 0 && BASE64_CHARS.test(text[start - 1]!)) start--;
  while (end < text.length && BASE64_CHARS.test(text[end]!)) end++;
  const word = text.slice(start, end);
  if (word.length >= 4 && decodeAuth(word).ok) return word;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd);
  const values = [...line.matchAll(/\\*"auth\\*"\s*:\s*\\*"([A-Za-z0-9+/=]*)\\*"/g)];
  // The one nearest the cursor when a line holds several (compact JSON).
  const cursor = offset - lineStart;
  values.sort((a, b) => Math.abs(a.index! - cursor) - Math.abs(b.index! - cursor));
  return values[0]?.[1];
}

/** The message shown for a decoded value: the username, the password masked, and its problems. */
export function describeDecodedAuth(value: string): { ok: boolean; message: string } {
  const decoded = decodeAuth(value);
  if (!decoded.ok) return { ok: false, message: `Pullguard: this \`auth\` value ${decoded.reason}. The runner drops the whole credential source it is in.` };
  let message = `Pullguard: \`auth\` decodes to username \`${decoded.username}\`, password ${maskSecret(decoded.passwordLength)}.`;
  if (decoded.passwordEndsWithNewline) message += ' The password ends with a newline, which the registry will reject: encode it again with *Encode credentials to base64* or `printf`, not `echo`.';
  return { ok: true, message };
}

export const COPY_PASSWORD = 'Copy password';
export const COPY_USERNAME = 'Copy username';

/** Decodes the `auth` at the cursor; returns what was copied (`password`/`username`) or undefined. */
export async function decodeAuthAtCursor(ui: Ui): Promise<'password' | 'username' | undefined> {
  const editor: EditorState | undefined = ui.activeEditor();
  if (!editor) {
    await ui.tell('warning', 'Pullguard: open a file and put the cursor on an `auth` value to decode it.');
    return undefined;
  }
  const value = findAuthAtCursor(editor.text, editor.offset);
  if (value === undefined) {
    await ui.tell('warning', 'Pullguard: there is no base64 `auth` value at the cursor. Put the cursor on the value of an `auth` key.');
    return undefined;
  }
  const described = describeDecodedAuth(value);
  if (!described.ok) {
    await ui.tell('error', described.message);
    return undefined;
  }
  const button = await ui.tell('information', described.message, COPY_USERNAME, COPY_PASSWORD);
  if (button === COPY_PASSWORD) {
    await ui.copy(revealPassword(value)!);
    return 'password';
  }
  if (button === COPY_USERNAME) {
    const decoded = decodeAuth(value);
    if (decoded.ok) await ui.copy(decoded.username);
    return 'username';
  }
  return undefined;
}

const TITLE = 'Encode credentials to base64';

/** Asks username and password (masked) and puts their `auth` value where the user chooses. */
export async function encodeCredentials(ui: Ui): Promise<'copy' | 'insert' | undefined> {
  const username = await ui.ask({ title: `${TITLE} (1/2)`, prompt: 'Username', validate: getUsernameProblem });
  if (username === undefined) return undefined;
  const password = await ui.askSecret({
    title: `${TITLE} (2/2)`,
    prompt: `Password or token of ${username} (masked; it is only encoded, never stored or logged)`,
    validate: (text) => (text === '' ? 'The password is empty; the registry would reject the login.' : undefined),
  });
  if (password === undefined) return undefined;
  const value = encodeAuth(username, password);
  const editor = ui.activeEditor();
  const choice = await ui.pick(
    [
      { label: 'Copy to clipboard', description: 'the value of an `auth` key', value: 'copy' as const },
      ...(editor ? [{ label: 'Insert at cursor', description: 'the base64 value, no quotes', value: 'insert' as const }] : []),
    ],
    { title: TITLE, placeholder: `Where should the base64 of ${username}:•••• go?` },
  );
  if (choice === 'copy') {
    await ui.copy(value);
    await ui.tell('information', 'Pullguard: the base64 `auth` value is on the clipboard. It is the password in another form: keep it out of committed files.');
  } else if (choice === 'insert') {
    if (!(await ui.editActive([{ offset: editor!.offset, length: 0, text: value }]))) {
      await ui.tell('error', 'Pullguard: the editor could not be changed (it was closed or is read-only). Nothing was inserted.');
      return undefined;
    }
  }
  return choice;
}
