#!/usr/bin/env node
// Compiles the extension-host suite (test/e2e/suite/*.ts) to CommonJS in out/e2e/suite/,
// one file per source (mocha and vscode are loaded at run time, not bundled), and writes
// out/e2e/package.json: it keeps that folder CommonJS whatever the project's "type" is, and
// it is the extension-development folder code-server is pointed at to run the tests (the
// extension under test is the installed .vsix).
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '../..');
export const SUITE_OUT = join(root, 'out/e2e');

export async function buildSuite() {
  const sources = join(root, 'test/e2e/suite');
  rmSync(join(SUITE_OUT, 'suite'), { recursive: true, force: true });
  mkdirSync(SUITE_OUT, { recursive: true });
  writeFileSync(
    join(SUITE_OUT, 'package.json'),
    JSON.stringify(
      {
        name: 'pullguard-e2e-tests',
        displayName: 'Pullguard e2e tests',
        description: 'Extension-development folder of the e2e run: it contributes nothing; the tests run from suite/index.js.',
        publisher: 'pullguard',
        version: '0.0.0',
        private: true,
        type: 'commonjs',
        engines: { vscode: '^1.91.0' },
      },
      null,
      2,
    ),
  );
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: readdirSync(sources).filter((f) => f.endsWith('.ts')).map((f) => join(sources, f)),
    outdir: join(SUITE_OUT, 'suite'),
    bundle: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return join(SUITE_OUT, 'suite/index.js');
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await buildSuite();
