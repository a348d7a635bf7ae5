/**
 * `include: local` through the real server process: a pipeline's jobs extend
 * templates from a file it includes, read from disk at start-up, updated by
 * `workspace/didChangeWatchedFiles`, or taken from the editor while it is open.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  expected,
  messageText,
  rangeOf,
  Session,
  Severity,
  summarize,
  uriOf,
  useTempWorkspace,
  writeTextFile,
  type DiagnosticSummary,
} from './harness';

const FileChangeType = { Changed: 2, Deleted: 3 } as const;

/** `build` takes its image from `.tpl`; `test` names `$IMG`, which `.tpl` defines. */
const PIPELINE = 'include:\n  - local: /ci/templates.yml\nbuild:\n  extends: .tpl\n  script: [make]\ntest:\n  extends: .tpl\n  image: $IMG:20.1.0\n  script: [make]\n';
const TEMPLATES = '.tpl:\n  image: node:20.1.0\n  variables:\n    IMG: node\n';
const TEMPLATES_WITHOUT_IMG = '.tpl:\n  image: node:20.1.0\n  variables:\n    OTHER: node\n';

/** The template read: only the tag of `test`'s own image is unpinned. */
const WITH_TEMPLATE: DiagnosticSummary[] = [expected('image/not-pinned', rangeOf(PIPELINE, '20.1.0', 'test:'), Severity.Information)];
/** `.tpl` no longer defines `$IMG`: the runner would pull `:20.1.0`. */
const IMG_UNDEFINED: DiagnosticSummary[] = [expected('image/undefined-variable', rangeOf(PIPELINE, '$IMG'), Severity.Warning)];

const workspace = useTempWorkspace('pullguard-lsp-includes-');

interface Project {
  readonly root: string;
  readonly templates: string;
  readonly templatesUri: string;
  readonly ciUri: string;
}

/** A fresh folder with `ci/templates.yml` and `.gitlab-ci.yml` on disk. */
function project(): Project {
  const root = workspace.next();
  const templates = join(root, 'ci/templates.yml');
  writeTextFile(templates, TEMPLATES);
  writeTextFile(join(root, '.gitlab-ci.yml'), PIPELINE);
  return { root, templates, templatesUri: uriOf(templates), ciUri: uriOf(join(root, '.gitlab-ci.yml')) };
}

/** Runs `action` and waits until the pipeline is published with `want`. */
function expectPipeline(session: Session, p: Project, action: () => void, want: DiagnosticSummary[], why: string): Promise<void> {
  return session.expectRepublished(p.ciUri, action, want, why);
}

describe('a template from an included file', () => {
  test('gives the job its image and variables: no runner/default-image, no image/undefined-variable', async () => {
    const p = project();
    const session = await Session.start({ root: p.root });
    await expectPipeline(session, p, () => session.open(p.ciUri, PIPELINE), WITH_TEMPLATE, 'opening it');
    assert.equal(await session.stop(), 0);
  });

  test('edits to the open included file update the pipeline\'s diagnostics', async () => {
    const p = project();
    const session = await Session.start({ root: p.root });
    await expectPipeline(session, p, () => session.open(p.ciUri, PIPELINE), WITH_TEMPLATE, 'opening it');
    session.open(p.templatesUri, TEMPLATES);
    await session.waitForCurrent(p.templatesUri);

    await expectPipeline(session, p, () => session.replace(p.templatesUri, 'IMG', 'OTHER'), IMG_UNDEFINED, 'the template lost `IMG`');
    await expectPipeline(session, p, () => session.replace(p.templatesUri, 'OTHER', 'IMG'), WITH_TEMPLATE, 'the template defines `IMG` again');
    assert.equal(await session.stop(), 0);
  });

  test('closing the edited included file brings back what the disk says', async () => {
    const p = project();
    const session = await Session.start({ root: p.root });
    await expectPipeline(session, p, () => session.open(p.ciUri, PIPELINE), WITH_TEMPLATE, 'opening it');
    session.open(p.templatesUri, TEMPLATES);
    await expectPipeline(session, p, () => session.replace(p.templatesUri, 'IMG', 'OTHER'), IMG_UNDEFINED, 'an unsaved edit');
    await expectPipeline(session, p, () => session.close(p.templatesUri), WITH_TEMPLATE, 'closing the edited file');
    assert.equal(await session.stop(), 0);
  });

  test('a reported change of the included file on disk updates the pipeline\'s diagnostics', async () => {
    const p = project();
    const session = await Session.start({ root: p.root });
    await expectPipeline(session, p, () => session.open(p.ciUri, PIPELINE), WITH_TEMPLATE, 'opening it');
    writeFileSync(p.templates, TEMPLATES_WITHOUT_IMG);
    const changed = () => session.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: p.templatesUri, type: FileChangeType.Changed }] });
    await expectPipeline(session, p, changed, IMG_UNDEFINED, 'the template on disk lost `IMG`');
    assert.equal(await session.stop(), 0);
  });
});

