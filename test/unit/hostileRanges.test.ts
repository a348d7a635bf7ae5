/**
 * Ranges on hostile text: whatever a parser reports, a diagnostic never starts or
 * ends between the two UTF-16 halves of a surrogate pair (an editor cannot show half
 * a character). Found by the fuzzing suite (test/fuzz); each case is its shrunk
 * counterexample.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze } from '../helpers/analyze';

describe('ranges around characters outside the Basic Multilingual Plane', () => {
  test('a TOML syntax error on an emoji covers the whole emoji', () => {
    const found = analyze('runner-config', '😀');
    assert.deepEqual(found.map((f) => [f.code, f.text]), [['syntax/toml', '😀']]);
  });

  test('a TOML syntax error on a supplementary-plane letter before a runner table covers the whole letter', () => {
    const found = analyze('runner-config', '𐀀[[runners]]\n');
    assert.ok(found.length > 0);
    for (const f of found) assert.ok(!/^[\udc00-\udfff]/.test(f.text) && !/[\ud800-\udbff]$/.test(f.text), `${f.code} covers ${JSON.stringify(f.text)}`);
  });
});
