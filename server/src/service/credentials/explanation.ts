/**
 * The text of `pullguard explain` and of the editor's *Explain credentials*: the
 * runner's credential lookup for one image (REFERENCE §1.2–§1.4). No secret: entries
 * show usernames and password lengths only.
 */
import { uriToPath } from '../model/workspace';
import { maskSecret } from '../text/secret';
import { getLookupPaths } from './normalize';
import { getSourceDropReason, type ResolveOptions } from './resolve';
import type { AuthEntry, CredentialSource, Resolution, SourceOrigin } from './types';

/** A file's path, relative to `cwd` when it is inside it. */
function displayPath(uri: string, cwd: string): string {
  const path = uriToPath(uri);
  return path.startsWith(cwd + '/') ? path.slice(cwd.length + 1) : path;
}

function describeOrigin(origin: SourceOrigin, cwd: string): string {
  switch (origin.kind) {
    case 'ci-variable':
      return origin.job !== undefined ? `variables of job ${origin.job} in ${displayPath(origin.uri, cwd)}` : `global variables in ${displayPath(origin.uri, cwd)}`;
    case 'project-variable':
      return 'a project CI/CD variable';
    case 'runner-environment':
      return `environment of runner ${origin.runner} in ${displayPath(origin.uri, cwd)}`;
    case 'docker-config':
      return 'the runner user\'s Docker config';
    case 'job-payload':
      return origin.service === 'registry' ? 'GitLab\'s job token for the container registry' : 'GitLab\'s job token for the dependency proxy';
  }
}

function describeEntry(entry: AuthEntry, jobPayload: boolean): string {
  if (entry.empty) return 'no credentials';
  const parts: string[] = [];
  if (entry.username !== undefined) parts.push(`user ${entry.username}`);
  if (jobPayload) parts.push('password: the job token');
  else if (entry.passwordLength !== undefined) parts.push(`password ${maskSecret(entry.passwordLength)}`);
  if (entry.identityToken) parts.push('an identity token');
  if (entry.registryToken) parts.push('a registry token');
  return parts.join(', ');
}

/**
 * The runner's lookup for one image, step by step: the sources in its order with what
 * each holds (passwords as their length), the paths tried longest first, the result.
 * @param cwd file paths are shown relative to it
 */
export function formatExplanation(resolution: Resolution, sources: readonly CredentialSource[], options: ResolveOptions, cwd: string): string {
  const lines: string[] = [
    `Image:          ${resolution.image}`,
    `Docker's name:  ${resolution.normalized}`,
    `Runner's path:  ${resolution.registryPath}  (what the runner looks up)`,
    '',
    'Sources, in the runner\'s order:',
  ];
  sources.forEach((source, i) => {
    lines.push(`  ${i + 1}. ${source.label}  (${describeOrigin(source.origin, cwd)})`);
    const dropReason = getSourceDropReason(source, options);
    if (source.abortReason !== undefined) lines.push(`       aborts the lookup: ${source.abortReason}`);
    else if (dropReason !== undefined) lines.push(`       dropped whole: ${dropReason}`);
    for (const entry of source.auths) lines.push(`       auths        ${entry.key}  (${describeEntry(entry, source.origin.kind === 'job-payload')})`);
    for (const helper of source.credHelpers) lines.push(`       credHelpers  ${helper.key ?? ''}  (docker-credential-${helper.helper})`);
    if (source.credsStore) lines.push(`       credsStore   docker-credential-${source.credsStore.helper}  (registries it lists; unknown here)`);
    if (source.auths.length === 0 && source.credHelpers.length === 0 && !source.credsStore) lines.push('       no credentials');
  });
  lines.push('', 'Lookup, longest path first:');
  if (resolution.abortReason !== undefined) {
    lines.push('  (not reached: the lookup aborts)');
  } else {
    let used = false;
    for (const path of getLookupPaths(resolution.registryPath)) {
      const here = resolution.candidates.filter((c) => c.path === path);
      if (here.length === 0) lines.push(`  ${path}  no key`);
      for (const candidate of here) {
        lines.push(`  ${path}  ${candidate.key} from ${candidate.source} (${candidate.via})${used ? '' : '  <- used'}`);
        used = true;
      }
    }
  }
  lines.push('');
  if (resolution.abortReason !== undefined) lines.push('Result: the pull fails.');
  else if (resolution.match === null) lines.push('Result: anonymous pull.');
  else lines.push(`Result: ${resolution.match.key} from ${resolution.match.source}${resolution.anonymous ? ' (no credentials: effectively anonymous)' : ''}.`);
  if (resolution.notes.length > 0) {
    lines.push('', 'Notes:');
    for (const note of resolution.notes) lines.push(`  - ${note}`);
  }
  return lines.join('\n');
}
