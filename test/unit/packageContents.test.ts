/**
 * The check `npm run package` makes of the .vsix: only the bundles, grammars, icon and
 * the manifest's companions; a source map, a source file, a test or node_modules fails it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
// @ts-expect-error: an ES module script without type declarations
import { checkContents } from '../../scripts/package.mjs';

const GOOD = [
  '[Content_Types].xml',
  'extension.vsixmanifest',
  'extension/package.json',
  'extension/readme.md',
  'extension/changelog.md',
  'extension/LICENSE.txt',
  'extension/dist/client.js',
  'extension/dist/server.js',
  'extension/dist/serverProtocol.js',
  'extension/dist/serverCore.js',
  'extension/images/icon.png',
  'extension/syntaxes/toml.tmLanguage.json',
  'extension/syntaxes/docker-auth-config.injection.tmLanguage.json',
];

describe('package contents', () => {
  test('accepts the files the extension runs with', () => {
    assert.deepEqual(checkContents(GOOD), []);
  });

  for (const extra of ['extension/dist/server.js.map', 'extension/dist/cli.js', 'extension/client/src/extension.ts', 'extension/test/unit/a.test.ts', 'extension/node_modules/yaml/index.js', 'extension/out/e2e/suite/index.js']) {
    test(`rejects ${extra}`, () => {
      assert.deepEqual(checkContents([...GOOD, extra]), [`unexpected file in the package: ${extra}`]);
    });
  }

  for (const bundle of ['extension/dist/client.js', 'extension/dist/server.js', 'extension/dist/serverProtocol.js', 'extension/dist/serverCore.js']) {
    test(`requires ${bundle}`, () => {
      assert.deepEqual(checkContents(GOOD.filter((name) => name !== bundle)), [`missing from the package: ${bundle}`]);
    });
  }
});
