/**
 * One HTTP(S) request to a registry or its token service, on node's own `http`/`https`:
 *
 * - TLS is always verified, against node's roots plus at most one extra CA file the
 *   user chose (`pullguard.registry.caFile`); there is no switch that turns verification off.
 * - Each request is bounded by a timeout and by the caller's AbortSignal (cancellation).
 * - Bodies are read up to a cap; a larger one is refused, not truncated.
 * - Redirects are not followed here: the caller follows them and decides which headers go on.
 *
 * Plain HTTP is used only for loopback hosts that do not speak TLS, as the Docker daemon
 * treats `127.0.0.0/8` as an insecure registry (the caller decides; see `client.ts`).
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { rootCertificates } from 'node:tls';
import { RegistryError } from './errors';

export interface TransportOptions {
  readonly timeoutMs: number;
  /** PEM text of an extra CA to trust besides node's roots. */
  readonly extraCa?: string;
  readonly signal?: AbortSignal;
}

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Largest body accepted, in bytes. */
  readonly maxBytes: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Errors node reports for a certificate it does not trust or that does not name the host. */
const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE', 'CERT_REJECTED', 'INVALID_CA', 'HOSTNAME_MISMATCH',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'EADDRNOTAVAIL']);

/** The server answered a TLS handshake with something that is not TLS (plain HTTP). */
export class NotTlsError extends Error {}

/** Reads the extra CA file; a problem is the user's to fix, said plainly. */
export function readCaFile(path: string): string {
  if (!isAbsolute(path)) {
    throw new RegistryError('tls-untrusted', `The CA file \`${path}\` (\`pullguard.registry.caFile\`) must be an absolute path.`);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RegistryError('tls-untrusted', `The CA file \`${path}\` (\`pullguard.registry.caFile\`) cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}. Fix the path, or remove the setting.`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new RegistryError('tls-untrusted', `The CA file \`${path}\` (\`pullguard.registry.caFile\`) holds no PEM certificate (\`-----BEGIN CERTIFICATE-----\`).`);
  }
  return text;
}

function describeTarget(url: URL): string {
  return `\`${url.host}\``;
}

/** Sends one request and reads the body (none for HEAD) up to `maxBytes`. */
export function sendRequest(request: HttpRequest, transport: TransportOptions): Promise<HttpResponse> {
  const { url } = request;
  return new Promise<HttpResponse>((resolve, reject) => {
    if (transport.signal?.aborted) return reject(new RegistryError('cancelled', 'Cancelled.'));
    let settled = false;
    const finish = (error: Error | undefined, response?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      transport.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(response!);
    };
    const secure = url.protocol === 'https:';
    const options = {
      method: request.method,
      headers: { ...request.headers, ...(request.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(request.body)) } : {}) },
      // node's roots plus the user's CA: `ca` replaces the default list, so both are given.
      ...(secure && transport.extraCa ? { ca: [...rootCertificates, transport.extraCa] } : {}),
      // Never a shared agent: no connection (and no TLS session) outlives the action.
      agent: false as const,
    };
    const onResponse = (response: IncomingMessage) => {
      const declared = Number(response.headers['content-length']);
      if (request.method !== 'HEAD' && Number.isFinite(declared) && declared > request.maxBytes) {
        response.destroy();
        return finish(tooLarge(url, request.maxBytes));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > request.maxBytes) {
          response.destroy();
          finish(tooLarge(url, request.maxBytes));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => finish(undefined, { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', (error) => finish(mapError(error, url, transport)));
    };
    const outgoing = secure ? httpsRequest(url, options, onResponse) : httpRequest(url, options, onResponse);
    const onAbort = () => {
      outgoing.destroy();
      finish(new RegistryError('cancelled', 'Cancelled.'));
    };
    const timer = setTimeout(() => {
      outgoing.destroy();
      finish(new RegistryError('timeout', `${describeTarget(url)} did not answer within ${transport.timeoutMs} ms (\`pullguard.registry.timeoutMs\`). The runner may hit the same delay; check the registry, or raise the timeout.`));
    }, transport.timeoutMs);
    transport.signal?.addEventListener('abort', onAbort, { once: true });
    outgoing.on('error', (error) => finish(mapError(error, url, transport)));
    outgoing.end(request.body);
  });
}

function tooLarge(url: URL, maxBytes: number): RegistryError {
  return new RegistryError('too-large', `${describeTarget(url)} sent a response larger than ${Math.round(maxBytes / 1024)} KiB, which Pullguard refuses to read; a registry's manifest or token is far smaller. Check that \`${url.host}\` is the registry you meant.`);
}

function mapError(error: Error & { code?: string }, url: URL, transport: TransportOptions): Error {
  const code = error.code ?? '';
  if (TLS_TRUST_CODES.has(code)) {
    const how = transport.extraCa
      ? 'not even with the CA file of `pullguard.registry.caFile`'
      : 'set `pullguard.registry.caFile` (or `--ca-file`) to the CA that issued it';
    return new RegistryError('tls-untrusted', `The TLS certificate of ${describeTarget(url)} is not trusted (${code}): Pullguard does not connect, ${how}. The runner's Docker daemon needs the same CA, in \`/etc/docker/certs.d/${url.host}/ca.crt\`.`);
  }
  // OpenSSL's answer when the other side speaks plain HTTP: "wrong version number" / "packet length too long".
  if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || /wrong version number|packet length too long|http request/i.test(error.message)) {
    return new NotTlsError(`${url.host} does not speak TLS`);
  }
  if (UNREACHABLE_CODES.has(code)) {
    const what = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'its name does not resolve' : code === 'ECONNREFUSED' ? 'the connection was refused' : `the connection failed (${code})`;
    return new RegistryError('unreachable', `${describeTarget(url)} cannot be reached: ${what}. The runner will fail the same way if it cannot reach it either; check the host and port, and the network.`);
  }
  return new RegistryError('unreachable', `${describeTarget(url)} cannot be reached: ${code || error.message}.`);
}
