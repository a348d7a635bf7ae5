/**
 * The fuzzing harness: seeds and budgets, the corpus of realistic files of the three
 * kinds, generators of hostile text, and the properties every analysis must keep,
 * checked through the public core (`LanguageService`).
 *
 * Reproducible: every run uses one seed (PULLGUARD_FUZZ_SEED, else a fixed default),
 * printed at the start of each property; a failure prints fast-check's counterexample
 * and the seed and path that replay it. `npm run fuzz -- --runs N --seed S` runs a
 * longer budget (scripts/fuzz.mjs sets the variables read here).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, Hover, Position, Range, TextEdit } from 'vscode-languageserver-types';
import { generateDockerConfig, generatePipeline, generateRunnerConfig } from '../../bench/generate';
import { LanguageService, type AnalysisContext } from '../../server/src/service/languageService';
import { EMPTY_WORKSPACE, WorkspaceIndex } from '../../server/src/service/model/workspace';
import { parseSettings } from '../../server/src/service/settings';

export const REPO_ROOT = resolve(__dirname, '../..');

// ---- Seed and budget ------------------------------------------------------------------

/** The seed of this run: fixed in CI so a red run is red again on replay. */
export const FUZZ_SEED = process.env.PULLGUARD_FUZZ_SEED ? Number(process.env.PULLGUARD_FUZZ_SEED) : 20_261_126;
/** The CI budget, in cases over all properties of the `fuzz` suite. */
export const CI_CASES = 20_000;
/** `--runs N` of scripts/fuzz.mjs: the total number of cases; each property keeps its share. */
const TOTAL_CASES = process.env.PULLGUARD_FUZZ_RUNS ? Number(process.env.PULLGUARD_FUZZ_RUNS) : CI_CASES;
if (!Number.isInteger(FUZZ_SEED) || !Number.isInteger(TOTAL_CASES) || TOTAL_CASES < 1) {
  throw new Error(`PULLGUARD_FUZZ_SEED and PULLGUARD_FUZZ_RUNS must be integers, got ${process.env.PULLGUARD_FUZZ_SEED} and ${process.env.PULLGUARD_FUZZ_RUNS}.`);
}

/** A property's number of runs: its share of the CI budget, scaled to the requested total. */
export function runsFor(ciShare: number): number {
  return Math.max(1, Math.round((ciShare * TOTAL_CASES) / CI_CASES));
}

/**
 * Runs a fast-check property with the run's seed; prints the seed and the count
 * first, so a log shows how to replay it.
 */
export function check<T>(name: string, property: fc.IProperty<T> | fc.IAsyncProperty<T>, numRuns: number): void | Promise<void> {
  console.log(`fuzz: ${name}: ${numRuns} cases, seed ${FUZZ_SEED} (replay: PULLGUARD_FUZZ_SEED=${FUZZ_SEED})`);
  return fc.assert(property as fc.IProperty<T>, { seed: FUZZ_SEED, numRuns });
}

// ---- Corpus -----------------------------------------------------------------------------

export type Kind = 'gitlab-ci' | 'runner-config' | 'docker-config';

/** Where each kind is analysed: the file name decides the kind (SPEC, file table). */
export const URIS: Readonly<Record<Kind, string>> = {
  'gitlab-ci': 'file:///project/.gitlab-ci.yml',
  'runner-config': 'file:///project/gitlab-runner/config.toml',
  'docker-config': 'file:///project/.docker/config.json',
};

export interface Seed {
  readonly name: string;
  readonly kind: Kind;
  readonly text: string;
}

function file(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8');
}

/** Hand-written files that reach the corners the examples do not: every credential place, includes, extends. */
const CREDENTIAL_PIPELINE = `include:
  - local: ci/templates.yml
variables:
  DOCKER_AUTH_CONFIG: |
    {"auths": {"registry.example.com": {"auth": "Y2ktdXNlcjpleGFtcGxlLXBhc3N3b3Jk"}}, "credHelpers": {"gcr.io": "gcloud"}}
.base: &base
  image: registry.example.com/team/base:1
  services: [{name: "redis:7", alias: cache}]
build:
  <<: *base
  extends: [.tpl]
  image: {name: "registry.example.com:5000/Team/app:1", entrypoint: [""], pull_policy: [always, if-not-present]}
  variables:
    DOCKER_AUTH_CONFIG: '{"auths": {"https://registry.example.com/v2/": {"username": "u", "password": "p\\n", "email": "a@b"}}}'
  services:
    - name: postgres:16
      alias: db,db2
    - mysql:latest
  script: [make]
test:
  extends: build
  image: \${CI_REGISTRY}/group/project/app@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d
  script: !reference [build, script]
`;

