/**
 * Synthetic but realistic inputs for the benchmark: a `.gitlab-ci.yml` of any size,
 * a runner `config.toml` and a Docker `config.json`.
 *
 * Output depends only on the options (and the seed): the same call always returns
 * the same text, so figures from two runs are measured on identical documents.
 * All credentials are obviously fake (`ci-user:example-password`).
 */

export interface PipelineOptions {
  /** Number of visible (non-hidden) jobs. */
  readonly jobs: number;
  /** Use anchors, aliases, `<<` merge keys and `!reference` tags. */
  readonly anchors: boolean;
  /** PRNG seed; default 1. */
  readonly seed?: number;
}

/** base64 of `ci-user:example-password`: a fake credential, kept recognisable on purpose. */
export const FAKE_AUTH = Buffer.from('ci-user:example-password').toString('base64');

export const STAGES = ['build', 'test', 'scan', 'package', 'deploy'] as const;

/** Hidden jobs the generated pipeline defines; `extends` only ever names these. */
export const TEMPLATES = [
  '.base',
  '.node-template',
  '.node-test-template',
  '.python-template',
  '.docker-build-template',
  '.deploy-template',
] as const;

// ---------------------------------------------------------------------------
// Seeded PRNG (mulberry32): tiny, fast and good enough for picking fixtures.

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, max). */
  int(max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
  /** `length` lowercase hex digits. */
  hex(length: number): string;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number): number => Math.floor(next() * max);
  return {
    next,
    int,
    pick: (items) => items[int(items.length)]!,
    chance: (probability) => next() < probability,
    hex: (length) => {
      let out = '';
      while (out.length < length) out += int(16).toString(16);
      return out;
    },
  };
}

// ---------------------------------------------------------------------------
// .gitlab-ci.yml

const COMPONENTS = ['api', 'web', 'worker', 'billing', 'auth', 'search', 'gateway', 'notifier', 'reports', 'ingest'];
const DOCKER_HUB_SHORT = ['node:20', 'node:22-alpine', 'python:3.12-slim', 'golang:1.23', 'ruby:3.3', 'maven:3.9-eclipse-temurin-21'];
const DOCKER_HUB_LIBRARY = ['library/alpine:3.20', 'library/debian:bookworm-slim', 'library/ubuntu:24.04', 'library/busybox:1.36'];
const GCR_TOOLS = ['tool', 'linter', 'migrator', 'schema-check'];
const GHCR_TOOLS = ['ghcr.io/example-org/release-cli:v1.4.0', 'ghcr.io/example-org/sbom-scanner:2.1.3', 'ghcr.io/example-org/helm-kubectl:3.15'];
const ECR_HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const ECR_IMAGES = [`${ECR_HOST}/api:dev`, `${ECR_HOST}/worker:1.8.0`, `${ECR_HOST}/base/node-builder:20`];

/** One kind of `image:` per entry, so every N ≥ the list length covers them all. */
type ImageKind =
  | 'hub-short'
  | 'hub-library'
  | 'private-port'
  | 'ci-variable'
  | 'ecr'
  | 'digest'
  | 'gcr'
  | 'ghcr'
  | 'dependency-proxy'
  | 'hash'
  | 'inherited'
  | 'reference';

const IMAGE_KINDS_PLAIN: readonly ImageKind[] = [
  'hub-short', 'hub-library', 'private-port', 'ci-variable', 'ecr', 'digest',
  'gcr', 'ghcr', 'dependency-proxy', 'hash', 'inherited',
];
const IMAGE_KINDS_ANCHORS: readonly ImageKind[] = [...IMAGE_KINDS_PLAIN, 'reference'];

interface ServiceSpec {
  readonly name: string;
  readonly alias?: string;
  /** Variables that make the job talk to this service by its hostname. */
  readonly variables: readonly (readonly [string, string])[];
}

