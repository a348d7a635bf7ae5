/**
 * Hovers (SPEC §2): what an image reference means to Docker and to the runner.
 */
import type { MarkupContent } from 'vscode-languageserver-types';
import type { ImageOccurrence } from './model/images';
import type { WorkspaceView } from './model/workspace';
import { parseImageReference } from './reference/parseReference';
import { getServiceHostnames } from './reference/serviceHostnames';
import { expandVariables } from './variables';
import { describeCredentials, getCredentialNotes } from './credentialHover';
import type { ImageCredentials } from './rules/auth';
import { code } from './text/markdown';

/** The pull policy the runner will use: the job's own, else the runners' (REFERENCE §4.4). */
function describePullPolicy(occurrence: ImageOccurrence, workspace: WorkspaceView): string {
  if (occurrence.pullPolicy && occurrence.pullPolicy.length > 0) {
    const where = occurrence.source === 'runner-config' ? 'from this runner' : 'set here';
    return `${occurrence.pullPolicy.map(code).join(', ')} (${where})`;
  }
  const runnerPolicies = new Set<string>();
  for (const config of workspace.runnerConfigs) {
    for (const runner of config.model.runners) {
      const policy = runner.pullPolicy.map((p) => p.value).join(', ');
      if (policy) runnerPolicies.add(policy);
    }
  }
  if (runnerPolicies.size > 0) {
    return `${[...runnerPolicies].map(code).join(' or ')} (from the runner \`config.toml\` in this workspace)`;
  }
  return '`always` (the runner\'s default)';
}

export function getImageHover(occurrence: ImageOccurrence, workspace: WorkspaceView, credentials: ImageCredentials | undefined): MarkupContent {
  const expansion = expandVariables(occurrence.text, occurrence.variables);
  const result = parseImageReference(expansion.text);
  const title = occurrence.role === 'service' ? 'Service image' : 'Image';
  const lines: string[] = [`**${title}** ${code(occurrence.text)} — ${occurrence.place}`, ''];
  if (!result.ok) {
    lines.push(`Docker cannot parse this reference: ${result.problem.message}`);
    return { kind: 'markdown', value: lines.join('\n') };
  }
  const reference = result.reference;
  const rows: Array<[string, string]> = [];
  const registry = reference.isDockerHub
    ? `Docker Hub (${code(reference.normalizedDomain)})`
    : reference.normalizedDomain === ''
      ? 'none that Docker can tell: the first component is not a valid host name'
      : code(reference.normalizedDomain);
  rows.push(['Registry', registry]);
  rows.push(['Repository', code(reference.normalizedPath)]);
  rows.push(['Tag', reference.tag ? code(reference.tag) : reference.digest ? '— (pulled by digest)' : '`latest` (implied)']);
  rows.push(['Digest', reference.digest ? code(reference.digest) : '— (not pinned)']);
  const fullName = `${reference.normalizedName}${reference.tag && !reference.digest ? `:${reference.tag}` : reference.digest ? '' : ':latest'}${reference.digest ? `@${reference.digest}` : ''}`;
  rows.push(['Full name', code(fullName)]);
  if (occurrence.role === 'service') {
    // The runner expands `alias` like the name (16.0+); a value only known at run time is shown as written.
    const alias = occurrence.alias === undefined ? undefined : expandVariables(occurrence.alias, occurrence.variables);
    const aliasKnown = !alias || alias.uses.every((use) => use.origin === 'literal');
    const nameKnown = expansion.uses.every((use) => use.origin === 'literal');
    const hostnames = getServiceHostnames(reference, aliasKnown ? alias?.text : undefined);
    const described = hostnames.map((h) => `${code(h.hostname)} (${h.source === 'alias' ? 'alias' : nameKnown ? 'derived from the name' : 'derived from the name, with sample values'})`);
    if (!aliasKnown && occurrence.alias) described.push(`${code(occurrence.alias)} (alias, expanded at run time)`);
    rows.push(['Hostnames', described.join(', ')]);
  }
  rows.push(['Pull policy', describePullPolicy(occurrence, workspace)]);
  if (credentials) rows.push(['Credentials', describeCredentials(credentials)]);
  lines.push('| | |', '|---|---|', ...rows.map(([label, value]) => `| ${label} | ${value} |`));

  const notes: string[] = [];
  for (const use of expansion.uses) {
    if (use.origin === 'predefined') notes.push(`${code(`$${use.name}`)} is set by GitLab at run time; a sample value is shown.`);
    else if (use.origin === 'unknown') notes.push(`${code(`$${use.name}`)} is defined, but its value is only known at run time.`);
    else if (use.origin === 'literal') notes.push(`${code(`$${use.name}`)} expands to ${code(expansion.text.slice(use.expandedStart, use.expandedEnd))}.`);
    else notes.push(`${code(`$${use.name}`)} is not defined where the runner expands it: it becomes an empty string.`);
  }
  if (credentials) notes.push(...getCredentialNotes(credentials));
  if (occurrence.users.length > 0) {
    const shown = occurrence.users.slice(0, 5).map(code).join(', ');
    const more = occurrence.users.length > 5 ? ` and ${occurrence.users.length - 5} more` : '';
    notes.push(`Used by ${shown}${more}.`);
  }
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${note}`));
  return { kind: 'markdown', value: lines.join('\n') };
}
