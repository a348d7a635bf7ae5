/**
 * A scripted `Ui` for the command tests: each prompt takes the next answer from its
 * queue (and fails the test when none is left), and everything the command does to
 * the clipboard, the editor and documents is recorded.
 */
import assert from 'node:assert/strict';
import type { EditorState, InputOptions, PickItem, PickOptions, SecretOptions, ServerQueries, Severity, TextReplacement, Ui, WorkspaceRegistry, ExplainAnswer } from '../../../client/src/ui';

/** How a scripted pick answers: by the label of the item it chooses. */
export type PickAnswer = string | ((items: readonly PickItem<unknown>[]) => string | undefined) | undefined;
/** How a scripted input answers; the validation of the command runs on the text first. */
export type InputAnswer = string | undefined;

export class FakeUi implements Ui {
  picks: PickAnswer[] = [];
  pickManys: Array<string[] | undefined> = [];
  inputs: InputAnswer[] = [];
  secrets: InputAnswer[] = [];
  buttons: Array<string | undefined> = [];

  readonly asked: Array<{ kind: 'pick' | 'pickMany' | 'ask' | 'askSecret'; title: string; labels?: string[]; options?: InputOptions | SecretOptions }> = [];
  readonly told: Array<{ severity: Severity; message: string; buttons: string[] }> = [];
  readonly clipboard: string[] = [];
  readonly opened: Array<{ content: string; languageId: string }> = [];
  readonly readOnly: Array<{ title: string; content: string }> = [];
  readonly external: string[] = [];
  editor: EditorState | undefined;
  editable = true;

  async pick<T>(items: readonly PickItem<T>[], options: PickOptions): Promise<T | undefined> {
    this.asked.push({ kind: 'pick', title: options.title, labels: items.map((i) => i.label) });
    assert.ok(this.picks.length > 0, `unexpected pick: ${options.title} (${items.map((i) => i.label).join(' | ')})`);
    const answer = this.picks.shift();
    const label = typeof answer === 'function' ? answer(items) : answer;
    if (label === undefined) return undefined;
    const item = items.find((i) => i.label === label);
    assert.ok(item, `no item ${label} in ${items.map((i) => i.label).join(' | ')}`);
    return item.value;
  }

  async pickMany<T>(items: readonly PickItem<T>[], options: PickOptions): Promise<T[] | undefined> {
    this.asked.push({ kind: 'pickMany', title: options.title, labels: items.map((i) => i.label) });
    assert.ok(this.pickManys.length > 0, `unexpected pickMany: ${options.title}`);
    const labels = this.pickManys.shift();
    return labels?.map((label) => items.find((i) => i.label === label)!.value);
  }

  private answer(queue: InputAnswer[], options: InputOptions | SecretOptions, kind: 'ask' | 'askSecret'): string | undefined {
    this.asked.push({ kind, title: options.title, options });
    assert.ok(queue.length > 0, `unexpected ${kind}: ${options.prompt}`);
    const text = queue.shift();
    if (text === undefined) return undefined;
    // VS Code does not accept the input while the validation reports a problem.
    const problem = options.validate?.(text);
    assert.equal(problem, undefined, `the command rejected ${kind === 'askSecret' ? 'the secret' : JSON.stringify(text)}: ${problem}`);
    return text;
  }

  async ask(options: InputOptions): Promise<string | undefined> {
    return this.answer(this.inputs, options, 'ask');
  }

  async askSecret(options: SecretOptions): Promise<string | undefined> {
    assert.ok(!('value' in options), 'a secret input is never pre-filled');
    return this.answer(this.secrets, options, 'askSecret');
  }

  async tell(severity: Severity, message: string, ...buttons: string[]): Promise<string | undefined> {
    this.told.push({ severity, message, buttons });
    return this.buttons.shift();
  }

  async copy(text: string): Promise<void> {
    this.clipboard.push(text);
  }

  activeEditor(): EditorState | undefined {
    return this.editor;
  }

  async editActive(replacements: readonly TextReplacement[]): Promise<boolean> {
    if (!this.editor || !this.editable) return false;
    let text = this.editor.text;
    for (const r of [...replacements].sort((a, b) => b.offset - a.offset)) text = text.slice(0, r.offset) + r.text + text.slice(r.offset + r.length);
    this.editor = { ...this.editor, text };
    return true;
  }

  async openUntitled(content: string, languageId: string): Promise<void> {
    this.opened.push({ content, languageId });
  }

  async showReadOnly(title: string, content: string): Promise<void> {
    this.readOnly.push({ title, content });
  }

  async openExternal(url: string): Promise<void> {
    this.external.push(url);
  }

  /** Everything the user could see: prompts, messages, documents (not the clipboard). */
  visibleText(): string {
    return JSON.stringify([this.asked.map(({ kind, title, labels, options }) => [kind, title, labels, options?.prompt, options?.placeholder]), this.told, this.readOnly]);
  }
}

/** An editor on `text` with the cursor at the `|` in it (which is removed). */
export function editorAt(textWithCursor: string, languageId: string, uri = 'file:///ws/.gitlab-ci.yml'): EditorState {
  const offset = textWithCursor.indexOf('|');
  assert.notEqual(offset, -1, 'the fixture marks the cursor with |');
  const text = textWithCursor.slice(0, offset) + textWithCursor.slice(offset + 1);
  const before = text.slice(0, offset).split('\n');
  return { uri, languageId, text, offset, position: { line: before.length - 1, character: before[before.length - 1]!.length } };
}

export class FakeServer implements ServerQueries {
  registries: WorkspaceRegistry[] = [];
  explained: ExplainAnswer = { ok: false, message: 'nothing to explain' };
  readonly explainAsked: Array<{ uri: string; position: { line: number; character: number } }> = [];
  failing = false;

  async workspaceRegistries(): Promise<readonly WorkspaceRegistry[]> {
    if (this.failing) throw new Error('the server is not running');
    return this.registries;
  }

  async explainImage(uri: string, position: { line: number; character: number }): Promise<ExplainAnswer> {
    this.explainAsked.push({ uri, position });
    if (this.failing) throw new Error('the server is not running');
    return this.explained;
  }
}

export function registry(name: string, images: number, anonymousImages: number, cloud?: WorkspaceRegistry['cloud']): WorkspaceRegistry {
  return { registry: name, key: name === 'docker.io' ? 'https://index.docker.io/v1/' : name, images, anonymousImages, cloud };
}
