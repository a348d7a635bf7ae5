/**
 * *Pin to digest* through the real editor against a real registry: the driver
 * (scripts/e2e/exthost.mjs) starts Debian's docker-registry with the registry suite's test
 * images and names it in `$PULLGUARD_E2E_REGISTRY`. The quick fix and *Pin all images in
 * file* must write the digest the registry reports for a single-platform image and for a
 * multi-arch index.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatePullguard, codeOf, eventually, waitForDiagnostics, workspaceRoot } from './helpers';

interface PushedImage {
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
}

interface Registry {
  readonly open: string;
  readonly single: PushedImage;
  readonly multi: PushedImage;
}

/** The registry the driver started; without one (a desktop VS Code run) the tests are pending, except in CI. */
function registry(context: Mocha.Context): Registry {
  const value = process.env.PULLGUARD_E2E_REGISTRY;
  if (!value) {
    if (process.env.CI === 'true') assert.fail('PULLGUARD_E2E_REGISTRY is not set: the e2e driver must start the test registries in CI');
    context.test!.title += ' [pending: no test registry was started for this run]';
    context.skip();
  }
  return JSON.parse(value) as Registry;
}

async function quickFixes(document: vscode.TextDocument, range: vscode.Range): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>('vscode.executeCodeActionProvider', document.uri, range, vscode.CodeActionKind.QuickFix.value);
  return actions.filter((action): action is vscode.CodeAction => typeof action.command !== 'string');
}

describe('Pin to digest against a real registry', function () {
  this.timeout(120_000);
  const file = vscode.Uri.joinPath(workspaceRoot(), 'pin-e2e', '.gitlab-ci.yml');

  before(async () => {
    await activatePullguard();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(workspaceRoot(), 'pin-e2e'), { recursive: true, useTrash: false });
  });

  it('the quick fix and Pin all images in file write the digests the registry reports', async function () {
    const { open, single, multi } = registry(this);
    const singleName = `${open}/${single.repository}:${single.tag}`;
    const multiName = `${open}/${multi.repository}:${multi.tag}`;
    const text = `build:\n  image: ${singleName}\n  services:\n    - ${multiName}\n  script: [make]\n`;
    await vscode.workspace.fs.writeFile(file, Buffer.from(text));
    const document = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(document, { preview: false });

    // The quick fix on the single-platform image.
    const start = document.positionAt(text.indexOf(singleName));
    const range = new vscode.Range(start, start.translate(0, singleName.length));
    await waitForDiagnostics(document, `image/not-pinned on ${singleName}`, (d) => d.some((x) => codeOf(x) === 'image/not-pinned' && x.range.intersection(range) !== undefined));
    const actions = await quickFixes(document, range);
    const pin = actions.find((action) => action.command?.command === 'pullguard.pinImage');
    assert.ok(pin, `a Pin to digest quick fix; offered: ${actions.map((a) => a.title).join(' | ') || 'nothing'}`);
    await vscode.commands.executeCommand(pin.command!.command, ...(pin.command!.arguments ?? []));
    await eventually(() => assert.match(document.getText(), new RegExp(`image: ${escape(singleName)}@${single.digest}\\n`)));

    // The rest of the file (the multi-arch service) with the palette command.
    await vscode.commands.executeCommand('pullguard.pinAllImages');
    await eventually(() => assert.match(document.getText(), new RegExp(`- ${escape(multiName)}@${multi.digest}\\n`)));
    await waitForDiagnostics(document, 'no image/not-pinned once both are pinned', (d) => !d.some((x) => codeOf(x) === 'image/not-pinned'));
    await document.save();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
