import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskSecret } from '../../server/src/service/text/secret';

test('a secret is shown as its length only, in a sentence that reads right for one character', () => {
  assert.equal(maskSecret(1), '•••• (1 character)');
  assert.equal(maskSecret(16), '•••• (16 characters)');
});
