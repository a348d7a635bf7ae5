/**
 * What a `.gitlab-ci.yml` means for images: its jobs, `default:`, global
 * variables, local includes, and each job's effective image and services after
 * `extends`, anchors, `!reference`, `default:` and `inherit:` (REFERENCE §3.1, §3.2).
 */
import {
  getKeys,
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

/** GitLab allows 11 levels of `extends`; deeper chains are cut here. */
const MAX_EXTENDS_DEPTH = 11;
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
}

export interface CiModel {
  readonly yaml: YamlModel;
  readonly text: string;
  readonly root: YMap | undefined;
  readonly jobs: ReadonlyMap<string, CiJob>;
  readonly defaultMap: YMap | undefined;
  readonly globalVariables: ReadonlyMap<string, VariableDefinition>;
  readonly localIncludes: readonly LocalInclude[];
}

// ---- Building the model ------------------------------------------------------

export function parseCiModel(text: string): CiModel {
  const yaml = parseYamlModel(text);
  const root = yaml.root?.kind === 'map' ? yaml.root : undefined;
  const jobs = new Map<string, CiJob>();
  let defaultMap: YMap | undefined;
  let globalVariables: ReadonlyMap<string, VariableDefinition> = new Map();
  const localIncludes: LocalInclude[] = [];
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
    collectLocalIncludes(getValue(root, 'include'), localIncludes);
  }
  return { yaml, text, root, jobs, defaultMap, globalVariables, localIncludes };
}

