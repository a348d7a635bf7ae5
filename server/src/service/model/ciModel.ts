/**
 * What a `.gitlab-ci.yml` means for images: its jobs, `default:`, global
 * variables, includes, and each job's effective image and services after
 * `extends`, anchors, `!reference`, `default:` and `inherit:` (REFERENCE §3.1, §3.2).
 *
 * A document's `include: local` files that are in the workspace are merged in as
 * GitLab merges them (model/includes.ts builds the `IncludedConfig`): their jobs,
 * templates, `default:` and `variables:` take part in `extends`, `!reference` and
 * inheritance, and the including file's keys win. Nodes of an included file keep
 * the offsets of that file: `fileOf` tells them apart, and no rule reports them here.
 *
 * Where the file cannot tell (a template or `default:` that may come from an
 * `include:` Pullguard cannot read, a `!reference` to a job defined elsewhere), the
 * effective job says so instead of guessing: rules stay silent on what is unknown.
 */
import {
  getKeys,
  getOwnPair,
  getValue,
  getYamlModelEdit,
  isNullNode,
  parseYamlModel,
  scalarText,
  updateYamlModel,
  type YamlParseOptions,
  type YMap,
  type YNode,
  type YScalar,
  type YamlModel,
} from '../parse/yamlModel';

/** Top-level keys that are not jobs (GitLab CI YAML reference). */
const GLOBAL_KEYWORDS = new Set([
  'default', 'include', 'stages', 'variables', 'workflow', 'image', 'services', 'cache',
  'before_script', 'after_script', 'types', 'spec',
]);

/**
 * GitLab allows 11 levels of `extends` (GL-OPT): an entry with more than 10
 * ancestors that extends again fails the pipeline (`nesting too deep in extends`).
 */
export const MAX_EXTENDS_DEPTH = 11;
/** Chains are followed this far at most; anything deeper is invalid for GitLab anyway. */
const MAX_EXTENDS_RECURSION = 64;
/** GitLab allows `!reference` to nest 10 levels. */
const MAX_REFERENCE_DEPTH = 10;

export interface CiJob {
  readonly name: string;
  readonly key: YScalar;
  readonly map: YMap;
  /** Hidden jobs (`.name`) are templates; they never run. */
  readonly hidden: boolean;
}

export interface LocalInclude {
  readonly path: string;
  readonly node: YScalar;
}

/** One `include:` entry; only `local` ones can be in the workspace. */
export interface CiInclude {
  readonly kind: 'local' | 'remote' | 'project' | 'template' | 'component';
  /** The file, URL, project, template or component named. */
  readonly target: string;
  readonly node: YNode;
  /** It has `rules:`: GitLab includes it only when they match, which depends on the pipeline's variables. */
  readonly conditional: boolean;
}

/** A pipeline file of the workspace that a document includes (`include: local`). */
export interface IncludedFile {
  readonly uri: string;
  /** Slash-separated absolute path. */
  readonly path: string;
  /** The path from its workspace folder, for messages: `ci/templates.yml`. */
  readonly name: string;
  /** Its text, without parsing it; empty when `readable` is false. */
  readonly text: string;
  /** Its parse; that of an empty file when `readable` is false. */
  readonly model: CiModel;
  /**
   * False for a file on disk whose text, read only when something first needed it, could
   * not be read then (gone, binary, too large): an include naming it is left unread, as
   * one naming no file is.
   */
  readonly readable: boolean;
}

/**
 * Where an image or service in a job's effective configuration is written;
 * `file` is set when that is an included file, not the document analysed.
 */
export type ImageOrigin =
  | { readonly kind: 'job'; readonly job: string; readonly file?: IncludedFile }
  | { readonly kind: 'template'; readonly job: string; readonly file?: IncludedFile }
  | { readonly kind: 'default'; readonly file?: IncludedFile }
  | { readonly kind: 'top-level'; readonly file?: IncludedFile };

/** Where an image is written, for messages and hovers: "job `build`", "`default:`", "template `.t` in `ci/a.yml`". */
export function describeImageOrigin(origin: ImageOrigin): string {
  const where = origin.kind === 'job' ? `job \`${origin.job}\``
    : origin.kind === 'template' ? `template \`${origin.job}\``
      : origin.kind === 'default' ? '`default:`'
        : 'the top level';
  return origin.file ? `${where} in \`${origin.file.name}\`` : where;
}

export interface ImageUse {
  readonly role: 'image' | 'service';
  /** The scalar the name is written in. */
  readonly name: YScalar;
  /** The hash (`{name: …, alias: …}`) around it, for the hash form. */
  readonly hash?: YMap;
  readonly origin: ImageOrigin;
}

