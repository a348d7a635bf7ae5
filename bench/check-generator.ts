/**
 * Self-check of bench/generate.ts: the generated files parse cleanly and have the
 * shape the benchmark relies on. `node --import tsx bench/check-generator.ts`.
 * Exits non-zero with an assertion message on the first problem.
 */
import assert from 'node:assert/strict';
import TOML from '@iarna/toml';
import { isSeq, parseAllDocuments, parseDocument, type Document, type Tags } from 'yaml';
import { FAKE_AUTH, STAGES, generateDockerConfig, generateMonorepoFiles, generatePipeline, generateRunnerConfig } from './generate.js';
import { getDocumentKind } from '../server/src/service/documentKind.js';
import { DEFAULT_SETTINGS } from '../server/src/service/settings.js';

/** GitLab's `!reference [job, key]`: keep the sequence as is (no resolution needed to parse). */
const GITLAB_TAGS: Tags = [{ tag: '!reference', collection: 'seq', resolve: (value) => value }];

/** Top-level keys that are GitLab keywords, not jobs. */
const GLOBAL_KEYWORDS = new Set(['stages', 'variables', 'default', 'include', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script']);

type JobMap = Record<string, Record<string, unknown>>;

function checkPipeline(jobs: number, anchors: boolean): void {
  const label = `pipeline jobs=${jobs} anchors=${anchors}`;
  const text = generatePipeline({ jobs, anchors, seed: 1 });
  assert.equal(generatePipeline({ jobs, anchors, seed: 1 }), text, `${label}: same seed must give the same text`);
  if (jobs > 0) assert.notEqual(generatePipeline({ jobs, anchors, seed: 2 }), text, `${label}: another seed should differ`);

  // As GitLab reads it: `!reference` known, `<<` merges on.
  const doc = parseDocument(text, { customTags: GITLAB_TAGS, merge: true, uniqueKeys: true });
  assert.deepEqual(doc.errors.map(String), [], `${label}: YAML errors`);
  assert.deepEqual(doc.warnings.map(String), [], `${label}: YAML warnings`);

  // As a plain YAML 1.2 parser reads it: an unknown tag may warn but never error.
  const plain = parseDocument(text);
  assert.deepEqual(plain.errors.map(String), [], `${label}: YAML errors without custom tags`);
  if (!anchors) assert.deepEqual(plain.warnings.map(String), [], `${label}: YAML warnings without custom tags`);

  const root = doc.toJS({ maxAliasCount: -1 }) as JobMap & { stages: string[]; variables: Record<string, string> };
  assert.deepEqual(root.stages, [...STAGES]);

  const auth = JSON.parse(root.variables['DOCKER_AUTH_CONFIG']!) as { auths: Record<string, { auth: string }> };
  assert.ok(Object.keys(auth.auths).length > 0, `${label}: DOCKER_AUTH_CONFIG has auths`);
  for (const entry of Object.values(auth.auths)) {
    assert.equal(Buffer.from(entry.auth, 'base64').toString(), 'ci-user:example-password');
  }

  const names = Object.keys(root).filter((key) => !key.startsWith('.') && !GLOBAL_KEYWORDS.has(key));
  assert.equal(names.length, jobs, `${label}: job count`);
  const seenImages = new Set<string>();
  for (const name of names) {
    const job = root[name]!;
    assert.ok(STAGES.includes(job['stage'] as (typeof STAGES)[number]), `${label}: ${name} has a known stage`);
    assert.ok(Array.isArray(job['script']) && job['script'].length > 0, `${label}: ${name} has a script`);
    const parent = job['extends'];
    if (parent !== undefined) assert.ok(typeof parent === 'string' && parent in root, `${label}: ${name} extends an existing template`);
    assert.ok(job['image'] !== undefined || parent !== undefined, `${label}: ${name} has an image or inherits one`);
    const image = job['image'];
    if (typeof image === 'string') seenImages.add(image);
    else if (image && typeof image === 'object' && 'name' in image) seenImages.add(String(image.name));
  }

  if (jobs >= 50) {
    // Every kind of reference the brief lists appears at least once.
    const all = [...seenImages].join('\n');
    for (const needle of ['library/', 'registry.example.com:5000/', '$CI_REGISTRY_IMAGE/', '.dkr.ecr.', '@sha256:', 'gcr.io/', 'ghcr.io/', '${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/']) {
      assert.ok(all.includes(needle), `${label}: some image contains ${needle}`);
    }
    assert.match(text, /entrypoint: \[""\]/);
    const anchorSyntax = ['&defaults', '*defaults', '<<: *defaults', '!reference [.base, image]'];
    for (const needle of anchorSyntax) {
      assert.equal(text.includes(needle), anchors, `${label}: ${needle} present iff anchors are on`);
    }
    if (anchors) {
      // `!reference` survives as a tagged sequence node, which is what a server will look at.
      const reference = doc.getIn(['.node-template', 'before_script', 0], true);
      assert.ok(isSeq(reference) && reference.tag === '!reference', `${label}: !reference is a tagged sequence`);
    }
  }
  console.log(`ok  ${label}: ${text.length} chars, ${text.split('\n').length} lines`);
}

function checkRunnerConfig(runners: number): void {
  const text = generateRunnerConfig(runners);
  assert.equal(generateRunnerConfig(runners), text, 'runner config is deterministic');
  const config = TOML.parse(text) as unknown as {
    runners: { executor: string; environment: string[]; docker: { image: string; allowed_images: string[]; pull_policy: string[]; services: { name: string; alias: string }[] } }[];
  };
  assert.equal(config.runners.length, runners);
  for (const runner of config.runners) {
    assert.equal(runner.executor, 'docker');
    assert.ok(runner.environment.includes('FF_NETWORK_PER_BUILD=true'));
    const authEntry = runner.environment.find((entry) => entry.startsWith('DOCKER_AUTH_CONFIG='));
    assert.ok(authEntry, 'runner has DOCKER_AUTH_CONFIG');
    const auths = (JSON.parse(authEntry.slice('DOCKER_AUTH_CONFIG='.length)) as { auths: Record<string, { auth: string }> }).auths;
    assert.ok(Object.values(auths).every((entry) => entry.auth === FAKE_AUTH));
    assert.ok(runner.docker.image && runner.docker.allowed_images.length > 0 && runner.docker.pull_policy.length > 0);
    assert.ok(runner.docker.services.every((service) => service.name && service.alias));
  }
  console.log(`ok  runner config runners=${runners}: ${text.length} chars`);
}

function checkDockerConfig(entries: number): void {
  const text = generateDockerConfig(entries);
  const config = JSON.parse(text) as { auths: Record<string, { auth: string }>; credHelpers: Record<string, string> };
  assert.equal(Object.keys(config.auths).length, entries);
  assert.ok(Object.keys(config.credHelpers).length > 0);
  console.log(`ok  docker config entries=${entries}: ${text.length} chars`);
}

function checkMonorepo(packages: number): void {
  const files = generateMonorepoFiles(packages);
  assert.deepEqual([...generateMonorepoFiles(packages)], [...files], 'monorepo is deterministic');
  assert.equal(files.size, packages * 17 + 3);
  for (const [path, text] of files) {
    if (path.endsWith('.json')) JSON.parse(text);
    else if (path.endsWith('.toml')) TOML.parse(text);
    else for (const document of parseAllDocuments(text) as Document[]) assert.deepEqual(document.errors.map(String), [], `${path}: YAML errors`);
    // What a workspace scan passes over: no pipeline, runner config or Docker config.
    assert.equal(getDocumentKind(`/repo/${path}`, text, DEFAULT_SETTINGS), 'none', `${path} is no file Pullguard analyses`);
  }
  console.log(`ok  monorepo packages=${packages}: ${files.size} files`);
}

for (const jobs of [0, 50, 500, 5000]) {
  for (const anchors of [false, true]) checkPipeline(jobs, anchors);
}
for (const runners of [1, 200]) checkRunnerConfig(runners);
for (const entries of [1, 2000]) checkDockerConfig(entries);
for (const packages of [1, 100]) checkMonorepo(packages);
console.log('generator self-check passed');
