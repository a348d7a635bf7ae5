import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseImageReference } from '../../server/src/service/reference/parseReference';
import { getDerivedHostnames, getServiceHostnames, splitAliases } from '../../server/src/service/reference/serviceHostnames';
import { analyze, findingsOf, hoverAt } from '../helpers/analyze';
import { describeRuleCases, type RuleCase, type RuleCases } from '../helpers/ruleCases';

const RUNNER_URI = 'file:///project/gitlab-runner/config.toml';
const DIGEST = `sha256:${'1234567890'.repeat(6)}abcd`;

function derived(name: string): string[] {
  const result = parseImageReference(name);
  assert.ok(result.ok, `${name} does not parse`);
  return getDerivedHostnames(result.reference);
}

describe('service hostnames derived as the runner derives them', () => {
  // REFERENCE §3.5, every example.
  const reference: Array<[string, string[]]> = [
    ['tutum/wordpress', ['tutum__wordpress', 'tutum-wordpress']],
    ['registry.example.com:4999/valkey/valkey', ['registry.example.com__valkey__valkey', 'registry.example.com-valkey-valkey']],
    ['mysql:8', ['mysql']],
    [`svc@sha256:${'a'.repeat(64)}`, ['svc']],
    ['docker.io/library/postgres:16', ['docker.io__library__postgres', 'docker.io-library-postgres']],
  ];
  // The runner's own table (helpers/container/services/test/test.go): description → alias, alternative.
  const runner: Array<[string, string, string]> = [
    ['service', 'service', ''],
    ['service:version', 'service', ''],
    ['namespace/service', 'namespace__service', 'namespace-service'],
    ['namespace/service:version', 'namespace__service', 'namespace-service'],
    ['domain.tld/service', 'domain.tld__service', 'domain.tld-service'],
    ['domain.tld/service:version', 'domain.tld__service', 'domain.tld-service'],
    ['domain.tld/namespace/service', 'domain.tld__namespace__service', 'domain.tld-namespace-service'],
    ['domain.tld/namespace/service:version', 'domain.tld__namespace__service', 'domain.tld-namespace-service'],
    ['domain.tld:8080/service', 'domain.tld__service', 'domain.tld-service'],
    ['domain.tld:8080/service:version', 'domain.tld__service', 'domain.tld-service'],
    ['domain.tld:8080/namespace/service', 'domain.tld__namespace__service', 'domain.tld-namespace-service'],
    ['domain.tld:8080/namespace/service:version', 'domain.tld__namespace__service', 'domain.tld-namespace-service'],
    ['subdomain.domain.tld:8080/service', 'subdomain.domain.tld__service', 'subdomain.domain.tld-service'],
    ['subdomain.domain.tld:8080/service:version', 'subdomain.domain.tld__service', 'subdomain.domain.tld-service'],
    ['subdomain.domain.tld:8080/namespace/service', 'subdomain.domain.tld__namespace__service', 'subdomain.domain.tld-namespace-service'],
    ['subdomain.domain.tld:8080/namespace/service:version', 'subdomain.domain.tld__namespace__service', 'subdomain.domain.tld-namespace-service'],
    [`service@${DIGEST}`, 'service', ''],
    [`namespace/service@${DIGEST}`, 'namespace__service', 'namespace-service'],
    [`domain.tld/service@${DIGEST}`, 'domain.tld__service', 'domain.tld-service'],
    [`domain.tld/namespace/service@${DIGEST}`, 'domain.tld__namespace__service', 'domain.tld-namespace-service'],
    [`domain.tld:8080/service@${DIGEST}`, 'domain.tld__service', 'domain.tld-service'],
    [`domain.tld:8080/namespace/service@${DIGEST}`, 'domain.tld__namespace__service', 'domain.tld-namespace-service'],
    [`subdomain.domain.tld:8080/service@${DIGEST}`, 'subdomain.domain.tld__service', 'subdomain.domain.tld-service'],
  ];
  for (const [name, expected] of reference) {
    test(`REFERENCE §3.5: ${name} → ${expected.join(', ')}`, () => assert.deepEqual(derived(name), expected));
  }
  for (const [name, alias, alternative] of runner) {
    test(`runner table: ${name} → ${[alias, alternative].filter(Boolean).join(', ')}`, () => {
      assert.deepEqual(derived(name), alternative ? [alias, alternative] : [alias]);
    });
  }
  test('keeps the written host: a port-less `index.docker.io` stays as written, with no library/ added', () => {
    assert.deepEqual(derived('index.docker.io/library/redis:7'), ['index.docker.io__library__redis', 'index.docker.io-library-redis']);
    assert.deepEqual(derived('redis:7'), ['redis']);
  });
  test('adds custom aliases after the derived ones, which still apply', () => {
    const result = parseImageReference('postgres:16');
    assert.ok(result.ok);
    assert.deepEqual(getServiceHostnames(result.reference, 'db, primary'), [
      { hostname: 'postgres', source: 'derived' },
      { hostname: 'db', source: 'alias' },
      { hostname: 'primary', source: 'alias' },
    ]);
  });
});

