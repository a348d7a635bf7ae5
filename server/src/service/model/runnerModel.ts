/**
 * What a GitLab Runner `config.toml` says about the containers of the jobs it runs
 * (REFERENCE §4): per `[[runners]]`, the executor, `environment`, the default image,
 * services, allowlists, pull policies, users and feature flags, each with its node.
 */
import { keyPath, parseTomlModel, type TomlKeyValue, type TomlModel, type TomlNode, type TomlString } from '../parse/tomlModel';

/** A key/value anywhere in the file, with its full resolved key path. */
export interface TomlEntry {
  readonly path: readonly (string | number)[];
  readonly node: TomlNode;
  readonly pair: TomlKeyValue;
}

export interface EnvironmentEntry {
  readonly node: TomlString;
  /** Text before the first `=`; absent when there is no `=` (the runner drops the entry). */
  readonly name: string | undefined;
  readonly value: string;
}

export interface RunnerService {
  readonly name: TomlString | undefined;
  readonly alias: TomlString | undefined;
}

/** A key/value written in the file, with its key for ranges. */
export interface TomlSetting {
  readonly pair: TomlKeyValue;
  readonly node: TomlNode;
}

/** Where `FF_NETWORK_PER_BUILD` is decided for a runner, and to what. */
export interface NetworkPerBuild {
  readonly on: boolean;
  readonly source: 'feature_flags' | 'environment';
  /** The value in `[runners.feature_flags]` or the `environment` entry. */
  readonly node: TomlNode;
}

export interface StringSetting {
  readonly value: string;
  readonly node: TomlString;
}

export interface RunnerSection {
  readonly index: number;
  readonly name: string | undefined;
  readonly executor: string | undefined;
  readonly environment: readonly EnvironmentEntry[];
  readonly dockerImage: TomlString | undefined;
  readonly services: readonly RunnerService[];
  /** `services = ["…"]` written as strings (the runner expects tables). */
  readonly servicesAsStrings: readonly TomlString[];
  readonly pullPolicy: readonly StringSetting[];
  readonly allowedPullPolicies: readonly StringSetting[];
  readonly allowedImages: readonly StringSetting[];
  readonly allowedServices: readonly StringSetting[];
  readonly allowedUsers: readonly StringSetting[];
  readonly user: StringSetting | undefined;
  readonly featureFlags: ReadonlyMap<string, boolean>;
  /** Every key/value under this runner, for structural checks. */
  readonly entries: readonly TomlEntry[];
  /** The `executor` value, for ranges. */
  readonly executorNode: TomlString | undefined;
  /** The `environment` array, if written. */
  readonly environmentNode: TomlNode | undefined;
  readonly allowedPrivilegedImages: readonly StringSetting[];
  readonly allowedPrivilegedServices: readonly StringSetting[];
  /** `[runners.docker] network_mode`. */
  readonly networkMode: StringSetting | undefined;
  /** `[runners.docker] links`. */
  readonly links: TomlSetting | undefined;
  /** `[runners.docker] services = [...]` written as an array (strings or inline tables). */
  readonly servicesArray: TomlSetting | undefined;
  /** `[runners.feature_flags]` entries, for ranges. */
  readonly featureFlagNodes: ReadonlyMap<string, TomlKeyValue>;
  /** Whether a `[runners.docker]` table (or any `docker.*` key) is written. */
  readonly hasDockerSection: boolean;
}

export interface RunnerConfigModel {
  readonly toml: TomlModel;
  readonly text: string;
  readonly runners: readonly RunnerSection[];
}

function collectEntries(pairs: readonly TomlKeyValue[], prefix: readonly (string | number)[], into: TomlEntry[]): void {
  for (const pair of pairs) {
    const path = [...prefix, ...keyPath(pair)];
    into.push({ path, node: pair.value, pair });
    if (pair.value.type === 'TOMLInlineTable') collectEntries(pair.value.body, path, into);
  }
}

function isString(node: TomlNode | undefined): node is TomlString {
  return node?.type === 'TOMLValue' && node.kind === 'string';
}

