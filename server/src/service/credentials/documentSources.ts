/**
 * Where `DOCKER_AUTH_CONFIG` and Docker configs are written in each kind of
 * document, read into credential sources; and the sources of one job in the order
 * the runner reads them (REFERENCE §1.1–§1.2):
 *
 *   1. `$DOCKER_AUTH_CONFIG`: the job's (a `.gitlab-ci.yml` or project CI/CD
 *      variable), which *replaces* the runner's `environment` one — never merged;
 *   2. the runner user's `~/.docker/config.json` (a workspace `config.json` stands in);
 *   3. GitLab's job credentials for its registry and dependency proxy.
 */
import { getValue, perNode, scalarText, type YMap, type YNode, type YScalar } from '../parse/yamlModel';
import type { CiModel } from '../model/ciModel';
import type { RunnerConfigModel, RunnerSection } from '../model/runnerModel';
import type { Settings } from '../settings';
import type { JsonModel } from '../parse/jsonModel';
import { uriToPath } from '../model/workspace';
import { embedTomlEnvironmentValue, embedWholeJson, embedYamlScalar } from './embeddedJson';
import { getJobPayloadSources } from './jobPayload';
import { moveDockerConfigRead, readDockerConfig, type DockerConfigRead } from './sources';
import type { CredentialSource } from './types';

export const AUTH_VARIABLE = 'DOCKER_AUTH_CONFIG';
export const RUNNER_LABEL = '$DOCKER_AUTH_CONFIG';

export interface CiAuthConfig {
  /** The written scalar of the variable's value. */
  readonly node: YScalar;
  /** `undefined` for the global `variables:`. */
  readonly job: string | undefined;
  readonly read: DockerConfigRead;
}

/** Every `DOCKER_AUTH_CONFIG` written in a pipeline: global and per job, where written. */
export function readCiAuthConfigs(model: CiModel, uri: string, settings: Settings): CiAuthConfig[] {
  const found: CiAuthConfig[] = [];
  const fromVariables = (node: YNode | undefined, job: string | undefined) => {
    // Long form `{value: …, expand: false}`: a raw variable is not expanded (§1.1 item 6).
    const valueNode = node?.kind === 'map' ? getValue(node, 'value') : node;
    if (valueNode?.kind !== 'scalar' || typeof valueNode.value !== 'string') return;
    if (found.some((f) => f.node === valueNode)) return;
    const raw = node?.kind === 'map' && scalarText(getValue(node, 'expand')) === 'false';
    const read = readCiAuthConfig(model, valueNode, uri, job, raw, settings);
    found.push({ node: valueNode, job, read });
  };
  fromVariables(model.root && authVariableOf(model.root), undefined);
  for (const job of model.jobs.values()) fromVariables(authVariableOf(job.map), job.name);
  return found;
}

/** The `DOCKER_AUTH_CONFIG` entry of the `variables:` of a job or of the root (asked of every job by every analysis). */
const authVariableOf = perNode((owner: YMap): YNode | undefined => {
  const variables = getValue(owner, 'variables');
  return variables?.kind === 'map' ? getValue(variables, AUTH_VARIABLE) : undefined;
});

/**
 * Reads of pipeline `DOCKER_AUTH_CONFIG` values, by the scalar they were read from. After
 * an edit elsewhere the incremental parse keeps the scalar (same object, same text, the
 * lines around it untouched). If it has not moved either, the read (with its offsets) is
 * still right, and reusing it keeps the credential sources the same objects, so the
 * resolutions made for them on the previous keystroke are found again
 * (`resolveImageCredentials`). If the edit was before it, the read is moved rather than
 * made again: an edit at the top of a 5,000-job pipeline moves every job's
 * configuration, and parsing and checking each one's JSON again cost ~40 ms a keystroke.
 * Only a kept scalar's start can differ: its text and column are those it was read with.
 */
const ciAuthReads = new WeakMap<YScalar, CiAuthRead>();

interface CiAuthRead {
  readonly start: number;
  readonly key: string;
  readonly settings: Settings;
  readonly read: DockerConfigRead;
}

function readCiAuthConfig(model: CiModel, valueNode: YScalar, uri: string, job: string | undefined, raw: boolean, settings: Settings): DockerConfigRead {
  const key = `${uri}\0${job ?? ''}\0${raw}`;
  const cached = ciAuthReads.get(valueNode);
  if (cached && cached.key === key && cached.settings === settings) {
    if (cached.start === valueNode.start) return cached.read;
    const read = moveDockerConfigRead(cached.read, valueNode.start - cached.start, uri);
    ciAuthReads.set(valueNode, { ...cached, start: valueNode.start, read });
    return read;
  }
  const read = readDockerConfig(embedYamlScalar(model.text, valueNode), {
    uri,
    label: RUNNER_LABEL,
    origin: { kind: 'ci-variable', uri, job },
    settings,
    expandsDollars: !raw,
    inRepository: true,
    visibleToJobs: true,
    wholeFile: false,
  });
  ciAuthReads.set(valueNode, { start: valueNode.start, key, settings, read });
  return read;
}

