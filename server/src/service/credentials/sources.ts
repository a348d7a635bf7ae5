/**
 * Reads Docker's config format (a `config.json`, or the JSON of `DOCKER_AUTH_CONFIG`)
 * the way the runner's docker/cli code reads it (REFERENCE §1.3, §1.5, §5.1), into a
 * `CredentialSource` for the resolver, the places of its keys for hovers, and the
 * findings about the JSON itself (the auth/* rules that need no image).
 *
 * Secrets: `auth` values are decoded here and only their username and password
 * length leave this file.
 */
import { findNodeAtLocation, getNodeValue, type Node as JsonNode } from 'jsonc-parser';
import { z } from 'zod';
import { moveFinding, type Finding, type FixData } from '../finding';
import type { Settings } from '../settings';
import { getGitLabHost } from '../variables';
import { decodeAuth, encodeAuth, revealPassword } from './base64';
import { toHost, embedWholeJson, type EmbeddedJson } from './embeddedJson';
import { convertToRegistryPath, hostOfPath, isEcrHost } from './normalize';
import type { AuthEntry, CredentialSource, HelperEntry, SourceOrigin, SourcePlace } from './types';
import { suggest } from '../text/suggest';

/** Top-level fields of docker/cli's `ConfigFile` (REFERENCE §5.1). */
const TOP_LEVEL_KEYS = [
  'auths', 'HttpHeaders', 'psFormat', 'imagesFormat', 'networksFormat', 'pluginsFormat', 'volumesFormat',
  'statsFormat', 'serviceInspectFormat', 'servicesFormat', 'tasksFormat', 'secretFormat', 'configFormat',
  'nodesFormat', 'detachKeys', 'credsStore', 'credHelpers', 'pruneFilters', 'proxies', 'currentContext',
  'cliPluginsExtraDirs', 'plugins', 'aliases', 'features',
];
/** Fields of an `auths` entry (`AuthConfig`, §1.5); `email` is read and ignored. */
const ENTRY_KEYS = ['username', 'password', 'auth', 'serveraddress', 'identitytoken', 'registrytoken', 'email'];
const SECRET_FIELDS = ['auth', 'password', 'identitytoken', 'registrytoken'];

/**
 * The types Go's decoder insists on: a wrong type fails the whole decode, and the
 * runner drops the source (§1.2). Unknown fields are ignored by the decoder.
 */
const entrySchema = z.object({
  username: z.string().optional(),
  password: z.string().optional(),
  auth: z.string().optional(),
  serveraddress: z.string().optional(),
  identitytoken: z.string().optional(),
  registrytoken: z.string().optional(),
  email: z.string().optional(),
});
export const dockerConfigSchema = z.object({
  auths: z.record(z.string(), entrySchema.nullable()).nullable().optional(),
  credsStore: z.string().optional(),
  credHelpers: z.record(z.string(), z.string()).nullable().optional(),
});

/** Helpers a runner on each platform will not have (REFERENCE §5.3). */
const PLATFORM_NAMES: Readonly<Record<Settings['runner']['platform'], string>> = { linux: 'Linux', windows: 'Windows', macos: 'macOS' };
const MISSING_HELPERS: Readonly<Record<Settings['runner']['platform'], readonly string[]>> = {
  linux: ['desktop', 'osxkeychain', 'wincred'],
  windows: ['osxkeychain'],
  macos: ['wincred'],
};

export interface ReadOptions {
  readonly uri: string;
  readonly label: string;
  readonly origin: SourceOrigin;
  readonly settings: Settings;
  /** The runner expands `$` in this text (every runner `environment` entry; expandable CI/CD variables, §1.1). */
  readonly expandsDollars: boolean;
  /** The text is in a file meant for the repository (`.gitlab-ci.yml`, a runner `config.toml`). */
  readonly inRepository: boolean;
  /** Jobs see this JSON as `$DOCKER_AUTH_CONFIG` (where docker CLI 28.2+ reads it, §5.1). */
  readonly visibleToJobs: boolean;
  /** A whole `config.json`: JSON syntax errors are `syntax/json`, not `auth/invalid-json`. */
  readonly wholeFile: boolean;
}

