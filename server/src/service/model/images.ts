/**
 * Every image and service reference of a document, once per place it is written,
 * with what the rules need to check it: its text, a map back to the document,
 * the variables visible where it is used, and the jobs that run with it.
 */
import { getValue, scalarText, type YMap, type YScalar } from '../parse/yamlModel';
import { decodeYamlScalar } from '../parse/yamlScalar';
import { decodeTomlString, type TomlString } from '../parse/tomlModel';
import type { Settings } from '../settings';
import type { SourceMap } from '../text/sourceMap';
import { getPredefinedVariables, type VariableLookup, type VariableOrigin } from '../variables';
import { describeImageOrigin, type CiAnalysis, type EffectiveJob, type ImageOrigin, type ImageUse, type VariableDefinition } from './ciModel';
import type { RunnerConfigModel, RunnerSection } from './runnerModel';
import type { WorkspaceView } from './workspace';

export interface ImageOccurrence {
  readonly role: 'image' | 'service';
  /** The name as written, after YAML/TOML decoding and before variable expansion. */
  readonly text: string;
  /** Offsets in `text` → offsets in the document. */
  readonly map: SourceMap;
  /** The scalar's whole span in the document (quotes included). */
  readonly start: number;
  readonly end: number;
  readonly variables: VariableLookup;
  /** Where it is written, for messages and hovers: "job `build`", "`default:`". */
  readonly place: string;
  /** Where a pipeline image is written; undefined for a runner `config.toml` image. */
  readonly origin: ImageOrigin | undefined;
  /** Jobs that run with it (empty for a template nobody extends). */
  readonly users: readonly string[];
  /** `pull_policy` written next to it (hash form), if any. */
  readonly pullPolicy: readonly string[] | undefined;
  /** Service `alias` written next to it, if any. */
  readonly alias: string | undefined;
  readonly source: 'gitlab-ci' | 'runner-config';
  /** The `[[runners]]` section of a runner `config.toml` image (its index in the file). */
  readonly runnerIndex: number | undefined;
}

type Definition = { readonly value: string | undefined; readonly origin: VariableOrigin };

const UNKNOWN: Definition = { value: undefined, origin: 'unknown' };

/**
 * One source of variables. `jobs` are those that use the image: only the layer of their
 * own variables (JOB_VARIABLES) reads them; a Map of names is a layer as it is.
 */
type Layer = { get(name: string, jobs: readonly EffectiveJob[]): Definition | undefined };

/** The variables of the jobs that use an image, each name from the first job that has it (a job's hold the global ones it inherits). */
const JOB_VARIABLES: Layer = {
  get(name, jobs) {
    for (const job of jobs) {
      const definition = job.variables.get(name);
      if (definition) return literalOf(definition);
    }
    return undefined;
  },
};

/** A name a job's script assigns: set at run time, its value unknown here. */
const SCRIPT: Definition = { value: undefined, origin: 'script' };

/**
 * The variables visible where an image is used: its layers in precedence order (the
 * first that defines a name wins), then the names its jobs' scripts assign.
 *
 * One object per image over layers many images share, not closures per image: a
 * 5,000-job pipeline has ~7,000 images, and three closures each (with their contexts and
 * a list of layers) made the heap after its analysis 2.9 MiB larger (64.1 against 61.2
 * MiB; bench/README.md, session 13). The jobs' variables are looked up only when the
 * image names a variable: most never do, and a template's image has thousands of users.
 */
class ImageVariables implements VariableLookup {
  constructor(
    private readonly layers: readonly Layer[],
    private readonly jobs: readonly EffectiveJob[] = [],
    /** A file Pullguard cannot read may define any other name. */
    private readonly elsewhere = false,
  ) {}

  get(name: string): Definition | undefined {
    for (const layer of this.layers) {
      const definition = layer.get(name, this.jobs);
      if (definition) return definition;
    }
    if (this.jobs.some((job) => job.scriptAssignments.has(name))) return SCRIPT;
    return this.elsewhere ? UNKNOWN : undefined;
  }
}

function literal(value: string | undefined): Definition {
  // A value that uses other variables is only known at run time.
  return value === undefined || value.includes('$') ? UNKNOWN : { value, origin: 'literal' };
}

/**
 * The lookup entry of a written variable, made once per definition: thousands of jobs
 * share the global ones (a `DOCKER_AUTH_CONFIG` among them, whose JSON would be
 * scanned for `$` once per job).
 */
const literals = new WeakMap<VariableDefinition, Definition>();
function literalOf(definition: VariableDefinition): Definition {
  let found = literals.get(definition);
  if (!found) literals.set(definition, (found = literal(definition.value)));
  return found;
}

/** Variables every document sees: the project's CI/CD settings and GitLab's predefined ones. */
function baseLayers(settings: Settings): [project: Map<string, Definition>, predefined: Map<string, Definition>] {
  const project = new Map<string, Definition>();
  for (const [name, value] of Object.entries(settings.variables)) {
    project.set(name, value === '*' ? { value: undefined, origin: 'unknown' } : literal(value));
  }
  const predefined = new Map<string, Definition>();
  for (const [name, value] of getPredefinedVariables(settings)) predefined.set(name, { value, origin: 'predefined' });
  return [project, predefined];
}

function runnerEnvironment(runners: readonly RunnerSection[]): Map<string, Definition> {
  const layer = new Map<string, Definition>();
  for (const runner of runners) {
    for (const entry of runner.environment) if (entry.name && !layer.has(entry.name)) layer.set(entry.name, literal(entry.value));
  }
  return layer;
}

