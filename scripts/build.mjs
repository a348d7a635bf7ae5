#!/usr/bin/env node
// Bundles the entry points with esbuild: the extension client, the language server
// (three bundles, dist/server.js, dist/serverProtocol.js and dist/serverCore.js: see
// buildOptions) and the CLI.
// `--watch` rebuilds on change; `--production` minifies (the packaged extension is built
// so, and the benchmark measures that build); `--outdir DIR` writes somewhere other than
// dist/ (the benchmark's own copy).
// buildOptions() is exported for test/unit/serverStartup.test.ts.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Leaves `require('./NAME.js')` to Node at run time: a bundle loading its sibling in the output folder. */
function sibling(name) {
  const specifier = `./${name}.js`;
  const filter = new RegExp(`^\\./${name}\\.js$`);
  return { name: `sibling ${specifier}`, setup: (build) => build.onResolve({ filter }, () => ({ path: specifier, external: true })) };
}

/**
 * The language server is three bundles, so that it answers `initialize` before any
 * library is even compiled (server/src/serverEntry.ts): dist/server.js, the program, is
 * small and answers it by hand; dist/serverProtocol.js, loaded next, holds
 * vscode-languageserver and the connection; dist/serverCore.js, loaded after
 * `initialize`, holds the rest (server/src/server.ts, the language service, yaml, zod...).
 * The core takes vscode-languageserver from server.js (its `languageServer` export, set
 * from serverProtocol.js) instead of a second copy, so it is compiled and initialised
 * once and there is one connection API.
 */
const useEntryLanguageServer = {
  name: 'vscode-languageserver from dist/server.js',
  setup(build) {
    build.onResolve({ filter: /^vscode-languageserver\/node$/ }, () => ({ path: 'vscode-languageserver/node', namespace: 'server-entry' }));
    build.onLoad({ filter: /.*/, namespace: 'server-entry' }, () => ({ contents: "module.exports = require('./server.js').languageServer;", loader: 'js' }));
  },
};

/** The esbuild builds, each an options object for esbuild.build(). */
export function buildOptions({ production, outdir }) {
  const common = {
    absWorkingDir: root,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: production ? false : 'linked',
    minify: production,
    // toml-eslint-parser is an ES module; its `import.meta` is not used at run time.
    mainFields: ['module', 'main'],
    define: { PULLGUARD_VERSION: JSON.stringify(version) },
    // Node skips a first `#!` line, so every bundle can carry the CLI's.
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  };
  return [
    {
      ...common,
      entryPoints: {
        client: 'client/src/extension.ts',
        server: 'server/src/serverEntry.ts',
        serverProtocol: 'server/src/serverProtocol.ts',
        cli: 'server/src/cli/main.ts',
      },
      external: ['vscode'],
      plugins: [sibling('serverCore'), sibling('serverProtocol')],
    },
    {
      ...common,
      entryPoints: { serverCore: 'server/src/server.ts' },
      plugins: [useEntryLanguageServer, sibling('server')],
    },
  ];
}

async function main() {
  const production = process.argv.includes('--production');
  const watch = process.argv.includes('--watch');
  const outdirIndex = process.argv.indexOf('--outdir');
  const outdir = outdirIndex === -1 ? 'dist' : process.argv[outdirIndex + 1];
  if (!outdir || outdir.startsWith('--')) {
    console.error('build: --outdir needs a directory, e.g. --outdir .bench-results/dist');
    process.exit(2);
  }
  const builds = buildOptions({ production, outdir });
  if (watch) {
    for (const options of builds) await (await esbuild.context(options)).watch();
    console.log('esbuild: watching for changes');
  } else {
    await Promise.all(builds.map((options) => esbuild.build(options)));
  }
}

// Run as a script, not when a test imports buildOptions (no top-level await: tsx loads this as CommonJS there).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    // esbuild has printed its own errors (logLevel 'warning'); anything else is printed here.
    if (!Array.isArray(error?.errors)) console.error(error);
    process.exit(1);
  });
}
