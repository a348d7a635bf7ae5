/**
 * A fresh server's first analysis runs in V8's interpreter: on a 50-job pipeline
 * that is several times the cost of the same analysis once the parser and rules
 * are compiled. `warmUp` analyses a small synthetic pipeline (every image form,
 * templates, anchors, merges, `!reference`, a `DOCKER_AUTH_CONFIG`) a few times
 * in a throwaway service, so the user's first file meets compiled code;
 * `warmUpWhileIdle` goes on with it whenever the server is idle.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LanguageService, type AnalysisContext } from './languageService';
import { EMPTY_WORKSPACE } from './model/workspace';
import { DEFAULT_SETTINGS } from './settings';

const IMAGES = [
  'alpine:3.20',
  'library/node:20-alpine',
  'registry.example.com:5000/group/app:1.2',
  '$CI_REGISTRY_IMAGE/app:$CI_COMMIT_SHA',
  '"${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/redis:7"',
  '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1',
  `alpine:3.20@sha256:${'0123456789abcdef'.repeat(4)}`,
  'gcr.io/example-project/tool',
  'ghcr.io/example/tool:1',
  '!reference [.base, image]',
];

/**
 * A pipeline of `jobs` jobs using every form above, written the ways real pipelines
 * are (comments, block and quoted scalars, flow collections, anchors of maps and of
 * lists, service hashes with aliases, URLs naming services, `rules:`): V8 compiles the
 * parser and rules for the shapes and branches the warm-up ran, and a first real file
 * that meets others falls back to slower code. Deterministic.
 */
export function syntheticPipeline(jobs: number): string {
  const lines = [
    '# Warm-up pipeline',
    'stages: [build, test]',
    '',
    'variables:',
    '  DATABASE_URL: "postgres://runner:runner@postgres:5432/app"',
    '  REDIS_URL: redis://cache:6379/0  # a service hostname',
    "  FF_NETWORK_PER_BUILD: 'true'",
    '  DOCKER_AUTH_CONFIG: |',
    '    {',
    '      "auths": {',
    '        "registry.example.com:5000": {"auth": "dXNlcjpwYXNz"},',
    '        "123456789012.dkr.ecr.eu-west-1.amazonaws.com": {"auth": "dXNlcjpwYXNz"}',
    '      }',
    '    }',
    '',
    'default:',
    '  image: ruby:3.3',
    '  services: [postgres:16]',
    '',
    '.defaults: &defaults',
    '  tags: [docker]',
    '  retry: {max: 2, when: [runner_system_failure]}',
    '.services: &services',
    '  - name: postgres:16-alpine',
    '    alias: postgres',
    '  - redis:7',
    '.variables: &variables',
    '  POSTGRES_DB: app',
    '.base:',
    '  <<: *defaults',
    '  image: alpine:3.20',
    '  before_script:',
    '    - echo "start $CI_JOB_NAME"',
    '.template:',
    '  extends: .base',
    '  services:',
    '    - name: docker:27-dind',
    '      alias: docker',
    '      command: ["--tls=false"]',
  ];
  for (let i = 0; i < jobs; i++) {
    lines.push('', `job-${i}:`, i % 3 === 0 ? '  extends: .template' : '  <<: *defaults');
    if (i % 4 === 0) lines.push('  image:', `    name: ${IMAGES[(i + 1) % 3]}`, '    pull_policy: if-not-present');
    else lines.push(`  image: ${IMAGES[i % IMAGES.length]}`);
    if (i % 5 === 2) lines.push('  services: *services');
    else if (i % 7 === 3) lines.push('  services:', '    - name: mysql:8.4', '      alias: db', '    - redis:7');
    lines.push('  variables:');
    if (i % 2 === 0) lines.push('    <<: *variables');
    lines.push(`    COMPONENT: c${i}`);
    // A job of its own credentials (none of the edited jobs below: its edits re-analyse the whole file).
    if (i % 6 === 2) lines.push('    DOCKER_AUTH_CONFIG: \'{"auths": {"registry.example.com:5000": {"auth": "dXNlcjpwYXNz"}}}\'');
    lines.push('  script:', '    - make test  # the job', `    - 'echo "done ${i}"'`);
    if (i % 4 === 1) lines.push('  rules:', '    - if: $CI_COMMIT_BRANCH == "main"');
  }
  return `${lines.join('\n')}\n`;
}

