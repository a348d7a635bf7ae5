/**
 * What the three registry commands do, over two small seams so that tests run them
 * without VS Code: `RegistryUi` (trust, progress, messages, the editor) and
 * `RegistryServer` (the server's custom requests). Nothing here imports `vscode`.
 *
 * Every command refuses in an untrusted workspace before asking the server anything,
 * shows one message per outcome (a heading per failure kind, then the server's sentence),
 * and applies an edit only when it is still for the document version it was made for.
 */

import type { AccessOutcome, CheckAccessResult, Failure, PinAllImagesResult, PinImageResult } from '../../../server/src/service/protocol';
import { formatAccessReport } from '../../../server/src/service/text/accessReport';

export type { CheckAccessResult, Failure, PinAllImagesResult, PinImageResult };

/** A cancellation signal of the progress notification, as the server requests take it. */
export interface Cancellation {
  readonly isCancellationRequested: boolean;
}

export interface RegistryServer {
  /** Tells the server the current trust (sent before each request, on the same connection). */
  sendTrust(trusted: boolean): Promise<void>;
  pinImage(uri: string, offset: number, token: Cancellation): Promise<PinImageResult | undefined>;
  pinAllImages(uri: string, token: Cancellation): Promise<PinAllImagesResult | undefined>;
  checkAccess(uri: string, position: { line: number; character: number }, token: Cancellation): Promise<CheckAccessResult | undefined>;
}

export type MessageSeverity = 'information' | 'warning';

export interface RegistryUi {
  isTrusted(): boolean;
  /** The active editor's document and cursor, if any. */
  activeEditor(): { readonly uri: string; readonly offset: number; readonly position: { line: number; character: number } } | undefined;
  /** Runs `task` under a cancellable progress notification titled `title`. */
  withProgress<T>(title: string, task: (token: Cancellation) => Promise<T>): Promise<T>;
  /** A notification with buttons; resolves to the button chosen. */
  tell(severity: MessageSeverity, message: string, ...buttons: string[]): Promise<string | undefined>;
  /** Applies a server `WorkspaceEdit`; false when it no longer fits the document. */
  applyEdit(edit: unknown): Promise<boolean>;
  openSetting(id: string): Promise<void>;
  /** Shows the access report in an output panel. */
  showReport(text: string): void;
}

/** Arguments of `pullguard.pinImage` from the quick fix; absent from the palette or a menu (the cursor is used). */
export interface PinImageArguments {
  readonly uri?: unknown;
  readonly offset?: unknown;
}

/** A short heading per failure kind, before the server's full sentence. */
export const FAILURE_TITLES: Readonly<Record<string, string>> = {
  untrusted: 'Workspace not trusted',
  'invalid-image': 'Cannot use this image',
  'authentication-required': 'The registry needs credentials',
  unauthorized: 'Credentials rejected',
  denied: 'Access denied',
  'repository-not-found': 'No such repository',
  'tag-not-found': 'No such tag',
  unreachable: 'Registry unreachable',
  'tls-untrusted': 'TLS certificate not trusted',
  timeout: 'Registry timed out',
  'too-large': 'Response too large',
  cancelled: 'Cancelled',
  'helper-failed': 'Credential helper failed',
  'bad-response': 'Unexpected registry answer',
  untestable: 'Cannot be checked here',
  aborted: 'The runner\'s credential lookup fails',
};

export const UNTRUSTED_MESSAGE = 'Pullguard: this workspace is not trusted, so Pullguard contacts no registry and runs no credential helper for it. Trust the workspace (Manage Workspace Trust) to pin images or check access.';
export const OPEN_SETTING = 'Open Setting';
export const SHOW_DETAILS = 'Show Details';

function title(kind: string): string {
  return FAILURE_TITLES[kind] ?? kind;
}

/** One message for a failure, or for a check-access outcome that is not `authorized`. */
export async function showFailure(ui: RegistryUi, failure: { readonly kind: Failure['kind'] | AccessOutcome; readonly message: string }): Promise<void> {
  if (failure.kind === 'cancelled') return;
  const text = `Pullguard: ${title(failure.kind)}. ${failure.message}`;
  const setting = failure.kind === 'tls-untrusted' ? 'pullguard.registry.caFile' : failure.kind === 'timeout' ? 'pullguard.registry.timeoutMs' : undefined;
  if (!setting) {
    await ui.tell('warning', text);
    return;
  }
  if ((await ui.tell('warning', text, OPEN_SETTING)) === OPEN_SETTING) await ui.openSetting(setting);
}

