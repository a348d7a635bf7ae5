import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CiAnalysis, parseCiModel, type EffectiveJob } from '../../server/src/service/model/ciModel';
import { scalarText } from '../../server/src/service/parse/yamlModel';

function effective(content: string, jobName: string): EffectiveJob {
  const analysis = new CiAnalysis(parseCiModel(content));
  const job = analysis.model.jobs.get(jobName);
  assert.ok(job, `no job ${jobName}`);
  return analysis.getEffectiveJob(job);
}

function imageOf(content: string, jobName: string): string | undefined {
  return scalarText(effective(content, jobName).image?.name);
}

function servicesOf(content: string, jobName: string): string[] {
  return effective(content, jobName).services.map((service) => scalarText(service.name)!);
}

describe('effective image of a job', () => {
  const cases: Array<{ name: string; content: string; job: string; image: string | undefined }> = [
    { name: 'takes the job\'s own string image', content: 'a:\n  image: node:20\n', job: 'a', image: 'node:20' },
    { name: 'takes the name of the hash form', content: 'a:\n  image:\n    name: node:20\n    entrypoint: [""]\n', job: 'a', image: 'node:20' },
    { name: 'falls back to default:', content: 'default:\n  image: ruby:3\na:\n  script: [x]\n', job: 'a', image: 'ruby:3' },
    { name: 'falls back to the deprecated top-level image', content: 'image: ruby:3\na:\n  script: [x]\n', job: 'a', image: 'ruby:3' },
    { name: 'prefers default: over the top-level image', content: 'image: old:1\ndefault:\n  image: new:1\na:\n  script: [x]\n', job: 'a', image: 'new:1' },
    { name: 'does not inherit default: with inherit:default false', content: 'default:\n  image: ruby:3\na:\n  inherit:\n    default: false\n  script: [x]\n', job: 'a', image: undefined },
    { name: 'inherits only the listed default keywords', content: 'default:\n  image: ruby:3\na:\n  inherit:\n    default: [services]\n  script: [x]\n', job: 'a', image: undefined },
    { name: 'inherits a listed image keyword', content: 'default:\n  image: ruby:3\na:\n  inherit:\n    default: [image]\n  script: [x]\n', job: 'a', image: 'ruby:3' },
    { name: 'takes the image of an extended template', content: '.t:\n  image: go:1\na:\n  extends: .t\n', job: 'a', image: 'go:1' },
    { name: 'follows a multi-level extends chain', content: '.t1:\n  image: go:1\n.t2:\n  extends: .t1\na:\n  extends: .t2\n', job: 'a', image: 'go:1' },
    { name: 'lets the later of several templates win', content: '.t1:\n  image: one:1\n.t2:\n  image: two:1\na:\n  extends: [.t1, .t2]\n', job: 'a', image: 'two:1' },
    { name: 'lets the job win over its template', content: '.t:\n  image: go:1\na:\n  extends: .t\n  image: rust:1\n', job: 'a', image: 'rust:1' },
    { name: 'deep-merges image hashes across extends', content: '.t:\n  image:\n    name: go:1\na:\n  extends: .t\n  image:\n    entrypoint: [""]\n', job: 'a', image: 'go:1' },
    { name: 'removes an inherited image with null', content: '.t:\n  image: go:1\na:\n  extends: .t\n  image: null\n', job: 'a', image: undefined },
    { name: 'lets default: apply again after null removes the template\'s image (null is "unspecified" for GitLab)', content: 'default:\n  image: ruby:3\n.t:\n  image: go:1\na:\n  extends: .t\n  image: null\n', job: 'a', image: 'ruby:3' },
    { name: 'resolves a merge key', content: '.t: &t\n  image: go:1\na:\n  <<: *t\n', job: 'a', image: 'go:1' },
    { name: 'resolves an alias of a scalar', content: '.v: &img go:1\na:\n  image: *img\n', job: 'a', image: 'go:1' },
    { name: 'resolves !reference to another job\'s image', content: '.t:\n  image: go:1\na:\n  image: !reference [.t, image]\n', job: 'a', image: 'go:1' },
    { name: 'cuts an extends cycle instead of looping', content: '.a:\n  extends: .b\n  image: a:1\n.b:\n  extends: .a\nj:\n  extends: .b\n', job: 'j', image: 'a:1' },
    { name: 'ignores an unknown template', content: 'a:\n  extends: .missing\n  image: go:1\n', job: 'a', image: 'go:1' },
  ];
  for (const { name, content, job, image } of cases) {
    test(name, () => assert.equal(imageOf(content, job), image));
  }
});

describe('effective services of a job', () => {
  test('replaces the template\'s services array instead of merging it', () => {
    const content = '.t:\n  services: [postgres:16, redis:7]\na:\n  extends: .t\n  services: [mysql:8]\n';
    assert.deepEqual(servicesOf(content, 'a'), ['mysql:8']);
  });

  test('replaces default: services with the job\'s own', () => {
    const content = 'default:\n  services: [postgres:16]\na:\n  services: [redis:7]\n';
    assert.deepEqual(servicesOf(content, 'a'), ['redis:7']);
  });

  test('takes default: services when the job has none', () => {
    const content = 'default:\n  services: [postgres:16, {name: redis:7, alias: cache}]\na:\n  script: [x]\n';
    assert.deepEqual(servicesOf(content, 'a'), ['postgres:16', 'redis:7']);
  });

  test('removes inherited services with null', () => {
    const content = '.t:\n  services: [postgres:16]\na:\n  extends: .t\n  services: null\n';
    assert.deepEqual(servicesOf(content, 'a'), []);
  });

  test('resolves an aliased service hash', () => {
    const content = '.pg: &pg\n  name: postgres:16\n  alias: db\na:\n  services: [*pg]\n';
    assert.deepEqual(servicesOf(content, 'a'), ['postgres:16']);
  });
});