export interface VariableDefinition {
  readonly name: string;
  /** The literal value, when it is a plain value without other variables. */
  readonly value: string | undefined;
  readonly node: YNode | undefined;
}

/** Why GitLab will refuse a job's `extends` (lib/gitlab/ci/config/extendable/entry.rb). */
export interface ExtendsProblem {
  readonly kind: 'unknown-template' | 'cycle' | 'too-deep';
  /** The job or template whose `extends` is at fault. */
  readonly job: string;
  /** The template it names (for `too-deep`, the first of the chain). */
  readonly template: string;
  /** For `too-deep`: how many levels the chain has (at least). */
  readonly levels?: number;
}

/** What the effective configuration cannot know, because it may be set in a file Pullguard cannot read. */
export interface JobUnknowns {
  readonly image: boolean;
  readonly services: boolean;
  readonly variables: boolean;
}

export interface EffectiveJob {
  readonly job: CiJob;
  readonly image: ImageUse | undefined;
  readonly services: readonly ImageUse[];
  /** Variables the runner sees for this job: global (unless not inherited), then the job's. */
  readonly variables: ReadonlyMap<string, VariableDefinition>;
  /** Names assigned inside `script`/`before_script`/`after_script`. */
  readonly scriptAssignments: ReadonlySet<string>;
  /** Templates merged in through `extends`, nearest first. */
  readonly extendsChain: readonly string[];
  /** Templates named by `extends` that are not in this file but may come from an `include:`. */
  readonly externalTemplates: readonly string[];
  /** Cycles, unknown templates, chains over 11 levels: GitLab rejects the pipeline. */
  readonly extendsProblems: readonly ExtendsProblem[];
  /** What may be set where Pullguard cannot read; `image`/`services` above are then only what this file says. */
  readonly unknown: JobUnknowns;
  /** `image: docker: user:` after merging, if set and written in this document (not in an included file). */
  readonly imageUser: YScalar | undefined;
  /** The effective `image` is a hash without `name` (GitLab rejects the job). */
  readonly imageWithoutName: boolean;
  /** A `trigger:` job starts another pipeline and runs in no container. */
  readonly isTrigger: boolean;
}

export interface CiModel {
  readonly yaml: YamlModel;
  readonly text: string;
  readonly root: YMap | undefined;
  readonly jobs: ReadonlyMap<string, CiJob>;
  readonly defaultMap: YMap | undefined;
  readonly globalVariables: ReadonlyMap<string, VariableDefinition>;
  readonly localIncludes: readonly LocalInclude[];
  /** Every `include:` entry, local or not. */
  readonly includes: readonly CiInclude[];
}

/**
 * What a document's included files bring, in GitLab's merge order: every included
 * file before the file that includes it, the document itself last (and winning).
 */
export interface IncludedConfig {
  /** The included files read from the workspace, in merge order. */
  readonly files: readonly IncludedFile[];
  /** Jobs and templates of the included files: each name's definitions in merge order. */
  readonly jobs: ReadonlyMap<string, readonly CiJob[]>;
  /** Their `default:` maps, in merge order. */
  readonly defaults: readonly YMap[];
  /** Their global `variables:`, merged (a later file's value wins). */
  readonly globalVariables: ReadonlyMap<string, VariableDefinition>;
  /** Their top-level maps, in merge order (deprecated top-level `image`/`services`). */
  readonly roots: readonly YMap[];
  /** `include:` entries, here or in an included file, whose content Pullguard cannot read. */
  readonly unread: readonly CiInclude[];
  /**
   * Read `include: local` entries with `rules:`: their content is used (a job may extend
   * their templates), but whether it applies is decided when the pipeline is created.
   */
  readonly conditional: readonly CiInclude[];
  /** Another pipeline of the workspace includes this document: its keys apply here too. */
  readonly includedElsewhere: boolean;
}

// ---- Building the model ------------------------------------------------------

/**
 * @param previous the model of an earlier version of the same file, to re-parse only
 *   the top-level entries the edit touches (it is consumed: see `updateYamlModel`)
 */
export function parseCiModel(text: string, previous?: CiModel, options?: YamlParseOptions): CiModel {
  const yaml = previous ? updateYamlModel(previous.yaml, text, options) : parseYamlModel(text, options);
  const root = yaml.root?.kind === 'map' ? yaml.root : undefined;
  const { jobs, defaultMap } = (previous && editedEntries(previous, yaml)) ?? readEntries(root);
  let globalVariables: ReadonlyMap<string, VariableDefinition> = new Map();
  const includes: CiInclude[] = [];
  if (root) {
    const variables = getValue(root, 'variables');
    if (variables?.kind === 'map') globalVariables = readVariables(variables);
    collectIncludes(getValue(root, 'include'), includes);
  }
  const localIncludes = includes
    .filter((include): include is CiInclude & { node: YScalar } => include.kind === 'local' && include.node.kind === 'scalar')
    .map((include) => ({ path: include.target, node: include.node }));
  return { yaml, text, root, jobs, defaultMap, globalVariables, localIncludes, includes };
}

