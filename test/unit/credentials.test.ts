/**
 * The runner's credential lookup (REFERENCE §1.2–§1.6): registry paths of keys and
 * images (every example of §1.4), the cloud host patterns of §6, GitLab's job
 * credentials, and the resolver over sources given in the runner's order.
 *
 * Sources are built inline; a few go through `parseDockerAuthConfigJson` to show
 * what a real document does (a missing helper, a path-traversal helper).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getJobPayloadSources, JOB_PAYLOAD_LABEL } from '../../server/src/service/credentials/jobPayload';
import {
  compareKeys,
  convertToRegistryPath,
  getCloudRegistry,
  getLookupPaths,
  isDockerHubKey,
  isEcrHost,
  isUnmatchedDockerHubAlias,
  normalizeImageRef,
  type CloudRegistry,
} from '../../server/src/service/credentials/normalize';
import { resolveCredentials, type ResolveOptions } from '../../server/src/service/credentials/resolve';
import { parseDockerAuthConfigJson } from '../../server/src/service/credentials/sources';
import type { AuthEntry, CredentialSource, Resolution } from '../../server/src/service/credentials/types';
import { parseSettings } from '../../server/src/service/settings';

const SETTINGS = parseSettings({}).settings;
const LINUX: ResolveOptions = { platform: 'linux', hosted: false };
const HEX = 'a'.repeat(64);

// ---- Registry paths ---------------------------------------------------------------

describe('convertToRegistryPath (credential key → path, §1.4)', () => {
  const cases: ReadonlyArray<{ name: string; input: string; expected: string }> = [
    { name: 'keeps only the host of a key with a scheme and maps the legacy index to docker.io', input: 'https://index.docker.io/v1/', expected: 'docker.io' },
    { name: 'matches the scheme and the legacy index in any case and drops everything after the host', input: 'HTTPS://INDEX.DOCKER.IO/V1/blibb', expected: 'docker.io' },
    { name: 'drops the path after the host of a key with a scheme', input: 'https://my.hostname/v1/something', expected: 'my.hostname' },
    { name: 'keeps the host of an http key', input: 'http://registry.local:5000/', expected: 'registry.local:5000' },
    { name: 'lowercases only the host of a key without a scheme', input: 'my.HOSTNAME/With/Path/CASE', expected: 'my.hostname/With/Path/CASE' },
    { name: 'removes a tag from a repository-scoped key', input: 'my.hostname:5000/with/tag/image:latest', expected: 'my.hostname:5000/with/tag/image' },
    { name: 'removes one trailing slash', input: 'registry.example.com/team/', expected: 'registry.example.com/team' },
    { name: 'keeps the port of a bare host:port key', input: 'gitlab.com:443', expected: 'gitlab.com:443' },
    { name: 'keeps index.docker.io without a scheme as it is', input: 'index.docker.io', expected: 'index.docker.io' },
    { name: 'keeps registry-1.docker.io as it is', input: 'registry-1.docker.io', expected: 'registry-1.docker.io' },
    { name: 'keeps docker.io', input: 'docker.io', expected: 'docker.io' },
  ];
  for (const { name, input, expected } of cases) {
    test(name, () => assert.equal(convertToRegistryPath(input), expected));
  }
});

describe('normalizeImageRef (image → runner path, §1.4)', () => {
  const cases: ReadonlyArray<{ name: string; input: string; expected: string }> = [
    { name: 'prefixes docker.io to a namespace without a dot, colon or localhost', input: 'user/ubuntu', expected: 'docker.io/user/ubuntu' },
    { name: 'takes an uppercase first component for a Docker Hub namespace', input: 'notLocalhost/test', expected: 'docker.io/notLocalhost/test' },
    { name: 'adds no library/ to an official image', input: 'nginx', expected: 'docker.io/nginx' },
    { name: 'removes the tag of a single-component name', input: 'nginx:1.27', expected: 'docker.io/nginx' },
    { name: 'keeps library/ where it is written', input: 'docker.io/library/nginx', expected: 'docker.io/library/nginx' },
    { name: 'maps a leading index.docker.io, in any case, to docker.io', input: 'INDEX.docker.IO/user/app:1', expected: 'docker.io/user/app' },
    { name: 'lowercases the host and keeps the case of the path', input: 'FOO.BAR:123/With/Case', expected: 'foo.bar:123/With/Case' },
    { name: 'treats localhost in any case as a host', input: 'LOCALHOST/test:xxx', expected: 'localhost/test' },
    { name: 'keeps a host with a port and cuts the tag', input: 'registry.example.com:5000/team/app:1.0', expected: 'registry.example.com:5000/team/app' },
    { name: 'keeps @sha256 in a digest-only reference, cutting at the first colon of the last segment', input: `registry.example.com/ns/img@sha256:${HEX}`, expected: 'registry.example.com/ns/img@sha256' },
    { name: 'cuts a tag before a digest at the tag', input: `registry.example.com/ns/img:1@sha256:${HEX}`, expected: 'registry.example.com/ns/img' },
  ];
  for (const { name, input, expected } of cases) {
    test(name, () => assert.equal(normalizeImageRef(input), expected));
  }

  test('lists the lookup paths longest first, down to the bare host', () => {
    assert.deepEqual(getLookupPaths('registry.local/ns/blipp/image'), ['registry.local/ns/blipp/image', 'registry.local/ns/blipp', 'registry.local/ns', 'registry.local']);
  });
});

describe('Docker Hub keys and key order', () => {
  const cases: ReadonlyArray<{ name: string; input: string; expected: { hub: boolean; unmatchedAlias: boolean } }> = [
    { name: 'docker.io is a Docker Hub key', input: 'docker.io', expected: { hub: true, unmatchedAlias: false } },
    { name: 'https://index.docker.io/v1/ is a Docker Hub key', input: 'https://index.docker.io/v1/', expected: { hub: true, unmatchedAlias: false } },
    { name: 'a bare index.docker.io never matches Docker Hub', input: 'index.docker.io', expected: { hub: false, unmatchedAlias: true } },
    { name: 'a bare registry-1.docker.io never matches Docker Hub', input: 'registry-1.docker.io', expected: { hub: false, unmatchedAlias: true } },
    { name: 'another registry is neither', input: 'ghcr.io', expected: { hub: false, unmatchedAlias: false } },
  ];
  for (const { name, input, expected } of cases) {
    test(name, () => assert.deepEqual({ hub: isDockerHubKey(input), unmatchedAlias: isUnmatchedDockerHubAlias(input) }, expected));
  }

  test('sorts docker.io before https://index.docker.io/v1/, byte-wise like Go', () => {
    assert.deepEqual(['https://index.docker.io/v1/', 'docker.io'].sort(compareKeys), ['docker.io', 'https://index.docker.io/v1/']);
    assert.deepEqual(['docker.io/library', 'docker.io'].sort(compareKeys), ['docker.io', 'docker.io/library']);
    // U+FF5E sorts before U+1F600 by code point, but after it by UTF-16 unit.
    assert.ok(compareKeys('\uff5e', '\u{1f600}') < 0);
  });
});

describe('cloud registry hosts (§6)', () => {
  const cases: ReadonlyArray<{ name: string; input: string; expected: CloudRegistry | undefined }> = [
    { name: 'recognises an ECR private registry', input: '123456789012.dkr.ecr.us-west-2.amazonaws.com', expected: 'ecr' },
    { name: 'recognises an ECR FIPS registry', input: '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', expected: 'ecr' },
    { name: 'recognises an ECR dual-stack registry', input: '123456789012.dkr-ecr.us-west-2.on.aws', expected: 'ecr' },
    { name: 'recognises an ECR registry in China', input: '210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn', expected: 'ecr' },
    { name: 'recognises an ECR registry with a port', input: '123456789012.dkr.ecr.us-west-2.amazonaws.com:443', expected: 'ecr' },
    { name: 'rejects an ECR lookalike', input: '123456789012.dkr.ecr.us-west-2.amazonaws.com.fake.example.com', expected: undefined },
    { name: 'rejects an account id that is not 12 digits', input: '12345.dkr.ecr.us-west-2.amazonaws.com', expected: undefined },
    { name: 'recognises ECR Public', input: 'public.ecr.aws', expected: 'ecr-public' },
    { name: 'recognises gcr.io', input: 'gcr.io', expected: 'gcr' },
    { name: 'recognises a regional GCR host', input: 'eu.gcr.io', expected: 'gcr' },
    { name: 'recognises Artifact Registry', input: 'europe-west1-docker.pkg.dev', expected: 'artifact-registry' },
    { name: 'recognises an Artifact Registry regional endpoint', input: 'docker.us-central1.rep.pkg.dev', expected: 'artifact-registry' },
    { name: 'recognises Azure Container Registry', input: 'myregistry.azurecr.io', expected: 'acr' },
    { name: 'does not take ghcr.io for a cloud registry that always needs credentials', input: 'ghcr.io', expected: undefined },
  ];
  for (const { name, input, expected } of cases) {
    test(name, () => {
      assert.equal(getCloudRegistry(input), expected);
      assert.equal(isEcrHost(input), expected === 'ecr');
    });
  }
});

// ---- GitLab's job credentials ----------------------------------------------------------

describe('getJobPayloadSources (§1.6)', () => {
  test('keys the registry by $CI_REGISTRY and the dependency proxy by the GitLab host on port 443', () => {
    const sources = getJobPayloadSources(SETTINGS);
    assert.deepEqual(sources.map((s) => [s.label, s.origin, s.auths.map((a) => a.key)]), [
      [JOB_PAYLOAD_LABEL, { kind: 'job-payload', service: 'registry' }, ['registry.gitlab.com']],
      [JOB_PAYLOAD_LABEL, { kind: 'job-payload', service: 'dependency-proxy' }, ['gitlab.com:443']],
    ]);
  });

  test('follows a self-managed registry setting, port included', () => {
    const sources = getJobPayloadSources(parseSettings({ ciRegistry: 'registry.example.com:5050' }).settings);
    assert.deepEqual(sources.map((s) => s.auths[0]!.key), ['registry.example.com:5050', 'example.com:443']);
  });

  test('uses gitlab-ci-token with a password of unknown length', () => {
    for (const source of getJobPayloadSources(SETTINGS)) {
      assert.deepEqual(source.auths.map((a) => [a.username, a.passwordLength, a.empty]), [['gitlab-ci-token', undefined, false]]);
    }
  });
});

// ---- The resolver ---------------------------------------------------------------------------

interface SourceSpec {
  readonly label?: string;
  /** key → username, or `{}` for an entry without credentials. */
  readonly auths?: Readonly<Record<string, string | Record<string, never>>>;
  readonly credHelpers?: Readonly<Record<string, string>>;
  readonly credsStore?: string;
  readonly dropReason?: string;
  readonly abortReason?: string;
}