function stringsOf(map: YMap | undefined, key: string): string[] | undefined {
  if (!map) return undefined;
  const node = getValue(map, key);
  if (node?.kind === 'scalar') return scalarText(node) === undefined ? undefined : [scalarText(node)!];
  if (node?.kind === 'seq') return node.items.map((item) => scalarText(item)).filter((s): s is string => s !== undefined);
  return undefined;
}

/**
 * Image and service references of a `.gitlab-ci.yml`, written in this document: one
 * that a job takes from an included file is that file's, checked when it is analysed.
 */
export function collectCiImages(analysis: CiAnalysis, settings: Settings, workspace: WorkspaceView): ImageOccurrence[] {
  const { model } = analysis;
  const [project, predefined] = baseLayers(settings);
  const runners = runnerEnvironment(workspace.runnerConfigs.flatMap((config) => config.model.runners));
  const globals = new Map<string, Definition>();
  for (const [name, definition] of analysis.globalVariables) globals.set(name, literalOf(definition));
  // An image with users reads their variables (which hold the global ones they inherit: `inherit: variables`); one without reads the global ones.
  const withJobs: Layer[] = [project, JOB_VARIABLES, runners, predefined];
  const withoutJobs: Layer[] = [project, globals, runners, predefined];

  // Each written scalar once, with every job that uses it.
  interface Collected { use: ImageUse; users: string[]; effectives: EffectiveJob[]; elsewhere: boolean }
  const byNode = new Map<YScalar, Collected>();
  const add = (use: ImageUse | undefined, jobName: string | undefined, effective: EffectiveJob | undefined) => {
    if (!use || use.origin.file) return;
    let collected = byNode.get(use.name);
    if (!collected) {
      collected = { use, users: [], effectives: [], elsewhere: analysis.hasUnknownContext };
      byNode.set(use.name, collected);
    }
    // Jobs come one after the other: a job naming the scalar twice is the last user.
    if (jobName !== undefined && collected.users.at(-1) !== jobName) collected.users.push(jobName);
    if (effective) {
      collected.effectives.push(effective);
      if (effective.unknown.variables) collected.elsewhere = true;
    }
  };

  for (const job of analysis.jobsInScope()) {
    const effective = analysis.getEffectiveJob(job);
    // Hidden jobs never run, but their text is checked where it is written.
    const user = job.hidden ? undefined : job.name;
    add(effective.image, user, effective);
    for (const service of effective.services) add(service, user, effective);
  }
  // `default:` and top-level images, even when no job uses them.
  const defaults = model.defaultMap;
  for (const [map, kind] of [[defaults, 'default'], [model.root, 'top-level']] as const) {
    if (!map) continue;
    const image = getValue(map, 'image');
    const imageName = image?.kind === 'map' ? getValue(image, 'name') : image;
    if (imageName?.kind === 'scalar') add({ role: 'image', name: imageName, hash: image?.kind === 'map' ? image : undefined, origin: { kind } }, undefined, undefined);
    const services = getValue(map, 'services');
    for (const item of services?.kind === 'seq' ? services.items : []) {
      const name = item.kind === 'map' ? getValue(item, 'name') : item;
      if (name?.kind === 'scalar') add({ role: 'service', name, hash: item.kind === 'map' ? item : undefined, origin: { kind } }, undefined, undefined);
    }
  }

  const occurrences: ImageOccurrence[] = [];
  for (const { use, users, effectives, elsewhere } of byNode.values()) {
    const decoded = decodeYamlScalar(model.text, use.name);
    occurrences.push({
      role: use.role,
      text: decoded.value,
      map: decoded.map,
      start: use.name.start,
      end: use.name.end,
      variables: new ImageVariables(effectives.length > 0 ? withJobs : withoutJobs, effectives, elsewhere),
      place: describeImageOrigin(use.origin),
      origin: use.origin,
      users,
      pullPolicy: stringsOf(use.hash, 'pull_policy'),
      alias: use.role === 'service' && use.hash ? scalarText(getValue(use.hash, 'alias')) : undefined,
      source: 'gitlab-ci',
      runnerIndex: undefined,
    });
  }
  return occurrences.sort((a, b) => a.start - b.start);
}

/** Image and service references of a runner `config.toml`. */
export function collectRunnerImages(config: RunnerConfigModel, settings: Settings): ImageOccurrence[] {
  const [project, predefined] = baseLayers(settings);
  const occurrences: ImageOccurrence[] = [];
  for (const runner of config.runners) {
    const variables = new ImageVariables([project, runnerEnvironment([runner]), predefined]);
    const place = runner.name ? `runner \`${runner.name}\`` : `runner #${runner.index + 1}`;
    const addString = (node: TomlString, role: 'image' | 'service', alias?: string) => {
      const decoded = decodeTomlString(config.text, node);
      occurrences.push({
        role,
        text: decoded.value,
        map: decoded.map,
        start: node.range[0],
        end: node.range[1],
        variables,
        place,
        users: [],
        pullPolicy: runner.pullPolicy.length > 0 ? runner.pullPolicy.map((p) => p.value) : undefined,
        alias,
        source: 'runner-config',
        origin: undefined,
        runnerIndex: runner.index,
      });
    };
    if (runner.dockerImage) addString(runner.dockerImage, 'image');
    for (const service of runner.services) if (service.name) addString(service.name, 'service', service.alias?.value);
    for (const service of runner.servicesAsStrings) addString(service, 'service');
  }
  return occurrences;
}
