/**
 * The `auth` value of Docker's config format (REFERENCE §1.5): docker/cli's
 * `decodeAuth` rules, the encoder, and the rule that a password leaves the module
 * only through `revealPassword`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildDockerAuthConfig, decodeAuth, encodeAuth, getUsernameProblem, revealPassword, type AuthDecoding } from '../../server/src/service/credentials/base64';

/** Standard padded base64 of a UTF-8 text, by Node's own encoder (the reference for ours). */
function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

type Expected =
  | { readonly ok: true; readonly username: string; readonly passwordLength: number; readonly passwordEndsWithNewline: boolean }
  | { readonly ok: false; readonly reason: RegExp };

const DECODE_CASES: ReadonlyArray<{ name: string; input: string; expected: Expected }> = [
  { name: 'decodes user:password', input: b64('deploy:hunter22'), expected: { ok: true, username: 'deploy', passwordLength: 8, passwordEndsWithNewline: false } },
  { name: 'keeps a colon inside the password, splitting at the first one', input: b64('deploy:pa:ss'), expected: { ok: true, username: 'deploy', passwordLength: 5, passwordEndsWithNewline: false } },
  { name: 'accepts an empty password', input: b64('deploy:'), expected: { ok: true, username: 'deploy', passwordLength: 0, passwordEndsWithNewline: false } },
  { name: 'detects a trailing newline left by echo', input: b64('deploy:secret\n'), expected: { ok: true, username: 'deploy', passwordLength: 7, passwordEndsWithNewline: true } },
  { name: 'does not flag a newline in the middle of the password', input: b64('deploy:sec\nret'), expected: { ok: true, username: 'deploy', passwordLength: 7, passwordEndsWithNewline: false } },
  { name: 'trims NUL bytes from both ends of the password', input: b64('deploy:\0secret\0\0'), expected: { ok: true, username: 'deploy', passwordLength: 6, passwordEndsWithNewline: false } },
  { name: 'skips line breaks inside the value, as Go\'s decoder does', input: `${b64('deploy:hunter22').slice(0, 8)}\r\n${b64('deploy:hunter22').slice(8)}\n`, expected: { ok: true, username: 'deploy', passwordLength: 8, passwordEndsWithNewline: false } },
  { name: 'counts the characters of a non-ASCII password and decodes a non-ASCII username as UTF-8', input: b64('jürgen:pässwörd✓'), expected: { ok: true, username: 'jürgen', passwordLength: 9, passwordEndsWithNewline: false } },
  { name: 'rejects a value without a colon', input: b64('deploy'), expected: { ok: false, reason: /no `:`/ } },
  { name: 'rejects an empty username', input: b64(':secret'), expected: { ok: false, reason: /empty username/ } },
  { name: 'rejects the URL-safe alphabet', input: b64('u:>>>???').replace(/\+/g, '-').replace(/\//g, '_'), expected: { ok: false, reason: /URL-safe/ } },
  { name: 'rejects a value without its padding', input: b64('deploy:abcd').replace(/=+$/, ''), expected: { ok: false, reason: /padd/ } },
  { name: 'rejects padding in the middle', input: `${b64('a:bc')}${b64('a:bc')}`, expected: { ok: false, reason: /padding before its end/ } },
  { name: 'rejects a space, which Go does not skip', input: `${b64('deploy:hunter22').slice(0, 4)} ${b64('deploy:hunter22').slice(4)}`, expected: { ok: false, reason: /character 5 is not in the base64 alphabet/ } },
  { name: 'rejects an empty value (docker/cli then reads username and password instead)', input: '', expected: { ok: false, reason: /is empty/ } },
];

describe('decodeAuth (§1.5)', () => {
  for (const { name, input, expected } of DECODE_CASES) {
    test(name, () => {
      const actual: AuthDecoding = decodeAuth(input);
      if (expected.ok) {
        assert.deepEqual(actual, expected);
      } else {
        assert.equal(actual.ok, false);
        if (!actual.ok) assert.match(actual.reason, expected.reason);
      }
    });
  }

  test('never returns the password or anything that contains it', () => {
    const password = 'S3cr3t-Planted-Pw!';
    for (const input of [b64(`deploy:${password}`), b64(`deploy:${password}\n`)]) {
      const text = JSON.stringify(decodeAuth(input));
      assert.ok(!text.includes(password), text);
      assert.ok(!text.includes(input.trim()), text);
    }
  });

  test('never quotes the value in a reason', () => {
    const value = 'c2VjcmV0LXZhbHVl_';
    const result = decodeAuth(value);
    assert.equal(result.ok, false);
    if (!result.ok) assert.ok(!result.reason.includes(value.slice(0, 8)), result.reason);
  });
});

describe('encodeAuth and revealPassword', () => {
  const ROUND_TRIPS: ReadonlyArray<{ name: string; input: [string, string]; expected: string }> = [
    { name: 'encodes user:password as standard padded base64', input: ['deploy', 'hunter22'], expected: b64('deploy:hunter22') },
    { name: 'encodes UTF-8 text', input: ['jürgen', 'pässwörd✓'], expected: b64('jürgen:pässwörd✓') },
    { name: 'encodes characters outside the BMP', input: ['emoji', '🔑🔑'], expected: b64('emoji:🔑🔑') },
    { name: 'uses + and / where standard base64 needs them', input: ['u', '>>>???'], expected: b64('u:>>>???') },
  ];
  for (const { name, input, expected } of ROUND_TRIPS) {
    test(name, () => {
      const encoded = encodeAuth(...input);
      assert.equal(encoded, expected);
      assert.equal(revealPassword(encoded), input[1]);
      const decoded = decodeAuth(encoded);
      assert.ok(decoded.ok && decoded.username === input[0] && decoded.passwordLength === [...input[1]].length);
    });
  }

  test('reveals nothing for a value that does not decode', () => {
    assert.equal(revealPassword(b64('no-colon')), undefined);
  });

  test('builds DOCKER_AUTH_CONFIG JSON for one registry', () => {
    assert.equal(buildDockerAuthConfig('registry.example.com:5000', 'deploy', 'hunter22'), `{"auths":{"registry.example.com:5000":{"auth":"${b64('deploy:hunter22')}"}}}`);
  });
});

describe('getUsernameProblem', () => {
  const cases: ReadonlyArray<{ name: string; input: string; expected: RegExp | undefined }> = [
    { name: 'refuses an empty username', input: '', expected: /empty/ },
    { name: 'refuses a username with a colon, which the decoder would split', input: 'a:b', expected: /first `:`/ },
    { name: 'accepts a robot account name with +', input: 'org+robot', expected: undefined },
  ];
  for (const { name, input, expected } of cases) {
    test(name, () => {
      const problem = getUsernameProblem(input);
      if (expected) assert.match(problem ?? '', expected);
      else assert.equal(problem, undefined);
    });
  }
});