function source(spec: SourceSpec): CredentialSource {
  const auths: AuthEntry[] = Object.entries(spec.auths ?? {}).map(([key, user]) => (typeof user === 'string'
    ? { key, place: undefined, username: user, passwordLength: 8, identityToken: false, registryToken: false, empty: false }
    : { key, place: undefined, username: undefined, passwordLength: undefined, identityToken: false, registryToken: false, empty: true }));
  return {
    label: spec.label ?? '$DOCKER_AUTH_CONFIG',
    origin: { kind: 'project-variable' },
    auths,
    credHelpers: Object.entries(spec.credHelpers ?? {}).map(([key, helper]) => ({ key, helper, place: undefined })),
    credsStore: spec.credsStore ? { key: undefined, helper: spec.credsStore, place: undefined } : undefined,
    dropReason: spec.dropReason,
    abortReason: spec.abortReason,
  };
}

const CONFIG_JSON = '/home/gitlab-runner/.docker/config.json';

function fromJson(json: string, label = '$DOCKER_AUTH_CONFIG'): CredentialSource {
  return parseDockerAuthConfigJson(json, { kind: 'docker-config', uri: 'file:///runner/config.json' }, label, SETTINGS);
}

const JOB_PAYLOAD = getJobPayloadSources(SETTINGS);

