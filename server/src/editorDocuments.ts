/**
 * How the server keeps the documents the editor has open: vscode-languageserver-textdocument's
 * `TextDocument`, with each change's range first made one the document has.
 *
 * LSP requires a change's range to lie in the document and to start before it ends. The
 * library orders a reversed range and clamps the text it replaces to the document, but it
 * updates its table of line starts from the range's line numbers as given. A range past
 * the last line left that table wrong, and with it every position computed after (the
 * ranges of diagnostics, hovers, edits), some of them NaN, which JSON sends as `null`.
 * Found by sending the server random edits and comparing each result with a fresh
 * analysis of the same text (session 18). Each range is therefore clamped to the text and
 * ordered before the library applies it: the same text replaced, and a line table that
 * matches the text.
 */
import type { TextDocumentContentChangeEvent, TextDocumentsConfiguration } from 'vscode-languageserver/node';
import { TextDocument, type Range } from 'vscode-languageserver-textdocument';

export const editorDocuments: TextDocumentsConfiguration<TextDocument> = {
  create: TextDocument.create,
  update(document: TextDocument, changes: TextDocumentContentChangeEvent[], version: number): TextDocument {
    // One at a time: each change's positions are in the text the changes before it left.
    for (const change of changes) {
      const inDocument = 'range' in change && change.range ? { ...change, range: rangeIn(document, change.range) } : change;
      TextDocument.update(document, [inDocument], version);
    }
    // With no change, the version still moves.
    return TextDocument.update(document, [], version);
  },
};

/** `range` clamped to the document's text and ordered, as the library reads it to replace text. */
function rangeIn(document: TextDocument, range: Range): Range {
  const start = document.offsetAt(range.start);
  const end = document.offsetAt(range.end);
  return { start: document.positionAt(Math.min(start, end)), end: document.positionAt(Math.max(start, end)) };
}
