import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hoverAt } from '../helpers/analyze';

describe('image hover', () => {
  test('shows Docker Hub, library/ and the implied latest tag for a short name', () => {
    const hover = hoverAt('gitlab-ci', 'job:\n  image: pos|tgres\n  script: [x]\n')!;
    assert.match(hover, /\| Registry \| Docker Hub \(`docker\.io`\) \|/);
    assert.match(hover, /\| Repository \| `library\/postgres` \|/);
    assert.match(hover, /\| Tag \| `latest` \(implied\) \|/);
    assert.match(hover, /\| Full name \| `docker\.io\/library\/postgres:latest` \|/);
    assert.match(hover, /Used by `job`/);
  });

  test('shows a private registry with its port, the tag and the digest', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const hover = hoverAt('gitlab-ci', `job:\n  image: registry.example.com:5000/team/ap|p:1.2@${digest}\n`)!;
    assert.match(hover, /\| Registry \| `registry\.example\.com:5000` \|/);
    assert.match(hover, /\| Repository \| `team\/app` \|/);
    assert.match(hover, new RegExp(`\\| Digest \\| \`${digest}\` \\|`));
    assert.match(hover, new RegExp(`\\| Full name \\| \`registry\\.example\\.com:5000/team/app@${digest}\` \\|`));
  });

  test('shows the derived and custom hostnames of a service', () => {
    const hover = hoverAt('gitlab-ci', 'job:\n  services:\n    - name: registry.example.com:4999/tutum/word|press:1\n      alias: db, wp\n')!;
    assert.match(hover, /`registry\.example\.com__tutum__wordpress` \(derived from the name\), `registry\.example\.com-tutum-wordpress` \(derived from the name\), `db` \(alias\), `wp` \(alias\)/);
  });

  test('expands a variable in a service alias, and shows one known only at run time as written', () => {
    const known = hoverAt('gitlab-ci', 'variables:\n  DB: primary\njob:\n  services:\n    - name: post|gres:16\n      alias: $DB\n')!;
    assert.match(known, /`postgres` \(derived from the name\), `primary` \(alias\)/);
    const unknown = hoverAt('gitlab-ci', 'job:\n  services:\n    - name: post|gres:16\n      alias: $CI_JOB_NAME\n')!;
    assert.match(unknown, /`\$CI_JOB_NAME` \(alias, expanded at run time\)/);
    assert.doesNotMatch(unknown, /`job` \(alias\)/);
  });

  test('says when derived hostnames come from sample values of predefined variables', () => {
    const hover = hoverAt('gitlab-ci', 'job:\n  services:\n    - $CI_REGISTRY_IMA|GE/db:1\n')!;
    assert.match(hover, /\(derived from the name, with sample values\)/);
  });

  test('shows the pull policy written on the image, else the runner\'s, else the default', () => {
    assert.match(hoverAt('gitlab-ci', 'job:\n  image:\n    name: no|de:20\n    pull_policy: if-not-present\n')!, /\| Pull policy \| `if-not-present` \(set here\) \|/);
    const runner = { 'file:///project/gitlab-runner/config.toml': '[[runners]]\n  [runners.docker]\n    pull_policy = ["never"]\n' };
    assert.match(hoverAt('gitlab-ci', 'job:\n  image: no|de:20\n', { workspace: runner })!, /\| Pull policy \| `never` \(from the runner `config\.toml` in this workspace\) \|/);
    assert.match(hoverAt('gitlab-ci', 'job:\n  image: no|de:20\n')!, /\| Pull policy \| `always` \(the runner's default\) \|/);
  });

  test('says which variables are samples and which expand to what', () => {
    const hover = hoverAt('gitlab-ci', 'variables:\n  TAG: "1.2"\njob:\n  image: $CI_REGISTRY_IMA|GE/app:$TAG\n', { settings: { ciRegistry: 'registry.example.com' } })!;
    assert.match(hover, /\| Registry \| `registry\.example\.com` \|/);
    assert.match(hover, /`\$CI_REGISTRY_IMAGE` is set by GitLab at run time; a sample value is shown\./);
    assert.match(hover, /`\$TAG` expands to `1\.2`\./);
  });

  test('hovers the runner config.toml default image', () => {
    assert.match(hoverAt('runner-config', '[[runners]]\n  [runners.docker]\n    image = "ru|by:3.3"\n')!, /\*\*Image\*\* `ruby:3\.3` — runner #1/);
  });

  test('gives no hover outside image references', () => {
    assert.equal(hoverAt('gitlab-ci', 'job:\n  scr|ipt: [x]\n  image: node:20\n'), undefined);
  });

  test('explains an unparsable reference instead of showing parts', () => {
    assert.match(hoverAt('gitlab-ci', 'job:\n  image: Upper|Case:1\n')!, /Docker cannot parse this reference/);
  });
});
