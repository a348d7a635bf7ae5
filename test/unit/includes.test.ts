/**
 * `include: local` files of the workspace merged into the pipeline that includes them
 * (REFERENCE §3.2): templates, `!reference` targets, `default:` and global `variables:`
 * from included files give a job its effective image, services and variables; what
 * is written in an included file is reported when that file is analysed, never here.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { runCli } from '../../server/src/cli/main';
import { LanguageService } from '../../server/src/service/languageService';
import { getAnalysisWithIncludes } from '../../server/src/service/model/includes';
import { folderHolding, WorkspaceIndex } from '../../server/src/service/model/workspace';
import { parseDocumentAs } from '../../server/src/service/parsedDocument';
import { DEFAULT_SETTINGS } from '../../server/src/service/settings';
import { FILE_NAMES, findingsOf, hoverAt, makeContext } from '../helpers/analyze';

const MAIN = FILE_NAMES['gitlab-ci'];
const TEMPLATES = 'file:///project/ci/templates.yml';
const RUNNER = { 'file:///project/gitlab-runner/config.toml': '[[runners]]\n  name = "docker"\n  executor = "docker"\n  [runners.docker]\n    image = "ruby:3.3"\n' };

/** A job `build` that extends `.tpl` and sets no image of its own. */
const BUILD = 'build:\n  extends: .tpl\n  script: [make]\n';

interface Case {
  readonly name: string;
  /** The `.gitlab-ci.yml` analysed. */
  readonly content: string;
  /** Other files of the workspace, besides a runner with a default image: path under /project → text. */
  readonly files: Readonly<Record<string, string>>;
  readonly code: string;
  /** The texts the findings of `code` cover. */
  readonly expected: readonly string[];
}

function run(cases: readonly Case[]): void {
  for (const { name, content, files, code, expected } of cases) {
    test(name, () => {
      const workspace: Record<string, string> = { ...RUNNER };
      for (const [path, text] of Object.entries(files)) workspace[`file:///project/${path}`] = text;
      assert.deepEqual(findingsOf('gitlab-ci', content, code, { workspace }), expected);
    });
  }
}

describe('templates from an included file', () => {
  run([
    {
      name: 'does not flag a variable of the image that the included template defines',
      content: `include:\n  - local: /ci/templates.yml\nbuild:\n  extends: .tpl\n  image: $IMG:20.1.0\n  script: [make]\n`,
      files: { 'ci/templates.yml': '.tpl:\n  variables:\n    IMG: node\n' },
      code: 'image/undefined-variable',
      expected: [],
    },
    {
      name: 'flags a variable of the image that the included template does not define',
      content: `include:\n  - local: /ci/templates.yml\nbuild:\n  extends: .tpl\n  image: $IMG:20.1.0\n  script: [make]\n`,
      files: { 'ci/templates.yml': '.tpl:\n  variables:\n    OTHER: node\n' },
      code: 'image/undefined-variable',
      expected: ['$IMG'],
    },
    {
      name: 'does not flag a job without an image of its own when the included template gives it one',
      content: `include:\n  - local: /ci/templates.yml\n${BUILD}`,
      files: { 'ci/templates.yml': '.tpl:\n  image: node:20.1.0\n' },
      code: 'runner/default-image',
      expected: [],
    },
    {
      name: 'flags a job whose included template gives no image either',
      content: `include:\n  - local: /ci/templates.yml\n${BUILD}`,
      files: { 'ci/templates.yml': '.tpl:\n  tags: [docker]\n' },
      code: 'runner/default-image',
      expected: ['build'],
    },
    {
      name: 'reads an include written as a bare string from the project root',
      content: `include: ci/templates.yml\n${BUILD}`,
      files: { 'ci/templates.yml': '.tpl:\n  image: node:20.1.0\n' },
      code: 'runner/default-image',
      expected: [],
    },
    {
      name: 'does not flag a URL host that a service of the included template answers to',
      content: 'include:\n  - local: /ci/templates.yml\ntest:\n  extends: .db\n  variables:\n    DATABASE_URL: postgres://u@db/x\n  script: [make]\n',
      files: { 'ci/templates.yml': '.db:\n  image: node:20.1.0\n  services:\n    - name: postgres:16.4\n      alias: db\n' },
      code: 'service/unknown-host',
      expected: [],
    },
    {
      name: 'flags a URL host that no service of the included template answers to',
      content: 'include:\n  - local: /ci/templates.yml\ntest:\n  extends: .db\n  variables:\n    DATABASE_URL: postgres://u@database/x\n  script: [make]\n',
      files: { 'ci/templates.yml': '.db:\n  image: node:20.1.0\n  services:\n    - name: postgres:16.4\n      alias: db\n' },
      code: 'service/unknown-host',
      expected: ['database'],
    },
    {
      name: 'deep-merges a job defined in both files, the including file winning',
      content: 'include:\n  - local: /ci/templates.yml\nbuild:\n  script: [make]\n',
      files: { 'ci/templates.yml': 'build:\n  image: node:20.1.0\n  script: [other]\n' },
      code: 'runner/default-image',
      expected: [],
    },
    {
      name: 'lets the including file drop the image of a job defined in both files with `image: null`',
      content: 'include:\n  - local: /ci/templates.yml\nbuild:\n  image: null\n  script: [make]\n',
      files: { 'ci/templates.yml': 'build:\n  image: node:20.1.0\n' },
      code: 'runner/default-image',
      expected: ['build'],
    },
  ]);
});

