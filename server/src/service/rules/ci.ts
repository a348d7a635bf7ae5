/**
 * ci/* — the `.gitlab-ci.yml` structure around images (SPEC §1, REFERENCE §3.1,
 * §3.2, §4.4): deprecated top-level keys, the keys of image and service hashes,
 * `entrypoint`/`command` types, pull policies, and pull policies a workspace
 * runner does not allow.
 *
 * Every written hash is checked once, where it is written, however many jobs use it.
 */
import type { Finding, FixData, FixEdit } from '../finding';
import type { CiAnalysis } from '../model/ciModel';
import type { ImageOccurrence } from '../model/images';
import { describeRunner, type RunnerSection } from '../model/runnerModel';
import { getKeys, getOwnPair, getValue, perNode, scalarText, type YMap, type YNode, type YPair, type YScalar } from '../parse/yamlModel';
import { getDockerRunners, type RuleContext } from './services';
import { suggest } from '../text/suggest';
import { code, list } from '../text/markdown';

export const PULL_POLICIES = ['always', 'if-not-present', 'never'] as const;

const IMAGE_KEYS = ['name', 'entrypoint', 'docker', 'kubernetes', 'pull_policy'];
const SERVICE_KEYS = ['name', 'alias', 'entrypoint', 'command', 'variables', 'pull_policy', 'docker', 'kubernetes'];
const DOCKER_KEYS = ['platform', 'user'];
const KUBERNETES_KEYS = ['user'];
/** Keys people write from other formats, and what GitLab calls them. */
const KNOWN_MISTAKES: Readonly<Record<string, string>> = {
  environment: 'variables',
  env: 'variables',
  image: 'name',
  aliases: 'alias',
  pullPolicy: 'pull_policy',
  'pull-policy': 'pull_policy',
  imagePullPolicy: 'pull_policy',
  cmd: 'command',
  args: 'command',
};

function rangeOf(node: { start: number; end: number }): { offset: number; length: number } {
  return { offset: node.start, length: Math.max(1, node.end - node.start) };
}

/** A plain key or value can be replaced as is; quoted ones keep their quotes. */
function renameFix(node: YScalar, to: string): FixData | undefined {
  if (node.style === 'plain') return { fix: 'replace', title: `Change to \`${to}\``, newText: to };
  if (node.style === 'single') return { fix: 'replace', title: `Change to \`${to}\``, newText: `'${to}'` };
  if (node.style === 'double') return { fix: 'replace', title: `Change to \`${to}\``, newText: `"${to}"` };
  return undefined;
}

function withFix(finding: Finding, fix: FixData | undefined): Finding {
  return fix ? { ...finding, data: fix } : finding;
}

// ---- ci/deprecated-global --------------------------------------------------------

/**
 * `image`/`services` at the top level, outside `default:` (GL-YAML "Additional details").
 * @example image: python:3.12         (top level)  → ci/deprecated-global
 * @example default: { image: python:3.12 }         → no finding
 */
function checkDeprecatedGlobals(analysis: CiAnalysis): Finding[] {
  const { root, text } = analysis.model;
  if (!root) return [];
  const findings: Finding[] = [];
  const globals = (['image', 'services'] as const).map((key) => getOwnPair(root, key)).filter((pair) => pair !== undefined);
  for (const pair of globals) {
    const key = String(pair.key.value);
    // Moving is one edit when there is no `default:` yet, only one key to move, and it fits on its line.
    const value = pair.value;
    const lineEnd = text.indexOf('\n', pair.key.start);
    const oneLine = value !== undefined && (lineEnd === -1 || value.end <= lineEnd);
    const canMove = !getOwnPair(root, 'default') && globals.length === 1 && oneLine && pair.key.style === 'plain';
    const newline = text.includes('\r\n') ? '\r\n' : '\n';
    // Without `default:` yet, one fix moves every top-level key, so that fixes applied together make one `default:`.
    const fix: FixData | undefined = canMove
      ? { fix: 'replace', title: 'Move under `default:`', newText: `default:${newline}  ${key}` }
      : getMoveUnderDefault(text, root, getOwnPair(root, 'default') ? [pair] : globals);
    findings.push(withFix({
      code: 'ci/deprecated-global',
      ...rangeOf(pair.key),
      message: `Top-level \`${key}\` is deprecated: GitLab still applies it to every job that sets no \`${key}\` of its own, but a future version may drop it. Move it under \`default:\`, which does the same.`,
    }, fix));
  }
  return findings;
}

