/**
 * runner/* — a GitLab Runner `config.toml` (Docker executor), alone and against the
 * pipelines of the workspace (SPEC §1, REFERENCE §4).
 *
 * In a `config.toml`: pull policies, allowlist patterns, networking, `services`
 * written as strings, the runner's own user and private images. In a
 * `.gitlab-ci.yml`, against every docker runner `config.toml` of the workspace:
 * images the allowlists refuse, users `allowed_users` refuses, pull policies that
 * leave private images on the host, and jobs that run in the runner's default image.
 */
import type { Finding, FixData, FixEdit, RelatedPlace } from '../finding';
import type { CiAnalysis } from '../model/ciModel';
import type { ImageOccurrence } from '../model/images';
import {
  describeRunner,
  getNetworkPerBuild,
  isDockerExecutor,
  type RunnerConfigModel,
  type RunnerSection,
  type StringSetting,
} from '../model/runnerModel';
import { decodeTomlString, keyPath, type TomlKeyValue, type TomlString, type TomlTable } from '../parse/tomlModel';
import { parseImageReference } from '../reference/parseReference';
import type { Settings } from '../settings';
import { expandVariables, getPredefinedVariables, type VariableLookup } from '../variables';
import { getAllowedPullPolicies, PULL_POLICIES } from './ci';
import { suggest } from '../text/suggest';
import { getDockerRunners, type RuleContext } from './services';
import { code, list } from '../text/markdown';

function rangeOf(node: { range: readonly [number, number] }): { offset: number; length: number } {
  return { offset: node.range[0], length: Math.max(1, node.range[1] - node.range[0]) };
}

// ---- doublestar ------------------------------------------------------------------

const MAX_ALTERNATIVES = 256;
const compiled = new Map<string, RegExp | null>();

/** `{a,b}` alternatives expanded (nested, escapes kept); undefined for an unclosed brace. */
function expandBraces(pattern: string): string[] | undefined {
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') {
      i++;
      continue;
    }
    if (pattern[i] === '{') {
      open = i;
      break;
    }
  }
  if (open === -1) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
    } else if (ch === '{') {
      depth++;
    } else if (ch === '}') {
      if (--depth === 0) {
        close = i;
        break;
      }
    } else if (ch === ',' && depth === 1) {
      commas.push(i);
    }
  }
  if (close === -1) return undefined;
  const bounds = [open, ...commas, close];
  const results: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const expanded = expandBraces(pattern.slice(0, open) + pattern.slice(bounds[k]! + 1, bounds[k + 1]) + pattern.slice(close + 1));
    if (!expanded) return undefined;
    results.push(...expanded);
    if (results.length > MAX_ALTERNATIVES) return undefined;
  }
  return results;
}

function escapeChar(ch: string): string {
  return `\\u{${ch.codePointAt(0)!.toString(16)}}`;
}

/** One brace-free doublestar pattern as a regular expression source, or undefined when malformed. */
function translate(pattern: string): string | undefined {
  const chars = [...pattern];
  let source = '';
  let startOfSegment = true;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        if (startOfSegment && i + 1 >= chars.length) {
          // A trailing `/**` matches everything below, and the folder itself (`a/**` matches `a`).
          source = source.endsWith('/') ? `${source.slice(0, -1)}(?:/.*)?` : `${source}.*`;
          continue;
        }
        if (startOfSegment && chars[i + 1] === '/') {
          // `**/` is zero or more whole folders.
          source += '(?:[^/]*/)*';
          i++;
          continue;
        }
      }
      // A `**` that is not a whole segment is a single `*`, as in bash.
      source += '[^/]*';
      startOfSegment = false;
    } else if (ch === '?') {
      source += '[^/]';
      startOfSegment = false;
    } else if (ch === '[') {
      let j = i + 1;
      const negate = chars[j] === '!' || chars[j] === '^';
      if (negate) j++;
      if (j >= chars.length || chars[j] === ']') return undefined;
      let body = '';
      while (j < chars.length && chars[j] !== ']') {
        let lo = chars[j]!;
        if (lo === '\\') lo = chars[++j] ?? '';
        j++;
        if (chars[j] === '-' && j + 1 < chars.length && chars[j + 1] !== ']') {
          let hi = chars[j + 1]!;
          j += 2;
          if (hi === '\\') hi = chars[j++] ?? '';
          if (!lo || !hi || lo.codePointAt(0)! > hi.codePointAt(0)!) return undefined;
          body += `${escapeChar(lo)}-${escapeChar(hi)}`;
        } else if (lo) {
          body += escapeChar(lo);
        }
      }
      if (j >= chars.length) return undefined;
      source += negate ? `[^${body}]` : `[${body}]`;
      i = j;
      startOfSegment = false;
    } else if (ch === '\\') {
      if (i + 1 >= chars.length) return undefined;
      const next = chars[++i]!;
      source += next === '/' ? '/' : escapeChar(next);
      startOfSegment = next === '/';
    } else {
      source += ch === '/' ? '/' : escapeChar(ch);
      startOfSegment = ch === '/';
    }
  }
  return source;
}

