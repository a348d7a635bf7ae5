/**
 * The params check passes what real clients send: a false alarm would drop a user's
 * edit. The messages below are as VS Code 1.9x and Neovim 0.9 send them (fields beyond
 * the protocol's minimum included); the LSP suite (test/lsp/robustness.test.ts) holds
 * the malformed ones against the real server.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paramsProblem, readInitializeParams } from '../../server/src/protocolParams';

const uri = 'file:///work/project/.gitlab-ci.yml';
const range = { start: { line: 3, character: 10 }, end: { line: 3, character: 18 } };

test('passes the params of every method as real clients send them', () => {
  const messages: Array<[string, unknown]> = [
    ['textDocument/didOpen', { textDocument: { uri, languageId: 'gitlab-ci', version: 1, text: 'build:\n  image: node\n' } }],
    ['textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range, rangeLength: 8, text: 'node:20' }] }],
    ['textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: 'whole text' }] }],
    ['textDocument/didChange', { textDocument: { uri, version: 4 }, contentChanges: [] }],
    ['textDocument/didClose', { textDocument: { uri } }],
    ['textDocument/didSave', { textDocument: { uri }, text: 'saved' }],
    ['workspace/didChangeWatchedFiles', { changes: [{ uri, type: 1 }, { uri, type: 2 }, { uri, type: 3 }] }],
    ['workspace/didChangeConfiguration', { settings: null }],
    ['workspace/didChangeConfiguration', { settings: { pullguard: { registry: {} } } }],
    ['workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: 'file:///work/b', name: 'b' }], removed: [] } }],
    ['$/cancelRequest', { id: 12 }],
    ['$/cancelRequest', { id: 'a-12' }],
    ['$/setTrace', { value: 'verbose' }],
    ['textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 12 }, workDoneToken: 'w' }],
    ['textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: {
        diagnostics: [{ range, message: 'The image has no tag.', severity: 2, code: 'image/latest-tag', source: 'pullguard', data: { fix: 1 } }],
        only: ['quickfix'],
        triggerKind: 1,
      },
    }],
    ['textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [] } }],
    ['textDocument/diagnostic', { textDocument: { uri }, identifier: 'pullguard', previousResultId: '4' }],
    ['textDocument/diagnostic', { textDocument: { uri } }],
    // Absent fields written as null (some clients serialize a missing value so).
    ['textDocument/diagnostic', { textDocument: { uri }, previousResultId: null }],
    ['textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [], only: null } }],
    ['pullguard/explainImage', { textDocument: { uri }, position: { line: 0, character: 0 } }],
    ['pullguard/documentKind', { textDocument: { uri } }],
    // The client's registry commands (client/src/registry/commands.ts): the quick fix's offset, or the cursor.
    ['pullguard/pinImage', { textDocument: { uri }, offset: 42 }],
    ['pullguard/pinImage', { textDocument: { uri }, position: { line: 1, character: 9 } }],
    ['pullguard/pinImage', { textDocument: { uri }, range }],
    ['pullguard/pinAllImages', { textDocument: { uri } }],
    ['pullguard/checkAccess', { textDocument: { uri }, position: { line: 1, character: 9 } }],
    ['pullguard/checkAccess', { textDocument: { uri }, offset: 0 }],
    // Not checked: no params read, or not a method of this server.
    ['pullguard/workspaceRegistries', null],
    ['initialized', {}],
    ['shutdown', undefined],
    ['textDocument/noSuchMethod', 42],
  ];
  for (const [method, params] of messages) assert.equal(paramsProblem(method, params), undefined, `${method} ${JSON.stringify(params)}`);
});

test('names the first field that is wrong, with its path', () => {
  assert.equal(paramsProblem('textDocument/didOpen', null), 'params must be an object');
  assert.equal(paramsProblem('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1.5, text: '' } }), 'params.textDocument.version must be an integer');
  assert.equal(paramsProblem('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: 'a' }, { range: { start: range.start }, text: 'b' }] }), 'params.contentChanges[1].range.end must be an object');
  assert.equal(paramsProblem('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: Number.NaN } }), 'params.position.character must be an integer of 0 or more');
  assert.equal(paramsProblem('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [], only: 'quickfix' } }), 'params.context.only must be an array');
  assert.equal(paramsProblem('$/setTrace', { value: 'all' }), 'params.value must be one of "off", "messages", "verbose"');
  assert.equal(paramsProblem('pullguard/pinImage', { textDocument: { uri }, offset: -1 }), 'params.offset must be an integer of 0 or more');
  assert.equal(paramsProblem('pullguard/checkAccess', { textDocument: { uri }, position: [1, 9] }), 'params.position must be an object');
  // An array is not an object here, as JSON tells them apart.
  assert.equal(paramsProblem('pullguard/documentKind', [{ uri }]), 'params must be an object');
  // A method name that is an Object.prototype key is no method of this server.
  assert.equal(paramsProblem('constructor', null), undefined);
});

test('reads a well-formed initialize unchanged, and a malformed one with each problem named', () => {
  const vscode = {
    processId: 4242,
    clientInfo: { name: 'Visual Studio Code', version: '1.95.0' },
    rootUri: 'file:///work/project',
    capabilities: { workspace: { configuration: true }, textDocument: { diagnostic: { dynamicRegistration: true } } },
    initializationOptions: { settings: { registry: {} } },
    workspaceFolders: [{ uri: 'file:///work/project', name: 'project' }],
  };
  assert.deepEqual(readInitializeParams(vscode), { params: vscode, problems: [] });
  // The older form: a root and no folders.
  assert.deepEqual(readInitializeParams({ rootUri: 'file:///work/project', capabilities: {} }).params.rootUri, 'file:///work/project');

  const { params, problems } = readInitializeParams({ capabilities: 'all', rootUri: 7, workspaceFolders: [{ uri: 1 }, { uri: 'file:///work/ok', name: 'ok' }, null] });
  assert.deepEqual(params.capabilities, {});
  assert.deepEqual(params.workspaceFolders, [{ uri: 'file:///work/ok', name: 'ok' }]);
  assert.equal(params.rootUri, null);
  assert.deepEqual(problems, [
    'params.capabilities must be an object',
    'params.workspaceFolders[0].uri must be a string',
    'params.workspaceFolders[2] must be an object',
    'params.rootUri must be a string or null',
  ]);
  assert.deepEqual(readInitializeParams(null), { params: { capabilities: {}, workspaceFolders: null, rootUri: null }, problems: ['params must be an object'] });
});