describe('custom aliases split as strings.Fields after commas become spaces', () => {
  const cases: Array<[string, string | undefined, string[]]> = [
    ['one alias', 'db', ['db']],
    ['a comma and a space', 'db, postgres', ['db', 'postgres']],
    ['commas only', 'a,b,,c', ['a', 'b', 'c']],
    ['tabs and newlines', 'a\tb\nc', ['a', 'b', 'c']],
    ['leading and trailing separators', ' ,a , ', ['a']],
    ['NBSP and NEL, which Go counts as space', 'a\u00a0b\u0085c', ['a', 'b', 'c']],
    ['U+FEFF, which Go does not count as space', 'a\ufeffb', ['a\ufeffb']],
    ['nothing', '', []],
    ['no alias', undefined, []],
  ];
  for (const [name, alias, expected] of cases) test(name, () => assert.deepEqual(splitAliases(alias), expected));
});


function job(services: string, variables = '', extra = ''): string {
  return `test:\n  image: python:3.12\n  services:\n${services}${variables ? `  variables:\n${variables}` : ''}${extra}  script: [pytest]\n`;
}

const PER_BUILD_RUNNER = '[[runners]]\n  executor = "docker"\n  environment = ["FF_NETWORK_PER_BUILD=true"]\n';

const RULE_CASES: RuleCases = {
  'service/alias-collision': [
    { name: 'flags the second of two services from one image', content: job('    - postgres:16.4\n    - postgres:16.4\n'), expected: ['postgres:16.4'] },
    { name: 'flags an alias that another service derives', content: job('    - redis:7\n    - name: postgres:16\n      alias: db, redis\n'), expected: ['redis'] },
    { name: 'flags a job service that a runner service already answers to', content: job('    - mysql:8.4\n'), workspace: { [RUNNER_URI]: '[[runners]]\n  executor = "docker"\n  [[runners.docker.services]]\n    name = "mysql:8.0"\n' }, expected: ['mysql:8.4'] },
    { name: 'flags two runner services sharing a name in the config.toml', kind: 'runner-config', content: '[[runners]]\n  executor = "docker"\n  [[runners.docker.services]]\n    name = "mysql:8.4"\n  [[runners.docker.services]]\n    name = "mysql:8.0"\n', expected: ['mysql:8.0'] },
    { name: 'flags services that collide after default: and extends', content: 'default:\n  services: [postgres:16]\n.t:\n  services: [postgres:16, postgres:15]\nj:\n  extends: .t\n  script: [x]\n', expected: ['postgres:15'] },
    { name: 'flags an alias two services both chose', content: job('    - name: postgres:16\n      alias: db\n    - name: mysql:8\n      alias: db\n'), expected: ['db'] },
    { name: 'does not flag the same image twice with distinct aliases (the documented fix), though both keep the derived name', content: job('    - name: postgres:16.4\n      alias: db-primary\n    - name: postgres:16.4\n      alias: db-replica\n'), expected: [] },
    { name: 'does not flag different images', content: job('    - postgres:16.4\n    - redis:7.4\n'), expected: [] },
    { name: 'does not flag a job service whose runner twin has a different name', content: job('    - mysql:8.4\n'), workspace: { [RUNNER_URI]: '[[runners]]\n  executor = "docker"\n  [[runners.docker.services]]\n    name = "redis:7"\n' }, expected: [] },
    { name: 'does not flag when the job replaces the colliding default: services', content: 'default:\n  services: [postgres:16, postgres:15]\nj:\n  services: [postgres:16]\n  script: [x]\n', expected: [] },
  ],
  'service/invalid-alias': [
    { name: 'flags an underscore', content: job('    - name: postgres:16.4\n      alias: db_primary\n'), expected: ['db_primary'] },
    { name: 'flags uppercase, only the bad word of several', content: job('    - name: postgres:16.4\n      alias: db, Primary\n'), expected: ['Primary'] },
    { name: 'flags a label that ends in a dash, in a runner service', kind: 'runner-config', content: '[[runners]]\n  [[runners.docker.services]]\n    name = "mysql:8"\n    alias = "db- mysql"\n', expected: ['db-'] },
    { name: 'does not flag lowercase letters, digits, dashes and dots', content: job('    - name: postgres:16.4\n      alias: db-primary, db.internal\n'), expected: [] },
    { name: 'does not flag an alias with a variable (alias-variable does)', content: job('    - name: postgres:16.4\n      alias: $DB_HOST\n'), expected: [] },
  ],
  'service/reserved-alias': [
    { name: 'flags `build` when the job variables turn on the per-job network', content: job('    - name: registry.example.com/tools/cache:2.1\n      alias: build\n', '    FF_NETWORK_PER_BUILD: "true"\n'), expected: ['build'] },
    { name: 'flags `build` when a workspace runner turns it on in environment', content: job('    - name: registry.example.com/tools/cache:2.1\n      alias: cache, build\n'), workspace: { [RUNNER_URI]: PER_BUILD_RUNNER }, expected: ['build'] },
    { name: 'flags `build` when the runner turns it on in [runners.feature_flags], even if the job says false', content: job('    - name: registry.example.com/tools/cache:2.1\n      alias: build\n', '    FF_NETWORK_PER_BUILD: "false"\n'), workspace: { [RUNNER_URI]: '[[runners]]\n  executor = "docker"\n  [runners.feature_flags]\n    FF_NETWORK_PER_BUILD = true\n' }, expected: ['build'] },
    { name: 'flags `build` when the project CI/CD variables turn it on', content: job('    - name: registry.example.com/tools/cache:2.1\n      alias: build\n'), settings: { variables: { FF_NETWORK_PER_BUILD: '1' } }, expected: ['build'] },
    { name: 'flags `build` on a runner service with the flag on', kind: 'runner-config', content: `${PER_BUILD_RUNNER}  [[runners.docker.services]]\n    name = "cache:2"\n    alias = "build"\n`, expected: ['build'] },
    { name: 'does not flag `build` when the project turns it on but the runner\'s [runners.feature_flags] turns it off', content: job('    - name: registry.example.com/tools/cache:2.1\n      alias: build\n'), settings: { variables: { FF_NETWORK_PER_BUILD: 'true' } }, workspace: { [RUNNER_URI]: '[[runners]]\n  executor = "docker"\n  [runners.feature_flags]\n    FF_NETWORK_PER_BUILD = false\n' }, expected: [] },
    { name: 'flags `build` when the project CI/CD variables turn it on over a job\'s false', content: job('    - name: registry.example.com/tools/cache:2.1\n      alias: build\n', '    FF_NETWORK_PER_BUILD: "false"\n'), settings: { variables: { FF_NETWORK_PER_BUILD: 'true' } }, expected: ['build'] },
    { name: 'does not flag `build` without the per-job network', content: job('    - name: registry.example.com/tools/cache:2.1\n      alias: build\n'), expected: [] },
    { name: 'does not flag when the job turns off the flag the runner environment turns on', content: job('    - name: registry.example.com/tools/cache:2.1\n      alias: build\n', '    FF_NETWORK_PER_BUILD: "false"\n'), workspace: { [RUNNER_URI]: PER_BUILD_RUNNER }, expected: [] },
    { name: 'does not flag `build-cache`', content: job('    - name: registry.example.com/tools/cache:2.1\n      alias: build-cache\n', '    FF_NETWORK_PER_BUILD: "true"\n'), expected: [] },
  ],
  'service/unknown-host': [
    { name: 'flags the host of a URL no service answers to after a rename', content: job('    - docker.io/library/postgres:16.4\n', '    DATABASE_URL: postgres://runner:runner@postgres:5432/data_api\n'), expected: ['postgres'] },
    { name: 'flags a host in a double-quoted value', content: job('    - redis:7\n', '    CACHE_URL: "redis://cache:6379/0"\n'), expected: ['cache'] },
    { name: 'flags a URL host in a template variable for the job that lacks the service', content: '.db:\n  variables:\n    DATABASE_URL: postgres://u@db/x\nok:\n  extends: .db\n  services: [{name: postgres:16, alias: db}]\n  script: [x]\nbroken:\n  extends: .db\n  services: [postgres:16]\n  script: [x]\n', expected: ['db'] },
    { name: 'does not flag the host of a service alias', content: job('    - name: docker.io/library/postgres:16.4\n      alias: postgres\n', '    DATABASE_URL: postgres://runner:runner@postgres:5432/data_api\n'), expected: [] },
    { name: 'does not flag a host with dots, localhost, or an IP', content: job('    - redis:7\n', '    A: https://api.example.com/x\n    B: http://localhost:8080\n    C: http://10.0.0.1:80\n'), expected: [] },
    { name: 'does not flag a host from a runner service or link', content: job('    - redis:7\n', '    A: mysql://mysql:3306/x\n    B: http://shared-cache:80\n'), workspace: { [RUNNER_URI]: '[[runners]]\n  executor = "docker"\n  [runners.docker]\n    links = ["cache-container:shared-cache"]\n  [[runners.docker.services]]\n    name = "mysql:8"\n' }, expected: [] },
    { name: 'does not flag a global URL for a job with no services', content: 'variables:\n  DATABASE_URL: postgres://u@postgres/x\nlint:\n  image: python:3.12\n  script: [flake8]\n', expected: [] },
    { name: 'does not flag when the services come from a template in an included file', content: 'include: [{project: group/ci, file: /t.yml}]\nj:\n  extends: .db\n  variables:\n    DATABASE_URL: postgres://u@postgres/x\n  script: [x]\n', expected: [] },
    { name: 'does not flag when a service name uses a variable only known at run time', content: job('    - $DB_IMAGE\n', '    DATABASE_URL: postgres://u@postgres/x\n'), settings: { variables: { DB_IMAGE: '*' } }, expected: [] },
  ],
  'service/alias-variable': [
    { name: 'flags a variable in alias, saying what it expands to', content: 'variables:\n  DB_HOST: postgres\n' + job('    - name: postgres:16.4\n      alias: $DB_HOST\n'), expected: ['$DB_HOST'] },
    { name: 'flags the braced form inside a list of aliases', content: job('    - name: postgres:16.4\n      alias: db, ${DB_HOST}\n'), expected: ['${DB_HOST}'] },
    { name: 'does not flag a literal alias', content: job('    - name: postgres:16.4\n      alias: postgres\n'), expected: [] },
    { name: 'does not flag the $$ escape', content: job('    - name: postgres:16.4\n      alias: db$$x\n'), expected: [] },
  ],
};

