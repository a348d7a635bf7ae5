/**
 * Real registries for the registry suite (test/registry): Debian's `docker-registry`
 * (distribution 2.8) on 127.0.0.1, in three configurations that share one storage folder:
 *
 *   open   plain HTTP, no authentication;
 *   basic  HTTPS with a certificate from a test CA made here with openssl, htpasswd (bcrypt) users;
 *   token  plain HTTP, token authentication: a small token server here signs RS256 JWTs with a key
 *          whose self-signed certificate is the registry's `auth.token.rootcertbundle`, so the
 *          registry verifies every token itself.
 *
 * Content is pushed over the registry HTTP API (blobs, config, manifests) through the open
 * registry: a single-platform Docker v2 image, a multi-arch OCI index (linux/amd64 + linux/arm64)
 * and a public image. All three registries then serve the same repositories.
 *
 * Also here: servers that misbehave on purpose (a redirecting registry, a slow one, one that
 * answers with an oversized body) and a listener that only counts connections.
 *
 * The passwords are distinctive on purpose: the tests grep every output for them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import bcrypt from 'bcryptjs';

export const USERS = {
  /** May pull and push everything (token mode); any htpasswd user may do everything (basic mode). */
  alice: { username: 'alice', password: 'Pg-Alice-pw-7Q2x!9zKw' },
  /** Authenticates, but the token server grants her nothing on `team/*`. */
  bob: { username: 'bob', password: 'Pg-Bob-pw-4Vn8#Lq3s' },
} as const;
/** An identity token (OAuth2 refresh token) the token server exchanges for alice's access. */
export const IDENTITY_TOKEN = 'Pg-Identity-token-8Kd3&Wq6';
/** A wrong password that is also distinctive, so it can be grepped for too. */
export const WRONG_PASSWORD = 'Pg-Wrong-pw-0Hj5$Tz1';

export const TOKEN_SERVICE = 'pullguard-test-registry';
const TOKEN_ISSUER = 'pullguard-test-token-server';

