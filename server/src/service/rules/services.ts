/**
 * service/* — the services of each job and the hostnames they answer to
 * (SPEC §1, REFERENCE §3.5, §4.5).
 *
 * A job's services are its effective `services:` (after `default:`, `extends`,
 * anchors and `!reference`) plus the services of the runner `config.toml` files in
 * the workspace, which the runner starts first for every job (RDSVC
 * `getServicesDefinitions`). Hostnames are derived from the expanded name exactly as
 * the runner derives them; a name or alias whose value is only known at run time
 * leaves the job's hostnames unknown, and the rules then stay silent.
 */
import type { Finding, FixData, RelatedPlace } from '../finding';
import { describeImageOrigin, type CiAnalysis, type EffectiveJob, type ImageUse, type VariableDefinition } from '../model/ciModel';
import {
  describeRunner,
  getNetworkPerBuild,
  isDockerExecutor,
  parseGoBool,
  type RunnerConfigModel,
  type RunnerSection,
} from '../model/runnerModel';
import type { WorkspaceView } from '../model/workspace';
import { decodeTomlString, type TomlString } from '../parse/tomlModel';
import { getValue, scalarText, type YNode, type YScalar } from '../parse/yamlModel';
import { decodeYamlScalar } from '../parse/yamlScalar';
import { parseImageReference } from '../reference/parseReference';
import { getAliasParts, getServiceHostnames, type ServiceHostname } from '../reference/serviceHostnames';
import type { Settings } from '../settings';
import type { SourceMap } from '../text/sourceMap';
import { expandVariables, getPredefinedVariables, type VariableLookup, type VariableOrigin } from '../variables';
import { code, list } from '../text/markdown';

/** What the service, ci and runner rules read besides the document. */
export interface RuleContext {
  readonly settings: Settings;
  readonly workspace: WorkspaceView;
}

/** A string as written in the document: its decoded text and the map back to the characters. */
interface Written {
  readonly text: string;
  readonly map: SourceMap;
  /** The whole scalar or string, quotes included. */
  readonly start: number;
  readonly end: number;
}

/** One service container a job starts. */
export interface JobService {
  readonly source: 'gitlab-ci' | 'runner-config';
  /** `job \`x\``, `template \`.t\``, `\`default:\``, `runner \`docker\``. */
  readonly where: string;
  /** The name as written. */
  readonly written: string;
  /** The name after variable expansion, when every variable in it has a known value. */
  readonly expanded: string | undefined;
  /** Undefined when a variable's run-time value decides them, or the name does not parse. */
  readonly hostnames: readonly ServiceHostname[] | undefined;
  /** In the `.gitlab-ci.yml`: the written name and alias. */
  readonly use?: ImageUse;
  readonly aliasNode?: YScalar;
  /** In a runner `config.toml`: its runner and strings. */
  readonly runner?: RunnerSection;
  readonly runnerUri?: string;
  readonly nameString?: TomlString;
  readonly aliasString?: TomlString;
}

/** The services a runner adds to every job it runs. */
export interface RunnerServices {
  readonly uri: string;
  readonly runner: RunnerSection;
  readonly services: readonly JobService[];
}

type Definition = { readonly value: string | undefined; readonly origin: VariableOrigin };

function literal(value: string | undefined): Definition {
  // A value that uses other variables is only known at run time.
  return value === undefined || value.includes('$') ? { value: undefined, origin: 'unknown' } : { value, origin: 'literal' };
}

function projectLayer(settings: Settings): Map<string, Definition> {
  const layer = new Map<string, Definition>();
  for (const [name, value] of Object.entries(settings.variables)) layer.set(name, value === '*' ? { value: undefined, origin: 'unknown' } : literal(value));
  return layer;
}

function environmentLayer(runners: readonly RunnerSection[]): Map<string, Definition> {
  const layer = new Map<string, Definition>();
  for (const runner of runners) {
    for (const entry of runner.environment) if (entry.name && !layer.has(entry.name)) layer.set(entry.name, literal(entry.value));
  }
  return layer;
}

function layeredLookup(layers: ReadonlyArray<ReadonlyMap<string, Definition>>, scriptNames: ReadonlySet<string>): VariableLookup {
  return {
    get(name) {
      for (const layer of layers) {
        const definition = layer.get(name);
        if (definition) return definition;
      }
      return scriptNames.has(name) ? { value: undefined, origin: 'script' } : undefined;
    },
  };
}

function allKnown(uses: ReadonlyArray<{ readonly origin: VariableOrigin }>): boolean {
  return uses.every((use) => use.origin === 'literal');
}