/**
 * `doublestar.Match` (bmatcuk/doublestar v4), which the runner's allowlists use (RALLOW):
 * `*` and `?` stay within one `/`-separated part, `**` as a whole part crosses them,
 * `[…]`/`[!…]` classes, `{a,b}` alternatives, `\` escapes. A malformed pattern matches nothing.
 */
export function matchDoublestar(pattern: string, name: string): boolean {
  let regexp = compiled.get(pattern);
  if (regexp === undefined) {
    const alternatives = expandBraces(pattern);
    const sources = alternatives?.map(translate);
    regexp = sources && sources.every((s) => s !== undefined) ? new RegExp(`^(?:${sources.join('|')})$`, 'u') : null;
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, regexp);
  }
  return regexp !== null && regexp.test(name);
}

// ---- Shared facts ----------------------------------------------------------------

function decoded(config: RunnerConfigModel, node: TomlString): string {
  return decodeTomlString(config.text, node).value;
}

function runnerLookup(runner: RunnerSection, settings: Settings): VariableLookup {
  const predefined = getPredefinedVariables(settings);
  return {
    get(name) {
      const setting = settings.variables[name];
      if (setting !== undefined) return setting === '*' || setting.includes('$') ? { value: undefined, origin: 'unknown' } : { value: setting, origin: 'literal' };
      let value: string | undefined;
      for (const entry of runner.environment) if (entry.name === name) value = entry.value;
      if (value !== undefined) return value.includes('$') ? { value: undefined, origin: 'unknown' } : { value, origin: 'literal' };
      const sample = predefined.get(name);
      return sample !== undefined ? { value: sample, origin: 'predefined' } : undefined;
    },
  };
}

/** A name after the runner's expansion, or undefined when a variable's run-time value decides it. */
function expandKnown(text: string, lookup: VariableLookup): string | undefined {
  const expansion = expandVariables(text, lookup);
  return expansion.uses.every((use) => use.origin === 'literal') ? expansion.text : undefined;
}

/** The runner's `[runners.docker] image`, expanded where that is possible. */
export function getRunnerDefaultImage(config: RunnerConfigModel, runner: RunnerSection, settings: Settings): string | undefined {
  if (!runner.dockerImage) return undefined;
  const written = decoded(config, runner.dockerImage);
  return expandKnown(written, runnerLookup(runner, settings)) ?? written;
}

const ECR = /^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/;
const GCR = /^(?:[a-z0-9-]+\.)?gcr\.io$|^[a-z0-9-]+-docker\.pkg\.dev$/;
const ACR = /^[a-z0-9]+\.azurecr\.(?:io|cn|us)$/;

/**
 * Registries whose images always need credentials (ECR, GCR/Artifact Registry, ACR)
 * and the project's GitLab registry (pulled with the job token).
 */
export function isPrivateImage(expanded: string, settings: Settings): boolean {
  const result = parseImageReference(expanded);
  if (!result.ok || result.reference.isDockerHub) return false;
  const domain = result.reference.normalizedDomain.toLowerCase();
  const host = domain.replace(/:\d+$/, '');
  return ECR.test(host) || GCR.test(host) || ACR.test(host) || domain === settings.ciRegistry.toLowerCase();
}

// ---- config.toml -----------------------------------------------------------------

/**
 * `pull_policy`/`allowed_pull_policies` values other than the three (RCFG `GetPullPolicies`).
 * @example pull_policy = ["if_not_present"]   → runner/invalid-pull-policy
 * @example pull_policy = ["if-not-present"]   → no finding
 */
function checkPullPolicyValues(runner: RunnerSection): Finding[] {
  const findings: Finding[] = [];
  const check = (settings: readonly StringSetting[], key: 'pull_policy' | 'allowed_pull_policies') => {
    for (const { value, node } of settings) {
      if ((PULL_POLICIES as readonly string[]).includes(value)) continue;
      const suggestion = suggest(value, PULL_POLICIES);
      const outcome = key === 'pull_policy'
        ? `The runner rejects ${code(value)} with \`unsupported pull_policy config\`, so jobs on it cannot pull their images`
        : `${code(value)} is not a pull policy, so it never matches what a job asks for`;
      findings.push({
        code: 'runner/invalid-pull-policy',
        ...rangeOf(node),
        message: `${outcome}; the pull policies are \`always\`, \`if-not-present\` and \`never\`.${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`,
        ...(suggestion ? { data: { fix: 'replace' as const, title: `Change to "${suggestion}"`, newText: node.style === 'literal' ? `'${suggestion}'` : JSON.stringify(suggestion) } } : {}),
      });
    }
  };
  check(runner.pullPolicy, 'pull_policy');
  check(runner.allowedPullPolicies, 'allowed_pull_policies');
  return findings;
}

