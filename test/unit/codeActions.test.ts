/**
 * Code actions on the core: each quick fix applied to its fixture gives the expected
 * text (computed from the fixture), and the diagnostic it fixes is gone when the
 * result is analysed again — for Docker's JSON in every host string style.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, CodeActionContext, Diagnostic, WorkspaceEdit } from 'vscode-languageserver-types';
import { FIX_ALL_KIND } from '../../server/src/service/codeActionKinds';
import { decodeFixData } from '../../server/src/service/codeActions';
import { LanguageService } from '../../server/src/service/languageService';
import { FILE_NAMES, makeContext, type AnalyzeOptions, type Kind } from '../helpers/analyze';

const AUTH = Buffer.from('ci-user:s3cret-pw').toString('base64');
const AUTH_NEWLINE = Buffer.from('ci-user:s3cret-pw\n').toString('base64');
const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

// ---- Helpers ---------------------------------------------------------------------------

interface Document {
  readonly uri: string;
  readonly text: string;
}

function analyzeDocument(kind: Kind, text: string, options: AnalyzeOptions = {}) {
  const uri = options.uri ?? FILE_NAMES[kind];
  const document = TextDocument.create(uri, 'plaintext', 1, text);
  const service = new LanguageService((_family, error) => {
    throw error;
  });
  const context = makeContext(options);
  return {
    document,
    diagnostics: service.doValidation(document, context),
    actions: (diagnostics: Diagnostic[], only?: string[]) => {
      const codeActionContext: CodeActionContext = only ? { diagnostics, only } : { diagnostics };
      const range = diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      return service.doCodeActions(document, range, codeActionContext, context);
    },
  };
}

/** Applies a workspace edit's `changes` to the texts by URI. */
function applyWorkspaceEdit(texts: Readonly<Record<string, string>>, edit: WorkspaceEdit | undefined): Record<string, string> {
  const result = { ...texts };
  for (const [uri, edits] of Object.entries(edit?.changes ?? {})) {
    const document = TextDocument.create(uri, 'plaintext', 0, result[uri] ?? '');
    result[uri] = TextDocument.applyEdits(document, edits);
  }
  return result;
}

function codesIn(kind: Kind, text: string, options?: AnalyzeOptions): string[] {
  return analyzeDocument(kind, text, options).diagnostics.map((d) => String(d.code));
}

/** The quick fixes of the first diagnostic with `code` (after the first `at` in the text, when given). */
function quickFixes(kind: Kind, text: string, code: string, options?: AnalyzeOptions, at?: string) {
  const analysis = analyzeDocument(kind, text, options);
  const from = at === undefined ? 0 : text.indexOf(at);
  assert.ok(from !== -1, `fixture has no ${JSON.stringify(at)}`);
  const diagnostic = analysis.diagnostics.find((d) => d.code === code && analysis.document.offsetAt(d.range.start) >= from);
  assert.ok(diagnostic, `no ${code} in:\n${text}\n(found ${analysis.diagnostics.map((d) => d.code).join(', ')})`);
  return { diagnostic, actions: analysis.actions([diagnostic]) };
}

