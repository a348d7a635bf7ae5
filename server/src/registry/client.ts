/**
 * The registry HTTP API v2 client of the registry actions (REFERENCE §7): resolves a
 * tag to the digest the registry reports, and says why when it cannot.
 *
 * - `HEAD /v2/<name>/manifests/<ref>` with every manifest type in `Accept` (§7.1), so a
 *   multi-arch image resolves to its index (or list) digest; when the registry sends no
 *   `Docker-Content-Digest`, a `GET` and sha256 of the body; a digest header that comes
 *   with a body is checked against it.
 * - The `401` challenge (§7.3): `Bearer` (token from the realm with `service` and `scope`,
 *   Basic credentials to the token service, `token` or `access_token`; an identity token
 *   through the OAuth2 refresh grant) and `Basic`.
 * - Redirects are followed by hand (at most 5), and `Authorization` is dropped when the
 *   origin changes (OCI distribution spec, "API"; §7.3 "Redirects"); no https → http.
 * - Docker Hub: `registry-1.docker.io`, `library/` for one-component names (§7.2).
 * - Loopback registries may speak plain HTTP, as the Docker daemon allows for 127.0.0.0/8:
 *   HTTPS is tried first, plain HTTP only when the server does not speak TLS at all (a TLS
 *   server whose certificate is not trusted is an error, never a reason to fall back).
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { parseImageReference } from '../service/reference/parseReference';
import { RegistryError } from './errors';
import { NotTlsError, sendRequest, type HttpResponse, type TransportOptions } from './http';

/** Every manifest type Pullguard accepts, index and list types first (§7.1). */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** distribution's own limit for a manifest is 4 MiB. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_SMALL_BODY_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 5;
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Credentials as the registry takes them; they never leave this module except to the registry and its token service. */
export type RegistryCredential =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** `identitytoken` (or a helper's `<token>` user): exchanged at the token service (OAuth2 refresh grant). */
  | { readonly kind: 'identity-token'; readonly token: string }
  /** `registrytoken`: sent to the registry as a bearer token as it is. */
  | { readonly kind: 'registry-token'; readonly token: string };

export interface RegistryTarget {
  /** `host[:port]` the API is asked at (`registry-1.docker.io` for Docker Hub). */
  readonly apiHost: string;
  /** The repository name in the API (`library/nginx`). */
  readonly repository: string;
  /** The tag (or digest) asked for. */
  readonly reference: string;
  readonly tag: string | undefined;
  /** The digest the image already names, if any. */
  readonly digest: string | undefined;
}

/** Where the registry API of `image` is, and what to ask it (§7.2). */
export function getRegistryTarget(image: string): RegistryTarget {
  const parsed = parseImageReference(image);
  if (!parsed.ok) throw new RegistryError('invalid-image', `${parsed.problem.message} The registry cannot be asked about it.`);
  const reference = parsed.reference;
  const apiHost = reference.isDockerHub ? DOCKER_HUB_API_HOST : reference.normalizedDomain;
  const tag = reference.tag ?? (reference.digest ? undefined : 'latest');
  return { apiHost, repository: reference.normalizedPath, reference: reference.digest ?? tag!, tag, digest: reference.digest };
}

export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  if (name.toLowerCase() === 'localhost') return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1';
}

interface Challenge {
  readonly scheme: 'basic' | 'bearer';
  readonly params: Readonly<Record<string, string>>;
}

/** Parses `WWW-Authenticate` (one challenge; quoted values may hold commas). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  if (scheme !== 'basic' && scheme !== 'bearer') return undefined;
  const params: Record<string, string> = {};
  const pattern = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let m = pattern.exec(match[2]!); m; m = pattern.exec(match[2]!)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return { scheme, params };
}

/** One exchange, for `check-access`: no header values, no query values but `service` and `scope`. */
export interface ExchangeStep {
  readonly request: string;
  readonly status: number;
  readonly note?: string;
}

export interface DigestAnswer {
  readonly digest: string;
  readonly mediaType: string | undefined;
  /** How the digest was obtained. */
  readonly from: 'header' | 'body';
}

function origin(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The error codes of a registry's JSON error body (`{"errors":[{"code":…}]}`), if any. */
function errorCodes(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: unknown }> };
    return (parsed.errors ?? []).map((e) => String(e.code ?? ''));
  } catch {
    return [];
  }
}

/**
 * One conversation with one registry, for one repository, with at most one credential.
 * It remembers the scheme of loopback hosts and the authorization that worked.
 */
export class RegistrySession {
  readonly steps: ExchangeStep[] = [];
  private readonly schemes = new Map<string, 'https:' | 'http:'>();
  private authorization: string | undefined;
  /** How the registry asked to authenticate, once it has. */
  challengeScheme: 'basic' | 'bearer' | undefined;