/** A key of `auths`/`credHelpers` with its place, for hovers. */
export interface KeyPlace {
  readonly kind: 'auths' | 'credHelpers' | 'credsStore';
  readonly key: string;
  /** Host offsets of the key (or of the `credsStore` value). */
  readonly offset: number;
  readonly length: number;
  readonly entry?: AuthEntry;
  readonly helper?: HelperEntry;
}

export interface DockerConfigRead {
  readonly source: CredentialSource;
  readonly findings: readonly Finding[];
  readonly keys: readonly KeyPlace[];
  readonly embedded: EmbeddedJson;
  /** For a read moved by an edit before it (moveDockerConfigRead): the source of the read it was moved from, which says the same. */
  readonly movedFrom?: CredentialSource;
}

/**
 * The read of the same JSON written `delta` UTF-16 units further on in its document
 * `uri` (an edit before it): every place in it moved, nothing read again. The source is
 * a new object, as its entries' places changed.
 */
export function moveDockerConfigRead(read: DockerConfigRead, delta: number, uri: string): DockerConfigRead {
  const moveOffset = (offset: number) => offset + delta;
  const movedEntries = new Map<AuthEntry | HelperEntry, AuthEntry | HelperEntry>();
  const moveEntry = <T extends AuthEntry | HelperEntry>(entry: T): T => {
    const moved = { ...entry, place: entry.place && { ...entry.place, offset: entry.place.offset + delta } };
    movedEntries.set(entry, moved);
    return moved;
  };
  const { source } = read;
  const movedSource: CredentialSource = {
    ...source,
    auths: source.auths.map(moveEntry),
    credHelpers: source.credHelpers.map(moveEntry),
    credsStore: source.credsStore && moveEntry(source.credsStore),
  };
  return {
    source: movedSource,
    findings: read.findings.map((finding) => moveFinding(finding, moveOffset, uri)),
    keys: read.keys.map((key): KeyPlace => ({
      ...key,
      offset: key.offset + delta,
      ...(key.entry ? { entry: movedEntries.get(key.entry) as AuthEntry } : {}),
      ...(key.helper ? { helper: movedEntries.get(key.helper) as HelperEntry } : {}),
    })),
    embedded: { ...read.embedded, map: read.embedded.map.moved(delta) },
    movedFrom: source,
  };
}

function propertiesOf(node: JsonNode | undefined): Array<{ key: JsonNode; value: JsonNode | undefined; name: string }> {
  if (node?.type !== 'object') return [];
  return (node.children ?? []).flatMap((property) => {
    const [key, value] = property.children ?? [];
    return key && typeof key.value === 'string' ? [{ key, value, name: key.value }] : [];
  });
}

const SCHEME = /^https?:\/\//i;

