/**
 * The workspace index through the real server: random disk changes reported as an editor's
 * file watcher reports them, opens, edits and closes; once quiet, the open documents'
 * diagnostics against a fresh server's over the same folder. The server-level companion of
 * test/unit/workspaceIndexChanges.test.ts (session 19: 2 of 40 seeds differed before its
 * fixes, none after).
 *
 *   node --import tsx test/soak/indexChanges.ts [--seeds 40] [--steps 40] [--first 1]
 */
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chooser, drawWorkspace, presentTexts, WORKSPACE_PATHS, WORKSPACE_TEXTS } from '../helpers/includingWorkspaces';
import { differenceFromFresh, languageOf, quiet, runSeeds, sleep, startServer, writeWorkspace } from './soak';

const FileChangeType = { Created: 1, Changed: 2, Deleted: 3 } as const;
const ACTIONS = ['write', 'write', 'delete', 'open', 'edit', 'close'] as const;

async function differenceAfterChanges(seed: number, steps: number): Promise<string | undefined> {
  const choose = chooser(seed);
  const root = writeWorkspace(drawWorkspace(choose));
  const server = await startServer(root);
  const open = new Map<string, { text: string; version: number }>();
  const changes: string[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      const path = choose(WORKSPACE_PATHS);
      const file = join(root, path);
      const uri = server.uriOf(path);
      const action = choose(ACTIONS);
      const document = open.get(path);
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
        server.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type }] });
      } else if (action === 'open' && !document) {
        const text = existsSync(file) ? readFileSync(file, 'utf8') : choose(presentTexts(path));
        open.set(path, { text, version: 1 });
        server.client.didOpen(uri, languageOf(path), text, 1);
        changes.push(`open ${path} ${JSON.stringify(text)}`);
      } else if (action === 'edit' && document) {
        const text = choose(presentTexts(path));
        open.set(path, { text, version: document.version + 1 });
        server.client.didChange(uri, document.version + 1, [{ text }]);
        changes.push(`edit ${path} ${JSON.stringify(text)}`);
      } else if (action === 'close' && document) {
        open.delete(path);
        server.client.didClose(uri);
        changes.push(`close ${path}`);
      }
      // Some changes come in a burst, others a moment apart.
      if (choose([true, false, false])) await sleep(choose([5, 20, 60]));
      if (process.env.PULLGUARD_SOAK_EACH === '1') {
        await quiet(server);
        const early = await differenceFromFresh(server, root, open);
        if (early) return `after change ${step}: ${early}\nchanges:\n  ${changes.join('\n  ')}`;
      }
    }
    await quiet(server);
    const difference = await differenceFromFresh(server, root, open);
    return difference && `${difference}\nchanges:\n  ${changes.join('\n  ')}`;
  } finally {
    await server.client.shutdown();
    rmSync(root, { recursive: true, force: true });
  }
}

runSeeds('index changes', { seeds: 40, steps: 40 }, differenceAfterChanges);