/** Edits of a job's image, the keystrokes the incremental re-analysis serves. */
const EDITED_IMAGES = ['node:22-alpine', 'registry.example.com:5000/group/app:1.3', 'python:3.13'];
/**
 * The jobs edited in each round (ones with a one-line `image:` of their own, not a
 * `!reference`): enough edits that the code moving the rest of the analysis is
 * compiled, which takes a few thousand moved findings.
 */
const EDITED_JOBS = ['job-1', 'job-5', 'job-10', 'job-13', 'job-17', 'job-21', 'job-25', 'job-30', 'job-33', 'job-37'];

const WARM_UP_PIPELINE = syntheticPipeline(40);

/**
 * One round, an analysis at a time: the synthetic pipeline analysed and hovered in a
 * throwaway service, then edited inside ten jobs, each edit validated. The pipeline is
 * parsed in chunks although it is small, so that the code that re-analyses only the
 * edited jobs of a large file is compiled too. Returns how many of the edits took that path.
 */
function* warmUpRoundSteps(round: number): Generator<void, number> {
  const text = WARM_UP_PIPELINE;
  const context = { settings: DEFAULT_SETTINGS, workspace: EMPTY_WORKSPACE };
  const service = new LanguageService(undefined, { chunkedFrom: 0 });
  let document = TextDocument.create(`untitled:pullguard-warm-up-${round}/.gitlab-ci.yml`, 'yaml', 1, text);
  service.doValidation(document, context, 'gitlab-ci');
  service.doHover(document, document.positionAt(text.indexOf('alpine')), context);
  yield;
  // Jobs through the file, so that edits move what follows them as a user's do.
  for (const [k, job] of EDITED_JOBS.entries()) {
    const current = document.getText();
    const line = current.indexOf('  image: ', current.indexOf(`\n${job}:`)) + '  image: '.length;
    const end = current.indexOf('\n', line);
    document = TextDocument.update(document, [{ range: { start: document.positionAt(line), end: document.positionAt(end) }, text: EDITED_IMAGES[k % EDITED_IMAGES.length]! }], document.version + 1);
    service.doValidation(document, context, 'gitlab-ci');
    yield;
  }
  return service.incrementalAnalyses;
}

/** Rounds of the warm-up completed, and how many of their edits were re-analysed incrementally. */
export interface WarmUpSummary {
  readonly rounds: number;
  readonly incrementalAnalyses: number;
}

/** The idle warm-up's summary: also how many analyses of the workspace's own pipelines followed the rounds. */
export interface IdleWarmUpSummary extends WarmUpSummary {
  readonly workspaceAnalyses: number;
}

/** A pipeline of the workspace, as on disk, and the context it is analysed in. */
export interface WorkspacePipeline {
  readonly uri: string;
  readonly text: string;
  readonly context: AnalysisContext;
}

/**
 * How many times the idle warm-up analyses each of the workspace's pipelines it is given,
 * after its synthetic rounds: V8 then has compiled the rules for their shapes.
 */
export const WORKSPACE_PIPELINE_ANALYSES = 10;

/** The analyses of the workspace's pipelines, each WORKSPACE_PIPELINE_ANALYSES times, in a throwaway service each time. */
function workspacePipelineAnalyses(pipelines: readonly WorkspacePipeline[]): Array<() => void> {
  const analyses: Array<() => void> = [];
  for (let round = 0; round < WORKSPACE_PIPELINE_ANALYSES; round++) {
    for (const { uri, text, context } of pipelines) {
      analyses.push(() => void new LanguageService().doValidation(TextDocument.create(uri, 'yaml', 0, text), context, 'gitlab-ci'));
    }
  }
  return analyses;
}

/** The warm-up's steps, round after round, one analysis at a time; both drivers below run it. */
class WarmUpSteps {
  private completed = 0;
  private incrementalAnalyses = 0;
  private steps = warmUpRoundSteps(0);

  get rounds(): number {
    return this.completed;
  }

  /** Runs the next analysis (or closes the round it ended). */
  step(): void {
    const step = this.steps.next();
    if (!step.done) return;
    this.incrementalAnalyses += step.value;
    this.completed++;
    this.steps = warmUpRoundSteps(this.completed);
  }

  get summary(): WarmUpSummary {
    return { rounds: this.completed, incrementalAnalyses: this.incrementalAnalyses };
  }
}

