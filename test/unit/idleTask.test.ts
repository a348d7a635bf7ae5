import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { IdleTask } from '../../server/src/utils/idleTask';

describe('IdleTask', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  /** An IdleTask of 300 ms that counts its runs. */
  function counted(isBusy: () => boolean) {
    let runs = 0;
    const idle = new IdleTask(() => runs++, isBusy, 300);
    return { idle, runs: () => runs };
  }

  test('runs the task once the wait has passed and the server is idle, not before', () => {
    const { idle, runs } = counted(() => false);
    idle.schedule();
    mock.timers.tick(299);
    assert.equal(runs(), 0);
    mock.timers.tick(1);
    assert.equal(runs(), 1);
    mock.timers.tick(10_000);
    assert.equal(runs(), 1);
  });

  test('waits again for as long as the server is busy', () => {
    let busy = true;
    const { idle, runs } = counted(() => busy);
    idle.schedule();
    mock.timers.tick(900);
    assert.equal(runs(), 0);
    busy = false;
    mock.timers.tick(299);
    assert.equal(runs(), 0);
    mock.timers.tick(1);
    assert.equal(runs(), 1);
  });

  test('a burst of calls runs the task once, after the last', () => {
    const { idle, runs } = counted(() => false);
    for (let call = 0; call < 5; call++) {
      idle.schedule();
      mock.timers.tick(200);
    }
    assert.equal(runs(), 0);
    mock.timers.tick(100);
    assert.equal(runs(), 1);
  });
});
