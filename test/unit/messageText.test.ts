import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../helpers/analyze';
import { syntheticPipeline } from '../../server/src/service/warmUp';

/**
 * A pipeline gets these findings by the thousand (not pinned, no credentials, a
 * committed secret). One character outside Latin-1 in any of their messages makes the
 * whole publish of the document's diagnostics a two-byte string, which is slower to
 * encode and for the editor to decode (comment in credentials/sources.ts).
 */
test('the messages of the findings large pipelines get in numbers are Latin-1 text', () => {
  const found = analyze('gitlab-ci', syntheticPipeline(40));
  const codes = new Set(found.map((f) => f.code));
  for (const expected of ['image/not-pinned', 'auth/no-credentials', 'auth/committed-secret', 'image/latest-tag']) assert.ok(codes.has(expected), `the pipeline gets ${expected}`);
  const outside = found.filter((f) => /[^\x00-\xff]/.test(f.message)).map((f) => `${f.code}: ${f.message}`);
  assert.deepEqual(outside, []);
});
