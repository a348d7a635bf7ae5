/**
 * *Move credentials to a CI/CD variable*: the client half of the auth/committed-secret
 * quick fix. The fix's edit has already removed `DOCKER_AUTH_CONFIG` from the file; its
 * JSON arrives here as the argument. It goes to the clipboard only when the user
 * chooses that, and GitLab's docs on project CI/CD variables open next.
 */
import type { Ui } from '../ui';

export const CI_CD_VARIABLES_DOCS = 'https://docs.gitlab.com/ci/variables/#for-a-project';
export const COPY_AND_OPEN = 'Copy JSON and open CI/CD variables docs';
export const OPEN_DOCS = 'Open docs only';

export async function moveToVariable(ui: Ui, json: unknown): Promise<'copied' | 'docs' | undefined> {
  if (typeof json !== 'string' || json.trim() === '') {
    await ui.tell('error', 'Pullguard: *Move credentials to a CI/CD variable* runs from the quick fix of auth/committed-secret, which passes the JSON; it was called without it.');
    return undefined;
  }
  const choice = await ui.tell(
    'information',
    'Pullguard removed DOCKER_AUTH_CONFIG from the file (Undo puts it back). Add it in GitLab as a masked CI/CD variable named DOCKER_AUTH_CONFIG (Settings > CI/CD > Variables), so the runner still gets it and the repository no longer holds the credentials.',
    COPY_AND_OPEN,
    OPEN_DOCS,
  );
  if (choice === COPY_AND_OPEN) {
    await ui.copy(json.trim());
    await ui.openExternal(CI_CD_VARIABLES_DOCS);
    return 'copied';
  }
  if (choice === OPEN_DOCS) {
    await ui.openExternal(CI_CD_VARIABLES_DOCS);
    return 'docs';
  }
  return undefined;
}