const CREDENTIAL_RUNNER = `concurrent = 2
[[runners]]
  name = "r1"
  executor = "docker"
  environment = ["DOCKER_AUTH_CONFIG={\\"auths\\":{\\"registry.example.com\\":{\\"username\\":\\"u\\",\\"password\\":\\"p\\"}},\\"credsStore\\":\\"desktop\\"}"]
  [runners.docker]
    image = 'alpine:3.20'
    allowed_images = ["registry.example.com/**", "!docker.io/*"]
    allowed_pull_policies = ["always"]
    allowed_users = ["root"]
    network_mode = "host"
    links = ["db:db"]
    services = ["redis:latest"]
    description = """
multi-line
"""
`;

export const SEEDS: readonly Seed[] = [
  { name: 'examples/.gitlab-ci.yml', kind: 'gitlab-ci', text: file('examples/.gitlab-ci.yml') },
  { name: 'examples/gitlab-runner/config.toml', kind: 'runner-config', text: file('examples/gitlab-runner/config.toml') },
  { name: 'examples/.docker/config.json', kind: 'docker-config', text: file('examples/.docker/config.json') },
  { name: 'test/fixtures/cli/pipeline.yml', kind: 'gitlab-ci', text: file('test/fixtures/cli/pipeline.yml') },
  { name: 'test/e2e/fixtures/credentials.gitlab-ci.yml', kind: 'gitlab-ci', text: file('test/e2e/fixtures/credentials.gitlab-ci.yml') },
  { name: 'generated pipeline (6 jobs, anchors)', kind: 'gitlab-ci', text: generatePipeline({ jobs: 6, anchors: true, seed: 3 }) },
  { name: 'generated pipeline (4 jobs)', kind: 'gitlab-ci', text: generatePipeline({ jobs: 4, anchors: false, seed: 9 }) },
  { name: 'generated runner config (2 runners)', kind: 'runner-config', text: generateRunnerConfig(2) },
  { name: 'generated Docker config (6 entries)', kind: 'docker-config', text: generateDockerConfig(6) },
  { name: 'credential pipeline', kind: 'gitlab-ci', text: CREDENTIAL_PIPELINE },
  { name: 'credential runner config', kind: 'runner-config', text: CREDENTIAL_RUNNER },
];

// ---- Contexts -----------------------------------------------------------------------------

function context(settings: Record<string, unknown>, files?: Readonly<Record<string, string>>): AnalysisContext {
  const parsed = parseSettings(settings);
  assert.deepEqual(parsed.problems, [], 'fuzz settings are valid');
  if (!files) return { settings: parsed.settings, workspace: EMPTY_WORKSPACE };
  const index = new WorkspaceIndex(['/project']);
  for (const [uri, text] of Object.entries(files)) index.setFile(uri, text, parsed.settings);
  return { settings: parsed.settings, workspace: index.view() };
}

/**
 * The contexts an analysis runs in: alone, and in a workspace with a runner
 * configuration, a Docker config and an included file (so the cross-file rules run),
 * with settings that switch every severity path on.
 */
export const CONTEXTS: readonly AnalysisContext[] = [
  context({}),
  context(
    { pinning: 'error', runner: { hosted: true, platform: 'windows' }, variables: { DEPLOY_TOOL: '*', BASE: 'registry.example.com/base:1' }, ciRegistry: 'registry.example.com:5000' },
    {
      'file:///project/runners/config.toml': file('examples/gitlab-runner/config.toml'),
      'file:///project/.docker/config.json': file('examples/.docker/config.json'),
      'file:///project/ci/templates.yml': '.tpl:\n  image: Registry.example.com/tpl:latest\n  services: [redis]\n',
      'file:///project/other.gitlab-ci.yml': 'include: [{local: ci/templates.yml}, {local: .gitlab-ci.yml}]\n',
    },
  ),
];

// ---- Hostile text ------------------------------------------------------------------------

/**
 * Characters that break naive position arithmetic: surrogate pairs and lone
 * surrogates, combining marks, right-to-left text and overrides, NUL and other
 * controls, every line break LSP and YAML know, a BOM, and the characters the three
 * syntaxes give meaning to.
 */
const HOSTILE_PIECES = [
  '😀', '👍🏽', '𝔘', '\ud800', '\udfff', '\udc00\ud800', 'e\u0301', '\u0301', '\u0338\u0338',
  '\u202e', '\u200f', 'שלום', 'مرحبا', '\u0000', '\u0001', '\u007f', '\u00a0', '\ufeff', '\ufffd',
  '\r', '\n', '\r\n', '\u2028', '\u2029', '\u0085', '\t', ' ', '  ',
  ':', '- ', '#', '&a', '*a', '<<: *a', '!reference', '!!binary', '|', '>-', '"', "'", '\\', '{', '}', '[', ']', ',', '?', '%YAML 1.2', '---', '...',
  '=', '[[runners]]', '"""', "'''", '.', '$', '${', '$$', '@sha256:', ':latest', '/', 'auths', 'auth', '"auth": "', 'image: ', 'services:', 'extends: ', 'include: ',
];