/** The lines of a top-level pair, `[start, end)`, ending after its line break; undefined when it shares a line. */
function pairLines(text: string, pair: YPair): { start: number; end: number } | undefined {
  const start = text.lastIndexOf('\n', pair.key.start - 1) + 1;
  if (start !== pair.key.start) return undefined;
  const valueEnd = pair.value?.end ?? pair.key.end;
  if (text[valueEnd - 1] === '\n') return { start, end: valueEnd };
  const lineEnd = text.indexOf('\n', valueEnd);
  if (lineEnd !== -1 && !/^[ \t]*(?:#.*)?\r?$/.test(text.slice(valueEnd, lineEnd))) return undefined;
  return { start, end: lineEnd === -1 ? text.length : lineEnd + 1 };
}

/**
 * Moves top-level pairs, re-indented, into the block `default:` map (after its last
 * line), or into a new `default:` where the first of them was.
 */
function getMoveUnderDefault(text: string, root: YMap, unsorted: readonly YPair[]): FixData | undefined {
  const pairs = [...unsorted].sort((a, b) => a.key.start - b.key.start);
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const defaultPair = getOwnPair(root, 'default');
  const defaults = defaultPair?.value;
  if (defaultPair && (defaults?.kind !== 'map' || text[defaults.start] === '{' || defaults.pairs.length === 0)) return undefined;
  if (defaults?.kind === 'map' && pairs.some((pair) => getOwnPair(defaults, String(pair.key.value)))) return undefined;
  const blocks = pairs.map((pair) => pairLines(text, pair));
  if (blocks.some((block) => block === undefined)) return undefined;
  let unit = '  ';
  if (defaults?.kind === 'map') {
    const firstKey = defaults.pairs[0]!.key;
    unit = text.slice(text.lastIndexOf('\n', firstKey.start - 1) + 1, firstKey.start);
    if (unit.trim() !== '') return undefined;
  }
  const moved = blocks.map((block) => {
    const lines = text.slice(block!.start, block!.end).replace(/\r?\n$/, '').split('\n');
    return lines.map((line) => (line.trim() === '' ? line : unit + line)).join('\n') + newline;
  }).join('');
  const edits: FixEdit[] = [];
  if (defaultPair && defaults) {
    const end = pairLines(text, defaultPair)?.end;
    if (end === undefined) return undefined;
    const ending = text[end - 1] === '\n' ? '' : newline;
    edits.push({ offset: end, length: 0, newText: ending + moved });
    for (const block of blocks) edits.push({ offset: block!.start, length: block!.end - block!.start, newText: '' });
  } else {
    const [first, ...rest] = blocks;
    edits.push({ offset: first!.start, length: first!.end - first!.start, newText: `default:${newline}${moved}` });
    for (const block of rest) edits.push({ offset: block!.start, length: block!.end - block!.start, newText: '' });
  }
  // An insertion where a removal starts is one replacement.
  edits.sort((a, b) => a.offset - b.offset || a.length - b.length);
  const merged: FixEdit[] = [];
  for (const edit of edits) {
    const previous = merged[merged.length - 1];
    if (previous && previous.length === 0 && previous.offset === edit.offset) merged[merged.length - 1] = { ...edit, newText: previous.newText + edit.newText };
    else merged.push(edit);
  }
  const names = pairs.map((pair) => `\`${String(pair.key.value)}\``).join(' and ');
  return { fix: 'edits', title: `Move ${names} under \`default:\``, edits: merged };
}

// ---- ci/invalid-image-key, ci/invalid-entrypoint, ci/invalid-pull-policy ------------

interface WrittenHash {
  readonly role: 'image' | 'service';
  readonly map: YMap;
  /** Where a missing `name` is reported: the key this hash is the value of (`image`), or a service item's first key. */
  readonly anchor: { readonly start: number; readonly end: number };
  /** Only the hashes GitLab validates as they are: `default:`/top-level images, every service item. */
  readonly needsName: boolean;
}

/** Every image and service hash written in the file, each once. */
function collectHashes(analysis: CiAnalysis): WrittenHash[] {
  const { model } = analysis;
  const hashes: WrittenHash[] = [];
  const seen = new Set<YMap>();
  const visit = (written: readonly WrittenHash[]) => {
    for (const hash of written) {
      if (seen.has(hash.map)) continue;
      seen.add(hash.map);
      hashes.push(hash);
    }
  };
  for (const job of model.jobs.values()) {
    // An analysis of an edit's jobs (scope) checks their hashes only. A hash they share
    // with other jobs is written outside them (through an alias; an alias elsewhere of
    // one written inside makes the edit's parse whole), and so are its findings, which
    // the edit keeps from the version before (service/incremental.ts).
    if (analysis.scope && !analysis.scope.has(job.name)) continue;
    visit(hashesOfJob(job.map));
  }
  if (model.defaultMap) visit(findHashes(model.defaultMap, true));
  if (model.root) visit(findHashes(model.root, true));
  return hashes;
}

/** A job's hashes, kept per node: a whole analysis after an edit asks every job again, most of them unchanged. */
const hashesOfJob = perNode((map: YMap): readonly WrittenHash[] => findHashes(map, false));

/** The image hash and the service hashes `owner` has, in that order (some may be the same map, through aliases). */
function findHashes(owner: YMap, topLevelOrDefault: boolean): WrittenHash[] {
  const hashes: WrittenHash[] = [];
  const imagePair = getOwnPair(owner, 'image');
  const image = imagePair ? imagePair.value : getValue(owner, 'image');
  if (image?.kind === 'map') {
    hashes.push({ role: 'image', map: image, anchor: imagePair?.key ?? firstKey(image) ?? imageKeyOf(owner), needsName: topLevelOrDefault });
  }
  const services = getValue(owner, 'services');
  if (services?.kind === 'seq' && services.tag !== '!reference') {
    for (const item of services.items) {
      if (item.kind !== 'map') continue;
      hashes.push({ role: 'service', map: item, anchor: firstKey(item) ?? (item.end > item.start ? item : getOwnPair(owner, 'services')?.key ?? owner), needsName: true });
    }
  }
  return hashes;
}

function firstKey(map: YMap): YScalar | undefined {
  return map.pairs[0]?.key ?? map.merges[0]?.pairs[0]?.key;
}

function imageKeyOf(owner: YMap): { start: number; end: number } {
  return getOwnPair(owner, 'image')?.key ?? owner.pairs[0]?.key ?? owner;
}

function checkKeys(map: YMap, allowed: readonly string[], where: string, findings: Finding[]): void {
  for (const pair of map.pairs) {
    const key = scalarText(pair.key);
    if (key === undefined || allowed.includes(key)) continue;
    const suggestion = suggest(key, allowed, KNOWN_MISTAKES);
    const hint = suggestion && allowed.includes(suggestion) ? ` Did you mean \`${suggestion}\`?` : '';
    const webIde = key === 'ports' ? ' (`ports` is only accepted in the Web IDE)' : '';
    findings.push(withFix({
      code: 'ci/invalid-image-key',
      ...rangeOf(pair.key),
      message: `GitLab will reject this pipeline: ${where} has no key ${code(key)}${webIde}; the keys are ${list(allowed)}.${hint}`,
    }, suggestion && allowed.includes(suggestion) ? renameFix(pair.key, suggestion) : undefined));
  }
}

/** `entrypoint`/`command`: an array of strings; a number or boolean item is not a string to GitLab (GL-ENTRY `array_of_strings`). */
function checkStringArray(node: YNode | undefined, key: string, role: 'image' | 'service', findings: Finding[]): void {
  if (node === undefined || (node.kind === 'scalar' && node.value === null) || node.tag === '!reference') return;
  const of = role === 'image' ? 'an image' : 'a service';
  if (node.kind !== 'seq') {
    const asList = node.kind === 'scalar' ? `[${JSON.stringify(String(node.value))}]` : undefined;
    const clear = key !== 'entrypoint' ? '' : asList === '[""]' ? ' to clear the image\'s entrypoint' : ' (`[""]` clears the image\'s entrypoint)';
    findings.push(withFix({
      code: 'ci/invalid-entrypoint',
      ...rangeOf(node),
      message: `GitLab will reject this pipeline: \`${key}\` of ${of} must be an array of strings, not ${node.kind === 'map' ? 'a hash' : 'a single value'}${asList ? `; write \`${asList}\`` : ''}${clear}.`,
    }, asList ? { fix: 'replace', title: `Change to ${asList}`, newText: asList } : undefined));
    return;
  }
  for (const item of node.items) {
    if ((item.kind === 'scalar' && typeof item.value === 'string') || item.tag === '!reference') continue;
    const quoted = item.kind === 'scalar' ? JSON.stringify(String(item.value ?? '')) : undefined;
    const what = item.kind === 'scalar' ? `YAML reads ${code(String(item.value))} as ${item.value === null ? 'null' : `a ${typeof item.value}`}` : `this item is a ${item.kind === 'map' ? 'hash' : 'list'}`;
    findings.push(withFix({
      code: 'ci/invalid-entrypoint',
      ...rangeOf(item),
      message: `GitLab will reject this pipeline: every item of \`${key}\` must be a string, and ${what}.${quoted ? ` Quote it: \`${quoted}\`.` : ''}`,
    }, quoted ? { fix: 'replace', title: `Quote as ${quoted}`, newText: quoted } : undefined));
  }
}

/** The written pull policy values of a hash, each with its node. */
function pullPolicyValues(node: YNode | undefined): YScalar[] {
  if (node?.kind === 'scalar') return node.value === null ? [] : [node];
  if (node?.kind === 'seq') return node.items.filter((item): item is YScalar => item.kind === 'scalar');
  return [];
}

function checkPullPolicy(node: YNode | undefined, findings: Finding[]): void {
  if (node === undefined || node.tag === '!reference') return;
  if (node.kind === 'map') {
    findings.push({ code: 'ci/invalid-pull-policy', ...rangeOf(node), message: 'GitLab will reject this pipeline: `pull_policy` must be `always`, `if-not-present` or `never`, or a list of them, not a hash.' });
    return;
  }
  for (const value of pullPolicyValues(node)) {
    const text = scalarText(value) ?? '';
    if ((PULL_POLICIES as readonly string[]).includes(text) && typeof value.value === 'string') continue;
    if (text.includes('$')) continue;
    const suggestion = suggest(text, PULL_POLICIES);
    findings.push(withFix({
      code: 'ci/invalid-pull-policy',
      ...rangeOf(value),
      message: `GitLab will reject this pipeline: ${code(text)} is not a pull policy; use \`always\`, \`if-not-present\` or \`never\`.${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`,
    }, suggestion ? renameFix(value, suggestion) : undefined));
  }
  if (node.kind === 'seq') {
    for (const item of node.items) {
      if (item.kind !== 'scalar') findings.push({ code: 'ci/invalid-pull-policy', ...rangeOf(item), message: 'GitLab will reject this pipeline: each `pull_policy` item must be `always`, `if-not-present` or `never`.' });
    }
  }
}

