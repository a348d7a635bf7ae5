/**
 * Messages that once quoted the user's text whole, credentials included: each case
 * is a file of test/unit/security/secretsEverywhere.test.ts with one character
 * deleted, as that test found it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze } from '../../helpers/analyze';

const SECRET = 'Ydkkrdhi+J9Pe3W/Qz59';

describe('messages quote no credential', () => {
  test('a YAML syntax error on a stray quote does not quote the rest of the file', () => {
    // `DOCKER_AUTH_CONFIG` lost its colon: the quoted value is an unexpected token.
    const text = `variables:\n  DOCKER_AUTH_CONFIG '{"auths": {"r.example.com": {"password": "${SECRET}"}}}'\nbuild:\n  image: redis:7\n`;
    const syntax = analyze('gitlab-ci', text).filter((f) => f.code === 'syntax/yaml');
    assert.ok(syntax.length > 0);
    for (const f of syntax) assert.ok(!f.message.includes(SECRET), f.message);
    assert.ok(syntax.some((f) => /^Unexpected .* token in YAML stream\./.test(f.message)), syntax.map((f) => f.message).join('\n'));
  });

  test('an environment entry without `=` is named by its leading variable name, not quoted whole', () => {
    const text = `[[runners]]\n  environment = ["DOCKER_AUTH_CONFIG{\\"auths\\":{\\"r.example.com\\":{\\"password\\":\\"${SECRET}\\"}}}", "{${SECRET}}"]\n`;
    const entries = analyze('runner-config', text).filter((f) => f.code === 'auth/environment-entry');
    assert.deepEqual(entries.map((f) => f.message.split(' has no')[0]), ['The `environment` entry `DOCKER_AUTH_CONFIG…`', 'This `environment` entry']);
    for (const f of entries) assert.ok(!f.message.includes(SECRET), f.message);
  });

  test('a YAML block scalar whose JSON slipped onto the header line is not quoted', () => {
    const text = `test:\n  image: redis:7\n  variables:\n    DOCKER_AUTH_CONFIG: |      {"auths": {"r.example.com": {"identitytoken": "${SECRET}", "email": "a@example.com"}}, "credsStore": "desktop"}\n  script: [make]\n`;
    const syntax = analyze('gitlab-ci', text).filter((f) => f.code === 'syntax/yaml');
    assert.ok(syntax.length > 0);
    for (const f of syntax) assert.ok(!f.message.includes(SECRET), f.message);
  });

  test('a block scalar header with extra characters is not quoted', () => {
    const text = `test:\n  variables:\n    DOCKER_AUTH_CONFIG: |x${SECRET}\n      {}\n`;
    const syntax = analyze('gitlab-ci', text).filter((f) => f.code === 'syntax/yaml');
    assert.ok(syntax.length > 0);
    for (const f of syntax) assert.ok(!f.message.includes(SECRET), f.message);
  });
});