/** A short string of hostile pieces and random code points (including lone surrogates). */
export const hostileString: fc.Arbitrary<string> = fc
  .array(fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_PIECES) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
    { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 2 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  ), { maxLength: 8 })
  .map((pieces) => pieces.join(''));

/** One edit of a text, as fractions of its length so it fits any text. */
export interface Edit {
  readonly at: number;
  readonly deleted: number;
  readonly inserted: string;
}

export const editArbitrary: fc.Arbitrary<Edit> = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  deleted: fc.oneof(fc.constant(0), fc.nat({ max: 3 }), fc.nat({ max: 40 })),
  inserted: fc.oneof(fc.constant(''), hostileString),
});

/** The edit as offsets in `text` (may split a surrogate pair or a CRLF: editors do that too). */
export function editAt(text: string, edit: Edit): { start: number; end: number; inserted: string } {
  const start = Math.min(text.length, Math.floor(edit.at * (text.length + 1)));
  return { start, end: Math.min(text.length, start + edit.deleted), inserted: edit.inserted };
}

export function applyEdits(text: string, edits: readonly Edit[]): string {
  let current = text;
  for (const edit of edits) {
    const { start, end, inserted } = editAt(current, edit);
    current = current.slice(0, start) + inserted + current.slice(end);
  }
  return current;
}

// ---- Properties ----------------------------------------------------------------------------

/** Line start offsets as LSP counts lines: ends at `\r\n`, `\n` or `\r`. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 13 && text.charCodeAt(i + 1) === 10) {
      starts.push(i + 2);
      i++;
    } else if (ch === 10 || ch === 13) {
      starts.push(i + 1);
    }
  }
  return starts;
}

function lineEnd(text: string, starts: readonly number[], line: number): number {
  if (line + 1 >= starts.length) return text.length;
  const next = starts[line + 1]!;
  return text.charCodeAt(next - 2) === 13 && text.charCodeAt(next - 1) === 10 ? next - 2 : next - 1;
}

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The offset of an LSP position in `text`, asserting it lies inside the document
 * (an existing line, at most its length) and not between the halves of a surrogate pair.
 */
export function checkedOffset(text: string, starts: readonly number[], position: Position, what: string): number {
  assert.ok(Number.isInteger(position.line) && Number.isInteger(position.character), `${what}: not integers: ${JSON.stringify(position)}`);
  assert.ok(position.line >= 0 && position.line < starts.length, `${what}: line ${position.line} of ${starts.length}`);
  const start = starts[position.line]!;
  const length = lineEnd(text, starts, position.line) - start;
  assert.ok(position.character >= 0 && position.character <= length, `${what}: character ${position.character} of line ${position.line} (length ${length})`);
  const offset = start + position.character;
  assert.ok(!(isHigh(text.charCodeAt(offset - 1)) && isLow(text.charCodeAt(offset))), `${what}: position ${JSON.stringify(position)} splits a surrogate pair`);
  return offset;
}

export function checkRange(text: string, starts: readonly number[], range: Range, what: string): void {
  const start = checkedOffset(text, starts, range.start, `${what} start`);
  const end = checkedOffset(text, starts, range.end, `${what} end`);
  assert.ok(start <= end, `${what}: range ends before it starts: ${JSON.stringify(range)}`);
}

/** A service whose rule failures fail the property (the server would only log them). */
export function strictService(): { service: LanguageService; failures: unknown[] } {
  const failures: unknown[] = [];
  return { service: new LanguageService((family, error) => failures.push(new Error(`the ${family} rules threw: ${error instanceof Error ? error.stack : String(error)}`))), failures };
}

function throwFailures(failures: readonly unknown[]): void {
  if (failures.length > 0) throw failures[0];
}

export interface CheckOptions {
  /** Where to ask for hovers, as fractions of the text length. */
  readonly hoverAt?: readonly number[];
  /** Also ask for code actions on every diagnostic, and check their edits. */
  readonly codeActions?: boolean;
  /** Also check that a second, fresh service gives the same diagnostics. */
  readonly determinism?: boolean;
}

