/**
 * toDiagnostics reuses the previous version's diagnostic for a finding only when the
 * new one would be the same: these cases change one thing each (range, related place,
 * severity, surrogate pair) and check the reuse stops there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { toDiagnostics, type ReusableDiagnostics } from '../../server/src/service/diagnostics';
import type { Finding, Mutable } from '../../server/src/service/finding';
import { DEFAULT_SETTINGS, parseSettings } from '../../server/src/service/settings';

const URI = 'file:///project/.gitlab-ci.yml';
const document = (text: string, version = 1) => TextDocument.create(URI, 'yaml', version, text);

function finding(offset: number, length: number, related?: Finding['related']): Finding {
  return { code: 'image/not-pinned', offset, length, message: 'not pinned', ...(related ? { related } : {}) };
}

/** The diagnostics of `findings` in `text`, then of the same findings in `edited`, reusing the first ones. */
function again(text: string, edited: string, findings: readonly Finding[], settings = DEFAULT_SETTINGS) {
  const first = toDiagnostics(document(text), findings, DEFAULT_SETTINGS);
  const reusable: ReusableDiagnostics = { byFinding: first.byFinding, placesKept: () => false };
  const second = toDiagnostics(document(edited, 2), findings, settings, reusable).diagnostics;
  const fresh = toDiagnostics(document(edited, 2), findings, settings).diagnostics;
  assert.deepEqual(second, fresh, 'reuse or not, the diagnostics are those of the edited text');
  return { reused: second.map((diagnostic, i) => diagnostic === first.diagnostics[i]), second };
}

test('a diagnostic whose range is the same in the edited text is the same object, frozen with all it holds', () => {
  const { reused, second } = again('image: a\nimage: b\n', 'image: a\nimage: b\n# typed\n', [finding(7, 1), finding(16, 1)]);
  assert.deepEqual(reused, [true, true]);
  assert.ok(Object.isFrozen(second[0]) && Object.isFrozen(second[0]!.range) && Object.isFrozen(second[0]!.range.end));
});

test('a finding at the same offset on another line or column gets a new diagnostic', () => {
  // A line break typed before the second finding's offset: its offset is now on line 2, character 0.
  const { reused, second } = again('image: a\nimage: b\n', 'image: a\n\nimage: b\n', [finding(7, 1), finding(10, 3)]);
  assert.deepEqual(reused, [true, false]);
  assert.deepEqual(second[1]!.range.start, { line: 2, character: 0 });
});

test('a range whose end is past its line in the edited text is not taken as the same', () => {
  // The old end (line 2, character 3) is offset 9 in the edited text only because offsetAt
  // clamps it to the end of the shorter line; offset 9 is (line 2, character 2) there.
  const { reused, second } = again('ab\ncd\nefgh', 'ab\ncde\nfg', [finding(0, 9)]);
  assert.deepEqual(reused, [false]);
  assert.deepEqual(second[0]!.range.end, { line: 2, character: 2 });
});

test('a related place that moved to another position gives a new diagnostic', () => {
  const related = [{ offset: 4, length: 1, message: 'the other user' }];
  const { reused, second } = again('a\nb\nc\n', 'a\n\nbc\n', [finding(0, 1, related)]);
  assert.deepEqual(reused, [false]);
  assert.deepEqual(second[0]!.relatedInformation![0]!.location.range.start, { line: 2, character: 1 });
  // Where the related place stays where it was, the diagnostic is kept.
  assert.deepEqual(again('a\nb\nc\n', 'a\nb\nc\n# typed\n', [finding(0, 1, related)]).reused, [true]);
});

test('another severity from the settings gives a new diagnostic', () => {
  const { settings } = parseSettings({ rules: { 'image/not-pinned': 'warning' } });
  assert.deepEqual(again('image: a\n', 'image: a\n', [finding(7, 1)], settings).reused, [false]);
});

test('a range widened over a surrogate pair in one text and not in the other is not reused', () => {
  // Offset 1 falls inside the emoji in the edited text only: the range widens to start at 0.
  const { reused, second } = again('ab c', '😀 c', [finding(1, 1)]);
  assert.deepEqual(reused, [false]);
  assert.deepEqual(second[0]!.range.start, { line: 0, character: 0 });
});

test('a finding moved in place by an edit, related places included, keeps its diagnostic when it shows the same', () => {
  const text = 'image: a\nimage: b\n';
  const first = (related: Finding['related']) => {
    const found: Mutable<Finding> = finding(7, 1, [{ offset: 16, length: 1, message: 'the other user' }]);
    return { found, diagnostics: toDiagnostics(document(text), [found], DEFAULT_SETTINGS), related };
  };
  // As service/incremental.ts moves a kept finding: the same object, its related places new objects.
  const reused = ({ found, diagnostics, related }: ReturnType<typeof first>, edited: string, change: (found: Mutable<Finding>) => void = () => {}) => {
    found.related = related;
    change(found);
    const reusable: ReusableDiagnostics = { byFinding: diagnostics.byFinding, placesKept: () => false };
    const [diagnostic] = toDiagnostics(document(edited, 2), [found], DEFAULT_SETTINGS, reusable).diagnostics;
    assert.deepEqual(diagnostic, toDiagnostics(document(edited, 2), [found], DEFAULT_SETTINGS).diagnostics[0]);
    return diagnostic === diagnostics.diagnostics[0];
  };
  assert.equal(reused(first([{ offset: 16, length: 1, message: 'the other user' }]), `${text}# typed\n`), true);
  assert.equal(reused(first([{ offset: 24, length: 1, message: 'the other user' }]), `# typed\n${text}`, (found) => (found.offset = 15)), false, 'moved to another line');
  assert.equal(reused(first([{ offset: 16, length: 1, message: 'another message' }]), text), false);
  assert.equal(reused(first([]), text), false);
  assert.equal(reused(first([{ offset: 16, length: 1, message: 'the other user' }]), text, (found) => (found.message = 'edited')), false);
});

test('where the caller knows a finding\'s places are kept, its diagnostic is reused without its ranges worked out again, and only if it shows the same', () => {
  // The language service says so only for places an edit cannot have moved (service/incremental.ts);
  // here the text changed under the finding to show that the ranges are then not looked at.
  const text = 'image: a\nimage: b\n';
  const reuse = (change: (found: Mutable<Finding>) => void, placesKept: boolean) => {
    const found: Mutable<Finding> = finding(7, 1, [{ offset: 16, length: 1, message: 'the other user' }]);
    const first = toDiagnostics(document(text), [found], DEFAULT_SETTINGS);
    found.offset = 9;
    found.related = [{ offset: 18, length: 1, message: 'the other user' }];
    change(found);
    const reusable: ReusableDiagnostics = { byFinding: first.byFinding, placesKept: () => placesKept };
    return toDiagnostics(document('\n\nimage: a\nimage: b\n', 2), [found], DEFAULT_SETTINGS, reusable).diagnostics[0] === first.diagnostics[0];
  };
  const onlyMoved = () => {};
  assert.equal(reuse(onlyMoved, true), true);
  assert.equal(reuse(onlyMoved, false), false, 'without the caller\'s word, the new ranges are compared');
  assert.equal(reuse((found) => (found.message = 'edited'), true), false);
  assert.equal(reuse((found) => (found.related = [{ offset: 18, length: 1, message: 'another message' }]), true), false);
  assert.equal(reuse((found) => (found.related = []), true), false);
});
