/**
 * Decodes a YAML scalar from its source text into its value and a map back to
 * the source, so that a problem found inside the value (a bad tag in an image
 * name, a JSON error inside `DOCKER_AUTH_CONFIG`) is shown on the exact
 * characters the user wrote, escapes and line folding included (YAML 1.2 §7, §8).
 */
import { SourceMap, SourceMapBuilder } from '../text/sourceMap';
import type { YScalar } from './yamlModel';

export interface DecodedScalar {
  readonly value: string;
  readonly map: SourceMap;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};
const HEX_ESCAPE_LENGTH: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

function isBlank(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t';
}

/**
 * Line folding of flow scalars (plain and quoted): a line break and the white space
 * around it become one space, or `n-1` newlines for `n` line breaks.
 * Returns the offset after the folded run.
 */
function foldLineBreaks(text: string, at: number, end: number, out: SourceMapBuilder): number {
  let i = at;
  let breaks = 0;
  while (i < end && (text[i] === '\n' || text[i] === '\r' || isBlank(text[i]))) {
    if (text[i] === '\n') breaks++;
    i++;
  }
  out.add(breaks <= 1 ? ' ' : '\n'.repeat(breaks - 1), at, i);
  return i;
}

/** Trailing blanks before a line break are not part of a flow scalar. */
function atLineEndAfterBlanks(text: string, at: number, end: number): boolean {
  let i = at;
  while (i < end && isBlank(text[i])) i++;
  return i < end && (text[i] === '\n' || text[i] === '\r');
}

function decodePlain(text: string, start: number, end: number, out: SourceMapBuilder): void {
  let i = start;
  while (i < end) {
    const ch = text[i]!;
    if ((isBlank(ch) && atLineEndAfterBlanks(text, i, end)) || ch === '\n' || ch === '\r') {
      i = foldLineBreaks(text, i, end, out);
    } else {
      out.add(ch, i, i + 1);
      i++;
    }
  }
}

function decodeSingle(text: string, start: number, end: number, out: SourceMapBuilder): void {
  let i = start + 1;
  const close = end - 1;
  while (i < close) {
    const ch = text[i]!;
    if (ch === "'" && text[i + 1] === "'") {
      out.add("'", i, i + 2);
      i += 2;
    } else if ((isBlank(ch) && atLineEndAfterBlanks(text, i, close)) || ch === '\n' || ch === '\r') {
      i = foldLineBreaks(text, i, close, out);
    } else {
      out.add(ch, i, i + 1);
      i++;
    }
  }
}

function decodeDouble(text: string, start: number, end: number, out: SourceMapBuilder): void {
  let i = start + 1;
  const close = end - 1;
  while (i < close) {
    const ch = text[i]!;
    if (ch === '\\') {
      const next = text[i + 1] ?? '';
      if (next === '\n' || next === '\r') {
        // An escaped line break joins the lines without a space; leading blanks go too.
        let j = i + 1;
        if (text[j] === '\r') j++;
        if (text[j] === '\n') j++;
        while (j < close && isBlank(text[j])) j++;
        out.add('', i, j);
        i = j;
        continue;
      }
      const simple = SIMPLE_ESCAPES[next];
      if (simple !== undefined) {
        out.add(simple, i, i + 2);
        i += 2;
        continue;
      }
      const hexLength = HEX_ESCAPE_LENGTH[next];
      if (hexLength !== undefined) {
        const hex = text.slice(i + 2, i + 2 + hexLength);
        const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === hexLength ? parseInt(hex, 16) : NaN;
        const value = Number.isNaN(code) || code > 0x10ffff ? '' : String.fromCodePoint(code);
        out.add(value, i, Math.min(close, i + 2 + hexLength));
        i += 2 + hexLength;
        continue;
      }
      // An invalid escape: the parser reports it; keep the text as written.
      out.add(ch, i, i + 1);
      i++;
    } else if ((isBlank(ch) && atLineEndAfterBlanks(text, i, close)) || ch === '\n' || ch === '\r') {
      i = foldLineBreaks(text, i, close, out);
    } else {
      out.add(ch, i, i + 1);
      i++;
    }
  }
}