interface Expected {
  /** `label key via`, or null. */
  readonly match: string | null;
  readonly anonymous?: boolean;
  /** `label key` of every candidate, in order. */
  readonly candidates?: readonly string[];
  readonly dropped?: readonly string[];
  readonly aborted?: boolean;
  readonly pendingStores?: readonly string[];
  /** Each must occur in some note. */
  readonly notes?: readonly RegExp[];
}

interface ResolveCase {
  readonly name: string;
  readonly input: { readonly image: string; readonly sources: readonly CredentialSource[]; readonly options?: ResolveOptions };
  readonly expected: Expected;
}

function check(resolution: Resolution, expected: Expected): void {
  assert.equal(resolution.match ? `${resolution.match.source} ${resolution.match.key} ${resolution.match.via}` : null, expected.match, resolution.notes.join('\n'));
  if (expected.anonymous !== undefined) assert.equal(resolution.anonymous, expected.anonymous);
  if (expected.candidates) assert.deepEqual(resolution.candidates.map((c) => `${c.source} ${c.key}`), expected.candidates);
  if (expected.dropped) assert.deepEqual(resolution.droppedSources.map((d) => d.source), expected.dropped);
  assert.equal(resolution.abortReason !== undefined, expected.aborted ?? false);
  if (expected.pendingStores) assert.deepEqual((resolution.pendingStores ?? []).map((s) => `${s.source} ${s.helper}`), expected.pendingStores);
  for (const pattern of expected.notes ?? []) {
    assert.ok(resolution.notes.some((note) => pattern.test(note)), `no note matches ${pattern}:\n${resolution.notes.join('\n')}`);
  }
}

