/**
 * The registry commands (SPEC §3): *Pin image to digest*, *Pin all images in file* and
 * *Check registry access for image at cursor*. The server does the work
 * (`pullguard/pinImage`, `pullguard/pinAllImages`, `pullguard/checkAccess`); this file
 * shows a cancellable progress notification, applies the edit, and says what happened —
 * one clear message per kind of failure.
 *
 * Nothing is contacted in an untrusted workspace: the commands refuse here, and the server
 * refuses too. The server learns the trust from a notification sent when the client runs
 * and when the user grants trust.
 */
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';

const PIN_IMAGE_REQUEST = 'pullguard/pinImage';
const PIN_ALL_IMAGES_REQUEST = 'pullguard/pinAllImages';
const CHECK_ACCESS_REQUEST = 'pullguard/checkAccess';
const WORKSPACE_TRUST_NOTIFICATION = 'pullguard/didChangeWorkspaceTrust';

interface Failure {
  readonly kind: string;
  readonly message: string;
}

type PinImageResult =
  | { ok: true; image: string; digest: string; pinned: string; credentials: string; edit: unknown }
  | { ok: false; image: string | null; failure: Failure };

interface PinAllImagesResult {
  edit: unknown;
  pinned: Array<{ image: string; digest: string }>;
  failures: Array<{ image: string; kind: string; message: string; skipped: boolean }>;
  refused?: Failure;
}

interface CheckAccessResult {
  image: string | null;
  outcome: string;
  message: string;
  registry: string | null;
  credentials: string;
  candidates: Array<{ source: string; key: string; path: string; via: string }>;
  match: { source: string; key: string } | null;
  trace: string[];
  exchanges: Array<{ request: string; status: number; note?: string }>;
  notes: string[];
}

/** Arguments of `pullguard.pinImage` from the quick fix; absent from the palette (the cursor is used). */
interface PinImageArguments {
  readonly uri?: string;
  readonly offset?: number;
}

/** A short heading per failure kind, before the server's full sentence. */
const FAILURE_TITLES: Readonly<Record<string, string>> = {
  untrusted: 'Workspace not trusted',
  'invalid-image': 'Cannot pin this image',
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

const UNTRUSTED_MESSAGE = 'Pullguard: this workspace is not trusted, so Pullguard contacts no registry and runs no credential helper for it. Trust the workspace (Manage Workspace Trust) to pin images or check access.';

async function showFailure(failure: Failure): Promise<void> {
  if (failure.kind === 'cancelled') return;
  const text = `Pullguard: ${FAILURE_TITLES[failure.kind] ?? failure.kind}. ${failure.message}`;
  const setting = failure.kind === 'tls-untrusted' ? 'pullguard.registry.caFile' : failure.kind === 'timeout' ? 'pullguard.registry.timeoutMs' : undefined;
  if (!setting) {
    await vscode.window.showWarningMessage(text);
    return;
  }
  const open = 'Open Setting';
  if ((await vscode.window.showWarningMessage(text, open)) === open) await vscode.commands.executeCommand('workbench.action.openSettings', setting);
}

function activeTarget(args: PinImageArguments | undefined): { uri: string; offset: number } | undefined {
  if (args?.uri !== undefined && args.offset !== undefined) return { uri: args.uri, offset: args.offset };
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  return { uri: editor.document.uri.toString(), offset: editor.document.offsetAt(editor.selection.active) };
}

/** Sends the workspace trust to the server now (or once it runs) and whenever it is granted. */
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

/**
 * Runs a request under a cancellable progress notification. The trust goes first on the
 * same connection, so the server never judges a request by a trust it has not heard yet.
 */
function withCancellableProgress<T>(client: LanguageClient, title: string, run: (token: vscode.CancellationToken) => Thenable<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
    await client.sendNotification(WORKSPACE_TRUST_NOTIFICATION, { trusted: vscode.workspace.isTrusted });
    return run(token);
  });
}

async function applyEdit(client: LanguageClient, edit: unknown): Promise<boolean> {
  const workspaceEdit = await client.protocol2CodeConverter.asWorkspaceEdit(edit as Parameters<LanguageClient['protocol2CodeConverter']['asWorkspaceEdit']>[0]);
  return workspaceEdit !== undefined && vscode.workspace.applyEdit(workspaceEdit);
}

async function pinImage(client: LanguageClient, args: PinImageArguments | undefined): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    await vscode.window.showWarningMessage(UNTRUSTED_MESSAGE);
    return;
  }
  const target = activeTarget(args);
  if (!target) {
    await vscode.window.showInformationMessage('Pullguard: open a pipeline or runner config and put the cursor on an image to pin it.');
    return;
  }
  const result = await withCancellableProgress(client, 'Pullguard: asking the registry for the digest…', (token) =>
    client.sendRequest<PinImageResult>(PIN_IMAGE_REQUEST, { textDocument: { uri: target.uri }, offset: target.offset }, token));
  if (!result) return;
  if (!result.ok) return showFailure(result.failure);
  if (!(await applyEdit(client, result.edit))) {
    await vscode.window.showWarningMessage('Pullguard: the document changed while the registry answered; run *Pin image to digest* again.');
    return;
  }
  void vscode.window.showInformationMessage(`Pullguard: pinned \`${result.image}\` to \`${result.digest}\` (credentials: ${result.credentials}).`);
}

