/**
 * The VS Code client: starts the Pullguard language server, restarts it if it dies,
 * and registers the commands. All analysis lives in the server; the commands' logic
 * lives in client/src/commands/ behind the seam of ui.ts.
 */
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type ErrorHandler,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { registerCommands, trackEditorKind } from './commands';
import { registerRegistryCommands } from './registry/commands';
import { RestartPolicy } from './restartPolicy';
import { serverNodeOptions } from './serverLaunch';
import { ReadOnlyDocuments, VscodeUi, type PromptOverrides } from './vscodeUi';

let client: LanguageClient | undefined;

/** The files the server reads; it decides itself which of them are pipelines, runner or Docker configs. */
export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', pattern: '**/*.toml' },
  { scheme: 'file', language: 'json' },
  { scheme: 'untitled', language: 'yaml' },
];

/** What `activate` returns (`vscode.extensions.getExtension('pullguard.pullguard').exports`). */
export interface PullguardApi {
  /** Milliseconds from the start of activation until the language server answered `initialize`. */
  readonly serverReadyMs: () => number | undefined;
  /**
   * Answers for the commands' prompts, for the extension-host tests; present only when
   * the extension runs under tests (`PULLGUARD_TEST_SEAM=1` or the test extension mode).
   */
  readonly setPromptOverrides?: (overrides: PromptOverrides | undefined) => void;
}

/** The language client's error handler, following the restart policy; the user is told once. */
function createErrorHandler(policy: RestartPolicy, output: vscode.LogOutputChannel): ErrorHandler {
  return {
    error: (_error, _message, count) => ({ action: policy.onError(count) === 'continue' ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true }),
    closed: () => {
      const decision = policy.onClosed();
      output.warn(`the language server's connection closed; ${decision.restart ? 'restarting it' : 'not restarting it again'}`);
      if (decision.message) void (decision.restart ? vscode.window.showWarningMessage(decision.message) : vscode.window.showErrorMessage(decision.message));
      return { action: decision.restart ? CloseAction.Restart : CloseAction.DoNotRestart, handled: true };
    },
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<PullguardApi> {
  const activationStarted = Date.now();
  let serverReadyMs: number | undefined;
  const output = vscode.window.createOutputChannel('Pullguard', { log: true });
  context.subscriptions.push(output);

  const serverModule = context.asAbsolutePath('dist/server.js');
  // V8's compiled code of the server is kept here, so later starts skip most of compiling
  // it: Node 22.1+ keeps that of dist/server.js, and the server that of the two bundles it
  // loads after answering `initialize` (dist/serverProtocol.js, dist/serverCore.js), made
  // again once it has warmed up, with the analysis compiled (server/src/codeCache.ts).
  const compileCache = vscode.Uri.joinPath(context.globalStorageUri, 'compile-cache').fsPath;
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.stdio, options: { execArgv: serverNodeOptions(), env: { ...process.env, NODE_COMPILE_CACHE: compileCache } } },
    debug: { module: serverModule, transport: TransportKind.stdio, options: { execArgv: [...serverNodeOptions(), '--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    diagnosticPullOptions: { onChange: true, onSave: false },
    outputChannel: output,
    errorHandler: createErrorHandler(new RestartPolicy(), output),
    // The registry actions obey it from the first request; later changes follow as notifications.
    initializationOptions: { workspaceTrusted: vscode.workspace.isTrusted },
  };
  client = new LanguageClient('pullguard', 'Pullguard', serverOptions, clientOptions);

  const readOnly = new ReadOnlyDocuments();
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(ReadOnlyDocuments.scheme, readOnly));
  const ui = new VscodeUi(readOnly);
  registerCommands(context, client, ui);
  // Pin image to digest, Pin all images in file, Check registry access (client/src/registry/).
  context.subscriptions.push(...registerRegistryCommands(client, ui));
  context.subscriptions.push(client.onDidChangeState(({ newState }) => {
    void vscode.commands.executeCommand('setContext', 'pullguard.serverRunning', newState === State.Running);
  }));

  await client.start();
  serverReadyMs = Date.now() - activationStarted;
  output.info(`language server ready ${serverReadyMs} ms after activation started`);
  trackEditorKind(context, client);

  const underTest = process.env.PULLGUARD_TEST_SEAM === '1' || context.extensionMode === vscode.ExtensionMode.Test;
  return {
    serverReadyMs: () => serverReadyMs,
    ...(underTest ? { setPromptOverrides: (overrides: PromptOverrides | undefined) => { ui.overrides = overrides; } } : {}),
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
