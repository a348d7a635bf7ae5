/**
 * Grammar tests: `vscode-tmgrammar-test` runs each case file of test/grammar/cases/
 * (written by cases.ts) against the extension's grammars from package.json — the TOML
 * grammar and the DOCKER_AUTH_CONFIG injection — plus VS Code's own YAML grammar as the
 * host for the YAML cases (test/grammar/hosts/yaml). One test per case file; each line
 * of `^` markers in it is one assertion of scopes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const CASES = join(__dirname, 'cases');
const YAML_HOST = join(__dirname, 'hosts', 'yaml');
const TOOL = join(ROOT, 'node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js');

function runTool(caseFile: string): { status: number | null; output: string } {
  const grammars = readdirSync(YAML_HOST).filter((f) => f.endsWith('.tmLanguage.json')).flatMap((f) => ['-g', join(YAML_HOST, f)]);
  const run = spawnSync(process.execPath, [TOOL, '--config', join(ROOT, 'package.json'), ...grammars, caseFile], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function assertionCount(text: string): number {
  return text.split('\n').filter((line) => /^#\s*(?:\^+|<-+)\s/.test(line)).length;
}

describe('TextMate grammars (vscode-tmgrammar-test)', () => {
  for (const name of readdirSync(CASES).sort()) {
    const file = join(CASES, name);
    const count = assertionCount(readFileSync(file, 'utf8'));
    test(`${name}: ${count} scope assertions hold`, () => {
      assert.ok(count > 0, 'the case file has assertions');
      const { status, output } = runTool(file);
      assert.equal(status, 0, output);
      assert.match(output, /run successfuly/);
    });
  }

  test('the tool fails a case whose expected scope is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pullguard-grammar-'));
    try {
      const broken = readFileSync(join(CASES, 'toml.test.toml'), 'utf8').replace('support.type.property-name.json', 'constant.numeric.json');
      const file = join(dir, 'broken.test.toml');
      writeFileSync(file, broken);
      const { status, output } = runTool(file);
      assert.notEqual(status, 0, output);
      assert.match(output, /missing required scopes: constant\.numeric\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
