import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findingsOf, analyze, type Kind } from '../helpers/analyze';
import { describeRuleCases, type RuleCase, type RuleCases } from '../helpers/ruleCases';


function job(image: string): string {
  return `build:\n  image: ${image}\n  script: [make]\n`;
}

const SHA = 'a'.repeat(64);

const RULE_CASES: RuleCases = {
  'image/invalid-reference': [
    { name: 'flags a path component that starts with a separator', content: job('registry.example.com/-app:1'), expected: ['-app'] },
    { name: 'flags an unbracketed IPv6 host', content: job('fc00::1:5000/debian:12'), expected: ['fc00::1:5000'] },
    { name: 'flags a bare 64-hex name', content: job(`"${'f'.repeat(64)}"`), expected: ['f'.repeat(64)] },
    { name: 'flags an empty name', content: job('""'), expected: ['""'] },
    { name: 'does not flag double separators that Docker allows', content: job('docker---rules/dock__er:1'), expected: [] },
    { name: 'does not flag a bracketed IPv6 host with a port', content: job('"[fc00::1]:5000/debian:12"'), expected: [] },
  ],
  'image/uppercase-repository': [
    { name: 'flags the uppercase path component', content: job('registry.example.com/Team/app:1'), expected: ['Team'] },
    { name: 'does not flag an uppercase tag', content: job('registry.example.com/team/app:V1'), expected: [] },
  ],
  'image/name-too-long': [
    { name: 'flags a 256-character path', content: job(`example.com/${'a'.repeat(256)}:1`), expected: ['a'.repeat(256)] },
    { name: 'does not flag a 255-character path', content: job(`example.com/${'a'.repeat(255)}:1`), expected: [] },
  ],
  'image/invalid-tag': [
    { name: 'flags a 129-character tag', content: job(`alpine:${'t'.repeat(129)}`), expected: ['t'.repeat(129)] },
    { name: 'flags a tag that starts with a dot', content: job('alpine:.3'), expected: ['.3'] },
    { name: 'does not flag a 128-character tag', content: job(`alpine:${'t'.repeat(128)}`), expected: [] },
  ],
  'image/invalid-digest': [
    { name: 'flags a sha256 digest with 63 hex characters', content: job(`alpine@sha256:${'a'.repeat(63)}`), expected: [`sha256:${'a'.repeat(63)}`] },
    { name: 'flags uppercase hex', content: job(`alpine@sha256:${'A'.repeat(64)}`), expected: [`sha256:${'A'.repeat(64)}`] },
    { name: 'flags an unknown algorithm', content: job(`alpine@md5:${'a'.repeat(32)}`), expected: [`md5:${'a'.repeat(32)}`] },
    { name: 'does not flag a sha512 digest of 128 hex characters', content: job(`alpine@sha512:${'b'.repeat(128)}`), expected: [] },
    { name: 'does not flag a pinned sha256 digest', content: job(`alpine@sha256:${SHA}`), expected: [] },
  ],
  'image/port-as-tag': [
    { name: 'flags a registry host and port with no path', content: job('registry.example.com:5000'), expected: ['registry.example.com:5000'] },
    { name: 'flags localhost with a port', content: job('localhost:5000'), expected: ['localhost:5000'] },
    { name: 'does not flag a numeric tag of a Hub image', content: job('mysql:8'), expected: [] },
    { name: 'does not flag a host and port with a path', content: job('registry.example.com:5000/app:1'), expected: [] },
  ],
  'image/uppercase-domain': [
    { name: 'flags an uppercase first component', content: job('MyRegistry/app:1'), expected: ['MyRegistry'] },
    { name: 'does not flag an uppercase domain with a dot', content: job('Registry.Example.com/app:1'), expected: [] },
    { name: 'does not flag a lowercase namespace', content: job('myuser/app:1'), expected: [] },
  ],
  'image/tag-and-digest': [
    { name: 'flags the tag next to a digest', content: job(`alpine:3.20@sha256:${SHA}`), expected: ['3.20'] },
    { name: 'does not flag a digest alone', content: job(`alpine@sha256:${SHA}`), expected: [] },
  ],
  'image/not-pinned': [
    { name: 'flags the tag of an unpinned image', content: job('node:20'), expected: ['20'] },
    { name: 'uses the pinning setting for its severity', content: job('node:20'), settings: { pinning: 'off' }, expected: [] },
    { name: 'does not flag a pinned image', content: job(`node:20@sha256:${SHA}`), expected: [] },
    { name: 'does not flag a tag that comes from an unknown variable', content: 'variables:\n  TAG: $OTHER\n' + job('node:$TAG'), settings: { variables: { OTHER: '*' } }, expected: [] },
  ],
  'image/latest-tag': [
    { name: 'flags an explicit latest tag', content: job('redis:latest'), expected: ['latest'] },
    { name: 'flags a name without tag or digest', content: job('redis'), expected: ['redis'] },
    { name: 'does not flag a version tag', content: job('redis:7.4'), expected: [] },
    { name: 'does not flag a digest without a tag', content: job(`redis@sha256:${SHA}`), expected: [] },
  ],
  'image/undefined-variable': [
    { name: 'flags a variable defined nowhere', content: job('$BASE_IMAGE:1.2'), expected: ['$BASE_IMAGE'] },
    { name: 'flags the braced form', content: job('"registry.example.com/${APP}:1"'), expected: ['${APP}'] },
    { name: 'does not flag a predefined variable', content: job('$CI_REGISTRY_IMAGE/app:$CI_COMMIT_SHA'), expected: [] },
    { name: 'does not flag a global variable', content: 'variables:\n  BASE_IMAGE: node\n' + job('$BASE_IMAGE:1.2'), expected: [] },
    { name: 'does not flag a variable known from the settings', content: job('$BASE_IMAGE:1.2'), settings: { variables: { BASE_IMAGE: '*' } }, expected: [] },
    { name: 'does not flag a variable from a template the job extends', content: '.base:\n  variables:\n    TOOL: node\nbuild:\n  extends: .base\n  image: $TOOL:20\n  script: [make]\n', expected: [] },
    { name: 'does not flag a variable of the runner environment', content: job('$RUNNER_IMAGE:1'), expected: [] },
    // An image no job uses (here a `default:` one in a file without jobs) reads the global variables.
    { name: 'does not flag a global variable in an image no job uses', content: 'variables:\n  BASE: node\ndefault:\n  image: $BASE:20\n', expected: [] },
    { name: 'flags a variable defined nowhere in an image no job uses', content: 'default:\n  image: $BASE:20\n', expected: ['$BASE'] },
    // A runner's image reads that runner's `environment`.
    { name: 'does not flag a runner image\'s variable of its own environment', kind: 'runner-config', content: '[[runners]]\n  environment = ["TOOL=ruby"]\n  [runners.docker]\n    image = "$TOOL:3.3"\n', expected: [] },
    { name: 'flags a runner image\'s variable its environment does not define', kind: 'runner-config', content: '[[runners]]\n  environment = ["OTHER=ruby"]\n  [runners.docker]\n    image = "$TOOL:3.3"\n', expected: ['$TOOL'] },
  ],
  'image/script-variable': [
    { name: 'flags a variable only exported in before_script', content: 'deploy:\n  image: $TOOL\n  before_script:\n    - export TOOL=alpine:3\n  script: [run]\n', expected: ['$TOOL'] },
    { name: 'does not flag a variable also defined under variables', content: 'deploy:\n  image: $TOOL\n  variables:\n    TOOL: alpine:3\n  script: [export TOOL=x]\n', expected: [] },
  ],
  'image/dependency-proxy-port': [
    { name: 'flags a dependency-proxy path without the port', content: job('gitlab.com/acme/dependency_proxy/containers/alpine:3'), expected: ['gitlab.com/acme/dependency_proxy/containers'] },
    { name: 'does not flag the path with :443', content: job('gitlab.com:443/acme/dependency_proxy/containers/alpine:3'), expected: [] },
    { name: 'does not flag the predefined prefix', content: job('$CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/alpine:3'), expected: [] },
  ],
};

