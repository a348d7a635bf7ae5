/**
 * How the language server's runtime is started: by the VS Code client (extension.ts), and
 * by the benchmark (bench/bench.ts), which starts the server as the client does.
 */
import { availableParallelism } from 'node:os';

/** The helper threads Node gives V8 whatever the machine. */
const NODE_DEFAULT_V8_POOL_SIZE = 4;

/**
 * The Node options of the server process.
 *
 * `--v8-pool-size`: V8's helper threads compile hot functions (TurboFan) and mark, sweep and
 * scavenge the heap beside the main thread, the one that answers the editor. A freshly
 * started server gets dozens of functions compiled at once, each compile taking milliseconds
 * to tens of milliseconds; with Node's four helpers on a 2-core machine they took the main
 * thread's core: during the first analysis of a 500-job pipeline the helpers used 1.5 times
 * the main thread's CPU time, and the main thread waited 35–75 of its 120–170 ms for a core
 * (/proc/<pid>/task/<tid>/schedstat). With one helper per core besides the main thread's (at
 * most Node's four) it waited none, and a 500-job pipeline opened in a fresh server took
 * ~30% less time (bench/README.md, session 15). Lowering the helpers' priority instead
 * starved them when other programs kept the cores busy. Node honours the option (VS Code's
 * remote and browser-based hosts run extensions on Node); Electron, which runs them in VS
 * Code desktop, creates V8's threads itself and may ignore it.
 */
export function serverNodeOptions(cores: number = availableParallelism()): string[] {
  const helpers = Math.min(NODE_DEFAULT_V8_POOL_SIZE, Math.max(1, cores - 1));
  return [`--v8-pool-size=${helpers}`];
}