/** The name and aliases of one service, expanded as the runner expands them (REFERENCE §3.3). */
function resolveHostnames(name: string, alias: string | undefined, lookup: VariableLookup): { expanded?: string; hostnames?: ServiceHostname[] } {
  const expansion = expandVariables(name, lookup);
  if (!allKnown(expansion.uses)) return {};
  const result = parseImageReference(expansion.text);
  // The runner cannot start a service whose name does not parse; image/* reports it.
  if (!result.ok) return { expanded: expansion.text };
  let expandedAlias = alias;
  if (alias !== undefined && alias.includes('$')) {
    const aliasExpansion = expandVariables(alias, lookup);
    if (!allKnown(aliasExpansion.uses)) return { expanded: expansion.text };
    expandedAlias = aliasExpansion.text;
  }
  return { expanded: expansion.text, hostnames: getServiceHostnames(result.reference, expandedAlias) };
}

/**
 * `FF_NETWORK_PER_BUILD` for a job: a runner's `[runners.feature_flags]` wins, then the
 * CI/CD variables (project settings over `.gitlab-ci.yml`), then the runner's
 * `environment` (REFERENCE §1.1: the last definition wins, and job variables come
 * after the runner's). Returns where it is turned on, or undefined when it is off.
 */
export function getJobNetworkPerBuild(effective: EffectiveJob | undefined, runners: readonly RunnerSection[], settings: Settings): string | undefined {
  const setting = settings.variables.FF_NETWORK_PER_BUILD;
  const settingValue = setting !== undefined && setting !== '*' ? parseGoBool(setting) : undefined;
  const fromJob = effective?.variables.get('FF_NETWORK_PER_BUILD');
  const jobValue = fromJob?.value !== undefined ? parseGoBool(fromJob.value) : undefined;
  const ciValue = settingValue ?? jobValue;
  const ciWhere = settingValue !== undefined ? 'in `pullguard.variables` (the project\'s CI/CD variables)' : 'in this job\'s `variables`';
  // Without a known runner, the job's own value decides; a runner's feature_flags table overrides it.
  let ciApplies = runners.length === 0;
  for (const runner of runners) {
    const decided = getNetworkPerBuild(runner);
    if (decided?.source === 'feature_flags') {
      if (decided.on) return `in \`[runners.feature_flags]\` of runner ${describeRunner(runner)}`;
      continue;
    }
    ciApplies = true;
    if (ciValue === undefined && decided?.on) return `in the \`environment\` of runner ${describeRunner(runner)}`;
  }
  return ciValue === true && ciApplies ? ciWhere : undefined;
}

/** The docker runners of the workspace. */
export function getDockerRunners(workspace: WorkspaceView): Array<{ uri: string; runner: RunnerSection; config: RunnerConfigModel }> {
  const runners: Array<{ uri: string; runner: RunnerSection; config: RunnerConfigModel }> = [];
  for (const config of workspace.runnerConfigs) {
    for (const runner of config.model.runners) if (isDockerExecutor(runner)) runners.push({ uri: config.uri, runner, config: config.model });
  }
  return runners;
}

function runnerServicesOf(uri: string, config: RunnerConfigModel, runner: RunnerSection, settings: Settings): JobService[] {
  const lookup = layeredLookup([projectLayer(settings), environmentLayer([runner]), predefinedLayer(settings)], new Set());
  const services: JobService[] = [];
  const add = (nameString: TomlString, aliasString: TomlString | undefined) => {
    const written = decodeTomlString(config.text, nameString).value;
    const alias = aliasString ? decodeTomlString(config.text, aliasString).value : undefined;
    const resolved = resolveHostnames(written, alias, lookup);
    services.push({
      source: 'runner-config',
      where: `runner ${describeRunner(runner)}`,
      written,
      expanded: resolved.expanded,
      hostnames: resolved.hostnames,
      runner,
      runnerUri: uri,
      nameString,
      aliasString,
    });
  };
  for (const service of runner.services) if (service.name) add(service.name, service.alias);
  // Strings the runner cannot load (runner/services-as-strings) still show what was meant.
  for (const name of runner.servicesAsStrings) add(name, undefined);
  return services;
}

function predefinedLayer(settings: Settings): Map<string, Definition> {
  const layer = new Map<string, Definition>();
  for (const [name, value] of getPredefinedVariables(settings)) layer.set(name, { value, origin: 'predefined' });
  return layer;
}

/**
 * A job's services with their hostnames, computed once per analysis: written
 * strings are decoded once, runner services once per runner.
 */
export class ServiceResolver {
  private readonly decoded = new Map<YScalar, Written>();
  private readonly urls = new Map<VariableDefinition, { host: string; start: number; end: number } | undefined>();
  private readonly resolved = new Map<string, { expanded?: string; hostnames?: ServiceHostname[] }>();
  private readonly project: Map<string, Definition>;
  private readonly predefined: Map<string, Definition>;
  private readonly runnerEnvironment: Map<string, Definition>;
  private runners: RunnerServices[] | undefined;

