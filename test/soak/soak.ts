/**
 * What the soak checks share: the real server over a folder (the LSP tests' Session), waited
 * on until it is quiet, and its open documents' diagnostics compared with those of a fresh
 * server that opens the same documents over the same folder. The checks drive random
 * changes through the server, which settles in its own time (a watcher's report is read
 * again 500 ms later), so they wait with timers: they are run by hand, not in a suite
 * (`npm run soak`).
 *
 * `PULLGUARD_LSP_SERVER` runs them against another build; `PULLGUARD_SOAK_EACH=1` compares
 * after every change instead of once at the end (slower; a difference that shows only at
 * the end came from changes in a burst).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PublishDiagnosticsParams } from 'vscode-languageserver';
import { diagnosticLine, Session, uriOf } from '../lsp/harness';

/** Past the server's re-read of a reported file (500 ms) and its debounce. */
const QUIET_MS = 900;

/** A fresh folder holding `files` (path from the root → text). */
export function writeWorkspace(files: ReadonlyMap<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pullguard-soak-'));
  for (const [path, text] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

export function languageOf(path: string): string {
  return path.endsWith('.json') ? 'json' : path.endsWith('.toml') ? 'toml' : 'yaml';
}

/** Waits until the server has handled everything and settled. */
export async function quiet(session: Session): Promise<void> {
  await session.quiet(QUIET_MS);
  // A request answered: every message before it is handled (an unknown method is answered with an error).
  await session.client.request('pullguard/soakBarrier').catch(() => undefined);
}

function lines(published: PublishDiagnosticsParams | undefined): string[] {
  return (published?.diagnostics ?? []).map(diagnosticLine);
}

/**
 * Compares what `kept` published last for each of the `open` documents (paths under `root`)
 * with what a fresh server over the same folder, with `settings`, publishes for the same
 * texts. Returns the first difference, or undefined.
 */
export async function differenceFromFresh(kept: Session, root: string, open: ReadonlySet<string>, settings: unknown = {}): Promise<string | undefined> {
  const fresh = await Session.start({ root, settings });
  try {
    for (const path of open) fresh.open(uriOf(join(root, path)), kept.text(uriOf(join(root, path))), languageOf(path));
    await quiet(fresh);
    for (const path of open) {
      const uri = uriOf(join(root, path));
      const last = kept.lastPublished(uri);
      if (last && last.version !== kept.version(uri)) return `${path}: the last diagnostics are of version ${last.version}, not ${kept.version(uri)}`;
      const [mine, theirs] = [lines(last), lines(fresh.lastPublished(uri))];
      if (JSON.stringify(mine) !== JSON.stringify(theirs)) return `${path} differs\n  kept:  ${mine.join('\n         ')}\n  fresh: ${theirs.join('\n         ')}`;
    }
    const errors = kept.errorLogs();
    return errors.length > 0 ? `errors logged: ${errors.join(' | ')}` : undefined;
  } finally {
    await fresh.stop();
  }
}

/**
 * Runs a check over the seeds the command line names (`--seeds N --steps N --first N`),
 * printing each difference, then a summary line; the exit code is 1 when any seed differed.
 */
export function runSeeds(what: string, defaults: { seeds: number; steps: number }, check: (seed: number, steps: number) => Promise<string | undefined>): void {
  const run = async (): Promise<number> => {
    const { seeds, steps, first } = readCounts(defaults);
    let differing = 0;
    for (let seed = first; seed < first + seeds; seed++) {
      const difference = await check(seed, steps);
      if (!difference) continue;
      differing++;
      console.log(`seed ${seed}: ${difference}\n`);
    }
    console.log(`${what}: ${differing} of ${seeds} seeds differ from a fresh server`);
    return differing === 0 ? 0 : 1;
  };
  void run().then((code) => (process.exitCode = code));
}

/** `--seeds N --steps N --first N` from the command line, with defaults. */
function readCounts(defaults: { seeds: number; steps: number }): { seeds: number; steps: number; first: number } {
  const value = (flag: string, fallback: number): number => {
    const at = process.argv.indexOf(flag);
    const parsed = at === -1 ? fallback : Number(process.argv[at + 1]);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${flag} takes a positive whole number`);
    return parsed;
  };
  return { seeds: value('--seeds', defaults.seeds), steps: value('--steps', defaults.steps), first: value('--first', 1) };
}