/** Reads one JSON text in Docker's config format. */
export function readDockerConfig(embedded: EmbeddedJson, options: ReadOptions): DockerConfigRead {
  const findings: Finding[] = [];
  const keys: KeyPlace[] = [];
  const place = (node: JsonNode): SourcePlace => ({ uri: options.uri, ...toHost(embedded, node.offset, node.length) });
  const report = (code: string, node: JsonNode, message: string, data?: FixData, related?: Finding['related']) => {
    const at = toHost(embedded, node.offset, node.length);
    findings.push({ code, ...at, message, ...(data ? { data } : {}), ...(related ? { related } : {}) });
  };
  let dropReason: string | undefined;
  let abortReason: string | undefined;
  const drop = (reason: string) => {
    dropReason ??= reason;
  };
  const sourceName = options.wholeFile ? 'this file' : 'this `DOCKER_AUTH_CONFIG`';

  // ---- Syntax: a JSON error drops the whole source (§1.2).
  const root = embedded.model.root;
  if (embedded.model.errors.length > 0) {
    drop('the JSON does not parse');
    for (const error of embedded.model.errors) {
      const at = toHost(embedded, error.offset, error.length);
      if (error.limit) {
        // Go's encoding/json reads up to 10,000 levels: the text may well be valid, only too deep for Pullguard.
        findings.push({ code: options.wholeFile ? 'syntax/json' : 'auth/invalid-json', ...at, message: `${error.message} Docker and the runner read JSON nested up to 10,000 levels, so they may accept it; Pullguard checks none of its credentials.` });
        continue;
      }
      findings.push(options.wholeFile
        ? { code: 'syntax/json', ...at, message: `${error.message} Docker and the runner cannot read this file until this is fixed; the runner then uses none of its credentials.` }
        : { code: 'auth/invalid-json', ...at, message: `${error.message} The runner cannot parse this \`DOCKER_AUTH_CONFIG\` and drops it whole: none of its credentials are used.` });
    }
  }
  const empty = (): DockerConfigRead => ({
    source: { label: options.label, origin: options.origin, auths: [], credHelpers: [], credsStore: undefined, dropReason, abortReason },
    findings, keys, embedded,
  });
  if (!root) return empty();
  if (root.type !== 'object') {
    drop('it is not a JSON object');
    if (embedded.model.errors.length === 0) {
      report(options.wholeFile ? 'syntax/json' : 'auth/invalid-json', root, `${options.wholeFile ? 'A Docker config' : '`DOCKER_AUTH_CONFIG`'} must be a JSON object such as \`{"auths": {…}}\`; the runner drops ${sourceName} whole.`);
    }
    return empty();
  }

  // ---- Types Go's decoder insists on.
  const typed = dockerConfigSchema.safeParse(getNodeValue(root));
  if (!typed.success) {
    drop('a field has the wrong type');
    for (const issue of typed.error.issues) {
      const node = findNodeAtLocation(root, issue.path as Array<string | number>) ?? root;
      report('auth/invalid-json', node, `\`${issue.path.join('.')}\` has the wrong type (${issue.message.toLowerCase()}): the runner's JSON decoder fails, and ${sourceName} is dropped whole.`);
    }
  }

  // ---- Top-level keys.
  const top = propertiesOf(root);
  const topNames = top.map((p) => p.name);
  for (const { key, name } of top) {
    if (TOP_LEVEL_KEYS.includes(name)) continue;
    const suggestion = suggest(name, TOP_LEVEL_KEYS);
    const caseOnly = suggestion && suggestion.toLowerCase() === name.toLowerCase();
    if (caseOnly && topNames.includes(suggestion)) continue;
    report('auth/unknown-key', key,
      caseOnly
        ? `\`${name}\` is read as \`${suggestion}\` by the runner (Go matches JSON keys without regard to case), but other tools, and people, expect \`${suggestion}\`. Write \`${suggestion}\`.`
        : `The runner ignores the unknown key \`${name}\`${suggestion ? `; did you mean \`${suggestion}\`?` : '.'} Its content has no effect.`,
      suggestion ? { fix: 'replace', title: `Rename to "${suggestion}"`, newText: JSON.stringify(suggestion) } : undefined);
  }
  const topNode = (name: string) => top.find((p) => p.name === name || (p.name.toLowerCase() === name.toLowerCase() && !topNames.includes(name)));

  // ---- auths
  const auths: AuthEntry[] = [];
  const authsNode = topNode('auths')?.value;
  for (const { key, value, name } of propertiesOf(authsNode)) {
    const fields = propertiesOf(value);
    const field = (fieldName: string) => fields.find((f) => f.name === fieldName);
    const stringOf = (fieldName: string) => {
      const node = field(fieldName)?.value;
      return typeof node?.value === 'string' ? node.value : undefined;
    };
    for (const { key: fieldKey, name: fieldName } of fields) {
      if (fieldName === 'email') {
        const property = fieldKey.parent!;
        const at = toHost(embedded, property.offset, property.length);
        findings.push({ code: 'auth/email-ignored', ...at, message: 'The `email` field is ignored: docker/cli no longer reads it. Remove it.', data: { fix: 'remove-field', key: name, field: 'email' } });
      } else if (!ENTRY_KEYS.includes(fieldName)) {
        const suggestion = suggest(fieldName, ENTRY_KEYS.filter((k) => k !== 'email'));
        report('auth/unknown-key', fieldKey,
          `The runner ignores the unknown field \`${fieldName}\` of the \`${name}\` entry${suggestion ? `; did you mean \`${suggestion}\`?` : '.'}`,
          suggestion ? { fix: 'replace', title: `Rename to "${suggestion}"`, newText: JSON.stringify(suggestion) } : undefined);
      }
    }
    let username = stringOf('username') || undefined;
    let passwordLength = stringOf('password')?.length || undefined;
    const authValue = stringOf('auth');
    const authNode = field('auth')?.value;
    if (authValue && authNode) {
      const decoded = decodeAuth(authValue);
      if (!decoded.ok) {
        drop(`the \`auth\` of \`${name}\` is invalid (${decoded.reason})`);
        report('auth/invalid-base64', authNode, `The \`auth\` of \`${name}\` ${decoded.reason}. The runner fails to decode it and drops ${sourceName} whole, so none of its credentials are used. Encode \`username:password\` with \`printf '%s' 'user:password' | base64 -w0\`.`);
      } else {
        if (decoded.passwordEndsWithNewline) {
          report('auth/trailing-newline', authNode, `The password in the \`auth\` of \`${name}\` ends with a newline, which the registry will reject as a wrong password. It was probably encoded with \`echo\` (which adds one) or a wrapped \`base64\`; encode it with \`printf '%s' 'user:password' | base64 -w0\` instead.`, { fix: 'strip-auth-newline', key: name });
        }
        const fieldUser = stringOf('username');
        const fieldPassword = stringOf('password');
        if ((fieldUser !== undefined || fieldPassword !== undefined)
          && (fieldUser !== undefined && fieldUser !== decoded.username
            || fieldPassword !== undefined && encodeAuth(decoded.username, fieldPassword) !== authValue)) {
          report('auth/conflicting-fields', authNode, `The \`auth\` of \`${name}\` and its \`username\`/\`password\` fields disagree. The runner uses \`auth\` (user \`${decoded.username}\`) and ignores the fields. Remove the fields, or make them match.`);
        }
        username = decoded.username;
        passwordLength = decoded.passwordLength;
      }
    }
    const identityToken = Boolean(stringOf('identitytoken'));
    const registryToken = Boolean(stringOf('registrytoken'));
    const entry: AuthEntry = {
      key: name,
      place: place(key),
      username,
      passwordLength,
      identityToken,
      registryToken,
      empty: !username && !passwordLength && !identityToken && !registryToken,
    };
    auths.push(entry);
    keys.push({ kind: 'auths', key: name, ...toHost(embedded, key.offset, key.length), entry });

    // Secrets written into a file that goes into the repository.
    if (options.inRepository) {
      for (const secretField of SECRET_FIELDS) {
        const node = field(secretField)?.value;
        if (typeof node?.value === 'string' && node.value !== '' && !node.value.includes('$')) {
          // The menu path as GitLab's documentation writes it, in ASCII: one character outside Latin-1 in any
          // message makes the whole publish of a document's diagnostics a two-byte string, slower to encode and
          // to read (on a 5,000-job pipeline ~15 ms more for the client to decode and parse each publish).
          report('auth/committed-secret', node, `This \`${secretField}\` is a literal credential in a file that goes into the repository: everyone who can read the repository can use it. Move \`DOCKER_AUTH_CONFIG\` to a masked CI/CD variable (Settings > CI/CD > Variables).`, { fix: 'move-to-variable' });
        }
      }
    }
    if (isEcrHost(hostOfPath(convertToRegistryPath(name))) && (authValue || stringOf('password'))) {
      report('auth/ecr-static-token', key, `\`${name}\` is an Amazon ECR registry: its tokens expire after 12 hours, so this static credential will stop working and pulls will fail with "no basic auth credentials". Use the \`ecr-login\` credential helper in \`credHelpers\` instead.`, { fix: 'ecr-helper', key: name });
    }
  }

  // ---- Keys and their normalized paths: scheme, Docker Hub, duplicates, empty entries.
  const registry = options.settings.ciRegistry.toLowerCase();
  const sortedKeys = [...auths].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const keyNodes = new Map(propertiesOf(authsNode).map((property) => [property.name, property.key] as const));
  const firstByPath = new Map<string, AuthEntry>();
  for (const entry of sortedKeys) {
    const keyNode = keyNodes.get(entry.key)!;
    const path = convertToRegistryPath(entry.key);
    const bare = entry.key.replace(/\/+$/, '').toLowerCase();
    if (bare === 'index.docker.io' || bare === 'registry-1.docker.io') {
      report('auth/docker-hub-key', keyNode, `The runner never matches \`${entry.key}\` to a Docker Hub image: it normalizes Docker Hub images to \`docker.io/…\`, and a key without a scheme keeps its host. Use \`https://index.docker.io/v1/\` (what \`docker login\` writes) or \`docker.io\`.`, { fix: 'replace', title: 'Use "https://index.docker.io/v1/"', newText: '"https://index.docker.io/v1/"' });
    }
    if (SCHEME.test(entry.key)) {
      const pathPart = entry.key.replace(SCHEME, '').split('/').slice(1).filter((segment) => segment !== '' && !/^v[12]$/i.test(segment));
      if (pathPart.length > 0) {
        const withoutScheme = entry.key.replace(SCHEME, '').replace(/\/+$/, '');
        report('auth/scheme-drops-path', keyNode, `With a scheme, the runner keeps only the host of \`${entry.key}\` (\`${path}\`), so these credentials apply to every repository on it, not only \`/${pathPart.join('/')}\`. Drop the scheme to scope them (runner 17.5 or later).`, { fix: 'replace', title: `Use "${withoutScheme}"`, newText: JSON.stringify(withoutScheme) });
      }
    }
    const winner = firstByPath.get(path);
    if (winner) {
      report('auth/duplicate-registry', keyNode, `\`${entry.key}\` and \`${winner.key}\` both mean \`${path}\` to the runner; it uses only \`${winner.key}\` (the first in sorted order) and ignores this entry. Remove one of them.`, { fix: 'remove-entry', key: entry.key },
        winner.place ? [{ offset: winner.place.offset, length: winner.place.length, message: `\`${winner.key}\` is the entry the runner uses.` }] : undefined);
    } else {
      firstByPath.set(path, entry);
    }
    const host = hostOfPath(path);
    const isJobTokenHost = host === registry || isDependencyProxyHost(host, options.settings);
    if (entry.empty) {
      report('auth/empty-entry', keyNode, `\`${entry.key}\` has no credentials, but it still counts as an entry: the runner uses it for \`${path}\` and skips every lower source${isJobTokenHost ? ', including the job token GitLab sends for its registry, so pulls from it become anonymous' : ''}. Remove it (Docker Desktop leaves such placeholders next to \`credsStore\`).`, { fix: 'remove-entry', key: entry.key });
    } else if (isJobTokenHost && !options.wholeFile) {
      report('auth/overrides-job-token', keyNode, `\`${entry.key}\` overrides the job token GitLab sends for \`${host}\`: the runner uses these credentials instead, for every image there.`);
    }
  }

  // ---- credsStore and credHelpers
  const helpers: HelperEntry[] = [];
  const checkHelper = (node: JsonNode, helper: string, key: string | undefined) => {
    const where = key === undefined ? '`credsStore`' : `the helper of \`${key}\``;
    if (/[/\\]|\.\./.test(helper)) {
      abortReason ??= `${where} \`${helper}\` is not a plain program name`;
      report('auth/helper-path', node, `${where} \`${helper}\` is not a plain program name: the runner refuses it as a path traversal and the image pull fails, even for images other entries would serve. Use the helper's suffix only, such as \`ecr-login\`.`);
      return;
    }
    if (MISSING_HELPERS[options.settings.runner.platform].includes(helper)) {
      const platform = PLATFORM_NAMES[options.settings.runner.platform];
      drop(`\`docker-credential-${helper}\` does not exist on a ${platform} runner`);
      report('auth/helper-unavailable', node, `A ${platform} runner has no \`docker-credential-${helper}\` (${helper === 'desktop' ? 'it ships with Docker Desktop' : 'it belongs to another operating system'}). Running it fails, and the runner drops ${sourceName} whole, static \`auths\` included. ${key === undefined ? 'Remove `credsStore`, or move to `credHelpers` for the registries that need a helper.' : 'Remove this entry.'}`, { fix: key === undefined ? 'remove-creds-store' : 'remove-helper', key: key ?? '' });
    }
    if (options.settings.runner.hosted) {
      report('auth/helpers-on-hosted-runner', node, `GitLab-hosted runners cannot run \`docker-credential-${helper}\`: credential helpers and stores must be installed on the runner, which only self-managed runners allow. Use static \`auths\` in a masked CI/CD variable.`);
    }
  };
  const storeNode = topNode('credsStore')?.value;
  let credsStore: HelperEntry | undefined;
  if (typeof storeNode?.value === 'string') {
    credsStore = { key: undefined, helper: storeNode.value, place: place(storeNode) };
    keys.push({ kind: 'credsStore', key: storeNode.value, ...toHost(embedded, storeNode.offset, storeNode.length), helper: credsStore });
    checkHelper(storeNode, storeNode.value, undefined);
    report('auth/creds-store', storeNode, `With \`credsStore\`, the runner only uses the credentials that \`docker-credential-${storeNode.value} list\` returns, and every registry the store does not list is pulled anonymously (GitLab's docs warn that Docker Hub pulls can fail). Scope helpers per registry in \`credHelpers\` instead.`, { fix: 'creds-store-to-helpers' });
    if (storeNode.value === 'ecr-login') {
      report('auth/ecr-creds-store', storeNode, '`credsStore: ecr-login` gives the runner credentials only for the default AWS account and region (the helper\'s `list`), and needs the region in `~/.aws/config`. Use `credHelpers` with one `ecr-login` entry per ECR registry.', { fix: 'creds-store-to-helpers' });
    }
  }
  for (const { key, value, name } of propertiesOf(topNode('credHelpers')?.value)) {
    if (typeof value?.value !== 'string') continue;
    const helper: HelperEntry = { key: name, helper: value.value, place: place(key) };
    helpers.push(helper);
    keys.push({ kind: 'credHelpers', key: name, ...toHost(embedded, key.offset, key.length), helper });
    checkHelper(value, value.value, name);
    if (value.value === 'ecr-login' && !isEcrHost(hostOfPath(convertToRegistryPath(name)))) {
      report('auth/ecr-helper-host', key, `\`${name}\` is not an Amazon ECR registry host (\`<account>.dkr.ecr.<region>.amazonaws.com\`), so \`ecr-login\` answers "credentials not found" and the pull is anonymous.`);
    }
  }

  // ---- Text-level checks: `$` expansion and docker CLI compatibility.
  if (options.expandsDollars) {
    for (let i = embedded.text.indexOf('$'); i !== -1; i = embedded.text.indexOf('$', i + 1)) {
      if (embedded.text[i + 1] === '$') {
        i++;
        continue;
      }
      const at = toHost(embedded, i, 1);
      findings.push({ code: 'auth/dollar-expansion', ...at, message: 'The runner expands `$` in this value as a variable reference before the JSON is read, so the text after it changes or disappears. Write `$$` for a literal `$`.', data: { fix: 'replace', title: 'Escape as $$', newText: '$$' } });
    }
  }
  if (options.visibleToJobs) {
    const extra = top.find((p) => p.name !== 'auths')
      ?? propertiesOf(authsNode).flatMap((entry) => propertiesOf(entry.value)).find((f) => f.name !== 'auth');
    if (extra) {
      report('auth/cli-compat', extra.key, `Jobs also see this JSON as \`$DOCKER_AUTH_CONFIG\`, and docker CLI 28.2 or later inside a job reads it and accepts only \`auths.*.auth\`: with \`${extra.name}\` it prints "Failed to create credential store from DOCKER_AUTH_CONFIG" and ignores it. The runner's own pulls are not affected.`);
    }
  }

  const source: CredentialSource = { label: options.label, origin: options.origin, auths, credHelpers: helpers, credsStore, dropReason, abortReason };
  sourceJson.set(source, embedded);
  return { source, findings, keys, embedded };
}

