/**
 * Not a test: the extension-tests module of scripts/e2e/activation.mjs. It waits until
 * Pullguard's language server is ready and writes the extension's own figure (ms from the
 * start of `activate` to the server's answer to `initialize`) to
 * `$PULLGUARD_E2E_ACTIVATION_FILE`.
 */
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension<{ serverReadyMs(): number | undefined }>('pullguard.pullguard');
  if (!extension) throw new Error('pullguard.pullguard is not installed');
  const api = await extension.activate();
  const deadline = Date.now() + 60_000;
  while (api.serverReadyMs() === undefined) {
    if (Date.now() > deadline) throw new Error('the language server was not ready within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const file = process.env.PULLGUARD_E2E_ACTIVATION_FILE;
  if (!file) throw new Error('PULLGUARD_E2E_ACTIVATION_FILE is not set');
  writeFileSync(file, JSON.stringify({ serverReadyMs: api.serverReadyMs() }));
}
