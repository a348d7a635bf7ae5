/**
 * The server's main thread answers the editor; V8's helper threads compile hot functions
 * (TurboFan) and mark and sweep the heap beside it. Node starts four helpers whatever the
 * machine (Electron, VS Code's own runtime, three), and a freshly started server gets
 * dozens of functions optimized at once, each compile taking milliseconds to tens of
 * milliseconds. On a 2-core machine the helpers then took the main thread's core: during
 * the first analysis of a 500-job pipeline they used 1.5 times the main thread's CPU time,
 * and the main thread spent 35–75 of its 120–170 ms waiting for a core
 * (`/proc/self/task/<tid>/schedstat`; bench/README.md, session 15).
 *
 * So, where the system allows it (Linux, where each thread has its own nice value), the
 * helpers run at a lower priority than the main thread: they use the cores the main thread
 * leaves, and give way when it needs one. Their work is still done, a little later when
 * the machine is busy; an optimized function that arrives later only means the
 * interpreter ran a little longer.
 */
import { getPriority, setPriority } from 'node:os';
import { readdirSync } from 'node:fs';

/** How much lower the helpers' priority is than the main thread's, in nice values. */
const HELPER_NICE_INCREMENT = 10;
/** The lowest priority Linux gives (the highest nice value). */
const LOWEST_PRIORITY = 19;

/** The nice value the helpers get when the main thread has `mainNice`. */
export function helperNice(mainNice: number): number {
  return Math.min(LOWEST_PRIORITY, mainNice + HELPER_NICE_INCREMENT);
}

/**
 * Lowers the scheduling priority of every thread of this process but the main one (see
 * above). Linux only; elsewhere, or where /proc cannot be read, it changes nothing. Threads
 * started later inherit the priority of the thread that starts them: those the main thread
 * starts (libuv's file-system threads) keep its priority.
 */
export function lowerHelperThreadPriority(): void {
  if (process.platform !== 'linux') return;
  let threads: string[];
  try {
    threads = readdirSync('/proc/self/task');
  } catch {
    return;
  }
  const nice = helperNice(getPriority());
  for (const thread of threads) {
    const tid = Number(thread);
    if (!Number.isInteger(tid) || tid === process.pid) continue;
    try {
      // On Linux a thread id names that thread alone to setpriority(2).
      if (getPriority(tid) < nice) setPriority(tid, nice);
    } catch {
      // The thread ended since the folder was read, or its priority is not ours to change.
    }
  }
}