describe('a YAML file that becomes an included pipeline file', () => {
  test('opened before any pipeline includes it, it is analysed once one does', async () => {
    const root = workspace.next();
    const templates = join(root, 'ci/templates.yml');
    const templatesText = '.tpl:\n  image: node:latest\n';
    writeTextFile(templates, templatesText);
    const templatesUri = uriOf(templates);
    const ciUri = uriOf(join(root, '.gitlab-ci.yml'));
    const session = await Session.start({ root });

    // No pipeline names it yet: a YAML file like any other, with nothing to report.
    session.open(templatesUri, templatesText);
    const plain = await session.waitForCurrent(templatesUri);
    assert.deepEqual(summarize(plain.diagnostics), []);

    const mark = session.mark();
    session.open(ciUri, 'include:\n  - local: /ci/templates.yml\nbuild:\n  extends: .tpl\n  script: [make]\n');
    await session.waitForDiagnostics(templatesUri, {
      after: mark,
      where: (published) => summarize(published.diagnostics).some((d) => d.code === 'image/latest-tag'),
      what: 'the included file analysed as a pipeline file once `.gitlab-ci.yml` includes it',
    });
    assert.equal(await session.stop(), 0);
  });

  test('opened before any pipeline includes it, the pipeline that comes to include it reads the editor\'s text', async () => {
    // The user writes the template first, then the `include:`: on disk the pipeline includes
    // nothing yet, and the template lacks `IMG`, which it defines in the editor.
    const p = project();
    writeFileSync(join(p.root, '.gitlab-ci.yml'), 'build:\n  image: alpine:3.20\n  script: [make]\n');
    writeFileSync(p.templates, TEMPLATES_WITHOUT_IMG);
    const session = await Session.start({ root: p.root });
    session.open(p.templatesUri, TEMPLATES);
    await session.waitForCurrent(p.templatesUri);
    session.open(p.ciUri, PIPELINE);
    const published = await session.waitForCurrent(p.ciUri);
    assert.deepEqual(summarize(published.diagnostics), WITH_TEMPLATE);
    // `$IMG` is the template's `node`, not a sample value for a variable nobody defines.
    assert.match(messageText(published.diagnostics[0]!), /^`node:20\.1\.0` is not pinned/);
    assert.equal(await session.stop(), 0);
  });

  test('deleted from disk once a pipeline includes it, it no longer counts', async () => {
    // On disk nothing includes the template, so the scan records it unread; the pipeline
    // opened in the editor includes it, and the user then deletes it.
    const p = project();
    writeFileSync(join(p.root, '.gitlab-ci.yml'), 'build:\n  image: alpine:3.20\n  script: [make]\n');
    const session = await Session.start({ root: p.root });
    session.open(p.ciUri, PIPELINE);
    const withTemplate = await session.waitForCurrent(p.ciUri);
    assert.match(messageText(withTemplate.diagnostics[0]!), /^`node:20\.1\.0` is not pinned/);

    const mark = session.mark();
    rmSync(p.templates);
    session.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: p.templatesUri, type: FileChangeType.Deleted }] });
    await session.waitForDiagnostics(p.ciUri, {
      after: mark,
      where: (published) => !published.diagnostics.some((d) => messageText(d).startsWith('`node:20.1.0`')),
      what: 'the pipeline analysed again without the deleted template',
    });
    assert.equal(await session.stop(), 0);
  });
});
