import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CiAnalysis, parseCiModel, type EffectiveJob } from '../../server/src/service/model/ciModel';
import { scalarText } from '../../server/src/service/parse/yamlModel';
import { analyze, findingsOf, type Kind } from '../helpers/analyze';
import { describeRuleCases, type RuleCase, type RuleCases } from '../helpers/ruleCases';

function effective(content: string, jobName: string): EffectiveJob {
  const analysis = new CiAnalysis(parseCiModel(content));
  const job = analysis.model.jobs.get(jobName);
  assert.ok(job, `no job ${jobName}`);
  return analysis.getEffectiveJob(job);
}

interface ModelCase {
  readonly name: string;
  readonly content: string;
  readonly job: string;
  readonly image?: string;
  readonly services?: readonly string[];
  /** Where the image is written: `job x`, `template x`, `default`, `top-level`. */
  readonly origin?: string;
}

function describeOrigin(e: EffectiveJob): string | undefined {
  const origin = e.image?.origin;
  if (!origin) return undefined;
  return origin.kind === 'job' || origin.kind === 'template' ? `${origin.kind} ${origin.job}` : origin.kind;
}

describe('effective image and services after extends, default:, inherit and null', () => {
  const cases: ModelCase[] = [
    { name: 'replaces the template\'s services array with the job\'s, never merging items', content: '.t:\n  services: [postgres:16, redis:7]\nj:\n  extends: .t\n  services: [mysql:8]\n', job: 'j', services: ['mysql:8'] },
    { name: 'replaces arrays at every level of a multi-level chain', content: '.a:\n  services: [a:1, b:1]\n.b:\n  extends: .a\n  services: [c:1]\nj:\n  extends: .b\n', job: 'j', services: ['c:1'] },
    { name: 'takes services from the deepest template when nothing closer sets them', content: '.a:\n  services: [a:1]\n.b:\n  extends: .a\n  variables: {X: "1"}\n.c:\n  extends: .b\nj:\n  extends: .c\n', job: 'j', services: ['a:1'] },
    { name: 'lets the later of two templates win', content: '.a:\n  image: a:1\n.b:\n  image: b:1\nj:\n  extends: [.a, .b]\n', job: 'j', image: 'b:1', origin: 'template .b' },
    { name: 'deep-merges image hashes: name from the template, entrypoint from the job', content: '.t:\n  image:\n    name: go:1\nj:\n  extends: .t\n  image:\n    entrypoint: [""]\n', job: 'j', image: 'go:1', origin: 'template .t' },
    { name: 'removes the template\'s services with null', content: '.t:\n  services: [postgres:16]\nj:\n  extends: .t\n  services: null\n', job: 'j', services: [] },
    { name: 'falls back to default: after null removes the template\'s image', content: 'default:\n  image: ruby:3\n.t:\n  image: go:1\nj:\n  extends: .t\n  image: null\n', job: 'j', image: 'ruby:3', origin: 'default' },
    { name: 'takes default: services when nothing in the chain sets any', content: 'default:\n  services: [redis:7]\n.t:\n  image: go:1\nj:\n  extends: .t\n', job: 'j', image: 'go:1', services: ['redis:7'] },
    { name: 'does not inherit default: with inherit:default false', content: 'default:\n  image: ruby:3\n  services: [redis:7]\nj:\n  inherit:\n    default: false\n  script: [x]\n', job: 'j', image: undefined, services: [] },
    { name: 'inherits only the listed default: keywords', content: 'default:\n  image: ruby:3\n  services: [redis:7]\nj:\n  inherit:\n    default: [services]\n', job: 'j', image: undefined, services: ['redis:7'] },
    { name: 'takes inherit: from a template', content: 'default:\n  image: ruby:3\n.t:\n  inherit:\n    default: false\nj:\n  extends: .t\n', job: 'j', image: undefined },
    { name: 'resolves an anchor merge and a !reference', content: '.pg: &pg\n  services: [postgres:16]\n.img:\n  image: go:1\nj:\n  <<: *pg\n  image: !reference [.img, image]\n', job: 'j', image: 'go:1', services: ['postgres:16'], origin: 'template .img' },
    { name: 'uses the deprecated top-level image when default: has none', content: 'image: ruby:2\nj:\n  script: [x]\n', job: 'j', image: 'ruby:2', origin: 'top-level' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const e = effective(c.content, c.job);
      if (Object.hasOwn(c, 'image')) assert.equal(scalarText(e.image?.name), c.image);
      if (c.services) assert.deepEqual(e.services.map((s) => scalarText(s.name)), c.services);
      if (c.origin) assert.equal(describeOrigin(e), c.origin);
    });
  }

  test('resolves the effective job of many jobs sharing one template in linear time', () => {
    const lines = ['.base:', '  image: node:20', '  services: [postgres:16]'];
    for (let i = 0; i < 5000; i++) lines.push(`job${i}:`, '  extends: .base', '  script: [x]');
    const analysis = new CiAnalysis(parseCiModel(lines.join('\n')));
    const started = performance.now();
    for (const job of analysis.model.jobs.values()) analysis.getEffectiveJob(job);
    assert.ok(performance.now() - started < 2000, 'too slow');
  });
});

