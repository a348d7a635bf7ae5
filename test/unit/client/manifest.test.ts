/**
 * The manifest's contributions for the editor experience: the commands (palette category,
 * titles, `when` clauses, trust), the grammars and the package metadata.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const commands = manifest.contributes.commands as Array<{ command: string; title: string; category: string; enablement?: string }>;
const palette = manifest.contributes.menus.commandPalette as Array<{ command: string; when: string }>;
const context = manifest.contributes.menus['editor/context'] as Array<{ command: string; when: string; group: string }>;

const TITLES: Readonly<Record<string, string>> = {
  'pullguard.createDockerAuthConfig': 'Create DOCKER_AUTH_CONFIG…',
  'pullguard.encodeCredentials': 'Encode credentials to base64',
  'pullguard.decodeAuthAtCursor': 'Decode auth at cursor',
  'pullguard.addEcrCredentialHelper': 'Add ECR credential helper',
  'pullguard.explainCredentials': 'Explain credentials for image at cursor',
  'pullguard.moveToVariable': 'Move credentials to a CI/CD variable',
  'pullguard.pinImage': 'Pin image to digest',
  'pullguard.pinAllImages': 'Pin all images in file',
  'pullguard.checkAccess': 'Check registry access for image at cursor',
};
const NETWORK = ['pullguard.pinImage', 'pullguard.pinAllImages', 'pullguard.checkAccess'];

describe('manifest: commands, grammars, package metadata', () => {
  test('contributes the commands of SPEC §3 in the Pullguard category', () => {
    assert.deepEqual(Object.fromEntries(commands.map((c) => [c.command, c.title])), TITLES);
    for (const c of commands) assert.equal(c.category, 'Pullguard', c.command);
  });

  test('the commands that touch the network are enabled only in trusted workspaces', () => {
    for (const c of commands) assert.equal(c.enablement, NETWORK.includes(c.command) ? 'isWorkspaceTrusted' : undefined, c.command);
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.match(manifest.capabilities.untrustedWorkspaces.description, /registr/);
  });

  test('every restricted setting exists, and settings that name files are restricted', () => {
    const settings = Object.keys(manifest.contributes.configuration.properties);
    const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations as string[];
    for (const name of restricted) assert.ok(settings.includes(name), `${name} is a setting`);
    for (const name of settings.filter((s) => s.startsWith('pullguard.files.') || /caFile$/.test(s))) assert.ok(restricted.includes(name), `${name} is restricted`);
  });

  test('every command has a `when` clause in the palette; the quick-fix-only command is hidden there', () => {
    assert.deepEqual(palette.map((m) => m.command).sort(), Object.keys(TITLES).sort());
    for (const entry of palette) assert.ok(entry.when.trim() !== '', entry.command);
    assert.equal(palette.find((m) => m.command === 'pullguard.moveToVariable')?.when, 'false');
    for (const entry of palette.filter((m) => /Cursor|explain|pin|checkAccess/i.test(m.command))) assert.match(entry.when, /pullguard\.editorKind/, entry.command);
  });

  test('the editor context menu offers the cursor commands for the files they apply to', () => {
    for (const entry of context) {
      assert.ok(TITLES[entry.command], entry.command);
      assert.match(entry.when, /pullguard\.editorKind =~/, entry.command);
      assert.match(entry.group, /^pullguard@\d+$/);
    }
    for (const entry of context.filter((m) => NETWORK.includes(m.command))) assert.match(entry.when, /isWorkspaceTrusted/);
  });

  test('grammars exist; the DOCKER_AUTH_CONFIG injection goes into YAML and TOML', () => {
    for (const grammar of manifest.contributes.grammars) assert.ok(existsSync(join(ROOT, grammar.path)), grammar.path);
    const injection = manifest.contributes.grammars.find((g: { injectTo?: string[] }) => g.injectTo);
    assert.deepEqual(injection.injectTo, ['source.yaml', 'source.toml']);
    const grammar = JSON.parse(readFileSync(join(ROOT, injection.path), 'utf8'));
    assert.equal(grammar.scopeName, injection.scopeName);
    assert.match(grammar.injectionSelector, /L:source\.yaml/);
    assert.match(grammar.injectionSelector, /L:source\.toml/);
  });

  test('activates on the files it reads, never on start-up of every window', () => {
    assert.ok(!manifest.activationEvents.includes('*') && !manifest.activationEvents.includes('onStartupFinished'));
    assert.ok(manifest.activationEvents.some((e: string) => e.startsWith('workspaceContains:')));
  });

  test('has the marketplace metadata: icon, banner, categories, keywords, repository, licence, changelog', () => {
    const icon = readFileSync(join(ROOT, manifest.icon));
    assert.deepEqual([...icon.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''), 'PNG');
    assert.equal(icon.readUInt32BE(16), 128);
    assert.equal(icon.readUInt32BE(20), 128);
    assert.ok(manifest.galleryBanner.color && manifest.categories.includes('Linters') && manifest.keywords.length > 0);
    assert.match(manifest.repository.url, /^https:\/\//);
    assert.equal(manifest.license, 'MIT');
    assert.ok(existsSync(join(ROOT, 'CHANGELOG.md')) && existsSync(join(ROOT, 'LICENSE')));
  });
});
