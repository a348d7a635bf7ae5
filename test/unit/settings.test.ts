import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_SETTINGS, getRuleSeverity, parseSettings } from '../../server/src/service/settings';
import { getDocumentKind, mayBeReadFile } from '../../server/src/service/documentKind';
import { matchGlob } from '../../server/src/service/text/glob';

describe('settings', () => {
  test('takes every default when nothing is set', () => {
    assert.deepEqual(parseSettings(undefined), { settings: DEFAULT_SETTINGS, problems: [] });
  });

  test('reads valid values of every setting', () => {
    const { settings, problems } = parseSettings({
      pinning: 'warning',
      rules: { 'image/latest-tag': 'off' },
      files: { gitlabCi: ['ci/*.yml'] },
      ciRegistry: 'registry.example.com:5050',
      variables: { BASE: '*' },
      runner: { hosted: true, platform: 'windows' },
      registry: { timeoutMs: 2000 },
    });
    assert.deepEqual(problems, []);
    assert.equal(settings.pinning, 'warning');
    assert.deepEqual(settings.files.gitlabCi, ['ci/*.yml']);
    assert.deepEqual(settings.files.runnerConfig, DEFAULT_SETTINGS.files.runnerConfig);
    assert.equal(settings.ciRegistry, 'registry.example.com:5050');
    assert.deepEqual(settings.runner, { hosted: true, platform: 'windows' });
    assert.equal(settings.registry.timeoutMs, 2000);
  });

  test('falls back to the default for a bad value and says which setting and why', () => {
    const { settings, problems } = parseSettings({ pinning: 'loud', ciRegistry: 'https://registry.example.com/v2' });
    assert.equal(settings.pinning, DEFAULT_SETTINGS.pinning);
    assert.equal(settings.ciRegistry, DEFAULT_SETTINGS.ciRegistry);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /pullguard\.pinning/);
    assert.match(problems[1]!, /pullguard\.ciRegistry.*without a scheme/);
  });

  test('reports an unknown rule code in rules', () => {
    const { problems } = parseSettings({ rules: { 'image/no-such-rule': 'off' } });
    assert.match(problems[0]!, /unknown rule `image\/no-such-rule`/);
  });

  test('gives image/not-pinned the pinning severity unless rules override it', () => {
    assert.equal(getRuleSeverity(parseSettings({ pinning: 'hint' }).settings, 'image/not-pinned'), 'hint');
    assert.equal(getRuleSeverity(parseSettings({ pinning: 'hint', rules: { 'image/not-pinned': 'error' } }).settings, 'image/not-pinned'), 'error');
    assert.equal(getRuleSeverity(DEFAULT_SETTINGS, 'image/invalid-tag'), 'error');
  });
});

describe('document kind', () => {
  const cases: Array<[string, string, string]> = [
    ['/p/.gitlab-ci.yml', '', 'gitlab-ci'],
    ['/p/deploy.gitlab-ci.yml', '', 'gitlab-ci'],
    ['/p/.gitlab/ci/jobs/build.yml', '', 'gitlab-ci'],
    ['/p/docker-compose.yml', '', 'none'],
    ['/p/config.toml', '[[runners]]\n', 'runner-config'],
    ['/p/config.toml', '[tool.poetry]\n', 'none'],
    ['/p/gitlab-runner/prod.toml', '', 'runner-config'],
    ['/p/Cargo.toml', '[[runners]]', 'none'],
    ['/p/.docker/config.json', '{}', 'docker-config'],
    ['/p/docker-config.json', '{}', 'docker-config'],
    ['/p/package.json', '{"auths": {}}', 'none'],
  ];
  for (const [path, text, kind] of cases) {
    test(`reads ${path} ${text ? `with ${JSON.stringify(text.trim())} ` : ''}as ${kind}`, () => {
      assert.equal(getDocumentKind(path, text, DEFAULT_SETTINGS), kind);
    });
  }

  test('reads a file named by include: local as a pipeline', () => {
    assert.equal(getDocumentKind('/p/ci/jobs.yml', '', DEFAULT_SETTINGS, ['/p/ci/*.yml']), 'gitlab-ci');
  });

  test('reads an extra docker config pattern only when the JSON has auths, credHelpers or credsStore', () => {
    const settings = parseSettings({ files: { dockerConfig: ['**/registry-auth.json'] } }).settings;
    assert.equal(getDocumentKind('/p/registry-auth.json', '{"credHelpers": {}}', settings), 'docker-config');
    assert.equal(getDocumentKind('/p/registry-auth.json', '{"name": "x"}', settings), 'none');
  });
});

