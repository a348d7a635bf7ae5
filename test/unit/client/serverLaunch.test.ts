/**
 * The Node options the client starts the server with (client/src/serverLaunch.ts): V8's
 * helper threads sized by the machine, and a Node that takes the option.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { serverNodeOptions } from '../../../client/src/serverLaunch';

/** The threads of a Node process started with `options`, as it counts them itself (Linux). */
function nodeThreadCount(options: readonly string[]): number {
  const run = spawnSync(process.execPath, [...options, '-e', "process.stdout.write(String(require('node:fs').readdirSync('/proc/self/task').length))"], { encoding: 'utf8' });
  assert.equal(run.status, 0, `node ${options.join(' ')} failed: ${run.stderr}`);
  return Number(run.stdout);
}

describe('the server process options', () => {
  test('one V8 helper thread per core besides the main thread, at least one and at most Node\'s four', () => {
    const helpers = (cores: number): string[] => serverNodeOptions(cores);
    assert.deepEqual(helpers(1), ['--v8-pool-size=1']);
    assert.deepEqual(helpers(2), ['--v8-pool-size=1']);
    assert.deepEqual(helpers(3), ['--v8-pool-size=2']);
    assert.deepEqual(helpers(4), ['--v8-pool-size=3']);
    assert.deepEqual(helpers(5), ['--v8-pool-size=4']);
    assert.deepEqual(helpers(64), ['--v8-pool-size=4']);
  });

  test('Node takes the options: with those for 2 cores it starts one V8 helper thread instead of four (Linux)', { skip: process.platform !== 'linux' && 'threads are counted in /proc' }, () => {
    const withOptions = nodeThreadCount(serverNodeOptions(2));
    const withDefaults = nodeThreadCount([]);
    // Node's four helpers against one: three threads fewer.
    assert.equal(withDefaults - withOptions, 3, `threads: ${withOptions} with the options, ${withDefaults} without`);
  });
});