// ---- The one way out for an entry's secrets ----------------------------------------------

/** The JSON each source was read from, so that the registry actions can reveal the one entry they send. */
const sourceJson = new WeakMap<CredentialSource, EmbeddedJson>();

/** What an `auths` entry gives the registry, decoded as docker/cli does (§1.5). */
export interface EntrySecret {
  readonly username?: string;
  readonly password?: string;
  readonly identityToken?: string;
  readonly registryToken?: string;
}

/**
 * The secrets of the `auths` entry `key` of `source`: `auth` wins over `username`/
 * `password` (§1.5); the last of two same keys wins, as in Go's decoder. Only for the
 * registry actions (*Pin image to digest*, *Check registry access*), which send them to
 * the registry they are for; never for logs, hovers, messages or command output.
 */
export function revealEntrySecret(source: CredentialSource, key: string): EntrySecret | undefined {
  const embedded = sourceJson.get(source);
  const root = embedded?.model.root;
  if (!root) return undefined;
  const auths = propertiesOf(root).filter((p) => p.name.toLowerCase() === 'auths').pop()?.value;
  const entry = propertiesOf(auths).filter((p) => p.name === key).pop()?.value;
  if (!entry) return undefined;
  const text = (name: string): string | undefined => {
    const value = propertiesOf(entry).filter((p) => p.name === name).pop()?.value?.value;
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const auth = text('auth');
  const decoded = auth !== undefined ? decodeAuth(auth) : undefined;
  const fromAuth = decoded?.ok ? { username: decoded.username, password: revealPassword(auth!) } : {};
  return {
    ...(decoded?.ok ? fromAuth : { username: text('username'), password: text('password') }),
    identityToken: text('identitytoken'),
    registryToken: text('registrytoken'),
  };
}

/** The dependency proxy's `host:port` (REFERENCE §1.6): the GitLab host behind the registry, on 443. */
export function isDependencyProxyHost(host: string, settings: Settings): boolean {
  return host === `${getGitLabHost(settings)}:443`;
}

/** A source from a JSON text alone (the CLI's `explain --docker-config`). */
export function parseDockerAuthConfigJson(jsonText: string, origin: SourceOrigin, label: string, settings: Settings): CredentialSource {
  return readDockerConfig(embedWholeJson(jsonText), {
    uri: origin.kind === 'docker-config' || origin.kind === 'runner-environment' || origin.kind === 'ci-variable' ? origin.uri : '',
    label,
    origin,
    settings,
    expandsDollars: false,
    inRepository: false,
    visibleToJobs: false,
    wholeFile: true,
  }).source;
}
