/**
 * Every quick fix that edits the document, applied to it, does what it says: the file has
 * fewer diagnostics of the code it fixed, and no syntax error it did not have. Over every
 * diagnostic of the fuzzing corpus (harness.ts), alone and in the workspace context that
 * switches every rule on. A fix may still bring out another finding: replacing
 * `credsStore: desktop` with `credHelpers` shows that the runner has no `desktop` helper
 * (auth/helper-unavailable), which the file had all along.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, TextEdit } from 'vscode-languageserver';
import { LanguageService } from '../../server/src/service/languageService';
import { CONTEXTS, SEEDS, URIS } from './harness';

function countByCode(diagnostics: readonly Diagnostic[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const diagnostic of diagnostics) counts.set(String(diagnostic.code), (counts.get(String(diagnostic.code)) ?? 0) + 1);
  return counts;
}

describe('quick fixes applied', () => {
  test('each leaves fewer diagnostics of its code and no new syntax error', () => {
    let applied = 0;
    for (const seed of SEEDS) {
      for (const [contextAt, context] of CONTEXTS.entries()) {
        const uri = URIS[seed.kind];
        const document = TextDocument.create(uri, 'plaintext', 1, seed.text);
        const service = new LanguageService();
        const diagnostics = service.doValidation(document, context, seed.kind);
        const before = countByCode(diagnostics);
        for (const diagnostic of diagnostics) {
          for (const action of service.doCodeActions(document, diagnostic.range, { diagnostics: [diagnostic], only: ['quickfix'] }, context)) {
            const edits = (action.edit?.changes?.[uri] ?? []) as TextEdit[];
            if (edits.length === 0) continue; // a command (pin, create credentials) or an edit of another file
            applied++;
            const fixed = TextDocument.create(uri, 'plaintext', 2, TextDocument.applyEdits(document, edits));
            const after = countByCode(new LanguageService().doValidation(fixed, context, seed.kind));
            const code = String(diagnostic.code);
            const where = `${seed.name}, context ${contextAt}: "${action.title}" for ${code} at ${diagnostic.range.start.line}:${diagnostic.range.start.character}`;
            assert.ok((after.get(code) ?? 0) < before.get(code)!, `${where}: ${before.get(code)} ${code} before, ${after.get(code) ?? 0} after`);
            for (const [afterCode, count] of after) {
              if (afterCode.startsWith('syntax/')) assert.ok(count <= (before.get(afterCode) ?? 0), `${where}: a new ${afterCode}\n${fixed.getText()}`);
            }
          }
        }
      }
    }
    // The corpus has fixes of every edit kind; a change that lost them would make this test vacuous.
    assert.ok(applied >= 50, `quick fixes applied: ${applied}`);
  });
});