describe('what the model cannot know', () => {
  test('marks image and services unknown for a template that may come from an include', () => {
    const e = effective('include:\n  - project: group/ci\n    file: /templates.yml\nj:\n  extends: .from-include\n  script: [x]\n', 'j');
    assert.deepEqual(e.unknown, { image: true, services: true, variables: true });
    assert.deepEqual(e.externalTemplates, ['.from-include']);
    assert.deepEqual(e.extendsProblems, []);
  });

  test('knows what the job itself sets after an unknown template', () => {
    const e = effective('include: https://example.com/ci.yml\nj:\n  extends: .remote\n  image: node:20\n  services: [redis:7]\n', 'j');
    assert.deepEqual([e.unknown.image, e.unknown.services], [false, false]);
  });

  test('does not know a key an unknown template may override, even if an earlier one set it', () => {
    const e = effective('include: https://example.com/ci.yml\n.a:\n  image: node:20\nj:\n  extends: [.a, .remote]\n', 'j');
    assert.equal(e.unknown.image, true);
  });

  test('does not know an image the job leaves to default: when an included file may set default:', () => {
    assert.equal(effective('include: /ci/other.yml\nj:\n  script: [x]\n', 'j').unknown.image, true);
    assert.equal(effective('j:\n  script: [x]\n', 'j').unknown.image, false);
  });

  test('does not know an image whose name a template from an include may give', () => {
    const e = effective('include: https://example.com/ci.yml\nj:\n  extends: .remote\n  image:\n    entrypoint: [""]\n', 'j');
    assert.deepEqual([e.unknown.image, e.imageWithoutName], [true, false]);
  });

  test('does not know services from a !reference to a job defined elsewhere', () => {
    assert.equal(effective('include: /ci/t.yml\nj:\n  services: !reference [.elsewhere, services]\n', 'j').unknown.services, true);
  });

  test('reports extends problems as GitLab does: unknown template, cycle, more than 11 levels', () => {
    assert.deepEqual(effective('j:\n  extends: .missing\n', 'j').extendsProblems, [{ kind: 'unknown-template', job: 'j', template: '.missing' }]);
    assert.deepEqual(effective('.a:\n  extends: .b\n.b:\n  extends: .a\nj:\n  extends: .a\n', 'j').extendsProblems.map((p) => p.kind), ['cycle']);
    const chain = (levels: number) => {
      const lines = ['.t0:', '  image: go:1'];
      for (let i = 1; i < levels; i++) lines.push(`.t${i}:`, `  extends: .t${i - 1}`);
      lines.push('j:', `  extends: .t${levels - 1}`);
      return lines.join('\n');
    };
    assert.deepEqual(effective(chain(11), 'j').extendsProblems, []);
    assert.equal(scalarText(effective(chain(11), 'j').image?.name), 'go:1');
    assert.deepEqual(effective(chain(12), 'j').extendsProblems.map((p) => [p.kind, p.levels]), [['too-deep', 12]]);
  });
});


