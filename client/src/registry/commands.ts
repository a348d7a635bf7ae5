/**
 * The registry commands (SPEC §3) in VS Code: *Pin image to digest*, *Pin all images in
 * file* and *Check registry access for image at cursor*. What they do is in `flows.ts`;
 * this file connects it to VS Code (trust, progress, messages, edits, settings, an output
 * panel) and to the server's requests (`pullguard/pinImage`, `pullguard/pinAllImages`,
 * `pullguard/checkAccess`, and the trust notification `pullguard/didChangeWorkspaceTrust`).
 */
import * as vscode from 'vscode';
import { REGISTRY_REQUESTS, WORKSPACE_TRUST_NOTIFICATION } from '../../../server/src/service/protocol';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import type { VscodeUi } from '../vscodeUi';
import { checkAccess, pinAllImages, pinImage, type CheckAccessResult, type PinAllImagesResult, type PinImageArguments, type PinImageResult, type RegistryServer, type RegistryUi } from './flows';

function registryServer(client: LanguageClient): RegistryServer {
  // The progress notification's token is VS Code's own CancellationToken, which the client forwards as `$/cancelRequest`.
  const token = (t: unknown) => t as vscode.CancellationToken;
  return {
    sendTrust: (trusted) => client.sendNotification(WORKSPACE_TRUST_NOTIFICATION, { trusted }),
    pinImage: (uri, offset, t) => client.sendRequest<PinImageResult>(REGISTRY_REQUESTS.pinImage, { textDocument: { uri }, offset }, token(t)),
    pinAllImages: (uri, t) => client.sendRequest<PinAllImagesResult>(REGISTRY_REQUESTS.pinAllImages, { textDocument: { uri } }, token(t)),
    checkAccess: (uri, position, t) => client.sendRequest<CheckAccessResult>(REGISTRY_REQUESTS.checkAccess, { textDocument: { uri }, position }, token(t)),
  };
}

/** The commands' own VS Code seam, for messages and the active editor (and the tests' answers to them). */
function registryUi(client: LanguageClient, ui: VscodeUi, output: () => vscode.OutputChannel): RegistryUi {
  return {
    isTrusted: () => vscode.workspace.isTrusted,
    activeEditor: () => ui.activeEditor(),
    withProgress: (title, task) => Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => task(token))),
    tell: (severity, message, ...buttons) => ui.tell(severity, message, ...buttons),
    applyEdit: async (edit) => {
      const workspaceEdit = await client.protocol2CodeConverter.asWorkspaceEdit(edit as Parameters<LanguageClient['protocol2CodeConverter']['asWorkspaceEdit']>[0]);
      // A versioned edit whose document moved on is refused by VS Code: false, and the user is told.
      return workspaceEdit !== undefined && vscode.workspace.applyEdit(workspaceEdit);
    },
    openSetting: async (id) => {
      await vscode.commands.executeCommand('workbench.action.openSettings', id);
    },
    showReport: (text) => {
      const channel = output();
      channel.clear();
      channel.appendLine(text);
      channel.show(true);
    },
  };
}

/** Sends the workspace trust to the server once it runs, and whenever trust is granted. */
function syncTrust(client: LanguageClient): vscode.Disposable[] {
  const send = () => {
    if (client.state === State.Running) void client.sendNotification(WORKSPACE_TRUST_NOTIFICATION, { trusted: vscode.workspace.isTrusted }).catch(() => undefined);
  };
  send();
  return [
    client.onDidChangeState((event) => {
      if (event.newState === State.Running) send();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(send),
  ];
}

/** Registers the three registry commands and the trust sync; the caller disposes them with the extension. */
export function registerRegistryCommands(client: LanguageClient, vscodeUi: VscodeUi): vscode.Disposable[] {
  let channel: vscode.OutputChannel | undefined;
  const output = () => (channel ??= vscode.window.createOutputChannel('Pullguard registry access'));
  const ui = registryUi(client, vscodeUi, output);
  const server = registryServer(client);
  const run = (action: () => Promise<void>) => async () => {
    try {
      await action();
    } catch (error) {
      // Never the arguments: a quick fix's may name an image, never a secret, but keep the rule simple.
      void vscode.window.showErrorMessage(`Pullguard: the registry action failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return [
    ...syncTrust(client),
    vscode.commands.registerCommand('pullguard.pinImage', (args?: PinImageArguments) => run(() => pinImage(ui, server, args))()),
    vscode.commands.registerCommand('pullguard.pinAllImages', run(() => pinAllImages(ui, server))),
    vscode.commands.registerCommand('pullguard.checkAccess', run(() => checkAccess(ui, server))),
    { dispose: () => channel?.dispose() },
  ];
}