describeRuleCases('image', RULE_CASES, (code) => (code === 'image/undefined-variable'
  ? { 'file:///project/gitlab-runner/config.toml': '[[runners]]\n  environment = ["RUNNER_IMAGE=ruby"]\n' }
  : undefined));

describe('where image findings are reported', () => {
  test('reports an anchored image once, where it is written, however many jobs use it', () => {
    const content = [
      '.base: &base',
      '  image: redis',
      'a:',
      '  <<: *base',
      '  script: [x]',
      'b:',
      '  <<: *base',
      '  script: [x]',
      'c:',
      '  image: *img',
      '  script: [x]',
      '.x: &img redis',
    ].join('\n');
    const found = analyze('gitlab-ci', content).filter((f) => f.code === 'image/latest-tag');
    assert.deepEqual(found.map((f) => [f.line, f.text]), [[1, 'redis']]);
  });

  test('reports at the exact characters inside a double-quoted name with escapes', () => {
    const content = 'build:\n  image: "registry.example.com/\\u0054eam/app:1"\n  script: [x]\n';
    const found = analyze('gitlab-ci', content).filter((f) => f.code === 'image/uppercase-repository');
    assert.deepEqual(found.map((f) => f.text), ['\\u0054eam']);
  });

  test('reports a variable whose literal value breaks the name on the variable, saying what it expands to', () => {
    const content = 'variables:\n  TAG: "Bad Tag"\n' + job('alpine:$TAG');
    const found = analyze('gitlab-ci', content).filter((f) => f.code === 'image/invalid-tag');
    assert.equal(found.length, 1);
    assert.equal(found[0]!.text, '$TAG');
    assert.match(found[0]!.message, /After expanding `\$TAG` the name reads `alpine:Bad Tag`/);
  });

  test('never blames the sample value of a predefined variable', () => {
    const content = job('$CI_REGISTRY_IMAGE:$CI_COMMIT_REF_SLUG');
    assert.deepEqual(analyze('gitlab-ci', content).filter((f) => f.code.startsWith('image/')), []);
  });

  test('checks services in string and hash form, in jobs, default and templates', () => {
    const content = [
      'default:',
      '  image: Alpine',
      '  services:',
      '    - name: Postgres',
      '.tpl:',
      '  services: [Redis]',
      'job:',
      '  image: {name: Node, entrypoint: [""]}',
      '  script: [x]',
    ].join('\n');
    const found = analyze('gitlab-ci', content).filter((f) => f.code === 'image/uppercase-repository');
    assert.deepEqual(found.map((f) => f.text), ['Alpine', 'Postgres', 'Redis', 'Node']);
  });

  test('checks the runner config.toml default image and its services', () => {
    const content = [
      '[[runners]]',
      '  executor = "docker"',
      '  [runners.docker]',
      '    image = "Ruby:3.3"',
      '  [[runners.docker.services]]',
      '    name = "MySQL:8"',
      '    alias = "db"',
    ].join('\n');
    const found = analyze('runner-config', content).filter((f) => f.code === 'image/uppercase-repository');
    assert.deepEqual(found.map((f) => [f.line, f.text]), [[3, 'Ruby'], [5, 'MySQL']]);
  });

  test('maps a finding inside a TOML basic string with escapes to the written characters', () => {
    const content = '[[runners]]\n  [runners.docker]\n    image = "registry.example.com/\\u0054eam/app:1"\n';
    const found = analyze('runner-config', content).filter((f) => f.code === 'image/uppercase-repository');
    assert.deepEqual(found.map((f) => f.text), ['\\u0054eam']);
  });

  test('uses the severity set per rule, and off silences it', () => {
    const content = job('redis');
    const asError = analyze('gitlab-ci', content, { settings: { rules: { 'image/latest-tag': 'error' } } });
    assert.equal(asError.find((f) => f.code === 'image/latest-tag')?.severity, 1);
    const off = analyze('gitlab-ci', content, { settings: { rules: { 'image/latest-tag': 'off' } } });
    assert.equal(off.find((f) => f.code === 'image/latest-tag'), undefined);
  });

  test('carries source, rule link and pin-to-digest fix data on the diagnostic', () => {
    const [found] = analyze('gitlab-ci', job('redis:latest')).filter((f) => f.code === 'image/latest-tag');
    assert.equal(found!.diagnostic.source, 'pullguard');
    assert.match(found!.diagnostic.codeDescription!.href, /docs\/rules\/image\/latest-tag\.md$/);
    assert.deepEqual(found!.diagnostic.data, { fix: 'pin-digest', image: 'redis:latest' });
  });
});