const SERVICES: readonly ServiceSpec[] = [
  {
    name: 'postgres:16-alpine',
    alias: 'postgres',
    variables: [['DATABASE_URL', 'postgres://runner:runner@postgres:5432/data_api']],
  },
  { name: 'redis:7', variables: [['REDIS_URL', 'redis://redis:6379/0']] },
  {
    name: 'mysql:8.4',
    alias: 'mysql',
    variables: [['MYSQL_DATABASE', 'data_api'], ['MYSQL_ROOT_PASSWORD', 'runner']],
  },
  { name: 'registry.example.com:5000/platform/mock-s3:0.9', alias: 'object-store', variables: [['S3_ENDPOINT', 'http://object-store:9000']] },
  { name: 'docker:27-dind', alias: 'docker', variables: [['DOCKER_HOST', 'tcp://docker:2375'], ['DOCKER_TLS_CERTDIR', '""']] },
];

/** Lines accumulate here; `indent` is in two-space steps. */
class YamlWriter {
  private readonly lines: string[] = [];
  line(indent: number, text: string): this {
    this.lines.push(text === '' ? '' : '  '.repeat(indent) + text);
    return this;
  }
  blank(): this {
    return this.line(0, '');
  }
  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}

function pad(index: number, width: number): string {
  return String(index).padStart(width, '0');
}

/** The `DOCKER_AUTH_CONFIG` JSON, pretty-printed so it reads like a real variable. */
function dockerAuthConfigJson(registries: readonly string[]): string {
  const auths: Record<string, { auth: string }> = {};
  for (const registry of registries) auths[registry] = { auth: FAKE_AUTH };
  return JSON.stringify({ auths }, null, 2);
}

function writeHeader(out: YamlWriter, options: Required<PipelineOptions>): void {
  out.line(0, `# Generated by bench/generate.ts: ${options.jobs} jobs, anchors ${options.anchors ? 'on' : 'off'}, seed ${options.seed}.`);
  out.line(0, '# Credentials are fake (ci-user:example-password).');
  out.line(0, 'stages:');
  for (const stage of STAGES) out.line(1, `- ${stage}`);
  out.blank();

  out.line(0, 'variables:');
  out.line(1, 'POSTGRES_DB: data_api');
  out.line(1, 'POSTGRES_USER: runner');
  out.line(1, 'POSTGRES_PASSWORD: runner');
  out.line(1, 'FF_NETWORK_PER_BUILD: "true"');
  out.line(1, 'DOCKER_DRIVER: overlay2');
  out.line(1, 'DOCKER_AUTH_CONFIG: |');
  const json = dockerAuthConfigJson(['registry.example.com:5000', ECR_HOST, 'ghcr.io', 'https://index.docker.io/v1/']);
  for (const jsonLine of json.split('\n')) out.line(2, jsonLine);
  out.blank();

  out.line(0, 'default:');
  out.line(1, 'image: ruby:3.3');
  out.line(1, 'services:');
  out.line(2, '- name: redis:7-alpine');
  out.line(3, 'alias: cache');
  out.line(1, 'interruptible: true');
  out.blank();
}

