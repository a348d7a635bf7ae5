/**
 * Which credentials GitLab Runner's Docker executor uses to pull one image
 * (REFERENCE §1.2–§1.4, `Resolver.AllConfigs` and `ConfigForImage` [RA]):
 *
 *   1. Sources are read in the order given (the caller passes the runner's order:
 *      the one `$DOCKER_AUTH_CONFIG` that wins, the runner user's `config.json`,
 *      the job payload). A source with a path-traversal helper aborts everything;
 *      a source that fails (`dropReason`) contributes nothing.
 *   2. Inside a source, `auths`, then what `credsStore` lists, then `credHelpers`,
 *      the later winning on the same key; keys sorted, each normalized, the first
 *      key per path wins (`withStableOrder`).
 *   3. Across sources, the first source wins per path.
 *   4. Longest prefix: the image's registry path, then one `/segment` shorter, down
 *      to the bare host; the first path with an entry wins. So a more specific key
 *      from a later source beats a less specific key from an earlier one (RAT
 *      `TestCredsForImagesWithDifferentPaths`).
 *
 * The resolver only matches; building sources from documents happens elsewhere.
 * It sees no secret: entries carry a username and a password length at most.
 */
import { parseImageReference } from '../reference/parseReference';
import type { ImageReference } from '../reference/types';
import { isJobPayloadSource } from './jobPayload';
import { compareKeys, convertToRegistryPath, getLookupPaths, hostOfPath, isEcrHost, isUnmatchedDockerHubAlias, normalizeImageRef, stripPort } from './normalize';
import type { AuthEntry, Candidate, CredentialSource, HelperEntry, Resolution } from './types';
import { code } from '../text/markdown';

export interface ResolveOptions {
  /** The runner's operating system: it names the helper binaries. */
  readonly platform: 'linux' | 'windows' | 'macos';
  /** GitLab-hosted runners cannot run credential helpers or stores (§1.8). */
  readonly hosted: boolean;
}

/** One key a live source offers, after the in-source merge of §1.3. */
interface Contribution extends Candidate {
  readonly sourceIndex: number;
  readonly origin: CredentialSource;
  readonly entry?: AuthEntry;
  readonly helper?: HelperEntry;
}

/** Docker's `ParseDockerRef`: `:latest` when there is neither tag nor digest; the tag dropped when a digest is present. */
function getDockerNormalized(reference: ImageReference): string {
  if (reference.digest !== undefined) return `${reference.normalizedName}@${reference.digest}`;
  return `${reference.normalizedName}:${reference.tag ?? 'latest'}`;
}

function binaryOf(helper: string, options: ResolveOptions): string {
  return `docker-credential-${helper}${options.platform === 'windows' ? '.exe' : ''}`;
}

/**
 * The keys one source offers, in the order the runner appends them (§1.3): the
 * source's map is keyed by the exact key text, `credHelpers` overwrite `auths` on
 * the same key, and keys are then sorted. A `credsStore` adds whatever its `list`
 * returns, which is unknown here: see `getPendingStores`.
 */
function getContributions(source: CredentialSource, sourceIndex: number): readonly Contribution[] {
  // Sources are immutable and the images of a pipeline share a few: each list is made once per place a source has.
  let bySourceIndex = contributionsBySource.get(source);
  if (!bySourceIndex) contributionsBySource.set(source, (bySourceIndex = []));
  return (bySourceIndex[sourceIndex] ??= readContributions(source, sourceIndex));
}

const contributionsBySource = new WeakMap<CredentialSource, Array<readonly Contribution[] | undefined>>();

