import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filePathOf } from '../../server/src/node/fileUri';

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