function collectLocalIncludes(node: YNode | undefined, into: LocalInclude[]): void {
  if (!node) return;
  if (node.kind === 'scalar') {
    // A bare string include is local when it is not a URL.
    const path = scalarText(node);
    if (path && !/^https?:\/\//.test(path)) into.push({ path, node });
  } else if (node.kind === 'seq') {
    for (const item of node.items) collectLocalIncludes(item, into);
  } else {
    const local = getValue(node, 'local');
    if (local?.kind === 'scalar' && scalarText(local)) into.push({ path: scalarText(local)!, node: local });
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
}
type MergedValue = YNode | MergedMap;

/** Resolves `!reference [.job, key, ...]` inside the same file. */
function resolveReference(model: CiModel, node: YNode | undefined, depth = 0): YNode | undefined {
  if (node?.kind !== 'seq' || node.tag !== '!reference') return node;
  if (depth >= MAX_REFERENCE_DEPTH) return undefined;
  const [jobName, ...keys] = node.items.map((item) => scalarText(item));
  const job = jobName === undefined ? undefined : model.jobs.get(jobName);
  let current: YNode | undefined = job?.map;
  for (const key of keys) {
    current = resolveReference(model, current, depth + 1);
    if (current?.kind !== 'map' || key === undefined) return undefined;
    current = getValue(current, key);
  }
  return resolveReference(model, current, depth + 1);
}

function toMerged(model: CiModel, map: YMap): MergedMap {
  const entries = new Map<string, MergedValue>();
  for (const key of getKeys(map)) {
    const value = resolveReference(model, getValue(map, key));
    if (value !== undefined) entries.set(key, value);
  }
  return { kind: 'merged', entries };
}

function entriesOf(model: CiModel, value: MergedValue): Map<string, MergedValue> | undefined {
  if (value.kind === 'merged') return value.entries;
  if (value.kind === 'map') return toMerged(model, value).entries;
  return undefined;
}

/** `extends` merge: hashes deep-merge, the closer scope wins, arrays and scalars replace (GL-OPT). */
function deepMerge(model: CiModel, base: MergedValue | undefined, over: MergedValue, depth = 0): MergedValue {
  if (!base || depth > 20) return over;
  const baseEntries = entriesOf(model, base);
  const overEntries = entriesOf(model, over);
  if (!baseEntries || !overEntries) return over;
  const entries = new Map(baseEntries);
  for (const [key, value] of overEntries) entries.set(key, deepMerge(model, entries.get(key), value, depth + 1));
  return { kind: 'merged', entries };
}

function extendsNames(value: MergedValue | undefined): string[] {
  if (!value || value.kind === 'merged' || value.kind === 'map') return [];
  if (value.kind === 'scalar') return scalarText(value) ? [scalarText(value)!] : [];
  return value.items.map((item) => scalarText(item)).filter((name): name is string => name !== undefined);
}

interface ExtendedJob {
  readonly config: MergedMap;
  readonly chain: string[];
}

function resolveExtends(model: CiModel, job: CiJob, cache: Map<string, ExtendedJob>, visiting: Set<string>, depth: number): ExtendedJob {
  const cached = cache.get(job.name);
  if (cached) return cached;
  const own = toMerged(model, job.map);
  const parents = extendsNames(own.entries.get('extends'));
  let config: MergedValue | undefined;
  const chain: string[] = [];
  visiting.add(job.name);
  for (const parentName of parents) {
    const parent = model.jobs.get(parentName);
    // A cycle, an unknown template or a too-deep chain is cut; the ci rules report it.
    if (!parent || visiting.has(parentName) || depth >= MAX_EXTENDS_DEPTH) continue;
    const resolved = resolveExtends(model, parent, cache, visiting, depth + 1);
    config = deepMerge(model, config, resolved.config);
    // Each template once, however many paths lead to it (shared templates would otherwise multiply).
    for (const name of [parentName, ...resolved.chain]) if (!chain.includes(name)) chain.push(name);
  }
  visiting.delete(job.name);
  const result: ExtendedJob = { config: deepMerge(model, config, own) as MergedMap, chain };
  cache.set(job.name, result);
  return result;
}

/** A map-valued entry as a merged map, whether it came through a merge or is written as is. */
function asMerged(model: CiModel, value: MergedValue | undefined): MergedMap | undefined {
  if (value?.kind === 'merged') return value;
  if (value?.kind === 'map') return toMerged(model, value);
  return undefined;
}

/** `inherit:default` / `inherit:variables`: `true`, `false`, or a list of names (GL-YAML §inherit). */
function inherits(model: CiModel, config: MergedMap, section: 'default' | 'variables', name: string): boolean {
  const setting = asMerged(model, config.entries.get('inherit'))?.entries.get(section);
  if (!setting) return true;
  if (setting.kind === 'scalar') return setting.value !== false;
  if (setting.kind === 'seq') return setting.items.some((item) => scalarText(item) === name);
  return true;
}

export class CiAnalysis {
  private readonly extended = new Map<string, ExtendedJob>();
  private readonly effective = new Map<string, EffectiveJob>();
  /** Jobs sorted by their position, to tell which job a node is written in. */
  private readonly jobsByOffset: CiJob[];

  constructor(readonly model: CiModel) {
    this.jobsByOffset = [...model.jobs.values()].sort((a, b) => a.map.start - b.map.start);
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

  getEffectiveJob(job: CiJob): EffectiveJob {
    const cached = this.effective.get(job.name);
    if (cached) return cached;
    const { config, chain } = resolveExtends(this.model, job, this.extended, new Set(), 0);
    const defaults = this.model.defaultMap ? toMerged(this.model, this.model.defaultMap) : undefined;
    const root = this.model.root;

    const imageFrom = (key: 'image' | 'services'): { value: MergedValue | undefined; fromDefault: 'default' | 'top-level' | undefined } => {
      if (config.entries.has(key)) return { value: config.entries.get(key), fromDefault: undefined };
      if (!inherits(this.model, config, 'default', key)) return { value: undefined, fromDefault: undefined };
      if (defaults?.entries.has(key)) return { value: defaults.entries.get(key), fromDefault: 'default' };
      const topLevel = root ? resolveReference(this.model, getValue(root, key)) : undefined;
      return { value: topLevel, fromDefault: topLevel ? 'top-level' : undefined };
    };

    const image = imageFrom('image');
    const services = imageFrom('services');
    const imageUse = this.toImageUse('image', image.value, image.fromDefault);
    const serviceUses: ImageUse[] = [];
    const serviceList = services.value?.kind === 'seq' ? services.value.items : [];
    for (const item of serviceList) {
      const use = this.toImageUse('service', resolveReference(this.model, item), services.fromDefault);
      if (use) serviceUses.push(use);
    }

    const variables = new Map<string, VariableDefinition>();
    for (const [name, definition] of this.model.globalVariables) {
      if (inherits(this.model, config, 'variables', name)) variables.set(name, definition);
    }
    const jobVariables = asMerged(this.model, config.entries.get('variables'));
    if (jobVariables) {
      for (const [name, node] of jobVariables.entries) {
        const leaf = node.kind === 'merged' ? node.entries.get('value') : node;
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
      const script = config.entries.get(key) ?? (inherits(this.model, config, 'default', key) ? defaults?.entries.get(key) : undefined);
      collectScriptAssignments(this.model, script, scriptAssignments);
    }

    const effective: EffectiveJob = { job, image: imageUse, services: serviceUses, variables, scriptAssignments, extendsChain: chain };
    this.effective.set(job.name, effective);
    return effective;
  }

  private toImageUse(role: 'image' | 'service', value: MergedValue | undefined, fromDefault: 'default' | 'top-level' | undefined): ImageUse | undefined {
    if (!value) return undefined;
    let name: YNode | MergedValue | undefined = value;
    let hash: YMap | undefined;
    if (value.kind === 'map') {
      hash = value;
      name = resolveReference(this.model, getValue(value, 'name'));
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
    const map = job?.map ?? this.model.defaultMap;
    return map ? findMapContaining(map, name) : undefined;
  }

  private originOf(node: YScalar, fromDefault: 'default' | 'top-level' | undefined): ImageOrigin {
    if (fromDefault) return { kind: fromDefault };
    const job = this.findJobAt(node.start);
    if (!job) return { kind: 'default' };
    return job.hidden ? { kind: 'template', job: job.name } : { kind: 'job', job: job.name };
  }
}

function findMapContaining(map: YMap, target: YScalar, depth = 0): YMap | undefined {
  if (depth > 8) return undefined;
  for (const pair of map.pairs) {
    if (pair.value === target) return map;
    if (pair.value?.kind === 'map' && pair.value.start <= target.start && target.end <= pair.value.end) {
      return findMapContaining(pair.value, target, depth + 1);
    }
  }
  return undefined;
}

const ASSIGNMENT = /(?:^|[\s;&|(])(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/g;

/** Script lines are nested arrays at most; aliases may repeat a node, so each is read once. */
function collectScriptAssignments(model: CiModel, value: MergedValue | undefined, into: Set<string>, seen: Set<YNode> = new Set()): void {
  if (!value || value.kind === 'merged' || seen.has(value)) return;
  seen.add(value);
  if (value.kind === 'scalar') {
    const line = scalarText(value) ?? '';
    for (const match of line.matchAll(ASSIGNMENT)) into.add(match[1]!);
  } else if (value.kind === 'seq') {
    const items = value.tag === '!reference' ? [resolveReference(model, value)] : value.items;
    for (const item of items) collectScriptAssignments(model, item, into, seen);
  }
}