function readContributions(source: CredentialSource, sourceIndex: number): Contribution[] {
  const byKey = new Map<string, { via: 'auths' | 'credHelpers'; entry?: AuthEntry; helper?: HelperEntry }>();
  // A key written twice: Go's decoder keeps the last one.
  for (const entry of source.auths) byKey.set(entry.key, { via: 'auths', entry });
  for (const helper of source.credHelpers) {
    if (helper.key !== undefined) byKey.set(helper.key, { via: 'credHelpers', helper });
  }
  return [...byKey.keys()].sort(compareKeys).map((key) => ({
    source: source.label,
    key,
    path: convertToRegistryPath(key),
    ...byKey.get(key)!,
    sourceIndex,
    origin: source,
  }));
}

/**
 * Why the runner drops a whole source, if it does: the source's own reason, or on a
 * GitLab-hosted runner any helper or store, since none can run there and a failing
 * helper fails the whole source (§1.2, §1.8).
 */
export function getSourceDropReason(source: CredentialSource, options: ResolveOptions): string | undefined {
  if (source.dropReason !== undefined || !options.hosted) return source.dropReason;
  const helpers = [source.credsStore, ...source.credHelpers].filter((h): h is HelperEntry => h !== undefined);
  if (helpers.length === 0) return undefined;
  return `${code(binaryOf(helpers[0]!.helper, options))} cannot run on a GitLab-hosted runner`;
}

function describeCredentials(entry: AuthEntry): string {
  if (entry.username !== undefined) return `user ${code(entry.username)}`;
  if (entry.identityToken) return 'an identity token';
  if (entry.registryToken) return 'a registry token';
  return 'no username';
}

function describeOutcome(image: string, match: Contribution | undefined, registryPath: string, options: ResolveOptions): string {
  if (!match) return `The runner pulls ${code(image)} anonymously: no credentials in any source match ${code(registryPath)}.`;
  if (match.helper) {
    return `The runner pulls ${code(image)} with the credentials that ${code(binaryOf(match.helper.helper, options))} returns for ${code(match.key)} (from ${code(match.source)}).`;
  }
  const entry = match.entry!;
  if (entry.empty) {
    return `The runner pulls ${code(image)} effectively anonymously: it uses the entry ${code(match.key)} from ${code(match.source)}, which holds no credentials.`;
  }
  if (isJobPayloadSource(match.origin)) {
    return `The runner pulls ${code(image)} with the job token GitLab sends for ${code(match.key)} (${describeCredentials(entry)}, from ${code(match.source)}).`;
  }
  return `The runner pulls ${code(image)} with the credentials of ${code(match.key)} from ${code(match.source)} (${describeCredentials(entry)}).`;
}

/** Why a candidate other than the match is not used. */
function describeShadowing(candidate: Contribution, match: Contribution): string {
  const where = `${code(candidate.key)} from ${code(candidate.source)}`;
  if (candidate.path !== match.path) return `${where} (${code(match.key)} is more specific)`;
  if (candidate.sourceIndex === match.sourceIndex) return `${where} (${code(match.key)} means the same path and sorts first)`;
  return `${where} (${code(match.source)} comes first)`;
}

/** Helpers the runner runs on every pull for this source (§1.3 item 5); one failing drops the source. */
function getHelperNames(source: CredentialSource, except: HelperEntry | undefined): string[] {
  const names = [source.credsStore, ...source.credHelpers]
    .filter((h): h is HelperEntry => h !== undefined && h !== except && h.helper !== except?.helper)
    .map((h) => h.helper);
  return [...new Set(names)];
}

/**
 * `credsStore` sources whose store could still change the result. The runner uses
 * only what `docker-credential-<store> list` returns (§1.3, "credsStore scope in
 * the runner"; GitLab's docs claim more, §9 Q1). That list exists only on the
 * runner host, so the resolver treats a store as "may supply credentials for any
 * registry it lists; unknown here": never a match, always a note. A store cannot
 * change the result when an earlier source already matched the full path.
 */
function getPendingStores(live: ReadonlyArray<{ index: number; source: CredentialSource }>, match: Contribution | undefined, registryPath: string) {
  return live.filter(({ index, source }) => {
    if (!source.credsStore) return false;
    return !(match && match.path === registryPath && match.sourceIndex < index);
  });
}

