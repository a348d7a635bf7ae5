import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze, findingsOf, type AnalyzeOptions, type Kind } from '../helpers/analyze';

const AUTH = 'dXNlcjpwYXNz'; // user:pass
const AUTH_NEWLINE = 'dXNlcjpwYXNzCg=='; // user:pass\n
const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A pipeline whose global `DOCKER_AUTH_CONFIG` is `json` (single-quoted YAML) and whose job pulls `image`. */
function pipeline(json: string, image = 'node:20'): string {
  return `variables:\n  DOCKER_AUTH_CONFIG: '${json.replaceAll("'", "''")}'\nbuild:\n  image: ${image}\n  script: [make]\n`;
}

interface Case {
  readonly name: string;
  readonly kind: Kind;
  readonly content: string;
  readonly options?: AnalyzeOptions;
  readonly expected: readonly string[];
}

const RUNNER_WITH_AUTH = {
  'file:///project/gitlab-runner/config.toml': `[[runners]]\n  executor = "docker"\n  environment = ["DOCKER_AUTH_CONFIG={\\"auths\\":{\\"registry.example.com\\":{\\"auth\\":\\"${AUTH}\\"}}}"]\n`,
};

const CASES: Readonly<Record<string, readonly Case[]>> = {
  'auth/invalid-json': [
    { name: 'flags JSON that does not parse in a DOCKER_AUTH_CONFIG variable', kind: 'gitlab-ci', content: pipeline('{"auths": {"r.example.com": }}'), expected: ['}'] },
    { name: 'flags a field of the wrong type', kind: 'docker-config', content: '{"auths": {"r.example.com": {"auth": 42}}}', expected: ['42'] },
    { name: 'does not flag valid JSON', kind: 'gitlab-ci', content: pipeline(`{"auths": {"r.example.com": {"auth": "${AUTH}"}}}`), expected: [] },
  ],
  'auth/unknown-key': [
    { name: 'flags a near miss of credHelpers', kind: 'docker-config', content: '{"credHelper": {}}', expected: ['"credHelper"'] },
    { name: 'flags a top-level key in the wrong case', kind: 'docker-config', content: '{"Auths": {}}', expected: ['"Auths"'] },
    { name: 'flags an unknown entry field', kind: 'docker-config', content: `{"auths": {"r.example.com": {"authe": "${AUTH}"}}}`, expected: ['"authe"'] },
    { name: 'does not flag known keys', kind: 'docker-config', content: `{"auths": {"r.example.com": {"auth": "${AUTH}"}}, "credHelpers": {}, "psFormat": "x"}`, expected: [] },
  ],
  'auth/invalid-base64': [
    { name: 'flags an auth that is not base64', kind: 'docker-config', content: '{"auths": {"r.example.com": {"auth": "not base64!"}}}', expected: ['"not base64!"'] },
    { name: 'flags base64 without a colon', kind: 'docker-config', content: '{"auths": {"r.example.com": {"auth": "dXNlcg=="}}}', expected: ['"dXNlcg=="'] },
    { name: 'does not flag user:pass in padded base64', kind: 'docker-config', content: `{"auths": {"r.example.com": {"auth": "${AUTH}"}}}`, expected: [] },
  ],
  'auth/trailing-newline': [
    { name: 'flags a password that ends in a newline', kind: 'docker-config', content: `{"auths": {"r.example.com": {"auth": "${AUTH_NEWLINE}"}}}`, expected: [`"${AUTH_NEWLINE}"`] },
    { name: 'does not flag a password without one', kind: 'docker-config', content: `{"auths": {"r.example.com": {"auth": "${AUTH}"}}}`, expected: [] },
  ],
  'auth/conflicting-fields': [
    { name: 'flags auth and username that disagree', kind: 'docker-config', content: `{"auths": {"r.example.com": {"auth": "${AUTH}", "username": "other"}}}`, expected: [`"${AUTH}"`] },
    { name: 'flags auth and password that disagree', kind: 'docker-config', content: `{"auths": {"r.example.com": {"auth": "${AUTH}", "password": "other"}}}`, expected: [`"${AUTH}"`] },
    { name: 'does not flag fields that agree with auth', kind: 'docker-config', content: `{"auths": {"r.example.com": {"auth": "${AUTH}", "username": "user", "password": "pass"}}}`, expected: [] },
  ],
  'auth/port-mismatch': [
    { name: 'flags an image with a port whose key has none', kind: 'gitlab-ci', content: pipeline(`{"auths": {"registry.example.com": {"auth": "${AUTH}"}}}`, 'registry.example.com:5000/team/app:1'), expected: ['registry.example.com:5000/team/app:1'] },
    { name: 'does not flag a key with the same port', kind: 'gitlab-ci', content: pipeline(`{"auths": {"registry.example.com:5000": {"auth": "${AUTH}"}}}`, 'registry.example.com:5000/team/app:1'), expected: [] },
  ],
  'auth/docker-hub-key': [
    { name: 'flags a bare index.docker.io key', kind: 'docker-config', content: `{"auths": {"index.docker.io": {"auth": "${AUTH}"}}}`, expected: ['"index.docker.io"'] },
    { name: 'flags a bare registry-1.docker.io key', kind: 'docker-config', content: `{"auths": {"registry-1.docker.io": {"auth": "${AUTH}"}}}`, expected: ['"registry-1.docker.io"'] },
    { name: 'does not flag the key docker login writes', kind: 'docker-config', content: `{"auths": {"https://index.docker.io/v1/": {"auth": "${AUTH}"}}}`, expected: [] },
  ],
  'auth/duplicate-registry': [
    { name: 'flags the second of two keys for Docker Hub in sorted order', kind: 'docker-config', content: `{"auths": {"https://index.docker.io/v1/": {"auth": "${AUTH}"}, "docker.io": {"auth": "${AUTH}"}}}`, expected: ['"https://index.docker.io/v1/"'] },
    { name: 'does not flag keys of different registries', kind: 'docker-config', content: `{"auths": {"a.example.com": {"auth": "${AUTH}"}, "b.example.com": {"auth": "${AUTH}"}}}`, expected: [] },
  ],
  'auth/scheme-drops-path': [
    { name: 'flags a scoped key with a scheme', kind: 'docker-config', content: `{"auths": {"https://registry.example.com/team": {"auth": "${AUTH}"}}}`, expected: ['"https://registry.example.com/team"'] },
    { name: 'does not flag the Docker Hub /v1/ key', kind: 'docker-config', content: `{"auths": {"https://index.docker.io/v1/": {"auth": "${AUTH}"}}}`, expected: [] },
    { name: 'does not flag a scoped key without a scheme', kind: 'docker-config', content: `{"auths": {"registry.example.com/team": {"auth": "${AUTH}"}}}`, expected: [] },
  ],
  'auth/digest-scope-miss': [
    { name: 'flags a digest-only reference with a repository-scoped key', kind: 'gitlab-ci', content: pipeline(`{"auths": {"registry.example.com/team/app": {"auth": "${AUTH}"}}}`, `registry.example.com/team/app@${DIGEST}`), expected: [`registry.example.com/team/app@${DIGEST}`] },
    { name: 'does not flag a tag and digest reference', kind: 'gitlab-ci', content: pipeline(`{"auths": {"registry.example.com/team/app": {"auth": "${AUTH}"}}}`, `registry.example.com/team/app:1@${DIGEST}`), expected: [] },
  ],
  'auth/empty-entry': [
    { name: 'flags an entry without credentials', kind: 'docker-config', content: '{"auths": {"registry.gitlab.com": {}}}', expected: ['"registry.gitlab.com"'] },
    { name: 'does not flag an entry with auth', kind: 'docker-config', content: `{"auths": {"registry.gitlab.com": {"auth": "${AUTH}"}}}`, expected: [] },
  ],
  'auth/overrides-job-token': [
    { name: 'flags a DOCKER_AUTH_CONFIG entry for the GitLab registry', kind: 'gitlab-ci', content: pipeline(`{"auths": {"registry.gitlab.com": {"auth": "${AUTH}"}}}`), expected: ['"registry.gitlab.com"'] },
    { name: 'flags an entry for the dependency proxy', kind: 'gitlab-ci', content: pipeline(`{"auths": {"gitlab.com:443": {"auth": "${AUTH}"}}}`), expected: ['"gitlab.com:443"'] },
    { name: 'does not flag another registry', kind: 'gitlab-ci', content: pipeline(`{"auths": {"registry.example.com": {"auth": "${AUTH}"}}}`), expected: [] },
  ],
  'auth/helper-unavailable': [
    { name: 'flags credsStore desktop on a Linux runner', kind: 'docker-config', content: '{"credsStore": "desktop"}', expected: ['"desktop"'] },
    { name: 'flags an osxkeychain helper', kind: 'docker-config', content: '{"credHelpers": {"r.example.com": "osxkeychain"}}', expected: ['"osxkeychain"'] },
    { name: 'does not flag ecr-login', kind: 'docker-config', content: `{"credHelpers": {"${ECR}": "ecr-login"}}`, expected: [] },
  ],
  'auth/helper-path': [
    { name: 'flags a helper with a path', kind: 'docker-config', content: '{"credHelpers": {"r.example.com": "../evil"}}', expected: ['"../evil"'] },
    { name: 'does not flag a plain helper name', kind: 'docker-config', content: '{"credHelpers": {"gcr.io": "gcloud"}}', expected: [] },
  ],
  'auth/creds-store': [
    { name: 'flags credsStore', kind: 'docker-config', content: '{"credsStore": "pass"}', expected: ['"pass"'] },
    { name: 'does not flag credHelpers', kind: 'docker-config', content: '{"credHelpers": {"gcr.io": "gcloud"}}', expected: [] },
  ],
  'auth/helpers-on-hosted-runner': [
    { name: 'flags a helper when jobs run on GitLab-hosted runners', kind: 'docker-config', content: '{"credHelpers": {"gcr.io": "gcloud"}}', options: { settings: { runner: { hosted: true } } }, expected: ['"gcloud"'] },
    { name: 'does not flag a helper on self-managed runners', kind: 'docker-config', content: '{"credHelpers": {"gcr.io": "gcloud"}}', expected: [] },
  ],
  'auth/ecr-static-token': [
    { name: 'flags a static auth for an ECR registry', kind: 'docker-config', content: `{"auths": {"${ECR}": {"auth": "${AUTH}"}}}`, expected: [`"${ECR}"`] },
    { name: 'does not flag the ecr-login helper', kind: 'docker-config', content: `{"credHelpers": {"${ECR}": "ecr-login"}}`, expected: [] },
  ],
  'auth/ecr-creds-store': [
    { name: 'flags credsStore ecr-login', kind: 'docker-config', content: '{"credsStore": "ecr-login"}', expected: ['"ecr-login"'] },
    { name: 'does not flag another store', kind: 'docker-config', content: '{"credsStore": "pass"}', expected: [] },
  ],
  'auth/ecr-helper-host': [
    { name: 'flags ecr-login for a host that is not ECR', kind: 'docker-config', content: '{"credHelpers": {"registry.example.com": "ecr-login"}}', expected: ['"registry.example.com"'] },
    { name: 'does not flag ecr-login for an ECR host', kind: 'docker-config', content: `{"credHelpers": {"${ECR}": "ecr-login"}}`, expected: [] },
  ],
  'auth/dollar-expansion': [
    { name: 'flags a $ that the runner expands in a pipeline variable', kind: 'gitlab-ci', content: pipeline('{"auths": {"r.example.com": {"username": "u", "password": "pa$word"}}}'), expected: ['$'] },
    { name: 'does not flag an escaped $$', kind: 'gitlab-ci', content: pipeline('{"auths": {"r.example.com": {"username": "u", "password": "pa$$word"}}}'), expected: [] },
    { name: 'does not flag a $ in a config.json, which nobody expands', kind: 'docker-config', content: '{"auths": {"r.example.com": {"username": "u", "password": "pa$word"}}}', expected: [] },
  ],
  'auth/environment-entry': [
    { name: 'flags an environment entry without =', kind: 'runner-config', content: '[[runners]]\n  environment = ["FF_NETWORK_PER_BUILD"]\n', expected: ['"FF_NETWORK_PER_BUILD"'] },
    { name: 'does not flag NAME=value', kind: 'runner-config', content: '[[runners]]\n  environment = ["FF_NETWORK_PER_BUILD=true"]\n', expected: [] },
  ],
  'auth/cli-compat': [
    { name: 'flags credHelpers in a job-visible DOCKER_AUTH_CONFIG', kind: 'gitlab-ci', content: pipeline(`{"auths": {"r.example.com": {"auth": "${AUTH}"}}, "credHelpers": {"${ECR}": "ecr-login"}}`), expected: ['"credHelpers"'] },
    { name: 'does not flag auths.*.auth only', kind: 'gitlab-ci', content: pipeline(`{"auths": {"r.example.com": {"auth": "${AUTH}"}}}`), expected: [] },
  ],
  'auth/email-ignored': [
    { name: 'flags the email field', kind: 'docker-config', content: `{"auths": {"r.example.com": {"auth": "${AUTH}", "email": "a@example.com"}}}`, expected: ['"email": "a@example.com"'] },
    { name: 'does not flag an entry without email', kind: 'docker-config', content: `{"auths": {"r.example.com": {"auth": "${AUTH}"}}}`, expected: [] },
  ],
  'auth/committed-secret': [
    { name: 'flags a literal auth in .gitlab-ci.yml', kind: 'gitlab-ci', content: pipeline(`{"auths": {"r.example.com": {"auth": "${AUTH}"}}}`), expected: [`"${AUTH}"`] },
    { name: 'flags a literal password in a runner config.toml', kind: 'runner-config', content: '[[runners]]\n  environment = ["DOCKER_AUTH_CONFIG={\\"auths\\":{\\"r.example.com\\":{\\"username\\":\\"u\\",\\"password\\":\\"p\\"}}}"]\n', expected: ['\\"p\\"'] },
    { name: 'does not flag a value taken from a variable', kind: 'gitlab-ci', content: pipeline('{"auths": {"r.example.com": {"auth": "$REGISTRY_AUTH"}}}'), options: { settings: { rules: { 'auth/invalid-base64': 'off' } } }, expected: [] },
    { name: 'does not flag a config.json, which is not committed with the pipeline', kind: 'docker-config', content: `{"auths": {"r.example.com": {"auth": "${AUTH}"}}}`, expected: [] },
  ],
  'auth/no-credentials': [
    { name: 'flags a private registry image with no credentials anywhere', kind: 'gitlab-ci', content: 'build:\n  image: registry.example.com/team/app:1\n', expected: ['registry.example.com/team/app:1'] },
    { name: 'does not flag an image of the GitLab registry (job token)', kind: 'gitlab-ci', content: 'build:\n  image: registry.gitlab.com/group/app:1\n', expected: [] },
    { name: 'does not flag a Docker Hub image', kind: 'gitlab-ci', content: 'build:\n  image: node:20\n', expected: [] },
    { name: 'leaves a dependency-proxy path without its port to image/dependency-proxy-port', kind: 'gitlab-ci', content: 'build:\n  image: gitlab.com/acme/dependency_proxy/containers/alpine:3\n', expected: [] },
    { name: 'does not flag an image the pipeline has credentials for', kind: 'gitlab-ci', content: pipeline(`{"auths": {"registry.example.com": {"auth": "${AUTH}"}}}`, 'registry.example.com/team/app:1'), expected: [] },
    { name: 'does not flag an image the runner environment has credentials for', kind: 'gitlab-ci', content: 'build:\n  image: registry.example.com/team/app:1\n', options: { workspace: RUNNER_WITH_AUTH }, expected: [] },
  ],
  'auth/job-replaces-runner': [
    { name: 'flags a pipeline DOCKER_AUTH_CONFIG when the runner sets one', kind: 'gitlab-ci', content: pipeline(`{"auths": {"other.example.com": {"auth": "${AUTH}"}}}`), options: { workspace: RUNNER_WITH_AUTH }, expected: [`'{"auths": {"other.example.com": {"auth": "${AUTH}"}}}'`] },
    { name: 'does not flag it when no runner sets one', kind: 'gitlab-ci', content: pipeline(`{"auths": {"other.example.com": {"auth": "${AUTH}"}}}`), expected: [] },
  ],
};

