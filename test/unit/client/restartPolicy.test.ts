/** The client's policy when the language server dies: restart, tell once, give up on a crash loop. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RestartPolicy } from '../../../client/src/restartPolicy';

describe('server restart policy', () => {
  test('restarts the server and tells the user only the first time', () => {
    let now = 0;
    const policy = new RestartPolicy(4, 180_000, () => now);
    const first = policy.onClosed();
    assert.equal(first.restart, true);
    assert.match(first.message!, /stopped unexpectedly and was restarted/);
    now += 600_000;
    assert.deepEqual(policy.onClosed(), { restart: true, message: undefined });
  });

  test('gives up after more than 4 deaths within 3 minutes, saying so once', () => {
    let now = 0;
    const policy = new RestartPolicy(4, 180_000, () => now);
    for (let i = 0; i < 4; i++) {
      assert.equal(policy.onClosed().restart, true);
      now += 10_000;
    }
    const giveUp = policy.onClosed();
    assert.equal(giveUp.restart, false);
    assert.match(giveUp.message!, /stopped 5 times in 3 minutes and was not restarted again.*Reload Window/);
    assert.deepEqual(policy.onClosed(), { restart: false, message: undefined });
  });

  test('keeps restarting when the deaths are spread out', () => {
    let now = 0;
    const policy = new RestartPolicy(4, 180_000, () => now);
    for (let i = 0; i < 20; i++) {
      assert.equal(policy.onClosed().restart, true, `death ${i + 1}`);
      now += 60_000;
    }
  });

  test('continues after a few connection errors, then shuts the connection down', () => {
    const policy = new RestartPolicy();
    assert.equal(policy.onError(1), 'continue');
    assert.equal(policy.onError(3), 'continue');
    assert.equal(policy.onError(4), 'shutdown');
  });
});
