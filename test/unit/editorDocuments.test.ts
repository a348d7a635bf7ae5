/**
 * The server's documents stay true to their text whatever ranges a client's changes
 * carry: the text replaced is the library's, and every position matches a document
 * created fresh from the same text (server/src/editorDocuments.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { editorDocuments } from '../../server/src/editorDocuments';

/** The positions of a sample of offsets, and the offsets of the positions back. */
function positionsOf(document: TextDocument): string {
  const length = document.getText().length;
  const offsets = Array.from({ length: 65 }, (_, i) => Math.round((i * length) / 64));
  return JSON.stringify(offsets.map((offset) => {
    const position = document.positionAt(offset);
    return [position, document.offsetAt(position)];
  }));
}

function assertTrueToText(document: TextDocument, what: string): void {
  const fresh = TextDocument.create(document.uri, document.languageId, document.version, document.getText());
  assert.equal(document.lineCount, fresh.lineCount, `${what}: line count`);
  assert.equal(positionsOf(document), positionsOf(fresh), `${what}: positions`);
}

test('a change whose range is past the last line replaces the text as the library does, and positions stay right', () => {
  const document = editorDocuments.create('file:///w/.gitlab-ci.yml', 'yaml', 1, 'a: 1\nb: 2');
  // Lines 5 to 6 of a 2-line document, one line break for one: the library's own update wrote
  // the new line start at index 6 of its 2-entry table, and positions after it were NaN.
  const change = { range: { start: { line: 5, character: 40 }, end: { line: 6, character: 0 } }, text: '\n' };
  const plain = TextDocument.update(TextDocument.create('file:///w/.gitlab-ci.yml', 'yaml', 1, 'a: 1\nb: 2'), [change], 2);
  assert.notEqual(positionsOf(plain), positionsOf(TextDocument.create(plain.uri, 'yaml', 2, plain.getText())), 'the library alone gets it wrong');
  editorDocuments.update(document, [change], 2);
  assert.equal(document.getText(), plain.getText());
  assert.equal(document.version, 2);
  assertTrueToText(document, 'after the change');
});

test('random changes with ranges reversed, past line ends and past the last line keep every position right', () => {
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const texts = ['', 'x', '\n', '  image: $X\n', 'job:\n  image: alpine\n', '\r\n', 'é😀\n'];
  const start = 'build:\n  image: node:20\n  script: [make]\ntest:\n  image: postgres\n';
  const document = editorDocuments.create('file:///w/.gitlab-ci.yml', 'yaml', 1, start);
  let plain = TextDocument.create('file:///w/.gitlab-ci.yml', 'yaml', 1, start);
  for (let version = 2; version < 400; version++) {
    const a = { line: random(document.lineCount + 4), character: random(60) };
    const b = { line: random(document.lineCount + 4), character: random(60) };
    const change = { range: random(3) === 0 ? { start: b, end: a } : { start: a, end: b }, text: texts[random(texts.length)]! };
    editorDocuments.update(document, [change], version);
    // The library replaces the same text (only its line table went wrong): a fresh copy each time.
    plain = TextDocument.update(TextDocument.create(plain.uri, 'yaml', version - 1, plain.getText()), [change], version);
    assert.equal(document.getText(), plain.getText(), `change ${version}: ${JSON.stringify(change)}`);
    assertTrueToText(document, `change ${version}: ${JSON.stringify(change)}`);
  }
});

test('several changes in one notification are applied in order, each in the text the one before left', () => {
  const document = editorDocuments.create('file:///w/.gitlab-ci.yml', 'yaml', 1, 'a\nb\n');
  editorDocuments.update(document, [
    { range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: 'c\nd\n' },
    // Line 3 exists only after the change before.
    { range: { start: { line: 3, character: 0 }, end: { line: 3, character: 1 } }, text: 'D' },
    // Reversed, and past the last line.
    { range: { start: { line: 9, character: 9 }, end: { line: 3, character: 1 } }, text: '!' },
  ], 2);
  assert.equal(document.getText(), 'a\nb\nc\nD!');
  assertTrueToText(document, 'after the changes');
});

test('a notification with no change still moves the version', () => {
  const document = editorDocuments.create('file:///w/.gitlab-ci.yml', 'yaml', 1, 'a\n');
  editorDocuments.update(document, [], 5);
  assert.equal(document.version, 5);
});