function writeTemplates(out: YamlWriter, anchors: boolean): void {
  if (anchors) {
    // Anchored hidden keys: the shapes people actually share with `*alias` and `<<`.
    out.line(0, '.defaults: &defaults');
    out.line(1, 'tags:');
    out.line(2, '- docker');
    out.line(1, 'retry:');
    out.line(2, 'max: 2');
    out.line(2, 'when:');
    out.line(3, '- runner_system_failure');
    out.blank();
    out.line(0, '.database-services: &database_services');
    out.line(1, '- name: postgres:16-alpine');
    out.line(2, 'alias: postgres');
    out.line(1, '- name: redis:7');
    out.line(2, 'alias: redis');
    out.blank();
    out.line(0, '.database-variables: &database_variables');
    out.line(1, 'DATABASE_URL: postgres://runner:runner@postgres:5432/data_api');
    out.line(1, 'REDIS_URL: redis://redis:6379/0');
    out.blank();
    out.line(0, '.install-script: &install_script');
    out.line(1, '- npm ci --prefer-offline');
    out.line(1, '- npm run build --if-present');
    out.blank();
  }

  out.line(0, '.base:');
  out.line(1, 'image: alpine:3.20');
  if (anchors) {
    out.line(1, '<<: *defaults');
  } else {
    out.line(1, 'tags:');
    out.line(2, '- docker');
  }
  out.line(1, 'before_script:');
  out.line(2, '- echo "Running $CI_JOB_NAME on $CI_RUNNER_DESCRIPTION"');
  out.blank();

  out.line(0, '.node-template:');
  out.line(1, 'extends: .base');
  out.line(1, 'image: node:20-alpine');
  out.line(1, 'cache:');
  out.line(2, 'key:');
  out.line(3, 'files:');
  out.line(4, '- package-lock.json');
  out.line(2, 'paths:');
  out.line(3, '- node_modules/');
  out.line(1, 'before_script:');
  if (anchors) out.line(2, '- !reference [.base, before_script]');
  out.line(2, '- npm ci --prefer-offline');
  out.blank();

  // Third level of the `extends` chain: .node-test-template → .node-template → .base.
  out.line(0, '.node-test-template:');
  out.line(1, 'extends: .node-template');
  out.line(1, 'stage: test');
  out.line(1, 'services:');
  out.line(2, '- name: postgres:16-alpine');
  out.line(3, 'alias: postgres');
  out.line(1, 'variables:');
  out.line(2, 'DATABASE_URL: postgres://runner:runner@postgres:5432/data_api');
  out.blank();

  out.line(0, '.python-template:');
  out.line(1, 'extends: .base');
  out.line(1, 'image: python:3.12-slim');
  out.line(1, 'variables:');
  out.line(2, 'PIP_CACHE_DIR: $CI_PROJECT_DIR/.cache/pip');
  out.blank();

  out.line(0, '.docker-build-template:');
  out.line(1, 'extends: .base');
  out.line(1, 'image: docker:27');
  out.line(1, 'services:');
  out.line(2, '- name: docker:27-dind');
  out.line(3, 'alias: docker');
  out.line(1, 'variables:');
  out.line(2, 'DOCKER_HOST: tcp://docker:2376');
  out.line(2, 'DOCKER_TLS_CERTDIR: /certs');
  out.line(2, 'DOCKER_TLS_VERIFY: "1"');
  out.line(2, 'DOCKER_CERT_PATH: /certs/client');
  out.blank();

  out.line(0, '.deploy-template:');
  out.line(1, 'extends: .docker-build-template');
  out.line(1, 'image: registry.example.com:5000/platform/deployer:2.3');
  out.line(1, 'stage: deploy');
  out.line(1, 'when: manual');
  out.line(1, 'environment:');
  out.line(2, 'name: staging');
  out.blank();
}

/** The template a job extends, chosen so the inherited image makes sense for its stage. */
function templateFor(stage: string, random: Random): string {
  switch (stage) {
    case 'build':
      return random.pick(['.node-template', '.python-template', '.docker-build-template']);
    case 'test':
      return random.pick(['.node-test-template', '.python-template']);
    case 'deploy':
      return '.deploy-template';
    default:
      return random.pick(['.base', '.docker-build-template']);
  }
}

/** Writes the `image:` entry of a job (nothing for `inherited`: the template supplies it). */
function writeImage(out: YamlWriter, kind: ImageKind, component: string, random: Random): void {
  switch (kind) {
    case 'hub-short':
      out.line(1, `image: ${random.pick(DOCKER_HUB_SHORT)}`);
      return;
    case 'hub-library':
      out.line(1, `image: ${random.pick(DOCKER_HUB_LIBRARY)}`);
      return;
    case 'private-port':
      out.line(1, `image: registry.example.com:5000/group/${component}:1.${random.int(10)}`);
      return;
    case 'ci-variable':
      out.line(1, random.chance(0.5) ? `image: $CI_REGISTRY_IMAGE/${component}:$CI_COMMIT_SHA` : `image: "$CI_REGISTRY_IMAGE/${component}:$CI_COMMIT_SHORT_SHA"`);
      return;
    case 'ecr':
      out.line(1, `image: ${random.pick(ECR_IMAGES)}`);
      return;
    case 'digest':
      out.line(1, `image: alpine:3.20@sha256:${random.hex(64)}`);
      return;
    case 'gcr':
      out.line(1, `image: gcr.io/example-project/${random.pick(GCR_TOOLS)}`);
      return;
    case 'ghcr':
      out.line(1, `image: ${random.pick(GHCR_TOOLS)}`);
      return;
    case 'dependency-proxy':
      out.line(1, `image: "\${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/${random.pick(['redis:7', 'node:20-alpine', 'python:3.12'])}"`);
      return;
    case 'hash':
      out.line(1, 'image:');
      out.line(2, `name: ${random.pick(['gcr.io/kaniko-project/executor:v1.23.2-debug', 'registry.example.com:5000/tools/terraform:1.9', 'hashicorp/terraform:1.9'])}`);
      out.line(2, 'entrypoint: [""]');
      out.line(2, 'pull_policy: if-not-present');
      return;
    case 'reference':
      out.line(1, `image: !reference [${random.pick(['.base', '.node-template', '.python-template'])}, image]`);
      return;
    case 'inherited':
      return;
  }
}

