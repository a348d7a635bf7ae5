/**
 * Runs a request handler so that an exception is logged and answered with a
 * fallback, never thrown into the connection (after vscode's json server).
 */
import type { CancellationToken, Connection } from 'vscode-languageserver';

function log(connection: Connection, what: string, error: unknown): void {
  const detail = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
  connection.console.error(`Pullguard: error while ${what}: ${detail}`);
}

export function runSafe<T>(run: () => T, fallback: T, what: string, connection: Connection): T {
  try {
    return run();
  } catch (error) {
    log(connection, what, error);
    return fallback;
  }
}

/** Like `runSafe`, after yielding once so that a newer request can cancel this one. */
export function runSafeAsync<T>(token: CancellationToken, run: () => T, fallback: T, what: string, connection: Connection): Promise<T> {
  return new Promise((resolve) => {
    setImmediate(() => {
      if (token.isCancellationRequested) {
        resolve(fallback);
        return;
      }
      resolve(runSafe(run, fallback, what, connection));
    });
  });
}

/** Runs a background task (no request behind it), logging a failure instead of rejecting. */
export async function runSafeAsyncTask(run: () => Promise<void>, what: string, connection: Connection): Promise<void> {
  try {
    await run();
  } catch (error) {
    log(connection, what, error);
  }
}
