/**
 * An incremental re-analysis keeps the nodes, images and findings of the entries an edit
 * did not touch. Nothing it keeps may hold on to the text of the version it was made
 * from: a user edits a pipeline all day, and each version of a 5,000-job file is 1.4 MB.
 * Measured on the heap after full collections, not in time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { generatePipeline } from '../../bench/generate';
import { LanguageService } from '../../server/src/service/languageService';
import { makeContext } from '../helpers/analyze';

const EDITS = 80;

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    // Twice: what the first frees may hold the last references to more.
    gc();
    gc();
  };
}

/** Retypes the image on a line spread through the file, to a name not seen before (as typing does). */
function editImage(document: TextDocument, k: number): TextDocument {
  const text = document.getText();
  const at = text.indexOf('image: ', Math.floor((text.length * ((k * 7) % EDITS + 0.5)) / EDITS)) + 'image: '.length;
  const end = text.indexOf(text.includes('\r\n') ? '\r\n' : '\n', at);
  const range = { start: document.positionAt(at), end: document.positionAt(end) };
  return TextDocument.update(document, [{ range, text: `registry.example.com:5000/group/typed-${k}:1.${document.version}` }], document.version + 1);
}

for (const lineBreak of ['\n', '\r\n']) {
  const parser = lineBreak === '\n' ? 'the fast parser' : 'the YAML package (CRLF text)';
  test(`${EDITS} edits through a 2,000-job pipeline keep no earlier version of its text (${parser})`, () => {
    const gc = collectGarbage();
    const text = generatePipeline({ jobs: 2000, anchors: false, seed: 3 }).replace(/\n/g, lineBreak);
    const context = makeContext();
    const service = new LanguageService();
    let document = TextDocument.create('file:///project/.gitlab-ci.yml', 'yaml', 1, text);
    service.doValidation(document, context);
    gc();
    const heapBefore = getHeapStatistics().used_heap_size;
    for (let k = 0; k < EDITS; k++) {
      document = editImage(document, k);
      service.doValidation(document, context);
    }
    gc();
    const grown = getHeapStatistics().used_heap_size - heapBefore;
    // Most edits must take the incremental path, or the test proves nothing.
    assert.ok(service.incrementalAnalyses >= EDITS * 0.8, `${service.incrementalAnalyses} of ${EDITS} edits re-analysed incrementally`);
    // Each version kept would be text.length bytes (a one-byte string); a few of them is noise.
    const versions = grown / text.length;
    assert.ok(versions < 5, `the heap grew by ${(grown / 2 ** 20).toFixed(1)} MiB over ${EDITS} edits, ${versions.toFixed(1)} times the text`);
  });
}
