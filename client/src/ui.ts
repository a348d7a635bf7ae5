/**
 * The seam between the commands and VS Code. The commands (client/src/commands/*) are
 * plain functions over these interfaces, so unit tests run them with scripted answers
 * and the extension-host tests answer the prompts through the same seam while the
 * clipboard, editors and documents stay VS Code's own. Nothing here imports `vscode`.
 *
 * Secrets: a password is only ever read through `askSecret`, whose VS Code side always
 * masks the input, keeps it open on focus loss, and never pre-fills or remembers a value.
 */
import type { ExplainAnswer, WorkspaceRegistry } from '../../server/src/service/protocol';

export type { ExplainAnswer, WorkspaceRegistry };

export interface PickItem<T> {
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
  readonly value: T;
}

export interface PickOptions {
  readonly title: string;
  readonly placeholder: string;
}

export interface InputOptions {
  readonly title: string;
  readonly prompt: string;
  readonly placeholder?: string;
  /** A visible, non-secret starting value (never used for secrets). */
  readonly value?: string;
  /** An error message for the typed text, or undefined when it is acceptable. */
  readonly validate?: (text: string) => string | undefined;
}

export type SecretOptions = Omit<InputOptions, 'value'>;

export type Severity = 'information' | 'warning' | 'error';

/** The editor the user is in, as far as the commands need it. */
export interface EditorState {
  readonly uri: string;
  readonly languageId: string;
  readonly text: string;
  /** The cursor, as an offset in `text`. */
  readonly offset: number;
  /** The LSP position of the cursor (UTF-16 units). */
  readonly position: { readonly line: number; readonly character: number };
}

/** A replacement of `[offset, offset + length)` in the active editor's text. */
export interface TextReplacement {
  readonly offset: number;
  readonly length: number;
  readonly text: string;
}

export interface Ui {
  pick<T>(items: readonly PickItem<T>[], options: PickOptions): Promise<T | undefined>;
  pickMany<T>(items: readonly PickItem<T>[], options: PickOptions): Promise<T[] | undefined>;
  ask(options: InputOptions): Promise<string | undefined>;
  /** A masked input; the text typed never leaves the command that asked for it except as the user chooses. */
  askSecret(options: SecretOptions): Promise<string | undefined>;
  /** A notification with buttons; resolves to the button chosen, or undefined when dismissed. */
  tell(severity: Severity, message: string, ...buttons: string[]): Promise<string | undefined>;
  copy(text: string): Promise<void>;
  activeEditor(): EditorState | undefined;
  /** Replaces text in the active editor (one undo step); false when it is gone or read-only. */
  editActive(replacements: readonly TextReplacement[]): Promise<boolean>;
  /** Opens an untitled document with `content`. */
  openUntitled(content: string, languageId: string): Promise<void>;
  /** Shows `content` in a read-only editor titled `title`. */
  showReadOnly(title: string, content: string): Promise<void>;
  openExternal(url: string): Promise<void>;
}

/** What the commands ask the language server (custom requests of server/src/clientRequests.ts). */
export interface ServerQueries {
  workspaceRegistries(): Promise<readonly WorkspaceRegistry[]>;
  explainImage(uri: string, position: { line: number; character: number }): Promise<ExplainAnswer>;
}
