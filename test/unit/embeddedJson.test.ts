/**
 * The JSON of DOCKER_AUTH_CONFIG, written in every YAML and TOML string style:
 * a JSON error and a hover target must land on the exact host characters.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LanguageService } from '../../server/src/service/languageService';
import { analyze, FILE_NAMES, makeContext, type Kind } from '../helpers/analyze';

interface StyleCase {
  readonly name: string;
  readonly kind: Kind;
  /** A host file whose JSON has an error: `"auth": }` (a value is missing). */
  readonly broken: string;
  /** The host text the error must cover. */
  readonly errorText: string;
  /** A host file with valid JSON. */
  readonly valid: string;
  /** The host text of the `auths` key that the hover must cover. */
  readonly keyText: string;
}

const AUTH = 'dXNlcjpwYXNz';

function yaml(scalar: string): string {
  return `variables:\n  DOCKER_AUTH_CONFIG: ${scalar}\n`;
}
function toml(value: string): string {
  return `[[runners]]\n  environment = [${value}]\n`;
}

const CASES: readonly StyleCase[] = [
  {
    name: 'a single-quoted YAML scalar with a doubled quote',
    kind: 'gitlab-ci',
    broken: yaml(`'{"auths": {"it''s.example.com": {"auth": }}}'`),
    errorText: '}',
    valid: yaml(`'{"auths": {"it''s.example.com": {"auth": "${AUTH}"}}}'`),
    keyText: `"it''s.example.com"`,
  },
  {
    name: 'a double-quoted YAML scalar with \\" escapes',
    kind: 'gitlab-ci',
    broken: yaml(`"{\\"auths\\": {\\"r.example.com\\": {\\"auth\\": }}}"`),
    errorText: '}',
    valid: yaml(`"{\\"auths\\": {\\"r.example.com\\": {\\"auth\\": \\"${AUTH}\\"}}}"`),
    keyText: '\\"r.example.com\\"',
  },
  {
    name: 'a double-quoted YAML scalar with \\u and \\\\ escapes',
    kind: 'gitlab-ci',
    broken: yaml(`"{\\"auths\\": {\\"r\\u002eexample.com\\": {\\"auth\\": \\"a\\\\\\\\b\\", }}}"`),
    errorText: '}',
    valid: yaml(`"{\\"auths\\": {\\"r\\u002eexample.com\\": {\\"auth\\": \\"${AUTH}\\"}}}"`),
    keyText: '\\"r\\u002eexample.com\\"',
  },
  {
    name: 'a literal block scalar',
    kind: 'gitlab-ci',
    broken: `variables:\n  DOCKER_AUTH_CONFIG: |\n    {\n      "auths": {\n        "r.example.com": {"auth": }\n      }\n    }\n`,
    errorText: '}',
    valid: `variables:\n  DOCKER_AUTH_CONFIG: |\n    {\n      "auths": {\n        "r.example.com": {"auth": "${AUTH}"}\n      }\n    }\n`,
    keyText: '"r.example.com"',
  },
  {
    name: 'a folded block scalar',
    kind: 'gitlab-ci',
    broken: `variables:\n  DOCKER_AUTH_CONFIG: >\n    {"auths":\n    {"r.example.com": {"auth": }}}\n`,
    errorText: '}',
    valid: `variables:\n  DOCKER_AUTH_CONFIG: >\n    {"auths":\n    {"r.example.com": {"auth": "${AUTH}"}}}\n`,
    keyText: '"r.example.com"',
  },
  {
    name: 'a TOML basic string with escapes',
    kind: 'runner-config',
    broken: toml(`"DOCKER_AUTH_CONFIG={\\"auths\\":{\\"r.example.com\\":{\\"auth\\": }}}"`),
    errorText: '}',
    valid: toml(`"DOCKER_AUTH_CONFIG={\\"auths\\":{\\"r.example.com\\":{\\"auth\\":\\"${AUTH}\\"}}}"`),
    keyText: '\\"r.example.com\\"',
  },
  {
    name: 'a TOML literal string',
    kind: 'runner-config',
    broken: toml(`'DOCKER_AUTH_CONFIG={"auths":{"r.example.com":{"auth": }}}'`),
    errorText: '}',
    valid: toml(`'DOCKER_AUTH_CONFIG={"auths":{"r.example.com":{"auth":"${AUTH}"}}}'`),
    keyText: '"r.example.com"',
  },
  {
    name: 'a TOML multi-line basic string with a line-ending backslash',
    kind: 'runner-config',
    broken: toml(`"""DOCKER_AUTH_CONFIG={\\"auths\\": \\\n    {\\"r.example.com\\":{\\"auth\\": }}}"""`),
    errorText: '}',
    valid: toml(`"""DOCKER_AUTH_CONFIG={\\"auths\\": \\\n    {\\"r.example.com\\":{\\"auth\\":\\"${AUTH}\\"}}}"""`),
    keyText: '\\"r.example.com\\"',
  },
  {
    name: 'a TOML multi-line literal string',
    kind: 'runner-config',
    broken: toml(`'''DOCKER_AUTH_CONFIG={"auths":\n{"r.example.com":{"auth": }}}'''`),
    errorText: '}',
    valid: toml(`'''DOCKER_AUTH_CONFIG={"auths":\n{"r.example.com":{"auth":"${AUTH}"}}}'''`),
    keyText: '"r.example.com"',
  },
];

function hoverRangeText(kind: Kind, text: string, offset: number): string | undefined {
  const document = TextDocument.create(FILE_NAMES[kind], 'plaintext', 1, text);
  const hover = new LanguageService().doHover(document, document.positionAt(offset), makeContext());
  return hover?.range ? text.slice(document.offsetAt(hover.range.start), document.offsetAt(hover.range.end)) : undefined;
}

describe('DOCKER_AUTH_CONFIG positions in every host string style', () => {
  for (const style of CASES) {
    test(`reports a JSON error at its exact host characters in ${style.name}`, () => {
      const found = analyze(style.kind, style.broken).filter((f) => f.code === 'auth/invalid-json');
      assert.ok(found.length > 0, 'no auth/invalid-json');
      // The parser stops at the first `}` after `auth`, where a value (or a property) is missing.
      const errorOffset = style.broken.indexOf('}', style.broken.indexOf('auth'));
      assert.equal(found[0]!.text, style.errorText);
      assert.deepEqual(found[0]!.diagnostic.range.start, TextDocument.create('u:', 'x', 1, style.broken).positionAt(errorOffset));
    });

    test(`hovers an auths key over its exact host characters in ${style.name}`, () => {
      const keyOffset = style.valid.indexOf(style.keyText);
      assert.notEqual(keyOffset, -1);
      assert.equal(hoverRangeText(style.kind, style.valid, keyOffset + 2), style.keyText);
    });
  }

  test('shows the username and the masked password length of an entry, never the password', () => {
    const text = CASES[1]!.valid;
    const document = TextDocument.create(FILE_NAMES['gitlab-ci'], 'plaintext', 1, text);
    const hover = new LanguageService().doHover(document, document.positionAt(text.indexOf('r.example.com')), makeContext());
    const value = (hover?.contents as { value: string }).value;
    assert.match(value, /\| Username \| `user` \|/);
    assert.match(value, /\| Password \| •••• \(4 characters\) \|/);
    assert.doesNotMatch(value, /pass(?!word)/);
  });
});