describe('!reference into an included file', () => {
  run([
    {
      name: 'takes the image a `!reference` names in an included file',
      content: 'include:\n  - local: /ci/templates.yml\nbuild:\n  image: !reference [.tpl, image]\n  script: [make]\n',
      files: { 'ci/templates.yml': '.tpl:\n  image: node:20.1.0\n' },
      code: 'runner/default-image',
      expected: [],
    },
    {
      name: 'flags a job whose `!reference` names a job defined in no file when every include is read',
      content: 'include:\n  - local: /ci/templates.yml\nbuild:\n  image: !reference [.other, image]\n  script: [make]\n',
      files: { 'ci/templates.yml': '.tpl:\n  image: node:20.1.0\n' },
      code: 'runner/default-image',
      expected: ['build'],
    },
    {
      name: 'reads the services a `!reference` names in an included file for hostnames',
      content: 'include:\n  - local: /ci/templates.yml\ntest:\n  image: node:20.1.0\n  services: !reference [.db, services]\n  variables:\n    DATABASE_URL: postgres://u@database/x\n  script: [make]\n',
      files: { 'ci/templates.yml': '.db:\n  services:\n    - name: postgres:16.4\n      alias: db\n' },
      code: 'service/unknown-host',
      expected: ['database'],
    },
  ]);
});

describe('default: and variables: of an included file', () => {
  run([
    {
      name: 'does not flag a job that takes its image from the included `default:`',
      content: 'include:\n  - local: /ci/defaults.yml\nlint:\n  script: [make]\n',
      files: { 'ci/defaults.yml': 'default:\n  image: ruby:3.3.1\n' },
      code: 'runner/default-image',
      expected: [],
    },
    {
      name: 'flags a job that turns off inheriting the included `default:`',
      content: 'include:\n  - local: /ci/defaults.yml\nlint:\n  inherit:\n    default: false\n  script: [make]\n',
      files: { 'ci/defaults.yml': 'default:\n  image: ruby:3.3.1\n' },
      code: 'runner/default-image',
      expected: ['lint'],
    },
    {
      name: 'does not flag a variable of the image defined in the included global `variables:`',
      content: 'include:\n  - local: /ci/variables.yml\nbuild:\n  image: $IMG:20.1.0\n  script: [make]\n',
      files: { 'ci/variables.yml': 'variables:\n  IMG: node\n' },
      code: 'image/undefined-variable',
      expected: [],
    },
    {
      name: 'flags a variable of the image when the job does not inherit the included global `variables:`',
      content: 'include:\n  - local: /ci/variables.yml\nbuild:\n  image: $IMG:20.1.0\n  inherit:\n    variables: false\n  script: [make]\n',
      files: { 'ci/variables.yml': 'variables:\n  IMG: node\n' },
      code: 'image/undefined-variable',
      expected: ['$IMG'],
    },
  ]);
});

/** `registry.example.com` credentials, as the included file writes them. */
const AUTH = '\'{"auths":{"registry.example.com":{"auth":"dXNlcjpwYXNz"}}}\'';

