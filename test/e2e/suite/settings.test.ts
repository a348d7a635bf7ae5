/**
 * Settings changed in the editor take effect on the open documents without a reload, and
 * putting them back brings the old diagnostics back.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatePullguard, codeOf, FILES, openDocument, rangeOf, waitForDiagnostics, withSetting } from './helpers';

describe('settings in the editor', () => {
  before(async () => {
    await activatePullguard();
  });

  it('pullguard.pinning off removes image/not-pinned, and it comes back when reset', async () => {
    const document = await openDocument(FILES.pipeline, true);
    const count = (diagnostics: vscode.Diagnostic[]) => diagnostics.filter((d) => codeOf(d) === 'image/not-pinned').length;
    await waitForDiagnostics(document, 'image/not-pinned is shown by default', (d) => count(d) === 4);
    await withSetting('pinning', 'off', async () => {
      await waitForDiagnostics(document, 'no image/not-pinned with pinning off', (d) => d.length > 0 && count(d) === 0);
    });
    await waitForDiagnostics(document, 'image/not-pinned is back after the reset', (d) => count(d) === 4);
  });

  it('pullguard.rules raises image/latest-tag to an error on the same ranges', async () => {
    const document = await openDocument(FILES.pipeline, true);
    const latest = (diagnostics: vscode.Diagnostic[]) => diagnostics.filter((d) => codeOf(d) === 'image/latest-tag');
    const ranges = [rangeOf(document, 'latest', '- postgres:'), rangeOf(document, 'redis', '- postgres:latest\n    - ')];
    await withSetting('rules', { 'image/latest-tag': 'error' }, async () => {
      const diagnostics = await waitForDiagnostics(document, 'image/latest-tag as errors', (d) => {
        const found = latest(d);
        return found.length === 2 && found.every((x) => x.severity === vscode.DiagnosticSeverity.Error);
      });
      for (const range of ranges) assert.ok(latest(diagnostics).some((d) => d.range.isEqual(range)));
    });
    await waitForDiagnostics(document, 'image/latest-tag back to warnings', (d) => {
      const found = latest(d);
      return found.length === 2 && found.every((x) => x.severity === vscode.DiagnosticSeverity.Warning);
    });
  });

  it('pullguard.runner.platform macos makes the desktop credsStore available', async () => {
    const document = await openDocument(FILES.dockerConfig);
    const unavailable = (d: vscode.Diagnostic[]) => d.some((x) => codeOf(x) === 'auth/helper-unavailable');
    await waitForDiagnostics(document, 'auth/helper-unavailable on linux', unavailable);
    await withSetting('runner.platform', 'macos', async () => {
      await waitForDiagnostics(document, 'no auth/helper-unavailable on macos', (d) => d.length > 0 && !unavailable(d));
    });
    await waitForDiagnostics(document, 'auth/helper-unavailable back on linux', unavailable);
  });
});
