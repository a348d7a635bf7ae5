/**
 * The credential side of one document's analysis: the Docker configs written in it
 * (their findings and key places), and for each image the runner's credential
 * lookup in the context of the job that pulls it.
 */
import type { Finding } from '../finding';
import type { CiAnalysis, IncludedFile } from '../model/ciModel';
import type { ImageOccurrence } from '../model/images';
import type { RunnerConfigModel } from '../model/runnerModel';
import type { WorkspaceView } from '../model/workspace';
import type { JsonModel } from '../parse/jsonModel';
import { checkImageCredentials, getPullName, resolveImageCredentials, type ImageCredentials } from '../rules/auth';
import type { Settings } from '../settings';
import { getJobSources, lastPerRunner, readCiAuthConfigs, readDockerConfigFile, readRunnerAuthConfigs, type CiAuthConfig } from './documentSources';
import type { DockerConfigRead, KeyPlace } from './sources';
import type { CredentialSource } from './types';

export interface CredentialAnalysis {
  readonly findings: readonly Finding[];
  /** Keys of `auths`, `credHelpers` and `credsStore` written in the document, for hovers. */
  readonly keys: readonly KeyPlace[];
  /** The runner's lookup for each image of the document. */
  readonly images: ReadonlyMap<ImageOccurrence, ImageCredentials>;
  /** The reads of the document's own `DOCKER_AUTH_CONFIG` values (a pipeline's). */
  readonly configReads?: readonly DockerConfigRead[];
}

type SharedSources = { readonly runner: CredentialSource[]; readonly docker: CredentialSource[] };

/**
 * The workspace's sources depend only on the view and the settings, both immutable
 * objects; an edit of a pipeline reuses them instead of reading every runner's and
 * Docker config's JSON again on each keystroke.
 */
const sharedSourcesCache = new WeakMap<WorkspaceView, WeakMap<Settings, SharedSources>>();

/** Sources the workspace offers every job: the runners' `DOCKER_AUTH_CONFIG` and the `config.json` files. */
function workspaceSources(workspace: WorkspaceView, settings: Settings): SharedSources {
  let bySettings = sharedSourcesCache.get(workspace);
  if (!bySettings) sharedSourcesCache.set(workspace, (bySettings = new WeakMap()));
  const cached = bySettings.get(settings);
  if (cached) return cached;
  const sources: SharedSources = {
    runner: workspace.runnerConfigs.flatMap((config) => lastPerRunner(readRunnerAuthConfigs(config.model, config.uri, settings)).map((found) => found.read.source)),
    docker: workspace.dockerConfigs.map((config) => readDockerConfigFile(config.text, config.uri, settings).source),
  };
  bySettings.set(settings, sources);
  return sources;
}

/** `compute`, once per key: the images of a document share a few lists of sources. */
function memoized<K, V>(compute: (key: K) => V): (key: K) => V {
  const values = new Map<K, V>();
  return (key) => {
    if (!values.has(key)) values.set(key, compute(key));
    return values.get(key)!;
  };
}

/** The runner's lookup for an image with the sources of its job; undefined when a variable hides its registry. */
function resolveImage(image: ImageOccurrence, sourcesOf: (image: ImageOccurrence) => ReturnType<typeof getJobSources>, settings: Settings): ImageCredentials | undefined {
  const pull = getPullName(image);
  if (!pull) return undefined;
  const { sources, notes, uncertain } = sourcesOf(image);
  return { resolution: resolveImageCredentials(pull.name, sources, settings), sources, uncertain, notes };
}

function resolveAll(images: readonly ImageOccurrence[], sourcesOf: (image: ImageOccurrence) => ReturnType<typeof getJobSources>, settings: Settings) {
  const findings: Finding[] = [];
  const results = new Map<ImageOccurrence, ImageCredentials>();
  for (const image of images) {
    const credentials = resolveImage(image, sourcesOf, settings);
    if (!credentials) continue;
    results.set(image, credentials);
    findings.push(...checkImageCredentials(image, credentials, settings));
  }
  return { findings, results };
}