/** Keys that look meant for this image but cannot match it (§1.4, §1.6): said only when nothing usable matched. */
function getNearMisses(all: readonly Contribution[], lookup: ReadonlySet<string>, registryPath: string, parsed: ImageReference | undefined): string[] {
  const notes: string[] = [];
  const imageHost = hostOfPath(registryPath);
  const imageTail = registryPath.slice(imageHost.length);
  const digestScope = /@[^/]*$/.test(registryPath) ? registryPath.replace(/@[^/]*$/, '') : undefined;
  const dockerPaths = parsed?.isDockerHub ? new Set(getLookupPaths(`docker.io/${parsed.normalizedPath}`)) : new Set<string>();
  for (const c of all) {
    if (lookup.has(c.path)) continue;
    const keyHost = hostOfPath(c.path);
    const where = `${code(c.key)} in ${code(c.source)}`;
    if (keyHost !== imageHost && stripPort(keyHost) === stripPort(imageHost) && (imageTail + '/').startsWith(c.path.slice(keyHost.length) + '/')) {
      const proxy = c.origin.origin.kind === 'job-payload' && c.origin.origin.service === 'dependency-proxy'
        ? ' GitLab keys the dependency proxy\'s job credentials with the port; write the image with `$CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX`.'
        : '';
      notes.push(`${where} does not match: it is for ${code(keyHost)}, the image is on ${code(imageHost)}, and the runner compares host and port exactly.${proxy}`);
    } else if (imageHost === 'docker.io' && isUnmatchedDockerHubAlias(c.key)) {
      notes.push(`${where} never matches Docker Hub images: without a scheme the runner keeps the host ${code(keyHost)}, while it names Docker Hub images \`docker.io/…\`. Use \`https://index.docker.io/v1/\` or \`docker.io\`.`);
    } else if (digestScope !== undefined && c.path === digestScope) {
      notes.push(`${where} is scoped to the repository, but the runner looks up a digest-only reference as ${code(registryPath)} (it cuts the name at the first \`:\` of its last segment), so the key does not match. Add a tag before the digest, or use a key for the namespace or the host.`);
    } else if (dockerPaths.has(c.path)) {
      notes.push(`${where} is scoped to ${code(c.path)}, which is how Docker names this image, but the runner looks it up as ${code(registryPath)} without \`library/\`, so the key does not match.`);
    }
  }
  return notes;
}