describe('variables and script assignments of a job', () => {
  test('combines global, template and job variables, the job winning', () => {
    const content = 'variables:\n  A: global\n  B: global\n.t:\n  variables:\n    B: template\n    C: template\nj:\n  extends: .t\n  variables:\n    C: job\n';
    const variables = effective(content, 'j').variables;
    assert.deepEqual(['A', 'B', 'C'].map((name) => variables.get(name)?.value), ['global', 'template', 'job']);
  });

  test('reads the value of the long variable form', () => {
    const content = 'variables:\n  A:\n    value: "1.2"\n    description: version\nj:\n  script: [x]\n';
    assert.equal(effective(content, 'j').variables.get('A')?.value, '1.2');
  });

  test('does not inherit global variables with inherit:variables false', () => {
    const content = 'variables:\n  A: global\nj:\n  inherit:\n    variables: false\n  script: [x]\n';
    assert.equal(effective(content, 'j').variables.has('A'), false);
  });

  test('collects names assigned in the scripts, including default: before_script', () => {
    const content = 'default:\n  before_script: [export FROM_DEFAULT=1]\nj:\n  script:\n    - TAG=1 make\n    - export IMAGE=app; echo\n';
    assert.deepEqual([...effective(content, 'j').scriptAssignments].sort(), ['FROM_DEFAULT', 'IMAGE', 'TAG']);
  });
});

describe('pipeline structure', () => {
  test('tells jobs, hidden jobs and global keywords apart', () => {
    const model = parseCiModel('stages: [a]\nvariables: {}\n.hidden:\n  script: [x]\njob:\n  script: [x]\n');
    assert.deepEqual([...model.jobs.values()].map((j) => [j.name, j.hidden]), [['.hidden', true], ['job', false]]);
  });

  test('collects local includes in every form', () => {
    const model = parseCiModel('include:\n  - local: /ci/a.yml\n  - ci/b.yml\n  - remote: https://example.com/x.yml\n  - https://example.com/y.yml\n');
    assert.deepEqual(model.localIncludes.map((i) => i.path), ['/ci/a.yml', 'ci/b.yml']);
  });

  test('reads the pipeline after a spec: header document', () => {
    const model = parseCiModel('spec:\n  inputs:\n    tag: {}\n---\njob:\n  image: node:20\n');
    assert.deepEqual([...model.jobs.keys()], ['job']);
  });

  test('builds the model of an alias bomb without expanding it', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    lines.push('job:', '  image: node:20', '  variables:', '    BOMB: *a9');
    assert.equal(imageOf(lines.join('\n'), 'job'), 'node:20');
  });
});

describe('the jobs of a model updated by an edit', () => {
  // Parsed one entry at a time, so an edit replaces only the entries it touches.
  const options = { chunkedFrom: 0 };
  const base = [
    'default:\n  image: ruby:3\n',
    'build:\n  image: node:20\n',
    'empty:\n',
    'twice:\n  image: first:1\n',
    'test:\n  image: alpine:3\n',
    'twice:\n  image: second:1\n',
    '.template:\n  image: go:1\n',
  ].join('');

  /** Names, key texts and image texts of the jobs in map order: what a fresh parse gives. */
  function describeJobs(model: ReturnType<typeof parseCiModel>): string[] {
    return [...model.jobs.values()].map((job) => `${job.name} ${model.text.slice(job.key.start, job.key.end)} ${model.text.slice(job.map.start, job.map.end).trim()} ${job.hidden}`);
  }

  const edits: Array<{ name: string; from: string; to: string }> = [
    { name: 'an image retyped in one job', from: 'node:20', to: 'node:22-alpine' },
    { name: 'the later of two entries of one name (the one that counts)', from: 'second:1', to: 'second:2' },
    { name: 'the earlier of two entries of one name (shadowed)', from: 'first:1', to: 'first:2' },
    { name: 'an empty entry that becomes a job', from: 'empty:\n', to: 'empty:\n  image: x:1\n' },
    { name: 'a job renamed', from: 'test:\n', to: 'tests:\n' },
    { name: 'default: edited', from: 'ruby:3', to: 'ruby:3.3' },
    { name: 'a template edited', from: 'go:1', to: 'go:1.22' },
  ];
  for (const { name, from, to } of edits) {
    test(`equal a fresh parse's after ${name}`, () => {
      assert.ok(base.includes(from));
      const edited = base.replace(from, to);
      const updated = parseCiModel(edited, parseCiModel(base, undefined, options), options);
      const fresh = parseCiModel(edited, undefined, options);
      assert.deepEqual(describeJobs(updated), describeJobs(fresh));
      assert.equal(updated.defaultMap && edited.slice(updated.defaultMap.start, updated.defaultMap.end), fresh.defaultMap && edited.slice(fresh.defaultMap.start, fresh.defaultMap.end));
    });
  }

  test('keep the job objects of the entries the edit did not touch', () => {
    const before = parseCiModel(base, undefined, options);
    const jobsBefore = new Map(before.jobs);
    const updated = parseCiModel(base.replace('node:20', 'node:22'), before, options);
    assert.equal(updated.jobs.get('test'), jobsBefore.get('test'));
    assert.notEqual(updated.jobs.get('build'), jobsBefore.get('build'));
  });
});
