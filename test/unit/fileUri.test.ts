import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analysisPathOf, filePathOf } from '../../server/src/node/fileUri';
import { uriToPath } from '../../server/src/service/model/workspace';

test('filePathOf gives the local path of a file: URI, decoded', () => {
  assert.equal(filePathOf('file:///work/project/.gitlab-ci.yml'), '/work/project/.gitlab-ci.yml');
  assert.equal(filePathOf('file:///work/my%20project/ci.yml'), '/work/my project/ci.yml');
  assert.equal(filePathOf('file://localhost/work/ci.yml'), '/work/ci.yml');
});

test('filePathOf gives nothing, and does not throw, for URIs with no local path here', () => {
  for (const uri of ['file://fileserver/share/.gitlab-ci.yml', 'file:///work/a%2Fb/ci.yml', 'untitled:Untitled-1', 'vscode-vfs://github/acme/ci.yml', '']) {
    assert.equal(filePathOf(uri), undefined, uri);
  }
});

test('analysisPathOf gives a local path as uriToPath gives its file: URI, without making the URI', () => {
  const names = ['.gitlab-ci.yml', 'my project/ci.yml', '100%/a#b?c.yml', 'tab\there.yml', 'new\nline.yml', 'back\\slash.yml', 'ünïcødé/ℂ𝕀.yml', '\uFFFD.yml', ' lead and trail .json'];
  for (const name of names) {
    const path = join(tmpdir(), 'pullguard', name);
    assert.equal(analysisPathOf(path), uriToPath(pathToFileURL(path).href), JSON.stringify(name));
  }
});