async function pinAllImages(client: LanguageClient): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    await vscode.window.showWarningMessage(UNTRUSTED_MESSAGE);
    return;
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    await vscode.window.showInformationMessage('Pullguard: open a pipeline or runner config to pin its images.');
    return;
  }
  const result = await withCancellableProgress(client, 'Pullguard: asking the registries for the digests…', (token) =>
    client.sendRequest<PinAllImagesResult>(PIN_ALL_IMAGES_REQUEST, { textDocument: { uri: editor.document.uri.toString() } }, token));
  if (!result) return;
  if (result.refused) return showFailure(result.refused);
  if (result.edit && !(await applyEdit(client, result.edit))) {
    await vscode.window.showWarningMessage('Pullguard: the document changed while the registries answered; run *Pin all images in file* again.');
    return;
  }
  const failed = result.failures.filter((f) => !f.skipped && f.kind !== 'cancelled');
  const summary = `Pullguard: pinned ${result.pinned.length} image${result.pinned.length === 1 ? '' : 's'}${failed.length > 0 ? `, ${failed.length} failed` : ''}.`;
  if (failed.length === 0) {
    void vscode.window.showInformationMessage(result.pinned.length === 0 ? 'Pullguard: no image in this file needs pinning.' : summary);
    return;
  }
  const first = failed[0]!;
  await vscode.window.showWarningMessage(`${summary} \`${first.image}\`: ${FAILURE_TITLES[first.kind] ?? first.kind}. ${first.message}`);
}

let output: vscode.OutputChannel | undefined;

function showAccessReport(result: CheckAccessResult): void {
  output ??= vscode.window.createOutputChannel('Pullguard registry access');
  const lines = [`Image: ${result.image ?? '(none)'}${result.registry ? `  (registry ${result.registry})` : ''}`, ''];
  lines.push('Credentials the runner would use, in its order:');
  if (result.candidates.length === 0) lines.push('  (no key in any source matches)');
  result.candidates.forEach((c, i) => {
    const used = result.match && result.match.key === c.key && result.match.source === c.source;
    lines.push(`  ${i + 1}. ${c.key} from ${c.source} (${c.via})${used ? '  <- the runner uses this' : ''}`);
  });
  lines.push(`Sent: ${result.credentials}`);
  for (const step of result.trace) lines.push(`  - ${step}`);
  if (result.exchanges.length > 0) {
    lines.push('', 'Registry answers:');
    for (const e of result.exchanges) lines.push(`  ${e.request} -> ${e.status}${e.note ? `  (${e.note})` : ''}`);
  }
  lines.push('', `Result: ${result.outcome}`, result.message);
  if (result.notes.length > 0) lines.push('', 'Notes:', ...result.notes.map((n) => `  - ${n}`));
  output.clear();
  output.appendLine(lines.join('\n'));
  output.show(true);
}

async function checkAccess(client: LanguageClient): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    await vscode.window.showWarningMessage(UNTRUSTED_MESSAGE);
    return;
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    await vscode.window.showInformationMessage('Pullguard: put the cursor on an image in a pipeline or runner config to check access.');
    return;
  }
  const result = await withCancellableProgress(client, 'Pullguard: checking registry access…', (token) =>
    client.sendRequest<CheckAccessResult>(CHECK_ACCESS_REQUEST, { textDocument: { uri: editor.document.uri.toString() }, position: editor.selection.active }, token));
  if (!result || result.outcome === 'cancelled') return;
  if (result.outcome === 'untrusted' || (result.outcome === 'invalid-image' && result.candidates.length === 0 && !result.registry)) {
    return showFailure({ kind: result.outcome, message: result.message });
  }
  const details = 'Show Details';
  const text = result.outcome === 'authorized'
    ? `Pullguard: ${result.message}`
    : `Pullguard: ${FAILURE_TITLES[result.outcome] ?? result.outcome}. ${result.message}`;
  const show = result.outcome === 'authorized' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  if ((await show(text, details)) === details) showAccessReport(result);
}

/** Registers the three registry commands and the trust sync; the caller disposes them with the extension. */
export function registerRegistryCommands(_context: vscode.ExtensionContext, client: LanguageClient): vscode.Disposable[] {
  return [
    ...syncTrust(client),
    vscode.commands.registerCommand('pullguard.pinImage', (args?: PinImageArguments) => pinImage(client, args)),
    vscode.commands.registerCommand('pullguard.pinAllImages', () => pinAllImages(client)),
    vscode.commands.registerCommand('pullguard.checkAccess', () => checkAccess(client)),
    { dispose: () => output?.dispose() },
  ];
}
