/**
 * A runner `config.toml` in the workspace decides which images the open pipeline may
 * use: adding `allowed_images` to it brings runner/image-not-allowed into the open
 * `.gitlab-ci.yml`, and removing it clears it, whether the config is edited in the
 * editor or on disk.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver';
import {
  expected,
  positionIn,
  rangeOf,
  Session,
  Severity,
  summarize,
  uriOf,
  useTempWorkspace,
  writeTextFile,
  type DiagnosticSummary,
} from './harness';

const CODE = 'runner/image-not-allowed';
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const PIPELINE = `build:\n  image: node@${DIGEST}\n  script: [npm ci]\n`;
const OPEN = '[[runners]]\n  name = "docker-runner"\n  executor = "docker"\n  [runners.docker]\n    image = "ruby:3.3"\n';
const RESTRICTED = `${OPEN}    allowed_images = ["python:*"]\n`;
const REFUSED: DiagnosticSummary[] = [expected(CODE, rangeOf(PIPELINE, `node@${DIGEST}`), Severity.Warning)];

const workspace = useTempWorkspace('pullguard-lsp-allowlist-');

function project(runnerConfig: string): { root: string; toml: string; tomlUri: string; ciUri: string } {
  const root = workspace.next();
  const toml = join(root, 'gitlab-runner/config.toml');
  writeTextFile(toml, runnerConfig);
  return { root, toml, tomlUri: uriOf(toml), ciUri: uriOf(join(root, '.gitlab-ci.yml')) };
}

/** Only this rule's diagnostics: other families may add their own to the same file. */
function ofRule(diagnostics: Parameters<typeof summarize>[0]): DiagnosticSummary[] {
  return onlyRule(summarize(diagnostics));
}

function onlyRule(found: DiagnosticSummary[]): DiagnosticSummary[] {
  return found.filter((d) => d.code === CODE);
}

function expectPipeline(session: Session, ciUri: string, action: () => void, want: DiagnosticSummary[], why: string): Promise<void> {
  return session.expectRepublished(ciUri, action, want, why, { filter: onlyRule });
}

describe('runner allowlists across files', () => {
  test('adding allowed_images to the open config.toml flags the pipeline image, removing it clears the finding', async () => {
    const p = project(OPEN);
    const session = await Session.start({ root: p.root });
    session.open(p.ciUri, PIPELINE);
    assert.deepEqual(ofRule((await session.waitForCurrent(p.ciUri)).diagnostics), []);
    session.open(p.tomlUri, OPEN, 'toml');
    await session.waitForCurrent(p.tomlUri);

    await expectPipeline(session, p.ciUri, () => session.replace(p.tomlUri, '    image = "ruby:3.3"\n', '    image = "ruby:3.3"\n    allowed_images = ["python:*"]\n'), REFUSED, 'adding allowed_images');
    const published = session.lastPublished(p.ciUri)!.diagnostics.find((d) => d.code === CODE)!;
    assert.match(String(published.message), /^The runner `docker-runner` will refuse this image with `disallowed image`: it compares `node@sha256:[0-9a-f]{64}` as written with its `allowed_images` \(`python:\*`\), and no pattern matches/);

    await expectPipeline(session, p.ciUri, () => session.replace(p.tomlUri, '    allowed_images = ["python:*"]\n', ''), [], 'removing allowed_images');
    assert.equal(await session.stop(), 0);
  });

  test('a config.toml rewritten on disk with and then without allowed_images does the same', async () => {
    const p = project(OPEN);
    const session = await Session.start({ root: p.root });
    session.open(p.ciUri, PIPELINE);
    assert.deepEqual(ofRule((await session.waitForCurrent(p.ciUri)).diagnostics), []);

    const changed = () => session.client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: p.tomlUri, type: 2 }] });
    await expectPipeline(session, p.ciUri, () => {
      writeFileSync(p.toml, RESTRICTED);
      changed();
    }, REFUSED, 'allowed_images was added on disk');
    await expectPipeline(session, p.ciUri, () => {
      writeFileSync(p.toml, OPEN);
      changed();
    }, [], 'allowed_images was removed on disk');
    assert.equal(await session.stop(), 0);
  });

  test('the job hover names the image and the runner it would otherwise run in', async () => {
    const p = project(OPEN);
    const session = await Session.start({ root: p.root });
    const text = 'lint:\n  script: [rubocop]\n';
    session.open(p.ciUri, text);
    await session.waitForCurrent(p.ciUri);
    const hover = await session.hover(p.ciUri, positionIn(text, 'lint'));
    assert.ok(hover, 'a hover on the job name');
    assert.match((hover.contents as MarkupContent).value, /\*\*Image\*\* none set — the runner's default image: `ruby:3\.3` \(runner `docker-runner`\)/);
    assert.equal(await session.stop(), 0);
  });
});
