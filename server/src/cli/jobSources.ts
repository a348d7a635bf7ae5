/**
 * The credential sources of one job from files named on the command line, in the runner's
 * order (REFERENCE §1.1–§1.2): the pipeline's `DOCKER_AUTH_CONFIG` (`--file`, for `--job`
 * or the global `variables:`), which replaces the runner's `environment` one
 * (`--runner-config`); the runner user's Docker config (`--docker-config`); the job token.
 * Shared by `pullguard explain` and `pullguard check-access`.
 */
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readTextFile } from '../node/findFiles';
import { AUTH_VARIABLE, getJobSources, readCiAuthConfigs, readDockerConfigFile, readRunnerAuthConfigs } from '../service/credentials/documentSources';
import type { CredentialSource } from '../service/credentials/types';
import { CiAnalysis, parseCiModel } from '../service/model/ciModel';
import { parseRunnerConfig } from '../service/model/runnerModel';
import type { Settings } from '../service/settings';
import { UsageError } from './projectSettings';

/** The files named on the command line, as paths relative to the working folder. */
export interface SourceFiles {
  readonly file?: string;
  readonly job?: string;
  readonly runnerConfig?: string;
  readonly dockerConfig?: string;
}

export interface Gathered {
  readonly sources: readonly CredentialSource[];
  /** What the resolver cannot know about the sources, said after its own notes. */
  readonly notes: readonly string[];
}

function read(path: string, cwd: string): { uri: string; text: string } {
  const absolute = resolvePath(cwd, path);
  const result = readTextFile(absolute);
  if (!result.ok) throw new UsageError(`cannot read ${path}: ${result.reason}.`);
  return { uri: pathToFileURL(absolute).href, text: result.text };
}

/** The pipeline's effective `DOCKER_AUTH_CONFIG` for `job` (or the global one), if it sets one. */
function getPipelineSource(path: string, job: string | undefined, settings: Settings, cwd: string): { source?: CredentialSource; note?: string } {
  const { uri, text } = read(path, cwd);
  const model = parseCiModel(text);
  const written = readCiAuthConfigs(model, uri, settings);
  if (job === undefined) return { source: written.find((c) => c.job === undefined)?.read.source };
  const ciJob = model.jobs.get(job);
  if (!ciJob) throw new UsageError(`${path} has no job \`${job}\`.`);
  // The job's own, one from a template it extends, or the global one, as the runner sees them.
  const definition = new CiAnalysis(model).getEffectiveJob(ciJob).variables.get(AUTH_VARIABLE);
  if (!definition) return {};
  const source = written.find((c) => c.node === definition.node)?.read.source;
  if (source) return { source };
  return { note: `Job \`${job}\` sets \`DOCKER_AUTH_CONFIG\` to a value that is not plain text, so its credentials are unknown here; it still replaces the runner's.` };
}

/** Each runner's `DOCKER_AUTH_CONFIG`: the last entry of its `environment`, as the last definition wins (§1.1). */
function getRunnerSources(path: string, settings: Settings, cwd: string): CredentialSource[] {
  const { uri, text } = read(path, cwd);
  const byRunner = new Map<number, CredentialSource>();
  for (const { runner, read: found } of readRunnerAuthConfigs(parseRunnerConfig(text), uri, settings)) byRunner.set(runner.index, found.source);
  return [...byRunner.values()];
}

export function gatherJobSources(files: SourceFiles, settings: Settings, cwd: string): Gathered {
  const pipeline = files.file !== undefined ? getPipelineSource(files.file, files.job, settings, cwd) : {};
  const runners = files.runnerConfig !== undefined ? getRunnerSources(files.runnerConfig, settings, cwd) : [];
  const dockerConfigs: CredentialSource[] = [];
  if (files.dockerConfig !== undefined) {
    const { uri, text } = read(files.dockerConfig, cwd);
    dockerConfigs.push(readDockerConfigFile(text, uri, settings).source);
  }
  const job = getJobSources(pipeline.source, runners, dockerConfigs, settings);
  if (pipeline.note === undefined) return job;
  // A job value of unknown content replaces the runner's: leave the runner's out.
  return { sources: job.sources.filter((s) => s.origin.kind !== 'runner-environment'), notes: [pipeline.note, ...job.notes] };
}
