/**
 * Diagnostics in the real editor, read through `vscode.languages.getDiagnostics`: for each
 * of the three file kinds, pinned problems with their code, severity and exact range; every
 * problem equal to what the CLI reports for the same workspace; the rule-page link on each.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activatePullguard,
  codeOf,
  expectDiagnosticsInclude,
  expectSameAsCli,
  FILES,
  openDocument,
  pullguardDiagnostics,
  readCliDiagnostics,
  RULE_DOCS_BASE,
  type ExpectedDiagnostic,
} from './helpers';
import { CREDENTIALS_FIXTURE_DIAGNOSTICS, DOCKER_CONFIG_DIAGNOSTICS, PIPELINE_DIAGNOSTICS, RUNNER_CONFIG_DIAGNOSTICS } from './expectations';

const CASES: ReadonlyArray<{ name: string; file: string; expected: readonly ExpectedDiagnostic[] }> = [
  { name: 'the pipeline .gitlab-ci.yml', file: FILES.pipeline, expected: PIPELINE_DIAGNOSTICS },
  { name: 'the runner config.toml', file: FILES.runnerConfig, expected: RUNNER_CONFIG_DIAGNOSTICS },
  { name: 'the Docker config.json', file: FILES.dockerConfig, expected: DOCKER_CONFIG_DIAGNOSTICS },
  { name: 'a second pipeline with job credentials', file: FILES.credentialsFixture, expected: CREDENTIALS_FIXTURE_DIAGNOSTICS },
];

describe('diagnostics in the editor', () => {
  before(async () => {
    await activatePullguard();
  });

  for (const { name, file, expected } of CASES) {
    it(`shows the problems of ${name} with their codes, severities and ranges`, async () => {
      const document = await openDocument(file, true);
      await expectDiagnosticsInclude(document, expected);
    });

    it(`shows exactly what the CLI reports for ${name}`, async () => {
      const document = await openDocument(file);
      await expectSameAsCli(document, readCliDiagnostics());
    });
  }

  it("links every diagnostic to its rule page and marks it as Pullguard's", async () => {
    for (const file of [FILES.pipeline, FILES.runnerConfig, FILES.dockerConfig]) {
      const document = await openDocument(file);
      const diagnostics = pullguardDiagnostics(document.uri);
      assert.ok(diagnostics.length > 0, `${file} has Pullguard diagnostics`);
      for (const diagnostic of diagnostics) {
        const code = diagnostic.code;
        assert.ok(typeof code === 'object', `${codeOf(diagnostic)} in ${file} carries a code description`);
        assert.equal(code.target.toString(true), `${RULE_DOCS_BASE}${code.value}.md`);
        assert.ok(diagnostic.message.length > 20, `${codeOf(diagnostic)} in ${file} has a full-sentence message`);
      }
    }
  });

  it('gives a file that is none of the three kinds no diagnostics', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: 'image: Not/A:Valid::image\n' });
    await vscode.window.showTextDocument(document);
    // Give the server the time it takes to answer the other files, then look.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(pullguardDiagnostics(document.uri), []);
  });
});