  constructor(
    private readonly transport: TransportOptions,
    private readonly credential: RegistryCredential | undefined,
    /** How the credential is named in messages (`\`registry.example.com\` from \`$DOCKER_AUTH_CONFIG\``), never its value. */
    private readonly credentialName: string | undefined,
  ) {
    if (credential?.kind === 'registry-token') this.authorization = `Bearer ${credential.token}`;
  }

  /** The digest `target` resolves to at the registry. */
  async getManifestDigest(target: RegistryTarget): Promise<DigestAnswer> {
    const path = `/v2/${target.repository}/manifests/${target.reference}`;
    const head = await this.authorizedRequest(target, 'HEAD', path, MANIFEST_ACCEPT, 0);
    if (head.status === 200) {
      const header = firstHeader(head.headers['docker-content-digest']);
      if (header && DIGEST.test(header)) return { digest: header, mediaType: firstHeader(head.headers['content-type']), from: 'header' };
      // No (usable) digest header: hash the manifest itself (§7.1).
      const get = await this.authorizedRequest(target, 'GET', path, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES);
      if (get.status !== 200) this.fail(target, get, 'GET');
      return this.digestOfBody(target, get);
    }
    if (head.status === 404) return this.notFound(target);
    return this.fail(target, head, 'HEAD');
  }

  private digestOfBody(target: RegistryTarget, response: HttpResponse): DigestAnswer {
    const digest = `sha256:${createHash('sha256').update(response.body).digest('hex')}`;
    const header = firstHeader(response.headers['docker-content-digest']);
    // A digest header that comes with the body must name that body (OCI distribution spec).
    if (header && header !== digest) {
      throw new RegistryError('bad-response', `\`${target.apiHost}\` names the manifest of \`${target.repository}:${target.reference}\` \`${header}\`, but the manifest it sent hashes to \`${digest}\`. Pullguard does not pin a digest it cannot verify; the registry or something between is at fault.`);
    }
    return { digest, mediaType: firstHeader(response.headers['content-type']), from: 'body' };
  }

  /** A missing manifest: tell a missing repository from a missing tag through the tag list. */
  private async notFound(target: RegistryTarget): Promise<never> {
    const tags = await this.authorizedRequest(target, 'GET', `/v2/${target.repository}/tags/list?n=20`, 'application/json', MAX_SMALL_BODY_BYTES);
    const what = `\`${target.repository}\` on \`${target.apiHost}\``;
    if (tags.status === 404 || errorCodes(tags.body).includes('NAME_UNKNOWN')) {
      throw new RegistryError('repository-not-found', `There is no repository ${what}${this.credential ? ' (or these credentials cannot see it)' : ''}: the runner's pull will fail with "manifest unknown" or "repository does not exist". Check the image name and the registry host.`);
    }
    let known: string[] = [];
    if (tags.status === 200) {
      try {
        const parsed = JSON.parse(tags.body.toString('utf8')) as { tags?: unknown };
        if (Array.isArray(parsed.tags)) known = parsed.tags.filter((t): t is string => typeof t === 'string').slice(0, 10);
      } catch {
        // No list to show.
      }
    }
    const ref = target.tag !== undefined ? `tag \`${target.tag}\`` : `digest \`${target.reference}\``;
    throw new RegistryError('tag-not-found', `${what} has no ${ref}: the runner's pull will fail with "manifest unknown".${known.length > 0 ? ` Tags there include ${known.map((t) => `\`${t}\``).join(', ')}.` : ''}`);
  }

  private fail(target: RegistryTarget, response: HttpResponse, method: string): never {
    const where = `\`${target.repository}\` on \`${target.apiHost}\``;
    const codes = errorCodes(response.body);
    if (response.status === 401 || response.status === 403) {
      if (!this.credential) {
        throw new RegistryError('authentication-required', `${where} refuses anonymous pulls (${response.status}${codes.length ? ` ${codes.join(', ')}` : ''}): with no credentials for it, the runner's pull fails with "pull access denied" or "no basic auth credentials". Add credentials for it to \`DOCKER_AUTH_CONFIG\`.`);
      }
      const challenge = parseChallenge(firstHeader(response.headers['www-authenticate']));
      const insufficientScope = challenge?.params.error === 'insufficient_scope' || response.status === 403 || codes.includes('DENIED');
      if (insufficientScope && this.challengeScheme === 'bearer') {
        throw new RegistryError('denied', `The registry accepted ${this.credentialName ?? 'the credentials'}, but they give no pull access to ${where} (${response.status}${codes.length ? ` ${codes.join(', ')}` : ''}): the runner's pull fails with "denied: access forbidden". Grant the user read access to the repository, or use credentials that have it.`);
      }
      if (response.status === 403) {
        throw new RegistryError('denied', `${where} refuses ${this.credentialName ?? 'the credentials'} (403${codes.length ? ` ${codes.join(', ')}` : ''}): the runner's pull fails with "denied: access forbidden". Grant the user read access, or use credentials that have it.`);
      }
      throw new RegistryError('unauthorized', `\`${target.apiHost}\` rejects ${this.credentialName ?? 'the credentials'} (401): the user or password is wrong, or the token has expired. The runner's pull fails with "unauthorized: authentication required". Update the credentials.`);
    }
    if (response.status === 429) {
      throw new RegistryError('denied', `\`${target.apiHost}\` answers "too many requests" (429): a pull limit is reached (Docker Hub limits anonymous and free pulls). The runner's pull fails the same way until it resets; authenticate to get a higher limit.`);
    }
    throw new RegistryError('bad-response', `\`${target.apiHost}\` answered ${method} of ${where} with ${response.status}${codes.length ? ` (${codes.join(', ')})` : ''}, which is not a manifest.`);
  }

