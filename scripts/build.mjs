#!/usr/bin/env node
// Bundles the three entry points with esbuild: the extension client, the language
// server and the CLI. `--watch` rebuilds on change; `--production` minifies (the
// packaged extension is built so, and the benchmark measures that build);
// `--outdir DIR` writes somewhere other than dist/ (the benchmark's own copy).
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const outdirIndex = process.argv.indexOf('--outdir');
const outdir = outdirIndex === -1 ? 'dist' : process.argv[outdirIndex + 1];
if (!outdir || outdir.startsWith('--')) {
  console.error('build: --outdir needs a directory, e.g. --outdir .bench-results/dist');
  process.exit(2);
}

const options = {
  absWorkingDir: root,
  entryPoints: {
    client: 'client/src/extension.ts',
    server: 'server/src/server.ts',
    cli: 'server/src/cli/main.ts',
  },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  sourcemap: production ? false : 'linked',
  minify: production,
  // toml-eslint-parser is an ES module; its `import.meta` is not used at run time.
  mainFields: ['module', 'main'],
  define: { PULLGUARD_VERSION: JSON.stringify(version) },
  // Node skips a first `#!` line, so every bundle can carry the CLI's.
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
  console.log('esbuild: watching for changes');
} else {
  await esbuild.build(options);
}