const RUNNER_URI = 'file:///project/gitlab-runner/config.toml';
const ALWAYS_RUNNER = { [RUNNER_URI]: '[[runners]]\n  name = "docker-runner"\n  executor = "docker"\n  [runners.docker]\n    pull_policy = ["always"]\n' };

const RULE_CASES: RuleCases = {
  'ci/deprecated-global': [
    { name: 'flags top-level image and services', content: 'image: python:3.12\nservices:\n  - postgres:16.4\ntest:\n  script: [pytest]\n', expected: ['image', 'services'] },
    { name: 'does not flag image and services under default:', content: 'default:\n  image: python:3.12\n  services:\n    - postgres:16.4\ntest:\n  script: [pytest]\n', expected: [] },
    { name: 'does not flag a job named like a keyword\'s value', content: 'test:\n  image: python:3.12\n  script: [pytest]\n', expected: [] },
  ],
  'ci/invalid-image-key': [
    { name: 'flags `environment` in a service entry', content: 'test:\n  services:\n    - name: postgres:16.4\n      environment:\n        POSTGRES_DB: data_api\n  script: [x]\n', expected: ['environment'] },
    { name: 'flags `alias` in an image hash and an unknown docker: option', content: 'test:\n  image:\n    name: node:20\n    alias: app\n    docker:\n      platfrom: linux/amd64\n  script: [x]\n', expected: ['alias', 'platfrom'] },
    { name: 'flags a service entry without name', content: 'test:\n  services:\n    - alias: db\n  script: [x]\n', expected: ['alias'] },
    { name: 'flags a job image hash that has no name even after extends', content: '.t:\n  variables: {A: "1"}\ntest:\n  extends: .t\n  image:\n    entrypoint: [""]\n  script: [x]\n', expected: ['image'] },
    { name: 'flags `ports` outside the Web IDE', content: 'test:\n  services:\n    - name: nginx:1\n      ports: [80]\n  script: [x]\n', expected: ['ports'] },
    { name: 'does not flag a hash whose name comes from the template', content: '.t:\n  image:\n    name: go:1\ntest:\n  extends: .t\n  image:\n    entrypoint: [""]\n  script: [x]\n', expected: [] },
    { name: 'does not flag every key GitLab accepts', content: 'test:\n  image:\n    name: node:20\n    entrypoint: [""]\n    pull_policy: always\n    docker: {platform: linux/amd64, user: "1000"}\n    kubernetes: {user: "1000"}\n  services:\n    - name: postgres:16\n      alias: db\n      entrypoint: ["docker-entrypoint.sh"]\n      command: ["postgres"]\n      variables: {POSTGRES_DB: x}\n      pull_policy: [always]\n  script: [x]\n', expected: [] },
  ],
  'ci/invalid-entrypoint': [
    { name: 'flags a string entrypoint', content: 'plan:\n  image:\n    name: hashicorp/terraform:1.9\n    entrypoint: ""\n  script: [terraform plan]\n', expected: ['""'] },
    { name: 'flags a number in a service command', content: 'test:\n  services:\n    - name: redis:7\n      command: ["--port", 6380]\n  script: [x]\n', expected: ['6380'] },
    { name: 'does not flag an array of strings', content: 'plan:\n  image:\n    name: hashicorp/terraform:1.9\n    entrypoint: [""]\n  services:\n    - name: redis:7\n      command: ["--port", "6380"]\n  script: [x]\n', expected: [] },
  ],
  'ci/invalid-pull-policy': [
    { name: 'flags a Kubernetes spelling and one of a list', content: 'test:\n  image:\n    name: node:20\n    pull_policy: IfNotPresent\n  services:\n    - name: redis:7\n      pull_policy: [always, if_not_present]\n  script: [x]\n', expected: ['IfNotPresent', 'if_not_present'] },
    { name: 'does not flag the three policies', content: 'test:\n  image:\n    name: node:20\n    pull_policy: [always, if-not-present, never]\n  script: [x]\n', expected: [] },
  ],
  'ci/pull-policy-not-allowed': [
    { name: 'flags if-not-present when the runner allows only always', content: 'test:\n  image:\n    name: node:20\n    pull_policy: if-not-present\n  script: [x]\n', workspace: ALWAYS_RUNNER, expected: ['if-not-present'] },
    { name: 'flags the policy the runner drops from a list', content: 'test:\n  image:\n    name: node:20\n    pull_policy: [never, always]\n  script: [x]\n', workspace: ALWAYS_RUNNER, expected: ['never'] },
    { name: 'flags against the runner default `always` when the runner sets no pull policy', content: 'test:\n  services:\n    - name: redis:7\n      pull_policy: never\n  script: [x]\n', workspace: { [RUNNER_URI]: '[[runners]]\n  executor = "docker"\n' }, expected: ['never'] },
    { name: 'does not flag a policy in allowed_pull_policies', content: 'test:\n  image:\n    name: node:20\n    pull_policy: if-not-present\n  script: [x]\n', workspace: { [RUNNER_URI]: '[[runners]]\n  executor = "docker"\n  [runners.docker]\n    pull_policy = ["always"]\n    allowed_pull_policies = ["always", "if-not-present"]\n' }, expected: [] },
    { name: 'does not flag without a runner config in the workspace', content: 'test:\n  image:\n    name: node:20\n    pull_policy: if-not-present\n  script: [x]\n', expected: [] },
    { name: 'does not flag a template nobody extends', content: '.t:\n  image:\n    name: node:20\n    pull_policy: never\n', workspace: ALWAYS_RUNNER, expected: [] },
  ],
};

