/**
 * Hovers through the real server process: what an image or service reference
 * means to Docker and to the runner, and nothing anywhere else.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Hover, MarkupContent } from 'vscode-languageserver';
import { ensureServerBuilt, positionIn, rangeOf, Session, stopAllSessions, TempWorkspace, uriOf } from './harness';

const DIGEST = `sha256:${'c'.repeat(64)}`;

const PIPELINE = [
  '# postgres is the default image',
  'default:',
  '  image: postgres',
  '',
  'build:',
  `  image: "registry.example.com:5000/team/app:1.2@${DIGEST}"`,
  '  services:',
  '    - tutum/wordpress',
  '    - name: tutum/wordpress',
  '      alias: db',
  '  script: [make]',
  '',
  'release:',
  '  image:',
  '    name: $CI_REGISTRY_IMAGE/tools:1',
  '    pull_policy: if-not-present',
  '  script: [release]',
  '',
].join('\n');

const workspace = new TempWorkspace('pullguard-lsp-hover-');
const root = workspace.folder('project');
const uri = uriOf(join(root, '.gitlab-ci.yml'));
let session: Session;

before(async () => {
  ensureServerBuilt();
  session = await Session.start({ root });
  session.open(uri, PIPELINE);
  await session.waitForCurrent(uri);
});
after(async () => {
  await stopAllSessions();
  workspace.remove();
});

function markdown(hover: Hover | null, what: string): string {
  assert.ok(hover, `expected a hover on ${what}, got null`);
  const contents = hover.contents as MarkupContent;
  assert.equal(contents.kind, 'markdown', `hover on ${what} is markdown`);
  return contents.value;
}

/** The table rows of a hover: label → value. */
function rows(value: string): Map<string, string> {
  const table = new Map<string, string>();
  for (const match of value.matchAll(/^\| ([^|]+?) \| (.*) \|$/gm)) table.set(match[1]!, match[2]!);
  return table;
}

describe('hover on an image', () => {
  test('explains a Docker Hub name: registry docker.io, repository library/…, implied latest, not pinned, full name', async () => {
    const hover = await session.hover(uri, positionIn(PIPELINE, 'postgres', 'image: '));
    const table = rows(markdown(hover, 'postgres'));
    assert.equal(table.get('Registry'), 'Docker Hub (`docker.io`)');
    assert.equal(table.get('Repository'), '`library/postgres`');
    assert.equal(table.get('Tag'), '`latest` (implied)');
    assert.equal(table.get('Digest'), '— (not pinned)');
    assert.equal(table.get('Full name'), '`docker.io/library/postgres:latest`');
    assert.equal(table.has('Hostnames'), false, 'an image (not a service) has no hostnames');
    assert.deepEqual(hover!.range, rangeOf(PIPELINE, 'postgres', 'image: '));
  });

  test('explains a registry with a port, a tag and a digest; the range covers the quoted scalar', async () => {
    const written = `"registry.example.com:5000/team/app:1.2@${DIGEST}"`;
    const hover = await session.hover(uri, positionIn(PIPELINE, written));
    const table = rows(markdown(hover, 'the registry image'));
    assert.equal(table.get('Registry'), '`registry.example.com:5000`');
    assert.equal(table.get('Repository'), '`team/app`');
    assert.equal(table.get('Tag'), '`1.2`');
    assert.equal(table.get('Digest'), `\`${DIGEST}\``);
    assert.equal(table.get('Full name'), `\`registry.example.com:5000/team/app@${DIGEST}\``);
    assert.deepEqual(hover!.range, rangeOf(PIPELINE, written));
  });

  test('answers on the first and the last character of the name too', async () => {
    const range = rangeOf(PIPELINE, 'postgres', 'image: ');
    for (const position of [range.start, range.end]) {
      const hover = await session.hover(uri, position);
      assert.match(markdown(hover, `postgres at ${position.character}`), /library\/postgres/);
    }
  });

  test('says where a predefined variable comes from and shows the pull policy written next to the image', async () => {
    const hover = await session.hover(uri, positionIn(PIPELINE, '$CI_REGISTRY_IMAGE/tools:1'));
    const value = markdown(hover, '$CI_REGISTRY_IMAGE/tools:1');
    assert.match(value, /`\$CI_REGISTRY_IMAGE` is set by GitLab at run time/);
    assert.equal(rows(value).get('Pull policy'), '`if-not-present` (set here)');
    assert.equal(rows(value).get('Tag'), '`1`');
  });
});