/** Compact JSON the way people write it by hand: `{"a": 1, "b": {}}`. */
function compact(value: unknown): string {
  return JSON.stringify(value, null, 1).replace(/,\n\s*/g, ', ').replace(/\n\s*/g, '');
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

// ---- Hosts of Docker's JSON --------------------------------------------------------------

interface Host {
  readonly name: string;
  readonly kind: Kind;
  readonly layout: (value: unknown) => string;
  /** The document with `json` written in this host. */
  readonly wrap: (json: string) => string;
  /** The same document without the variable, when it can be moved to a CI/CD variable. */
  readonly without?: string;
}

function pipeline(scalar: string): string {
  return `variables:\n  DOCKER_AUTH_CONFIG: ${scalar}\n  OTHER: "1"\nbuild:\n  script: [make]\n`;
}

function runner(entry: string): string {
  return `[[runners]]\n  name = "docker"\n  executor = "docker"\n  environment = ["A=1", ${entry}]\n`;
}

function indent(text: string, by: string): string {
  return text.split('\n').map((line) => by + line).join('\n');
}

const PIPELINE_WITHOUT = 'variables:\n  OTHER: "1"\nbuild:\n  script: [make]\n';
const RUNNER_WITHOUT = '[[runners]]\n  name = "docker"\n  executor = "docker"\n  environment = ["A=1"]\n';

const HOSTS: readonly Host[] = [
  { name: 'a YAML double-quoted scalar', kind: 'gitlab-ci', layout: compact, wrap: (json) => pipeline(`"${json.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`), without: PIPELINE_WITHOUT },
  { name: 'a YAML single-quoted scalar', kind: 'gitlab-ci', layout: compact, wrap: (json) => pipeline(`'${json.replaceAll("'", "''")}'`), without: PIPELINE_WITHOUT },
  { name: 'a YAML literal block scalar', kind: 'gitlab-ci', layout: pretty, wrap: (json) => pipeline(`|\n${indent(json, '    ')}`), without: PIPELINE_WITHOUT },
  { name: 'a YAML folded block scalar', kind: 'gitlab-ci', layout: compact, wrap: (json) => pipeline(`>\n    ${json}`), without: PIPELINE_WITHOUT },
  { name: 'a TOML basic string', kind: 'runner-config', layout: compact, wrap: (json) => runner(`"DOCKER_AUTH_CONFIG=${json.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`), without: RUNNER_WITHOUT },
  { name: 'a TOML literal string', kind: 'runner-config', layout: compact, wrap: (json) => runner(`'DOCKER_AUTH_CONFIG=${json}'`), without: RUNNER_WITHOUT },
  { name: 'a TOML multi-line basic string', kind: 'runner-config', layout: pretty, wrap: (json) => runner(`"""DOCKER_AUTH_CONFIG=${json.replaceAll('\\', '\\\\')}"""`), without: RUNNER_WITHOUT },
  { name: 'a TOML multi-line literal string', kind: 'runner-config', layout: pretty, wrap: (json) => runner(`'''DOCKER_AUTH_CONFIG=${json}'''`), without: RUNNER_WITHOUT },
  { name: 'a Docker config.json', kind: 'docker-config', layout: pretty, wrap: (json) => `${json}\n` },
];

interface JsonCase {
  readonly name: string;
  readonly code: string;
  readonly config: unknown;
  readonly fixed: unknown;
  readonly title: RegExp;
}

/** Each a config before and after the fix; the texts are laid out per host. */
const JSON_CASES: readonly JsonCase[] = [
  {
    name: 'removes the ignored `email` field',
    code: 'auth/email-ignored',
    config: { auths: { 'registry.example.com': { auth: AUTH, email: 'ci@example.com' } } },
    fixed: { auths: { 'registry.example.com': { auth: AUTH } } },
    title: /^Remove `email`$/,
  },
  {
    name: 'removes an empty entry',
    code: 'auth/empty-entry',
    config: { auths: { 'registry.example.com': { auth: AUTH }, 'old.example.com': {} } },
    fixed: { auths: { 'registry.example.com': { auth: AUTH } } },
    title: /^Remove the `old.example.com` entry$/,
  },
  {
    name: 'removes a credsStore the runner cannot run',
    code: 'auth/helper-unavailable',
    config: { auths: { 'registry.example.com': { auth: AUTH } }, credsStore: 'desktop' },
    fixed: { auths: { 'registry.example.com': { auth: AUTH } } },
    title: /^Remove `credsStore`$/,
  },
  {
    name: 'turns credsStore into credHelpers for every registry in auths, empty placeholders included',
    code: 'auth/creds-store',
    config: { auths: { 'registry.example.com': { auth: AUTH }, 'docker.io': {} }, credsStore: 'pass' },
    fixed: { auths: { 'registry.example.com': { auth: AUTH }, 'docker.io': {} }, credHelpers: { 'registry.example.com': 'pass', 'docker.io': 'pass' } },
    title: /every registry in `auths`, empty placeholders included: `registry.example.com`, `docker.io`$/,
  },
  {
    name: 'renames a top-level key written in the wrong case',
    code: 'auth/unknown-key',
    config: { Auths: { 'registry.example.com': { auth: AUTH } } },
    fixed: { auths: { 'registry.example.com': { auth: AUTH } } },
    title: /^Rename to "auths"$/,
  },
  {
    name: 're-encodes an auth whose password ends with a newline',
    code: 'auth/trailing-newline',
    config: { auths: { 'registry.example.com': { auth: AUTH_NEWLINE } } },
    fixed: { auths: { 'registry.example.com': { auth: AUTH } } },
    title: /^Re-encode `auth` without the trailing newline$/,
  },
  {
    name: 'replaces a static ECR token with the ecr-login helper',
    code: 'auth/ecr-static-token',
    config: { auths: { [ECR]: { auth: AUTH } } },
    fixed: { auths: {}, credHelpers: { [ECR]: 'ecr-login' } },
    title: /^Use the `ecr-login` credential helper for `123456789012/,
  },
];

describe('quick fixes inside Docker JSON, in every host string style', () => {
  for (const host of HOSTS) {
    describe(`in ${host.name}`, () => {
      for (const fix of JSON_CASES) {
        test(`${fix.name}, escaped for the host`, () => {
          const content = host.wrap(host.layout(fix.config));
          const { actions } = quickFixes(host.kind, content, fix.code);
          const action = actions.find((a) => fix.title.test(a.title));
          assert.ok(action, `no action titled ${fix.title} among ${JSON.stringify(actions.map((a) => a.title))}`);
          assert.equal(action.kind, 'quickfix');
          const uri = FILE_NAMES[host.kind];
          const fixed = applyWorkspaceEdit({ [uri]: content }, action.edit)[uri]!;
          assert.equal(fixed, host.wrap(host.layout(fix.fixed)));
          assert.ok(!codesIn(host.kind, fixed).includes(fix.code), `${fix.code} is still reported after the fix`);
        });
      }
      if (host.without !== undefined) {
        test('moves the committed DOCKER_AUTH_CONFIG out of the file and hands its JSON to the client', () => {
          const json = host.layout({ auths: { 'registry.example.com': { auth: AUTH } } });
          const content = host.wrap(json);
          const { actions } = quickFixes(host.kind, content, 'auth/committed-secret');
          const [action] = actions;
          assert.ok(action);
          assert.equal(action.title, 'Move `DOCKER_AUTH_CONFIG` to a CI/CD variable');
          assert.equal(action.isPreferred, true);
          assert.equal(action.command?.command, 'pullguard.moveToVariable');
          const value = action.command?.arguments?.[0] as string;
          assert.deepEqual(JSON.parse(value), JSON.parse(json));
          const uri = FILE_NAMES[host.kind];
          const fixed = applyWorkspaceEdit({ [uri]: content }, action.edit)[uri]!;
          assert.equal(fixed, host.without);
          assert.ok(!codesIn(host.kind, fixed).includes('auth/committed-secret'));
        });
      }
    });
  }
});

// ---- One table of every other fix ------------------------------------------------------------

interface Case {
  readonly name: string;
  readonly kind: Kind;
  readonly content: string;
  readonly code: string;
  /** Where the diagnostic is, when the code occurs more than once. */
  readonly at?: string;
  readonly title: string;
  readonly expected: string;
  readonly options?: AnalyzeOptions;
}

const DOUBLE = (json: string) => `variables:\n  DOCKER_AUTH_CONFIG: "${json.replaceAll('"', '\\"')}"\nbuild:\n  image: registry.example.com:5000/team/app:1.0\n  script: [make]\n`;
const RUNNER_URI = 'file:///project/gitlab-runner/config.toml';

const CASES: readonly Case[] = [
  {
    name: 'renames a bare Docker Hub key to what docker login writes',
    kind: 'docker-config',
    content: compact({ auths: { 'registry-1.docker.io': { auth: AUTH } } }),
    code: 'auth/docker-hub-key',
    title: 'Use "https://index.docker.io/v1/"',
    expected: compact({ auths: { 'https://index.docker.io/v1/': { auth: AUTH } } }),
  },
  {
    name: 'renames a near miss of an entry field',
    kind: 'gitlab-ci',
    content: DOUBLE(compact({ auths: { 'registry.example.com:5000': { authe: AUTH } } })),
    code: 'auth/unknown-key',
    title: 'Rename to "auth"',
    expected: DOUBLE(compact({ auths: { 'registry.example.com:5000': { auth: AUTH } } })),
  },
  {
    name: 'drops the scheme of a key so that it keeps its path',
    kind: 'docker-config',
    content: compact({ auths: { 'https://registry.example.com/team': { auth: AUTH } } }),
    code: 'auth/scheme-drops-path',
    title: 'Use "registry.example.com/team"',
    expected: compact({ auths: { 'registry.example.com/team': { auth: AUTH } } }),
  },
  {
    name: 'removes the duplicate entry the runner ignores',
    kind: 'docker-config',
    content: pretty({ auths: { 'docker.io': { auth: AUTH }, 'https://index.docker.io/v1/': { auth: AUTH } } }),
    code: 'auth/duplicate-registry',
    title: 'Remove the `https://index.docker.io/v1/` entry',
    expected: pretty({ auths: { 'docker.io': { auth: AUTH } } }),
  },
  {
    name: 'removes a credHelpers entry the runner cannot run',
    kind: 'docker-config',
    content: pretty({ auths: { 'registry.example.com': { auth: AUTH } }, credHelpers: { 'gcr.io': 'osxkeychain', 'r.example.com': 'pass' } }),
    code: 'auth/helper-unavailable',
    title: 'Remove the `gcr.io` credential helper',
    expected: pretty({ auths: { 'registry.example.com': { auth: AUTH } }, credHelpers: { 'r.example.com': 'pass' } }),
  },
  {
    name: 'adds the ecr-login helper to existing credHelpers',
    kind: 'docker-config',
    content: pretty({ auths: { 'registry.example.com': { auth: AUTH }, [ECR]: { auth: AUTH } }, credHelpers: { 'gcr.io': 'gcloud' } }),
    code: 'auth/ecr-static-token',
    title: `Use the \`ecr-login\` credential helper for \`${ECR}\``,
    expected: pretty({ auths: { 'registry.example.com': { auth: AUTH } }, credHelpers: { 'gcr.io': 'gcloud', [ECR]: 'ecr-login' } }),
  },
  {
    name: 'turns credsStore ecr-login into one credHelpers entry per ECR registry the pipeline pulls from',
    kind: 'gitlab-ci',
    content: `variables:\n  DOCKER_AUTH_CONFIG: '{"credsStore": "ecr-login"}'\nbuild:\n  image: ${ECR}/app:1.0\n  script: [make]\n`,
    code: 'auth/ecr-creds-store',
    title: `Replace \`credsStore\` with \`credHelpers\` → \`ecr-login\` for each ECR registry in \`auths\` or used here: \`${ECR}\``,
    expected: `variables:\n  DOCKER_AUTH_CONFIG: '{"credHelpers": {"${ECR}": "ecr-login"}}'\nbuild:\n  image: ${ECR}/app:1.0\n  script: [make]\n`,
  },
  {
    name: 'escapes a literal $ in a runner environment entry as $$',
    kind: 'runner-config',
    content: runner(`"DOCKER_AUTH_CONFIG={\\"auths\\": {\\"registry.example.com\\": {\\"username\\": \\"u\\", \\"password\\": \\"pa$word\\"}}}"`),
    code: 'auth/dollar-expansion',
    title: 'Escape as $$',
    expected: runner(`"DOCKER_AUTH_CONFIG={\\"auths\\": {\\"registry.example.com\\": {\\"username\\": \\"u\\", \\"password\\": \\"pa$$word\\"}}}"`),
  },
  {
    name: 'renames a key whose port does not match the image, in the same pipeline',
    kind: 'gitlab-ci',
    content: DOUBLE(compact({ auths: { 'registry.example.com': { auth: AUTH } } })),
    code: 'auth/port-mismatch',
    title: 'Rename the key `registry.example.com` to `registry.example.com:5000`',
    expected: DOUBLE(compact({ auths: { 'registry.example.com:5000': { auth: AUTH } } })),
  },
  {
    name: 'lowercases every uppercase component of a repository',
    kind: 'gitlab-ci',
    content: 'build:\n  image: registry.example.com/Team/App:1.0\n  script: [make]\n',
    code: 'image/uppercase-repository',
    title: 'Lowercase to `team/app`',
    expected: 'build:\n  image: registry.example.com/team/app:1.0\n  script: [make]\n',
  },
  {
    name: 'uses the dependency proxy prefix variable',
    kind: 'gitlab-ci',
    content: 'build:\n  image: gitlab.com/group/dependency_proxy/containers/alpine:3.20\n  script: [make]\n',
    code: 'image/dependency-proxy-port',
    title: 'Use $CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX',
    expected: 'build:\n  image: $CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/alpine:3.20\n  script: [make]\n',
  },
  {
    name: 'moves a top-level image with a hash value under a new default:',
    kind: 'gitlab-ci',
    content: 'image:\n  name: python:3.12\n  entrypoint: [""]\nbuild:\n  script: [make]\n',
    code: 'ci/deprecated-global',
    title: 'Move `image` under `default:`',
    expected: 'default:\n  image:\n    name: python:3.12\n    entrypoint: [""]\nbuild:\n  script: [make]\n',
  },
  {
    name: 'moves a top-level image into the existing default:',
    kind: 'gitlab-ci',
    content: 'default:\n  tags: [docker]\nimage: python:3.12\nbuild:\n  script: [make]\n',
    code: 'ci/deprecated-global',
    title: 'Move `image` under `default:`',
    expected: 'default:\n  tags: [docker]\n  image: python:3.12\nbuild:\n  script: [make]\n',
  },
  {
    name: 'moves top-level image and services together under one new default:',
    kind: 'gitlab-ci',
    content: 'image: python:3.12\nservices:\n  - postgres:16.4\nbuild:\n  script: [make]\n',
    code: 'ci/deprecated-global',
    at: 'services:',
    title: 'Move `image` and `services` under `default:`',
    expected: 'default:\n  image: python:3.12\n  services:\n    - postgres:16.4\nbuild:\n  script: [make]\n',
  },
  {
    name: 'renames an image key to the one GitLab knows',
    kind: 'gitlab-ci',
    content: 'build:\n  image:\n    name: python:3.12\n    entry_point: [""]\n  script: [make]\n',
    code: 'ci/invalid-image-key',
    title: 'Change to `entrypoint`',
    expected: 'build:\n  image:\n    name: python:3.12\n    entrypoint: [""]\n  script: [make]\n',
  },
  {
    name: 'wraps a single entrypoint in a list',
    kind: 'gitlab-ci',
    content: 'build:\n  image:\n    name: python:3.12\n    entrypoint: "sh"\n  script: [make]\n',
    code: 'ci/invalid-entrypoint',
    title: 'Change to ["sh"]',
    expected: 'build:\n  image:\n    name: python:3.12\n    entrypoint: ["sh"]\n  script: [make]\n',
  },
  {
    name: 'corrects a pull policy in the pipeline',
    kind: 'gitlab-ci',
    content: 'build:\n  image:\n    name: python:3.12\n    pull_policy: if_not_present\n  script: [make]\n',
    code: 'ci/invalid-pull-policy',
    title: 'Change to `if-not-present`',
    expected: 'build:\n  image:\n    name: python:3.12\n    pull_policy: if-not-present\n  script: [make]\n',
  },
  {
    name: 'gives a colliding string service an alias',
    kind: 'gitlab-ci',
    content: 'build:\n  services:\n    - postgres:16.4\n    - postgres:16.4\n  script: [make]\n',
    code: 'service/alias-collision',
    title: 'Add alias `postgres-2`',
    expected: 'build:\n  services:\n    - postgres:16.4\n    - {name: postgres:16.4, alias: postgres-2}\n  script: [make]\n',
  },
  {
    name: 'adds an alias line to a colliding service hash',
    kind: 'gitlab-ci',
    content: 'build:\n  services:\n    - name: postgres:16.4\n    - name: postgres:16.4\n  script: [make]\n',
    code: 'service/alias-collision',
    title: 'Add alias `postgres-2`',
    expected: 'build:\n  services:\n    - name: postgres:16.4\n    - name: postgres:16.4\n      alias: postgres-2\n  script: [make]\n',
  },
  {
    name: 'renames a colliding alias',
    kind: 'gitlab-ci',
    content: 'build:\n  services:\n    - name: redis:7\n      alias: cache\n    - name: valkey/valkey:8\n      alias: cache\n  script: [make]\n',
    code: 'service/alias-collision',
    title: 'Rename the alias `cache` to `cache-2`',
    expected: 'build:\n  services:\n    - name: redis:7\n      alias: cache\n    - name: valkey/valkey:8\n      alias: cache-2\n  script: [make]\n',
  },
  {
    name: 'gives a colliding runner service an alias',
    kind: 'runner-config',
    content: '[[runners]]\n  executor = "docker"\n  environment = ["FF_NETWORK_PER_BUILD=true"]\n  [[runners.docker.services]]\n    name = "mysql:8"\n  [[runners.docker.services]]\n    name = "mysql:8"\n',
    code: 'service/alias-collision',
    title: 'Add alias `mysql-2`',
    expected: '[[runners]]\n  executor = "docker"\n  environment = ["FF_NETWORK_PER_BUILD=true"]\n  [[runners.docker.services]]\n    name = "mysql:8"\n  [[runners.docker.services]]\n    name = "mysql:8"\n    alias = "mysql-2"\n',
  },
  {
    name: 'corrects a runner pull policy in the string style it is written in',
    kind: 'runner-config',
    content: "[[runners]]\n  executor = \"docker\"\n  [runners.docker]\n    pull_policy = ['if_not_present']\n",
    code: 'runner/invalid-pull-policy',
    title: 'Change to "if-not-present"',
    expected: "[[runners]]\n  executor = \"docker\"\n  [runners.docker]\n    pull_policy = ['if-not-present']\n",
  },
  {
    name: 'adds FF_NETWORK_PER_BUILD after the executor when there is no environment',
    kind: 'runner-config',
    content: '[[runners]]\n  executor = "docker"\n  [[runners.docker.services]]\n    name = "mysql:8"\n',
    code: 'runner/no-network-per-build',
    title: 'Add FF_NETWORK_PER_BUILD=true to environment',
    expected: '[[runners]]\n  executor = "docker"\n  environment = ["FF_NETWORK_PER_BUILD=true"]\n  [[runners.docker.services]]\n    name = "mysql:8"\n',
  },
  {
    name: 'adds FF_NETWORK_PER_BUILD to a multi-line environment array',
    kind: 'runner-config',
    content: '[[runners]]\n  executor = "docker"\n  environment = [\n    "A=1",\n  ]\n  [[runners.docker.services]]\n    name = "mysql:8"\n',
    code: 'runner/no-network-per-build',
    title: 'Add FF_NETWORK_PER_BUILD=true to environment',
    expected: '[[runners]]\n  executor = "docker"\n  environment = [\n    "A=1",\n    "FF_NETWORK_PER_BUILD=true",\n  ]\n  [[runners.docker.services]]\n    name = "mysql:8"\n',
  },
  {
    name: 'turns on FF_NETWORK_PER_BUILD where the feature flags table turns it off',
    kind: 'runner-config',
    content: '[[runners]]\n  executor = "docker"\n  [runners.feature_flags]\n    FF_NETWORK_PER_BUILD = false\n  [[runners.docker.services]]\n    name = "mysql:8"\n',
    code: 'runner/no-network-per-build',
    title: 'Turn on FF_NETWORK_PER_BUILD',
    expected: '[[runners]]\n  executor = "docker"\n  [runners.feature_flags]\n    FF_NETWORK_PER_BUILD = true\n  [[runners.docker.services]]\n    name = "mysql:8"\n',
  },
  {
    name: 'removes links and turns on FF_NETWORK_PER_BUILD',
    kind: 'runner-config',
    content: '[[runners]]\n  executor = "docker"\n  environment = ["A=1"]\n  [runners.docker]\n    image = "alpine:3.20"\n    links = ["mysql:db"]\n',
    code: 'runner/legacy-links',
    title: 'Remove `links` and turn on FF_NETWORK_PER_BUILD',
    expected: '[[runners]]\n  executor = "docker"\n  environment = ["A=1", "FF_NETWORK_PER_BUILD=true"]\n  [runners.docker]\n    image = "alpine:3.20"\n',
  },
  {
    name: 'converts services written as strings to tables',
    kind: 'runner-config',
    content: '[[runners]]\n  executor = "docker"\n  environment = ["FF_NETWORK_PER_BUILD=true"]\n  [runners.docker]\n    services = ["mysql:8", "redis:7"]\n',
    code: 'runner/services-as-strings',
    title: 'Convert to tables',
    expected: '[[runners]]\n  executor = "docker"\n  environment = ["FF_NETWORK_PER_BUILD=true"]\n  [runners.docker]\n    services = [{ name = "mysql:8" }, { name = "redis:7" }]\n',
  },
  {
    name: 'removes a DOCKER_AUTH_CONFIG that is one of several job variables',
    kind: 'gitlab-ci',
    content: `build:\n  variables:\n    A: "1"\n    DOCKER_AUTH_CONFIG:\n      value: '{"auths": {"registry.example.com": {"auth": "${AUTH}"}}}'\n      expand: false\n    B: "2"\n  script: [make]\n`,
    code: 'auth/committed-secret',
    title: 'Move `DOCKER_AUTH_CONFIG` to a CI/CD variable',
    expected: 'build:\n  variables:\n    A: "1"\n    B: "2"\n  script: [make]\n',
  },
  {
    name: 'removes a DOCKER_AUTH_CONFIG from a flow mapping of variables',
    kind: 'gitlab-ci',
    content: `variables: {A: "1", DOCKER_AUTH_CONFIG: '{"auths": {"registry.example.com": {"auth": "${AUTH}"}}}'}\nbuild:\n  script: [make]\n`,
    code: 'auth/committed-secret',
    title: 'Move `DOCKER_AUTH_CONFIG` to a CI/CD variable',
    expected: 'variables: {A: "1"}\nbuild:\n  script: [make]\n',
  },
];

describe('quick fixes: fixture → edit → expected text, and the diagnostic is gone', () => {
  for (const fix of CASES) {
    test(fix.name, () => {
      const { actions } = quickFixes(fix.kind, fix.content, fix.code, fix.options, fix.at);
      const action = actions.find((a) => a.title === fix.title);
      assert.ok(action, `no action titled ${fix.title} among ${JSON.stringify(actions.map((a) => a.title))}`);
      const uri = FILE_NAMES[fix.kind];
      const fixed = applyWorkspaceEdit({ [uri]: fix.content }, action.edit)[uri]!;
      assert.equal(fixed, fix.expected);
      assert.ok(!codesIn(fix.kind, fixed, fix.options).includes(fix.code), `${fix.code} is still reported after the fix`);
    });
  }

  test('renames the key in the runner config.toml the pipeline image misses, through an edit of that file', () => {
    const runnerText = runner(`"DOCKER_AUTH_CONFIG={\\"auths\\": {\\"registry.example.com\\": {\\"auth\\": \\"${AUTH}\\"}}}"`);
    const options = { workspace: { [RUNNER_URI]: runnerText } };
    const content = 'build:\n  image: registry.example.com:5000/team/app:1.0\n  script: [make]\n';
    const { actions } = quickFixes('gitlab-ci', content, 'auth/port-mismatch', options);
    const [action] = actions;
    assert.ok(action);
    assert.equal(action.title, 'Rename the key `registry.example.com` to `registry.example.com:5000`');
    assert.deepEqual(Object.keys(action.edit?.changes ?? {}), [RUNNER_URI]);
    const fixed = applyWorkspaceEdit({ [RUNNER_URI]: runnerText }, action.edit)[RUNNER_URI]!;
    assert.equal(fixed, runnerText.replace('registry.example.com\\"', 'registry.example.com:5000\\"'));
    assert.ok(!codesIn('gitlab-ci', content, { workspace: { [RUNNER_URI]: fixed } }).includes('auth/port-mismatch'));
  });

  test('offers Create DOCKER_AUTH_CONFIG as a command with the registry, and no edit', () => {
    const content = `build:\n  image: ${ECR}/app:1.0\n  script: [make]\n`;
    const { actions } = quickFixes('gitlab-ci', content, 'auth/no-credentials');
    assert.equal(actions.length, 1);
    const [action] = actions;
    assert.equal(action!.title, `Create DOCKER_AUTH_CONFIG for \`${ECR}\`…`);
    assert.equal(action!.edit, undefined);
    assert.deepEqual(action!.command, { title: action!.title, command: 'pullguard.createDockerAuthConfig', arguments: [{ registry: ECR }] });
  });

  test('offers pinning a tag only as a command that asks the registry, with no edit of its own', () => {
    const content = 'build:\n  image: redis:latest\n  script: [make]\n';
    const { diagnostic, actions } = quickFixes('gitlab-ci', content, 'image/latest-tag');
    assert.equal(actions.length, 1);
    const action = actions[0]!;
    assert.equal(action.title, 'Pin to digest (asks the registry)');
    assert.equal(action.edit, undefined);
    const offset = content.indexOf('latest');
    assert.deepEqual(action.command, {
      title: action.title,
      command: 'pullguard.pinImage',
      arguments: [{ uri: FILE_NAMES['gitlab-ci'], offset, length: 'latest'.length, range: diagnostic.range, image: 'redis:latest' }],
    });
  });

  test('keeps a folded scalar wrapped over two lines as it is written', () => {
    const content = `variables:\n  DOCKER_AUTH_CONFIG: >\n    {"auths": {"registry.example.com": {"auth": "${AUTH}",\n    "email": "ci@example.com"}}}\nbuild:\n  script: [make]\n`;
    const { actions } = quickFixes('gitlab-ci', content, 'auth/email-ignored');
    const fixed = applyWorkspaceEdit({ [FILE_NAMES['gitlab-ci']]: content }, actions[0]?.edit)[FILE_NAMES['gitlab-ci']]!;
    assert.equal(fixed, content.replace(`"${AUTH}",\n    "email": "ci@example.com"`, `"${AUTH}"`));
  });

  test('keeps a double-quoted scalar continued with a backslash on its lines', () => {
    const content = `variables:\n  DOCKER_AUTH_CONFIG: "{\\"auths\\": {\\"registry.example.com\\": {\\"auth\\": \\"${AUTH}\\", \\\n    \\"email\\": \\"ci@example.com\\"}}}"\nbuild:\n  script: [make]\n`;
    const { actions } = quickFixes('gitlab-ci', content, 'auth/email-ignored');
    const fixed = applyWorkspaceEdit({ [FILE_NAMES['gitlab-ci']]: content }, actions[0]?.edit)[FILE_NAMES['gitlab-ci']]!;
    assert.ok(!codesIn('gitlab-ci', fixed).includes('auth/email-ignored'), fixed);
    assert.ok(!codesIn('gitlab-ci', fixed).includes('auth/invalid-json'), fixed);
    assert.ok(fixed.includes(`\\"${AUTH}\\"`), fixed);
  });
});

// ---- Kinds, preference, the fix-all action -----------------------------------------------------

describe('what a code action offers', () => {
  test('marks the one obvious fix preferred and leaves a judgement call unpreferred', () => {
    const email = quickFixes('docker-config', compact({ auths: { 'r.example.com': { auth: AUTH, email: 'x@example.com' } } }), 'auth/email-ignored');
    assert.equal(email.actions[0]?.isPreferred, true);
    const dollar = quickFixes('runner-config', runner('"DOCKER_AUTH_CONFIG={\\"auths\\": {\\"r.example.com\\": {\\"auth\\": \\"$AUTH\\"}}}"'), 'auth/dollar-expansion');
    assert.equal(dollar.actions[0]?.isPreferred, undefined);
  });

  test('answers one action for several diagnostics that ask for the same change', () => {
    const content = pipeline(`'${compact({ auths: { 'r.example.com': { username: 'u', password: 'p', auth: AUTH } } })}'`);
    const analysis = analyzeDocument('gitlab-ci', content);
    const secrets = analysis.diagnostics.filter((d) => d.code === 'auth/committed-secret');
    assert.equal(secrets.length, 2);
    const actions = analysis.actions(secrets);
    assert.equal(actions.length, 1);
    assert.equal(actions[0]!.diagnostics?.length, 2);
  });

  test('never puts a password in a title', () => {
    const content = pipeline(`'${compact({ auths: { 'r.example.com': { auth: AUTH_NEWLINE, email: 'x@example.com' } } })}'`);
    const analysis = analyzeDocument('gitlab-ci', content);
    for (const action of analysis.actions(analysis.diagnostics)) {
      assert.ok(!action.title.includes('s3cret'), action.title);
      assert.ok(!action.title.includes(AUTH) && !action.title.includes(AUTH_NEWLINE), action.title);
    }
  });

  test('ignores data that is not a Pullguard fix', () => {
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
    assert.equal(decodeFixData({ range, message: 'm', source: 'other', code: 'auth/email-ignored', data: { fix: 'remove-field', key: 'a', field: 'email' } }), undefined);
    assert.equal(decodeFixData({ range, message: 'm', source: 'pullguard', code: 'auth/email-ignored', data: { fix: 'remove-field' } }), undefined);
    assert.equal(decodeFixData({ range, message: 'm', source: 'pullguard', code: 'auth/email-ignored', data: 'remove' }), undefined);
    assert.deepEqual(decodeFixData({ range, message: 'm', source: 'pullguard', code: 'auth/email-ignored', data: { fix: 'remove-field', key: 'a', field: 'email' } }), { fix: 'remove-field', key: 'a', field: 'email' });
  });

  test('offers no fix when the diagnostic no longer matches the document', () => {
    const content = compact({ auths: { 'r.example.com': { auth: AUTH, email: 'x@example.com' } } });
    const { diagnostic } = quickFixes('docker-config', content, 'auth/email-ignored');
    const moved = analyzeDocument('docker-config', `{"credsStore": "pass"}`);
    assert.deepEqual(moved.actions([diagnostic]).filter((a) => a.kind === 'quickfix'), []);
  });
});

describe('fix all safe problems (source.fixAll.pullguard)', () => {
  const CONTENT = [
    'variables:',
    `  DOCKER_AUTH_CONFIG: '${compact({ Auths: { 'registry.example.com': { auth: AUTH_NEWLINE, email: 'ci@example.com' } } })}'`,
    'build:',
    '  image: registry.example.com/Team/app:1.0',
    '  services:',
    '    - postgres:16.4',
    '    - postgres:16.4',
    '  script: [make]',
    '',
  ].join('\n');
  const FIXED = CONTENT
    .replace('Auths', 'auths')
    .replace(`"${AUTH_NEWLINE}", "email": "ci@example.com"`, `"${AUTH}"`)
    .replace('Team', 'team');

  test('applies every safe local fix in one edit, and no command, guess or judgement call', () => {
    const analysis = analyzeDocument('gitlab-ci', CONTENT);
    const actions = analysis.actions([], [FIX_ALL_KIND]);
    assert.equal(actions.length, 1);
    const [action] = actions as [CodeAction];
    assert.equal(action.kind, FIX_ALL_KIND);
    assert.equal(action.command, undefined);
    const uri = FILE_NAMES['gitlab-ci'];
    const fixed = applyWorkspaceEdit({ [uri]: CONTENT }, action.edit)[uri]!;
    assert.equal(fixed, FIXED);
    const left = codesIn('gitlab-ci', fixed);
    for (const code of ['auth/unknown-key', 'auth/trailing-newline', 'auth/email-ignored', 'image/uppercase-repository']) assert.ok(!left.includes(code), code);
    // Left for the user: the secret (a command) and the service alias (a naming choice).
    assert.ok(left.includes('auth/committed-secret') && left.includes('service/alias-collision'));
  });

  test('is answered to `source.fixAll` and `source`, and only then', () => {
    const analysis = analyzeDocument('gitlab-ci', CONTENT);
    for (const only of [['source.fixAll'], ['source'], [FIX_ALL_KIND]]) {
      assert.deepEqual(analysis.actions([], only).map((a) => a.kind), [FIX_ALL_KIND], only.join());
    }
    const all = analysis.diagnostics;
    assert.ok(!analysis.actions(all).some((a) => a.kind === FIX_ALL_KIND));
    assert.ok(!analysis.actions(all, ['quickfix']).some((a) => a.kind === FIX_ALL_KIND));
    assert.ok(analysis.actions(all, ['quickfix']).every((a) => a.kind === 'quickfix'));
  });

  test('skips a fix whose edit would touch another, leaving it for the next run', () => {
    // Moving `image` under `default:` rewrites its line, where the uppercase repository is.
    const content = 'default:\n  tags: [docker]\nimage: registry.example.com/Team/app:1.0\nbuild:\n  script: [make]\n';
    const uri = FILE_NAMES['gitlab-ci'];
    const first = analyzeDocument('gitlab-ci', content).actions([], [FIX_ALL_KIND])[0];
    assert.deepEqual(first?.diagnostics?.map((d) => d.code), ['ci/deprecated-global']);
    const once = applyWorkspaceEdit({ [uri]: content }, first?.edit)[uri]!;
    assert.equal(once, 'default:\n  tags: [docker]\n  image: registry.example.com/Team/app:1.0\nbuild:\n  script: [make]\n');
    const second = analyzeDocument('gitlab-ci', once).actions([], [FIX_ALL_KIND])[0];
    const twice = applyWorkspaceEdit({ [uri]: once }, second?.edit)[uri]!;
    assert.equal(twice, once.replace('Team', 'team'));
  });

  test('offers nothing when nothing safe is left to fix', () => {
    const analysis = analyzeDocument('gitlab-ci', 'build:\n  image: redis:7.4\n  script: [make]\n');
    assert.deepEqual(analysis.actions([], [FIX_ALL_KIND]), []);
  });
});