/**
 * `!pattern` in an allowlist: the matcher has no negation (REFERENCE §4.3, §9 Q6).
 * @example allowed_images = ["**", "!*\/kali*"]   → runner/negated-pattern on `!*\/kali*`
 * @example allowed_images = ["python:*"]         → no finding
 */
function checkNegatedPatterns(runner: RunnerSection): Finding[] {
  const findings: Finding[] = [];
  const lists: Array<[string, readonly StringSetting[]]> = [
    ['allowed_images', runner.allowedImages],
    ['allowed_services', runner.allowedServices],
    ['allowed_privileged_images', runner.allowedPrivilegedImages],
    ['allowed_privileged_services', runner.allowedPrivilegedServices],
  ];
  for (const [key, patterns] of lists) {
    const everything = patterns.find((p) => !p.value.startsWith('!') && (p.value === '**' || p.value === '**/*'));
    for (const { value, node } of patterns) {
      if (!value.startsWith('!')) continue;
      const why = everything
        ? `and ${code(everything.value)} already allows every image${value.length > 1 ? `, the ones ${code(value.slice(1))} names included` : ''}`
        : `so this pattern only matches names that start with \`!\`, which no image does`;
      findings.push({
        code: 'runner/negated-pattern',
        ...rangeOf(node),
        message: `${code(value)} has no effect: the runner's \`${key}\` matcher has no negation, ${why}. List what is allowed instead.`,
      });
    }
  }
  return findings;
}

/**
 * `network_mode` with `FF_NETWORK_PER_BUILD` on (REFERENCE §4.5).
 * @example environment = ["FF_NETWORK_PER_BUILD=true"] + network_mode = "ci"  → runner/network-mode-conflict
 * @example environment = ["FF_NETWORK_PER_BUILD=true"]                        → no finding
 */
function checkNetworkMode(runner: RunnerSection): Finding[] {
  const flag = getNetworkPerBuild(runner);
  if (!runner.networkMode || !flag?.on || runner.networkMode.value === '') return [];
  const where = flag.source === 'feature_flags' ? '`[runners.feature_flags]`' : '`environment`';
  const related: RelatedPlace[] = [{ ...rangeOf(flag.node), message: `\`FF_NETWORK_PER_BUILD\` is turned on here` }];
  return [{
    code: 'runner/network-mode-conflict',
    ...rangeOf(runner.networkMode.node),
    message: `\`network_mode = "${runner.networkMode.value}"\` and \`FF_NETWORK_PER_BUILD\` (on in ${where}) both decide which network this runner's job containers join; the runner docs say not to set \`network_mode\` when the flag is on. Keep one of them.`,
    related,
  }];
}

/**
 * `links` (REFERENCE §4.2, §4.6).
 * @example links = ["shared-mysql:mysql"]   → runner/legacy-links
 * @example (no links)                        → no finding
 */
function checkLinks(config: RunnerConfigModel, runner: RunnerSection): Finding[] {
  if (!runner.links) return [];
  const removal = removeLines(config.text, runner.links.pair.range);
  // With a fixed `network_mode` the flag would conflict with it; then only `links` goes.
  const enable = runner.networkMode ? [] : enableNetworkPerBuild(config, runner);
  const data: FixData | undefined = removal && enable
    ? { fix: 'edits', title: enable.length > 0 ? 'Remove `links` and turn on FF_NETWORK_PER_BUILD' : 'Remove `links`', edits: [removal, ...enable] }
    : undefined;
  return [{
    code: 'runner/legacy-links',
    ...rangeOf(runner.links.pair.key),
    message: '`links` relies on Docker container links, a legacy feature that Docker has deprecated (runner 18.7 and later only emulate links, through `extra_hosts`); prefer a per-job network with `FF_NETWORK_PER_BUILD`.',
    ...(data ? { data } : {}),
  }];
}

