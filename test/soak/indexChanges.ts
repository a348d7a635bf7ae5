/**
 * The workspace index through the real server: random disk changes reported as an editor's
 * file watcher reports them, opens, edits and closes; once quiet, the open documents'
 * diagnostics against a fresh server's over the same folder. The server-level companion of
 * test/unit/workspaceIndexChanges.test.ts (session 19: 2 of 40 seeds differed before its
 * fixes, and 1–2 before 9798b2e; none after).
 *
 *   node --import tsx test/soak/indexChanges.ts [--seeds 40] [--steps 40] [--first 1]
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chooser, drawWorkspace, presentTexts, WORKSPACE_PATHS, WORKSPACE_TEXTS } from '../helpers/includingWorkspaces';
import { Session, uriOf } from '../lsp/harness';
import { differenceFromFresh, languageOf, quiet, runSeeds, writeWorkspace } from './soak';

const FileChangeType = { Created: 1, Changed: 2, Deleted: 3 } as const;
const ACTIONS = ['write', 'write', 'delete', 'open', 'edit', 'close'] as const;

async function differenceAfterChanges(seed: number, steps: number): Promise<string | undefined> {
  const choose = chooser(seed);
  const root = writeWorkspace(drawWorkspace(choose));
  const session = await Session.start({ root });
  const open = new Set<string>();
  const changes: string[] = [];
  const withChanges = (difference: string | undefined) => difference && `${difference}\nchanges:\n  ${changes.join('\n  ')}`;
  try {
    for (let step = 0; step < steps; step++) {
      const path = choose(WORKSPACE_PATHS);
      const file = join(root, path);
      const uri = uriOf(file);
      const action = choose(ACTIONS);
      if (action === 'write' || action === 'delete') {
        const text = action === 'delete' ? undefined : choose(WORKSPACE_TEXTS[path]!);
        const existed = existsSync(file);
        if (text === undefined) rmSync(file, { force: true });
        else {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, text);
        }
        changes.push(`${action} ${path} ${JSON.stringify(text)}`);
        if (text === undefined && !existed) continue;
        const type = text === undefined ? FileChangeType.Deleted : existed ? FileChangeType.Changed : FileChangeType.Created;
        session.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type }] });
      } else if (action === 'open' && !open.has(path)) {
        const text = existsSync(file) ? readFileSync(file, 'utf8') : choose(presentTexts(path));
        open.add(path);
        session.open(uri, text, languageOf(path));
        changes.push(`open ${path} ${JSON.stringify(text)}`);
      } else if (action === 'edit' && open.has(path)) {
        const text = choose(presentTexts(path));
        session.change(uri, [{ text }]);
        changes.push(`edit ${path} ${JSON.stringify(text)}`);
      } else if (action === 'close' && open.has(path)) {
        open.delete(path);
        session.close(uri);
        changes.push(`close ${path}`);
      }
      // Some changes come in a burst, others a moment apart.
      if (choose([true, false, false])) await session.quiet(choose([5, 20, 60]));
      if (process.env.PULLGUARD_SOAK_EACH === '1') {
        await quiet(session);
        const early = await differenceFromFresh(session, root, open);
        if (early) return withChanges(`after change ${step}: ${early}`);
      }
    }
    await quiet(session);
    return withChanges(await differenceFromFresh(session, root, open));
  } finally {
    await session.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

runSeeds('index changes', { seeds: 40, steps: 40 }, differenceAfterChanges);
