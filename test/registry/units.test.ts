/**
 * The registry client's pure parts, without any server: where an image is asked
 * (Docker Hub mapping, REFERENCE §7.2), challenge parsing (§7.3), which hosts may use
 * plain HTTP, where a pin goes in each way of writing an image, and the settings'
 * machine scope in the manifest.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { getPinPlace } from '../../server/src/registry/actions';
import { getRegistryTarget, isLoopbackHost, parseChallenge } from '../../server/src/registry/client';
import { applyOffsetEdits } from '../../server/src/service/codeActions';
import { RegistryError } from '../../server/src/registry/errors';
import { LanguageService } from '../../server/src/service/languageService';
import { FILE_NAMES, makeContext, type Kind } from '../helpers/analyze';
import { REPO_ROOT } from '../helpers/build';

describe('where an image is asked (REFERENCE §7.2)', () => {
  const cases = [
    { image: 'nginx', apiHost: 'registry-1.docker.io', repository: 'library/nginx', reference: 'latest' },
    { image: 'nginx:1.27', apiHost: 'registry-1.docker.io', repository: 'library/nginx', reference: '1.27' },
    { image: 'docker.io/library/nginx:1.27', apiHost: 'registry-1.docker.io', repository: 'library/nginx', reference: '1.27' },
    { image: 'index.docker.io/user/app:2', apiHost: 'registry-1.docker.io', repository: 'user/app', reference: '2' },
    { image: 'user/app:2', apiHost: 'registry-1.docker.io', repository: 'user/app', reference: '2' },
    { image: 'registry.example.com:5000/group/sub/app:1.4', apiHost: 'registry.example.com:5000', repository: 'group/sub/app', reference: '1.4' },
    { image: 'localhost/app', apiHost: 'localhost', repository: 'app', reference: 'latest' },
  ];
  for (const { image, ...expected } of cases) {
    test(`asks ${image} at ${expected.apiHost}/v2/${expected.repository}/manifests/${expected.reference}`, () => {
      const target = getRegistryTarget(image);
      assert.deepEqual({ apiHost: target.apiHost, repository: target.repository, reference: target.reference }, expected);
    });
  }

  test('refuses an invalid reference with the reason, as an invalid-image failure', () => {
    assert.throws(() => getRegistryTarget('Registry.example.com/App:1'), (error: unknown) => error instanceof RegistryError && error.kind === 'invalid-image');
  });
});

describe('WWW-Authenticate challenges', () => {
  test('reads a Bearer challenge with quoted values holding commas', () => {
    assert.deepEqual(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push"'), {
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull,push' },
    });
  });

  test('reads Basic case-insensitively, and the insufficient_scope error', () => {
    assert.deepEqual(parseChallenge('basic realm="x"'), { scheme: 'basic', params: { realm: 'x' } });
    assert.equal(parseChallenge('Bearer realm="r",error="insufficient_scope"')?.params.error, 'insufficient_scope');
  });

  test('ignores schemes it cannot answer', () => {
    assert.equal(parseChallenge('Negotiate abc'), undefined);
    assert.equal(parseChallenge(undefined), undefined);
  });
});

describe('plain HTTP only for this machine', () => {
  for (const host of ['127.0.0.1:5000', '127.1.2.3', 'localhost:5000', 'LOCALHOST', '[::1]:5000']) {
    test(`${host} is loopback`, () => assert.equal(isLoopbackHost(host), true));
  }
  for (const host of ['registry.example.com', '10.0.0.1:5000', 'localhost.example.com', '128.0.0.1', '[fc00::1]:5000']) {
    test(`${host} is not loopback`, () => assert.equal(isLoopbackHost(host), false));
  }
});

describe('where a pin goes', () => {
  function pinOf(kind: Kind, text: string, image: string, settings: Record<string, unknown> = {}) {
    const document = TextDocument.create(FILE_NAMES[kind], 'plaintext', 1, text);
    // A fresh service each time: it caches by URI and version.
    const analysis = new LanguageService().analyze(document, makeContext({ settings }));
    const occurrence = analysis.images.find((o) => o.text === image);
    assert.ok(occurrence, `no image ${image} in ${analysis.images.map((o) => o.text).join(', ')}`);
    return getPinPlace(occurrence);
  }
  const digest = `sha256:${'a'.repeat(64)}`;
  const cases: Array<{ name: string; kind: Kind; text: string; image: string; expected: string }> = [
    { name: 'a plain scalar', kind: 'gitlab-ci', text: 'build:\n  image: registry.example.com/app:1.4 # base\n  script: [make]\n', image: 'registry.example.com/app:1.4', expected: `build:\n  image: registry.example.com/app:1.4@${digest} # base\n  script: [make]\n` },
    { name: 'a double-quoted scalar', kind: 'gitlab-ci', text: 'build:\n  image: "node:20"\n  script: [make]\n', image: 'node:20', expected: `build:\n  image: "node:20@${digest}"\n  script: [make]\n` },
    { name: 'a single-quoted service in a flow sequence', kind: 'gitlab-ci', text: "build:\n  services: ['postgres:16', redis]\n  script: [make]\n", image: 'postgres:16', expected: `build:\n  services: ['postgres:16@${digest}', redis]\n  script: [make]\n` },
    { name: 'an image without a tag (pinned as latest)', kind: 'gitlab-ci', text: 'build:\n  image:\n    name: redis\n  script: [make]\n', image: 'redis', expected: `build:\n  image:\n    name: redis:latest@${digest}\n  script: [make]\n` },
    { name: 'a runner config string', kind: 'runner-config', text: '[[runners]]\n  executor = "docker"\n  [runners.docker]\n    image = "alpine:3.20"\n', image: 'alpine:3.20', expected: `[[runners]]\n  executor = "docker"\n  [runners.docker]\n    image = "alpine:3.20@${digest}"\n` },
    { name: 'a name from a variable written in the file', kind: 'gitlab-ci', text: 'variables:\n  BASE: registry.example.com/base\nbuild:\n  image: $BASE:2\n  script: [make]\n', image: '$BASE:2', expected: `variables:\n  BASE: registry.example.com/base\nbuild:\n  image: $BASE:2@${digest}\n  script: [make]\n` },
  ];
  for (const { name, kind, text, image, expected } of cases) {
    test(`inserts only the digest after the tag in ${name}`, () => {
      const place = pinOf(kind, text, image);
      assert.ok(place.ok, place.ok ? '' : place.failure.message);
      assert.equal(applyOffsetEdits(text, [{ offset: place.offset, length: 0, newText: `${place.prefix}${digest}` }]), expected);
    });
  }

  test('does not pin a tag that comes from a variable', () => {
    const place = pinOf('gitlab-ci', 'variables:\n  TAG: "1.0"\nbuild:\n  image: app:$TAG\n  script: [make]\n', 'app:$TAG');
    assert.equal(place.ok, false);
    assert.match(!place.ok ? place.failure.message : '', /comes from a variable/);
  });

  test('does not pin a name whose value is known only at run time', () => {
    const place = pinOf('gitlab-ci', 'build:\n  image: $CI_REGISTRY_IMAGE/app:1\n  script: [make]\n', '$CI_REGISTRY_IMAGE/app:1');
    assert.equal(place.ok, false);
    assert.match(!place.ok ? place.failure.message : '', /CI_REGISTRY_IMAGE.*known only at run time/);
  });

  test('does not pin what is pinned already', () => {
    const place = pinOf('gitlab-ci', `build:\n  image: node:20@${digest}\n  script: [make]\n`, `node:20@${digest}`);
    assert.equal(place.ok, false);
  });
});

describe('settings a repository cannot choose', () => {
  test('registry.caFile and registry.userDockerConfig are machine-scoped in the manifest', () => {
    const properties = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { scope?: string }> } } }).contributes.configuration.properties;
    assert.equal(properties['pullguard.registry.caFile']?.scope, 'machine');
    assert.equal(properties['pullguard.registry.userDockerConfig']?.scope, 'machine');
  });
});
