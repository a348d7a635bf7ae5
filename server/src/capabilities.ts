/**
 * What the server answers to `initialize`: its capabilities, decided by the client's
 * alone. Kept apart from the analysis core (and free of its libraries) so that the
 * server can answer before loading it (see serverEntry.ts).
 */
import type { ClientCapabilities, InitializeResult } from 'vscode-languageserver/node';
import { FIX_ALL_KIND, QUICK_FIX_KIND } from './service/codeActionKinds';

/**
 * `TextDocumentSyncKind.Incremental`: the protocol's value, written out because this module
 * must not load vscode-languageserver (serverEntry.ts answers `initialize` before it).
 */
const INCREMENTAL_SYNC = 2;

/** The code action kinds the server offers. */
export const CODE_ACTION_KINDS = [QUICK_FIX_KIND, FIX_ALL_KIND] as const;

export function getInitializeResult(client: ClientCapabilities): InitializeResult {
  const result: InitializeResult = {
    capabilities: {
      textDocumentSync: INCREMENTAL_SYNC,
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
