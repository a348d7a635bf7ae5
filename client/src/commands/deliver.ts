/**
 * The last step of the commands that produce Docker JSON: the user chooses where it
 * goes. The clipboard is used only when chosen; the JSON (which may hold base64
 * credentials) is never shown in a message.
 */
import type { Ui } from '../ui';
import { describeTarget, getInsertProblem, getInsertTarget, getTextToInsert } from './insertText';

export type Delivery = 'copy' | 'insert' | 'open';

/** Asks where `json` goes and puts it there; returns what was done, or undefined when cancelled. */
export async function deliverJson(ui: Ui, json: string, title: string): Promise<Delivery | undefined> {
  const editor = ui.activeEditor();
  const target = editor && getInsertTarget(editor.languageId);
  const choices = [
    { label: 'Copy to clipboard', value: 'copy' as const },
    ...(editor && target
      ? [{ label: `Insert at cursor ${describeTarget(target)}`, description: editor.uri.split('/').pop(), value: 'insert' as const }]
      : []),
    { label: 'Open as new JSON document', description: 'untitled, not saved', value: 'open' as const },
  ];
  const choice = await ui.pick(choices, { title, placeholder: 'Where should the JSON go?' });
  switch (choice) {
    case undefined:
      return undefined;
    case 'copy':
      await ui.copy(json);
      await ui.tell('information', 'Pullguard: the JSON is on the clipboard. It contains credentials: paste it into a masked CI/CD variable, not into a file you commit.');
      return 'copy';
    case 'insert': {
      const problem = getInsertProblem(target!, editor!.text, editor!.offset);
      if (problem) {
        await ui.tell('warning', `Pullguard: nothing was inserted. ${problem}`);
        return undefined;
      }
      const text = getTextToInsert(json, target!, editor!.text, editor!.offset);
      if (!(await ui.editActive([{ offset: editor!.offset, length: 0, text }]))) {
        await ui.tell('error', 'Pullguard: the editor could not be changed (it was closed or is read-only). Nothing was inserted.');
        return undefined;
      }
      return 'insert';
    }
    case 'open':
      await ui.openUntitled(`${JSON.stringify(JSON.parse(json), null, 2)}\n`, 'json');
      return 'open';
  }
}