describeRuleCases('ci', RULE_CASES);

describe('ci rule details', () => {
  test('reports a hash used by many jobs once, where it is written', () => {
    const content = '.svc: &svc\n  name: postgres:16\n  environment: {A: "1"}\na:\n  services: [*svc]\n  script: [x]\nb:\n  services: [*svc]\n  script: [x]\n';
    const found = analyze('gitlab-ci', content).filter((f) => f.code === 'ci/invalid-image-key');
    assert.deepEqual(found.map((f) => [f.line, f.text]), [[2, 'environment']]);
  });

  test('says what happens and offers the rename for a near miss', () => {
    const [found] = analyze('gitlab-ci', 'test:\n  services:\n    - name: postgres:16\n      entrypiont: [x]\n  script: [x]\n').filter((f) => f.code === 'ci/invalid-image-key');
    assert.match(found!.message, /^GitLab will reject this pipeline: a service entry has no key `entrypiont`; .* Did you mean `entrypoint`\?$/);
    assert.deepEqual(found!.diagnostic.data, { fix: 'replace', title: 'Change to `entrypoint`', newText: 'entrypoint' });
  });

  test('offers to move a lone one-line top-level image under default:', () => {
    const [found] = analyze('gitlab-ci', 'image: python:3.12\ntest:\n  script: [x]\n').filter((f) => f.code === 'ci/deprecated-global');
    assert.deepEqual(found!.diagnostic.data, { fix: 'replace', title: 'Move under `default:`', newText: 'default:\n  image' });
    assert.deepEqual(found!.diagnostic.tags, [2]);
  });

  test('quotes the runner\'s own error when no pull policy is left', () => {
    const [found] = analyze('gitlab-ci', RULE_CASES['ci/pull-policy-not-allowed']![0]!.content, { workspace: ALWAYS_RUNNER }).filter((f) => f.code === 'ci/pull-policy-not-allowed');
    assert.equal(found!.message, 'The runner `docker-runner` allows only `always` by its `allowed_pull_policies` (which default to its `pull_policy`), so this job will fail with `the configured PullPolicies ([if-not-present]) are not allowed by AllowedPullPolicies ([always])`.');
  });
});
