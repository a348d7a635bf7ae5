/**
 * auth/* — the checks that need an image and the runner's credential lookup for it
 * (REFERENCE §1.2–§1.4). The checks of the JSON itself run where it is read
 * (`credentials/sources.ts`); these run once per image reference, in the context
 * of the first job that uses it.
 */
import { convertToRegistryPath, getCloudRegistry, hostOfPath, stripPort } from '../credentials/normalize';
import { resolveCredentials } from '../credentials/resolve';
import type { CredentialSource, Resolution, SourcePlace } from '../credentials/types';
import type { Finding } from '../finding';
import type { ImageOccurrence } from '../model/images';
import { parseImageReference } from '../reference/parseReference';
import type { Settings } from '../settings';
import { expandVariables, getGitLabHost } from '../variables';

export interface ImageCredentials {
  readonly resolution: Resolution;
  /** The sources the resolution used, in the runner's order. */
  readonly sources: readonly CredentialSource[];
  /** Sources of unknown content come first (a project variable): no verdict. */
  readonly uncertain: boolean;
  readonly notes: readonly string[];
}

/** Each occurrence's pull name, computed once: the credential lookup and its checks both need it. */
const pullNames = new WeakMap<ImageOccurrence, { name: string; domainKnown: boolean } | undefined>();

/** The image as the runner will pull it, or undefined when a variable hides its registry. */
export function getPullName(occurrence: ImageOccurrence): { name: string; domainKnown: boolean } | undefined {
  if (pullNames.has(occurrence)) return pullNames.get(occurrence);
  const pull = computePullName(occurrence);
  pullNames.set(occurrence, pull);
  return pull;
}

function computePullName(occurrence: ImageOccurrence): { name: string; domainKnown: boolean } | undefined {
  const expansion = expandVariables(occurrence.text, occurrence.variables);
  const parsed = parseImageReference(expansion.text);
  if (!parsed.ok) return undefined;
  const domainEnd = parsed.reference.domainSpan?.end ?? parsed.reference.pathSpan.start;
  const domainKnown = !expansion.uses.some((use) => use.expandedStart < Math.max(1, domainEnd) && use.origin !== 'literal');
  return { name: expansion.text, domainKnown };
}

/**
 * Resolutions already made, for the jobs of a pipeline that pull the same image with
 * the same sources (thousands of jobs share a handful). Kept under the first source
 * the user wrote (it is read again with the document, so they go with it), else
 * under the settings; the key names the other sources by identity and GitLab's job
 * credentials, which are rebuilt per job from the settings, by content.
 */
const resolutions = new WeakMap<object, Map<string, Resolution>>();
const sourceIds = new WeakMap<CredentialSource, number>();
let nextSourceId = 0;
/** A bound on one cache's entries: names typed one keystroke at a time add up over a day. */
const MAX_CACHED_RESOLUTIONS = 10_000;

function sourceKey(source: CredentialSource): string {
  if (source.origin.kind === 'job-payload') return `payload:${source.origin.service}:${source.auths.map((entry) => entry.key).join(',')}`;
  let id = sourceIds.get(source);
  if (id === undefined) sourceIds.set(source, (id = nextSourceId++));
  return `#${id}`;
}

/** The key part naming a list of sources, once per list (the images of a pipeline share a few lists). */
const sourcesKeys = new WeakMap<readonly CredentialSource[], string>();
function sourcesKey(sources: readonly CredentialSource[]): string {
  let key = sourcesKeys.get(sources);
  if (key === undefined) sourcesKeys.set(sources, (key = sources.map(sourceKey).join('\0')));
  return key;
}

export function resolveImageCredentials(name: string, sources: readonly CredentialSource[], settings: Settings): Resolution {
  const options = { platform: settings.runner.platform, hosted: settings.runner.hosted };
  const owner: object = sources.find((source) => source.origin.kind !== 'job-payload') ?? settings;
  let cache = resolutions.get(owner);
  if (!cache) resolutions.set(owner, (cache = new Map()));
  const key = `${options.platform}\0${options.hosted}\0${sourcesKey(sources)}\0${name}`;
  let resolution = cache.get(key);
  if (!resolution) {
    if (cache.size >= MAX_CACHED_RESOLUTIONS) cache.clear();
    resolution = resolveCredentials(name, sources, options);
    cache.set(key, resolution);
  }
  return resolution;
}

/** Registries that never serve an image anonymously (SPEC §1: the warning form of auth/no-credentials). */
function alwaysNeedsCredentials(host: string): boolean {
  const cloud = getCloudRegistry(stripPort(host));
  return cloud !== undefined && cloud !== 'ecr-public';
}

/**
 * Credentials the runner would not find for an image, and keys that nearly match.
 * @example image: registry.example.com:5000/app:1 with key `registry.example.com` → auth/port-mismatch
 * @example image: registry.example.com/app:1 with no key at all → auth/no-credentials
 */