describe('DOCKER_AUTH_CONFIG of an included file', () => {
  run([
    {
      name: 'the included global `variables:` give the job its credentials',
      content: 'include:\n  - local: /ci/auth.yml\nbuild:\n  image: registry.example.com/team/app:1.0\n  script: [make]\n',
      files: { 'ci/auth.yml': `variables:\n  DOCKER_AUTH_CONFIG: ${AUTH}\n` },
      code: 'auth/no-credentials',
      expected: [],
    },
    {
      name: 'an included template\'s variables give the job that extends it its credentials',
      content: 'include:\n  - local: /ci/auth.yml\nbuild:\n  extends: .registry\n  image: registry.example.com/team/app:1.0\n  script: [make]\n',
      files: { 'ci/auth.yml': `.registry:\n  variables:\n    DOCKER_AUTH_CONFIG: ${AUTH}\n` },
      code: 'auth/no-credentials',
      expected: [],
    },
    {
      name: 'credentials of the included file for another registry leave the image without any',
      content: 'include:\n  - local: /ci/auth.yml\nbuild:\n  image: other.example.com/team/app:1.0\n  script: [make]\n',
      files: { 'ci/auth.yml': `variables:\n  DOCKER_AUTH_CONFIG: ${AUTH}\n` },
      code: 'auth/no-credentials',
      expected: ['other.example.com/team/app:1.0'],
    },
  ]);

  test('the image hover names the included file\'s `DOCKER_AUTH_CONFIG` as the credentials used', () => {
    const pipeline = 'include:\n  - local: /ci/auth.yml\nbuild:\n  image: registry.example.com/|team/app:1.0\n  script: [make]\n';
    const text = hoverAt('gitlab-ci', pipeline, { workspace: { 'file:///project/ci/auth.yml': `variables:\n  DOCKER_AUTH_CONFIG: ${AUTH}\n` } }) ?? '';
    assert.match(text, /registry\.example\.com/);
    assert.doesNotMatch(text, /anonymous/i);
    assert.doesNotMatch(text, /dXNlcjpwYXNz|pass/);
  });
});

describe('nested, glob and cyclic includes', () => {
  run([
    {
      name: 'follows an include of an included file, read from the project root',
      content: `include:\n  - local: /ci/a.yml\n${BUILD}`,
      files: { 'ci/a.yml': 'include:\n  - local: ci/b.yml\n', 'ci/b.yml': '.tpl:\n  image: node:20.1.0\n' },
      code: 'runner/default-image',
      expected: [],
    },
    {
      name: 'flags a job whose template is in a file that no include names',
      content: `include:\n  - local: /ci/a.yml\n${BUILD}`,
      files: { 'ci/a.yml': '.other:\n  image: node:20.1.0\n', 'ci/b.yml': '.tpl:\n  image: node:20.1.0\n' },
      code: 'runner/default-image',
      expected: ['build'],
    },
    {
      name: 'reads every file a glob include matches',
      content: `include:\n  - local: /ci/*.yml\n${BUILD}`,
      files: { 'ci/a.yml': '.other:\n  script: [x]\n', 'ci/b.yml': '.tpl:\n  image: node:20.1.0\n' },
      code: 'runner/default-image',
      expected: [],
    },
    {
      name: 'flags a job whose template is in no file the glob matches',
      content: `include:\n  - local: /ci/jobs-*.yml\n${BUILD}`,
      files: { 'ci/jobs-a.yml': '.other:\n  script: [x]\n', 'ci/b.yml': '.tpl:\n  image: node:20.1.0\n' },
      code: 'runner/default-image',
      expected: ['build'],
    },
    {
      name: 'cuts an include cycle and still reads the templates on it',
      content: `include:\n  - local: /ci/a.yml\n${BUILD}`,
      files: { 'ci/a.yml': 'include:\n  - local: /ci/b.yml\n  - local: /ci/a.yml\n.tpl:\n  image: node:20.1.0\n', 'ci/b.yml': 'include: /ci/a.yml\n' },
      code: 'runner/default-image',
      expected: [],
    },
    {
      name: 'cuts an include cycle and flags a job that gets no image on it',
      content: `include:\n  - local: /ci/a.yml\n${BUILD}`,
      files: { 'ci/a.yml': 'include:\n  - local: /ci/b.yml\n.tpl:\n  tags: [docker]\n', 'ci/b.yml': 'include: /ci/a.yml\n' },
      code: 'runner/default-image',
      expected: ['build'],
    },
  ]);
});