export interface PushedImage {
  readonly repository: string;
  readonly tag: string;
  /** The digest of the manifest (or index) the tag points to. */
  readonly digest: string;
  readonly mediaType: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

export interface Endpoint {
  /** `127.0.0.1:PORT`: what an image reference is written with. */
  readonly host: string;
  readonly port: number;
}

// ---- Small helpers ----------------------------------------------------------------------------

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export async function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(command: string, args: readonly string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
}

/** Whether a program is on PATH. */
export function hasProgram(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** One plain HTTP request to a local server; the body is collected whole. */
function localRequest(url: string, method: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers: body ? { ...headers, 'Content-Length': String(body.length) } : headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

// ---- Certificates -----------------------------------------------------------------------------

interface Certificates {
  /** The test CA that signs the HTTPS registry's certificate. */
  readonly caFile: string;
  /** A CA nobody trusts, for the "TLS OK only with the right CA" cases. */
  readonly otherCaFile: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** The token signer: its self-signed certificate is the registry's root bundle. */
  readonly tokenCert: string;
  readonly tokenKey: string;
}

function makeCertificates(dir: string): Certificates {
  const days = ['-days', '2'];
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', ...days, '-subj', '/CN=Pullguard test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-ca.key', '-out', 'other-ca.pem', ...days, '-subj', '/CN=Some other CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run('openssl', ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', ...days, '-extfile', 'server.ext'], dir);
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'token.key', '-out', 'token.pem', ...days, '-subj', '/CN=Pullguard test token signer'], dir);
  return {
    caFile: join(dir, 'ca.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    tokenCert: join(dir, 'token.pem'),
    tokenKey: join(dir, 'token.key'),
  };
}

// ---- Token server -------------------------------------------------------------------------------

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export interface TokenServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Which actions `user` (undefined: anonymous) gets on `repository` (REFERENCE §7.3 item 5: the intersection). */
function grantedActions(user: string | undefined, repository: string, asked: readonly string[]): string[] {
  if (user === USERS.alice.username) return [...asked];
  if (repository.startsWith('public/')) return asked.filter((action) => action === 'pull');
  return [];
}

async function startTokenServer(certificates: Certificates): Promise<TokenServer> {
  const key = createPrivateKey(readFileSync(certificates.tokenKey));
  const certificateDer = new X509Certificate(readFileSync(certificates.tokenCert)).raw;
  const requests: RecordedRequest[] = [];
  const answer = (request: IncomingMessage, response: ServerResponse, form: URLSearchParams | undefined) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/token') return void response.writeHead(404).end();
    const refuse = () => {
      response.writeHead(401, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }));
    };
    let user: string | undefined;
    // The OAuth2 variant (REFERENCE §7.3): POST with grant_type=refresh_token; the refresh token is an identity token.
    const params = form ?? url.searchParams;
    if (form) {
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== IDENTITY_TOKEN) return refuse();
      user = USERS.alice.username;
    }
    const authorization = request.headers.authorization;
    if (!form && authorization) {
      const match = /^Basic\s+(.+)$/i.exec(authorization);
      const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      const name = decoded.slice(0, colon);
      const known = Object.values(USERS).find((u) => u.username === name);
      if (colon < 0 || !known || known.password !== decoded.slice(colon + 1)) return refuse();
      user = known.username;
    }
    const access = params.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository' || !name || !actions) return [];
      return [{ type, name, actions: grantedActions(user, name, actions.split(',')) }];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certificateDer.toString('base64')] };
    const claims = {
      iss: TOKEN_ISSUER,
      sub: user ?? '',
      aud: params.get('service') ?? '',
      exp: now + 300,
      nbf: now - 30,
      iat: now,
      jti: randomBytes(12).toString('hex'),
      access,
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const token = `${signingInput}.${base64url(sign('sha256', Buffer.from(signingInput), key))}`;
    response.writeHead(200, { 'Content-Type': 'application/json' });
    // Some servers answer `token`, some `access_token` (REFERENCE §7.3 item 3): this one both.
    response.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  };
  const server = createHttpServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    if (request.method !== 'POST') return answer(request, response, undefined);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => answer(request, response, new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/token`, requests, close: () => close(server) };
}

// ---- Registries ------------------------------------------------------------------------------------

interface RegistryProcess extends Endpoint {
  readonly child: ChildProcess;
  readonly log: string[];
}

function registryConfig(storage: string, port: number, auth: string, tls: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    tls,
    auth,
    '',
  ].filter((line) => line !== '').join('\n');
}

async function waitForRegistry(host: string, port: number, child: ChildProcess, log: string[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}:\n${log.join('')}`);
    // A TCP probe is enough: the registry listens once its configuration is loaded.
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`docker-registry did not listen on ${host}:${port} within 15 s:\n${log.join('')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startRegistry(dir: string, name: string, storage: string, auth: string, tls: string): Promise<RegistryProcess> {
  const port = await getFreePort();
  const configPath = join(dir, `${name}.yml`);
  writeFileSync(configPath, registryConfig(storage, port, auth, tls));
  const child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  await waitForRegistry('127.0.0.1', port, child, log);
  return { host: `127.0.0.1:${port}`, port, child, log };
}

// ---- Content ----------------------------------------------------------------------------------------

/** An empty tar archive (two zero blocks), gzipped: a real, minimal layer. */
function makeLayer(seed: string): { blob: Buffer; diffId: string } {
  // One file whose content is `seed`, so each platform's layer differs.
  const content = Buffer.from(seed);
  const header = Buffer.alloc(512);
  header.write('seed.txt', 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const body = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  content.copy(body);
  const tar = Buffer.concat([header, body, Buffer.alloc(1024)]);
  return { blob: gzipSync(tar), diffId: sha256(tar) };
}

async function pushBlob(base: string, repository: string, blob: Buffer): Promise<string> {
  const digest = sha256(blob);
  const start = await localRequest(`${base}/v2/${repository}/blobs/uploads/`, 'POST', {}, Buffer.alloc(0));
  if (start.status !== 202 || !start.headers.location) throw new Error(`blob upload to ${repository} did not start: ${start.status} ${start.body.toString()}`);
  const location = new URL(start.headers.location, base);
  location.searchParams.set('digest', digest);
  const put = await localRequest(location.href, 'PUT', { 'Content-Type': 'application/octet-stream' }, blob);
  if (put.status !== 201) throw new Error(`blob upload to ${repository} failed: ${put.status} ${put.body.toString()}`);
  return digest;
}

async function pushManifest(base: string, repository: string, reference: string, mediaType: string, manifest: Buffer): Promise<string> {
  const put = await localRequest(`${base}/v2/${repository}/manifests/${reference}`, 'PUT', { 'Content-Type': mediaType }, manifest);
  if (put.status !== 201) throw new Error(`manifest ${repository}:${reference} was refused: ${put.status} ${put.body.toString()}`);
  const digest = sha256(manifest);
  if (put.headers['docker-content-digest'] !== digest) throw new Error(`the registry names ${repository}:${reference} ${String(put.headers['docker-content-digest'])}, not ${digest}`);
  return digest;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** Pushes one platform's config and layer, and its manifest by digest (or by `tag`); returns the manifest. */
async function pushPlatformImage(base: string, repository: string, architecture: string, docker: boolean, tag?: string): Promise<{ digest: string; size: number; mediaType: string }> {
  const layer = makeLayer(`${repository} ${architecture}`);
  const config = Buffer.from(JSON.stringify({
    architecture,
    os: 'linux',
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    created: '2026-01-01T00:00:00Z',
  }));
  const layerDigest = await pushBlob(base, repository, layer.blob);
  const configDigest = await pushBlob(base, repository, config);
  const mediaType = docker ? DOCKER_MANIFEST : OCI_MANIFEST;
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType,
    config: { mediaType: docker ? DOCKER_CONFIG : OCI_CONFIG, digest: configDigest, size: config.length },
    layers: [{ mediaType: docker ? DOCKER_LAYER : OCI_LAYER, digest: layerDigest, size: layer.blob.length }],
  }, null, 3));
  const digest = await pushManifest(base, repository, tag ?? sha256(manifest), mediaType, manifest);
  return { digest, size: manifest.length, mediaType };
}

export interface PushedContent {
  /** Docker v2 manifest, linux/amd64. */
  readonly single: PushedImage;
  /** OCI index of linux/amd64 and linux/arm64 OCI manifests, tagged `2.0` and `latest`; `platforms` are their digests. */
  readonly multi: PushedImage & { readonly platforms: Readonly<Record<string, string>> };
  /** Anonymous pull allowed in token mode. */
  readonly publicImage: PushedImage;
}

async function pushContent(base: string): Promise<PushedContent> {
  const single = await pushPlatformImage(base, 'team/app', 'amd64', true, '1.0');
  const publicImage = await pushPlatformImage(base, 'public/tool', 'amd64', false, '3.1');
  const amd64 = await pushPlatformImage(base, 'team/multi', 'amd64', false);
  const arm64 = await pushPlatformImage(base, 'team/multi', 'arm64', false);
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      { mediaType: amd64.mediaType, digest: amd64.digest, size: amd64.size, platform: { architecture: 'amd64', os: 'linux' } },
      { mediaType: arm64.mediaType, digest: arm64.digest, size: arm64.size, platform: { architecture: 'arm64', os: 'linux' } },
    ],
  }, null, 2));
  const indexDigest = await pushManifest(base, 'team/multi', '2.0', OCI_INDEX, index);
  // Also `latest`, for a reference written without a tag.
  await pushManifest(base, 'team/multi', 'latest', OCI_INDEX, index);
  return {
    single: { repository: 'team/app', tag: '1.0', digest: single.digest, mediaType: single.mediaType },
    multi: { repository: 'team/multi', tag: '2.0', digest: indexDigest, mediaType: OCI_INDEX, platforms: { amd64: amd64.digest, arm64: arm64.digest } },
    publicImage: { repository: 'public/tool', tag: '3.1', digest: publicImage.digest, mediaType: publicImage.mediaType },
  };
}

// ---- The whole set ------------------------------------------------------------------------------------

export interface TestRegistries {
  readonly open: Endpoint;
  /** HTTPS with the test CA; htpasswd users alice and bob. */
  readonly basic: Endpoint;
  /** Token auth through `tokenServer`. */
  readonly token: Endpoint;
  readonly tokenServer: TokenServer;
  readonly caFile: string;
  readonly otherCaFile: string;
  readonly content: PushedContent;
  /** Every registry's log so far, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

export async function startTestRegistries(): Promise<TestRegistries> {
  const dir = mkdtempSync(join(tmpdir(), 'pullguard-registries-'));
  const storage = join(dir, 'storage');
  const certificates = makeCertificates(dir);
  const htpasswd = Object.values(USERS).map((user) => `${user.username}:${bcrypt.hashSync(user.password, 5)}`).join('\n');
  writeFileSync(join(dir, 'htpasswd'), `${htpasswd}\n`);
  const processes: RegistryProcess[] = [];
  // A test process that dies without `stop()` must not leave registries behind.
  const killAll = () => {
    for (const running of processes) running.child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const tokenServer = await startTokenServer(certificates);
  try {
    const open = await startRegistry(dir, 'open', storage, '', '');
    processes.push(open);
    const content = await pushContent(`http://${open.host}`);
    const basic = await startRegistry(dir, 'basic', storage,
      ['auth:', '  htpasswd:', '    realm: pullguard-basic', `    path: ${join(dir, 'htpasswd')}`].join('\n'),
      ['  tls:', `    certificate: ${certificates.serverCert}`, `    key: ${certificates.serverKey}`].join('\n'));
    processes.push(basic);
    const token = await startRegistry(dir, 'token', storage,
      ['auth:', '  token:', `    realm: ${tokenServer.url}`, `    service: ${TOKEN_SERVICE}`, `    issuer: ${TOKEN_ISSUER}`, `    rootcertbundle: ${certificates.tokenCert}`].join('\n'), '');
    processes.push(token);
    return {
      open, basic, token, tokenServer, content,
      caFile: certificates.caFile,
      otherCaFile: certificates.otherCaFile,
      logs: () => processes.map((p) => p.log.join('')).join('\n'),
      async stop() {
        process.removeListener('exit', killAll);
        for (const running of processes) running.child.kill('SIGTERM');
        await Promise.all(processes.map((p) => (p.child.exitCode !== null ? undefined : new Promise((r) => p.child.once('exit', r)))));
        await tokenServer.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const running of processes) running.child.kill('SIGTERM');
    await tokenServer.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

// ---- Servers that misbehave on purpose ----------------------------------------------------------------

export interface FakeServer extends Endpoint {
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records every request and answers with `handler`. */
export async function startFakeServer(handler: (request: IncomingMessage, response: ServerResponse, self: FakeServer) => void): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let self: FakeServer;
  const server = createHttpServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    handler(request, response, self);
  });
  server.on('connection', (socket: Socket) => {
    self.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  self = {
    host: `127.0.0.1:${port}`,
    port,
    requests,
    connections: 0,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return close(server);
    },
  };
  return self;
}

/** A plain TCP listener that accepts and counts connections and never answers. */
export async function startSilentListener(): Promise<{ host: string; port: number; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return {
    host: `127.0.0.1:${port}`,
    port,
    connections: () => connections,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