function checkEdits(text: string, starts: readonly number[], actions: readonly CodeAction[], uri: string): void {
  for (const action of actions) {
    assert.equal(typeof action.title, 'string');
    for (const [target, edits] of Object.entries(action.edit?.changes ?? {})) {
      // Edits of the document itself must fit it; edits of other files are checked by their own tests.
      if (target !== uri) continue;
      for (const edit of edits as TextEdit[]) checkRange(text, starts, edit.range, `code action "${action.title}" edit`);
    }
    for (const change of action.edit?.documentChanges ?? []) {
      if (!('textDocument' in change) || change.textDocument.uri !== uri) continue;
      for (const edit of change.edits) checkRange(text, starts, edit.range, `code action "${action.title}" edit`);
    }
  }
}

function checkHover(text: string, starts: readonly number[], hover: Hover | null, what: string): void {
  if (!hover) return;
  if (hover.range) checkRange(text, starts, hover.range, what);
  const contents = hover.contents as { value?: unknown };
  assert.equal(typeof contents.value, 'string', `${what}: markup contents`);
}

/**
 * Analyses `text` as `kind` and checks the properties: no exception and no rule
 * failure; every diagnostic range inside the document, ordered, on UTF-16
 * boundaries; hovers and code actions likewise; and, when asked, the same
 * diagnostics from a fresh service. Returns the diagnostics.
 */
export function checkAnalysis(kind: Kind, text: string, analysisContext: AnalysisContext, options: CheckOptions = {}): Diagnostic[] {
  const uri = URIS[kind];
  const document = TextDocument.create(uri, 'plaintext', 1, text);
  const { service, failures } = strictService();
  const diagnostics = service.doValidation(document, analysisContext, kind);
  throwFailures(failures);
  const starts = lineStarts(text);
  for (const diagnostic of diagnostics) {
    checkRange(text, starts, diagnostic.range, `diagnostic ${String(diagnostic.code)}`);
    for (const related of diagnostic.relatedInformation ?? []) {
      if (related.location.uri === uri) checkRange(text, starts, related.location.range, `related information of ${String(diagnostic.code)}`);
    }
    assert.ok(typeof diagnostic.message === 'string' ? diagnostic.message.length > 0 : diagnostic.message.value.length > 0, `diagnostic ${String(diagnostic.code)} has a message`);
  }
  for (const at of options.hoverAt ?? []) {
    const offset = Math.min(text.length, Math.floor(at * (text.length + 1)));
    const hover = service.doHover(document, document.positionAt(offset), analysisContext);
    throwFailures(failures);
    checkHover(text, starts, hover, `hover at ${offset}`);
  }
  if (options.codeActions && diagnostics.length > 0) {
    const whole = { start: { line: 0, character: 0 }, end: document.positionAt(text.length) };
    const actions = service.doCodeActions(document, whole, { diagnostics }, analysisContext);
    throwFailures(failures);
    checkEdits(text, starts, actions, uri);
    const onFirst = service.doCodeActions(document, diagnostics[0]!.range, { diagnostics: [diagnostics[0]!], only: ['quickfix'] }, analysisContext);
    checkEdits(text, starts, onFirst, uri);
  }
  if (options.determinism) {
    const again = strictService();
    const second = again.service.doValidation(TextDocument.create(uri, 'plaintext', 1, text), analysisContext, kind);
    throwFailures(again.failures);
    assert.deepEqual(second, diagnostics, 'a fresh service gives the same diagnostics for the same text');
  }
  return diagnostics;
}

/**
 * Analyses `before`, then the same URI at version 2 after `edits` (sent as
 * incremental changes, as an editor does), and checks the result equals a fresh
 * analysis of the edited text.
 */
export function checkEditedEqualsFresh(kind: Kind, before: string, edits: readonly Edit[], analysisContext: AnalysisContext): void {
  const uri = URIS[kind];
  const { service, failures } = strictService();
  let document = TextDocument.create(uri, 'plaintext', 1, before);
  service.doValidation(document, analysisContext, kind);
  let text = before;
  const changes = edits.map((edit) => {
    const { start, end, inserted } = editAt(text, edit);
    const change = { range: { start: positionOf(text, start), end: positionOf(text, end) }, text: inserted };
    text = text.slice(0, start) + inserted + text.slice(end);
    return change;
  });
  document = TextDocument.update(document, changes, 2);
  const edited = service.doValidation(document, analysisContext, kind);
  throwFailures(failures);
  const fresh = checkAnalysis(kind, document.getText(), analysisContext);
  assert.deepEqual(edited, fresh, 'the edited document gives the diagnostics of its text analysed from scratch');
}

/** The LSP position of an offset (as an editor would send it). */
function positionOf(text: string, offset: number): Position {
  const starts = lineStarts(text);
  let line = starts.length - 1;
  while (starts[line]! > offset) line--;
  return { line, character: offset - starts[line]! };
}