export function checkImageCredentials(occurrence: ImageOccurrence, credentials: ImageCredentials, settings: Settings): Finding[] {
  const { resolution, uncertain } = credentials;
  if (uncertain || resolution.abortReason) return [];
  const pull = getPullName(occurrence);
  if (!pull?.domainKnown) return [];
  const reference = parseImageReference(pull.name);
  if (!reference.ok) return [];
  const place = { offset: occurrence.start, length: Math.max(1, occurrence.end - occurrence.start) };
  const findings: Finding[] = [];
  const imageHost = hostOfPath(resolution.registryPath);

  const keys = usableKeys(credentials.sources);
  if (!resolution.match) {
    // Keys of the same host that differ only in the port never match (§1.4).
    const nearMiss = keys.find((key) => {
      const keyHost = hostOfPath(convertToRegistryPath(key.key));
      return keyHost !== imageHost && stripPort(keyHost) === stripPort(imageHost);
    });
    if (nearMiss) {
      const rename = nearMiss.place && { fix: 'rename-key' as const, ...nearMiss.place, key: nearMiss.key, newKey: withHost(nearMiss.key, imageHost) };
      findings.push({ code: 'auth/port-mismatch', ...place, message: `The runner looks up credentials for \`${imageHost}\`, but \`${nearMiss.source}\` has them under \`${nearMiss.key}\`: the port must match exactly, so the pull is anonymous. Rename the key to \`${imageHost}\`.`, ...(rename ? { data: rename } : {}) });
    }
  }

  // A digest-only reference keeps `@sha256` in the runner's path, so a key scoped to the repository misses it (§1.4).
  if (reference.reference.digest && !reference.reference.tag) {
    const repositoryPath = resolution.registryPath.replace(/@[^/]*$/, '');
    const scoped = keys.find((key) => convertToRegistryPath(key.key) === repositoryPath);
    if (scoped && resolution.match?.key !== scoped.key) {
      findings.push({ code: 'auth/digest-scope-miss', ...place, message: `The key \`${scoped.key}\` is scoped to \`${repositoryPath}\`, but the runner looks this digest-only reference up as \`${resolution.registryPath}\`, which that key never matches. Add a tag before the digest (\`…:tag@sha256:…\`), or scope the key to the namespace.` });
    }
  }

  const isDockerHub = imageHost === 'docker.io';
  const isGitLab = imageHost === settings.ciRegistry.toLowerCase() || imageHost === `${getGitLabHost(settings)}:443`;
  // A credentials store may list the registry; that is only known on the runner (§1.3).
  const storeMayServe = credentials.sources.some((source) => !source.dropReason && source.credsStore);
  // A dependency-proxy path without its port is image/dependency-proxy-port's finding: one cause, one message.
  const isDependencyProxyPath = resolution.registryPath.includes('/dependency_proxy/containers/');
  if (!resolution.match && !isDockerHub && !isGitLab && !isDependencyProxyPath && findings.length === 0 && !storeMayServe) {
    const cloud = alwaysNeedsCredentials(imageHost);
    findings.push({
      code: 'auth/no-credentials',
      ...place,
      // Cloud registries never allow anonymous pulls: the default severity rises (SPEC §1).
      ...(cloud ? { severity: 'warning' as const } : {}),
      message: `The runner will pull \`${pull.name}\` anonymously: no credentials in any visible source match \`${resolution.registryPath}\`${cloud ? `, and \`${imageHost}\` always requires authentication, so the pull will fail` : ''}. Unless the project sets \`DOCKER_AUTH_CONFIG\` as a CI/CD variable, add credentials for \`${imageHost}\`.`,
      data: { fix: 'create-auth-config', registry: imageHost },
    });
  }
  return findings;
}

type UsableKey = { readonly source: string; readonly key: string; readonly place: SourcePlace | undefined };
const usableKeysOf = new WeakMap<readonly CredentialSource[], readonly UsableKey[]>();

/** Keys written by the user (not GitLab's job credentials) in sources the runner does not drop; once per list of sources. */
function usableKeys(sources: readonly CredentialSource[]): readonly UsableKey[] {
  let keys = usableKeysOf.get(sources);
  if (!keys) usableKeysOf.set(sources, (keys = findUsableKeys(sources)));
  return keys;
}

function findUsableKeys(sources: readonly CredentialSource[]): UsableKey[] {
  return sources.filter((source) => !source.dropReason && source.origin.kind !== 'job-payload').flatMap((source) => [
    ...source.auths.map((entry) => ({ source: source.label, key: entry.key, place: entry.place })),
    ...source.credHelpers.flatMap((helper) => (helper.key === undefined ? [] : [{ source: source.label, key: helper.key, place: helper.place }])),
  ]);
}

/** `key` with its host replaced by `host`, scheme and path kept: `https://a.example.com/v1/` → `https://a.example.com:5000/v1/`. */
function withHost(key: string, host: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(key)?.[0] ?? '';
  const rest = key.slice(scheme.length);
  const slash = rest.indexOf('/');
  return `${scheme}${host}${slash === -1 ? '' : rest.slice(slash)}`;
}