function checkHash(hash: WrittenHash, findings: Finding[]): void {
  const { map, role } = hash;
  const where = role === 'image' ? 'an `image` hash' : 'a service entry';
  checkKeys(map, role === 'image' ? IMAGE_KEYS : SERVICE_KEYS, where, findings);
  const docker = getValue(map, 'docker');
  if (docker?.kind === 'map') checkKeys(docker, DOCKER_KEYS, '`docker:`', findings);
  const kubernetes = getValue(map, 'kubernetes');
  if (kubernetes?.kind === 'map') checkKeys(kubernetes, KUBERNETES_KEYS, '`kubernetes:`', findings);
  if (hash.needsName && !getKeys(map).has('name')) {
    findings.push({
      code: 'ci/invalid-image-key',
      ...rangeOf(hash.anchor),
      message: role === 'image'
        ? 'GitLab will reject this pipeline: this `image` hash has no `name`, so GitLab cannot tell which image to run. Add `name:`.'
        : 'GitLab will reject this pipeline: this service entry has no `name`, so GitLab cannot tell which image to start. Add `name:`.',
    });
  }
  checkStringArray(getValue(map, 'entrypoint'), 'entrypoint', role, findings);
  if (role === 'service') checkStringArray(getValue(map, 'command'), 'command', role, findings);
  checkPullPolicy(getValue(map, 'pull_policy'), findings);
}

