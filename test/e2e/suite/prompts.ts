/**
 * Answers for the extension's prompts in the extension-host tests, through the test seam
 * the extension exports when `PULLGUARD_TEST_SEAM=1` (set by the e2e driver): the
 * commands run their own code and VS Code's clipboard, editors and documents; only the
 * quick picks, input boxes, notifications and the link confirmation are answered here.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';

interface PickItem {
  readonly label: string;
  readonly value: unknown;
}

interface InputOptions {
  readonly title: string;
  readonly prompt: string;
  readonly validate?: (text: string) => string | undefined;
}

/** The overrides the extension accepts (client/src/vscodeUi.ts `PromptOverrides`). */
interface PromptOverrides {
  pick?: (items: readonly PickItem[], options: { title: string }) => Promise<unknown>;
  pickMany?: (items: readonly PickItem[], options: { title: string }) => Promise<unknown[] | undefined>;
  ask?: (options: InputOptions) => Promise<string | undefined>;
  askSecret?: (options: InputOptions) => Promise<string | undefined>;
  tell?: (severity: string, message: string, ...buttons: string[]) => Promise<string | undefined>;
  openExternal?: (url: string) => Promise<void>;
}

interface PullguardApi {
  serverReadyMs(): number | undefined;
  setPromptOverrides?(overrides: PromptOverrides | undefined): void;
}

export function pullguardApi(): PullguardApi {
  const extension = vscode.extensions.getExtension<PullguardApi>(EXTENSION_ID);
  assert.ok(extension?.isActive, 'Pullguard is active');
  return extension.exports;
}

/** A script of answers; what was asked and told is recorded for the assertions. */
export class Script {
  picks: Array<string | ((labels: string[]) => string | undefined)> = [];
  pickManys: string[][] = [];
  inputs: string[] = [];
  secrets: string[] = [];
  buttons: Array<string | undefined> = [];
  readonly asked: Array<{ kind: string; title: string; labels?: string[] }> = [];
  readonly told: Array<{ severity: string; message: string; buttons: string[] }> = [];
  readonly external: string[] = [];

  overrides(): PromptOverrides {
    const next = <T>(queue: T[], what: string): T => {
      assert.ok(queue.length > 0, `unexpected prompt: ${what}`);
      return queue.shift()!;
    };
    const input = async (kind: string, queue: string[], options: InputOptions) => {
      this.asked.push({ kind, title: options.title });
      const text = next(queue, `${kind} ${options.prompt}`);
      // As VS Code does: the input is not accepted while the command's validation objects.
      assert.equal(options.validate?.(text), undefined, `the ${kind} answer is rejected`);
      return text;
    };
    return {
      pick: async (items, options) => {
        const labels = items.map((i) => i.label);
        this.asked.push({ kind: 'pick', title: options.title, labels });
        const answer = next(this.picks, `pick ${options.title}: ${labels.join(' | ')}`);
        const label = typeof answer === 'function' ? answer(labels) : answer;
        if (label === undefined) return undefined;
        const item = items.find((i) => i.label === label || i.label.startsWith(label));
        assert.ok(item, `no item "${label}" in ${labels.join(' | ')}`);
        return item.value;
      },
      pickMany: async (items, options) => {
        this.asked.push({ kind: 'pickMany', title: options.title, labels: items.map((i) => i.label) });
        const labels = next(this.pickManys, `pickMany ${options.title}`);
        return labels.map((label) => items.find((i) => i.label === label)!.value);
      },
      ask: (options) => input('ask', this.inputs, options),
      askSecret: (options) => input('askSecret', this.secrets, options),
      tell: async (severity, message, ...buttons) => {
        this.told.push({ severity, message, buttons });
        return this.buttons.length > 0 ? this.buttons.shift() : undefined;
      },
      openExternal: async (url) => {
        this.external.push(url);
      },
    };
  }
}

/** Runs `body` with the script answering the prompts; the seam is cleared afterwards. */
export async function withPrompts<T>(script: Script, body: () => PromiseLike<T>): Promise<T> {
  const api = pullguardApi();
  assert.ok(api.setPromptOverrides, 'the extension exposes the test seam (PULLGUARD_TEST_SEAM=1)');
  api.setPromptOverrides(script.overrides());
  try {
    return await body();
  } finally {
    api.setPromptOverrides(undefined);
  }
}
