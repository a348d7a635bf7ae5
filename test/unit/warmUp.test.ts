import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../helpers/analyze';
import { syntheticPipeline, warmUp } from '../../server/src/service/warmUp';

test('the warm-up pipeline is a valid pipeline that exercises the rules', () => {
  const found = analyze('gitlab-ci', syntheticPipeline(40));
  assert.ok(!found.some((f) => f.code.startsWith('syntax/')), found.filter((f) => f.code.startsWith('syntax/')).map((f) => f.message).join('\n'));
  // Digest pinning, credentials and image rules all fire on it: they are what gets compiled.
  const codes = new Set(found.map((f) => f.code.split('/')[0]));
  assert.ok(codes.has('image') && codes.has('auth'), [...codes].join(', '));
});

test('the warm-up stops at its time budget after the first round', () => {
  let clock = 0;
  assert.equal(warmUp(10, 100, () => (clock += 1000)).rounds, 1);
  assert.equal(warmUp(2, 1e9).rounds, 2);
});

test('the warm-up also runs the re-analysis of only the edited jobs', () => {
  // Its pipeline is far below the size parsed in chunks by default: it forces the chunked parse.
  assert.ok(syntheticPipeline(40).length < 64 * 1024);
  assert.deepEqual(warmUp(1, 1e9), { rounds: 1, incrementalAnalyses: 10 });
});
