/**
 * The language server answers `initialize` before it compiles any library: dist/server.js
 * (server/src/serverEntry.ts) holds the capabilities and the hand-read first message only;
 * dist/serverProtocol.js vscode-languageserver and the connection; dist/serverCore.js the
 * analysis, without a second copy of vscode-languageserver. Checked on the esbuild
 * dependency graph of scripts/build.mjs's own options; the behaviour over stdio is in
 * test/lsp/startup.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as esbuild from 'esbuild';
// @ts-expect-error: an ES module script without type declarations
import { buildOptions } from '../../scripts/build.mjs';

/** The source files and packages each output bundle is made of, by output name (`server.js`). */
async function buildInputs(): Promise<Map<string, string[]>> {
  const inputs = new Map<string, string[]>();
  for (const options of buildOptions({ production: true, outdir: 'out/startup-test' }) as esbuild.BuildOptions[]) {
    const result = await esbuild.build({ ...options, write: false, metafile: true, logLevel: 'silent' });
    for (const [file, output] of Object.entries(result.metafile.outputs)) {
      inputs.set(file.replace(/^.*\//, ''), Object.keys(output.inputs));
    }
  }
  return inputs;
}

let built: Promise<Map<string, string[]>> | undefined;
/** buildInputs, run once for all the tests here (the builds take seconds). */
function bundleInputs(): Promise<Map<string, string[]>> {
  built ??= buildInputs();
  return built;
}

function packagesIn(inputs: readonly string[]): Set<string> {
  return new Set(inputs.flatMap((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? []));
}

describe('the server bundles', () => {
  test('dist/server.js holds no library: the capabilities and the code cache only', async () => {
    const server = (await bundleInputs()).get('server.js');
    assert.ok(server, 'scripts/build.mjs builds server.js');
    const startUp = ['server/src/serverEntry.ts', 'server/src/capabilities.ts', 'server/src/codeCache.ts', 'server/src/service/codeActionKinds.ts'];
    assert.deepEqual(server.filter((input) => !startUp.includes(input)), []);
  });

  test('dist/serverProtocol.js holds vscode-languageserver and no analysis', async () => {
    const protocol = (await bundleInputs()).get('serverProtocol.js');
    assert.ok(protocol, 'scripts/build.mjs builds serverProtocol.js');
    // messageEncoder.ts is the writer's encoder and protocolParams.ts the reader's check, parts of the connection.
    const connection = ['server/src/serverProtocol.ts', 'server/src/capabilities.ts', 'server/src/codeCache.ts', 'server/src/messageEncoder.ts', 'server/src/protocolParams.ts', 'server/src/service/codeActionKinds.ts'];
    assert.deepEqual(protocol.filter((input) => input.startsWith('server/src/') && !connection.includes(input)), []);
    const packages = packagesIn(protocol);
    assert.ok(packages.has('vscode-languageserver'));
    assert.deepEqual([...packages].filter((name) => ['yaml', 'zod', 'toml-eslint-parser', 'jsonc-parser'].includes(name)), []);
  });

  test('dist/serverCore.js holds the analysis and takes vscode-languageserver from dist/server.js', async () => {
    const core = (await bundleInputs()).get('serverCore.js');
    assert.ok(core, 'scripts/build.mjs builds serverCore.js');
    assert.ok(core.includes('server/src/server.ts') && core.includes('server/src/service/languageService.ts'));
    const packages = packagesIn(core);
    assert.ok(packages.has('yaml') && packages.has('zod'));
    assert.deepEqual([...packages].filter((name) => ['vscode-languageserver', 'vscode-languageserver-protocol', 'vscode-jsonrpc'].includes(name)), []);
  });
});