/**
 * Runs up to `rounds` warm-up rounds at once. The first round runs whole; after it, the
 * warm-up stops at the first step that ends with `budgetMs` spent, so that it holds up
 * a document opened meanwhile by one step at most.
 */
export function warmUp(rounds = 4, budgetMs = 200, now: () => number = Date.now): WarmUpSummary {
  const started = now();
  const steps = new WarmUpSteps();
  while (steps.rounds < rounds && (steps.rounds === 0 || now() - started < budgetMs)) steps.step();
  return steps.summary;
}

export interface IdleWarmUpOptions {
  /** Rounds at most, over the server's life. */
  readonly rounds: number;
  /** Milliseconds spent in warm-up analyses at most, over the server's life (the waits between them do not count). */
  readonly budgetMs: number;
  /** True while the server has work of its own, or had some a moment ago (a message, an analysis): the warm-up waits. */
  readonly busy: () => boolean;
  /**
   * Runs `next` after `delayMs`: 0 for the next analysis, which should still come after
   * the messages that arrived meanwhile (the server passes a timer, not setImmediate).
   */
  readonly schedule: (next: () => void, delayMs: number) => void;
  /** How long the warm-up waits before it asks `busy` again. */
  readonly waitMs: number;
  /**
   * Analyses go on in one turn until this many milliseconds have passed (at least one per
   * turn): fewer turns, each a timer of a millisecond or more, for as long as a message
   * may wait. Default 0: one analysis per turn.
   */
  readonly sliceMs?: number;
  readonly now?: () => number;
  /**
   * The workspace's own pipelines (small ones: each analysis is one step), asked for once
   * the synthetic rounds are over and analysed then: V8 compiles the rules for the shapes
   * the user's files have, and the image names they use are parsed once, so that opening
   * one of them later takes less (bench/README.md, session 17). Their analyses count
   * towards neither the rounds nor the time budget, which bound the synthetic part.
   */
  readonly workspacePipelines?: () => readonly WorkspacePipeline[];
  /** Called once, when the warm-up ends. */
  readonly done?: (summary: IdleWarmUpSummary) => void;
}

/**
 * The warm-up continued whenever the server has nothing else to do, one analysis of the
 * synthetic pipeline at a time (a few milliseconds' worth per turn of the event loop),
 * until its rounds or its time are spent; then, the same way, the workspace's own
 * pipelines it is given (`workspacePipelines`).
 *
 * V8 compiles the code fully only after it has run many times: a fresh server's first
 * analysis of a 500-job pipeline costs about twice a later one, and its first edits of a
 * 5,000-job pipeline (the code that moves the rest of the analysis) twice a later edit.
 * A server started with the workspace gets there before the first file arrives; one that
 * got its file at once warms up while the user reads the diagnostics, before the first
 * keystroke. A message that arrives meanwhile waits for what is left of the turn (a few
 * milliseconds); then the warm-up waits until the server is idle again.
 */
export function warmUpWhileIdle(options: IdleWarmUpOptions): void {
  const now = options.now ?? Date.now;
  const steps = new WarmUpSteps();
  let spentMs = 0;
  /** The analyses of the workspace's pipelines, asked for once the synthetic rounds are over, and how many have run. */
  let workspaceAnalyses: Array<() => void> | undefined;
  let analysed = 0;
  const roundsLeft = (): boolean => steps.rounds < options.rounds && spentMs < options.budgetMs;
  const next = (): void => {
    if (!roundsLeft()) workspaceAnalyses ??= workspacePipelineAnalyses(options.workspacePipelines?.() ?? []);
    const analyses = workspaceAnalyses;
    if (analyses && analysed === analyses.length) {
      options.done?.({ ...steps.summary, workspaceAnalyses: analysed });
      return;
    }
    if (options.busy()) {
      options.schedule(next, options.waitMs);
      return;
    }
    // One step of the rounds, or one analysis of a workspace pipeline after them, then more
    // of the same while the slice lasts.
    const started = now();
    let elapsed = 0;
    const step = analyses ? () => analyses[analysed++]!() : () => steps.step();
    const more = analyses ? () => analysed < analyses.length : () => steps.rounds < options.rounds && spentMs + elapsed < options.budgetMs;
    do {
      step();
      elapsed = now() - started;
    } while (elapsed < (options.sliceMs ?? 0) && more());
    spentMs += elapsed;
    options.schedule(next, 0);
  };
  options.schedule(next, 0);
}