describeRuleCases('service', RULE_CASES);

describe('the background article\'s job: ECR image, postgres and redis', () => {
  // /work/shared/background/gitlab-runner-private-registries.txt, with a real account and region.
  const article = (postgres: string) => [
    'test:api:dev:',
    '  stage: test',
    '  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/data-api:dev',
    '  services:',
    `    - ${postgres}`,
    '    - redis:latest',
    '  variables:',
    '    POSTGRES_DB: data_api',
    '    POSTGRES_USER: runner',
    '    POSTGRES_PASSWORD: runner',
    '    DATABASE_URL: postgres://runner:runner@postgres:5432/data_api',
    '  script:',
    '    - cd api',
    '    - export DEBUG=1',
    '    - export CELERY_BROKER_URL=redis://redis',
    '    - python -m pytest -p no:warnings .',
    '',
  ].join('\n');
  const mine = (content: string) => analyze('gitlab-ci', content).filter((f) => /^(service|ci|runner)\//.test(f.code));

  test('as written, nothing from the service, ci and runner rules', () => {
    assert.deepEqual(mine(article('postgres:latest')).map((f) => f.code), []);
  });

  test('with postgres renamed docker.io/library/postgres:latest, service/unknown-host on the URL\'s host only', () => {
    const content = article('docker.io/library/postgres:latest');
    const found = mine(content);
    assert.deepEqual(found.map((f) => [f.code, f.text, f.line]), [['service/unknown-host', 'postgres', content.split('\n').findIndex((l) => l.includes('DATABASE_URL'))]]);
    const start = content.indexOf('@postgres') + 1;
    assert.equal(found[0]!.diagnostic.range.start.character, start - content.lastIndexOf('\n', start) - 1);
    assert.equal(found[0]!.message, 'No service of job `test:api:dev` answers to `postgres`: `docker.io/library/postgres:latest` is reachable as `docker.io__library__postgres` or `docker.io-library-postgres`, so connecting to `postgres` will fail. Add `alias: postgres` to the service, or use one of its hostnames.');
  });
});


describe('job hover', () => {
  test('shows the image and services with where each comes from and their hostnames', () => {
    const content = 'default:\n  image: ruby:3.3\n.db:\n  services:\n    - name: postgres:16\n      alias: db\nte|st:\n  extends: .db\n  script: [x]\n';
    const hover = hoverAt('gitlab-ci', content)!;
    assert.match(hover, /^\*\*Job\*\* `test`/);
    assert.match(hover, /\*\*Image\*\* `ruby:3\.3` — from `default:`/);
    assert.match(hover, /- `postgres:16` — from template `\.db`; answers to `postgres` \(derived from the name\), `db` \(alias\)/);
    assert.match(hover, /Extends `\.db`\./);
  });

  test('shows the runner\'s default image and services for a job without image', () => {
    const runner = { [RUNNER_URI]: '[[runners]]\n  name = "docker"\n  executor = "docker"\n  environment = ["FF_NETWORK_PER_BUILD=1"]\n  [runners.docker]\n    image = "ruby:3.3"\n  [[runners.docker.services]]\n    name = "mysql:8.4"\n    alias = "db"\n' };
    const hover = hoverAt('gitlab-ci', 'li|nt:\n  script: [rubocop]\n', { workspace: runner })!;
    assert.match(hover, /\*\*Image\*\* none set — the runner's default image: `ruby:3\.3` \(runner `docker`\)/);
    assert.match(hover, /- `mysql:8\.4` — from runner `docker` \(its `config\.toml`, started first\); answers to `mysql` \(derived from the name\), `db` \(alias\)/);
    assert.match(hover, /`FF_NETWORK_PER_BUILD` is on \(in the `environment` of runner `docker`\)/);
  });

  test('says what an include hides instead of guessing', () => {
    const hover = hoverAt('gitlab-ci', 'include:\n  - remote: https://example.com/ci.yml\nj|ob:\n  extends: .remote-template\n  script: [x]\n')!;
    assert.match(hover, /\*\*Image\*\* unknown — This file has `include:` entries \(`remote`\)/);
    assert.match(hover, /`extends` names `\.remote-template`, which is not in this file/);
  });

  test('reports extends cycles and unknown templates the way GitLab does', () => {
    assert.match(hoverAt('gitlab-ci', '.a:\n  extends: .b\n.b:\n  extends: .a\nj|ob:\n  extends: .a\n  script: [x]\n')!, /circular dependency detected in `extends`/);
    assert.match(hoverAt('gitlab-ci', 'j|ob:\n  extends: .missing\n  script: [x]\n')!, /job: unknown keys in `extends` \(\.missing\)"/);
  });

  test('finds the job when the caret is on the first character of its name, right after a template', () => {
    assert.match(hoverAt('gitlab-ci', '.t:\n  image: {entrypoint: [""]}\n|j:\n  extends: .t\n')!, /^\*\*Job\*\* `j`[\s\S]*the `image` hash has no `name`/);
  });

  test('says a trigger job runs in no container', () => {
    assert.match(hoverAt('gitlab-ci', 'down|stream:\n  trigger: group/project\n')!, /a `trigger:` job starts another pipeline and runs in no container/);
  });

  test('still shows the image hover on an image, and nothing elsewhere', () => {
    assert.match(hoverAt('gitlab-ci', 'job:\n  image: pos|tgres:16\n')!, /^\*\*Image\*\*/);
    assert.equal(hoverAt('gitlab-ci', 'job:\n  scr|ipt: [x]\n  image: node:20\n'), undefined);
  });
});
