/**
 * What the extension-host tests share: the workspace (a copy of `examples/` plus
 * `test/e2e/fixtures/`, prepared by the driver), documents, bounded waits, expected ranges
 * computed from the document text, and settings changed for one test and put back.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'pullguard.pullguard';
export const RULE_DOCS_BASE = 'https://github.com/pullguard/pullguard/blob/main/docs/rules/';
/** The bound of every wait. Diagnostics normally arrive within a second. */
export const TIMEOUT_MS = 20_000;

export const FILES = {
  pipeline: '.gitlab-ci.yml',
  runnerConfig: 'gitlab-runner/config.toml',
  dockerConfig: '.docker/config.json',
  credentialsFixture: 'fixtures/credentials.gitlab-ci.yml',
} as const;

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the e2e run opens a workspace folder');
  return folder.uri;
}

export function fileUri(relativePath: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), relativePath);
}

/** Activates Pullguard (the workspace would activate it anyway) and returns it. */
export async function activatePullguard(): Promise<vscode.Extension<unknown>> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is installed`);
  await extension.activate();
  return extension;
}

export async function openDocument(relativePath: string, show = false): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(fileUri(relativePath));
  if (show) await vscode.window.showTextDocument(document, { preview: false });
  return document;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `check` (assertions) until it passes or `timeoutMs` passes; then throws its last
 * error, so a failure shows the last state seen rather than "timed out".
 */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await sleep(100);
  }
}

// ---- Positions ---------------------------------------------------------------------------

/**
 * The range of the first `needle` in the document, or the first after the end of the first
 * `after` (to pick among repeats). Throws when the text lacks either.
 */
export function rangeOf(document: vscode.TextDocument, needle: string, after?: string): vscode.Range {
  const text = document.getText();
  let from = 0;
  if (after !== undefined) {
    const anchor = text.indexOf(after);
    assert.notEqual(anchor, -1, `${document.uri.path} has no ${JSON.stringify(after)}`);
    from = anchor + after.length;
  }
  const start = text.indexOf(needle, from);
  assert.notEqual(start, -1, `${document.uri.path} has no ${JSON.stringify(needle)}${after ? ` after ${JSON.stringify(after)}` : ''}`);
  return new vscode.Range(document.positionAt(start), document.positionAt(start + needle.length));
}

/** A position inside `needle` (its middle), for hovers. */
export function positionIn(document: vscode.TextDocument, needle: string, after?: string): vscode.Position {
  const { start } = rangeOf(document, needle, after);
  return start.translate(0, Math.floor(needle.length / 2));
}

// ---- Diagnostics ---------------------------------------------------------------------------

export type SeverityName = 'error' | 'warning' | 'information' | 'hint';

const SEVERITY_NAMES: Record<vscode.DiagnosticSeverity, SeverityName> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'information',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

export function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return String(typeof code === 'object' ? code.value : code);
}

export function pullguardDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'pullguard');
}

function formatRange(range: vscode.Range): string {
  return `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}

/** One comparable line per diagnostic: `code severity line:char-line:char "covered text"`. */
export function describeDiagnostic(document: vscode.TextDocument, code: string, severity: vscode.DiagnosticSeverity, range: vscode.Range): string {
  return `${code} ${SEVERITY_NAMES[severity]} ${formatRange(range)} ${JSON.stringify(document.getText(range))}`;
}

/** The document's Pullguard diagnostics as sorted comparable lines. */
export function summarizeDiagnostics(document: vscode.TextDocument): string[] {
  return pullguardDiagnostics(document.uri)
    .map((d) => describeDiagnostic(document, codeOf(d), d.severity, d.range))
    .sort();
}

export interface ExpectedDiagnostic {
  readonly code: string;
  readonly severity: SeverityName;
  /** The text the range covers, found in the document (after `after`, when given). */
  readonly text: string;
  readonly after?: string;
}

const SEVERITIES: Record<SeverityName, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export function expectedLines(document: vscode.TextDocument, expected: readonly ExpectedDiagnostic[]): string[] {
  return expected.map((e) => describeDiagnostic(document, e.code, SEVERITIES[e.severity], rangeOf(document, e.text, e.after))).sort();
}

/** Waits until the document's Pullguard diagnostics include every one of `expected`. */
export async function expectDiagnosticsInclude(document: vscode.TextDocument, expected: readonly ExpectedDiagnostic[]): Promise<void> {
  const want = expectedLines(document, expected);
  await eventually(() => {
    const have = summarizeDiagnostics(document);
    assert.deepEqual(want.filter((line) => !have.includes(line)), [], `missing from ${vscode.workspace.asRelativePath(document.uri)}, which has:\n  ${have.join('\n  ')}`);
  });
}

