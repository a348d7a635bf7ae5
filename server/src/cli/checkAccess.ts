/**
 * `pullguard check-access IMAGE` (SPEC §3, §5): tries what the runner would — the
 * credentials its lookup picks from the given files (REFERENCE §1.2–§1.4), helpers
 * included — and reports what the registry answered.
 *
 * Exit status: 0 the pull is authorized; 1 the registry refuses it, the image or tag does
 * not exist, the registry cannot be reached, or the runner's credentials cannot be tried
 * here; 2 bad usage or unreadable input. No output contains a password, token or `auth`.
 */
import { parseArgs } from 'node:util';
import { checkAccess, summarizeAccess } from '../registry/actions';
import { formatAccessReport } from '../service/text/accessReport';
import { withUserDockerConfig } from '../registry/credentials';
import { NETWORK_FLAGS, NETWORK_USAGE, readNetworkOptions } from '../registry/cliOptions';
import { gatherJobSources } from './jobSources';
import { UsageError } from './projectSettings';
import type { CommandIo } from './auth';

const USAGE = `Usage: pullguard check-access IMAGE [options]

Asks IMAGE's registry for its manifest with the credentials a GitLab Runner (Docker
executor) would use, and reports what the registry answered. Network: contacts the
registry (and its token service), nothing else.

Credential sources, in the runner's order:
  --file CI_FILE          a .gitlab-ci.yml whose DOCKER_AUTH_CONFIG variable applies
  --job NAME              the job in CI_FILE (default: the global variables)
  --runner-config FILE    a runner config.toml whose environment sets DOCKER_AUTH_CONFIG
  --docker-config FILE    the runner user's ~/.docker/config.json

Options:
${NETWORK_USAGE}

Exit status: 0 authorized, 1 refused, not found, unreachable or not testable, 2 bad usage.`;

/** `pullguard check-access …`; `argv` starts after `check-access`. */
export async function runCheckAccessCommand(argv: readonly string[], cwd: string, io: CommandIo, signal?: AbortSignal): Promise<number> {
  let image: string;
  let options;
  let gathered;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { ...NETWORK_FLAGS, file: { type: 'string' }, job: { type: 'string' }, 'runner-config': { type: 'string' }, 'docker-config': { type: 'string' } },
    });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'check-access needs an IMAGE.' : 'check-access takes one IMAGE.');
    if (values.job !== undefined && values.file === undefined) throw new UsageError('--job needs --file, the pipeline the job is in.');
    image = positionals[0]!;
    options = readNetworkOptions(values, cwd, io.err, signal);
    gathered = gatherJobSources({ file: values.file, job: values.job, runnerConfig: values['runner-config'], dockerConfig: values['docker-config'] }, options.settings, cwd);
  } catch (error) {
    io.err(`pullguard: ${error instanceof Error ? error.message : String(error)}`);
    io.err('Run `pullguard check-access --help` for usage.');
    return 2;
  }
  const withUser = withUserDockerConfig(gathered.sources, options.userConfig);
  const notes = [...gathered.notes, ...options.notes, ...(withUser.note ? [withUser.note] : [])];
  const report = await checkAccess(image, withUser.sources, options.action);
  const result = summarizeAccess(report, notes);
  io.out(options.format === 'json' ? JSON.stringify(result, null, 2) : formatAccessReport(result));
  if (report.outcome === 'invalid-image') return 2;
  return report.outcome === 'authorized' ? 0 : 1;
}
