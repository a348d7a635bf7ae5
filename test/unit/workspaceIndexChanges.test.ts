/**
 * The workspace index kept up to date change by change, as the server keeps it (the
 * watcher's reports, opens, edits and closes), must hold what a fresh index of the same
 * state holds, as a server started now would build it: the same configs, the same
 * included patterns and files, and the same diagnostics for every pipeline. Random
 * sequences of changes over a small workspace whose files include one another, with
 * fixed seeds. Three bugs were found this way (bench/README.md, session 19): a YAML file
 * open before a pipeline included it was never found by the include; a template's own
 * includes went on counting after its includer was deleted; and deleting an included file
 * recorded unread left it in the view.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LanguageService } from '../../server/src/service/languageService';
import { isPathIncluded, WorkspaceIndex, type WorkspaceView } from '../../server/src/service/model/workspace';
import { DEFAULT_SETTINGS } from '../../server/src/service/settings';
import { chooser, drawWorkspace, presentTexts, WORKSPACE_PATHS, WORKSPACE_TEXTS } from '../helpers/includingWorkspaces';

const settings = DEFAULT_SETTINGS;
const ROOT = '/w';
const PIPELINES = ['.gitlab-ci.yml', 'sub/.gitlab-ci.yml'];
const ACTIONS = ['write', 'write', 'delete', 'open', 'edit', 'close'] as const;

const uriOf = (path: string) => `file://${ROOT}/${path}`;

/** What an analysis may read of a view: the configs, the included patterns, and the included files' texts. */
function visible(view: WorkspaceView): unknown {
  return {
    runnerConfigs: view.runnerConfigs.map((config) => [config.uri, config.model.text]),
    dockerConfigs: view.dockerConfigs.map((config) => [config.uri, config.text]),
    includedPatterns: [...view.includedPatterns].sort(),
    includedFiles: [...view.yamlFiles.values()].filter((file) => isPathIncluded(view.includedPatterns, file.path)).map((file) => [file.path, file.readable, file.text]).sort(),
  };
}

function diagnosticsOf(document: TextDocument, workspace: WorkspaceView): unknown {
  return new LanguageService().doValidation(document, { settings, workspace }).map((d) => [d.code, d.message, d.range]);
}

/** Runs `steps` random changes; returns undefined, or what differed from a fresh index and the changes that led there. */
function differenceAfterChanges(seed: number, steps: number): string | undefined {
  const choose = chooser(seed);
  const disk = drawWorkspace(choose);
  const open = new Map<string, TextDocument>();
  const service = new LanguageService();
  const index = new WorkspaceIndex([ROOT]);
  const changes: string[] = [];
  // The server's scan, then each change as the server records it (server/src/server.ts).
  for (const path of [...disk.keys()].sort()) index.setDiskFile(uriOf(path), () => disk.get(path), settings);
  const openText = (path: string) => disk.get(path) ?? choose(presentTexts(path));
  for (let step = 0; step < steps; step++) {
    const path = choose(WORKSPACE_PATHS);
    const uri = uriOf(path);
    const action = choose(ACTIONS);
    const document = open.get(uri);
    if (action === 'write' || action === 'delete') {
      const text = action === 'delete' ? undefined : choose(WORKSPACE_TEXTS[path]!);
      if (text === undefined) disk.delete(path);
      else disk.set(path, text);
      changes.push(`${action} ${path} ${JSON.stringify(text)}`);
      // The watcher's report: an open document is the editor's, not the disk's.
      if (document) continue;
      if (text === undefined || !index.wantsFile(uri, settings)) index.deleteFile(uri);
      else index.setChangedDiskFile(uri, () => disk.get(path), settings);
    } else if (action === 'open' && !document) {
      const opened = TextDocument.create(uri, 'yaml', 1, openText(path));
      open.set(uri, opened);
      changes.push(`open ${path} ${JSON.stringify(opened.getText())}`);
      index.setOpenDocument(uri, opened.getText(), service.getParsed(opened, { settings, workspace: index.view() }), settings);
    } else if (action === 'edit' && document) {
      const edited = TextDocument.update(document, [{ text: choose(presentTexts(path)) }], document.version + 1);
      open.set(uri, edited);
      changes.push(`edit ${path} ${JSON.stringify(edited.getText())}`);
      index.setOpenDocument(uri, edited.getText(), service.getParsed(edited, { settings, workspace: index.view() }), settings);
    } else if (action === 'close' && document) {
      open.delete(uri);
      service.forget(uri);
      changes.push(`close ${path}`);
      const text = disk.get(path);
      if (text === undefined || !index.wantsFile(uri, settings)) index.deleteFile(uri);
      else index.setFile(uri, text, settings);
    }

    // A fresh server's index of the same state: the scan, then the open documents.
    const fresh = new WorkspaceIndex([ROOT]);
    for (const diskPath of [...disk.keys()].sort()) {
      if (!open.has(uriOf(diskPath))) fresh.setDiskFile(uriOf(diskPath), () => disk.get(diskPath), settings);
    }
    const freshService = new LanguageService();
    for (const opened of open.values()) fresh.setOpenDocument(opened.uri, opened.getText(), freshService.getParsed(opened, { settings, workspace: fresh.view() }), settings);

    const report = (what: string, kept: unknown, expected: unknown) =>
      `seed ${seed}, step ${step}: ${what}\nkept:  ${JSON.stringify(kept)}\nfresh: ${JSON.stringify(expected)}\nchanges:\n${changes.join('\n')}`;
    const [kept, expected] = [visible(index.view()), visible(fresh.view())];
    if (JSON.stringify(kept) !== JSON.stringify(expected)) return report('the views differ', kept, expected);
    for (const pipeline of PIPELINES) {
      const pipelineUri = uriOf(pipeline);
      const shown = open.get(pipelineUri) ?? (disk.has(pipeline) ? TextDocument.create(pipelineUri, 'yaml', 0, disk.get(pipeline)!) : undefined);
      if (!shown) continue;
      const [keptDiagnostics, freshDiagnostics] = [diagnosticsOf(shown, index.view()), diagnosticsOf(shown, fresh.view())];
      if (JSON.stringify(keptDiagnostics) !== JSON.stringify(freshDiagnostics)) return report(`the diagnostics of ${pipeline} differ`, keptDiagnostics, freshDiagnostics);
    }
  }
  return undefined;
}

describe('the workspace index kept up to date change by change', () => {
  test('holds what a fresh index of the same files holds, after random changes', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const difference = differenceAfterChanges(seed, 40);
      assert.equal(difference, undefined, difference);
    }
  });
});
