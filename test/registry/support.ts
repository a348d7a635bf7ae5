/**
 * Shared by the registry suite: the real registries (scripts/registry/testRegistries.ts),
 * the tool check (in CI a missing tool fails the suite; elsewhere it is skipped with the
 * reason), skopeo as the independent witness, credential sources from JSON, and the
 * secret check every output goes through.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { parseDockerAuthConfigJson } from '../../server/src/service/credentials/sources';
import type { CredentialSource } from '../../server/src/service/credentials/types';
import { DEFAULT_SETTINGS, type Settings } from '../../server/src/service/settings';
import type { ActionOptions } from '../../server/src/registry/actions';
import { hasProgram, IDENTITY_TOKEN, USERS, WRONG_PASSWORD, startTestRegistries, type TestRegistries } from '../../scripts/registry/testRegistries';

export const TOOLS = ['docker-registry', 'skopeo', 'openssl'];

/** Why the suite cannot run here, or undefined. In CI a missing tool is an error, never a skip. */
export function missingToolsReason(): string | undefined {
  const missing = TOOLS.filter((tool) => !hasProgram(tool));
  if (missing.length === 0) return undefined;
  const reason = `missing ${missing.join(', ')} (apt-get install docker-registry skopeo openssl)`;
  if (process.env.CI === 'true') throw new Error(`The registry suite cannot run: ${reason}.`);
  return reason;
}

/** Every secret of the suite, as typed and as it travels (base64 of `user:password` and of the password). */
export function getSecrets(): string[] {
  const plain = [USERS.alice.password, USERS.bob.password, WRONG_PASSWORD, HELPER_SECRET, IDENTITY_TOKEN];
  const pairs = [
    `${USERS.alice.username}:${USERS.alice.password}`,
    `${USERS.bob.username}:${USERS.bob.password}`,
    `${USERS.alice.username}:${WRONG_PASSWORD}`,
    `${USERS.alice.username}:${HELPER_SECRET}`,
  ];
  return [...plain, ...[...plain, ...pairs].map((text) => Buffer.from(text).toString('base64'))];
}

/** Fails when `text` contains any secret of the suite, in any form. */
export function assertNoSecret(text: string, where: string): void {
  for (const secret of getSecrets()) assert.ok(!text.includes(secret), `${where} contains a secret (${secret.slice(0, 3)}…)`);
  // The bearer tokens the token service issues are JWTs: `eyJ…` (base64url of `{"`).
  assert.ok(!/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/.test(text), `${where} contains a bearer token`);
}

/** The password the fake credential helper hands out. */
export const HELPER_SECRET = 'Pg-Helper-secret-5Rm2%Yc8';

export function authValue(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}

/** `DOCKER_AUTH_CONFIG` JSON with one `auths` entry per `host → [user, password]`. */
export function dockerAuthConfig(entries: Record<string, readonly [string, string]>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ auths: Object.fromEntries(Object.entries(entries).map(([host, [user, password]]) => [host, { auth: authValue(user, password) }])), ...extra });
}

/** A `$DOCKER_AUTH_CONFIG` source from JSON text, as the runner reads it. */
export function sourceFromJson(json: string): CredentialSource {
  return parseDockerAuthConfigJson(json, { kind: 'project-variable' }, '$DOCKER_AUTH_CONFIG', DEFAULT_SETTINGS);
}

export function actionOptions(overrides: { caFile?: string; timeoutMs?: number; allowHelpers?: boolean; signal?: AbortSignal; env?: NodeJS.ProcessEnv; settings?: Settings } = {}): ActionOptions {
  return {
    registry: { timeoutMs: overrides.timeoutMs ?? 10_000, ...(overrides.caFile ? { caFile: overrides.caFile } : {}) },
    settings: overrides.settings ?? DEFAULT_SETTINGS,
    allowHelpers: overrides.allowHelpers ?? false,
    ...(overrides.signal ? { signal: overrides.signal } : {}),
    ...(overrides.env ? { env: overrides.env } : {}),
  };
}

/**
 * `skopeo inspect --format {{.Digest}}`, run asynchronously (the token server lives in
 * this process and must keep answering). `caFile` makes a `--cert-dir`; without it the
 * local HTTP registries need `--tls-verify=false`.
 */
export function skopeoDigest(image: string, options: { creds?: string; caFile?: string } = {}): Promise<string> {
  let certDir: string | undefined;
  const args = ['inspect', '--format', '{{.Digest}}'];
  if (options.caFile) {
    certDir = mkdtempSync(join(tmpdir(), 'pullguard-skopeo-certs-'));
    copyFileSync(options.caFile, join(certDir, 'ca.crt'));
    args.push('--cert-dir', certDir);
  } else {
    args.push('--tls-verify=false');
  }
  if (options.creds) args.push('--creds', options.creds);
  args.push(`docker://${image}`);
  return new Promise((resolve, reject) => {
    execFile('skopeo', args, { timeout: 30_000, env: { ...process.env, REGISTRY_AUTH_FILE: join(tmpdir(), 'pullguard-no-auth-file.json') } }, (error, stdout, stderr) => {
      if (certDir) rmSync(certDir, { recursive: true, force: true });
      if (error) reject(new Error(`skopeo ${args.join(' ').replace(/--creds \S+/, '--creds ***')} failed: ${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

/**
 * A fake `docker-credential-pgtest` in a fresh folder: every call is recorded in `calls.log`
 * (action and stdin); `list` answers `{serverUrl: user}`; `get` answers `user`/`secret` for
 * `serverUrl` and "credentials not found" (exit 1) otherwise.
 */
export function makeFakeHelper(user: string, serverUrl: string, secret = HELPER_SECRET): { dir: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pullguard-helper-'));
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'calls.log');
  const script = `#!/bin/sh
input=$(cat)
printf '%s %s\\n' "$1" "$input" >> '${log}'
if [ "$1" = list ]; then
  printf '{"%s":"%s"}' '${serverUrl}' '${user}'
  exit 0
fi
if [ "$1" = get ] && [ "$input" = '${serverUrl}' ]; then
  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' '${serverUrl}' '${user}' '${secret}'
  exit 0
fi
echo 'credentials not found in native keychain'
exit 1
`;
  const path = join(dir, 'docker-credential-pgtest');
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return { dir, log };
}

/** Starts the registries once for a test file; `get()` inside tests. */
export function useRegistries(): { get(): TestRegistries; start(): Promise<void>; stop(): Promise<void> } {
  let registries: TestRegistries | undefined;
  return {
    get() {
      if (!registries) throw new Error('the registries did not start');
      return registries;
    },
    async start() {
      registries = await startTestRegistries();
    },
    async stop() {
      await registries?.stop();
    },
  };
}
