/**
 * The diagnostics an editor pulls are those a server publishes: the same random edits go to
 * two servers, one whose client pulls (VS Code's way: `textDocument/diagnostic` naming the
 * result id of the list it has, keeping that list when the answer is `unchanged`), one that
 * publishes. After each pull the client's list is the published one. The pulls come after
 * some edits only, as an editor skips them while the user types: an `unchanged` answer must
 * then really mean the list the client has. Edits are one to three changes each, anywhere
 * in the file, some of them breaking the YAML.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Diagnostic, Position } from 'vscode-languageserver';
import { generatePipeline } from '../../bench/generate';
import { chooser } from '../helpers/includingWorkspaces';
import { diagnosticLine, Session, uriOf, useTempWorkspace, writeTextFile } from './harness';

const workspace = useTempWorkspace('pullguard-lsp-pull-push-');

const SNIPPETS = ['image: alpine:latest', '\n', '  ', ':', '*tpl', '&tpl ', 'extends: .base', 'x', '\n  image: redis\n', '<<: *defaults\n', '- ', '"', '#', 'services: [mysql:8]', '\njob-new:\n  image: node:20\n  script: [a]\n', '$CI_REGISTRY_IMAGE/app:1', ''];

function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) };
}

describe('pulled and published diagnostics', () => {
  test('agree after random edits, pulled now and then with the last result id', async () => {
    for (const seed of [1, 2, 3]) {
      const choose = chooser(seed);
      const root = workspace.next();
      const path = join(root, '.gitlab-ci.yml');
      let text = generatePipeline({ jobs: 12, anchors: seed % 2 === 0, seed });
      writeTextFile(path, text);
      const uri = uriOf(path);
      const pushing = await Session.start({ root });
      const pulling = await Session.start({ root, pull: true });
      pushing.open(uri, text);
      pulling.open(uri, text);
      let items: Diagnostic[] = [];
      let resultId: string | undefined;
      for (let step = 0; step <= 40; step++) {
        if (step > 0) {
          const changes = [];
          for (let count = choose([1, 2, 3]); count > 0; count--) {
            const start = Math.floor(choose([0, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 1]) * text.length);
            const end = Math.min(text.length, start + choose([0, 1, 3, 12]));
            const inserted = choose(SNIPPETS);
            changes.push({ range: { start: positionAt(text, start), end: positionAt(text, end) }, text: inserted });
            text = text.slice(0, start) + inserted + text.slice(end);
          }
          pushing.change(uri, changes);
          pulling.change(uri, changes);
        }
        const published = await pushing.waitForCurrent(uri);
        if (step > 0 && step < 40 && choose([true, false])) continue;
        const report = await pulling.pull(uri, undefined, resultId);
        if (report.kind === 'full') items = report.items;
        resultId = report.resultId;
        assert.deepEqual(items.map(diagnosticLine), published.diagnostics.map(diagnosticLine), `seed ${seed}, after edit ${step} (a ${report.kind} report)`);
      }
      assert.deepEqual([...pushing.errorLogs(), ...pulling.errorLogs()], []);
      assert.equal(await pushing.stop(), 0);
      assert.equal(await pulling.stop(), 0);
    }
  });
});
