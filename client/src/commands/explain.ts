/**
 * *Explain credentials for image at cursor* (SPEC §3): the runner's credential lookup
 * for the image under the cursor, as `pullguard explain` prints it, in a read-only
 * editor. The server computes it (the same core as the CLI); no secret is in it.
 */
import type { ServerQueries, Ui } from '../ui';

export async function explainCredentials(ui: Ui, server: ServerQueries): Promise<string | undefined> {
  const editor = ui.activeEditor();
  if (!editor) {
    await ui.tell('warning', 'Pullguard: open a `.gitlab-ci.yml` or runner `config.toml` and put the cursor on an image to explain its credentials.');
    return undefined;
  }
  let answer;
  try {
    answer = await server.explainImage(editor.uri, editor.position);
  } catch (error) {
    await ui.tell('error', `Pullguard: the language server could not explain the credentials (${error instanceof Error ? error.message : String(error)}). Try again once it has restarted.`);
    return undefined;
  }
  if (!answer.ok) {
    await ui.tell('warning', `Pullguard: ${answer.message}`);
    return undefined;
  }
  await ui.showReadOnly(`Credentials for ${answer.image}`, answer.text);
  return answer.text;
}
