/**
 * Settings changed while files are open, through the real server: random pinning levels,
 * rule severities, variables, pipeline file patterns, runner platform and `ciRegistry`, with
 * edits between; once quiet, the open documents' diagnostics against a fresh server started
 * with the final settings (session 19: none of 80 seeds differed).
 *
 *   node --import tsx test/soak/settingsChanges.ts [--seeds 20] [--steps 12] [--first 1]
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { chooser, drawWorkspace, presentTexts } from '../helpers/includingWorkspaces';
import { Session, uriOf } from '../lsp/harness';
import { differenceFromFresh, languageOf, quiet, runSeeds, writeWorkspace } from './soak';

const DEFAULT_PIPELINE_GLOBS = ['**/.gitlab-ci.yml', '**/*.gitlab-ci.yml', '**/.gitlab/ci/**/*.yml'];

function randomSettings(choose: <T>(list: readonly T[]) => T): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  if (choose([true, false])) settings.pinning = choose(['off', 'hint', 'information', 'warning', 'error']);
  if (choose([true, false])) settings.rules = choose([{}, { 'image/latest-tag': 'off' }, { 'auth/no-credentials': 'error', 'image/not-pinned': 'hint' }, { 'runner/image-not-allowed': 'off' }]);
  if (choose([true, false])) settings.variables = choose([{}, { IMG: 'node:22' }, { FROM_K8S: '*' }, { IMG: '*', FROM_K8S: 'ghcr.io/a/b:1' }]);
  if (choose([true, false, false])) settings.files = { gitlabCi: choose([DEFAULT_PIPELINE_GLOBS, [...DEFAULT_PIPELINE_GLOBS, '**/ci/*.yml'], ['**/.gitlab-ci.yml']]) };
  if (choose([true, false])) settings.runner = { platform: choose(['linux', 'windows']), hosted: choose([true, false]) };
  if (choose([true, false, false])) settings.ciRegistry = choose(['registry.gitlab.com', 'registry.example.com']);
  return settings;
}

async function differenceAfterChanges(seed: number, steps: number): Promise<string | undefined> {
  const choose = chooser(seed);
  const files = drawWorkspace(choose);
  const root = writeWorkspace(files);
  let settings = randomSettings(choose);
  const session = await Session.start({ root, settings });
  const open = new Set<string>();
  for (const [path, text] of files) {
    if (!choose([true, true, false])) continue;
    open.add(path);
    session.open(uriOf(join(root, path)), text, languageOf(path));
  }
  const changes = [`settings ${JSON.stringify(settings)}`, `open ${[...open].join(', ')}`];
  try {
    for (let step = 0; step < steps; step++) {
      const action = choose(['settings', 'settings', 'edit', 'pause'] as const);
      if (action === 'settings') {
        settings = randomSettings(choose);
        session.changeSettings(settings);
        changes.push(`settings ${JSON.stringify(settings)}`);
      } else if (action === 'edit' && open.size > 0) {
        const path = choose([...open]);
        const text = choose(presentTexts(path));
        session.change(uriOf(join(root, path)), [{ text }]);
        changes.push(`edit ${path} ${JSON.stringify(text)}`);
      } else {
        await session.quiet(choose([5, 30, 120]));
      }
    }
    await quiet(session);
    const difference = await differenceFromFresh(session, root, open, settings);
    return difference && `${difference}\nchanges:\n  ${changes.join('\n  ')}`;
  } finally {
    await session.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

runSeeds('settings changes', { seeds: 20, steps: 12 }, differenceAfterChanges);
