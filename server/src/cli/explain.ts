/**
 * `pullguard explain IMAGE` (SPEC §5): the runner's credential lookup for one
 * image, step by step (REFERENCE §1.2–§1.4). Sources, in the runner's order:
 *
 *   1. `$DOCKER_AUTH_CONFIG`: the pipeline's (`--file`, for `--job` or global
 *      `variables:`), which replaces the runner's `environment` entry
 *      (`--runner-config`) when both exist (§1.1);
 *   2. the runner user's Docker config (`--docker-config`);
 *   3. the job token GitLab sends (§1.6).
 *
 * The JSON output is a public interface: `{image, normalized, registryPath,
 * candidates: [{source, key, path}], match: {source, key} | null, anonymous,
 * droppedSources: [{source, reason}], notes}`. No output ever contains a password
 * or token: sources carry usernames and password lengths only.
 */
import { parseArgs } from 'node:util';
import { resolveCredentials } from '../service/credentials/resolve';
import { formatExplanation } from '../service/credentials/explanation';
import type { Resolution } from '../service/credentials/types';
import { parseSettings, type Settings } from '../service/settings';
import type { CommandIo } from './auth';
import { gatherJobSources, type Gathered } from './jobSources';
import { UsageError } from './projectSettings';

const USAGE = `Usage: pullguard explain IMAGE [options]

Shows which credentials a GitLab Runner (Docker executor) uses to pull IMAGE, and why.

Options:
  --file CI_FILE          a .gitlab-ci.yml whose DOCKER_AUTH_CONFIG variable applies
  --job NAME              the job in CI_FILE (default: the global variables)
  --runner-config FILE    a runner config.toml whose environment sets DOCKER_AUTH_CONFIG
  --docker-config FILE    the runner user's ~/.docker/config.json
  --ci-registry HOST      the host[:port] that $CI_REGISTRY stands for (default registry.gitlab.com)
  --platform OS           the runner's operating system: linux (default), windows or macos
  --hosted                jobs run on GitLab-hosted runners (no credential helpers)
  --format FORMAT         text (default) or json
  -h, --help              show this help

Exit status: 0 explained, 2 bad usage or unreadable input.`;


interface Options {
  readonly image: string;
  readonly file?: string;
  readonly job?: string;
  readonly runnerConfig?: string;
  readonly dockerConfig?: string;
  readonly format: 'text' | 'json';
  readonly settings: Settings;
}

function readOptions(argv: readonly string[]): Options | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      file: { type: 'string' },
      job: { type: 'string' },
      'runner-config': { type: 'string' },
      'docker-config': { type: 'string' },
      'ci-registry': { type: 'string' },
      platform: { type: 'string' },
      hosted: { type: 'boolean' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'explain needs an IMAGE.' : 'explain takes one IMAGE.');
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got \`${format}\`.`);
  if (values.job !== undefined && values.file === undefined) throw new UsageError('--job needs --file, the pipeline the job is in.');
  const platform = values.platform ?? 'linux';
  if (platform !== 'linux' && platform !== 'windows' && platform !== 'macos') throw new UsageError(`--platform must be linux, windows or macos, got \`${platform}\`.`);
  const { settings, problems } = parseSettings({
    ...(values['ci-registry'] !== undefined ? { ciRegistry: values['ci-registry'] } : {}),
    runner: { hosted: values.hosted ?? false, platform },
  });
  if (problems.length > 0) throw new UsageError(problems[0]!);
  return {
    image: positionals[0]!,
    file: values.file,
    job: values.job,
    runnerConfig: values['runner-config'],
    dockerConfig: values['docker-config'],
    format,
    settings,
  };
}

/** The public JSON shape (SPEC §5), exactly. */
function formatJson(resolution: Resolution): string {
  return JSON.stringify({
    image: resolution.image,
    normalized: resolution.normalized,
    registryPath: resolution.registryPath,
    candidates: resolution.candidates.map(({ source, key, path }) => ({ source, key, path })),
    match: resolution.match ? { source: resolution.match.source, key: resolution.match.key } : null,
    anonymous: resolution.anonymous,
    droppedSources: resolution.droppedSources.map(({ source, reason }) => ({ source, reason })),
    notes: resolution.notes,
  }, null, 2);
}

/** `pullguard explain …`; `argv` starts after `explain`. */
export async function runExplainCommand(argv: readonly string[], cwd: string, io: CommandIo): Promise<number> {
  let options: Options | 'help';
  let gathered: Gathered;
  try {
    options = readOptions(argv);
    if (options === 'help') {
      io.out(USAGE);
      return 0;
    }
    gathered = gatherJobSources(options, options.settings, cwd);
  } catch (error) {
    io.err(`pullguard: ${error instanceof Error ? error.message : String(error)}`);
    io.err('Run `pullguard explain --help` for usage.');
    return 2;
  }
  const resolved = resolveCredentials(options.image, gathered.sources, options.settings.runner);
  const resolution: Resolution = { ...resolved, notes: [...resolved.notes, ...gathered.notes] };
  io.out(options.format === 'json' ? formatJson(resolution) : formatExplanation(resolution, gathered.sources, options.settings.runner, cwd));
  return 0;
}
