/**
 * *Add ECR credential helper* (SPEC §3, REFERENCE §6.1): `credHelpers` entries with
 * `ecr-login` for the Amazon ECR registries the workspace pulls from (a static ECR
 * token expires after 12 hours; the helper gets a fresh one on every pull). Merged
 * into the Docker config open in the editor, or delivered like the other JSON. Also
 * offers the `aws ecr get-login-password` command for each region, to copy: nothing
 * is run.
 */
import { applyEdits, modify, parseTree } from 'jsonc-parser';
import { isEcrHost } from '../../../server/src/service/credentials/normalize';
import type { ServerQueries, TextReplacement, Ui } from '../ui';
import { deliverJson } from './deliver';

const TITLE = 'Add ECR credential helper';

/** The region of an ECR host, `<account>.dkr.ecr.<region>.amazonaws.com`. */
export function getEcrRegion(host: string): string | undefined {
  return /^\d{12}\.dkr[.-]ecr(?:-fips)?\.([a-z0-9-]+)\./.exec(host.toLowerCase())?.[1];
}

/** The shell command that logs Docker in to an ECR registry with the AWS CLI. */
export function getLoginCommand(host: string): string {
  return `aws ecr get-login-password --region ${getEcrRegion(host) ?? '<region>'} | docker login --username AWS --password-stdin ${host}`;
}

/** `{"credHelpers": {"<host>": "ecr-login", …}}` */
export function buildEcrHelpers(hosts: readonly string[]): string {
  return JSON.stringify({ credHelpers: Object.fromEntries(hosts.map((host) => [host, 'ecr-login'])) });
}

/**
 * The edits that add the helpers to a Docker config's JSON text, keeping its layout;
 * undefined when the text is not a JSON object. A static `auths` entry for the same
 * host is left alone (the quick fix of auth/ecr-static-token removes it).
 */
export function addEcrHelpersToConfig(text: string, hosts: readonly string[]): TextReplacement[] | undefined {
  const root = parseTree(text);
  if (root?.type !== 'object') return undefined;
  const indent = /\n([ \t]+)"/.exec(text)?.[1];
  const formattingOptions = { insertSpaces: !indent?.startsWith('\t'), tabSize: indent && !indent.startsWith('\t') ? indent.length : 2, eol: text.includes('\r\n') ? '\r\n' : '\n' };
  let current = text;
  for (const host of hosts) {
    const edits = modify(current, ['credHelpers', host], 'ecr-login', { formattingOptions });
    current = applyEdits(current, edits);
  }
  if (current === text) return [];
  return [{ offset: 0, length: text.length, text: current }];
}

/** Whether the editor holds a Docker config: a JSON object with Docker's top-level keys, or an empty one. */
function isDockerConfigText(languageId: string, text: string): boolean {
  if (!languageId.startsWith('json')) return false;
  const root = parseTree(text);
  if (root?.type !== 'object') return false;
  const keys = (root.children ?? []).map((p) => p.children?.[0]?.value);
  return keys.length === 0 || keys.some((k) => k === 'auths' || k === 'credHelpers' || k === 'credsStore');
}

export async function addEcrCredentialHelper(ui: Ui, server: ServerQueries): Promise<readonly string[] | undefined> {
  let found: string[] = [];
  try {
    found = (await server.workspaceRegistries()).filter((r) => r.cloud === 'ecr').map((r) => r.registry);
  } catch {
    // Without the server the host can still be typed.
  }
  let hosts: string[] | undefined;
  if (found.length === 1) hosts = found;
  else if (found.length > 1) {
    hosts = await ui.pickMany(found.map((host) => ({ label: host, description: `region ${getEcrRegion(host) ?? '?'}`, value: host })), {
      title: TITLE,
      placeholder: 'ECR registries that get the ecr-login helper',
    });
    if (hosts?.length === 0) hosts = undefined;
  } else {
    const typed = await ui.ask({
      title: TITLE,
      prompt: 'No image in the workspace comes from Amazon ECR. ECR registry host:',
      placeholder: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      validate: (text) => (isEcrHost(text.trim()) ? undefined : 'Not an ECR registry host: <12-digit account>.dkr.ecr.<region>.amazonaws.com'),
    });
    hosts = typed === undefined ? undefined : [typed.trim()];
  }
  if (!hosts) return undefined;

  const editor = ui.activeEditor();
  if (editor && isDockerConfigText(editor.languageId, editor.text)) {
    const name = editor.uri.split('/').pop() ?? 'the open file';
    const where = await ui.pick(
      [
        { label: `Add to ${name}`, description: 'the Docker config in the editor', value: 'merge' as const },
        { label: 'Other ways (copy, insert, new document)…', value: 'deliver' as const },
      ],
      { title: TITLE, placeholder: 'Where should the credHelpers entries go?' },
    );
    if (where === undefined) return undefined;
    if (where === 'merge') {
      const edits = addEcrHelpersToConfig(editor.text, hosts)!;
      if (edits.length > 0 && !(await ui.editActive(edits))) {
        await ui.tell('error', 'Pullguard: the editor could not be changed (it was closed or is read-only). Nothing was added.');
        return undefined;
      }
    } else if ((await deliverJson(ui, buildEcrHelpers(hosts), TITLE)) === undefined) return undefined;
  } else if ((await deliverJson(ui, buildEcrHelpers(hosts), TITLE)) === undefined) return undefined;

  const regions = [...new Set(hosts.map((h) => getEcrRegion(h) ?? '?'))].join(', ');
  const copy = await ui.tell(
    'information',
    `Pullguard: the runner now needs \`docker-credential-ecr-login\` on its PATH and AWS credentials for ${regions} (an instance role or AWS_* variables of the runner process). To log in from a shell instead, run \`aws ecr get-login-password --region …\`.`,
    'Copy login command',
  );
  if (copy === 'Copy login command') await ui.copy(hosts.map(getLoginCommand).join('\n'));
  return hosts;
}