export interface RunnerAuthConfig {
  readonly runner: RunnerSection;
  readonly read: DockerConfigRead;
}

/** The entry the runner uses when one runner lists `DOCKER_AUTH_CONFIG=` twice: the last (§1.1 item 3). */
export function lastPerRunner(configs: readonly RunnerAuthConfig[]): RunnerAuthConfig[] {
  const last = new Map<RunnerSection, RunnerAuthConfig>();
  for (const config of configs) last.set(config.runner, config);
  return configs.filter((config) => last.get(config.runner) === config);
}

/** The `DOCKER_AUTH_CONFIG=` entries of each runner's `environment`. */
export function readRunnerAuthConfigs(config: RunnerConfigModel, uri: string, settings: Settings): RunnerAuthConfig[] {
  const found: RunnerAuthConfig[] = [];
  for (const runner of config.runners) {
    for (const entry of runner.environment) {
      if (entry.name !== AUTH_VARIABLE) continue;
      const read = readDockerConfig(embedTomlEnvironmentValue(config.text, entry.node, AUTH_VARIABLE.length + 1), {
        uri,
        label: RUNNER_LABEL,
        origin: { kind: 'runner-environment', uri, runner: runner.name ?? `#${runner.index + 1}` },
        settings,
        // Every `environment` entry is expanded (§1.1 item 6).
        expandsDollars: true,
        inRepository: true,
        visibleToJobs: true,
        wholeFile: false,
      });
      found.push({ runner, read });
    }
  }
  return found;
}

/** A Docker `config.json` of the workspace, as the runner user's file. */
export function readDockerConfigFile(text: string, uri: string, settings: Settings, model?: JsonModel): DockerConfigRead {
  const path = uriToPath(uri);
  return readDockerConfig(embedWholeJson(text, model), {
    uri,
    label: path,
    origin: { kind: 'docker-config', uri },
    settings,
    expandsDollars: false,
    inRepository: false,
    visibleToJobs: false,
    wholeFile: true,
  });
}

export interface JobSources {
  /** In the runner's order. */
  readonly sources: readonly CredentialSource[];
  /** Facts the resolution cannot show: a project variable whose value is unknown, several runner configs. */
  readonly notes: readonly string[];
  /** True when a source of unknown content comes first, so no verdict is possible. */
  readonly uncertain: boolean;
}

/**
 * The sources of one job.
 * @param jobAuth the job's own effective `DOCKER_AUTH_CONFIG` from the pipeline, if any
 * @param runnerAuth the runners' `environment` ones in the workspace
 * @param dockerConfigs the workspace's `config.json` sources
 */
export function getJobSources(
  jobAuth: CredentialSource | undefined,
  runnerAuth: readonly CredentialSource[],
  dockerConfigs: readonly CredentialSource[],
  settings: Settings,
): JobSources {
  const notes: string[] = [];
  let uncertain = false;
  const sources: CredentialSource[] = [];
  const projectValue = settings.variables[AUTH_VARIABLE];
  if (jobAuth) {
    sources.push(jobAuth);
    if (runnerAuth.length > 0) notes.push('The job\'s `DOCKER_AUTH_CONFIG` replaces the runner\'s `environment` one; the two are never merged.');
  } else if (projectValue !== undefined) {
    // A project CI/CD variable: its content is not in the repository.
    uncertain = true;
    notes.push('`DOCKER_AUTH_CONFIG` is set as a project CI/CD variable (`pullguard.variables`); its content is not visible here, and it replaces the runner\'s.');
  } else if (runnerAuth.length > 0) {
    sources.push(runnerAuth[0]!);
    if (runnerAuth.length > 1) notes.push(`${runnerAuth.length} runners in the workspace set \`DOCKER_AUTH_CONFIG\`; the first is shown. Which runner takes the job depends on its tags.`);
  }
  if (dockerConfigs.length > 0) {
    sources.push(dockerConfigs[0]!);
    if (dockerConfigs.length > 1) notes.push(`${dockerConfigs.length} Docker config files are in the workspace; the first stands in for the runner user's \`~/.docker/config.json\`.`);
  } else {
    notes.push('The runner user\'s `~/.docker/config.json` on the runner host is not visible here; it may supply credentials too.');
  }
  sources.push(...getJobPayloadSources(settings));
  return { sources, notes, uncertain };
}