describe('hover on a service', () => {
  test('lists the hostnames derived from the name: tutum__wordpress and tutum-wordpress', async () => {
    const hover = await session.hover(uri, positionIn(PIPELINE, 'tutum/wordpress', '- '));
    const value = markdown(hover, 'the tutum/wordpress service');
    assert.match(value, /^\*\*Service image\*\*/);
    const hostnames = rows(value).get('Hostnames') ?? '';
    assert.deepEqual([...hostnames.matchAll(/`([^`]+)`/g)].map((m) => m[1]), ['tutum__wordpress', 'tutum-wordpress']);
  });

  test('adds the alias to the hostnames of a service with alias: db', async () => {
    const hover = await session.hover(uri, positionIn(PIPELINE, 'tutum/wordpress', 'name: '));
    const hostnames = rows(markdown(hover, 'the aliased service')).get('Hostnames') ?? '';
    assert.deepEqual([...hostnames.matchAll(/`([^`]+)`/g)].map((m) => m[1]), ['tutum__wordpress', 'tutum-wordpress', 'db']);
    assert.match(hostnames, /`db` \(alias\)/);
  });
});

describe('no hover elsewhere', () => {
  const places: ReadonlyArray<[string, string, string | undefined]> = [
    ['the image key', 'image', 'build:\n'],
    ['a script entry', 'make', undefined],
    ['a comment', 'default image', undefined],
    ['the alias value', 'db', 'alias: '],
    ['the pull_policy value', 'if-not-present', undefined],
  ];
  for (const [what, needle, anchor] of places) {
    test(`answers null on ${what}`, async () => {
      assert.equal(await session.hover(uri, positionIn(PIPELINE, needle, anchor)), null);
    });
  }

  test('answers null on an empty line and past the end of the document', async () => {
    assert.equal(await session.hover(uri, { line: 3, character: 0 }), null);
    assert.equal(await session.hover(uri, { line: 500, character: 3 }), null);
  });

  test('answers null for a document that is not open', async () => {
    assert.equal(await session.hover(uriOf(join(root, 'closed', '.gitlab-ci.yml')), { line: 2, character: 10 }), null);
  });

  test('answers null in a YAML file that is not a pipeline, even on an image key', async () => {
    const compose = uriOf(join(root, 'docker-compose.yml'));
    const text = 'services:\n  web:\n    image: postgres\n';
    session.open(compose, text);
    assert.equal(await session.hover(compose, positionIn(text, 'postgres')), null);
  });
});

describe('hover in other files and after edits', () => {
  test('explains the default image of a runner config.toml with the runner pull policy', async () => {
    const text = '[[runners]]\n  name = "r"\n  executor = "docker"\n  [runners.docker]\n    image = "ruby:3.3"\n    pull_policy = ["always", "if-not-present"]\n';
    const tomlUri = uriOf(join(root, 'gitlab-runner', 'config.toml'));
    session.open(tomlUri, text, 'toml');
    const hover = await session.hover(tomlUri, positionIn(text, 'ruby:3.3'));
    const table = rows(markdown(hover, 'ruby:3.3'));
    assert.equal(table.get('Repository'), '`library/ruby`');
    assert.equal(table.get('Tag'), '`3.3`');
    assert.equal(table.get('Pull policy'), '`always`, `if-not-present` (from this runner)');
    assert.deepEqual(hover!.range, rangeOf(text, '"ruby:3.3"'));
  });

  test('explains the edited name after an incremental change', async () => {
    const editUri = uriOf(join(root, 'edit', '.gitlab-ci.yml'));
    session.open(editUri, 'build:\n  image: postgres\n  script: [x]\n');
    session.replace(editUri, 'postgres', 'quay.io/org/postgres:16');
    const text = session.text(editUri);
    const hover = await session.hover(editUri, positionIn(text, 'quay.io/org/postgres:16'));
    const table = rows(markdown(hover, 'the edited image'));
    assert.equal(table.get('Registry'), '`quay.io`');
    assert.equal(table.get('Repository'), '`org/postgres`');
    assert.deepEqual(hover!.range, rangeOf(text, 'quay.io/org/postgres:16'));
  });
});
