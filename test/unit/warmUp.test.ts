import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze } from '../helpers/analyze';
import { syntheticPipeline, warmUp, warmUpWhileIdle, WORKSPACE_PIPELINE_ANALYSES, type IdleWarmUpSummary, type WarmUpSummary, type WorkspacePipeline } from '../../server/src/service/warmUp';
import { EMPTY_WORKSPACE } from '../../server/src/service/model/workspace';
import { DEFAULT_SETTINGS } from '../../server/src/service/settings';

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
  /** Runs the scheduled steps one at a time, as the event loop would, and keeps the delay each asked for. */
  function driver() {
    const queue: Array<{ next: () => void; delayMs: number }> = [];
    return {
      schedule: (next: () => void, delayMs: number) => queue.push({ next, delayMs }),
      /** Runs the next scheduled step; returns the delay it was scheduled with. */
      runNext: () => {
        const scheduled = queue.shift()!;
        scheduled.next();
        return scheduled.delayMs;
      },
      get pending() {
        return queue.length;
      },
      /** Runs the scheduled steps until none is left; returns how many turns that took. */
      runAll(): number {
        let turns = 0;
        for (; queue.length > 0; turns++) this.runNext();
        return turns;
      },
    };
  }

  test('runs nothing until the event loop turns, then one analysis per turn', () => {
    const loop = driver();
    let summary: IdleWarmUpSummary | undefined;
    warmUpWhileIdle({ rounds: 2, budgetMs: 1e9, busy: () => false, waitMs: 300, schedule: loop.schedule, done: (s) => (summary = s) });
    assert.equal(loop.pending, 1);
    let turns = 0;
    while (loop.pending > 0) {
      assert.equal(loop.runNext(), 0);
      turns++;
    }
    // A round is the pipeline's analysis and ten edits, each on its own turn, and a turn
    // that closes it; one more turn sees that no round is left.
    assert.equal(turns, 2 * 12 + 1);
    assert.deepEqual(summary, { rounds: 2, incrementalAnalyses: 20, workspaceAnalyses: 0 });
  });

  test('with a time slice, runs analyses in one turn until the slice has passed', () => {
    const loop = driver();
    let clock = 0;
    let summary: WarmUpSummary | undefined;
    // The clock moves one millisecond each time it is read: once before a turn's analyses and once after each.
    warmUpWhileIdle({ rounds: 2, budgetMs: 1e9, busy: () => false, waitMs: 300, sliceMs: 5, schedule: loop.schedule, now: () => ++clock, done: (s) => (summary = s) });
    const turns = loop.runAll();
    // Five of the 24 steps per turn (the last turn has four and ends the second round), then the turn that stops.
    assert.equal(turns, 5 + 1);
    assert.deepEqual(summary, { rounds: 2, incrementalAnalyses: 20, workspaceAnalyses: 0 });
  });

  test('waits while the server is busy, and goes on where it was once it is idle again', () => {
    const loop = driver();
    let busy = false;
    let summary: IdleWarmUpSummary | undefined;
    warmUpWhileIdle({ rounds: 2, budgetMs: 1e9, busy: () => busy, waitMs: 300, schedule: loop.schedule, done: (s) => (summary = s) });
    // The first round and two analyses of the second.
    for (let turn = 0; turn < 14; turn++) loop.runNext();
    // A document opened, a keystroke: the turn already scheduled analyses nothing, and the
    // warm-up asks again after each wait for as long as the server stays busy.
    busy = true;
    assert.equal(loop.runNext(), 0);
    for (let wait = 0; wait < 3; wait++) assert.equal(loop.runNext(), 300);
    assert.equal(loop.pending, 1);
    assert.equal(summary, undefined);
    busy = false;
    const turns = loop.runAll();
    // The ten steps of the second round left, and the turn that sees no round left.
    assert.equal(turns, 10 + 1);
    assert.deepEqual(summary, { rounds: 2, incrementalAnalyses: 20, workspaceAnalyses: 0 });
  });

  test('then analyses the workspace\'s own pipelines, asked for only then, one analysis per turn', () => {
    const loop = driver();
    let asked = 0;
    let summary: IdleWarmUpSummary | undefined;
    const context = { settings: DEFAULT_SETTINGS, workspace: EMPTY_WORKSPACE };
    const pipelines: WorkspacePipeline[] = [
      { uri: 'file:///p/.gitlab-ci.yml', text: 'build:\n  image: node:20\n  script: [make]\n', context },
      { uri: 'file:///p/sub/.gitlab-ci.yml', text: 'test:\n  image: python:3.12\n  script: [pytest]\n', context },
    ];
    warmUpWhileIdle({
      rounds: 1, budgetMs: 1e9, busy: () => false, waitMs: 300, schedule: loop.schedule,
      workspacePipelines: () => {
        asked++;
        return pipelines;
      },
      done: (s) => (summary = s),
    });
    // The synthetic round: its analysis and ten edits, and the turn that closes it. Not asked yet.
    for (let turn = 0; turn < 12; turn++) loop.runNext();
    assert.equal(asked, 0);
    const turns = loop.runAll();
    assert.equal(asked, 1);
    // Each pipeline WORKSPACE_PIPELINE_ANALYSES times, one per turn, and the turn that sees none left.
    assert.equal(turns, pipelines.length * WORKSPACE_PIPELINE_ANALYSES + 1);
    assert.deepEqual(summary, { rounds: 1, incrementalAnalyses: 10, workspaceAnalyses: pipelines.length * WORKSPACE_PIPELINE_ANALYSES });
  });

  test('the workspace\'s pipelines fill a slice as the rounds do, and stop when none is left', () => {
    const loop = driver();
    let clock = 0;
    let summary: IdleWarmUpSummary | undefined;
    const context = { settings: DEFAULT_SETTINGS, workspace: EMPTY_WORKSPACE };
    const pipeline = { uri: 'file:///p/.gitlab-ci.yml', text: 'build:\n  image: node:20\n  script: [make]\n', context };
    // No synthetic round; the clock moves one millisecond each time it is read (once before a
    // turn's analyses, once after each), so a 4 ms slice holds four analyses.
    warmUpWhileIdle({
      rounds: 0, budgetMs: 1e9, busy: () => false, waitMs: 300, sliceMs: 4, schedule: loop.schedule, now: () => ++clock,
      workspacePipelines: () => [pipeline], done: (s) => (summary = s),
    });
    const turns = loop.runAll();
    // 10 analyses in turns of 4, 4 and 2, then the turn that finds none left.
    assert.equal(turns, 3 + 1);
    assert.deepEqual(summary, { rounds: 0, incrementalAnalyses: 0, workspaceAnalyses: WORKSPACE_PIPELINE_ANALYSES });
  });

  test('the workspace\'s pipelines wait while the server is busy, and are analysed after the time budget too', () => {
    const loop = driver();
    let busy = false;
    let clock = 0;
    let summary: IdleWarmUpSummary | undefined;
    const context = { settings: DEFAULT_SETTINGS, workspace: EMPTY_WORKSPACE };
    // Each reading of the clock moves it by the whole budget: the synthetic part stops after its first turn.
    warmUpWhileIdle({
      rounds: 40, budgetMs: 10, busy: () => busy, waitMs: 300, schedule: loop.schedule, now: () => (clock += 10),
      workspacePipelines: () => [{ uri: 'file:///p/.gitlab-ci.yml', text: 'build:\n  image: node:20\n  script: [make]\n', context }],
      done: (s) => (summary = s),
    });
    loop.runNext();
    loop.runNext();
    busy = true;
    assert.equal(loop.runNext(), 0);
    assert.equal(loop.runNext(), 300);
    busy = false;
    loop.runAll();
    assert.deepEqual(summary, { rounds: 0, incrementalAnalyses: 0, workspaceAnalyses: WORKSPACE_PIPELINE_ANALYSES });
  });

  test('stops once it has spent its time budget, not counting the waits', () => {
    const loop = driver();
    let clock = 0;
    let turns = 0;
    let summary: WarmUpSummary | undefined;
    // An analysis reads the clock before and after: 500 ms each. A wait lets a minute pass.
    const now = () => (clock += 500);
    const schedule = (next: () => void, delayMs: number) => loop.schedule(() => {
      if (delayMs > 0) clock += 60_000;
      next();
    }, delayMs);
    warmUpWhileIdle({ rounds: 40, budgetMs: 12_500, busy: () => turns % 5 === 4, waitMs: 300, schedule, now, done: (s) => (summary = s) });
    while (loop.pending > 0) {
      loop.runNext();
      turns++;
    }
    // 25 analyses (two rounds of 12 turns, and the first analysis of the third), a wait on
    // every fifth turn (6 of them), and the turn that stops.
    assert.equal(turns, 25 + 6 + 1);
    assert.equal(summary?.rounds, 2);
  });
});
