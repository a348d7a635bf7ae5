/**
 * A fresh server's first analysis runs in V8's interpreter: on a 50-job pipeline
 * that is several times the cost of the same analysis once the parser and rules
 * are compiled. `warmUp` analyses a small synthetic pipeline (every image form,
 * templates, anchors, merges, `!reference`, a `DOCKER_AUTH_CONFIG`) a few times
 * in a throwaway service, so the user's first file meets compiled code.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LanguageService } from './languageService';
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

/** A pipeline of `jobs` jobs using every form above; deterministic. */
export function syntheticPipeline(jobs: number): string {
  const lines = [
    'stages: [build, test]',
    'variables:',
    '  DOCKER_AUTH_CONFIG: \'{"auths": {"registry.example.com:5000": {"auth": "dXNlcjpwYXNz"}}}\'',
    'default:',
    '  image: ruby:3.3',
    '  services: [postgres:16]',
    '.defaults: &defaults',
    '  tags: [docker]',
    '.base:',
    '  <<: *defaults',
    '  image: alpine:3.20',
    '.template:',
    '  extends: .base',
    '  services:',
    '    - name: docker:27-dind',
    '      alias: docker',
  ];
  for (let i = 0; i < jobs; i++) {
    lines.push(`job-${i}:`, i % 3 === 0 ? '  extends: .template' : '  <<: *defaults');
    if (i % 4 === 0) lines.push('  image:', `    name: ${IMAGES[(i + 1) % 3]}`, '    pull_policy: if-not-present');
    else lines.push(`  image: ${IMAGES[i % IMAGES.length]}`);
    lines.push('  variables:', `    COMPONENT: c${i}`, '  script: [make]');
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

/**
 * Analyses the synthetic pipeline `rounds` times, each time followed by edits inside
 * ten jobs, stopping early once `budgetMs` have passed. The pipeline is parsed in
 * chunks although it is small, so that the code that re-analyses only the edited jobs
 * of a large file is compiled too.
 */
export function warmUp(rounds = 4, budgetMs = 200, now: () => number = Date.now): { rounds: number; incrementalAnalyses: number } {
  const text = syntheticPipeline(40);
  const context = { settings: DEFAULT_SETTINGS, workspace: EMPTY_WORKSPACE };
  const started = now();
  let round = 0;
  let incrementalAnalyses = 0;
  while (round < rounds && (round === 0 || now() - started < budgetMs)) {
    const service = new LanguageService(undefined, { chunkedFrom: 0 });
    let document = TextDocument.create(`untitled:pullguard-warm-up-${round}/.gitlab-ci.yml`, 'yaml', 1, text);
    service.doValidation(document, context, 'gitlab-ci');
    service.doHover(document, document.positionAt(text.indexOf('alpine')), context);
    // Jobs through the file, so that edits move what follows them as a user's do.
    for (const [k, job] of EDITED_JOBS.entries()) {
      const current = document.getText();
      const line = current.indexOf('  image: ', current.indexOf(`\n${job}:`)) + '  image: '.length;
      const end = current.indexOf('\n', line);
      document = TextDocument.update(document, [{ range: { start: document.positionAt(line), end: document.positionAt(end) }, text: EDITED_IMAGES[k % EDITED_IMAGES.length]! }], document.version + 1);
      service.doValidation(document, context, 'gitlab-ci');
    }
    incrementalAnalyses += service.incrementalAnalyses;
    round++;
  }
  return { rounds: round, incrementalAnalyses };
}