function writeServices(out: YamlWriter, services: readonly ServiceSpec[]): void {
  out.line(1, 'services:');
  for (const service of services) {
    if (service.alias === undefined) {
      out.line(2, `- ${service.name}`);
    } else {
      out.line(2, `- name: ${service.name}`);
      out.line(3, `alias: ${service.alias}`);
    }
  }
}

const SCRIPTS: Record<string, readonly string[]> = {
  build: ['npm run build', 'make build VERSION=$CI_COMMIT_SHORT_SHA', 'docker build -t "$CI_REGISTRY_IMAGE/app:$CI_COMMIT_SHA" .'],
  test: ['npm test -- --ci', 'pytest -q --junitxml=report.xml', 'go test ./...'],
  scan: ['trivy image --exit-code 1 "$CI_REGISTRY_IMAGE/app:$CI_COMMIT_SHA"', 'semgrep ci', 'sbom-scanner --format cyclonedx > sbom.json'],
  package: ['docker push "$CI_REGISTRY_IMAGE/app:$CI_COMMIT_SHA"', 'helm package charts/app', 'tar czf dist.tgz dist/'],
  deploy: ['helm upgrade --install app charts/app --set image.tag=$CI_COMMIT_SHA', 'kubectl rollout status deploy/app', './scripts/smoke-test.sh'],
};

function writeJob(out: YamlWriter, index: number, width: number, anchors: boolean, random: Random): void {
  const kinds = anchors ? IMAGE_KINDS_ANCHORS : IMAGE_KINDS_PLAIN;
  const kind = kinds[index % kinds.length]!;
  const stage = STAGES[random.int(STAGES.length)]!;
  const component = random.pick(COMPONENTS);
  out.line(0, `${stage}-${component}-${pad(index + 1, width)}:`);

  // Anchored jobs share their defaults through a merge key, like real pipelines do.
  if (anchors && random.chance(0.6)) out.line(1, '<<: *defaults');
  if (kind === 'inherited' || random.chance(0.25)) out.line(1, `extends: ${templateFor(stage, random)}`);
  out.line(1, `stage: ${stage}`);
  writeImage(out, kind, component, random);

  const variables: [string, string][] = [['COMPONENT', component]];
  const useSharedServices = anchors && random.chance(0.3);
  if (useSharedServices) {
    out.line(1, 'services: *database_services');
  } else if (random.chance(0.4)) {
    const first = random.int(SERVICES.length);
    const chosen = [SERVICES[first]!];
    if (random.chance(0.3)) chosen.push(SERVICES[(first + 1) % SERVICES.length]!);
    writeServices(out, chosen);
    for (const service of chosen) variables.push(...service.variables.map(([k, v]): [string, string] => [k, v]));
  }

  out.line(1, 'variables:');
  if (useSharedServices) out.line(2, '<<: *database_variables');
  for (const [name, value] of variables) out.line(2, `${name}: ${value}`);
  // Rarely, a job brings its own credentials (it replaces the runner's, not merges).
  if (random.chance(0.02)) {
    out.line(2, 'DOCKER_AUTH_CONFIG: |');
    for (const jsonLine of dockerAuthConfigJson([`registry-${component}.example.com`]).split('\n')) out.line(3, jsonLine);
  }

  out.line(1, 'script:');
  if (anchors && stage === 'build' && random.chance(0.3)) out.line(2, '- *install_script');
  const scripts = SCRIPTS[stage]!;
  const count = 1 + random.int(3);
  for (let s = 0; s < count; s++) out.line(2, `- ${scripts[(index + s) % scripts.length]}`);
  if (stage === 'test' && random.chance(0.5)) {
    out.line(1, 'artifacts:');
    out.line(2, 'reports:');
    out.line(3, 'junit: report.xml');
  }
  out.blank();
}