describe('includes with `rules:` (conditional)', () => {
  const CONDITIONAL = 'include:\n  - local: /ci/defaults.yml\n    rules:\n      - if: $CI_COMMIT_BRANCH == "main"\n';
  run([
    {
      name: 'does not flag a job without an image when a conditional include may give `default:` one',
      content: `${CONDITIONAL}lint:\n  script: [make]\n`,
      files: { 'ci/defaults.yml': 'default:\n  image: ruby:3.3.1\n' },
      code: 'runner/default-image',
      expected: [],
    },
    {
      name: 'does not flag a variable the conditional include may define',
      content: `${CONDITIONAL}build:\n  image: $IMG:20.1.0\n  script: [make]\n`,
      files: { 'ci/defaults.yml': 'variables:\n  IMG: node\n' },
      code: 'image/undefined-variable',
      expected: [],
    },
    {
      name: 'still flags a job without an image when the conditional include gives none either',
      content: `${CONDITIONAL}lint:\n  script: [make]\n`,
      files: { 'ci/defaults.yml': 'variables:\n  IMG: node\n' },
      code: 'runner/default-image',
      expected: ['lint'],
    },
  ]);

  test('the job hover says the include applies only when its rules match', () => {
    const pipeline = 'include:\n  - local: /ci/defaults.yml\n    rules:\n      - if: $CI_COMMIT_BRANCH == "main"\n|lint:\n  script: [make]\n';
    const hover = hoverAt('gitlab-ci', pipeline, { workspace: { 'file:///project/ci/defaults.yml': 'default:\n  image: ruby:3.3.1\n' } });
    assert.match(hover ?? '', /`\/ci\/defaults\.yml` is included with `rules:`: GitLab includes it only when its rules match at pipeline creation/);
  });

  test('an include without `rules:` is not conditional', () => {
    const pipeline = 'include:\n  - local: /ci/defaults.yml\n|lint:\n  script: [make]\n';
    const hover = hoverAt('gitlab-ci', pipeline, { workspace: { 'file:///project/ci/defaults.yml': 'default:\n  image: ruby:3.3.1\n' } });
    assert.ok(hover);
    assert.doesNotMatch(hover, /only when its rules match/);
  });
});

describe('includes Pullguard cannot read', () => {
  run([
    {
      name: 'stays silent about the image of a job whose template is in an included file outside the workspace',
      content: `include:\n  - local: /ci/missing.yml\n${BUILD}`,
      files: { 'ci/templates.yml': '.tpl:\n  tags: [docker]\n' },
      code: 'runner/default-image',
      expected: [],
    },
    {
      name: 'stays silent about a variable that an included file outside the workspace may define',
      content: 'include:\n  - local: /ci/missing.yml\nbuild:\n  image: $IMG:20.1.0\n  script: [make]\n',
      files: {},
      code: 'image/undefined-variable',
      expected: [],
    },
    {
      name: 'stays silent about a job without an image when a remote include may set `default:`',
      content: 'include:\n  - local: /ci/templates.yml\n  - remote: https://example.com/ci.yml\nlint:\n  script: [make]\n',
      files: { 'ci/templates.yml': '.tpl:\n  tags: [docker]\n' },
      code: 'runner/default-image',
      expected: [],
    },
    {
      name: 'flags a job without an image when every include is read and none sets `default:`',
      content: 'include:\n  - local: /ci/templates.yml\nlint:\n  script: [make]\n',
      files: { 'ci/templates.yml': '.tpl:\n  tags: [docker]\n' },
      code: 'runner/default-image',
      expected: ['lint'],
    },
    {
      name: 'stays silent when a nested include cannot be read',
      content: `include:\n  - local: /ci/a.yml\n${BUILD}`,
      files: { 'ci/a.yml': 'include:\n  - project: group/ci\n    file: /templates.yml\n' },
      code: 'runner/default-image',
      expected: [],
    },
  ]);
});

describe('findings in the included file', () => {
  const files = {
    [TEMPLATES]: '.tpl:\n  image: node:latest\n  services:\n    - name: postgres:16.4\n      alias: db_primary\n',
  };
  const main = `include:\n  - local: /ci/templates.yml\n${BUILD}`;

  test('are not reported in the including file, whose offsets they do not belong to', () => {
    const workspace = { ...files, [MAIN]: main };
    assert.deepEqual(findingsOf('gitlab-ci', main, 'image/latest-tag', { workspace }), []);
    assert.deepEqual(findingsOf('gitlab-ci', main, 'service/invalid-alias', { workspace }), []);
  });

  test('are reported when the included file is analysed', () => {
    const workspace = { ...files, [MAIN]: main };
    const text = files[TEMPLATES]!;
    assert.deepEqual(findingsOf('gitlab-ci', text, 'image/latest-tag', { workspace, uri: TEMPLATES }), ['latest']);
    assert.deepEqual(findingsOf('gitlab-ci', text, 'service/invalid-alias', { workspace, uri: TEMPLATES }), ['db_primary']);
  });

  const jobs = 'lint:\n  script: [make]\n';
  const JOBS = 'file:///project/.gitlab/ci/jobs.yml';

  test('an included file does not flag its job without an image: the including file\'s `default:` may give one', () => {
    const workspace = { ...RUNNER, [MAIN]: 'include: /.gitlab/ci/jobs.yml\ndefault:\n  image: ruby:3.3.1\n', [JOBS]: jobs };
    assert.deepEqual(findingsOf('gitlab-ci', jobs, 'runner/default-image', { workspace, uri: JOBS }), []);
  });

  test('a pipeline file nobody includes flags its job without an image', () => {
    const workspace = { ...RUNNER, [MAIN]: 'include: /.gitlab/ci/other.yml\ndefault:\n  image: ruby:3.3.1\n', [JOBS]: jobs };
    assert.deepEqual(findingsOf('gitlab-ci', jobs, 'runner/default-image', { workspace, uri: JOBS }), ['lint']);
  });
});