describe('auth rules', () => {
  for (const [code, cases] of Object.entries(CASES)) {
    describe(code, () => {
      for (const { name, kind, content, options, expected } of cases) {
        test(name, () => assert.deepEqual(findingsOf(kind, content, code, options), expected));
      }
    });
  }

  test('every auth rule has a case that fires and one that must not', () => {
    const codes = Object.keys(CASES);
    for (const code of codes) {
      assert.ok(CASES[code]!.some((c) => c.expected.length > 0), `${code} has no firing case`);
      assert.ok(CASES[code]!.some((c) => c.expected.length === 0), `${code} has no near miss`);
    }
  });

  test('raises auth/no-credentials to a warning for registries that always need credentials', () => {
    const [found] = analyze('gitlab-ci', `build:\n  image: ${ECR}/api:dev\n`).filter((f) => f.code === 'auth/no-credentials');
    assert.equal(found?.severity, 2);
    const [plain] = analyze('gitlab-ci', 'build:\n  image: registry.example.com/app:1\n').filter((f) => f.code === 'auth/no-credentials');
    assert.equal(plain?.severity, 3);
  });

  test('drops a whole source whose helper is missing, so its static auths no longer serve the image', () => {
    const json = `{"auths": {"registry.example.com": {"auth": "${AUTH}"}}, "credsStore": "desktop"}`;
    const found = analyze('gitlab-ci', pipeline(json, 'registry.example.com/team/app:1')).map((f) => f.code);
    assert.ok(found.includes('auth/helper-unavailable'));
    assert.ok(found.includes('auth/no-credentials'), `expected an anonymous pull, got ${found.join(', ')}`);
  });
});
