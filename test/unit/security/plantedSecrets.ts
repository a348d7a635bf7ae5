/**
 * Planted secrets: one distinct password or token in every place a credential can be
 * written (YAML scalars of each style, TOML strings of each kind, each config.json
 * field), and the check that an output carries none of them in any form. Shared by
 * the core and CLI test (secretsEverywhere.test.ts) and the server test
 * (test/lsp/security/secretsTrace.test.ts).
 */
import assert from 'node:assert/strict';

/** One secret per place: random (so no 8-character piece of one occurs in a message by chance), with characters URL encoding changes. */
export const SECRETS = {
  yamlPlain: 'YpFRztim+9VaxJF/Qz87',
  yamlSingle: 'YsfxMRWc+YAkXEY/Qz64',
  yamlDouble: 'Ydkkrdhi+J9Pe3W/Qz59',
  yamlLiteral: 'Yl4ZgupV+qY4Cf3/Qz44',
  yamlFolded: 'YfpBtx5c+nXaCdA/Qz72',
  tomlBasic: 'TbibrDZ8+hQah2P/Qz35',
  tomlLiteral: 'Tl8nxafi+LbJfNH/Qz78',
  tomlMultiBasic: 'TmnCeBnS+2fWPjm/Qz87',
  tomlMultiLiteral: 'TnYcdtMV+Q8jZtZ/Qz83',
  jsonAuth: 'Jach9XBr+kRJcZz/Qz96',
  jsonPassword: 'JpKPN3Wf+9yh9Pz/Qz67',
  jsonIdentity: 'JipBnNZb+A5QxaD/Qz24',
  jsonRegistry: 'JrpqEtw6+fvSugK/Qz17',
  jsonNewline: 'JnbA3M5D+HyX3rN/Qz18',
} as const;

export const b64 = (text: string) => Buffer.from(text).toString('base64');
export const auth = (secret: string, user = 'ci-user') => b64(`${user}:${secret}`);

export const PIPELINE = `variables:
  REGISTRY_PASSWORD: ${SECRETS.yamlPlain}
  DOCKER_AUTH_CONFIG: '{"auths": {"registry.example.com": {"auth": "${auth(SECRETS.yamlSingle)}"}, "bad.example.com": {"auth": "${auth(SECRETS.yamlSingle)}!"}}}'
build:
  image: registry.example.com/team/app:1.0
  variables:
    DOCKER_AUTH_CONFIG: "{\\"auths\\": {\\"registry.example.com:5000\\": {\\"username\\": \\"u\\", \\"password\\": \\"${SECRETS.yamlDouble}\\"}, \\"https://index.docker.io/v1/\\": {\\"password\\": \\"${SECRETS.yamlDouble}\\"}}}"
  script: [docker login -u u -p "$REGISTRY_PASSWORD"]
test:
  image: registry.example.com:5000/team/app:2.0
  variables:
    DOCKER_AUTH_CONFIG: |
      {"auths": {"registry.example.com:5000": {"identitytoken": "${SECRETS.yamlLiteral}", "email": "a@example.com"}}, "credsStore": "desktop"}
  script: [make]
deploy:
  image: registry.example.com/ops/deploy:3
  variables:
    DOCKER_AUTH_CONFIG: >-
      {"auths": {"registry.example.com/ops": {"registrytoken": "${SECRETS.yamlFolded}"},
      "REGISTRY.example.com": {"auth": "${auth(SECRETS.yamlFolded)}"}}}
  script: [make]
`;

const tomlJson = (entry: string) => `{\\"auths\\":{\\"registry.example.com\\":{${entry}}}}`;
export const RUNNER = `concurrent = 1
[[runners]]
  name = "basic"
  executor = "docker"
  environment = ["DOCKER_AUTH_CONFIG=${tomlJson(`\\"username\\":\\"u\\",\\"password\\":\\"${SECRETS.tomlBasic}\\"`)}"]
  [runners.docker]
    image = "registry.example.com/base:1"
[[runners]]
  name = "literal"
  executor = "docker"
  environment = ['DOCKER_AUTH_CONFIG={"auths":{"registry.example.com:443":{"auth":"${auth(SECRETS.tomlLiteral)}"}}}']
[[runners]]
  name = "multi-basic"
  executor = "docker"
  environment = ["""DOCKER_AUTH_CONFIG={\\"auths\\":{\\"index.docker.io\\":{\\"identitytoken\\":\\"${SECRETS.tomlMultiBasic}\\"}}}"""]
[[runners]]
  name = "multi-literal"
  executor = "docker"
  environment = ['''DOCKER_AUTH_CONFIG={"auths":{"registry.example.com":{"registrytoken":"${SECRETS.tomlMultiLiteral}","auth":"${auth(SECRETS.tomlMultiLiteral)}"}}}''']
`;

export const CONFIG = `${JSON.stringify({
  auths: {
    'registry.example.com': { auth: auth(SECRETS.jsonAuth), email: 'a@example.com' },
    'registry.example.com:5000': { username: 'u', password: SECRETS.jsonPassword, auth: auth(SECRETS.jsonPassword, 'other') },
    'index.docker.io': { identitytoken: SECRETS.jsonIdentity },
    'https://registry.example.com/v2/': { registrytoken: SECRETS.jsonRegistry },
    'newline.example.com': { auth: auth(`${SECRETS.jsonNewline}\n`) },
  },
  credsStore: 'desktop',
}, null, 2)}\n`;

/** Every form of every secret that must not appear. */
const FORMS: ReadonlyArray<[string, string]> = Object.entries(SECRETS).flatMap(([place, secret]) => [
  [`${place} (plain)`, secret],
  [`${place} (base64)`, b64(secret)],
  [`${place} (base64 of user:secret)`, auth(secret)],
  [`${place} (URL-encoded)`, encodeURIComponent(secret)],
  [`${place} (URL-encoded base64 of user:secret)`, encodeURIComponent(auth(secret))],
] as Array<[string, string]>);

/** Fragments of 8 characters of each plain secret (a message quoting part of one leaks too). */
const FRAGMENTS: ReadonlyArray<[string, string]> = Object.entries(SECRETS).flatMap(([place, secret]) =>
  Array.from({ length: secret.length - 7 }, (_, i) => [`${place} (fragment)`, secret.slice(i, i + 8)] as [string, string]));

export function assertNoSecret(what: string, output: string, options: { fragments?: boolean } = {}): void {
  for (const [name, form] of FORMS) assert.ok(!output.includes(form), `${what} contains the ${name} secret: …${output.slice(Math.max(0, output.indexOf(form) - 80), output.indexOf(form) + form.length + 20)}…`);
  if (options.fragments === false) return;
  for (const [name, fragment] of FRAGMENTS) assert.ok(!output.includes(fragment), `${what} contains part of the ${name} secret (${fragment})`);
}