  constructor(readonly analysis: CiAnalysis, readonly context: RuleContext) {
    this.project = projectLayer(context.settings);
    this.predefined = predefinedLayer(context.settings);
    this.runnerEnvironment = environmentLayer(getDockerRunners(context.workspace).map((r) => r.runner));
  }

  decode(node: YScalar): Written {
    let written = this.decoded.get(node);
    if (!written) {
      const { value, map } = decodeYamlScalar(this.analysis.textOf(node), node);
      written = { text: value, map, start: node.start, end: node.end };
      this.decoded.set(node, written);
    }
    return written;
  }

  /** Variables as the runner sees them for this job (precedence as for image names). */
  lookupFor(effective: EffectiveJob): VariableLookup {
    // A view over the job's variables rather than a copy: most jobs share the global ones.
    const job = {
      get: (name: string): Definition | undefined => {
        const definition = effective.variables.get(name);
        return definition && literal(definition.value);
      },
    } as ReadonlyMap<string, Definition>;
    return layeredLookup([this.project, job, this.runnerEnvironment, this.predefined], effective.scriptAssignments);
  }

  /** The URL host in a variable's value, parsed once per definition. */
  urlHostOf(definition: VariableDefinition): { host: string; start: number; end: number } | undefined {
    if (!this.urls.has(definition)) {
      const value = definition.value;
      this.urls.set(definition, value === undefined || value.includes('$') ? undefined : findUrlHost(value));
    }
    return this.urls.get(definition);
  }

  aliasNodeOf(use: ImageUse): YScalar | undefined {
    const alias = use.role === 'service' && use.hash ? getValue(use.hash, 'alias') : undefined;
    return alias?.kind === 'scalar' && scalarText(alias) !== undefined ? alias : undefined;
  }

  /** The job's own services (from `.gitlab-ci.yml`), in order. */
  getCiServices(effective: EffectiveJob): JobService[] {
    const lookup = this.lookupFor(effective);
    return effective.services.map((use) => {
      const aliasNode = this.aliasNodeOf(use);
      const written = this.decode(use.name).text;
      const alias = aliasNode ? this.decode(aliasNode).text : undefined;
      // Without variables the result is the same for every job that uses the service.
      const key = written.includes('$') || alias?.includes('$') ? undefined : `${written}\0${alias ?? ''}`;
      let resolved = key === undefined ? undefined : this.resolved.get(key);
      if (!resolved) {
        resolved = resolveHostnames(written, alias, lookup);
        if (key !== undefined) this.resolved.set(key, resolved);
      }
      return { source: 'gitlab-ci', where: describeImageOrigin(use.origin), written, expanded: resolved.expanded, hostnames: resolved.hostnames, use, aliasNode };
    });
  }

  /** The services each docker runner of the workspace adds to every job. */
  getRunnerServices(): readonly RunnerServices[] {
    this.runners ??= getDockerRunners(this.context.workspace).map(({ uri, runner, config }) => ({
      uri,
      runner,
      services: runnerServicesOf(uri, config, runner, this.context.settings),
    }));
    return this.runners;
  }

  /** Every service written in the file (jobs, templates, `default:`, top level), each once. */
  getWrittenServices(): ImageUse[] {
    const seen = new Set<YScalar>();
    const uses: ImageUse[] = [];
    const add = (use: ImageUse) => {
      // One written in an included file is checked there.
      if (seen.has(use.name) || use.origin.file) return;
      seen.add(use.name);
      uses.push(use);
    };
    for (const job of this.analysis.jobsInScope()) for (const use of this.analysis.getEffectiveJob(job).services) add(use);
    const { defaultMap, root } = this.analysis.model;
    for (const [map, kind] of [[defaultMap, 'default'], [root, 'top-level']] as const) {
      const services = map ? getValue(map, 'services') : undefined;
      for (const item of services?.kind === 'seq' ? services.items : []) {
        const name = item.kind === 'map' ? getValue(item, 'name') : item;
        if (name?.kind === 'scalar' && scalarText(name) !== undefined) add({ role: 'service', name, hash: item.kind === 'map' ? item : undefined, origin: { kind } });
      }
    }
    return uses.sort((a, b) => a.name.start - b.name.start);
  }
}

// ---- Ranges --------------------------------------------------------------------

function placeIn(written: Written, start: number, end: number): { offset: number; length: number } {
  const span = written.map.spanToSource(start, end);
  return { offset: span.start, length: Math.max(1, span.end - span.start) };
}

function wholeName(written: Written): { offset: number; length: number } {
  return placeIn(written, 0, written.text.length);
}

// ---- service/alias-collision ------------------------------------------------------

interface Started {
  readonly service: JobService;
  readonly hostname: ServiceHostname;
}