  // ---- Authorization ------------------------------------------------------------------------

  /** A request to the registry, answering a `401` challenge once with the session's credential. */
  private async authorizedRequest(target: RegistryTarget, method: 'GET' | 'HEAD', path: string, accept: string, maxBytes: number): Promise<HttpResponse> {
    const first = await this.send(target.apiHost, method, path, accept, maxBytes, this.authorization);
    if (first.status !== 401) return first;
    const challenge = parseChallenge(firstHeader(first.headers['www-authenticate']));
    if (!challenge) {
      if (this.authorization) return first;
      throw new RegistryError('bad-response', `\`${target.apiHost}\` answered 401 without a \`Basic\` or \`Bearer\` challenge, so Pullguard cannot tell how to authenticate.`);
    }
    this.challengeScheme = challenge.scheme;
    // A registry token is all there is: a 401 to it is the answer, not a reason to ask for another token.
    if (this.credential?.kind === 'registry-token') return first;
    const authorization = challenge.scheme === 'basic' ? this.getBasicAuthorization() : await this.getBearerAuthorization(target, challenge);
    // Nothing new to offer: the anonymous (or rejected) answer stands.
    if (authorization === undefined || authorization === this.authorization) return first;
    this.authorization = authorization;
    return this.send(target.apiHost, method, path, accept, maxBytes, authorization);
  }

  private getBasicAuthorization(): string | undefined {
    if (this.credential?.kind !== 'basic') return undefined;
    return basicHeader(this.credential.username, this.credential.password);
  }

