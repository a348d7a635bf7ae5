import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze } from '../helpers/analyze';
import { syntheticPipeline, warmUp, warmUpWhileIdle, type WarmUpSummary } from '../../server/src/service/warmUp';

test('the warm-up pipeline is a valid pipeline that exercises the rules', () => {
  const found = analyze('gitlab-ci', syntheticPipeline(40));
  assert.ok(!found.some((f) => f.code.startsWith('syntax/')), found.filter((f) => f.code.startsWith('syntax/')).map((f) => f.message).join('\n'));
  // Digest pinning, credentials, image and service rules all fire on it: they are what gets compiled.
  const codes = new Set(found.map((f) => f.code.split('/')[0]));
  assert.ok(codes.has('image') && codes.has('auth') && codes.has('service'), [...codes].join(', '));
});

test('the warm-up stops at its time budget after the first round', () => {
  let clock = 0;
  assert.equal(warmUp(10, 100, () => (clock += 1000)).rounds, 1);
  assert.equal(warmUp(2, 1e9).rounds, 2);
});

test('after the first round, the warm-up stops at the step where its budget runs out, in the middle of a round', () => {
  // The clock moves one millisecond each time it is read: the budget runs out on the fourth step of the second round.
  let clock = 0;
  const summary = warmUp(4, 5, () => clock++);
  // Completed: the first round only, with its ten edits re-analysed incrementally (the second's were not all made).
  assert.deepEqual(summary, { rounds: 1, incrementalAnalyses: 10 });
});

test('the warm-up also runs the re-analysis of only the edited jobs', () => {
  // Its pipeline is far below the size parsed in chunks by default: it forces the chunked parse.
  assert.ok(syntheticPipeline(40).length < 64 * 1024);
  assert.deepEqual(warmUp(1, 1e9), { rounds: 1, incrementalAnalyses: 10 });
});

describe('the warm-up while the server is idle', () => {
  /** Runs the scheduled rounds one at a time, as the event loop would. */
  function driver() {
    const queue: Array<() => void> = [];
    return { schedule: (next: () => void) => queue.push(next), runNext: () => queue.shift()?.(), get pending() { return queue.length; } };
  }

  test('runs nothing until the event loop turns, then one analysis per turn', () => {
    const loop = driver();
    let summary: WarmUpSummary | undefined;
    warmUpWhileIdle({ rounds: 2, budgetMs: 1e9, busy: () => false, schedule: loop.schedule, done: (s) => (summary = s) });
    assert.equal(loop.pending, 1);
    let turns = 0;
    while (loop.pending > 0) {
      loop.runNext();
      turns++;
    }
    // A round is the pipeline's analysis and ten edits, each on its own turn, and a turn
    // that closes it; one more turn sees that no round is left.
    assert.equal(turns, 2 * 12 + 1);
    assert.deepEqual(summary, { rounds: 2, incrementalAnalyses: 20 });
  });

  test('stops at its next turn once a document is open, in the middle of a round', () => {
    const loop = driver();
    let documentOpen = false;
    let summary: WarmUpSummary | undefined;
    warmUpWhileIdle({ rounds: 40, budgetMs: 1e9, busy: () => documentOpen, schedule: loop.schedule, done: (s) => (summary = s) });
    for (let turn = 0; turn < 14; turn++) loop.runNext();
    documentOpen = true;
    loop.runNext();
    assert.deepEqual(summary, { rounds: 1, incrementalAnalyses: 10 });
    assert.equal(loop.pending, 0);
  });

  test('stops once its time budget has passed', () => {
    const loop = driver();
    let clock = 0;
    let summary: WarmUpSummary | undefined;
    warmUpWhileIdle({ rounds: 40, budgetMs: 25_000, busy: () => false, schedule: loop.schedule, now: () => clock, done: (s) => (summary = s) });
    let turns = 0;
    while (loop.pending > 0) {
      loop.runNext();
      turns++;
      clock += 1000;
    }
    // 25 turns of work (two rounds of 12 turns, and the first analysis of the third), then the one that stops.
    assert.equal(turns, 26);
    assert.equal(summary?.rounds, 2);
  });
});
