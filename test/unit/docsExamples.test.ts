/**
 * The rule pages of docs/rules/ show real behaviour: the code blocks under "Example
 * that fires" make the rule fire, and those under "Does not fire" do not. Each block is
 * analysed as the file its language says (yaml → `.gitlab-ci.yml`, toml → runner
 * `config.toml`, json → Docker `config.json`), with the page's other blocks of the same
 * section as the rest of the workspace. Settings a page names in a `pullguard.*` JSON
 * snippet of its first paragraph are not needed: every example fires with the defaults,
 * except where the page says which setting it needs (`<!-- settings: {...} -->`).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { analyze, FILE_NAMES, type Kind } from '../helpers/analyze';

const DOCS = join(__dirname, '..', '..', 'docs', 'rules');
const KINDS: Readonly<Record<string, Kind>> = { yaml: 'gitlab-ci', yml: 'gitlab-ci', toml: 'runner-config', json: 'docker-config' };

interface Block {
  readonly kind: Kind;
  readonly text: string;
}

function sectionBlocks(page: string, heading: string): Block[] {
  const start = page.indexOf(`\n## ${heading}\n`);
  if (start === -1) return [];
  const end = page.indexOf('\n## ', start + 1);
  const section = page.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].filter((m) => KINDS[m[1]!]).map((m) => ({ kind: KINDS[m[1]!]!, text: m[2]! }));
}

/** Codes reported in any block of the section, each analysed with the others as its workspace. */
function codesIn(blocks: readonly Block[], settings: Record<string, unknown>): Set<string> {
  const codes = new Set<string>();
  blocks.forEach((block, i) => {
    const workspace: Record<string, string> = {};
    blocks.forEach((other, j) => {
      if (j !== i) workspace[other.kind === block.kind ? FILE_NAMES[other.kind].replace('/project/', `/project/other-${j}/`) : FILE_NAMES[other.kind]] = other.text;
    });
    for (const found of analyze(block.kind, block.text, { settings, workspace })) codes.add(found.code);
  });
  return codes;
}

const pages = readdirSync(DOCS)
  .filter((family) => statSync(join(DOCS, family)).isDirectory())
  .flatMap((family) => readdirSync(join(DOCS, family)).filter((f) => f.endsWith('.md')).map((f) => `${family}/${f.replace(/\.md$/, '')}`))
  .sort();

describe('rule pages: the examples behave as the page says', () => {
  for (const code of pages) {
    const page = readFileSync(join(DOCS, `${code}.md`), 'utf8');
    const settings = JSON.parse(/<!-- settings: (\{.*\}) -->/.exec(page)?.[1] ?? '{}') as Record<string, unknown>;
    test(`${code}: the example fires, the near miss does not`, () => {
      const fires = sectionBlocks(page, 'Example that fires');
      assert.ok(fires.length > 0, `${code}.md has a yaml, toml or json block under "## Example that fires"`);
      assert.ok(codesIn(fires, settings).has(code), `the example of ${code}.md does not fire ${code}`);
      const quiet = sectionBlocks(page, 'Does not fire');
      if (quiet.length > 0) assert.ok(!codesIn(quiet, settings).has(code), `the "Does not fire" example of ${code}.md fires ${code}`);
    });
    test(`${code}: the page says how to fix it and why it matters at run time`, () => {
      assert.match(page, /\n## How to fix\n\n\S/, `${code}.md has a "How to fix" section`);
      const intro = page.split('\n## ')[0]!;
      assert.ok(intro.split('\n').filter((line) => line.trim() !== '').length >= 3, `${code}.md explains the rule before its examples`);
    });
  }
});
