/**
 * What the server answers to `initialize`: its capabilities, decided by the client's
 * alone. Kept apart from the analysis core (and free of its libraries) so that the
 * server can answer before loading it (see serverEntry.ts).
 */
import { TextDocumentSyncKind, type ClientCapabilities, type InitializeResult } from 'vscode-languageserver/node';

/**
 * The code action kinds the server offers: codeActions.ts's QUICK_FIX_KIND and
 * FIX_ALL_KIND, written out here because importing that module would load the core
 * (test/unit/serverStartup.test.ts checks they stay equal).
 */
export const CODE_ACTION_KINDS = ['quickfix', 'source.fixAll.pullguard'] as const;

export function getInitializeResult(client: ClientCapabilities): InitializeResult {
  const result: InitializeResult = {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: [...CODE_ACTION_KINDS], resolveProvider: false },
    },
    serverInfo: { name: 'pullguard' },
  };
  if (client.textDocument?.diagnostic) {
    result.capabilities.diagnosticProvider = { identifier: 'pullguard', interFileDependencies: true, workspaceDiagnostics: false };
  }
  if (client.workspace?.workspaceFolders) {
    result.capabilities.workspace = { workspaceFolders: { supported: true, changeNotifications: true } };
  }
  return result;
}
