/**
 * Registers the client commands (SPEC §3) and keeps the `pullguard.editorKind` context
 * key (which `when` clauses of package.json read) in step with the active editor.
 * Each command is a function of client/src/commands/ over the seam; this file only
 * connects them to VS Code and to the server's custom requests.
 */
import * as vscode from 'vscode';
import { CLIENT_REQUESTS } from '../../server/src/service/protocol';
import type { LanguageClient } from 'vscode-languageclient/node';
import { decodeAuthAtCursor, encodeCredentials } from './commands/authValue';
import { createDockerAuthConfig } from './commands/createAuthConfig';
import { addEcrCredentialHelper } from './commands/ecrHelper';
import { explainCredentials } from './commands/explain';
import { moveToVariable } from './commands/moveToVariable';
import type { ExplainAnswer, ServerQueries, Ui, WorkspaceRegistry } from './ui';

export const COMMANDS = {
  createDockerAuthConfig: 'pullguard.createDockerAuthConfig',
  encodeCredentials: 'pullguard.encodeCredentials',
  decodeAuthAtCursor: 'pullguard.decodeAuthAtCursor',
  addEcrCredentialHelper: 'pullguard.addEcrCredentialHelper',
  explainCredentials: 'pullguard.explainCredentials',
  moveToVariable: 'pullguard.moveToVariable',
} as const;

function serverQueries(client: LanguageClient): ServerQueries {
  return {
    workspaceRegistries: () => client.sendRequest<WorkspaceRegistry[]>(CLIENT_REQUESTS.workspaceRegistries, {}),
    explainImage: (uri, position) => client.sendRequest<ExplainAnswer>(CLIENT_REQUESTS.explainImage, { textDocument: { uri }, position }),
  };
}

/**
 * Every command reports its own outcome; an unexpected error is shown once, without
 * the arguments (they may hold credentials).
 */
function register(context: vscode.ExtensionContext, id: string, run: (...args: unknown[]) => Promise<unknown>): void {
  context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await run(...args);
    } catch (error) {
      void vscode.window.showErrorMessage(`Pullguard: ${id} failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }));
}

export function registerCommands(context: vscode.ExtensionContext, client: LanguageClient, ui: Ui): void {
  const server = serverQueries(client);
  register(context, COMMANDS.createDockerAuthConfig, (args) => createDockerAuthConfig(ui, server, args));
  register(context, COMMANDS.encodeCredentials, () => encodeCredentials(ui));
  register(context, COMMANDS.decodeAuthAtCursor, () => decodeAuthAtCursor(ui));
  register(context, COMMANDS.addEcrCredentialHelper, () => addEcrCredentialHelper(ui, server));
  register(context, COMMANDS.explainCredentials, () => explainCredentials(ui, server));
  register(context, COMMANDS.moveToVariable, (json) => moveToVariable(ui, json));
}

/**
 * Sets `pullguard.editorKind` (`gitlab-ci`, `runner-config`, `docker-config` or `none`)
 * for the active editor, as the server classifies the file, so that commands show only
 * where they apply.
 */
export function trackEditorKind(context: vscode.ExtensionContext, client: LanguageClient): void {
  let asked = 0;
  const update = async (editor: vscode.TextEditor | undefined) => {
    const ticket = ++asked;
    let kind = 'none';
    if (editor) {
      try {
        kind = await client.sendRequest<string>(CLIENT_REQUESTS.documentKind, { textDocument: { uri: editor.document.uri.toString() } });
      } catch {
        // The server is restarting: the next editor change sets it again.
      }
    }
    if (ticket === asked) await vscode.commands.executeCommand('setContext', 'pullguard.editorKind', kind);
  };
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor((editor) => void update(editor)));
  void update(vscode.window.activeTextEditor);
}