/** Resolves the credentials for `image` (as written, after variable expansion) from `sources` in the runner's order. */
export function resolveCredentials(image: string, sources: readonly CredentialSource[], options: ResolveOptions): Resolution {
  const registryPath = normalizeImageRef(image);
  const parsed = parseImageReference(image);
  const reference = parsed.ok ? parsed.reference : undefined;
  const normalized = reference ? getDockerNormalized(reference) : image;
  const notes: string[] = [];
  if (!parsed.ok) notes.push(`${parsed.problem.message} The pull fails whatever the credentials.`);

  const lookupPaths = getLookupPaths(registryPath);
  const rank = new Map(lookupPaths.map((path, i) => [path, i]));
  const droppedSources: Array<{ source: string; reason: string }> = [];
  const live: Array<{ index: number; source: CredentialSource }> = [];
  const droppedNotes: string[] = [];
  for (const [index, source] of sources.entries()) {
    if (source.abortReason !== undefined) {
      // errPathTraversal ends the whole lookup at this source; later sources are never read (§1.2).
      notes.push(`The pull of ${code(image)} fails: the runner stops looking for credentials because of ${code(source.label)} (${source.abortReason}), whatever else would match.`);
      return { image, normalized, registryPath, candidates: [], match: null, anonymous: false, droppedSources, notes: [...notes, ...droppedNotes], abortReason: source.abortReason, pendingStores: [] };
    }
    const reason = getSourceDropReason(source, options);
    if (reason === undefined) {
      live.push({ index, source });
      continue;
    }
    droppedSources.push({ source: source.label, reason });
    for (const c of getContributions(source, index)) {
      if (rank.has(c.path)) droppedNotes.push(`${code(source.label)} has ${code(c.key)} for this image, but the runner drops that whole source (${reason}), so it is not used.`);
    }
  }

  const all = live.flatMap(({ index, source }) => getContributions(source, index));
  // Stable sort: within one path, the runner's append order (source, then sorted key) is kept.
  const candidates = all.filter((c) => rank.has(c.path)).sort((a, b) => rank.get(a.path)! - rank.get(b.path)!);
  const match: Contribution | undefined = candidates[0];
  const effectivelyAnonymous = !match || match.entry?.empty === true;

  notes.push(describeOutcome(image, match, registryPath, options));
  if (match?.helper) {
    const command = code(`${binaryOf(match.helper.helper, options)} get`);
    notes.push(`At pull time the runner runs ${command} for ${code(match.key)}: the helper must be installed on the runner host, on the \`PATH\` of the runner process user. If it answers "credentials not found", the pull is anonymous; if it is missing or fails, the runner drops ${code(match.source)} whole.`);
    if (match.helper.helper === 'ecr-login' && !isEcrHost(hostOfPath(match.path))) {
      notes.push(`${code(hostOfPath(match.path))} is not an Amazon ECR host, so \`ecr-login\` answers "credentials not found" and the pull is anonymous.`);
    }
  }
  if (match) {
    const others = getHelperNames(match.origin, match.helper).map((h) => code(binaryOf(h, options)));
    if (others.length > 0) {
      notes.push(`${code(match.source)} also names ${others.join(', ')}: the runner runs ${others.length === 1 ? 'it on every pull, and if it is' : 'them on every pull, and if one is'} missing or fails, it drops ${code(match.source)} whole, these credentials included.`);
    }
  }
  if (match?.entry?.empty) {
    const jobToken = candidates.slice(1).find((c) => isJobPayloadSource(c.origin));
    notes.push(`An entry without credentials still counts: it shadows every lower source for ${code(match.path)}${jobToken ? `, including the job token GitLab sends for ${code(jobToken.key)}` : ''}. Remove ${code(match.key)} from ${code(match.source)}, or give it credentials.`);
  } else if (match && isJobPayloadSource(match.origin)) {
    notes.push('The job token can read what the user who started the pipeline can read; images of other projects also need this project on their job token allowlist.');
  }
  if (match && candidates.length > 1) {
    notes.push(`Also for this image, but not used: ${candidates.slice(1).map((c) => describeShadowing(c, match)).join('; ')}.`);
  }

  const pendingStores = getPendingStores(live, match, registryPath);
  for (const { source } of pendingStores) {
    const command = code(`${binaryOf(source.credsStore!.helper, options)} list`);
    const outcome = match
      ? `if it lists ${code(registryPath)} or a parent of it${match.path === registryPath ? ' under a key that wins' : ` more specific than ${code(match.key)}`}, those credentials are used instead`
      : 'if it lists a key for this image, those credentials are used; otherwise the pull is anonymous';
    notes.push(`${code(source.label)} has \`credsStore\`: at pull time the runner runs ${command} and uses the registries the store lists, which cannot be known here; ${outcome}. GitLab's docs say a store serves every registry, but the runner only uses what it lists.`);
  }

  if (effectivelyAnonymous) notes.push(...getNearMisses(all, new Set(rank.keys()), registryPath, reference));
  notes.push(...droppedNotes);

  return {
    image,
    normalized,
    registryPath,
    candidates: candidates.map(({ source, key, path, via }) => ({ source, key, path, via })),
    match: match ? { source: match.source, key: match.key, via: match.via } : null,
    anonymous: effectivelyAnonymous,
    droppedSources,
    notes,
    abortReason: undefined,
    pendingStores: pendingStores.map(({ source }) => ({ source: source.label, helper: source.credsStore!.helper })),
  };
}