/** A `.gitlab-ci.yml` with `options.jobs` visible jobs. */
export function generatePipeline(options: PipelineOptions): string {
  const resolved: Required<PipelineOptions> = { seed: 1, ...options };
  if (!Number.isInteger(resolved.jobs) || resolved.jobs < 0) throw new RangeError(`jobs must be a non-negative integer, got ${resolved.jobs}`);
  const random = createRandom(resolved.seed);
  const out = new YamlWriter();
  writeHeader(out, resolved);
  writeTemplates(out, resolved.anchors);
  const width = String(resolved.jobs).length;
  for (let i = 0; i < resolved.jobs; i++) writeJob(out, i, width, resolved.anchors, random);
  return out.toString();
}

// ---------------------------------------------------------------------------
// Runner config.toml

/** TOML basic string: only `"` and `\` need escaping in what we emit. */
function tomlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function tomlArray(values: readonly string[]): string {
  return `[${values.map(tomlString).join(', ')}]`;
}

/** A runner `config.toml` with `runners` Docker-executor `[[runners]]` sections. */
export function generateRunnerConfig(runners: number): string {
  const random = createRandom(runners + 7);
  const lines: string[] = [
    '# Generated by bench/generate.ts. Tokens and credentials are fake.',
    `concurrent = ${Math.max(1, Math.min(runners, 16))}`,
    'check_interval = 0',
    'shutdown_timeout = 0',
    '',
    '[session_server]',
    '  session_timeout = 1800',
    '',
  ];
  for (let i = 1; i <= runners; i++) {
    const authConfig = JSON.stringify({ auths: { [`registry-${i}.example.com:5000`]: { auth: FAKE_AUTH } } });
    const pullPolicies = random.pick([['always'], ['if-not-present'], ['always', 'if-not-present']]);
    lines.push(
      '[[runners]]',
      `  name = "docker-runner-${i}"`,
      '  url = "https://gitlab.example.com"',
      `  id = ${1000 + i}`,
      `  token = "glrt-EXAMPLE-NOT-A-REAL-TOKEN-${pad(i, 4)}"`,
      '  executor = "docker"',
      `  environment = ${tomlArray(['FF_NETWORK_PER_BUILD=true', `DOCKER_AUTH_CONFIG=${authConfig}`])}`,
      '  [runners.cache]',
      '    MaxUploadedArchiveSize = 0',
      '  [runners.docker]',
      `    image = ${tomlString(random.pick(['alpine:3.20', 'ruby:3.3', `registry-${i}.example.com:5000/base/runner-image:1.${i % 10}`]))}`,
      '    privileged = false',
      '    disable_cache = false',
      '    volumes = ["/cache"]',
      '    shm_size = 0',
      `    allowed_images = ${tomlArray([`registry-${i}.example.com:5000/*/*:*`, 'node:*', 'python:*', 'alpine:*', 'ruby:*', '*/*:*'])}`,
      `    allowed_services = ${tomlArray(['postgres:*', 'redis:*', 'docker:*-dind'])}`,
      `    pull_policy = ${tomlArray(pullPolicies)}`,
      `    allowed_pull_policies = ${tomlArray(['always', 'if-not-present'])}`,
      '    [[runners.docker.services]]',
      '      name = "postgres:16-alpine"',
      '      alias = "postgres"',
      '    [[runners.docker.services]]',
      '      name = "redis:7"',
      '      alias = "cache"',
      '',
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// Docker config.json

/** A Docker `config.json` with `entries` registries under `auths` plus a few `credHelpers`. */
export function generateDockerConfig(entries: number): string {
  const auths: Record<string, { auth: string }> = {};
  for (let i = 1; i <= entries; i++) {
    // Mix the key shapes Docker accepts: host, host:port, host/path, https URL.
    const key =
      i % 4 === 0 ? `https://registry-${i}.example.com`
      : i % 4 === 1 ? `registry-${i}.example.com:5000`
      : i % 4 === 2 ? `registry-${i}.example.com/team-${i % 7}`
      : `registry-${i}.example.com`;
    auths[key] = { auth: FAKE_AUTH };
  }
  const config = {
    auths,
    credHelpers: {
      [ECR_HOST]: 'ecr-login',
      'europe-docker.pkg.dev': 'gcloud',
      'ghcr.io': 'pass',
    },
  };
  return JSON.stringify(config, null, 2) + '\n';
}

// ---------------------------------------------------------------------------
// A monorepo around the pipeline

/**
 * The other files of a monorepo of `packages` packages, by relative path: per package a
 * `package.json`, a `tsconfig.json`, 8 translation and 2 fixture JSON files, a
 * `pyproject.toml`, and 4 Kubernetes manifests (YAML) naming images; plus a few
 * GitHub workflow files at the root. 18 files and ~60 KB per package. None is a
 * pipeline or a config Pullguard analyses: they are what a workspace scan passes over
 * (or reads, for the YAML files any pipeline may include).
 */
export function generateMonorepoFiles(packages: number): Map<string, string> {
  const files = new Map<string, string>();
  for (let p = 1; p <= packages; p++) {
    const dir = `packages/pkg-${pad(p, 4)}`;
    const dependencies = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`@example/dep-${(p * 7 + i) % 300}`, `^${1 + (i % 4)}.${i % 10}.0`]));
    files.set(`${dir}/package.json`, JSON.stringify({ name: `@example/pkg-${p}`, version: '1.0.0', private: true, scripts: { build: 'tsc -b', test: 'vitest run' }, dependencies }, null, 2) + '\n');
    files.set(`${dir}/tsconfig.json`, JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { outDir: 'dist', rootDir: 'src' } }, null, 2) + '\n');
    for (let i = 1; i <= 8; i++) {
      const messages = Object.fromEntries(Array.from({ length: 60 }, (_, k) => [`pkg${p}.screen${k % 12}.label${k}`, `Label ${k} of screen ${k % 12} in package ${p}, language ${i}`]));
      files.set(`${dir}/src/i18n/lang-${i}.json`, JSON.stringify(messages, null, 2) + '\n');
    }
    for (let i = 1; i <= 2; i++) {
      const rows = Array.from({ length: 60 }, (_, k) => ({ id: k, name: `item-${p}-${i}-${k}`, tags: ['a', 'b'], price: (k * 37) % 1000 }));
      files.set(`${dir}/test/fixtures/data-${i}.json`, JSON.stringify(rows, null, 2) + '\n');
    }
    files.set(`${dir}/pyproject.toml`, `[project]\nname = "pkg-${p}"\nversion = "1.0.0"\n\n[tool.ruff]\nline-length = 100\n`);
    for (let i = 1; i <= 4; i++) {
      const documents = Array.from({ length: 4 }, (_, k) => [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        `  name: pkg-${p}-svc-${i}-${k}`,
        '  labels: {app: example}',
        'spec:',
        '  replicas: 2',
        '  template:',
        '    spec:',
        '      containers:',
        `        - name: app-${k}`,
        `          image: registry.example.com/pkg-${p}/svc-${i}:1.${k}`,
        '          ports: [{containerPort: 8080}]',
        '          env:',
        '            - {name: LOG_LEVEL, value: info}',
      ].join('\n'));
      files.set(`${dir}/deploy/k8s/svc-${i}.yaml`, `${documents.join('\n---\n')}\n`);
    }
  }
  for (let i = 1; i <= 3; i++) {
    files.set(`.github/workflows/ci-${i}.yml`, `name: ci-${i}\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    container: node:20\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n`);
  }
  return files;
}
