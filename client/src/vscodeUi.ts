/**
 * The VS Code side of the seam in ui.ts: quick picks, input boxes (secrets always
 * masked, kept open on focus loss, never pre-filled), notifications, the clipboard,
 * edits of the active editor, untitled and read-only documents.
 *
 * `PromptOverrides` let the extension-host tests answer the prompts (pick, ask,
 * askSecret, tell, and VS Code's link confirmation) while everything else stays VS Code's own; extension.ts installs
 * them only when the extension runs under tests.
 */
import * as vscode from 'vscode';
import type { EditorState, InputOptions, PickItem, PickOptions, SecretOptions, Severity, TextReplacement, Ui } from './ui';

/** `openExternal` is among them because VS Code asks before opening a link to an untrusted domain. */
export type PromptOverrides = Partial<Pick<Ui, 'pick' | 'pickMany' | 'ask' | 'askSecret' | 'tell' | 'openExternal'>>;

/** Read-only documents of *Explain credentials* (scheme `pullguard-explain`), by path. */
export class ReadOnlyDocuments implements vscode.TextDocumentContentProvider {
  static readonly scheme = 'pullguard-explain';
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? '';
  }

  set(title: string, content: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: ReadOnlyDocuments.scheme, path: `/${title.replace(/[\\/:*?"<>|]+/g, '_')}.txt` });
    this.contents.set(uri.path, content);
    this.changed.fire(uri);
    return uri;
  }
}

function toInputBoxOptions(options: InputOptions | SecretOptions): vscode.InputBoxOptions {
  return {
    title: options.title,
    prompt: options.prompt,
    placeHolder: options.placeholder,
    ignoreFocusOut: true,
    validateInput: options.validate ? (text) => options.validate!(text) ?? null : undefined,
  };
}

export class VscodeUi implements Ui {
  /** Test answers for the prompts; undefined in normal use. */
  overrides: PromptOverrides | undefined;

  constructor(private readonly readOnly: ReadOnlyDocuments) {}

  async pick<T>(items: readonly PickItem<T>[], options: PickOptions): Promise<T | undefined> {
    if (this.overrides?.pick) return this.overrides.pick(items, options);
    const picked = await vscode.window.showQuickPick(items.map((item) => ({ ...item })), { title: options.title, placeHolder: options.placeholder, ignoreFocusOut: true });
    return picked?.value;
  }

  async pickMany<T>(items: readonly PickItem<T>[], options: PickOptions): Promise<T[] | undefined> {
    if (this.overrides?.pickMany) return this.overrides.pickMany(items, options);
    const picked = await vscode.window.showQuickPick(items.map((item) => ({ ...item, picked: true })), {
      title: options.title,
      placeHolder: options.placeholder,
      ignoreFocusOut: true,
      canPickMany: true,
    });
    return picked?.map((item) => item.value);
  }

  ask(options: InputOptions): Promise<string | undefined> {
    if (this.overrides?.ask) return this.overrides.ask(options);
    return Promise.resolve(vscode.window.showInputBox({ ...toInputBoxOptions(options), value: options.value }));
  }

  askSecret(options: SecretOptions): Promise<string | undefined> {
    if (this.overrides?.askSecret) return this.overrides.askSecret(options);
    // Masked; no `value`, so nothing is pre-filled and VS Code keeps no history of it.
    return Promise.resolve(vscode.window.showInputBox({ ...toInputBoxOptions(options), password: true }));
  }

  tell(severity: Severity, message: string, ...buttons: string[]): Promise<string | undefined> {
    if (this.overrides?.tell) return this.overrides.tell(severity, message, ...buttons);
    const show = severity === 'error' ? vscode.window.showErrorMessage : severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const shown = show(message, ...buttons);
    // A message without buttons settles only when the user closes it: the command must not wait for that.
    return buttons.length > 0 ? Promise.resolve(shown) : Promise.resolve(undefined);
  }

  async copy(text: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
  }

  activeEditor(): EditorState | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const { document, selection } = editor;
    return {
      uri: document.uri.toString(),
      languageId: document.languageId,
      text: document.getText(),
      offset: document.offsetAt(selection.active),
      position: { line: selection.active.line, character: selection.active.character },
    };
  }

  async editActive(replacements: readonly TextReplacement[]): Promise<boolean> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return false;
    const { document } = editor;
    return editor.edit((builder) => {
      for (const r of replacements) builder.replace(new vscode.Range(document.positionAt(r.offset), document.positionAt(r.offset + r.length)), r.text);
    });
  }

  async openUntitled(content: string, languageId: string): Promise<void> {
    const document = await vscode.workspace.openTextDocument({ content, language: languageId });
    await vscode.window.showTextDocument(document, { preview: false });
  }

  async showReadOnly(title: string, content: string): Promise<void> {
    const uri = this.readOnly.set(title, content);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  async openExternal(url: string): Promise<void> {
    if (this.overrides?.openExternal) return this.overrides.openExternal(url);
    await vscode.env.openExternal(vscode.Uri.parse(url));
  }
}
