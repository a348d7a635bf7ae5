/**
 * Checks of the project's structure: the core stays pure, the manifest and the
 * docs follow the rule table.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { RULES } from '../../server/src/service/codes';
import { getConfigurationContribution } from '../../scripts/manifest';

const ROOT = join(__dirname, '..', '..');
const CORE = join(ROOT, 'server/src/service');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** What the core may import: itself, and the pure libraries STYLE.md names. */
const ALLOWED_PACKAGES = new Set(['vscode-languageserver-types', 'vscode-languageserver-textdocument', 'yaml', 'toml-eslint-parser', 'jsonc-parser', 'zod']);
const NODE_GLOBALS = /\b(?:process|Buffer|require|__dirname|__filename|setImmediate)\b/;

describe('the analysis core is pure', () => {
  for (const file of sourceFiles(CORE)) {
    const name = relative(ROOT, file);
    test(`${name} imports no Node API and no server library`, () => {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const specifier = match[1]!;
        if (specifier.startsWith('.')) continue;
        assert.ok(ALLOWED_PACKAGES.has(specifier), `${name} imports ${specifier}`);
      }
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').replace(/(['"`])(?:\\.|(?!\1).)*\1/g, '""');
      assert.doesNotMatch(code, NODE_GLOBALS, `${name} uses a Node global`);
    });
  }
});

describe('the rule table drives the manifest and the docs', () => {
  test('package.json contributes.configuration is generated from the rule table (run `npm run manifest`)', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.deepEqual(manifest.contributes.configuration, getConfigurationContribution());
  });

  test('every rule code has a docs page, and every docs page a rule code', () => {
    const pages = readdirSync(join(ROOT, 'docs/rules'))
      .filter((family) => statSync(join(ROOT, 'docs/rules', family)).isDirectory())
      .flatMap((family) => readdirSync(join(ROOT, 'docs/rules', family)).map((page) => `${family}/${page.replace(/\.md$/, '')}`));
    assert.deepEqual(pages.sort(), RULES.map((rule) => rule.code).sort());
  });

  test('every docs page names its code and its default severity', () => {
    for (const rule of RULES) {
      const page = join(ROOT, 'docs/rules', `${rule.code}.md`);
      assert.ok(existsSync(page), `missing ${rule.code}`);
      const text = readFileSync(page, 'utf8');
      assert.ok(text.includes(`\`${rule.code}\``), `${rule.code}: page does not name the code`);
      assert.ok(text.includes(`**${rule.severity}**`), `${rule.code}: page does not state the default severity ${rule.severity}`);
    }
  });

  test('rule codes are unique and follow family/name', () => {
    const codes = RULES.map((rule) => rule.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) assert.match(code, /^(image|auth|service|ci|runner|syntax)\/[a-z0-9-]+$/);
  });
});