export function analyzeCiCredentials(ci: CiAnalysis, uri: string, images: readonly ImageOccurrence[], settings: Settings, workspace: WorkspaceView): CredentialAnalysis {
  const configs = readCiAuthConfigs(ci.model, uri, settings);
  const findings: Finding[] = configs.flatMap((config) => config.read.findings);
  const shared = workspaceSources(workspace, settings);
  if (shared.runner.length > 0) {
    for (const config of configs) {
      findings.push({
        code: 'auth/job-replaces-runner',
        offset: config.node.start,
        length: Math.max(1, config.node.end - config.node.start),
        message: `This \`DOCKER_AUTH_CONFIG\` replaces the one in the runner's \`config.toml\` \`environment\` for ${config.job ? `job \`${config.job}\`` : 'every job'}: the runner uses one or the other, never both, so registries only the runner's lists lose their credentials.`,
      });
    }
  }
  /** Each included file's configs, read on first use; their findings are reported in that file. */
  const includedConfigs = new Map<IncludedFile, CiAuthConfig[]>();
  const configsOf = (file: IncludedFile | undefined): readonly CiAuthConfig[] => {
    if (!file) return configs;
    let found = includedConfigs.get(file);
    if (!found) includedConfigs.set(file, (found = readCiAuthConfigs(file.model, file.uri, settings)));
    return found;
  };
  /**
   * The job's own effective `DOCKER_AUTH_CONFIG` (its variables, else the global ones),
   * wherever it is written: GitLab merges the variables of `include: local` files and
   * templates before the runner sees the job (REFERENCE §3.2).
   */
  const jobAuth = (jobName: string | undefined): CiAuthConfig | undefined => {
    const job = jobName === undefined ? undefined : ci.model.jobs.get(jobName);
    const definition = job ? ci.getEffectiveJob(job).variables.get('DOCKER_AUTH_CONFIG') : ci.globalVariables.get('DOCKER_AUTH_CONFIG');
    const node = definition?.node;
    if (!node) return undefined;
    const candidates = configsOf(ci.fileOf(node));
    if (node.kind === 'scalar') return candidates.find((config) => config.node === node);
    return candidates.find((config) => config.node.start >= node.start && config.node.end <= node.end);
  };
  // One list of sources per job credential: the images of thousands of jobs share a few.
  const sourcesWith = memoized((auth: CredentialSource | undefined) => getJobSources(auth, shared.runner, shared.docker, settings));
  const sourcesOf = (image: ImageOccurrence) => sourcesWith(jobAuth(image.users[0])?.read.source);
  const resolved = resolveAll(images, sourcesOf, settings);
  findings.push(...resolved.findings);
  return {
    findings,
    keys: configs.flatMap((config) => config.read.keys),
    images: resolved.results,
    configReads: configs.map((config) => config.read),
  };
}

export function analyzeRunnerCredentials(config: RunnerConfigModel, uri: string, images: readonly ImageOccurrence[], settings: Settings, workspace: WorkspaceView): CredentialAnalysis {
  const configs = readRunnerAuthConfigs(config, uri, settings);
  const findings: Finding[] = configs.flatMap((found) => found.read.findings);
  for (const runner of config.runners) {
    for (const entry of runner.environment) {
      if (entry.name !== undefined) continue;
      const [start, end] = entry.node.range;
      // Named by its leading variable-like part only: the rest may be a credential (`DOCKER_AUTH_CONFIG{"auths": …}`).
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(entry.value || entry.node.value)?.[0];
      const which = name ? `The \`environment\` entry \`${name}…\`` : 'This `environment` entry';
      findings.push({ code: 'auth/environment-entry', offset: start, length: end - start, message: `${which} has no \`=\`: the runner silently drops \`environment\` entries that are not \`NAME=value\`, so this one has no effect.` });
    }
  }
  const docker = workspaceSources(workspace, settings).docker;
  // Each runner's own `DOCKER_AUTH_CONFIG`, by its index in the file: a config.toml may hold hundreds of runners.
  const ownByRunner = new Map(lastPerRunner(configs).map((found) => [found.runner.index, found.read.source]));
  const sourcesOfRunner = memoized((runnerIndex: number | undefined) => {
    const own = runnerIndex === undefined ? undefined : ownByRunner.get(runnerIndex);
    return getJobSources(undefined, own ? [own] : [], docker, settings);
  });
  const resolved = resolveAll(images, (image) => sourcesOfRunner(image.runnerIndex), settings);
  findings.push(...resolved.findings);
  return { findings, keys: configs.flatMap((found) => found.read.keys), images: resolved.results };
}

export function analyzeDockerConfigCredentials(text: string, uri: string, json: JsonModel, settings: Settings): CredentialAnalysis {
  const read = readDockerConfigFile(text, uri, settings, json);
  return { findings: read.findings, keys: read.keys, images: new Map() };
}
