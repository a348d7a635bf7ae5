import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getNetworkPerBuild, hasNetworkPerBuild, parseRunnerConfig } from '../../server/src/service/model/runnerModel';
import { matchDoublestar } from '../../server/src/service/rules/runner';
import { analyze, findingsOf, type Kind } from '../helpers/analyze';
import { describeRuleCases, type RuleCase, type RuleCases } from '../helpers/ruleCases';

describe('allowlist patterns match as doublestar.Match does', () => {
  const cases: Array<[string, string, boolean]> = [
    ['postgres:*', 'postgres:16', true],
    ['postgres:*', 'postgres', false],
    ['postgres:*', 'docker.io/library/postgres:16', false],
    ['*', 'postgres:16', true],
    ['*', 'library/postgres:16', false],
    ['*/*', 'library/postgres:16', true],
    ['**', 'registry.example.com/group/app:1', true],
    ['registry.example.com/**', 'registry.example.com/group/sub/app:1', true],
    ['registry.example.com/**', 'registry.example.com', true],
    ['registry.example.com/*', 'registry.example.com/group/app:1', false],
    ['registry.example.com/**/app:*', 'registry.example.com/app:1', true],
    ['registry.example.com/**/app:*', 'registry.example.com/a/b/app:1', true],
    ['registry.example.com/team**', 'registry.example.com/team-a', true],
    ['registry.example.com/team**', 'registry.example.com/team/a', false],
    ['123456789012.dkr.ecr.*.amazonaws.com/**', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:dev', true],
    ['python:3.1?', 'python:3.12', true],
    ['python:3.1?', 'python:3.1', false],
    ['node:[0-9]*', 'node:20', true],
    ['node:[!0-9]*', 'node:20', false],
    ['node:[^0-9]*', 'node:lts', true],
    ['{node,python}:*', 'python:3.12', true],
    ['{node,python}:*', 'ruby:3.3', false],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['!*/kali*', 'kalilinux/kali-rolling', false],
    ['node:[', 'node:[', false],
    ['{node', '{node', false],
  ];
  for (const [pattern, name, expected] of cases) {
    test(`${pattern} ${expected ? 'matches' : 'does not match'} ${name}`, () => assert.equal(matchDoublestar(pattern, name), expected));
  }
});

describe('FF_NETWORK_PER_BUILD in a runner config', () => {
  const cases: Array<[string, string, boolean | undefined]> = [
    ['environment, true', '[[runners]]\n  environment = ["FF_NETWORK_PER_BUILD=true"]\n', true],
    ['environment, 1', '[[runners]]\n  environment = ["FF_NETWORK_PER_BUILD=1"]\n', true],
    ['environment, the last entry wins', '[[runners]]\n  environment = ["FF_NETWORK_PER_BUILD=1", "FF_NETWORK_PER_BUILD=false"]\n', false],
    ['environment, a value strconv.ParseBool refuses', '[[runners]]\n  environment = ["FF_NETWORK_PER_BUILD=yes"]\n', false],
    ['feature_flags, over environment', '[[runners]]\n  environment = ["FF_NETWORK_PER_BUILD=false"]\n  [runners.feature_flags]\n    FF_NETWORK_PER_BUILD = true\n', true],
    ['not set', '[[runners]]\n  environment = ["OTHER=1"]\n', undefined],
  ];
  for (const [name, content, expected] of cases) {
    test(name, () => {
      const [runner] = parseRunnerConfig(content).runners;
      assert.equal(getNetworkPerBuild(runner!)?.on, expected);
      assert.equal(hasNetworkPerBuild(runner!), expected === true);
    });
  }
});


const RUNNER_URI = 'file:///project/gitlab-runner/config.toml';

function runner(docker: string, top = ''): string {
  return `[[runners]]\n  name = "docker-runner"\n  executor = "docker"\n${top}  [runners.docker]\n    image = "ruby:3.3"\n${docker}`;
}

function withRunner(docker: string, top = ''): Readonly<Record<string, string>> {
  return { [RUNNER_URI]: runner(docker, top) };
}

const API_JOB = 'test:api:dev:\n  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:dev\n  services:\n    - postgres\n    - redis:7.4\n  script: [pytest]\n';

const RULE_CASES: RuleCases = {
  'runner/invalid-pull-policy': [
    { name: 'flags an underscore spelling in pull_policy and allowed_pull_policies', kind: 'runner-config', content: runner('    pull_policy = ["if_not_present"]\n    allowed_pull_policies = ["always", "IfNotPresent"]\n'), expected: ['"if_not_present"', '"IfNotPresent"'] },
    { name: 'flags a single-string pull_policy', kind: 'runner-config', content: runner('    pull_policy = "pull"\n'), expected: ['"pull"'] },
    { name: 'does not flag the three policies', kind: 'runner-config', content: runner('    pull_policy = ["if-not-present", "always"]\n    allowed_pull_policies = ["never"]\n'), expected: [] },
  ],
  'runner/image-not-allowed': [
    { name: 'flags a service written without the tag a pattern needs', content: API_JOB, workspace: withRunner('    allowed_images = ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/*:*"]\n    allowed_services = ["postgres:*", "redis:*"]\n'), expected: ['postgres'] },
    { name: 'flags a fully qualified name the pattern does not normalize', content: 'test:\n  image: docker.io/library/python:3.12\n  script: [x]\n', workspace: withRunner('    allowed_images = ["python:*"]\n'), expected: ['docker.io/library/python:3.12'] },
    { name: 'flags an image whose variable expands to a refused name', content: 'variables:\n  TOOL: node\ntest:\n  image: $TOOL:20\n  script: [x]\n', workspace: withRunner('    allowed_images = ["python:*"]\n'), expected: ['$TOOL:20'] },
    { name: 'flags an image from default: once, where it is written', content: 'default:\n  image: node:20\na:\n  script: [x]\nb:\n  script: [x]\n', workspace: withRunner('    allowed_images = ["python:*"]\n'), expected: ['node:20'] },
    { name: 'does not flag names that match', content: API_JOB.replace('- postgres\n', '- postgres:16.4\n'), workspace: withRunner('    allowed_images = ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/*:*"]\n    allowed_services = ["postgres:*", "redis:*"]\n'), expected: [] },
    { name: 'does not flag the runner\'s own default image, which is internal', content: 'test:\n  image: ruby:3.3\n  script: [x]\n', workspace: withRunner('    allowed_images = ["python:*"]\n'), expected: [] },
    { name: 'does not flag without an allowlist', content: API_JOB, workspace: withRunner('    pull_policy = "always"\n'), expected: [] },
    { name: 'does not flag a name that depends on a value only known at run time', content: 'test:\n  image: $TOOL:20\n  script: [x]\n', settings: { variables: { TOOL: '*' } }, workspace: withRunner('    allowed_images = ["python:*"]\n'), expected: [] },
  ],
  'runner/negated-pattern': [
    { name: 'flags a negation after **', kind: 'runner-config', content: runner('    allowed_images = ["**", "!*/kali*"]\n'), expected: ['"!*/kali*"'] },
    { name: 'flags a negation in allowed_privileged_services', kind: 'runner-config', content: runner('    allowed_privileged_services = ["!docker:*-dind"]\n'), expected: ['"!docker:*-dind"'] },
    { name: 'does not flag plain patterns', kind: 'runner-config', content: runner('    allowed_images = ["python:*", "registry.example.com/**"]\n'), expected: [] },
  ],
  'runner/network-mode-conflict': [
    { name: 'flags network_mode with the flag on in environment', kind: 'runner-config', content: runner('    network_mode = "ci-network"\n', '  environment = ["FF_NETWORK_PER_BUILD=true"]\n'), expected: ['"ci-network"'] },
    { name: 'flags network_mode with the flag on in [runners.feature_flags]', kind: 'runner-config', content: `${runner('    network_mode = "host"\n')}  [runners.feature_flags]\n    FF_NETWORK_PER_BUILD = true\n`, expected: ['"host"'] },
    { name: 'does not flag network_mode with the flag off', kind: 'runner-config', content: runner('    network_mode = "ci-network"\n', '  environment = ["FF_NETWORK_PER_BUILD=false"]\n'), expected: [] },
  ],
  'runner/legacy-links': [
    { name: 'flags links', kind: 'runner-config', content: runner('    links = ["shared-mysql:mysql"]\n'), expected: ['links'] },
    { name: 'does not flag extra_hosts', kind: 'runner-config', content: runner('    extra_hosts = ["mysql:10.0.0.5"]\n'), expected: [] },
  ],
  'runner/no-network-per-build': [
    { name: 'flags a docker runner with services and no flag', kind: 'runner-config', content: `${runner('')}  [[runners.docker.services]]\n    name = "mysql:8.4"\n`, expected: ['"docker"'] },
    { name: 'flags a docker runner with services written as strings', kind: 'runner-config', content: runner('    services = ["mysql:8.4"]\n'), expected: ['"docker"'] },
    { name: 'does not flag the flag in environment', kind: 'runner-config', content: `${runner('', '  environment = ["FF_NETWORK_PER_BUILD=true"]\n')}  [[runners.docker.services]]\n    name = "mysql:8.4"\n`, expected: [] },
    { name: 'does not flag the flag in [runners.feature_flags]', kind: 'runner-config', content: `${runner('')}  [[runners.docker.services]]\n    name = "mysql:8.4"\n  [runners.feature_flags]\n    FF_NETWORK_PER_BUILD = true\n`, expected: [] },
    { name: 'does not flag a runner without services', kind: 'runner-config', content: runner(''), expected: [] },
    { name: 'does not flag a shell runner', kind: 'runner-config', content: '[[runners]]\n  executor = "shell"\n  [[runners.docker.services]]\n    name = "mysql:8.4"\n', expected: [] },
  ],
  'runner/services-as-strings': [
    { name: 'flags services written as strings', kind: 'runner-config', content: runner('    services = ["mysql:latest", "postgres:latest"]\n'), expected: ['["mysql:latest", "postgres:latest"]'] },
    { name: 'does not flag an array of inline tables', kind: 'runner-config', content: runner('    services = [{ name = "mysql:latest" }]\n'), expected: [] },
    { name: 'does not flag [[runners.docker.services]] tables', kind: 'runner-config', content: `${runner('')}  [[runners.docker.services]]\n    name = "mysql:latest"\n`, expected: [] },
  ],
  'runner/if-not-present-private': [
    { name: 'flags an ECR image pulled by a runner with if-not-present', content: 'test:api:dev:\n  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:dev\n  script: [x]\n', workspace: withRunner('    pull_policy = ["if-not-present"]\n'), expected: ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:dev'] },
    { name: 'flags a GitLab registry image the job asks if-not-present for', content: 'test:\n  image:\n    name: $CI_REGISTRY_IMAGE/app:1\n    pull_policy: if-not-present\n  script: [x]\n', workspace: withRunner('    allowed_pull_policies = ["always", "if-not-present"]\n'), expected: ['$CI_REGISTRY_IMAGE/app:1'] },
    { name: 'flags the runner\'s own private default image', kind: 'runner-config', content: '[[runners]]\n  executor = "docker"\n  [runners.docker]\n    image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci:1"\n    pull_policy = "if-not-present"\n', expected: ['"if-not-present"'] },
    { name: 'does not flag a Docker Hub image', content: 'test:\n  image: python:3.12\n  script: [x]\n', workspace: withRunner('    pull_policy = ["if-not-present"]\n'), expected: [] },
    { name: 'does not flag a private image pulled with always', content: 'test:\n  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:dev\n  script: [x]\n', workspace: withRunner('    pull_policy = ["always"]\n'), expected: [] },
  ],
  'runner/user-not-allowed': [
    { name: 'flags a job user outside allowed_users', content: 'test:\n  image:\n    name: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:dev\n    docker:\n      user: root\n  script: [x]\n', workspace: withRunner('    allowed_users = ["1000", "app"]\n'), expected: ['root'] },
    { name: 'flags a user that comes from a template', content: '.root:\n  image:\n    docker:\n      user: root\ntest:\n  extends: .root\n  image:\n    name: node:20\n  script: [x]\n', workspace: withRunner('    allowed_users = ["app"]\n'), expected: ['root'] },
    { name: 'flags the runner\'s own user outside its allowed_users', kind: 'runner-config', content: runner('    user = "root"\n    allowed_users = ["app"]\n'), expected: ['"root"'] },
    { name: 'does not flag an allowed user', content: 'test:\n  image:\n    name: node:20\n    docker:\n      user: "1000"\n  script: [x]\n', workspace: withRunner('    allowed_users = ["1000", "app"]\n'), expected: [] },
    { name: 'does not flag a job user a runner `user` overrides', content: 'test:\n  image:\n    name: node:20\n    docker:\n      user: root\n  script: [x]\n', workspace: withRunner('    user = "app"\n    allowed_users = ["app"]\n'), expected: [] },
    { name: 'does not flag when allowed_users and user are unset', content: 'test:\n  image:\n    name: node:20\n    docker:\n      user: root\n  script: [x]\n', workspace: withRunner(''), expected: [] },
  ],
  'runner/unknown-key': [
    { name: 'flags a misspelt key, once', kind: 'runner-config', content: runner('    pull_polcy = "always"\n    allowed_image = ["python:*"]\n'), expected: ['pull_polcy', 'allowed_image'] },
    { name: 'flags a [[runners]] setting written under [runners.docker]', kind: 'runner-config', content: runner('    environment = ["FF_NETWORK_PER_BUILD=true"]\n'), expected: ['environment'] },
    { name: 'flags an unknown sub-table at its header', kind: 'runner-config', content: `${runner('')}  [runners.docker.service]\n    name = "mysql:8.4"\n`, expected: ['service'] },
    { name: 'flags a key of a dotted or inline docker table', kind: 'runner-config', content: '[[runners]]\n  executor = "docker"\n  docker.imag = "ruby:3.3"\n', expected: ['imag'] },
    { name: 'does not flag the keys of the runner\'s DockerConfig, sub-tables included', kind: 'runner-config', content: `${runner('    pull_policy = "always"\n    tls_verify = false\n    shm_size = 0\n    services_limit = 2\n    log_options = { max-size = "10m" }\n')}  [runners.docker.tmpfs]\n    "/tmp" = "rw"\n  [[runners.docker.services]]\n    name = "mysql:8.4"\n`, expected: [] },
  ],
  'runner/default-image': [
    { name: 'flags a job without image, naming the runner\'s default', content: 'lint:\n  script: [bundle exec rubocop]\n', workspace: withRunner(''), expected: ['lint'] },
    { name: 'flags a job whose inherit: turns off default: image', content: 'default:\n  image: ruby:3.3\nlint:\n  inherit:\n    default: [services]\n  script: [x]\n', expected: ['lint'] },
    { name: 'does not flag a job that inherits default: image', content: 'default:\n  image: ruby:3.3\nlint:\n  script: [x]\n', expected: [] },
    { name: 'does not flag hidden jobs and trigger jobs', content: '.tpl:\n  script: [x]\ndownstream:\n  trigger: group/project\n', expected: [] },
    { name: 'does not flag a job whose image may come from an include', content: 'include: /ci/defaults.yml\nlint:\n  script: [x]\n', expected: [] },
  ],
};

describeRuleCases('runner', RULE_CASES);

describe('runner rule details', () => {
  test('explains a refused name and what would have matched', () => {
    const [found] = analyze('gitlab-ci', API_JOB, { workspace: RULE_CASES['runner/image-not-allowed']![0]!.workspace }).filter((f) => f.code === 'runner/image-not-allowed');
    assert.equal(found!.message, 'The runner `docker-runner` will refuse this service with `disallowed image`: it compares `postgres` as written with its `allowed_services` (`postgres:*` and `redis:*`), and no pattern matches (`postgres:*` needs a tag: `postgres:latest` would match).');
  });

  test('names the runner\'s default image in the default-image hint, at hint severity', () => {
    const [found] = analyze('gitlab-ci', 'lint:\n  script: [x]\n', { workspace: withRunner('') }).filter((f) => f.code === 'runner/default-image');
    assert.equal(found!.message, 'This job sets no image, so it runs in the runner\'s default image `ruby:3.3` (`[runners.docker] image` of runner `docker-runner`).');
    assert.equal(found!.severity, 4);
  });

  test('offers fixes: tables for string services, the flag in environment, the policy spelling', () => {
    const strings = analyze('runner-config', runner('    services = ["mysql:latest", "postgres:latest"]\n')).find((f) => f.code === 'runner/services-as-strings');
    assert.deepEqual(strings!.diagnostic.data, { fix: 'replace', title: 'Convert to tables', newText: '[{ name = "mysql:latest" }, { name = "postgres:latest" }]' });
    const flag = analyze('runner-config', `${runner('')}  [[runners.docker.services]]\n    name = "mysql:8.4"\n`).find((f) => f.code === 'runner/no-network-per-build');
    assert.deepEqual(flag!.diagnostic.data, { fix: 'replace', title: 'Add FF_NETWORK_PER_BUILD=true to environment', newText: '"docker"\n  environment = ["FF_NETWORK_PER_BUILD=true"]' });
    const policy = analyze('runner-config', runner('    pull_policy = ["if_not_present"]\n')).find((f) => f.code === 'runner/invalid-pull-policy');
    assert.deepEqual(policy!.diagnostic.data, { fix: 'replace', title: 'Change to "if-not-present"', newText: '"if-not-present"' });
  });

  test('suggests the key a misspelling was meant to be, and renames it as a fix', () => {
    const [found] = analyze('runner-config', runner('    allowed_image = ["python:*"]\n')).filter((f) => f.code === 'runner/unknown-key');
    assert.equal(found!.message, 'The runner does not know `allowed_image` in `[runners.docker]` and ignores it, so this setting has no effect. Did you mean `allowed_images`?');
    assert.deepEqual(found!.diagnostic.data, { fix: 'replace', title: 'Rename to `allowed_images`', newText: 'allowed_images' });
    const [unknown] = analyze('runner-config', runner('    colour = "blue"\n')).filter((f) => f.code === 'runner/unknown-key');
    assert.equal(unknown!.message, 'The runner does not know `colour` in `[runners.docker]` and ignores it, so this setting has no effect.');
    assert.equal(unknown!.diagnostic.data, undefined);
  });

  test('reads services written as inline tables for hostnames and collisions', () => {
    const content = runner('    services = [{ name = "mysql:8.4" }, { name = "mysql:8.0" }]\n', '  environment = ["FF_NETWORK_PER_BUILD=true"]\n');
    assert.deepEqual(findingsOf('runner-config', content, 'service/alias-collision'), ['mysql:8.0']);
  });
});