/** In an untrusted workspace the registry actions do nothing but say so (they would run helpers and send credentials). */
async function refusedAsUntrusted(ui: RegistryUi): Promise<boolean> {
  if (ui.isTrusted()) return false;
  await ui.tell('warning', UNTRUSTED_MESSAGE);
  return true;
}

/** Runs a server request under progress, after telling the server the current trust. */
function ask<T>(ui: RegistryUi, server: RegistryServer, progressTitle: string, request: (token: Cancellation) => Promise<T>): Promise<T> {
  return ui.withProgress(progressTitle, async (token) => {
    await server.sendTrust(ui.isTrusted());
    return request(token);
  });
}

/** *Pin image to digest*: the image at the quick fix's offset, or at the cursor. */
export async function pinImage(ui: RegistryUi, server: RegistryServer, args?: PinImageArguments): Promise<void> {
  if (await refusedAsUntrusted(ui)) return;
  const editor = ui.activeEditor();
  const target = typeof args?.uri === 'string' && typeof args.offset === 'number' ? { uri: args.uri, offset: args.offset } : editor;
  if (!target) {
    await ui.tell('information', 'Pullguard: open a pipeline or runner config and put the cursor on an image to pin it.');
    return;
  }
  const result = await ask(ui, server, 'Pullguard: asking the registry for the digest…', (token) => server.pinImage(target.uri, target.offset, token));
  if (!result) return;
  if (!result.ok) return showFailure(ui, result.failure);
  if (!(await ui.applyEdit(result.edit))) {
    await ui.tell('warning', 'Pullguard: the document changed while the registry answered; run *Pin image to digest* again.');
    return;
  }
  await ui.tell('information', `Pullguard: pinned \`${result.image}\` to \`${result.digest}\` (credentials: ${result.credentials}).`);
}

/** *Pin all images in file*. */
export async function pinAllImages(ui: RegistryUi, server: RegistryServer): Promise<void> {
  if (await refusedAsUntrusted(ui)) return;
  const editor = ui.activeEditor();
  if (!editor) {
    await ui.tell('information', 'Pullguard: open a pipeline or runner config to pin its images.');
    return;
  }
  const result = await ask(ui, server, 'Pullguard: asking the registries for the digests…', (token) => server.pinAllImages(editor.uri, token));
  if (!result) return;
  if (result.refused) return showFailure(ui, result.refused);
  if (result.edit && !(await ui.applyEdit(result.edit))) {
    await ui.tell('warning', 'Pullguard: the document changed while the registries answered; run *Pin all images in file* again.');
    return;
  }
  const failed = result.failures.filter((f) => !f.skipped && f.kind !== 'cancelled');
  const count = `${result.pinned.length} image${result.pinned.length === 1 ? '' : 's'}`;
  if (failed.length === 0) {
    await ui.tell('information', result.pinned.length === 0 ? 'Pullguard: no image in this file could be pinned (already pinned, or written with run-time variables).' : `Pullguard: pinned ${count}.`);
    return;
  }
  const first = failed[0]!;
  await ui.tell('warning', `Pullguard: pinned ${count}, ${failed.length} failed. \`${first.image}\`: ${title(first.kind)}. ${first.message}`);
}

/** *Check registry access for image at cursor*. */
export async function checkAccess(ui: RegistryUi, server: RegistryServer): Promise<void> {
  if (await refusedAsUntrusted(ui)) return;
  const editor = ui.activeEditor();
  if (!editor) {
    await ui.tell('information', 'Pullguard: put the cursor on an image in a pipeline or runner config to check access.');
    return;
  }
  const result = await ask(ui, server, 'Pullguard: checking registry access…', (token) => server.checkAccess(editor.uri, editor.position, token));
  if (!result || result.outcome === 'cancelled') return;
  // Refused before any registry was named (untrusted, no image at the cursor): the message alone.
  if (result.registry === null && result.candidates.length === 0 && result.outcome !== 'authorized') {
    return showFailure(ui, { kind: result.outcome, message: result.message });
  }
  const authorized = result.outcome === 'authorized';
  const text = authorized ? `Pullguard: ${result.message}` : `Pullguard: ${title(result.outcome)}. ${result.message}`;
  if ((await ui.tell(authorized ? 'information' : 'warning', text, SHOW_DETAILS)) === SHOW_DETAILS) ui.showReport(formatAccessReport(result));
}
