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