/** Removes the lines of a key/value that has its lines to itself (comments after it included). */
function removeLines(text: string, [start, end]: readonly [number, number]): FixEdit | undefined {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = text.indexOf('\n', end);
  if (lineEnd === -1) lineEnd = text.length;
  if (text.slice(lineStart, start).trim() !== '' || !/^[ \t]*(?:#.*)?\r?$/.test(text.slice(end, lineEnd))) return undefined;
  return { offset: lineStart, length: Math.min(text.length, lineEnd + 1) - lineStart, newText: '' };
}

/**
 * The edits that turn `FF_NETWORK_PER_BUILD` on for a runner: the value where it is
 * decided, else a new `environment` entry or array; `[]` when it is on already, and
 * undefined when there is no safe place to write it.
 */
function enableNetworkPerBuild(config: RunnerConfigModel, runner: RunnerSection): FixEdit[] | undefined {
  const { text } = config;
  const flag = getNetworkPerBuild(runner);
  if (flag?.on) return [];
  const entry = 'FF_NETWORK_PER_BUILD=true';
  const [flagStart, flagEnd] = flag?.node.range ?? [0, 0];
  if (flag?.source === 'feature_flags') return [{ offset: flagStart, length: flagEnd - flagStart, newText: 'true' }];
  if (flag?.source === 'environment') {
    const literal = flag.node.type === 'TOMLValue' && flag.node.kind === 'string' && flag.node.style === 'literal';
    return [{ offset: flagStart, length: flagEnd - flagStart, newText: literal ? `'${entry}'` : `"${entry}"` }];
  }
  const array = runner.environmentNode;
  if (array?.type === 'TOMLArray') {
    const [open] = array.range;
    const last = array.elements[array.elements.length - 1];
    if (!last) return [{ offset: open + 1, length: 0, newText: `"${entry}"` }];
    const before = text.slice(open + 1, array.elements[0]!.range[0]);
    const separator = before.includes('\n') ? `,${text.includes('\r\n') ? '\r\n' : '\n'}${before.slice(before.lastIndexOf('\n') + 1)}` : ', ';
    return [{ offset: last.range[1], length: 0, newText: `${separator}"${entry}"` }];
  }
  if (array) return undefined;
  // No `environment` yet: a line of its own, before the runner's first key.
  const first = runner.entries.filter((e) => e.path.length === 3).sort((a, b) => a.pair.range[0] - b.pair.range[0])[0];
  if (!first) return undefined;
  const lineStart = text.lastIndexOf('\n', first.pair.range[0] - 1) + 1;
  const indent = text.slice(lineStart, first.pair.range[0]);
  if (indent.trim() !== '') return undefined;
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  return [{ offset: lineStart, length: 0, newText: `${indent}environment = ["${entry}"]${newline}` }];
}

/**
 * A docker runner with services and no per-job network (REFERENCE §4.5; the background article).
 * @example executor = "docker" + [[runners.docker.services]]                           → runner/no-network-per-build
 * @example executor = "docker" + [[runners.docker.services]] + FF_NETWORK_PER_BUILD=true → no finding
 */
function checkNetworkPerBuild(config: RunnerConfigModel, runner: RunnerSection): Finding[] {
  if (!isDockerExecutor(runner) || !runner.executorNode) return [];
  if (runner.services.length === 0 && runner.servicesAsStrings.length === 0) return [];
  // A fixed network was chosen on purpose; network-mode-conflict covers the combination.
  if (getNetworkPerBuild(runner)?.on || runner.networkMode) return [];
  const node = runner.executorNode;
  const [start, end] = node.range;
  const lineStart = config.text.lastIndexOf('\n', start - 1) + 1;
  const indent = /^[ \t]*/.exec(config.text.slice(lineStart, start))![0];
  const newline = config.text.includes('\r\n') ? '\r\n' : '\n';
  let data: FixData | undefined;
  // `[runners.feature_flags]` wins over `environment`: a flag written there is turned on where it is.
  if (runner.environmentNode === undefined && !getNetworkPerBuild(runner) && config.text.slice(lineStart, start).trim().startsWith('executor')) {
    data = { fix: 'replace', title: 'Add FF_NETWORK_PER_BUILD=true to environment', newText: `${config.text.slice(start, end)}${newline}${indent}environment = ["FF_NETWORK_PER_BUILD=true"]` };
  } else {
    const edits = enableNetworkPerBuild(config, runner);
    if (edits && edits.length > 0) {
      data = { fix: 'edits', title: getNetworkPerBuild(runner) ? 'Turn on FF_NETWORK_PER_BUILD' : 'Add FF_NETWORK_PER_BUILD=true to environment', edits };
    }
  }
  return [{
    code: 'runner/no-network-per-build',
    ...rangeOf(node),
    message: `This Docker runner has services but no \`FF_NETWORK_PER_BUILD\`, so they run in the legacy links mode, where services cannot reach the job container and networking between services may not work; add \`FF_NETWORK_PER_BUILD=true\` to \`environment\` for a bridge network per job.`,
    ...(data ? { data } : {}),
  }];
}

/**
 * `services = ["…"]`: the runner's type is a list of tables (REFERENCE §4.2, §9 Q5).
 * @example services = ["mysql:latest"]              → runner/services-as-strings
 * @example [[runners.docker.services]] name = "mysql:latest" → no finding
 */
function checkServicesAsStrings(config: RunnerConfigModel, runner: RunnerSection): Finding[] {
  const array = runner.servicesArray;
  if (!array || runner.servicesAsStrings.length === 0 || array.node.type !== 'TOMLArray') return [];
  const newText = `[${array.node.elements.map((element) => {
    const raw = config.text.slice(element.range[0], element.range[1]);
    return element.type === 'TOMLValue' && element.kind === 'string' ? `{ name = ${raw} }` : raw;
  }).join(', ')}]`;
  return [{
    code: 'runner/services-as-strings',
    ...rangeOf(array.node),
    message: `The runner expects \`[[runners.docker.services]]\` tables with a \`name\`, not a list of strings: its configuration type has no string form for \`services\`, so it cannot load ${list(runner.servicesAsStrings.map((s) => s.value))} as written.`,
    data: { fix: 'replace', title: 'Convert to tables', newText },
  }];
}

/**
 * The runner's own `user` outside its `allowed_users`: every job fails (RCFG `IsUserAllowed`, RDOCK `getBuildContainerUser`).
 * @example user = "root" + allowed_users = ["app"]   → runner/user-not-allowed
 * @example user = "app"  + allowed_users = ["app"]   → no finding
 */
function checkRunnerUser(runner: RunnerSection): Finding[] {
  const { user, allowedUsers } = runner;
  if (!user || allowedUsers.length === 0 || allowedUsers.some((u) => u.value === user.value)) return [];
  return [{
    code: 'runner/user-not-allowed',
    ...rangeOf(user.node),
    message: `Every job on this runner will fail with \`user "${user.value}" is not an allowed user\`: the runner's own \`user\` takes precedence over the job's, and it is not one of its \`allowed_users\` (${list(allowedUsers.map((u) => u.value))}).`,
  }];
}

/**
 * `if-not-present` on a runner whose own images are private (REFERENCE §4.4).
 * @example pull_policy = "if-not-present" + image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci:1"  → runner/if-not-present-private
 * @example pull_policy = "if-not-present" + image = "ruby:3.3"                                          → no finding
 */
function checkOwnPrivateImages(config: RunnerConfigModel, runner: RunnerSection, settings: Settings): Finding[] {
  const ifNotPresent = runner.pullPolicy.find((p) => p.value === 'if-not-present');
  if (!ifNotPresent) return [];
  const lookup = runnerLookup(runner, settings);
  const names = [runner.dockerImage, ...runner.services.map((s) => s.name)]
    .filter((node): node is TomlString => node !== undefined)
    .map((node) => expandKnown(decoded(config, node), lookup))
    .filter((name): name is string => name !== undefined && isPrivateImage(name, settings));
  if (names.length === 0) return [];
  return [privateImageFinding(ifNotPresent.node, names, 'this runner')];
}

function privateImageFinding(node: TomlString | { range: readonly [number, number] }, images: readonly string[], runner: string): Finding {
  return {
    code: 'runner/if-not-present-private',
    ...rangeOf(node),
    message: `With \`if-not-present\`, ${list(images)} ${images.length === 1 ? 'stays' : 'stay'} on ${runner}'s Docker host after a job pulls ${images.length === 1 ? 'it' : 'them'} with credentials, and later jobs on the runner can use ${images.length === 1 ? 'it' : 'them'} without credentials of their own.`,
  };
}

/**
 * All runner/* checks of a runner `config.toml`.
 * @example [[runners]] executor = "docker" + [runners.docker] links = ["db:db"]  → runner/legacy-links
 * @example [[runners]] executor = "docker" + [runners.docker] image = "ruby:3.3"  → no finding
 */
/**
 * The keys of `[runners.docker]`: the TOML tags of the runner's `DockerConfig` and the
 * `DockerCredentials` it embeds (RCFG `DockerConfig`, helpers/docker/credentials.go;
 * REFERENCE §4.2 lists the ones this project reasons about).
 */
export const DOCKER_SECTION_KEYS: readonly string[] = [
  'host', 'tls_cert_path', 'tls_verify',
  'hostname', 'image', 'runtime', 'memory', 'memory_swap', 'memory_reservation', 'cgroup_parent',
  'cpuset_cpus', 'cpuset_mems', 'cpus', 'cpu_shares', 'dns', 'dns_search', 'privileged',
  'services_privileged', 'disable_entrypoint_overwrite', 'user', 'allowed_users', 'group_add',
  'userns_mode', 'cap_add', 'cap_drop', 'oom_kill_disable', 'oom_score_adjust', 'security_opt',
  'services_security_opt', 'devices', 'device_cgroup_rules', 'gpus', 'services_devices',
  'disable_cache', 'volumes', 'volume_driver', 'volume_driver_ops', 'cache_dir', 'extra_hosts',
  'volumes_from', 'network_mode', 'ipcmode', 'mac_address', 'links', 'services', 'services_limit',
  'service_memory', 'service_memory_swap', 'service_memory_reservation', 'service_cgroup_parent',
  'service_slot_cgroup_template', 'service_cpuset_cpus', 'service_cpus', 'service_cpu_shares',
  'service_gpus', 'wait_for_services_timeout', 'allowed_images', 'allowed_privileged_images',
  'allowed_privileged_services', 'allowed_pull_policies', 'allowed_services', 'pull_policy',
  'isolation', 'shm_size', 'tmpfs', 'services_tmpfs', 'sysctls', 'helper_image',
  'helper_image_flavor', 'container_labels', 'enable_ipv6', 'ulimit', 'network_mtu', 'log_options',
];

/** `[[runners]]` settings often written under `[runners.docker]` by mistake (REFERENCE §4.1). */
const RUNNER_LEVEL_KEYS: readonly string[] = ['environment', 'executor', 'feature_flags', 'name', 'url', 'token', 'limit', 'builds_dir', 'shell'];

/** Where an unknown key is written: its segment in a `key = value` line or in a table header. */
function unknownKeyPlace(config: RunnerConfigModel, runner: RunnerSection, path: readonly (string | number)[], pair: TomlKeyValue): { offset: number; length: number } | undefined {
  const ownKeys = keyPath(pair);
  // `path` is ['runners', N, 'docker', KEY, ...]; the pair's own key covers its last segments.
  const segment = 3 - (path.length - ownKeys.length);
  if (segment >= 0) return rangeOf(pair.key.keys[segment]!);
  // From a header such as `[runners.docker.KEY]`: its segments have no array index.
  const table = config.toml.program?.body[0].body.find((item): item is TomlTable =>
    item.type === 'TOMLTable' && item.resolvedKey[1] === runner.index && item.resolvedKey[2] === 'docker' && item.resolvedKey[3] === path[3]);
  const keys = table?.key.keys ?? [];
  const docker = keys.findIndex((key, i) => i > 0 && keyName(key) === 'docker');
  const header = docker >= 0 ? keys[docker + 1] : undefined;
  return header ? rangeOf(header) : undefined;
}

function keyName(key: TomlKeyValue['key']['keys'][number]): string {
  return key.type === 'TOMLBare' ? key.name : key.value;
}

/**
 * A key `[runners.docker]` does not have: the runner's TOML decoding skips keys its
 * configuration type lacks, so the setting silently does nothing.
 * @example [runners.docker] pull_polcy = "always"   → runner/unknown-key (did you mean `pull_policy`?)
 * @example [runners.docker] pull_policy = "always"  → no finding
 */
function checkUnknownDockerKeys(config: RunnerConfigModel, runner: RunnerSection): Finding[] {
  const findings: Finding[] = [];
  const reported = new Set<string>();
  for (const entry of runner.entries) {
    const [, , docker, key] = entry.path;
    if (docker !== 'docker' || typeof key !== 'string' || DOCKER_SECTION_KEYS.includes(key) || reported.has(key)) continue;
    const place = unknownKeyPlace(config, runner, entry.path, entry.pair);
    if (!place) continue;
    reported.add(key);
    if (RUNNER_LEVEL_KEYS.includes(key)) {
      findings.push({
        code: 'runner/unknown-key',
        ...place,
        message: `${code(key)} is a \`[[runners]]\` setting, not a \`[runners.docker]\` one: written here, the runner ignores it. Move it above the \`[runners.docker]\` table of runner ${describeRunner(runner)}.`,
      });
      continue;
    }
    const suggestion = suggest(key, DOCKER_SECTION_KEYS);
    findings.push({
      code: 'runner/unknown-key',
      ...place,
      message: `The runner does not know ${code(key)} in \`[runners.docker]\` and ignores it, so this setting has no effect.${suggestion ? ` Did you mean ${code(suggestion)}?` : ''}`,
      ...(suggestion ? { data: { fix: 'replace' as const, title: `Rename to \`${suggestion}\``, newText: suggestion } } : {}),
    });
  }
  return findings;
}

export function checkRunnerConfig(config: RunnerConfigModel, settings: Settings): Finding[] {
  const findings: Finding[] = [];
  for (const runner of config.runners) {
    findings.push(
      ...checkPullPolicyValues(runner),
      ...checkNegatedPatterns(runner),
      ...checkNetworkMode(runner),
      ...checkLinks(config, runner),
      ...checkNetworkPerBuild(config, runner),
      ...checkServicesAsStrings(config, runner),
      ...checkRunnerUser(runner),
      ...checkOwnPrivateImages(config, runner, settings),
      ...checkUnknownDockerKeys(config, runner),
    );
  }
  return findings;
}

// ---- .gitlab-ci.yml against the workspace's runners -----------------------------------

interface DockerRunner {
  readonly uri: string;
  readonly runner: RunnerSection;
  readonly config: RunnerConfigModel;
}

function usedOrDefault(occurrence: ImageOccurrence): boolean {
  // A template nobody extends is never pulled; `default:` applies to jobs of other files too.
  const kind = occurrence.origin?.kind;
  return occurrence.users.length > 0 || kind === 'default' || kind === 'top-level';
}

function namePlace(occurrence: ImageOccurrence): { offset: number; length: number } {
  const span = occurrence.map.spanToSource(0, occurrence.text.length);
  return { offset: span.start, length: Math.max(1, span.end - span.start) };
}

/** Why a near form of the name would have matched, for the message. */
function allowlistHint(name: string, patterns: readonly string[]): string {
  const result = parseImageReference(name);
  if (!result.ok) return '';
  const { reference } = result;
  const forms = new Set<string>();
  if (!reference.tag && !reference.digest) forms.add(`${name}:latest`);
  forms.add(reference.familiarName + (reference.tag ? `:${reference.tag}` : '') + (reference.digest ? `@${reference.digest}` : ''));
  forms.add(`${reference.normalizedName}${reference.tag ? `:${reference.tag}` : ''}${reference.digest ? `@${reference.digest}` : ''}`);
  forms.delete(name);
  for (const form of forms) {
    const pattern = patterns.find((p) => matchDoublestar(p, form));
    if (pattern) {
      return form === `${name}:latest`
        ? ` (${code(pattern)} needs a tag: ${code(form)} would match)`
        : ` (${code(form)} would match ${code(pattern)}, but the runner does not normalize names)`;
    }
  }
  return '';
}

/**
 * Images and services the runner's `allowed_images`/`allowed_services` refuse, compared as written after expansion (REFERENCE §4.3).
 * @example services: [postgres]     with allowed_services = ["postgres:*"]   → runner/image-not-allowed
 * @example services: [postgres:16]  with allowed_services = ["postgres:*"]   → no finding
 */
function checkAllowlists(images: readonly ImageOccurrence[], runners: readonly DockerRunner[], settings: Settings): Finding[] {
  const findings: Finding[] = [];
  for (const occurrence of images) {
    if (occurrence.source !== 'gitlab-ci' || !usedOrDefault(occurrence)) continue;
    const name = expandKnown(occurrence.text, occurrence.variables);
    if (name === undefined || name === '') continue;
    const refusing: Array<{ runner: DockerRunner; patterns: string[] }> = [];
    for (const docker of runners) {
      const { runner, config } = docker;
      const patterns = (occurrence.role === 'image' ? runner.allowedImages : runner.allowedServices).map((p) => p.value);
      if (patterns.length === 0 || patterns.some((p) => matchDoublestar(p, name))) continue;
      // The runner's own image and services are "internal": always allowed, compared exactly.
      const lookup = runnerLookup(runner, settings);
      const internal = occurrence.role === 'image'
        ? [runner.dockerImage]
        : runner.services.map((s) => s.name);
      if (internal.some((node) => node && expandKnown(decoded(config, node), lookup) === name)) continue;
      refusing.push({ runner: docker, patterns });
    }
    if (refusing.length === 0) continue;
    const [{ runner, patterns }] = refusing as [typeof refusing[number]];
    const key = occurrence.role === 'image' ? 'allowed_images' : 'allowed_services';
    const others = refusing.length > 1 ? ` (so will ${refusing.slice(1).map((r) => `runner ${describeRunner(r.runner.runner)}`).join(', ')})` : '';
    const shown = patterns.length > 6 ? `${list(patterns.slice(0, 6))} and ${patterns.length - 6} more` : list(patterns);
    findings.push({
      code: 'runner/image-not-allowed',
      ...namePlace(occurrence),
      message: `The runner ${describeRunner(runner.runner)}${others} will refuse this ${occurrence.role === 'image' ? 'image' : 'service'} with \`disallowed image\`: it compares ${code(name)} as written with its \`${key}\` (${shown}), and no pattern matches${allowlistHint(name, patterns)}.`,
    });
  }
  return findings;
}

/**
 * A job's `image: docker: user:` that a runner's `allowed_users` refuses (RCFG `IsUserAllowed`).
 * @example image: {name: app:1, docker: {user: root}}  with allowed_users = ["app"]   → runner/user-not-allowed
 * @example image: {name: app:1, docker: {user: app}}   with allowed_users = ["app"]   → no finding
 */
function checkJobUsers(analysis: CiAnalysis, runners: readonly DockerRunner[]): Finding[] {
  const findings = new Map<number, Finding>();
  for (const job of analysis.jobsInScope()) {
    if (job.hidden) continue;
    const node = analysis.getEffectiveJob(job).imageUser;
    if (!node || findings.has(node.start) || typeof node.value !== 'string' && typeof node.value !== 'number') continue;
    const user = String(node.value);
    if (user.includes('$') || user === '') continue;
    // A runner that sets `user` ignores the job's (the runner's own check covers it).
    const refusing = runners.filter(({ runner }) => !runner.user && runner.allowedUsers.length > 0 && !runner.allowedUsers.some((u) => u.value === user));
    if (refusing.length === 0) continue;
    const { runner } = refusing[0]!;
    const others = refusing.length > 1 ? ` (and so will ${refusing.slice(1).map((r) => `runner ${describeRunner(r.runner)}`).join(', ')})` : '';
    findings.set(node.start, {
      code: 'runner/user-not-allowed',
      offset: node.start,
      length: Math.max(1, node.end - node.start),
      message: `The runner ${describeRunner(runner)} will fail this job with \`user "${user}" is not an allowed user\`${others}: its \`allowed_users\` are ${list(runner.allowedUsers.map((u) => u.value))}.`,
    });
  }
  return [...findings.values()];
}

/**
 * A job that sets no image runs in the runner's `[runners.docker] image` (REFERENCE §4.2).
 * @example lint: { script: [rubocop] }                       → runner/default-image (hint) on `lint`
 * @example default: { image: ruby:3.3 } + lint: { script: … } → no finding
 */
function checkDefaultImage(analysis: CiAnalysis, runners: readonly DockerRunner[], settings: Settings): Finding[] {
  const findings: Finding[] = [];
  const defaults = runners
    .map(({ runner, config }) => ({ runner, image: getRunnerDefaultImage(config, runner, settings) }))
    .filter((entry): entry is { runner: RunnerSection; image: string } => entry.image !== undefined);
  for (const job of analysis.jobsInScope()) {
    if (job.hidden) continue;
    const effective = analysis.getEffectiveJob(job);
    if (effective.image || effective.unknown.image || effective.imageWithoutName || effective.isTrigger) continue;
    let message: string;
    if (defaults.length === 0) {
      message = 'This job sets no image, so it runs in the default image of whichever runner picks it up (`[runners.docker] image` in that runner\'s `config.toml`); the repository does not say which image that is.';
    } else {
      const images = [...new Set(defaults.map((d) => d.image))];
      const where = defaults.length === 1 ? `runner ${describeRunner(defaults[0]!.runner)}` : `the runners ${defaults.map((d) => describeRunner(d.runner)).join(', ')}`;
      message = `This job sets no image, so it runs in the runner's default image ${list(images, 'or')} (\`[runners.docker] image\` of ${where}).`;
    }
    findings.push({ code: 'runner/default-image', offset: job.key.start, length: Math.max(1, job.key.end - job.key.start), message });
  }
  return findings;
}

/**
 * Private images pulled with `if-not-present` on a workspace runner (REFERENCE §4.4).
 * @example image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:dev  with pull_policy = ["if-not-present"] → runner/if-not-present-private
 * @example image: python:3.12                                           with pull_policy = ["if-not-present"] → no finding
 */
function checkPrivateImagesKept(images: readonly ImageOccurrence[], runners: readonly DockerRunner[], settings: Settings): Finding[] {
  const findings: Finding[] = [];
  for (const occurrence of images) {
    if (occurrence.source !== 'gitlab-ci' || !usedOrDefault(occurrence)) continue;
    // GitLab's predefined registry variables name the registry the settings describe: good enough for its host.
    const expansion = expandVariables(occurrence.text, occurrence.variables);
    if (!expansion.uses.every((use) => use.origin === 'literal' || use.origin === 'predefined')) continue;
    if (!expansion.text || !isPrivateImage(expansion.text, settings)) continue;
    const name = expansion.uses.some((use) => use.origin === 'predefined') ? occurrence.text : expansion.text;
    const keeping = runners.filter(({ runner }) => {
      const allowed = getAllowedPullPolicies(runner);
      const policies = occurrence.pullPolicy && occurrence.pullPolicy.length > 0
        ? occurrence.pullPolicy.filter((p) => allowed.includes(p))
        : runner.pullPolicy.length > 0 ? runner.pullPolicy.map((p) => p.value) : ['always'];
      return policies.includes('if-not-present');
    });
    if (keeping.length === 0) continue;
    const label = keeping.length === 1 ? `runner ${describeRunner(keeping[0]!.runner)}` : `the runners ${keeping.map((k) => describeRunner(k.runner)).join(', ')}`;
    findings.push({ ...privateImageFinding({ range: [0, 0] }, [name], label), ...namePlace(occurrence) });
  }
  return findings;
}

/**
 * runner/* checks of a `.gitlab-ci.yml` against the docker runners of the workspace.
 * @example image: node:20  with allowed_images = ["python:*"]  → runner/image-not-allowed
 * @example image: python:3.12  with allowed_images = ["python:*"] → no finding
 */
export function checkCiAgainstRunners(analysis: CiAnalysis, images: readonly ImageOccurrence[], context: RuleContext): Finding[] {
  const runners = getDockerRunners(context.workspace);
  return [
    ...checkAllowlists(images, runners, context.settings),
    ...checkJobUsers(analysis, runners),
    ...checkDefaultImage(analysis, runners, context.settings),
    ...checkPrivateImagesKept(images, runners, context.settings),
  ];
}