/** One diagnostic of `pullguard --format json`. */
export interface CliDiagnostic {
  readonly file: string;
  readonly range: { start: { line: number; character: number }; end: { line: number; character: number } };
  readonly severity: SeverityName;
  readonly code: string;
}

/**
 * What the CLI reported for the same workspace before the editor started: the driver runs
 * `pullguard --format json .` in it and names the file in `PULLGUARD_E2E_CLI_DIAGNOSTICS`.
 */
export function readCliDiagnostics(): CliDiagnostic[] {
  const path = process.env.PULLGUARD_E2E_CLI_DIAGNOSTICS;
  assert.ok(path, 'PULLGUARD_E2E_CLI_DIAGNOSTICS names the CLI\'s report of the workspace (set by the e2e driver)');
  return JSON.parse(readFileSync(path, 'utf8')) as CliDiagnostic[];
}

/** Waits until the document's Pullguard diagnostics are exactly the CLI's for that file. */
export async function expectSameAsCli(document: vscode.TextDocument, cli: readonly CliDiagnostic[]): Promise<void> {
  const file = vscode.workspace.asRelativePath(document.uri, false);
  const want = cli
    .filter((d) => d.file === file)
    .map((d) => {
      const range = new vscode.Range(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character);
      return describeDiagnostic(document, d.code, SEVERITIES[d.severity], range);
    })
    .sort();
  assert.ok(want.length > 0, `the CLI reported problems in ${file}`);
  await eventually(() => assert.deepEqual(summarizeDiagnostics(document), want, `diagnostics of ${file}, editor (actual) against CLI (expected)`));
}

/** Waits until `predicate` holds for the document's Pullguard diagnostics; returns them. */
export async function waitForDiagnostics(
  document: vscode.TextDocument,
  what: string,
  predicate: (diagnostics: vscode.Diagnostic[]) => boolean,
): Promise<vscode.Diagnostic[]> {
  return eventually(() => {
    const diagnostics = pullguardDiagnostics(document.uri);
    assert.ok(predicate(diagnostics), `${what}; ${vscode.workspace.asRelativePath(document.uri)} has:\n  ${summarizeDiagnostics(document).join('\n  ')}`);
    return diagnostics;
  });
}

export function hasDiagnostic(diagnostics: readonly vscode.Diagnostic[], code: string, range: vscode.Range): boolean {
  return diagnostics.some((d) => codeOf(d) === code && d.range.isEqual(range));
}

// ---- Hovers ------------------------------------------------------------------------------------

/** The Markdown of every hover at the position, joined; Pullguard's is the one with a table. */
export async function hoverAt(uri: vscode.Uri, position: vscode.Position): Promise<{ text: string; hovers: vscode.Hover[] }> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
  const text = hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n\n');
  return { text, hovers };
}

/** The `| label | value |` rows of a hover table. */
export function hoverRows(markdown: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of markdown.matchAll(/^\| ([^|]+?) \| (.*) \|$/gm)) rows.set(match[1]!, match[2]!);
  return rows;
}

// ---- Settings ----------------------------------------------------------------------------------

/**
 * Sets `pullguard.<key>` in the workspace's settings for the duration of `body`, then puts
 * the previous value back (also when `body` fails).
 */
export async function withSetting<T>(key: string, value: unknown, body: () => Promise<T>): Promise<T> {
  const configuration = vscode.workspace.getConfiguration('pullguard');
  const previous = configuration.inspect(key)?.workspaceValue;
  await configuration.update(key, value, vscode.ConfigurationTarget.Workspace);
  try {
    return await body();
  } finally {
    await vscode.workspace.getConfiguration('pullguard').update(key, previous, vscode.ConfigurationTarget.Workspace);
  }
}

// ---- Edits ---------------------------------------------------------------------------------------

/** Replaces the whole text of a document through a workspace edit (as the editor would). */
export async function setText(document: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text);
  assert.ok(await vscode.workspace.applyEdit(edit), `the edit of ${document.uri.path} applies`);
}

/** Replaces the first `needle` (after `after`) in the document. */
export async function replaceText(document: vscode.TextDocument, needle: string, replacement: string, after?: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, rangeOf(document, needle, after), replacement);
  assert.ok(await vscode.workspace.applyEdit(edit), `the edit of ${document.uri.path} applies`);
}