/** A string or an array of strings (`pull_policy = "always"` or `["always", "if-not-present"]`). */
function stringList(node: TomlNode | undefined): StringSetting[] {
  if (isString(node)) return [{ value: node.value, node }];
  if (node?.type !== 'TOMLArray') return [];
  return node.elements.filter(isString).map((element) => ({ value: element.value, node: element }));
}

function samePath(path: readonly (string | number)[], expected: readonly (string | number)[]): boolean {
  return path.length === expected.length && path.every((part, i) => part === expected[i]);
}

export function parseRunnerConfig(text: string): RunnerConfigModel {
  const toml = parseTomlModel(text);
  const entries: TomlEntry[] = [];
  for (const item of toml.program?.body[0].body ?? []) {
    if (item.type === 'TOMLKeyValue') collectEntries([item], [], entries);
    else collectEntries(item.body, item.resolvedKey, entries);
  }
  // `[[runners]]` tables are numbered by the parser: path ['runners', N, ...].
  const byRunner = new Map<number, TomlEntry[]>();
  for (const entry of entries) {
    const [first, index] = entry.path;
    if (first !== 'runners' || typeof index !== 'number') continue;
    const list = byRunner.get(index) ?? [];
    list.push(entry);
    byRunner.set(index, list);
  }
  // Empty `[[runners]]` tables count too.
  for (const item of toml.program?.body[0].body ?? []) {
    if (item.type === 'TOMLTable' && item.resolvedKey[0] === 'runners' && typeof item.resolvedKey[1] === 'number') {
      if (!byRunner.has(item.resolvedKey[1])) byRunner.set(item.resolvedKey[1], []);
    }
  }
  // `[runners.docker]` written with no keys still makes a Docker section.
  const dockerTables = new Set<number>();
  for (const item of toml.program?.body[0].body ?? []) {
    if (item.type === 'TOMLTable' && item.resolvedKey[0] === 'runners' && typeof item.resolvedKey[1] === 'number' && item.resolvedKey[2] === 'docker') {
      dockerTables.add(item.resolvedKey[1]);
    }
  }
  const runners = [...byRunner.entries()].sort(([a], [b]) => a - b).map(([index, list]) => readRunner(index, list, dockerTables));
  return { toml, text, runners };
}