/** Where a hostname of a CI service is written: the alias word, or the name. */
function hostnamePlace(resolver: ServiceResolver, service: JobService, hostname: ServiceHostname): { offset: number; length: number } {
  if (hostname.source === 'alias' && service.aliasNode) {
    const alias = resolver.decode(service.aliasNode);
    const part = getAliasParts(alias.text).find((p) => p.alias.toLowerCase() === hostname.hostname.toLowerCase());
    if (part) return placeIn(alias, part.start, part.end);
  }
  return wholeName(resolver.decode(service.use!.name));
}

/** Who already answers to a hostname, for messages. */
function describeOwner(first: JobService, sameRunner = false): string {
  if (first.source === 'gitlab-ci') return `the service ${code(first.written)} (${first.where})`;
  return sameRunner
    ? `the service ${code(first.written)} that this runner starts before it`
    : `the service ${code(first.written)} that ${first.where} starts first for every job (its \`config.toml\`)`;
}

function collisionMessage(later: JobService, taken: readonly ServiceHostname[], owner: string, allTaken: boolean): string {
  const names = taken.map((h) => h.hostname);
  const shared = names.length === 1 ? `the hostname ${code(names[0]!)}` : `the hostnames ${list(names)}`;
  if (allTaken) {
    return `${code(later.written)} answers only to ${shared}, which ${owner} already has: the runner logs "Service ${later.expanded ?? later.written} is already created. Ignoring." and never starts this container. Give each service a distinct \`alias\` and connect to that.`;
  }
  return `${code(later.written)} also answers to ${shared}, which ${owner} already has, so connections to ${names.length === 1 ? 'it' : 'them'} reach that service, not this one. Give each service a distinct \`alias\` and connect to that.`;
}

/**
 * Two services of a job (the runner's first, then the job's) that share a hostname:
 * the runner links the first and ignores the second (RDSVC `createFromServiceDefinition`).
 * @example services: [postgres:16.4, postgres:16.4]                      → alias-collision on the second
 * @example services: [{name: postgres:16.4, alias: db-a}, {name: postgres:16.4, alias: db-b}] → no finding (each has a name of its own)
 */
function findCollisions(
  resolver: ServiceResolver,
  runnerServices: readonly JobService[],
  jobServices: readonly JobService[],
  into: Map<string, Finding>,
): void {
  const started = new Map<string, Started[]>();
  const start = (service: JobService) => {
    for (const hostname of service.hostnames ?? []) {
      const key = hostname.hostname.toLowerCase();
      const owners = started.get(key) ?? [];
      owners.push({ service, hostname });
      started.set(key, owners);
    }
  };
  const fixes: Array<{ key: string; service: JobService; blame: ServiceHostname }> = [];
  for (const service of runnerServices) start(service);
  for (const service of jobServices) {
    const hostnames = service.hostnames ?? [];
    const taken = hostnames.filter((h) => started.has(h.hostname.toLowerCase()));
    const distinctTaken = new Set(taken.map((h) => h.hostname.toLowerCase()));
    const allTaken = distinctTaken.size === new Set(hostnames.map((h) => h.hostname.toLowerCase())).size;
    // Sharing only a derived name while each has an alias of its own is the documented fix, not a mistake.
    const chosen = taken.filter((h) => h.source === 'alias' || started.get(h.hostname.toLowerCase())!.some((s) => s.hostname.source === 'alias'));
    // A service written in an included file is reported there, not at offsets of this file.
    if (taken.length > 0 && (allTaken || chosen.length > 0) && !service.use?.origin.file) {
      const shown = allTaken ? taken : chosen;
      const earlier = started.get(shown[0]!.hostname.toLowerCase())!;
      const blame = allTaken ? { hostname: shown[0]!.hostname, source: 'derived' as const } : shown[0]!;
      const place = hostnamePlace(resolver, service, blame);
      const key = `${place.offset}:${[...distinctTaken].sort().join(',')}`;
      if (!into.has(key)) {
        const related: RelatedPlace[] = [];
        const other = earlier[0]!.service;
        if (other.use && !other.use.origin.file) related.push({ ...wholeName(resolver.decode(other.use.name)), message: `${code(other.written)} (${other.where}) answers to ${code(shown[0]!.hostname)} first` });
        into.set(key, { code: 'service/alias-collision', ...place, message: collisionMessage(service, dedupeHostnames(shown), describeOwner(other), allTaken), ...(related.length > 0 ? { related } : {}) });
        fixes.push({ key, service, blame });
      }
    }
    start(service);
  }
  // Fixes pick an alias no service of the job has: known once every service has started.
  const count = (hostname: string) => started.get(hostname)?.length ?? 0;
  for (const { key, service, blame } of fixes) {
    const fix = getCiAliasFix(resolver, service, blame, count);
    if (fix) into.set(key, { ...into.get(key)!, data: fix });
  }
}

/** How many of the services answer to a hostname (lowercase). */
type HostnameCount = (hostname: string) => number;

