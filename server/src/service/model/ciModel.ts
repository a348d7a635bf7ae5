/**
 * What a `.gitlab-ci.yml` means for images: its jobs, `default:`, global
 * variables, includes, and each job's effective image and services after
 * `extends`, anchors, `!reference`, `default:` and `inherit:` (REFERENCE §3.1, §3.2).
 *
 * Where the file cannot tell (a template or `default:` that may come from an
 * `include:`, a `!reference` to a job defined elsewhere), the effective job says
 * so instead of guessing: rules stay silent on what is unknown.
 */
import {
  getKeys,
  getOwnPair,
  getValue,
  isNullNode,
  parseYamlModel,
  scalarText,
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
}

/** Where an image or service in a job's effective configuration is written. */
export type ImageOrigin =
  | { readonly kind: 'job'; readonly job: string }
  | { readonly kind: 'template'; readonly job: string }
  | { readonly kind: 'default' }
  | { readonly kind: 'top-level' };

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
  /** `image: docker: user:` after merging, if set. */
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

// ---- Building the model ------------------------------------------------------

export function parseCiModel(text: string): CiModel {
  const yaml = parseYamlModel(text);
  const root = yaml.root?.kind === 'map' ? yaml.root : undefined;
  const jobs = new Map<string, CiJob>();
  let defaultMap: YMap | undefined;
  let globalVariables: ReadonlyMap<string, VariableDefinition> = new Map();
  const includes: CiInclude[] = [];
  if (root) {
    for (const pair of root.pairs) {
      const name = scalarText(pair.key);
      if (name === undefined) continue;
      if (GLOBAL_KEYWORDS.has(name)) {
        if (name === 'default' && pair.value?.kind === 'map') defaultMap = pair.value;
        continue;
      }
      if (pair.value?.kind === 'map') jobs.set(name, { name, key: pair.key, map: pair.value, hidden: name.startsWith('.') });
    }
    const variables = getValue(root, 'variables');
    if (variables?.kind === 'map') globalVariables = readVariables(variables);
    collectIncludes(getValue(root, 'include'), includes);
  }
  const localIncludes = includes
    .filter((include): include is CiInclude & { node: YScalar } => include.kind === 'local' && include.node.kind === 'scalar')
    .map((include) => ({ path: include.target, node: include.node }));
  return { yaml, text, root, jobs, defaultMap, globalVariables, localIncludes, includes };
}

const INCLUDE_KINDS = ['local', 'remote', 'project', 'template', 'component'] as const;