function decodeBlock(text: string, start: number, end: number, folded: boolean, out: SourceMapBuilder): void {
  // Header: `|` or `>`, then optional indentation and chomping indicators, then a comment.
  let i = start + 1;
  let explicitIndent = 0;
  let chomping: 'clip' | 'strip' | 'keep' = 'clip';
  while (i < end && /[1-9+-]/.test(text[i]!)) {
    const ch = text[i]!;
    if (ch === '-') chomping = 'strip';
    else if (ch === '+') chomping = 'keep';
    else explicitIndent = Number(ch);
    i++;
  }
  const headerEnd = text.indexOf('\n', i);
  if (headerEnd === -1 || headerEnd >= end) return;
  // Lines of the body: [lineStart, lineEnd) without the line break.
  const lines: Array<{ start: number; end: number }> = [];
  let lineStart = headerEnd + 1;
  while (lineStart < end) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1 || lineEnd > end) lineEnd = end;
    const contentEnd = lineEnd > lineStart && text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
    lines.push({ start: lineStart, end: contentEnd });
    lineStart = lineEnd + 1;
  }
  const blank = (line: { start: number; end: number }) => /^[ \t]*$/.test(text.slice(line.start, line.end));
  let indent = explicitIndent;
  if (indent === 0) {
    const firstContent = lines.find((line) => !blank(line));
    if (!firstContent) return;
    indent = 0;
    while (text[firstContent.start + indent] === ' ') indent++;
  }
  // Trailing blank lines are governed by chomping, not by the content.
  let last = lines.length - 1;
  while (last >= 0 && blank(lines[last]!)) last--;
  let previousWasFoldable = false;
  let pendingBreak: { start: number; end: number } | undefined;
  let emptyLines = 0;
  for (let n = 0; n <= last; n++) {
    const line = lines[n]!;
    const contentStart = Math.min(line.start + indent, line.end);
    const isEmpty = blank(line);
    if (isEmpty) {
      emptyLines++;
      continue;
    }
    const moreIndented = isBlank(text[contentStart]);
    if (pendingBreak) {
      if (folded && previousWasFoldable && !moreIndented) {
        // Folding: one break becomes a space; n breaks with empty lines keep n-1 of them.
        out.add(emptyLines === 0 ? ' ' : '\n'.repeat(emptyLines), pendingBreak.start, line.start);
      } else {
        out.add('\n'.repeat(emptyLines + 1), pendingBreak.start, line.start);
      }
    }
    out.add(text.slice(contentStart, line.end), contentStart, line.end);
    pendingBreak = { start: line.end, end: line.end + 1 };
    previousWasFoldable = !moreIndented;
    emptyLines = 0;
  }
  if (!pendingBreak) return;
  if (chomping === 'clip') out.add('\n', pendingBreak.start, pendingBreak.end);
  else if (chomping === 'keep') {
    const trailing = lines.length - 1 - last;
    out.add('\n'.repeat(1 + trailing), pendingBreak.start, end);
  }
}

/**
 * Decodes `scalar` from `text`. When the decoder and the YAML parser disagree (a
 * malformed scalar), the parser's value wins and the whole value maps to the
 * whole source: positions get coarser, never wrong.
 */
export function decodeYamlScalar(text: string, scalar: YScalar): DecodedScalar {
  const parsedValue = scalar.value === null || scalar.value === undefined ? '' : String(scalar.value);
  // Most scalars are written exactly as their value (no escapes, no folding): map them one to one.
  const quote = scalar.style === 'single' || scalar.style === 'double' ? 1 : scalar.style === 'plain' ? 0 : -1;
  if (quote >= 0 && parsedValue.length > 0 && scalar.end - scalar.start - 2 * quote === parsedValue.length
    && text.startsWith(parsedValue, scalar.start + quote)) {
    return { value: parsedValue, map: SourceMap.identity(scalar.start + quote, parsedValue.length) };
  }
  const out = new SourceMapBuilder();
  switch (scalar.style) {
    case 'plain':
      decodePlain(text, scalar.start, scalar.end, out);
      break;
    case 'single':
      decodeSingle(text, scalar.start, scalar.end, out);
      break;
    case 'double':
      decodeDouble(text, scalar.start, scalar.end, out);
      break;
    case 'literal':
    case 'folded':
      decodeBlock(text, scalar.start, scalar.end, scalar.style === 'folded', out);
      break;
  }
  if (out.generated === parsedValue && parsedValue.length > 0) return { value: parsedValue, map: out.build() };
  return {
    value: parsedValue,
    map: new SourceMap([{ generatedStart: 0, generatedEnd: parsedValue.length, sourceStart: scalar.start, sourceEnd: scalar.end }]),
  };
}