/** A job's image hash (after `extends`) without `name`: reported on the job's own `image`, else its name. */
function checkJobsWithoutImageName(analysis: CiAnalysis): Finding[] {
  const findings: Finding[] = [];
  for (const job of analysis.jobsInScope()) {
    if (job.hidden) continue;
    const effective = analysis.getEffectiveJob(job);
    if (!effective.imageWithoutName) continue;
    const own = getOwnPair(job.map, 'image')?.key;
    findings.push({
      code: 'ci/invalid-image-key',
      ...rangeOf(own ?? job.key),
      message: `GitLab will reject this pipeline: the \`image\` of job ${code(job.name)}${own ? '' : ' (from its templates)'} is a hash without \`name\`, even after \`extends\`, so GitLab cannot tell which image to run. Add \`name:\`.`,
    });
  }
  return findings;
}

// ---- ci/pull-policy-not-allowed --------------------------------------------------------

/** What a runner allows: `allowed_pull_policies`, else its `pull_policy`, else `always` (RCFG `GetAllowedPullPolicies`). */
export function getAllowedPullPolicies(runner: RunnerSection): string[] {
  if (runner.allowedPullPolicies.length > 0) return runner.allowedPullPolicies.map((p) => p.value);
  if (runner.pullPolicy.length > 0) return runner.pullPolicy.map((p) => p.value);
  return ['always'];
}