function readRunner(index: number, entries: TomlEntry[], dockerTables: ReadonlySet<number>): RunnerSection {
  const at = (...rest: string[]) => entries.find((entry) => samePath(entry.path, ['runners', index, ...rest]))?.node;
  const environment: EnvironmentEntry[] = [];
  const environmentNode = at('environment');
  if (environmentNode?.type === 'TOMLArray') {
    for (const element of environmentNode.elements) {
      if (!isString(element)) continue;
      const eq = element.value.indexOf('=');
      environment.push(eq === -1
        ? { node: element, name: undefined, value: '' }
        : { node: element, name: element.value.slice(0, eq), value: element.value.slice(eq + 1) });
    }
  }
  // `[[runners.docker.services]]` tables: path ['runners', i, 'docker', 'services', j, key].
  const services = new Map<number, { name?: TomlString; alias?: TomlString }>();
  let servicesAsStrings: TomlString[] = [];
  let servicesArray: TomlSetting | undefined;
  for (const entry of entries) {
    const [, , docker, servicesKey, serviceIndex, field] = entry.path;
    if (docker !== 'docker' || servicesKey !== 'services') continue;
    if (entry.path.length === 4 && entry.node.type === 'TOMLArray') {
      servicesAsStrings = entry.node.elements.filter(isString);
      servicesArray = { pair: entry.pair, node: entry.node };
      // `services = [{ name = "…" }]` is an array of inline tables: the same type as `[[runners.docker.services]]`.
      entry.node.elements.forEach((element, j) => {
        if (element.type !== 'TOMLInlineTable') return;
        const service = services.get(j) ?? {};
        for (const pair of element.body) {
          const [field] = keyPath(pair);
          if (field === 'name' && isString(pair.value)) service.name = pair.value;
          if (field === 'alias' && isString(pair.value)) service.alias = pair.value;
        }
        services.set(j, service);
      });
      continue;
    }
    if (typeof serviceIndex !== 'number') continue;
    const service = services.get(serviceIndex) ?? {};
    if (field === 'name' && isString(entry.node)) service.name = entry.node;
    if (field === 'alias' && isString(entry.node)) service.alias = entry.node;
    services.set(serviceIndex, service);
  }
  const featureFlags = new Map<string, boolean>();
  const featureFlagNodes = new Map<string, TomlKeyValue>();
  for (const entry of entries) {
    const [, , table, flag] = entry.path;
    if (table === 'feature_flags' && typeof flag === 'string' && entry.path.length === 4 && entry.node.type === 'TOMLValue' && entry.node.kind === 'boolean') {
      featureFlags.set(flag, entry.node.value);
      featureFlagNodes.set(flag, entry.pair);
    }
  }
  const setting = (...rest: string[]): TomlSetting | undefined => {
    const entry = entries.find((e) => samePath(e.path, ['runners', index, ...rest]));
    return entry ? { pair: entry.pair, node: entry.node } : undefined;
  };
  const networkMode = at('docker', 'network_mode');
  const name = at('name');
  const executor = at('executor');
  const user = at('docker', 'user');
  const dockerImage = at('docker', 'image');
  return {
    index,
    name: isString(name) ? name.value : undefined,
    executor: isString(executor) ? executor.value : undefined,
    environment,
    dockerImage: isString(dockerImage) ? dockerImage : undefined,
    services: [...services.entries()].sort(([a], [b]) => a - b).map(([, s]) => ({ name: s.name, alias: s.alias })),
    servicesAsStrings,
    pullPolicy: stringList(at('docker', 'pull_policy')),
    allowedPullPolicies: stringList(at('docker', 'allowed_pull_policies')),
    allowedImages: stringList(at('docker', 'allowed_images')),
    allowedServices: stringList(at('docker', 'allowed_services')),
    allowedUsers: stringList(at('docker', 'allowed_users')),
    user: isString(user) ? { value: user.value, node: user } : undefined,
    featureFlags,
    entries,
    executorNode: isString(executor) ? executor : undefined,
    environmentNode,
    allowedPrivilegedImages: stringList(at('docker', 'allowed_privileged_images')),
    allowedPrivilegedServices: stringList(at('docker', 'allowed_privileged_services')),
    networkMode: isString(networkMode) ? { value: networkMode.value, node: networkMode } : undefined,
    links: setting('docker', 'links'),
    servicesArray,
    featureFlagNodes,
    hasDockerSection: entries.some((entry) => entry.path[2] === 'docker') || dockerTables.has(index),
  };
}

/** `strconv.ParseBool`, which the runner's feature flags use; anything else is off (with a log line). */
export function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/**
 * Where this runner decides `FF_NETWORK_PER_BUILD` (REFERENCE §4.1, §4.5): its
 * `[runners.feature_flags]` table (which jobs cannot override), else its `environment`
 * (the last entry of that name wins; job variables can still override it).
 */
export function getNetworkPerBuild(runner: RunnerSection): NetworkPerBuild | undefined {
  const flag = runner.featureFlagNodes.get('FF_NETWORK_PER_BUILD');
  if (flag) return { on: flag.value.type === 'TOMLValue' && flag.value.kind === 'boolean' && flag.value.value, source: 'feature_flags', node: flag.value };
  let entry: EnvironmentEntry | undefined;
  for (const e of runner.environment) if (e.name === 'FF_NETWORK_PER_BUILD') entry = e;
  return entry ? { on: parseGoBool(entry.value) === true, source: 'environment', node: entry.node } : undefined;
}

/** Whether the runner turns `FF_NETWORK_PER_BUILD` on (feature_flags table or environment, REFERENCE §4.5). */
export function hasNetworkPerBuild(runner: RunnerSection): boolean {
  return getNetworkPerBuild(runner)?.on === true;
}

/** The executors that read `[runners.docker]` (REFERENCE §4.1). */
export function isDockerExecutor(runner: RunnerSection): boolean {
  return runner.executor === undefined ? runner.hasDockerSection : /^docker(?:$|[+-])/.test(runner.executor);
}

/** A runner's label for messages: its `name`, else its position. */
export function describeRunner(runner: RunnerSection): string {
  return runner.name ? `\`${runner.name}\`` : `#${runner.index + 1}`;
}