/** The jobs and the `default:` map of a pipeline's top-level entries. */
interface CiEntries {
  readonly jobs: ReadonlyMap<string, CiJob>;
  readonly defaultMap: YMap | undefined;
}

function readEntries(root: YMap | undefined): CiEntries {
  const jobs = new Map<string, CiJob>();
  let defaultMap: YMap | undefined;
  for (const pair of root?.pairs ?? []) {
    const name = scalarText(pair.key);
    if (name === undefined) continue;
    if (GLOBAL_KEYWORDS.has(name)) {
      if (name === 'default' && pair.value?.kind === 'map') defaultMap = pair.value;
      continue;
    }
    if (pair.value?.kind === 'map') jobs.set(name, toJob(name, pair.key, pair.value));
  }
  return { jobs, defaultMap };
}

/** A top-level entry that is a job, or a template when hidden (its name starts with `.`). */
function toJob(name: string, key: YScalar, map: YMap): CiJob {
  return { name, key, map, hidden: name.startsWith('.') };
}

/**
 * The entries of `yaml`, an incremental update of `previous.yaml` that replaced some jobs
 * by jobs of the same names: the previous jobs with those replaced, in the same order,
 * and the same `default:` (its node kept, moved). Undefined for any other edit (the
 * caller reads every entry). An edit of one job in a pipeline of thousands then costs a
 * copy of the map, not a walk of every entry.
 */
function editedEntries(previous: CiModel, yaml: YamlModel): CiEntries | undefined {
  const edit = yaml === previous.yaml ? undefined : getYamlModelEdit(yaml);
  if (!edit || edit.removed.pairs.length !== edit.added.pairs.length) return undefined;
  const jobs = new Map(previous.jobs);
  for (let i = 0; i < edit.added.pairs.length; i++) {
    const removed = edit.removed.pairs[i]!;
    const added = edit.added.pairs[i]!;
    const name = scalarText(added.key);
    if (name === undefined || GLOBAL_KEYWORDS.has(name) || scalarText(removed.key) !== name || added.value?.kind !== 'map') return undefined;
    // The replaced entry was the job of that name (not one a later entry of the same name
    // shadows, nor an entry without a value, which was no job).
    const before = previous.jobs.get(name);
    if (!before || before.map !== removed.value) return undefined;
    jobs.set(name, toJob(name, added.key, added.value));
  }
  return { jobs, defaultMap: previous.defaultMap };
}

const INCLUDE_KINDS = ['local', 'remote', 'project', 'template', 'component'] as const;