function collectIncludes(node: YNode | undefined, into: CiInclude[]): void {
  if (!node) return;
  if (node.kind === 'scalar') {
    // A bare string include is local unless it is a URL.
    const target = scalarText(node);
    if (target) into.push({ kind: /^https?:\/\//.test(target) ? 'remote' : 'local', target, node });
  } else if (node.kind === 'seq') {
    for (const item of node.items) collectIncludes(item, into);
  } else {
    for (const kind of INCLUDE_KINDS) {
      const value = getValue(node, kind);
      if (value === undefined) continue;
      const target = scalarText(value) ?? '';
      into.push({ kind, target, node: value.kind === 'scalar' && kind === 'local' ? value : node });
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
  /** Jobs sorted by their position, to tell which job a node is written in. */
  private readonly jobsByOffset: CiJob[];

  constructor(readonly model: CiModel) {
    this.jobsByOffset = [...model.jobs.values()].sort((a, b) => a.map.start - b.map.start);
  }

  /** True when the file has `include:` entries: templates, jobs and `default:` may come from them. */
  get hasIncludes(): boolean {
    return this.model.includes.length > 0;
  }

  /** The job whose text contains `offset`, if any. */
  findJobAt(offset: number): CiJob | undefined {
    let low = 0;
    let high = this.jobsByOffset.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const job = this.jobsByOffset[mid]!;
      if (offset < job.key.start) high = mid - 1;
      else if (offset > job.map.end) low = mid + 1;
      else return job;
    }
    return undefined;
  }

  /** The job whose name is written at `offset`, if any. */
  findJobKeyAt(offset: number): CiJob | undefined {
    // The last job whose name starts at or before `offset` (a map's end may touch the next name).
    let low = 0;
    let high = this.jobsByOffset.length - 1;
    let found: CiJob | undefined;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const job = this.jobsByOffset[mid]!;
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
    const root = this.model.root;

    const from = (key: 'image' | 'services'): { value: MergedValue | undefined; origin: 'default' | 'top-level' | undefined; known: boolean } => {
      const own = config.entries.get(key);
      // `image: null` is "unspecified" for GitLab: it drops what `extends` brought, and `default:` applies again.
      if (own !== undefined && !isNullValue(own)) return { value: own, origin: undefined, known: !config.uncertain.has(key) };
      if (isUncertain(config, key)) return { value: undefined, origin: undefined, known: false };
      if (!inherits(config, 'default', key)) return { value: undefined, origin: undefined, known: true };
      const fromDefault = defaults?.entries.get(key);
      if (fromDefault !== undefined && !isNullValue(fromDefault)) return { value: fromDefault, origin: 'default', known: !defaults!.uncertain.has(key) };
      const topLevel = root ? this.resolveReference(getValue(root, key)) : undefined;
      if (topLevel !== undefined && !isNullValue(topLevel)) return { value: topLevel, origin: 'top-level', known: true };
      // An included file's `default:` may set it.
      return { value: undefined, origin: undefined, known: !this.hasIncludes };
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
    for (const [name, definition] of this.model.globalVariables) {
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
        variables: isUncertain(config, 'variables') || (jobVariables !== undefined && jobVariables.open) || external.length > 0 || this.hasIncludes,
      },
      imageUser: user?.kind === 'scalar' ? user : undefined,
      imageWithoutName,
      isTrigger: config.entries.has('trigger'),
    };
    this.effective.set(job.name, effective);
    return effective;
  }

  // ---- Merging -------------------------------------------------------------

  private getDefaults(): MergedMap | undefined {
    if (this.defaults === null) this.defaults = this.model.defaultMap ? this.toMerged(this.model.defaultMap) : undefined;
    return this.defaults;
  }

  /** Resolves `!reference [.job, key, ...]` inside this file. */
  private resolveReference(node: YNode | undefined, depth = 0): YNode | undefined {
    if (node?.kind !== 'seq' || node.tag !== '!reference') return node;
    if (depth >= MAX_REFERENCE_DEPTH) return undefined;
    const [jobName, ...keys] = node.items.map((item) => scalarText(item));
    const job = jobName === undefined ? undefined : this.model.jobs.get(jobName);
    let current: YNode | undefined = job?.map;
    for (const key of keys) {
      current = this.resolveReference(current, depth + 1);
      if (current?.kind !== 'map' || key === undefined) return undefined;
      current = getValue(current, key);
    }
    return this.resolveReference(current, depth + 1);
  }

  /** A `!reference` to a job this file does not define, in a file with includes: the job may be there. */
  private isExternalReference(node: YNode | undefined): boolean {
    if (node?.kind !== 'seq' || node.tag !== '!reference' || !this.hasIncludes) return false;
    const jobName = scalarText(node.items[0]);
    return jobName !== undefined && !this.model.jobs.has(jobName);
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

  private resolveExtends(job: CiJob, visiting: Set<string>, depth: number): ExtendedJob {
    const cached = this.extended.get(job.name);
    if (cached) return cached;
    const own = this.toMerged(job.map);
    const parents = own.uncertain.has('extends') ? [] : extendsNames(own.entries.get('extends'));
    let config: MergedValue | undefined = own.uncertain.has('extends') ? UNKNOWN_TEMPLATE : undefined;
    const chain: string[] = [];
    const external: string[] = [];
    const problems: ExtendsProblem[] = [];
    let height = 0;
    visiting.add(job.name);
    for (const parentName of parents) {
      const parent = this.model.jobs.get(parentName);
      if (!parent) {
        if (this.hasIncludes) {
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
    const job = this.findJobAt(name.start);
    for (const map of [job?.map, this.model.defaultMap, this.model.root]) {
      const found = map && map.start <= name.start && name.end <= map.end ? findMapContaining(map, name) : undefined;
      if (found) return found;
    }
    return undefined;
  }

  private originOf(node: YScalar, fromDefault: 'default' | 'top-level' | undefined): ImageOrigin {
    if (fromDefault) return { kind: fromDefault };
    const job = this.findJobAt(node.start);
    if (!job) return { kind: 'default' };
    return job.hidden ? { kind: 'template', job: job.name } : { kind: 'job', job: job.name };
  }

  /** Script lines are nested arrays at most; aliases may repeat a node, so each is read once. */
  private collectScriptAssignments(value: MergedValue | undefined, into: Set<string>, seen: Set<YNode> = new Set()): void {
    if (!value || value.kind === 'merged' || seen.has(value)) return;
    seen.add(value);
    if (value.kind === 'scalar') {
      const line = scalarText(value) ?? '';
      for (const match of line.matchAll(ASSIGNMENT)) into.add(match[1]!);
    } else if (value.kind === 'seq') {
      const items = value.tag === '!reference' ? [this.resolveReference(value)] : value.items;
      for (const item of items) this.collectScriptAssignments(item, into, seen);
    }
  }
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