describe('where an image from an included file comes from', () => {
  test('the effective image names the included file it is written in', () => {
    const context = makeContext({ workspace: { [TEMPLATES]: '.tpl:\n  image: node:20.1.0\n' } });
    const parsed = parseDocumentAs('gitlab-ci', `include: /ci/templates.yml\n${BUILD}`);
    assert.ok(parsed.kind === 'gitlab-ci');
    const analysis = getAnalysisWithIncludes(parsed.ci, MAIN, context.workspace);
    const image = analysis.getEffectiveJob(analysis.model.jobs.get('build')!).image!;
    assert.deepEqual({ kind: image.origin.kind, file: image.origin.file?.name }, { kind: 'template', file: 'ci/templates.yml' });
    assert.equal(analysis.textOf(image.name).slice(image.name.start, image.name.end), 'node:20.1.0');
  });

  test('an image written in the document itself names no file', () => {
    const context = makeContext({ workspace: { [TEMPLATES]: '.tpl:\n  tags: [docker]\n' } });
    const parsed = parseDocumentAs('gitlab-ci', 'include: /ci/templates.yml\nbuild:\n  extends: .tpl\n  image: node:20.1.0\n');
    assert.ok(parsed.kind === 'gitlab-ci');
    const analysis = getAnalysisWithIncludes(parsed.ci, MAIN, context.workspace);
    assert.equal(analysis.getEffectiveJob(analysis.model.jobs.get('build')!).image!.origin.file, undefined);
  });

  test('the job hover says which template and file give the image', () => {
    const value = hoverAt('gitlab-ci', `include: /ci/templates.yml\n|${BUILD}`, { workspace: { [TEMPLATES]: '.tpl:\n  image: node:20.1.0\n' } }) ?? '';
    assert.match(value, /\*\*Image\*\* `node:20\.1\.0` — from template `\.tpl` in `ci\/templates\.yml`/);
    assert.match(value, /Extends `\.tpl` \(`ci\/templates\.yml`\)\./);
  });

  test('the job hover of an included file says the including file may set its image', () => {
    const jobs = 'lint:\n  script: [make]\n';
    const uri = 'file:///project/.gitlab/ci/jobs.yml';
    const value = hoverAt('gitlab-ci', `|${jobs}`, { uri, workspace: { [MAIN]: 'include: /.gitlab/ci/jobs.yml\n', [uri]: jobs } }) ?? '';
    assert.match(value, /\*\*Image\*\* unknown — This file is included by another pipeline file, whose `default:`, `variables:` and templates apply to it too; the image may be set there\./);
  });

  test('the job hover still says an unread include hides the image', () => {
    const value = hoverAt('gitlab-ci', `include: /ci/missing.yml\n|${BUILD}`, { workspace: {} }) ?? '';
    assert.match(value, /\*\*Image\*\* unknown — This file has `include:` entries \(`local`\), which Pullguard does not read here/);
  });
});

