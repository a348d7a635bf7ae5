/**
 * The extension under test: the one installed from the .vsix (inside code-server) or the
 * development folder (under @vscode/test-electron), active in the workspace, with the TOML
 * language it contributes.
 */
import assert from 'node:assert/strict';
import { relative, isAbsolute } from 'node:path';
import { activatePullguard, FILES, openDocument } from './helpers';

describe('the extension', () => {
  it('activates, and is the installed .vsix when the driver installed one', async () => {
    const extension = await activatePullguard();
    assert.equal(extension.isActive, true);
    const extensionsDir = process.env.PULLGUARD_E2E_EXTENSIONS_DIR;
    if (extensionsDir) {
      const inside = relative(extensionsDir, extension.extensionPath);
      assert.ok(!inside.startsWith('..') && !isAbsolute(inside), `${extension.extensionPath} is inside ${extensionsDir}`);
    }
  });

  it('opens the runner config.toml as TOML and the pipeline as YAML', async () => {
    assert.equal((await openDocument(FILES.runnerConfig)).languageId, 'toml');
    assert.equal((await openDocument(FILES.pipeline)).languageId, 'yaml');
    assert.equal((await openDocument(FILES.dockerConfig)).languageId, 'json');
  });
});