/** An alias no service answers to yet: `postgres-2` for `postgres:16.4`, `cache-2` for `cache`. */
function getFreeAlias(service: JobService, count: HostnameCount, from?: string): string {
  const name = from ?? (service.expanded ?? service.written).replace(/@.*$/, '').split('/').pop()!.replace(/:[^:]*$/, '');
  const base = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'service';
  for (let n = 2; ; n++) if (count(`${base}-${n}`) === 0) return `${base}-${n}`;
}

/** The end of the line at `offset` (before its line break), and that line break. */
function lineEndAt(text: string, offset: number): { end: number; newline: string } {
  const lf = text.indexOf('\n', offset);
  if (lf === -1) return { end: text.length, newline: '\n' };
  return text[lf - 1] === '\r' ? { end: lf - 1, newline: '\r\n' } : { end: lf, newline: '\n' };
}

/**
 * The fix of a collision in the `.gitlab-ci.yml`: rename the colliding alias, or give
 * the service an alias (a string service becomes `{name: …, alias: …}`).
 */
function getCiAliasFix(resolver: ServiceResolver, service: JobService, blame: ServiceHostname, count: HostnameCount): FixData | undefined {
  const use = service.use;
  if (!use) return undefined;
  const text = resolver.analysis.model.text;
  if (service.aliasNode) {
    // The colliding alias, renamed in place when it is written as it reads.
    const written = resolver.decode(service.aliasNode);
    const parts = getAliasParts(written.text);
    const part = blame.source === 'alias'
      ? parts.find((p) => p.alias.toLowerCase() === blame.hostname.toLowerCase())
      : parts.find((p) => count(p.alias.toLowerCase()) > 1);
    const at = part && placeIn(written, part.start, part.end);
    if (!part || !at || at.length !== part.end - part.start) return undefined;
    const renamed = getFreeAlias(service, count, part.alias);
    return { fix: 'edits', title: `Rename the alias \`${part.alias}\` to \`${renamed}\``, edits: [{ ...at, newText: renamed }] };
  }
  const alias = getFreeAlias(service, count);
  const { name } = use;
  if (name.style === 'literal' || name.style === 'folded') return undefined;
  if (!use.hash) {
    return { fix: 'edits', title: `Add alias \`${alias}\``, edits: [{ offset: name.start, length: name.end - name.start, newText: `{name: ${text.slice(name.start, name.end)}, alias: ${alias}}` }] };
  }
  const namePair = use.hash.pairs.find((pair) => pair.value === name);
  if (!namePair) return undefined;
  if (text[use.hash.start] === '{') return { fix: 'edits', title: `Add alias \`${alias}\``, edits: [{ offset: name.end, length: 0, newText: `, alias: ${alias}` }] };
  const lineStart = text.lastIndexOf('\n', namePair.key.start - 1) + 1;
  const line = lineEndAt(text, name.end);
  const indent = text.slice(lineStart, namePair.key.start).replace(/[^\t]/g, ' ');
  if (!/^[ \t]*(?:#.*)?$/.test(text.slice(name.end, line.end))) return undefined;
  return { fix: 'edits', title: `Add alias \`${alias}\``, edits: [{ offset: line.end, length: 0, newText: `${line.newline}${indent}alias: ${alias}` }] };
}

/** The fix of a collision among a runner's own services: give the service an `alias`. */
function getRunnerAliasFix(config: RunnerConfigModel, service: JobService, count: HostnameCount): FixData | undefined {
  const name = service.nameString;
  if (!name || service.aliasString || !config.runners.some((runner) => runner.services.some((s) => s.name === name))) return undefined;
  const text = config.text;
  const alias = getFreeAlias(service, count);
  const [start, end] = name.range;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const before = text.slice(lineStart, start);
  if (/\{[^{}]*$/.test(before)) return { fix: 'edits', title: `Add alias \`${alias}\``, edits: [{ offset: end, length: 0, newText: `, alias = "${alias}"` }] };
  const keyLine = /^([ \t]*)name[ \t]*=[ \t]*$/.exec(before);
  const line = lineEndAt(text, end);
  if (!keyLine || !/^[ \t]*(?:#.*)?$/.test(text.slice(end, line.end))) return undefined;
  return { fix: 'edits', title: `Add alias \`${alias}\``, edits: [{ offset: line.end, length: 0, newText: `${line.newline}${keyLine[1]}alias = "${alias}"` }] };
}

function dedupeHostnames(hostnames: readonly ServiceHostname[]): ServiceHostname[] {
  const seen = new Set<string>();
  return hostnames.filter((h) => !seen.has(h.hostname.toLowerCase()) && seen.add(h.hostname.toLowerCase()));
}

// ---- service/unknown-host ------------------------------------------------------------

/** `scheme://[user[:password]@]HOST[:port][/…]`: the host and where it is in the value. */
export function findUrlHost(value: string): { host: string; start: number; end: number } | undefined {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(value);
  if (!scheme) return undefined;
  const authorityStart = scheme[0].length;
  let authorityEnd = value.length;
  for (const ch of ['/', '?', '#']) {
    const at = value.indexOf(ch, authorityStart);
    if (at !== -1 && at < authorityEnd) authorityEnd = at;
  }
  const authority = value.slice(authorityStart, authorityEnd);
  const hostStart = authorityStart + authority.lastIndexOf('@') + 1;
  let hostEnd = authorityEnd;
  const port = /:\d*$/.exec(value.slice(hostStart, authorityEnd));
  if (port) hostEnd -= port[0].length;
  const host = value.slice(hostStart, hostEnd);
  return host ? { host, start: hostStart, end: hostEnd } : undefined;
}

/** A host that can only be a container on the job's network: one DNS label, not an address. */
function isSingleLabelHost(host: string): boolean {
  return /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$/.test(host) && !/^\d+$/.test(host) && host.toLowerCase() !== 'localhost';
}

/** `links = ["container:alias"]` and `extra_hosts = ["name:ip"]` also give a job hostnames. */
function extraHostnames(runner: RunnerSection): string[] {
  const names: string[] = [];
  for (const entry of runner.entries) {
    const [, , docker, key] = entry.path;
    if (docker !== 'docker' || entry.path.length !== 4 || entry.node.type !== 'TOMLArray') continue;
    for (const element of entry.node.elements) {
      if (element.type !== 'TOMLValue' || element.kind !== 'string') continue;
      if (key === 'links') names.push(element.value.slice(element.value.indexOf(':') + 1));
      if (key === 'extra_hosts') names.push(element.value.slice(0, element.value.indexOf(':') === -1 ? undefined : element.value.indexOf(':')));
    }
  }
  return names;
}

interface UnknownHost {
  readonly node: YScalar;
  readonly host: string;
  readonly place: { offset: number; length: number };
  readonly jobs: string[];
  readonly services: readonly JobService[];
}

function variableValueNode(definition: VariableDefinition): YScalar | undefined {
  const node: YNode | undefined = definition.node?.kind === 'map' ? getValue(definition.node, 'value') : definition.node;
  return node?.kind === 'scalar' && typeof node.value === 'string' ? node : undefined;
}

function unknownHostMessage(found: UnknownHost): string {
  const [job, ...others] = found.jobs;
  const also = others.length > 0 ? ` (the same in ${others.length === 1 ? 'job' : 'jobs'} ${list(others.slice(0, 3))}${others.length > 3 ? ` and ${others.length - 3} more` : ''})` : '';
  const host = code(found.host);
  const ciServices = found.services.filter((s) => s.source === 'gitlab-ci');
  const renamed = ciServices.find((s) => s.hostnames?.some((h) => h.source === 'derived' && (h.hostname.endsWith(`__${found.host}`) || h.hostname.endsWith(`-${found.host}`))));
  if (renamed) {
    const derived = renamed.hostnames!.filter((h) => h.source === 'derived').map((h) => h.hostname);
    return `No service of job ${code(job!)} answers to ${host}${also}: ${code(renamed.written)} is reachable as ${list(derived, 'or')}, so connecting to ${host} will fail. Add \`alias: ${found.host}\` to the service, or use one of its hostnames.`;
  }
  if (found.services.length === 0) {
    return `Job ${code(job!)} has no services${also}, so nothing answers to ${host} and connecting to it will fail. Add the service this URL points to, or fix the host.`;
  }
  const names = [...new Set(found.services.flatMap((s) => (s.hostnames ?? []).map((h) => h.hostname)))];
  return `No service of job ${code(job!)} answers to ${host}${also}: its services answer to ${list(names.slice(0, 6))}${names.length > 6 ? ' and others' : ''}, so connecting to ${host} will fail. Add \`alias: ${found.host}\` to the service meant, or use one of its hostnames.`;
}

// ---- service/invalid-alias, alias-variable, reserved-alias ---------------------------

const RFC1123_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why an alias is not an RFC 1123 subdomain, or undefined when it is one. */
export function getAliasProblem(alias: string): string | undefined {
  if (alias.includes('_')) return '`_` is not allowed in RFC 1123 host names';
  if (alias !== alias.toLowerCase()) return 'RFC 1123 names used by Kubernetes must be lowercase';
  if (alias.length > 253) return 'it is longer than 253 characters';
  for (const label of alias.split('.')) {
    if (label.length > 63) return `the label ${code(label.slice(0, 20) + '…')} is longer than 63 characters`;
    if (!RFC1123_LABEL.test(label)) {
      if (label === '') return 'it has an empty label (two dots, or a dot at an end)';
      if (label.startsWith('-') || label.endsWith('-')) return `the label ${code(label)} starts or ends with \`-\``;
      return 'only lowercase letters, digits, `-` and `.` are allowed in RFC 1123 host names';
    }
  }
  return undefined;
}

function invalidAliasFinding(alias: string, problem: string, place: { offset: number; length: number }): Finding {
  return {
    code: 'service/invalid-alias',
    ...place,
    message: `${code(alias)} is not a valid hostname (${problem}): some clients will refuse to connect to it, and the Kubernetes executor fails the job with \`provided host alias … is invalid DNS\`.`,
  };
}

const VARIABLE_REFERENCE = /\$\$|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g;

/**
 * Checks of every alias written in the file: hostname validity and variables.
 * @example alias: db_primary   → service/invalid-alias
 * @example alias: $DB_HOST     → service/alias-variable
 */
function checkWrittenAliases(resolver: ServiceResolver): Finding[] {
  const findings: Finding[] = [];
  for (const use of resolver.getWrittenServices()) {
    const aliasNode = resolver.aliasNodeOf(use);
    if (!aliasNode) continue;
    const alias = resolver.decode(aliasNode);
    for (const match of alias.text.matchAll(VARIABLE_REFERENCE)) {
      if (match[0] === '$$') continue;
      const name = match[0].replace(/^\$\{?|\}$/g, '');
      const global = resolver.analysis.model.globalVariables.get(name)?.value;
      const expandsTo = global !== undefined && !global.includes('$') ? ` (to ${code(global)} here)` : '';
      findings.push({
        code: 'service/alias-variable',
        ...placeIn(alias, match.index, match.index + match[0].length),
        message: `GitLab's docs say variables are not supported in \`alias\`; GitLab Runner 16.0 and later expand ${code(match[0])}${expandsTo}, older runners use it literally, so the service's hostname depends on the runner version.`,
      });
    }
    for (const part of getAliasParts(alias.text)) {
      if (part.alias.includes('$')) continue;
      const problem = getAliasProblem(part.alias);
      if (problem) findings.push(invalidAliasFinding(part.alias, problem, placeIn(alias, part.start, part.end)));
    }
  }
  return findings;
}

function reservedAliasFinding(place: { offset: number; length: number }, where: string): Finding {
  return {
    code: 'service/reserved-alias',
    ...place,
    message: `With \`FF_NETWORK_PER_BUILD\` on (${where}), the job container itself answers to \`build\` on the job's network; a service alias \`build\` collides with it, so connections to \`build\` may reach either container. Rename the alias.`,
  };
}

// ---- The checks ----------------------------------------------------------------------

/**
 * service/* in a `.gitlab-ci.yml`: per job (services after `default:`/`extends`, plus
 * the workspace runners'), hostname collisions, URLs to hosts no service answers to,
 * and the alias `build` on a per-job network; per written alias, validity and variables.
 * @example services: [docker.io/library/postgres:16] + DATABASE_URL: postgres://u@postgres/db → service/unknown-host on `postgres`
 * @example services: [postgres:16]                   + DATABASE_URL: postgres://u@postgres/db → no finding
 */
export function checkCiServices(analysis: CiAnalysis, context: RuleContext, resolver = new ServiceResolver(analysis, context)): Finding[] {
  const findings: Finding[] = [];
  const collisions = new Map<string, Finding>();
  const unknownHosts = new Map<YScalar, UnknownHost>();
  const reserved = new Map<YScalar, Finding>();
  const runners = resolver.getRunnerServices();
  const runnerSections = runners.map((r) => r.runner);
  const runnerHostnames = new Set<string>();
  let runnerHostnamesKnown = true;
  for (const { runner, services } of runners) {
    for (const service of services) {
      if (!service.hostnames) runnerHostnamesKnown = false;
      for (const h of service.hostnames ?? []) runnerHostnames.add(h.hostname.toLowerCase());
    }
    for (const name of extraHostnames(runner)) runnerHostnames.add(name.toLowerCase());
  }

  for (const job of analysis.jobsInScope()) {
    if (job.hidden) continue;
    const effective = analysis.getEffectiveJob(job);
    if (effective.isTrigger) continue;
    const services = resolver.getCiServices(effective);

    const networkPerBuild = getJobNetworkPerBuild(effective, runnerSections, context.settings);
    if (networkPerBuild) {
      for (const service of services) {
        if (!service.aliasNode || reserved.has(service.aliasNode) || service.use?.origin.file) continue;
        const alias = resolver.decode(service.aliasNode);
        const part = getAliasParts(alias.text).find((p) => p.alias.toLowerCase() === 'build');
        if (part) reserved.set(service.aliasNode, reservedAliasFinding(placeIn(alias, part.start, part.end), networkPerBuild));
      }
    }

    if (effective.unknown.services || services.some((s) => !s.hostnames)) continue;
    // Without runners, or the same for each: first the job's own services, then against each runner's.
    findCollisions(resolver, [], services, collisions);
    for (const runner of runners) findCollisions(resolver, runner.services, services, collisions);

    if (!runnerHostnamesKnown) continue;
    const hostnames = new Set(runnerHostnames);
    for (const service of services) for (const h of service.hostnames ?? []) hostnames.add(h.hostname.toLowerCase());
    for (const [name, definition] of effective.variables) {
      const url = resolver.urlHostOf(definition);
      if (!url || !isSingleLabelHost(url.host) || hostnames.has(url.host.toLowerCase())) continue;
      // A global URL means nothing for a job without services (a lint job inherits DATABASE_URL too).
      const isGlobal = analysis.globalVariables.get(name) === definition;
      if (isGlobal && services.length === 0) continue;
      const node = variableValueNode(definition);
      // A value written in an included file has offsets of that file.
      if (!node || analysis.fileOf(node)) continue;
      const existing = unknownHosts.get(node);
      if (existing) {
        existing.jobs.push(job.name);
        continue;
      }
      const written = resolver.decode(node);
      // The decoded value is the variable's value; find the host in it (it may be escaped in the source).
      const at = findUrlHost(written.text);
      if (!at) continue;
      unknownHosts.set(node, { node, host: url.host, place: placeIn(written, at.start, at.end), jobs: [job.name], services: [...runners.flatMap((r) => r.services), ...services] });
    }
  }

  findings.push(...collisions.values(), ...reserved.values(), ...checkWrittenAliases(resolver));
  for (const found of unknownHosts.values()) findings.push({ code: 'service/unknown-host', ...found.place, message: unknownHostMessage(found) });
  return findings;
}

/**
 * service/* in a runner `config.toml`: its own services' hostname collisions, aliases
 * that are not valid hostnames, and `build` on a per-job network.
 * @example [[runners.docker.services]] name = "mysql:8" ×2              → service/alias-collision on the second
 * @example [[runners.docker.services]] name = "mysql:8", alias = "db"  → no finding
 */
export function checkRunnerServices(config: RunnerConfigModel, settings: Settings): Finding[] {
  const findings: Finding[] = [];
  for (const runner of config.runners) {
    const services = runnerServicesOf('', config, runner, settings);
    const started = new Map<string, Started>();
    const networkPerBuild = getNetworkPerBuild(runner);
    // A runner has a few services: counted when a fix needs an alias.
    const count: HostnameCount = (hostname) => services.filter((s) => s.hostnames?.some((h) => h.hostname.toLowerCase() === hostname)).length;
    for (const service of services) {
      const alias = service.aliasString ? decodeTomlString(config.text, service.aliasString) : undefined;
      const aliasWritten: Written | undefined = alias && service.aliasString
        ? { text: alias.value, map: alias.map, start: service.aliasString.range[0], end: service.aliasString.range[1] }
        : undefined;
      const name = decodeTomlString(config.text, service.nameString!);
      const nameWritten: Written = { text: name.value, map: name.map, start: service.nameString!.range[0], end: service.nameString!.range[1] };
      for (const part of aliasWritten ? getAliasParts(aliasWritten.text) : []) {
        if (part.alias.includes('$')) continue;
        const problem = getAliasProblem(part.alias);
        if (problem) findings.push(invalidAliasFinding(part.alias, problem, placeIn(aliasWritten!, part.start, part.end)));
        if (networkPerBuild?.on && part.alias.toLowerCase() === 'build') {
          findings.push(reservedAliasFinding(placeIn(aliasWritten!, part.start, part.end), `in the ${networkPerBuild.source === 'feature_flags' ? '`[runners.feature_flags]`' : '`environment`'} of this runner`));
        }
      }
      const hostnames = dedupeHostnames(service.hostnames ?? []);
      const taken = hostnames.filter((h) => started.has(h.hostname.toLowerCase()));
      const allTaken = taken.length > 0 && taken.length === hostnames.length;
      const chosen = taken.filter((h) => h.source === 'alias' || started.get(h.hostname.toLowerCase())!.hostname.source === 'alias');
      if (allTaken || chosen.length > 0) {
        const shown = allTaken ? taken : chosen;
        const first = started.get(shown[0]!.hostname.toLowerCase())!.service;
        const fix = getRunnerAliasFix(config, service, count);
        findings.push({
          code: 'service/alias-collision',
          ...wholeName(nameWritten),
          message: collisionMessage(service, shown, describeOwner(first, true), allTaken),
          related: [{ ...wholeName(writtenOf(config, first.nameString!)), message: `${code(first.written)} answers to ${code(shown[0]!.hostname)} first` }],
          ...(fix ? { data: fix } : {}),
        });
      }
      for (const h of hostnames) if (!started.has(h.hostname.toLowerCase())) started.set(h.hostname.toLowerCase(), { service, hostname: h });
    }
  }
  return findings;
}

function writtenOf(config: RunnerConfigModel, node: TomlString): Written {
  const { value, map } = decodeTomlString(config.text, node);
  return { text: value, map, start: node.range[0], end: node.range[1] };
}