/**
 * A job's `pull_policy` a workspace runner does not allow: dropped, or the job fails when none is left (REFERENCE §4.4).
 * @example pull_policy: if-not-present   with a runner `pull_policy = ["always"]`           → ci/pull-policy-not-allowed
 * @example pull_policy: if-not-present   with `allowed_pull_policies = ["always", "if-not-present"]` → no finding
 */
function checkPullPoliciesAllowed(hashes: readonly WrittenHash[], images: readonly ImageOccurrence[], context: RuleContext): Finding[] {
  const runners = getDockerRunners(context.workspace);
  if (runners.length === 0) return [];
  const occurrenceAt = new Map(images.map((image) => [image.start, image]));
  const findings: Finding[] = [];
  for (const hash of hashes) {
    const name = getValue(hash.map, 'name');
    const occurrence = name ? occurrenceAt.get(name.start) : undefined;
    // A template nobody uses is never pulled.
    if (!occurrence || (occurrence.users.length === 0 && !hash.needsName)) continue;
    const values = pullPolicyValues(getValue(hash.map, 'pull_policy')).filter((v) => (PULL_POLICIES as readonly string[]).includes(scalarText(v) ?? ''));
    if (values.length === 0) continue;
    const requested = values.map((v) => scalarText(v)!);
    for (const value of values) {
      const policy = scalarText(value)!;
      const refusing = runners.filter(({ runner }) => !getAllowedPullPolicies(runner).includes(policy));
      if (refusing.length === 0) continue;
      const { runner } = refusing[0]!;
      const allowed = getAllowedPullPolicies(runner);
      const remaining = requested.filter((p) => allowed.includes(p));
      const source = runner.allowedPullPolicies.length > 0 ? '`allowed_pull_policies`' : runner.pullPolicy.length > 0 ? '`allowed_pull_policies` (which default to its `pull_policy`)' : '`allowed_pull_policies` (which default to its `pull_policy`, by default `always`)';
      const others = refusing.length > 1 ? ` (runners ${refusing.slice(1).map((r) => describeRunner(r.runner)).join(', ')} too)` : '';
      const outcome = remaining.length === 0
        ? `this job will fail with \`the configured PullPolicies ([${requested.join(' ')}]) are not allowed by AllowedPullPolicies ([${allowed.join(' ')}])\``
        : `the runner drops ${code(policy)} and uses only ${list(remaining)}`;
      findings.push({
        code: 'ci/pull-policy-not-allowed',
        ...rangeOf(value),
        message: `The runner ${describeRunner(runner)}${others} allows only ${list(allowed)} by its ${source}, so ${outcome}.`,
      });
    }
  }
  return findings;
}

/**
 * All ci/* checks of a `.gitlab-ci.yml`.
 * @example services: [{name: postgres:16, environment: {A: 1}}]  → ci/invalid-image-key on `environment`
 * @example services: [{name: postgres:16, variables: {A: "1"}}]  → no finding
 */
export function checkCiStructure(analysis: CiAnalysis, images: readonly ImageOccurrence[], context: RuleContext): Finding[] {
  const findings = checkDeprecatedGlobals(analysis);
  const hashes = collectHashes(analysis);
  for (const hash of hashes) checkHash(hash, findings);
  findings.push(...checkJobsWithoutImageName(analysis));
  findings.push(...checkPullPoliciesAllowed(hashes, images, context));
  return findings;
}
