/**
 * The credentials GitLab sends with every job (REFERENCE §1.6): the job token as
 * `gitlab-ci-token`, for the container registry (`$CI_REGISTRY`) and for the
 * dependency proxy (`<gitlab host>:443`). The runner reads them last, under the
 * label `job payload (GitLab Registry)` (§1.2).
 *
 * GitLab sends each only when the feature is enabled on the instance; both are
 * assumed here, as on GitLab.com.
 */
import type { Settings } from '../settings';
import { getGitLabHost } from '../variables';
import type { AuthEntry, CredentialSource } from './types';

/** The runner's label for these credentials in the job log [RA]. */
export const JOB_PAYLOAD_LABEL = 'job payload (GitLab Registry)';
/** `Gitlab::Auth::CI_JOB_USER` (§1.6). */
export const JOB_TOKEN_USER = 'gitlab-ci-token';

function jobTokenEntry(key: string): AuthEntry {
  // The password is the job token: it exists, but its length is unknown here.
  return { key, place: undefined, username: JOB_TOKEN_USER, passwordLength: undefined, identityToken: false, registryToken: false, empty: false };
}

/** The dependency proxy's credential key: GitLab keys it `host:port`, e.g. `gitlab.com:443` (§1.6, §9 Q11). */
export function getDependencyProxyKey(settings: Settings): string {
  return `${getGitLabHost(settings)}:443`;
}

/** Built once per settings object: every image of every job asks for the same two sources. */
const payloadSources = new WeakMap<Settings, readonly CredentialSource[]>();

/** The job-payload credentials for `settings.ciRegistry`, in the runner's order: registry, then dependency proxy. */
export function getJobPayloadSources(settings: Settings): readonly CredentialSource[] {
  const cached = payloadSources.get(settings);
  if (cached) return cached;
  const source = (service: 'registry' | 'dependency-proxy', key: string): CredentialSource => ({
    label: JOB_PAYLOAD_LABEL,
    origin: { kind: 'job-payload', service },
    auths: [jobTokenEntry(key)],
    credHelpers: [],
    credsStore: undefined,
    dropReason: undefined,
    abortReason: undefined,
  });
  const sources = [source('registry', settings.ciRegistry), source('dependency-proxy', getDependencyProxyKey(settings))];
  payloadSources.set(settings, sources);
  return sources;
}

/** Whether a source is GitLab's job token (for wording: "the job token", not "a password"). */
export function isJobPayloadSource(source: CredentialSource): boolean {
  return source.origin.kind === 'job-payload';
}
