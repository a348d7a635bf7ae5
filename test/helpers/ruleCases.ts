/**
 * Table-driven rule tests: for each rule code, cases that must fire (the texts the
 * diagnostics cover, in order) and near misses that must stay silent; every code of a
 * table needs at least one of each.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findingsOf, type Kind } from './analyze';

export interface RuleCase {
  readonly name: string;
  /** The kind of file `content` is; a `.gitlab-ci.yml` when absent. */
  readonly kind?: Kind;
  readonly content: string;
  /** Other files of the workspace: URI → text. */
  readonly workspace?: Readonly<Record<string, string>>;
  readonly settings?: Record<string, unknown>;
  /** The texts the rule's diagnostics cover, in order; [] = must stay silent. */
  readonly expected: readonly string[];
}

export type RuleCases = Readonly<Record<string, readonly RuleCase[]>>;

/**
 * One `describe` per code and one test per case, plus the check that each code fires
 * somewhere and stays silent somewhere.
 * @param workspaceFor the workspace of the cases of a code that name none
 */
export function describeRuleCases(family: string, cases: RuleCases, workspaceFor: (code: string) => RuleCase['workspace'] = () => undefined): void {
  describe(`${family} rules`, () => {
    for (const [code, list] of Object.entries(cases)) {
      describe(code, () => {
        for (const { name, kind, content, workspace, settings, expected } of list) {
          test(name, () => assert.deepEqual(findingsOf(kind ?? 'gitlab-ci', content, code, { workspace: workspace ?? workspaceFor(code), settings }), expected));
        }
      });
    }

    test(`every ${family} rule has a case that fires and one that must not`, () => {
      for (const [code, list] of Object.entries(cases)) {
        assert.ok(list.some((c) => c.expected.length > 0), `${code} has no firing case`);
        assert.ok(list.some((c) => c.expected.length === 0), `${code} has no near miss`);
      }
    });
  });
}
