/**
 * Hovers about credentials (SPEC §2): which credentials the runner uses for an
 * image, and what an `auths`, `credHelpers` or `credsStore` entry means. A password
 * is only ever shown masked, as its length.
 */
import type { MarkupContent } from 'vscode-languageserver-types';
import { convertToRegistryPath } from './credentials/normalize';
import type { KeyPlace } from './credentials/sources';
import type { CredentialSource, Resolution } from './credentials/types';
import type { ImageOccurrence } from './model/images';
import type { ImageCredentials } from './rules/auth';
import { code } from './text/markdown';
import { maskSecret } from './text/secret';

function describeSource(source: CredentialSource): string {
  switch (source.origin.kind) {
    case 'ci-variable':
      return `\`$DOCKER_AUTH_CONFIG\` ${source.origin.job ? `of job ${code(source.origin.job)}` : 'of the pipeline\'s `variables:`'}`;
    case 'project-variable':
      return '`$DOCKER_AUTH_CONFIG` of the project\'s CI/CD settings';
    case 'runner-environment':
      return `\`$DOCKER_AUTH_CONFIG\` from the runner \`config.toml\` (runner ${code(source.origin.runner)})`;
    case 'docker-config':
      return `${code(source.label)} (as the runner user's \`~/.docker/config.json\`)`;
    case 'job-payload':
      return source.origin.service === 'registry' ? 'the job token GitLab sends for its container registry' : 'the job token GitLab sends for its dependency proxy';
  }
}

/** One line: the credentials the runner uses for this image, or why the pull is anonymous. */
export function describeCredentials(credentials: ImageCredentials): string {
  const { resolution, sources, uncertain } = credentials;
  if (resolution.abortReason) return `none: the pull fails, because ${resolution.abortReason}`;
  if (uncertain) return 'unknown here: the project\'s `DOCKER_AUTH_CONFIG` variable decides';
  const match = resolution.match;
  if (!match) {
    const dropped = resolution.droppedSources.length > 0
      ? ` (dropped: ${resolution.droppedSources.map((d) => `${code(d.source)}, because ${d.reason}`).join('; ')})`
      : '';
    return `anonymous: no key in any source matches ${code(resolution.registryPath)}${dropped}`;
  }
  const source = sources.find((s) => s.label === match.source);
  const from = source ? describeSource(source) : code(match.source);
  const via = match.via === 'credHelpers' ? ', through a credential helper' : match.via === 'credsStore' ? ', through the credentials store' : '';
  return `${code(match.key)} from ${from}${via}`;
}

export function getCredentialNotes(credentials: ImageCredentials): string[] {
  return [...credentials.resolution.notes, ...credentials.notes];
}

function describeResolutionForKey(resolution: Resolution): string {
  return resolution.match ? code(resolution.match.key) : 'no key (anonymous)';
}

/** Hover on a key of `auths`, `credHelpers` or on `credsStore`. */
export function getKeyHover(place: KeyPlace, images: ReadonlyMap<ImageOccurrence, ImageCredentials>): MarkupContent {
  const lines: string[] = [];
  if (place.kind === 'credsStore') {
    lines.push(`**Credentials store** ${code(place.key)}`, '',
      `The runner runs ${code(`docker-credential-${place.key}`)} \`list\`, then \`get\` for each server it lists, on every pull. The program must be on the \`$PATH\` of the user the runner process runs as; GitLab-hosted runners cannot run it.`,
      '', 'Registries the store does not list are pulled anonymously (REFERENCE §1.3).');
    return { kind: 'markdown', value: lines.join('\n') };
  }
  const path = convertToRegistryPath(place.key);
  if (place.kind === 'credHelpers') {
    lines.push(`**Credential helper** for ${code(place.key)}`, '',
      `The runner runs ${code(`docker-credential-${place.helper?.helper ?? ''}`)} \`get\` for ${code(place.key)} on every pull, whether or not an image uses it. The program must be on the \`$PATH\` of the runner process's user; if it is missing, the whole source is dropped.`,
      '', `Serves images under ${code(path)}.`);
  } else {
    const entry = place.entry;
    lines.push(`**Registry credentials** ${code(place.key)}`, '', '| | |', '|---|---|', `| Registry path | ${code(path)} |`);
    if (entry?.username) lines.push(`| Username | ${code(entry.username)} |`);
    if (entry?.passwordLength !== undefined) lines.push(`| Password | ${maskSecret(entry.passwordLength)} |`);
    if (entry?.identityToken) lines.push('| Identity token | •••• (set) |');
    if (entry?.registryToken) lines.push('| Registry token | •••• (set) |');
    if (entry?.empty) lines.push('| Credentials | none: this entry makes pulls from it anonymous and hides lower sources |');
  }
  const served = [...images].filter(([, credentials]) => credentials.resolution.match?.key === place.key);
  const missed = [...images].filter(([, credentials]) => credentials.resolution.match?.key !== place.key
    && credentials.resolution.candidates.some((candidate) => candidate.key === place.key));
  if (served.length > 0) {
    lines.push('', `Used for ${served.slice(0, 8).map(([image]) => code(image.text)).join(', ')}${served.length > 8 ? ` and ${served.length - 8} more` : ''}.`);
  } else {
    lines.push('', 'No image in this file uses it.');
  }
  for (const [image, credentials] of missed.slice(0, 3)) {
    lines.push(`- ${code(image.text)} uses ${describeResolutionForKey(credentials.resolution)} instead.`);
  }
  return { kind: 'markdown', value: lines.join('\n') };
}