const RESOLVE_CASES: Readonly<Record<string, readonly ResolveCase[]>> = {
  'order of sources and longest prefix (§1.2, §1.4)': [
    {
      name: 'lets the first source given win for the same key (the caller puts the job\'s DOCKER_AUTH_CONFIG first)',
      input: { image: 'registry.example.com/app:1', sources: [source({ auths: { 'registry.example.com': 'job-user' } }), source({ label: CONFIG_JSON, auths: { 'registry.example.com': 'runner-user' } })] },
      expected: { match: '$DOCKER_AUTH_CONFIG registry.example.com auths', anonymous: false, candidates: ['$DOCKER_AUTH_CONFIG registry.example.com', `${CONFIG_JSON} registry.example.com`], notes: [/user `job-user`/, /comes first/] },
    },
    {
      name: 'lets a more specific key from a later source beat a less specific key from an earlier one (RAT TestCredsForImagesWithDifferentPaths)',
      input: { image: 'registry.local/ns/blipp/image:bar', sources: [source({ auths: { 'registry.local/ns': 'a' } }), source({ label: JOB_PAYLOAD_LABEL, auths: { 'registry.local/ns/blipp': 'b' } })] },
      expected: { match: `${JOB_PAYLOAD_LABEL} registry.local/ns/blipp auths`, candidates: [`${JOB_PAYLOAD_LABEL} registry.local/ns/blipp`, '$DOCKER_AUTH_CONFIG registry.local/ns'], notes: [/is more specific/] },
    },
    {
      name: 'uses the namespace key for an image outside the more specific one',
      input: { image: 'registry.local/ns/other/image:bar', sources: [source({ auths: { 'registry.local/ns': 'a' } }), source({ label: JOB_PAYLOAD_LABEL, auths: { 'registry.local/ns/blipp': 'b' } })] },
      expected: { match: '$DOCKER_AUTH_CONFIG registry.local/ns auths', candidates: ['$DOCKER_AUTH_CONFIG registry.local/ns'] },
    },
    {
      name: 'pulls anonymously when no key matches, and says which path was looked up',
      input: { image: 'registry.example.com:5000/team/app', sources: [source({ auths: { 'ghcr.io': 'a' } })] },
      expected: { match: null, anonymous: true, candidates: [], notes: [/^The runner pulls `registry\.example\.com:5000\/team\/app` anonymously: no credentials in any source match `registry\.example\.com:5000\/team\/app`\.$/] },
    },
  ],
  'sources the runner drops or that abort the lookup (§1.2)': [
    {
      name: 'drops a source whose credsStore is the missing desktop helper, static auths included',
      input: { image: 'registry.example.com/app:1', sources: [fromJson('{"auths":{"registry.example.com":{"auth":"dXNlcjpwYXNz"}},"credsStore":"desktop"}', CONFIG_JSON)] },
      expected: { match: null, anonymous: true, dropped: [CONFIG_JSON], notes: [/has `registry\.example\.com` for this image, but the runner drops that whole source/] },
    },
    {
      name: 'uses the same static auths when no missing helper is named',
      input: { image: 'registry.example.com/app:1', sources: [fromJson('{"auths":{"registry.example.com":{"auth":"dXNlcjpwYXNz"}}}', CONFIG_JSON)] },
      expected: { match: `${CONFIG_JSON} registry.example.com auths`, anonymous: false, dropped: [] },
    },
    {
      name: 'falls through a dropped source to the next one',
      input: { image: 'registry.example.com/app:1', sources: [source({ auths: { 'registry.example.com': 'a' }, dropReason: 'the JSON does not parse' }), source({ label: CONFIG_JSON, auths: { 'registry.example.com': 'b' } })] },
      expected: { match: `${CONFIG_JSON} registry.example.com auths`, dropped: ['$DOCKER_AUTH_CONFIG'] },
    },
    {
      name: 'aborts the whole lookup on a path-traversal helper, even next to a valid entry for the image',
      input: { image: 'registry.example.com/app:1', sources: [fromJson('{"auths":{"registry.example.com":{"auth":"dXNlcjpwYXNz"}},"credHelpers":{"other.example.com":"../../usr/bin/sudo"}}'), ...JOB_PAYLOAD] },
      expected: { match: null, anonymous: false, aborted: true, candidates: [], notes: [/^The pull of `registry\.example\.com\/app:1` fails/] },
    },
    {
      name: 'aborts on a path-traversal helper in a later source too',
      input: { image: 'registry.example.com/app:1', sources: [source({ auths: { 'registry.example.com': 'a' } }), source({ label: CONFIG_JSON, abortReason: 'a helper is a path' })] },
      expected: { match: null, aborted: true },
    },
    {
      name: 'does not abort for a plain helper name',
      input: { image: 'registry.example.com/app:1', sources: [source({ auths: { 'registry.example.com': 'a' }, credHelpers: { 'other.example.com': 'pass' } })] },
      expected: { match: '$DOCKER_AUTH_CONFIG registry.example.com auths', aborted: false, notes: [/also names `docker-credential-pass`/] },
    },
    {
      name: 'drops a source with a credential helper on a GitLab-hosted runner',
      input: { image: 'registry.example.com/app:1', sources: [source({ auths: { 'registry.example.com': 'a' }, credHelpers: { 'other.example.com': 'pass' } })], options: { platform: 'linux', hosted: true } },
      expected: { match: null, anonymous: true, dropped: ['$DOCKER_AUTH_CONFIG'], notes: [/drops that whole source \(`docker-credential-pass` cannot run on a GitLab-hosted runner\)/] },
    },
    {
      name: 'keeps a source with static auths only on a GitLab-hosted runner',
      input: { image: 'registry.example.com/app:1', sources: [source({ auths: { 'registry.example.com': 'a' } })], options: { platform: 'linux', hosted: true } },
      expected: { match: '$DOCKER_AUTH_CONFIG registry.example.com auths', dropped: [] },
    },
  ],
  'entries without credentials (§1.6)': [
    {
      name: 'lets an empty entry for $CI_REGISTRY shadow the job token, making the pull anonymous',
      input: { image: 'registry.gitlab.com/group/app:1', sources: [source({ auths: { 'registry.gitlab.com': {} } }), ...JOB_PAYLOAD] },
      expected: {
        match: '$DOCKER_AUTH_CONFIG registry.gitlab.com auths',
        anonymous: true,
        candidates: ['$DOCKER_AUTH_CONFIG registry.gitlab.com', `${JOB_PAYLOAD_LABEL} registry.gitlab.com`],
        notes: [/effectively anonymously/, /including the job token GitLab sends for `registry\.gitlab\.com`/],
      },
    },
    {
      name: 'uses the job token for $CI_REGISTRY when nothing shadows it',
      input: { image: 'registry.gitlab.com/group/app:1', sources: [source({ auths: { 'ghcr.io': 'a' } }), ...JOB_PAYLOAD] },
      expected: { match: `${JOB_PAYLOAD_LABEL} registry.gitlab.com auths`, anonymous: false, notes: [/job token/] },
    },
  ],
  'near misses (§1.4, §1.6)': [
    {
      name: 'never matches a host key to an image on host:port',
      input: { image: 'registry.example.com:5000/ns/img:1', sources: [source({ auths: { 'registry.example.com': 'a' } })] },
      expected: { match: null, anonymous: true, notes: [/`registry\.example\.com` in `\$DOCKER_AUTH_CONFIG` does not match: it is for `registry\.example\.com`, the image is on `registry\.example\.com:5000`/] },
    },
    {
      name: 'never matches a host:port key to an image on the host alone',
      input: { image: 'registry.example.com/ns/img:1', sources: [source({ auths: { 'registry.example.com:5000': 'a' } })] },
      expected: { match: null, notes: [/host and port exactly/] },
    },
    {
      name: 'matches a host:port key to an image on the same host:port',
      input: { image: 'registry.example.com:5000/ns/img:1', sources: [source({ auths: { 'registry.example.com:5000': 'a' } })] },
      expected: { match: '$DOCKER_AUTH_CONFIG registry.example.com:5000 auths' },
    },
    {
      name: 'misses the dependency proxy credentials for a path written without :443',
      input: { image: 'gitlab.com/group/dependency_proxy/containers/alpine:3', sources: JOB_PAYLOAD },
      expected: { match: null, notes: [/\$CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/] },
    },
    {
      name: 'uses the dependency proxy credentials for a path with :443',
      input: { image: 'gitlab.com:443/group/dependency_proxy/containers/alpine:3', sources: JOB_PAYLOAD },
      expected: { match: `${JOB_PAYLOAD_LABEL} gitlab.com:443 auths` },
    },
    {
      name: 'never matches a bare index.docker.io key to a Docker Hub image',
      input: { image: 'nginx:1.27', sources: [source({ auths: { 'index.docker.io': 'a' } })] },
      expected: { match: null, notes: [/never matches Docker Hub images/] },
    },
    {
      name: 'never matches a bare registry-1.docker.io key to a Docker Hub image',
      input: { image: 'user/app', sources: [source({ auths: { 'registry-1.docker.io': 'a' } })] },
      expected: { match: null, notes: [/never matches Docker Hub images/] },
    },
    {
      name: 'matches a docker.io key to a Docker Hub image',
      input: { image: 'nginx:1.27', sources: [source({ auths: { 'docker.io': 'a' } })] },
      expected: { match: '$DOCKER_AUTH_CONFIG docker.io auths' },
    },
    {
      name: 'matches an https://index.docker.io/v1/ key to a Docker Hub image',
      input: { image: 'user/app', sources: [source({ auths: { 'https://index.docker.io/v1/': 'a' } })] },
      expected: { match: '$DOCKER_AUTH_CONFIG https://index.docker.io/v1/ auths' },
    },
    {
      name: 'matches a docker.io key to an uppercase first component, which the runner takes for Docker Hub',
      input: { image: 'MyTeam/app', sources: [source({ auths: { 'docker.io': 'a' } })] },
      expected: { match: '$DOCKER_AUTH_CONFIG docker.io auths' },
    },
    {
      name: 'does not match a repository-scoped key to a digest-only reference',
      input: { image: `registry.example.com/ns/img@sha256:${HEX}`, sources: [source({ auths: { 'registry.example.com/ns/img': 'a' } })] },
      expected: { match: null, notes: [/digest-only reference as `registry\.example\.com\/ns\/img@sha256`/] },
    },
    {
      name: 'matches a namespace key to a digest-only reference',
      input: { image: `registry.example.com/ns/img@sha256:${HEX}`, sources: [source({ auths: { 'registry.example.com/ns': 'a' } })] },
      expected: { match: '$DOCKER_AUTH_CONFIG registry.example.com/ns auths' },
    },
    {
      name: 'matches a repository-scoped key when a tag precedes the digest',
      input: { image: `registry.example.com/ns/img:1@sha256:${HEX}`, sources: [source({ auths: { 'registry.example.com/ns/img': 'a' } })] },
      expected: { match: '$DOCKER_AUTH_CONFIG registry.example.com/ns/img auths' },
    },
    {
      name: 'does not match a docker.io/library key to an official image written without library/',
      input: { image: 'nginx', sources: [source({ auths: { 'docker.io/library': 'a' } })] },
      expected: { match: null, notes: [/without `library\/`/] },
    },
    {
      name: 'matches a docker.io/library key to an official image written with library/',
      input: { image: 'docker.io/library/nginx', sources: [source({ auths: { 'docker.io/library': 'a' } })] },
      expected: { match: '$DOCKER_AUTH_CONFIG docker.io/library auths' },
    },
  ],
  'keys inside one source (§1.3)': [
    {
      name: 'lets docker.io win over https://index.docker.io/v1/, as it sorts first',
      input: { image: 'nginx', sources: [source({ auths: { 'https://index.docker.io/v1/': 'legacy', 'docker.io': 'short' } })] },
      expected: { match: '$DOCKER_AUTH_CONFIG docker.io auths', candidates: ['$DOCKER_AUTH_CONFIG docker.io', '$DOCKER_AUTH_CONFIG https://index.docker.io/v1/'], notes: [/user `short`/, /sorts first/] },
    },
    {
      name: 'lets credHelpers win over auths on the same key',
      input: { image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1', sources: [source({ auths: { '123456789012.dkr.ecr.us-east-1.amazonaws.com': 'AWS' }, credHelpers: { '123456789012.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login' } })] },
      expected: { match: '$DOCKER_AUTH_CONFIG 123456789012.dkr.ecr.us-east-1.amazonaws.com credHelpers', anonymous: false, candidates: ['$DOCKER_AUTH_CONFIG 123456789012.dkr.ecr.us-east-1.amazonaws.com'], notes: [/`docker-credential-ecr-login get`/, /`PATH` of the runner process user/] },
    },
    {
      name: 'says that ecr-login answers "not found" for a host that is not ECR',
      input: { image: 'registry.example.com/app:1', sources: [source({ credHelpers: { 'registry.example.com': 'ecr-login' } })] },
      expected: { match: '$DOCKER_AUTH_CONFIG registry.example.com credHelpers', notes: [/is not an Amazon ECR host/] },
    },
    {
      name: 'names the helper binary with .exe on a Windows runner',
      input: { image: 'registry.example.com/app:1', sources: [source({ credHelpers: { 'registry.example.com': 'wincred' } })], options: { platform: 'windows', hosted: false } },
      expected: { match: '$DOCKER_AUTH_CONFIG registry.example.com credHelpers', notes: [/`docker-credential-wincred\.exe get`/] },
    },
  ],
  'credsStore, whose list is unknown here (§1.3, §9 Q1)': [
    {
      name: 'never matches through a credsStore, and says the store may supply credentials',
      input: { image: 'registry.example.com/app:1', sources: [source({ credsStore: 'pass' })] },
      expected: { match: null, anonymous: true, pendingStores: ['$DOCKER_AUTH_CONFIG pass'], notes: [/`docker-credential-pass list`/, /otherwise the pull is anonymous/] },
    },
    {
      name: 'says a store may replace a static entry of its own source',
      input: { image: 'registry.example.com/app:1', sources: [source({ auths: { 'registry.example.com': {} }, credsStore: 'secretservice' })] },
      expected: { match: '$DOCKER_AUTH_CONFIG registry.example.com auths', anonymous: true, pendingStores: ['$DOCKER_AUTH_CONFIG secretservice'] },
    },
    {
      name: 'ignores a store in a later source when an earlier source matches the full path',
      input: { image: 'registry.example.com/app', sources: [source({ auths: { 'registry.example.com/app': 'a' } }), source({ label: CONFIG_JSON, credsStore: 'pass' })] },
      expected: { match: '$DOCKER_AUTH_CONFIG registry.example.com/app auths', pendingStores: [] },
    },
    {
      name: 'keeps a store in a later source when the earlier match is only for the host',
      input: { image: 'registry.example.com/app', sources: [source({ auths: { 'registry.example.com': 'a' } }), source({ label: CONFIG_JSON, credsStore: 'pass' })] },
      expected: { match: '$DOCKER_AUTH_CONFIG registry.example.com auths', pendingStores: [`${CONFIG_JSON} pass`] },
    },
  ],
};

describe('resolveCredentials', () => {
  for (const [group, cases] of Object.entries(RESOLVE_CASES)) {
    describe(group, () => {
      for (const { name, input, expected } of cases) {
        test(name, () => check(resolveCredentials(input.image, input.sources, input.options ?? LINUX), expected));
      }
    });
  }

  test('gives Docker\'s normalized name and the runner\'s path side by side', () => {
    const cases: ReadonlyArray<{ name: string; input: string; expected: [string, string] }> = [
      { name: 'an official image without a tag', input: 'nginx', expected: ['docker.io/library/nginx:latest', 'docker.io/nginx'] },
      { name: 'a tag and a digest', input: `alpine:3@sha256:${HEX}`, expected: [`docker.io/library/alpine@sha256:${HEX}`, 'docker.io/alpine'] },
      { name: 'a registry with a port', input: 'registry.example.com:5000/team/app:1', expected: ['registry.example.com:5000/team/app:1', 'registry.example.com:5000/team/app'] },
    ];
    for (const { name, input, expected } of cases) {
      const resolution = resolveCredentials(input, [], LINUX);
      assert.deepEqual([resolution.normalized, resolution.registryPath], expected, name);
    }
  });

  test('says the pull fails for a reference Docker rejects', () => {
    const resolution = resolveCredentials('registry.example.com/Team/app', [], LINUX);
    assert.ok(resolution.notes.some((note) => /The pull fails whatever the credentials\./.test(note)), resolution.notes.join('\n'));
  });

  test('never puts a password or its length into a note about a match', () => {
    const resolution = resolveCredentials('registry.example.com/app', [source({ auths: { 'registry.example.com': 'deploy' } })], LINUX);
    assert.ok(resolution.notes.every((note) => !/password|\b8\b/.test(note)), resolution.notes.join('\n'));
  });
});