function collectIncludes(node: YNode | undefined, into: CiInclude[]): void {
  if (!node) return;
  if (node.kind === 'scalar') {
    // A bare string include is local unless it is a URL.
    const target = scalarText(node);
    if (target) into.push({ kind: /^https?:\/\//.test(target) ? 'remote' : 'local', target, node, conditional: false });
  } else if (node.kind === 'seq') {
    for (const item of node.items) collectIncludes(item, into);
  } else {
    for (const kind of INCLUDE_KINDS) {
      const value = getValue(node, kind);
      if (value === undefined) continue;
      const target = scalarText(value) ?? '';
      const conditional = getValue(node, 'rules') !== undefined;
      into.push({ kind, target, node: value.kind === 'scalar' && kind === 'local' ? value : node, conditional });
      return;
    }
  }
}

function readVariables(map: YMap): Map<string, VariableDefinition> {
  const variables = new Map<string, VariableDefinition>();
  for (const name of getKeys(map)) {
    const node = getValue(map, name);
    // `NAME: {value: …, description: …}` is the long form.
    const valueNode = node?.kind === 'map' ? getValue(node, 'value') : node;
    const value = scalarText(valueNode) ?? (isNullNode(valueNode) ? '' : undefined);
    variables.set(name, { name, value, node });
  }
  return variables;
}

// ---- Effective configuration (extends, default, inherit) --------------------

/** A merged view of maps from several places; leaves stay the written nodes. */
interface MergedMap {
  readonly kind: 'merged';
  readonly entries: Map<string, MergedValue>;
  /** Keys whose value may be other than `entries` says: set by a template or `!reference` Pullguard cannot read. */
  readonly uncertain: ReadonlySet<string>;
  /** Keys absent from `entries` may still be set where Pullguard cannot read. */
  readonly open: boolean;
}
type MergedValue = YNode | MergedMap;

const NOTHING: ReadonlySet<string> = new Set();
/** A template from a file Pullguard cannot read: it may set anything. */
const UNKNOWN_TEMPLATE: MergedMap = { kind: 'merged', entries: new Map(), uncertain: NOTHING, open: true };

function isUncertain(map: MergedMap, key: string): boolean {
  return map.uncertain.has(key) || (map.open && !map.entries.has(key));
}

function isMapLike(value: MergedValue | undefined): value is YMap | MergedMap {
  return value?.kind === 'map' || value?.kind === 'merged';
}

function extendsNames(value: MergedValue | undefined): string[] {
  if (!value || value.kind === 'merged' || value.kind === 'map') return [];
  if (value.kind === 'scalar') return scalarText(value) ? [scalarText(value)!] : [];
  return value.items.map((item) => scalarText(item)).filter((name): name is string => name !== undefined);
}

interface ExtendedJob {
  readonly config: MergedMap;
  /** Templates merged in, nearest first, each once. */
  readonly chain: readonly string[];
  readonly external: readonly string[];
  readonly problems: readonly ExtendsProblem[];
  /** The longest chain of `extends` hops below this entry. */
  readonly height: number;
}

/** `inherit:default` / `inherit:variables`: `true`, `false`, or a list of names (GL-YAML §inherit). */
function inheritSetting(config: MergedMap, section: 'default' | 'variables'): MergedValue | undefined {
  const inherit = config.entries.get('inherit');
  if (inherit?.kind === 'merged') return inherit.entries.get(section);
  return inherit?.kind === 'map' ? getValue(inherit, section) : undefined;
}

function inherits(config: MergedMap, section: 'default' | 'variables', name: string): boolean {
  const setting = inheritSetting(config, section);
  if (!setting) return true;
  if (setting.kind === 'scalar') return setting.value !== false;
  if (setting.kind === 'seq') return setting.items.some((item) => scalarText(item) === name);
  return true;
}

function isNullValue(value: MergedValue | undefined): boolean {
  return value?.kind === 'scalar' && value.value === null;
}

export class CiAnalysis {
  private readonly extended = new Map<string, ExtendedJob>();
  private readonly effective = new Map<string, EffectiveJob>();
  private readonly mergedMaps = new WeakMap<YMap, MergedMap>();
  private defaults: MergedMap | undefined | null = null;
  private mergedGlobals: ReadonlyMap<string, VariableDefinition> | undefined;

  /**
   * @param model this document
   * @param included what its `include: local` files in the workspace bring; without it,
   *   every `include:` is unread and what it may set is unknown
   * @param scope the jobs the per-job checks look at; all of them when undefined. An
   *   incremental re-analysis checks only the jobs an edit touched (`service/incremental.ts`).
   */
  constructor(readonly model: CiModel, readonly included?: IncludedConfig, readonly scope?: ReadonlySet<string>) {}

  /** The jobs and templates the per-job checks look at: every one of the document, or the scope's. */
  *jobsInScope(): Iterable<CiJob> {
    if (!this.scope) {
      yield* this.model.jobs.values();
      return;
    }
    for (const name of this.scope) {
      const job = this.model.jobs.get(name);
      if (job) yield job;
    }
  }

  /** `include:` entries, here or in the included files, whose content Pullguard cannot read. */
  get unreadIncludes(): readonly CiInclude[] {
    return this.included ? this.included.unread : this.model.includes;
  }

  /** Read `include:` entries with `rules:`, whose content may or may not apply. */
  get conditionalIncludes(): readonly CiInclude[] {
    return this.included?.conditional ?? [];
  }

  /** Another pipeline of the workspace includes this document: its `default:`, variables and templates apply here too. */
  get includedElsewhere(): boolean {
    return this.included?.includedElsewhere ?? false;
  }

  /**
   * True when templates, jobs, `default:` and variables may come from a file Pullguard
   * cannot read. A conditional include is read: what it may set is known, so rules stay
   * silent on what it supplies and still report what nothing supplies.
   */
  get hasUnknownContext(): boolean {
    return this.unreadIncludes.length > 0 || this.includedElsewhere;
  }

  /** Global `variables:`: the included files' merged with this document's (which win). */
  get globalVariables(): ReadonlyMap<string, VariableDefinition> {
    if (!this.included || this.included.globalVariables.size === 0) return this.model.globalVariables;
    if (!this.mergedGlobals) {
      const merged = new Map(this.included.globalVariables);
      for (const [name, definition] of this.model.globalVariables) merged.set(name, definition);
      this.mergedGlobals = merged;
    }
    return this.mergedGlobals;
  }

  /** The included file a node of the merged configuration is written in; undefined for this document. */
  fileOf(node: YNode): IncludedFile | undefined {
    for (const file of this.included?.files ?? []) if (nodesOf(file.model).has(node)) return file;
    return undefined;
  }

  /** The text a node is written in: this document's, or its included file's. */
  textOf(node: YNode): string {
    return this.fileOf(node)?.model.text ?? this.model.text;
  }

  /** The included file that defines a job or template this document does not, if any. */
  getJobFile(name: string): IncludedFile | undefined {
    if (this.model.jobs.has(name)) return undefined;
    const job = this.included?.jobs.get(name)?.at(-1);
    return job ? this.fileOf(job.map) : undefined;
  }

  /** The job whose text contains `offset`, if any. */
  findJobAt(offset: number): CiJob | undefined {
    return findJobAt(this.model, offset);
  }

  /** The job whose name is written at `offset`, if any. */
  findJobKeyAt(offset: number): CiJob | undefined {
    // The last job whose name starts at or before `offset` (a map's end may touch the next name).
    const jobs = jobsByOffset(this.model);
    let low = 0;
    let high = jobs.length - 1;
    let found: CiJob | undefined;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const job = jobs[mid]!;
      if (job.key.start <= offset) {
        found = job;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found && offset <= found.key.end ? found : undefined;
  }

  getEffectiveJob(job: CiJob): EffectiveJob {
    const cached = this.effective.get(job.name);
    if (cached) return cached;
    const { config, chain, external, problems } = this.resolveExtends(job, new Set(), 0);
    const defaults = this.getDefaults();

    const from = (key: 'image' | 'services'): { value: MergedValue | undefined; origin: 'default' | 'top-level' | undefined; known: boolean } => {
      const own = config.entries.get(key);
      // `image: null` is "unspecified" for GitLab: it drops what `extends` brought, and `default:` applies again.
      if (own !== undefined && !isNullValue(own)) return { value: own, origin: undefined, known: !config.uncertain.has(key) };
      if (isUncertain(config, key)) return { value: undefined, origin: undefined, known: false };
      if (!inherits(config, 'default', key)) return { value: undefined, origin: undefined, known: true };
      const fromDefault = defaults?.entries.get(key);
      if (fromDefault !== undefined && !isNullValue(fromDefault)) return { value: fromDefault, origin: 'default', known: !defaults!.uncertain.has(key) };
      const topLevel = this.resolveReference(this.getTopLevel(key));
      if (topLevel !== undefined && !isNullValue(topLevel)) return { value: topLevel, origin: 'top-level', known: true };
      // A file Pullguard cannot read may set it in its `default:`.
      return { value: undefined, origin: undefined, known: !this.hasUnknownContext };
    };

    const image = from('image');
    const services = from('services');
    const imageUse = this.toImageUse('image', image.value, image.origin);
    let imageKnown = image.known;
    let imageWithoutName = false;
    if (isMapLike(image.value) && !imageUse) {
      const merged = this.asMerged(image.value)!;
      if (isUncertain(merged, 'name')) imageKnown = false;
      else imageWithoutName = true;
    }
    const serviceUses: ImageUse[] = [];
    let servicesKnown = services.known;
    const serviceList = services.value?.kind === 'seq' ? services.value.items : [];
    for (const item of serviceList) {
      if (this.isExternalReference(item)) servicesKnown = false;
      const use = this.toImageUse('service', this.resolveReference(item), services.origin);
      if (use) serviceUses.push(use);
    }

    const variables = new Map<string, VariableDefinition>();
    for (const [name, definition] of this.globalVariables) {
      if (inherits(config, 'variables', name)) variables.set(name, definition);
    }
    const jobVariables = this.asMerged(config.entries.get('variables'));
    if (jobVariables) {
      for (const [name, node] of jobVariables.entries) {
        const leaf = node.kind === 'merged' ? node.entries.get('value') : node.kind === 'map' ? getValue(node, 'value') : node;
        const valueNode = leaf && leaf.kind !== 'merged' ? leaf : undefined;
        variables.set(name, {
          name,
          value: scalarText(valueNode) ?? (isNullNode(valueNode) ? '' : undefined),
          node: valueNode,
        });
      }
    }

    // Read now, not on first use: a getter would keep this analysis (its model and text)
    // alive as long as the effective job, and an incremental re-analysis keeps the images
    // of unedited jobs, and with them their jobs, from version to version.
    const scriptAssignments = new Set<string>();
    for (const key of ['before_script', 'script', 'after_script']) {
      const script = config.entries.get(key) ?? (inherits(config, 'default', key) ? defaults?.entries.get(key) : undefined);
      this.collectScriptAssignments(script, scriptAssignments);
    }

    const imageMerged = this.asMerged(config.entries.get('image'));
    const docker = imageMerged ? this.asMerged(imageMerged.entries.get('docker')) : undefined;
    const user = docker?.entries.get('user');

    const effective: EffectiveJob = {
      job,
      image: imageUse,
      services: serviceUses,
      variables,
      scriptAssignments,
      extendsChain: chain,
      externalTemplates: external,
      extendsProblems: problems,
      unknown: {
        image: !imageKnown,
        services: !servicesKnown,
        variables: isUncertain(config, 'variables') || (jobVariables !== undefined && jobVariables.open) || external.length > 0 || this.hasUnknownContext,
      },
      // A user written in an included file is checked, and reported, there.
      imageUser: user?.kind === 'scalar' && !this.fileOf(user) ? user : undefined,
      imageWithoutName,
      isTrigger: config.entries.has('trigger'),
    };
    this.effective.set(job.name, effective);
    return effective;
  }

  // ---- Merging -------------------------------------------------------------

  /** `default:` of the included files deep-merged, this document's over them (GitLab merges included hashes deeply). */
  private getDefaults(): MergedMap | undefined {
    if (this.defaults === null) {
      const maps = [...(this.included?.defaults ?? []), ...(this.model.defaultMap ? [this.model.defaultMap] : [])];
      let merged: MergedValue | undefined;
      for (const map of maps) merged = this.deepMerge(merged, this.toMerged(map));
      this.defaults = merged as MergedMap | undefined;
    }
    return this.defaults;
  }

  /** The deprecated top-level `image`/`services`: this document's, else the last included file's. */
  private getTopLevel(key: string): YNode | undefined {
    const own = this.model.root ? getValue(this.model.root, key) : undefined;
    if (own !== undefined) return own;
    const roots = this.included?.roots ?? [];
    for (let i = roots.length - 1; i >= 0; i--) {
      const value = getValue(roots[i]!, key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /** Every definition of a job or template, in merge order: the included files', then this document's. */
  private getDefinitions(name: string): readonly CiJob[] {
    const own = this.model.jobs.get(name);
    const included = this.included?.jobs.get(name);
    if (!included) return own ? [own] : [];
    return own ? [...included, own] : included;
  }

  private hasJob(name: string): boolean {
    return this.model.jobs.has(name) || (this.included?.jobs.has(name) ?? false);
  }

  /** Resolves `!reference [.job, key, ...]` in this document and its included files. */
  private resolveReference(node: YNode | undefined, depth = 0): YNode | undefined {
    if (node?.kind !== 'seq' || node.tag !== '!reference') return node;
    if (depth >= MAX_REFERENCE_DEPTH) return undefined;
    const [jobName, ...keys] = node.items.map((item) => scalarText(item));
    const definitions = jobName === undefined ? [] : this.getDefinitions(jobName);
    // A job defined in several files: the last definition that sets the first key gives it.
    const first = keys[0];
    const job = definitions.length > 1 && first !== undefined
      ? [...definitions].reverse().find((definition) => getValue(definition.map, first) !== undefined) ?? definitions.at(-1)
      : definitions.at(-1);
    let current: YNode | undefined = job?.map;
    for (const key of keys) {
      current = this.resolveReference(current, depth + 1);
      if (current?.kind !== 'map' || key === undefined) return undefined;
      current = getValue(current, key);
    }
    return this.resolveReference(current, depth + 1);
  }

  /** A `!reference` to a job defined nowhere Pullguard can read, when a file it cannot read may define it. */
  private isExternalReference(node: YNode | undefined): boolean {
    if (node?.kind !== 'seq' || node.tag !== '!reference' || !this.hasUnknownContext) return false;
    const jobName = scalarText(node.items[0]);
    return jobName !== undefined && !this.hasJob(jobName);
  }

  private toMerged(map: YMap): MergedMap {
    const cached = this.mergedMaps.get(map);
    if (cached) return cached;
    const entries = new Map<string, MergedValue>();
    let uncertain: Set<string> | undefined;
    for (const key of getKeys(map)) {
      const written = getValue(map, key);
      const value = this.resolveReference(written);
      if (value !== undefined) entries.set(key, value);
      else if (this.isExternalReference(written)) (uncertain ??= new Set()).add(key);
    }
    const merged: MergedMap = { kind: 'merged', entries, uncertain: uncertain ?? NOTHING, open: false };
    this.mergedMaps.set(map, merged);
    return merged;
  }

  /** A map-valued entry as a merged map, whether it came through a merge or is written as is. */
  private asMerged(value: MergedValue | undefined): MergedMap | undefined {
    if (value?.kind === 'merged') return value;
    if (value?.kind === 'map') return this.toMerged(value);
    return undefined;
  }

  /** The same map, every key of it in doubt: a value that something unreadable may have replaced. */
  private doubted(value: MergedValue | undefined): MergedMap {
    const merged = this.asMerged(value);
    if (!merged) return UNKNOWN_TEMPLATE;
    return { kind: 'merged', entries: merged.entries, uncertain: new Set(merged.entries.keys()), open: true };
  }

  /** `extends` merge: hashes deep-merge, the closer scope wins, arrays and scalars replace (GL-OPT). */
  private deepMerge(base: MergedValue | undefined, over: MergedValue, depth = 0): MergedValue {
    if (!base || depth > 20) return over;
    const b = this.asMerged(base);
    const o = this.asMerged(over);
    if (!b || !o) return over;
    const entries = new Map(b.entries);
    const uncertain = new Set(b.uncertain);
    // Something unreadable merged over `base` may have replaced any of its keys.
    if (o.open) for (const key of b.entries.keys()) if (!o.entries.has(key)) uncertain.add(key);
    for (const [key, value] of o.entries) {
      const baseValue = isUncertain(b, key) && isMapLike(value) ? this.doubted(b.entries.get(key)) : b.entries.get(key);
      entries.set(key, this.deepMerge(baseValue, value, depth + 1));
      uncertain.delete(key);
    }
    for (const key of o.uncertain) uncertain.add(key);
    return { kind: 'merged', entries, uncertain, open: b.open || o.open };
  }

  /** A job's own keys: its definitions in the included files and here, deep-merged. */
  private getOwnConfig(job: CiJob): MergedMap {
    const definitions = this.getDefinitions(job.name);
    if (definitions.length <= 1) return this.toMerged(job.map);
    let merged: MergedValue | undefined;
    for (const definition of definitions) merged = this.deepMerge(merged, this.toMerged(definition.map));
    return merged as MergedMap;
  }

  private resolveExtends(job: CiJob, visiting: Set<string>, depth: number): ExtendedJob {
    const cached = this.extended.get(job.name);
    if (cached) return cached;
    const own = this.getOwnConfig(job);
    const parents = own.uncertain.has('extends') ? [] : extendsNames(own.entries.get('extends'));
    let config: MergedValue | undefined = own.uncertain.has('extends') ? UNKNOWN_TEMPLATE : undefined;
    const chain: string[] = [];
    const external: string[] = [];
    const problems: ExtendsProblem[] = [];
    let height = 0;
    visiting.add(job.name);
    for (const parentName of parents) {
      const parent = this.getDefinitions(parentName).at(-1);
      if (!parent) {
        if (this.hasUnknownContext) {
          // It may be defined in an included file: whatever it sets is unknown here.
          external.push(parentName);
          config = this.deepMerge(config, UNKNOWN_TEMPLATE);
        } else {
          problems.push({ kind: 'unknown-template', job: job.name, template: parentName });
        }
        continue;
      }
      if (visiting.has(parentName)) {
        problems.push({ kind: 'cycle', job: job.name, template: parentName });
        continue;
      }
      if (depth >= MAX_EXTENDS_RECURSION) {
        problems.push({ kind: 'too-deep', job: job.name, template: parentName, levels: depth + 1 });
        height = Math.max(height, MAX_EXTENDS_RECURSION);
        continue;
      }
      const resolved = this.resolveExtends(parent, visiting, depth + 1);
      config = this.deepMerge(config, resolved.config);
      height = Math.max(height, resolved.height + 1);
      // Each template once, however many paths lead to it (shared templates would otherwise multiply).
      for (const name of [parentName, ...resolved.chain]) if (!chain.includes(name)) chain.push(name);
      for (const name of resolved.external) if (!external.includes(name)) external.push(name);
      for (const problem of resolved.problems) if (!problems.some((p) => sameProblem(p, problem))) problems.push(problem);
    }
    visiting.delete(job.name);
    if (height > MAX_EXTENDS_DEPTH && !problems.some((p) => p.kind === 'too-deep')) {
      problems.push({ kind: 'too-deep', job: job.name, template: parents[0] ?? job.name, levels: height });
    }
    const result: ExtendedJob = { config: this.deepMerge(config, own) as MergedMap, chain, external, problems, height };
    this.extended.set(job.name, result);
    return result;
  }

  // ---- Images ----------------------------------------------------------------

  private toImageUse(role: 'image' | 'service', value: MergedValue | undefined, fromDefault: 'default' | 'top-level' | undefined): ImageUse | undefined {
    if (!value) return undefined;
    let name: YNode | MergedValue | undefined = value;
    let hash: YMap | undefined;
    if (value.kind === 'map') {
      hash = value;
      name = this.resolveReference(getValue(value, 'name'));
    } else if (value.kind === 'merged') {
      name = value.entries.get('name');
    }
    if (name?.kind !== 'scalar' || scalarText(name) === undefined) return undefined;
    if (!hash && value.kind === 'merged') hash = this.findHashAround(name);
    return { role, name, hash, origin: this.originOf(name, fromDefault) };
  }

  /** For a name that came through a deep merge, the hash it is written in (for `alias`, `pull_policy`). */
  private findHashAround(name: YScalar): YMap | undefined {
    const model = this.fileOf(name)?.model ?? this.model;
    const job = findJobAt(model, name.start);
    for (const map of [job?.map, model.defaultMap, model.root]) {
      const found = map && map.start <= name.start && name.end <= map.end ? findMapContaining(map, name) : undefined;
      if (found) return found;
    }
    return undefined;
  }

  private originOf(node: YScalar, fromDefault: 'default' | 'top-level' | undefined): ImageOrigin {
    const file = this.fileOf(node);
    const inFile = file ? { file } : {};
    if (fromDefault) return { kind: fromDefault, ...inFile };
    const job = findJobAt(file?.model ?? this.model, node.start);
    if (!job) return { kind: 'default', ...inFile };
    return job.hidden ? { kind: 'template', job: job.name, ...inFile } : { kind: 'job', job: job.name, ...inFile };
  }

  /** Script lines are nested arrays at most; aliases may repeat a node, so each is read once. */
  private collectScriptAssignments(value: MergedValue | undefined, into: Set<string>, seen: Set<YNode> = new Set()): void {
    if (!value || value.kind === 'merged' || seen.has(value)) return;
    seen.add(value);
    if (value.kind === 'scalar') {
      const line = scalarText(value) ?? '';
      // Most script lines assign nothing: no '=', no scan with the expression.
      if (line.includes('=')) for (const match of line.matchAll(ASSIGNMENT)) into.add(match[1]!);
    } else if (value.kind === 'seq') {
      const items = value.tag === '!reference' ? [this.resolveReference(value)] : value.items;
      for (const item of items) this.collectScriptAssignments(item, into, seen);
    }
  }
}

// ---- Per-file lookups, computed once per parse ------------------------------------

const sortedJobs = new WeakMap<CiModel, CiJob[]>();
const writtenNodes = new WeakMap<CiModel, WeakSet<YNode>>();

/** A file's jobs sorted by position, to tell which job a node is written in. */
function jobsByOffset(model: CiModel): CiJob[] {
  let jobs = sortedJobs.get(model);
  if (!jobs) {
    jobs = [...model.jobs.values()].sort((a, b) => a.map.start - b.map.start);
    sortedJobs.set(model, jobs);
  }
  return jobs;
}

function findJobAt(model: CiModel, offset: number): CiJob | undefined {
  const jobs = jobsByOffset(model);
  let low = 0;
  let high = jobs.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const job = jobs[mid]!;
    if (offset < job.key.start) high = mid - 1;
    else if (offset > job.map.end) low = mid + 1;
    else return job;
  }
  return undefined;
}

/**
 * Every node of a file's tree, to tell an included file's nodes from the document's
 * (offsets cannot: each file counts from 0). Aliases share nodes, so each is visited once.
 */
function nodesOf(model: CiModel): WeakSet<YNode> {
  let nodes = writtenNodes.get(model);
  if (nodes) return nodes;
  nodes = new WeakSet();
  const stack: YNode[] = model.yaml.root ? [model.yaml.root] : [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (nodes.has(node)) continue;
    nodes.add(node);
    if (node.kind === 'map') {
      for (const pair of node.pairs) {
        stack.push(pair.key);
        if (pair.value) stack.push(pair.value);
      }
      for (const merged of node.merges) stack.push(merged);
    } else if (node.kind === 'seq') {
      for (const item of node.items) stack.push(item);
    }
  }
  writtenNodes.set(model, nodes);
  return nodes;
}

function sameProblem(a: ExtendsProblem, b: ExtendsProblem): boolean {
  return a.kind === b.kind && a.job === b.job && a.template === b.template;
}

function findMapContaining(map: YMap, target: YScalar, depth = 0): YMap | undefined {
  if (depth > 8) return undefined;
  for (const pair of map.pairs) {
    if (pair.value === target) return map;
    if (pair.value && pair.value.kind !== 'scalar' && pair.value.start <= target.start && target.end <= pair.value.end) {
      if (pair.value.kind === 'map') return findMapContaining(pair.value, target, depth + 1);
      for (const item of pair.value.items) {
        if (item.kind === 'map' && item.start <= target.start && target.end <= item.end) return findMapContaining(item, target, depth + 1);
      }
    }
  }
  return undefined;
}

/** The key scalar of `key` written in `map` itself, for ranges. */
export function getOwnKey(map: YMap, key: string): YScalar | undefined {
  return getOwnPair(map, key)?.key;
}

const ASSIGNMENT = /(?:^|[\s;&|(])(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/g;
