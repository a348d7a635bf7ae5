/**
 * What `pullguard pin` and `pullguard check-access` share on the command line: the
 * network flags, the settings from `.pullguard.json`, and the action options.
 *
 * `.pullguard.json` belongs to the repository, so it cannot choose a CA to trust or make
 * Pullguard read the user's own credentials: those come from flags only.
 */
import { resolve as resolvePath } from 'node:path';
import { parseSettings, type Settings } from '../service/settings';
import type { CredentialSource } from '../service/credentials/types';
import type { ActionOptions } from './actions';
import { readUserDockerConfig } from './userConfig';
import { loadProjectSettings, UsageError } from '../cli/projectSettings';

/** `parseArgs` options both commands take. */
export const NETWORK_FLAGS = {
  'timeout-ms': { type: 'string' },
  'ca-file': { type: 'string' },
  'user-docker-config': { type: 'boolean' },
  'no-helpers': { type: 'boolean' },
  'ci-registry': { type: 'string' },
  platform: { type: 'string' },
  hosted: { type: 'boolean' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const NETWORK_USAGE = `  --timeout-ms MS         timeout of each request (default 10000, or .pullguard.json registry.timeoutMs)
  --ca-file FILE          a PEM CA to trust besides the system's (TLS is always verified)
  --user-docker-config    also use your own Docker config ($DOCKER_CONFIG or ~/.docker/config.json)
                          where the files give no Docker config, as the runner user's
  --no-helpers            never run docker-credential-* helpers (they run by default here)
  --ci-registry HOST      the host[:port] that $CI_REGISTRY stands for (default registry.gitlab.com)
  --platform OS           the runner's operating system: linux (default), windows or macos
  --hosted                jobs run on GitLab-hosted runners (no credential helpers)
  --format FORMAT         text (default) or json
  -h, --help              show this help`;

export interface NetworkValues {
  readonly 'timeout-ms'?: string;
  readonly 'ca-file'?: string;
  readonly 'user-docker-config'?: boolean;
  readonly 'no-helpers'?: boolean;
  readonly 'ci-registry'?: string;
  readonly platform?: string;
  readonly hosted?: boolean;
  readonly format?: string;
}

export interface NetworkOptions {
  readonly settings: Settings;
  readonly format: 'text' | 'json';
  readonly action: ActionOptions;
  readonly userConfig: CredentialSource | undefined;
  readonly notes: readonly string[];
}

export function readNetworkOptions(values: NetworkValues, cwd: string, warn: (text: string) => void, signal?: AbortSignal): NetworkOptions {
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got \`${format}\`.`);
  const platform = values.platform;
  if (platform !== undefined && platform !== 'linux' && platform !== 'windows' && platform !== 'macos') throw new UsageError(`--platform must be linux, windows or macos, got \`${platform}\`.`);
  const raw = loadProjectSettings(cwd, warn);
  const runner = { ...(raw.runner as Record<string, unknown> | undefined) };
  if (platform !== undefined) runner.platform = platform;
  if (values.hosted) runner.hosted = true;
  const registry: Record<string, unknown> = { ...(raw.registry as Record<string, unknown> | undefined) };
  if (values['timeout-ms'] !== undefined) {
    const timeout = Number(values['timeout-ms']);
    if (!Number.isInteger(timeout) || timeout < 100 || timeout > 300000) throw new UsageError(`--timeout-ms must be a whole number from 100 to 300000, got \`${values['timeout-ms']}\`.`);
    registry.timeoutMs = timeout;
  }
  if (values['ca-file'] !== undefined) registry.caFile = resolvePath(cwd, values['ca-file']);
  const { settings, problems } = parseSettings({ ...raw, runner, registry, ...(values['ci-registry'] !== undefined ? { ciRegistry: values['ci-registry'] } : {}) });
  if (problems.length > 0) throw new UsageError(problems[0]!.replace(/ The default is used instead\.$/, ''));
  const notes: string[] = [];
  let userConfig: CredentialSource | undefined;
  if (values['user-docker-config']) {
    const read = readUserDockerConfig(settings);
    userConfig = read.source;
    if (read.note) notes.push(read.note);
  }
  return {
    settings,
    format,
    userConfig,
    notes,
    action: {
      registry: { timeoutMs: settings.registry.timeoutMs, ...(settings.registry.caFile ? { caFile: settings.registry.caFile } : {}) },
      settings,
      allowHelpers: !values['no-helpers'],
      ...(signal ? { signal } : {}),
    },
  };
}