describe('the workspace index and included files', () => {
  const main = `include:\n  - local: /ci/templates.yml\nbuild:\n  extends: .tpl\n  image: $IMG:20.1.0\n  script: [make]\n`;
  const defined = '.tpl:\n  variables:\n    IMG: node\n';
  const undefinedHere = '.tpl:\n  variables:\n    OTHER: node\n';

  function analyse(index: WorkspaceIndex, service = new LanguageService()): string[] {
    const document = TextDocument.create(MAIN, 'plaintext', 1, main);
    return service.analyze(document, { settings: DEFAULT_SETTINGS, workspace: index.view() }).findings.map((f) => f.code);
  }

  test('an edit of an included file changes the view, and the including pipeline is analysed again', () => {
    const index = new WorkspaceIndex(['/project']);
    index.setFile(MAIN, main, DEFAULT_SETTINGS);
    index.setFile(TEMPLATES, defined, DEFAULT_SETTINGS);
    const service = new LanguageService();
    const before = index.view();
    assert.ok(!analyse(index, service).includes('image/undefined-variable'));
    assert.equal(index.setFile(TEMPLATES, undefinedHere, DEFAULT_SETTINGS), true);
    assert.notEqual(index.view(), before);
    assert.ok(analyse(index, service).includes('image/undefined-variable'));
  });

  test('an edit of a pipeline nobody includes that keeps its includes leaves the view as it was', () => {
    const index = new WorkspaceIndex(['/project']);
    index.setFile(MAIN, main, DEFAULT_SETTINGS);
    index.setFile(TEMPLATES, defined, DEFAULT_SETTINGS);
    const before = index.view();
    assert.equal(index.setFile(MAIN, `${main}lint:\n  script: [x]\n`, DEFAULT_SETTINGS), false);
    assert.equal(index.view(), before);
  });

  test('an edit of a YAML file nobody includes leaves the view as it was', () => {
    const index = new WorkspaceIndex(['/project']);
    index.setFile(MAIN, main, DEFAULT_SETTINGS);
    index.setFile('file:///project/k8s/deploy.yml', 'kind: Deployment\n', DEFAULT_SETTINGS);
    const before = index.view();
    assert.equal(index.setFile('file:///project/k8s/deploy.yml', 'kind: Service\n', DEFAULT_SETTINGS), false);
    assert.equal(index.view(), before);
  });

  test('an edit of an open included file, given as the language service\'s parse, changes the view', () => {
    const index = new WorkspaceIndex(['/project']);
    index.setFile(MAIN, main, DEFAULT_SETTINGS);
    index.setFile(TEMPLATES, defined, DEFAULT_SETTINGS);
    const before = index.view();
    const parsed = parseDocumentAs('gitlab-ci', undefinedHere);
    assert.equal(index.setOpenDocument(TEMPLATES, undefinedHere, parsed, DEFAULT_SETTINGS), true);
    const after = index.view();
    assert.notEqual(after, before);
    assert.ok(parsed.kind === 'gitlab-ci');
    // The parse given is the one kept: not parsed a second time.
    assert.equal(after.yamlFiles.get('/project/ci/templates.yml')?.model, parsed.ci.model);
  });

  test('reads the includes of a pipeline on disk whose `include` key is quoted', () => {
    for (const key of ['"include"', "'include'"]) {
      const index = new WorkspaceIndex(['/project']);
      index.setFile(MAIN, `${key}: [{local: /ci/templates.yml}]\nbuild:\n  extends: .tpl\n`, DEFAULT_SETTINGS);
      assert.deepEqual([...index.view().includedPatterns], ['/project/ci/templates.yml'], key);
    }
  });

  test('a template\'s own includes stop counting once nothing includes the template', () => {
    const nested = 'file:///project/ci/nested.yml';
    const index = new WorkspaceIndex(['/project']);
    index.setFile(MAIN, 'include: /ci/nested.yml\n', DEFAULT_SETTINGS);
    // Changed while included: read at once, its includes recorded with it.
    index.setChangedDiskFile(nested, () => 'include: /ci/a.yml\n.n:\n  script: [make]\n', DEFAULT_SETTINGS);
    assert.deepEqual([...index.view().includedPatterns].sort(), ['/project/ci/a.yml', '/project/ci/nested.yml']);
    index.deleteFile(MAIN);
    assert.deepEqual([...index.view().includedPatterns], []);
  });

  test('names files included by included files, whatever order they are indexed in', () => {
    const index = new WorkspaceIndex(['/project']);
    index.setFile('file:///project/ci/b.yml', '.tpl:\n  image: node:20.1.0\n', DEFAULT_SETTINGS);
    index.setFile('file:///project/ci/a.yml', 'include: /ci/b.yml\n', DEFAULT_SETTINGS);
    index.setFile(MAIN, 'include: /ci/a.yml\n', DEFAULT_SETTINGS);
    assert.deepEqual([...index.view().includedPatterns].sort(), ['/project/ci/a.yml', '/project/ci/b.yml']);
  });

  test('a YAML file recorded unread is read once, when an include names it, and never when none does', () => {
    const reads: string[] = [];
    const reader = (uri: string, text: string | undefined) => () => {
      reads.push(uri.slice('file:///project/'.length));
      return text;
    };
    const index = new WorkspaceIndex(['/project']);
    index.setDiskFile(TEMPLATES, reader(TEMPLATES, defined), DEFAULT_SETTINGS);
    index.setDiskFile('file:///project/k8s/deploy.yml', reader('file:///project/k8s/deploy.yml', 'kind: Deployment\n'), DEFAULT_SETTINGS);
    assert.deepEqual(reads, [], 'YAML files that are no pipeline by their path: not read yet');
    // A pipeline by its path is read at once.
    index.setDiskFile(MAIN, reader(MAIN, main), DEFAULT_SETTINGS);
    assert.equal(reads[0], '.gitlab-ci.yml');
    const service = new LanguageService();
    assert.ok(!analyse(index, service).includes('image/undefined-variable'));
    assert.ok(!analyse(index, new LanguageService()).includes('image/undefined-variable'));
    assert.deepEqual(reads, ['.gitlab-ci.yml', 'ci/templates.yml']);
  });

  test('a file recorded unread gives its text when asked, read once; one that cannot be read gives none', () => {
    let reads = 0;
    const index = new WorkspaceIndex(['/project']);
    index.setDiskFile(TEMPLATES, () => {
      reads++;
      return defined;
    }, DEFAULT_SETTINGS);
    index.setDiskFile('file:///project/ci/gone.yml', () => undefined, DEFAULT_SETTINGS);
    const files = index.view().yamlFiles;
    assert.equal(reads, 0);
    const templates = files.get('/project/ci/templates.yml')!;
    assert.equal(templates.text, defined);
    assert.equal(templates.model.text, defined);
    assert.equal(templates.readable, true);
    assert.equal(reads, 1);
    const gone = files.get('/project/ci/gone.yml')!;
    assert.deepEqual([gone.text, gone.readable, gone.model.jobs.size], ['', false, 0]);
  });

  test('an included file that cannot be read when first named counts as unread, as one that is not there', () => {
    const index = new WorkspaceIndex(['/project']);
    index.setDiskFile(TEMPLATES, () => undefined, DEFAULT_SETTINGS);
    index.setFile(MAIN, `include:\n  - local: /ci/templates.yml\n${BUILD}`, DEFAULT_SETTINGS);
    const document = TextDocument.create(MAIN, 'plaintext', 1, `include:\n  - local: /ci/templates.yml\n${BUILD}`);
    const context = { settings: DEFAULT_SETTINGS, workspace: index.view() };
    assert.equal(context.workspace.yamlFiles.get('/project/ci/templates.yml')?.readable, false);
    // As with no file: the template may give the image, so no runner/default-image.
    assert.ok(!new LanguageService().analyze(document, context).findings.some((f) => f.code === 'runner/default-image'));
    // Read, the same empty file would be known to give none.
    const readIndex = new WorkspaceIndex(['/project']);
    readIndex.setDiskFile(TEMPLATES, () => '', DEFAULT_SETTINGS);
    readIndex.setFile(MAIN, `include:\n  - local: /ci/templates.yml\n${BUILD}`, DEFAULT_SETTINGS);
    assert.ok(new LanguageService().analyze(document, { settings: DEFAULT_SETTINGS, workspace: readIndex.view() }).findings.some((f) => f.code === 'runner/default-image'));
  });

  test('a file recorded unread, then read from disk with its text, changes the view only when included', () => {
    const index = new WorkspaceIndex(['/project']);
    index.setFile(MAIN, main, DEFAULT_SETTINGS);
    index.setDiskFile('file:///project/k8s/deploy.yml', () => 'kind: Deployment\n', DEFAULT_SETTINGS);
    index.setDiskFile(TEMPLATES, () => defined, DEFAULT_SETTINGS);
    const before = index.view();
    assert.equal(index.setFile('file:///project/k8s/deploy.yml', 'kind: Service\n', DEFAULT_SETTINGS), false);
    assert.equal(index.view(), before);
    assert.equal(index.setFile(TEMPLATES, undefinedHere, DEFAULT_SETTINGS), true);
    assert.ok(analyse(index).includes('image/undefined-variable'));
  });

  test('a file reported changed is read now when an include names it, and recorded unread when none does', () => {
    const reads: string[] = [];
    const reader = (uri: string, text: string) => () => {
      reads.push(uri.slice('file:///project/'.length));
      return text;
    };
    const index = new WorkspaceIndex(['/project']);
    index.setFile(MAIN, main, DEFAULT_SETTINGS);
    index.setDiskFile(TEMPLATES, reader(TEMPLATES, defined), DEFAULT_SETTINGS);
    assert.ok(!analyse(index).includes('image/undefined-variable'));
    assert.deepEqual(reads, ['ci/templates.yml']);
    // A manifest nothing includes (a branch switch): recorded unread, the view unchanged.
    const before = index.view();
    assert.equal(index.setChangedDiskFile('file:///project/k8s/deploy.yml', reader('file:///project/k8s/deploy.yml', 'kind: Deployment\n'), DEFAULT_SETTINGS), false);
    assert.equal(index.view(), before);
    // The included template: read now, and its new text is seen.
    assert.equal(index.setChangedDiskFile(TEMPLATES, reader(TEMPLATES, undefinedHere), DEFAULT_SETTINGS), true);
    assert.deepEqual(reads, ['ci/templates.yml', 'ci/templates.yml']);
    assert.ok(analyse(index).includes('image/undefined-variable'));
    // Named by an include later, the manifest is read then, once.
    index.setFile(MAIN, `include:\n  - local: /ci/templates.yml\n  - local: /k8s/deploy.yml\n${BUILD}`, DEFAULT_SETTINGS);
    analyse(index);
    analyse(index);
    assert.deepEqual(reads, ['ci/templates.yml', 'ci/templates.yml', 'k8s/deploy.yml']);
  });

  test('does not name a file that only a file nobody includes includes', () => {
    const index = new WorkspaceIndex(['/project']);
    index.setFile('file:///project/ci/a.yml', 'include: /ci/b.yml\n', DEFAULT_SETTINGS);
    index.setFile(MAIN, 'build:\n  script: [x]\n', DEFAULT_SETTINGS);
    assert.deepEqual(index.view().includedPatterns, []);
  });
});

