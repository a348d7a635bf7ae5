/**
 * One file's facts change another file's diagnostics in the editor: an unsaved edit of
 * the runner's config.toml, and a config.json rewritten on disk.
 */
import * as vscode from 'vscode';
import { activatePullguard, FILES, hasDiagnostic, openDocument, rangeOf, replaceText, setText, waitForDiagnostics } from './helpers';

describe('cross-file updates in the editor', () => {
  before(async () => {
    await activatePullguard();
  });

  it('renaming the runner service alias in config.toml (unsaved) ends the alias collision in .gitlab-ci.yml', async () => {
    const pipeline = await openDocument(FILES.pipeline, true);
    const runner = await openDocument(FILES.runnerConfig);
    const original = runner.getText();
    const alias = rangeOf(pipeline, 'db', 'alias: ');
    await waitForDiagnostics(pipeline, 'service/alias-collision on `db`', (d) => hasDiagnostic(d, 'service/alias-collision', alias));
    try {
      await replaceText(runner, 'alias = "db"', 'alias = "mysql"');
      await waitForDiagnostics(pipeline, 'no service/alias-collision once the runner service is `mysql`', (d) => d.length > 0 && !hasDiagnostic(d, 'service/alias-collision', alias));
    } finally {
      await setText(runner, original);
      await runner.save();
    }
    await waitForDiagnostics(pipeline, 'service/alias-collision back with the original config.toml', (d) => hasDiagnostic(d, 'service/alias-collision', alias));
  });

  it('adding a pattern to allowed_images in config.toml (unsaved) ends runner/image-not-allowed on that image', async () => {
    const pipeline = await openDocument(FILES.pipeline, true);
    const runner = await openDocument(FILES.runnerConfig);
    const original = runner.getText();
    const lint = rangeOf(pipeline, 'registry.gitlab.com/Acme/tools/lint:2.1');
    await waitForDiagnostics(pipeline, 'runner/image-not-allowed on the lint image', (d) => hasDiagnostic(d, 'runner/image-not-allowed', lint));
    try {
      await replaceText(runner, 'allowed_images = [', 'allowed_images = ["registry.gitlab.com/**", ');
      await waitForDiagnostics(pipeline, 'the lint image allowed', (d) => d.length > 0 && !hasDiagnostic(d, 'runner/image-not-allowed', lint));
    } finally {
      await setText(runner, original);
      await runner.save();
    }
    await waitForDiagnostics(pipeline, 'runner/image-not-allowed back', (d) => hasDiagnostic(d, 'runner/image-not-allowed', lint));
  });

  it('removing credsStore from config.json on disk gives the ECR image its credHelpers credentials', async () => {
    const pipeline = await openDocument(FILES.pipeline, true);
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, FILES.dockerConfig);
    const original = await vscode.workspace.fs.readFile(uri);
    const ecr = rangeOf(pipeline, '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:dev');
    await waitForDiagnostics(pipeline, 'auth/no-credentials on the ECR image', (d) => hasDiagnostic(d, 'auth/no-credentials', ecr));
    const json = JSON.parse(Buffer.from(original).toString('utf8')) as Record<string, unknown>;
    delete json.credsStore;
    try {
      await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(json, null, 2)));
      await waitForDiagnostics(pipeline, 'no auth/no-credentials once ecr-login is usable', (d) => d.length > 0 && !hasDiagnostic(d, 'auth/no-credentials', ecr))
        .catch(async (error: Error) => {
          // The server reads the file from the editor when it is open there, else from disk.
          throw new Error(`${error.message}\n${await describeCopies(uri)}`);
        });
    } finally {
      await vscode.workspace.fs.writeFile(uri, original);
    }
    await waitForDiagnostics(pipeline, 'auth/no-credentials back with the original config.json', (d) => hasDiagnostic(d, 'auth/no-credentials', ecr));
  });
});

/** Whether the editor holds the file and what both copies say of `credsStore`: where an update stopped. */
async function describeCopies(uri: vscode.Uri): Promise<string> {
  const onDisk = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  const inEditor = open ? `open in the editor (version ${open.version}${open.isDirty ? ', unsaved changes' : ''}), ${open.getText().includes('credsStore') ? 'with' : 'without'} credsStore` : 'not open in the editor';
  return `${FILES.dockerConfig}: on disk ${onDisk.includes('credsStore') ? 'with' : 'without'} credsStore; ${inEditor}.`;
}