describe('files worth reading, from the path alone', () => {
  const extra = parseSettings({ files: { dockerConfig: ['**/registry-auth.json'], runnerConfig: ['**/runners/*.toml'] } }).settings;
  const cases: Array<[string, typeof DEFAULT_SETTINGS, boolean]> = [
    ['/p/.gitlab-ci.yml', DEFAULT_SETTINGS, true],
    // Any YAML file: a pipeline may include it.
    ['/p/k8s/deployment.yaml', DEFAULT_SETTINGS, true],
    ['/p/.docker/config.json', DEFAULT_SETTINGS, true],
    ['/p/ci/docker-config.json', DEFAULT_SETTINGS, true],
    ['/p/package.json', DEFAULT_SETTINGS, false],
    ['/p/src/i18n/en.json', DEFAULT_SETTINGS, false],
    ['/p/config.toml', DEFAULT_SETTINGS, true],
    ['/p/gitlab-runner/prod.toml', DEFAULT_SETTINGS, true],
    ['/p/Cargo.toml', DEFAULT_SETTINGS, false],
    ['/p/pyproject.toml', DEFAULT_SETTINGS, false],
    ['/p/README.md', DEFAULT_SETTINGS, false],
    ['/p/registry-auth.json', DEFAULT_SETTINGS, false],
    ['/p/registry-auth.json', extra, true],
    ['/p/runners/a.toml', extra, true],
    ['/p/PACKAGE.JSON', DEFAULT_SETTINGS, false],
  ];
  for (const [path, settings, expected] of cases) {
    test(`${expected ? 'reads' : 'does not read'} ${path}${settings === extra ? ' (extra patterns)' : ''}`, () => assert.equal(mayBeReadFile(path, settings), expected));
  }

  test('never leaves out a file whose text could make it a config', () => {
    // Texts that make a matching path one kind or another: no path left unread may be any kind.
    const texts = ['', '[[runners]]\n', '{"auths": {}}', '{"credHelpers": {}}', '{"credsStore": "pass"}'];
    const paths = ['/p/package.json', '/p/x/config.json', '/p/.docker/config.json', '/p/registry-auth.json', '/p/Cargo.toml', '/p/config.toml', '/p/gitlab-runner/a.toml', '/p/runners/a.toml', '/p/a.txt'];
    for (const settings of [DEFAULT_SETTINGS, extra]) {
      for (const path of paths) {
        if (mayBeReadFile(path, settings)) continue;
        for (const text of texts) assert.equal(getDocumentKind(path, text, settings), 'none', `${path} with ${JSON.stringify(text)}`);
      }
    }
  });
});

describe('globs', () => {
  const cases: Array<[string, string, boolean]> = [
    ['**/.gitlab-ci.yml', '/a/b/.gitlab-ci.yml', true],
    ['**/.gitlab-ci.yml', '.gitlab-ci.yml', true],
    ['**/.gitlab-ci.yml', '/a/x.gitlab-ci.yml', false],
    ['**/.gitlab/ci/**/*.yml', '/p/.gitlab/ci/a.yml', true],
    ['**/.gitlab/ci/**/*.yml', '/p/.gitlab/ci/x/y/a.yml', true],
    ['*.yml', '/p/a.yml', false],
    ['node:*', 'node:20', true],
    ['node:*', 'node/x:20', false],
    ['registry.example.com/**', 'registry.example.com/a/b:1', true],
    ['{a,b}.yml', 'b.yml', true],
    ['[ab].yml', 'c.yml', false],
  ];
  for (const [glob, path, expected] of cases) {
    test(`${expected ? 'matches' : 'does not match'} ${path} with ${glob}`, () => assert.equal(matchGlob(glob, path), expected));
  }
});