describe('the CLI', () => {
  function check(files: Readonly<Record<string, string>>): Array<[string, string, string]> {
    const root = mkdtempSync(join(tmpdir(), 'pullguard-includes-'));
    try {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      const out: string[] = [];
      runCli(['--format', 'json', '.'], root, { out: (text) => out.push(text), err: () => undefined });
      const problems = JSON.parse(out.join('\n')) as Array<{ file: string; code: string; range: { start: { line: number } } }>;
      return problems.map((p) => [p.file, p.code, String(p.range.start.line)]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  const pipeline = 'include:\n  - local: /ci/a.yml\nbuild:\n  extends: .tpl\n  image: $IMG:20.1.0\n  script: [make]\nlint:\n  script: [make]\n';

  test('reads templates, variables and `default:` through nested includes, and reports each finding in its own file', () => {
    assert.deepEqual(check({
      '.gitlab-ci.yml': pipeline,
      'ci/a.yml': 'include: /ci/b.yml\n.tpl:\n  variables:\n    IMG: node\n',
      'ci/b.yml': 'default:\n  image: node:latest\n',
    }), [
      ['.gitlab-ci.yml', 'image/not-pinned', '4'],
      ['ci/b.yml', 'image/latest-tag', '1'],
    ]);
  });

  test('flags what the included files do not define', () => {
    assert.deepEqual(check({
      '.gitlab-ci.yml': pipeline,
      'ci/a.yml': 'include: /ci/b.yml\n.tpl:\n  variables:\n    OTHER: node\n',
      'ci/b.yml': '.other:\n  image: node:latest\n',
    }).filter(([, code]) => code !== 'image/latest-tag'), [
      ['.gitlab-ci.yml', 'image/undefined-variable', '4'],
      ['.gitlab-ci.yml', 'runner/default-image', '6'],
    ]);
  });
});

test('folderHolding gives the deepest workspace folder holding a path, as given, and none for a folder that only shares a prefix', () => {
  const roots = ['/work', '/work/inner/', '/work/other'];
  assert.equal(folderHolding(roots, '/work/inner/ci/.gitlab-ci.yml'), '/work/inner/');
  assert.equal(folderHolding(roots, '/work/.gitlab-ci.yml'), '/work');
  assert.equal(folderHolding(roots, '/work/otherwise/.gitlab-ci.yml'), '/work', 'not /work/other');
  assert.equal(folderHolding(roots, '/elsewhere/.gitlab-ci.yml'), undefined);
  assert.equal(folderHolding(['C:\\work'], 'C:\\work\\ci.yml', '\\'), 'C:\\work', 'with the platform\'s separator');
  assert.equal(folderHolding(['C:\\work'], 'C:\\workshop\\ci.yml', '\\'), undefined);
});