  /** The token flow (§7.3): GET the realm (or POST it for an identity token) and take `token` or `access_token`. */
  private async getBearerAuthorization(target: RegistryTarget, challenge: Challenge): Promise<string | undefined> {
    const realm = challenge.params.realm;
    if (!realm) throw new RegistryError('bad-response', `\`${target.apiHost}\` asks for a bearer token without naming its token service (no \`realm\`).`);
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw new RegistryError('bad-response', `\`${target.apiHost}\` names a token service that is not a URL: \`${realm}\`.`);
    }
    if (realmUrl.protocol !== 'https:' && !(realmUrl.protocol === 'http:' && isLoopbackHost(realmUrl.host))) {
      throw new RegistryError('bad-response', `\`${target.apiHost}\` names the token service \`${realmUrl.host}\` over ${realmUrl.protocol.replace(':', '')}; Pullguard sends credentials to a token service only over HTTPS.`);
    }
    const scope = challenge.params.scope ?? `repository:${target.repository}:pull`;
    const service = challenge.params.service;
    const credential = this.credential;
    let response: HttpResponse;
    if (credential?.kind === 'identity-token') {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.token, client_id: 'pullguard', scope });
      if (service) form.set('service', service);
      response = await this.sendUrl(realmUrl, 'POST', 'application/json', MAX_SMALL_BODY_BYTES, undefined, form.toString());
    } else {
      const url = new URL(realmUrl);
      if (service) url.searchParams.set('service', service);
      url.searchParams.append('scope', scope);
      const authorization = credential?.kind === 'basic' ? basicHeader(credential.username, credential.password) : undefined;
      response = await this.sendUrl(url, 'GET', 'application/json', MAX_SMALL_BODY_BYTES, authorization);
    }
    if (response.status === 401 || response.status === 403) {
      if (!credential) throw new RegistryError('authentication-required', `The token service of \`${target.apiHost}\` refuses anonymous access to \`${target.repository}\` (${response.status}): the runner's pull needs credentials. Add credentials for it to \`DOCKER_AUTH_CONFIG\`.`);
      throw new RegistryError('unauthorized', `The token service of \`${target.apiHost}\` (\`${realmUrl.host}\`) rejects ${this.credentialName ?? 'the credentials'} (${response.status}): the user or password is wrong, or the token has expired. The runner's pull fails with "unauthorized: authentication required". Update the credentials.`);
    }
    if (response.status !== 200) throw new RegistryError('bad-response', `The token service of \`${target.apiHost}\` (\`${realmUrl.host}\`) answered ${response.status} instead of a token.`);
    let token: unknown;
    try {
      const parsed = JSON.parse(response.body.toString('utf8')) as { token?: unknown; access_token?: unknown };
      token = parsed.token || parsed.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '') throw new RegistryError('bad-response', `The token service of \`${target.apiHost}\` (\`${realmUrl.host}\`) answered without a \`token\` or \`access_token\`.`);
    return `Bearer ${token}`;
  }

  // ---- Transport: scheme, redirects ------------------------------------------------------------------

  private async send(host: string, method: 'GET' | 'HEAD', path: string, accept: string, maxBytes: number, authorization: string | undefined): Promise<HttpResponse> {
    const known = this.schemes.get(host);
    if (known) return this.sendUrl(new URL(`${known}//${host}${path}`), method, accept, maxBytes, authorization);
    try {
      const response = await this.sendUrl(new URL(`https://${host}${path}`), method, accept, maxBytes, authorization);
      this.schemes.set(host, 'https:');
      return response;
    } catch (error) {
      if (!(error instanceof NotTlsError)) throw error;
      if (!isLoopbackHost(host)) throw new RegistryError('bad-response', `\`${host}\` does not speak TLS. Pullguard, like the Docker daemon, uses plain HTTP only for registries on this machine (127.0.0.0/8, localhost).`);
      this.schemes.set(host, 'http:');
      return this.sendUrl(new URL(`http://${host}${path}`), method, accept, maxBytes, authorization);
    }
  }

  /** Sends one request and follows redirects by hand; `Authorization` goes only to the origin it was meant for. */
  private async sendUrl(url: URL, method: 'GET' | 'HEAD' | 'POST', accept: string, maxBytes: number, authorization: string | undefined, body?: string): Promise<HttpResponse> {
    let current = url;
    let currentAuthorization = authorization;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { Accept: accept, 'User-Agent': 'pullguard' };
      if (currentAuthorization) headers.Authorization = currentAuthorization;
      if (body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
      const response = await sendRequest({ method, url: current, headers, body, maxBytes }, this.transport);
      this.steps.push({ request: `${method} ${describeUrl(current)}${currentAuthorization ? ` (${currentAuthorization.split(' ')[0]} authorization)` : ''}`, status: response.status, ...noteOf(response) });
      const location = firstHeader(response.headers.location);
      if (![301, 302, 303, 307, 308].includes(response.status) || !location) return response;
      if (hop >= MAX_REDIRECTS) throw new RegistryError('bad-response', `\`${url.host}\` redirected more than ${MAX_REDIRECTS} times.`);
      const next = new URL(location, current);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new RegistryError('bad-response', `\`${current.host}\` redirected to a \`${next.protocol}\` URL.`);
      if (current.protocol === 'https:' && next.protocol === 'http:') {
        throw new RegistryError('bad-response', `\`${current.host}\` redirected from HTTPS to plain HTTP (\`${next.host}\`); Pullguard does not follow that.`);
      }
      // Blob and CDN redirects go to other hosts: the registry's credentials stay with the registry.
      if (origin(next) !== origin(current)) currentAuthorization = undefined;
      current = next;
    }
  }
}

/** A URL for the trace: path, and of the query only `service` and `scope`. */
function describeUrl(url: URL): string {
  const kept = new URLSearchParams();
  for (const name of ['service', 'scope']) for (const value of url.searchParams.getAll(name)) kept.append(name, value);
  const query = kept.toString();
  return `${url.protocol}//${url.host}${url.pathname}${query ? `?${query}` : ''}`;
}

function noteOf(response: HttpResponse): { note?: string } {
  const challenge = parseChallenge(firstHeader(response.headers['www-authenticate']));
  const parts: string[] = [];
  if (response.status === 401 && challenge) {
    parts.push(`${challenge.scheme === 'basic' ? 'Basic' : 'Bearer'} challenge${challenge.params.realm && challenge.scheme === 'bearer' ? `, token service ${challenge.params.realm}` : ''}${challenge.params.error ? `, error ${challenge.params.error}` : ''}`);
  }
  const codes = errorCodes(response.body);
  if (codes.length > 0) parts.push(codes.join(', '));
  const location = firstHeader(response.headers.location);
  if (location) parts.push(`redirect to ${new URL(location, 'http://x').host === 'x' ? 'the same host' : new URL(location).host}`);
  const digest = firstHeader(response.headers['docker-content-digest']);
  if (digest) parts.push(digest);
  const remaining = firstHeader(response.headers['ratelimit-remaining']);
  if (remaining) parts.push(`pull limit remaining ${remaining}`);
  return parts.length > 0 ? { note: parts.join('; ') } : {};
}
