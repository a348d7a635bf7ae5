/**
 * TOML with source positions (toml-eslint-parser), made forgiving: the parser
 * stops at the first error, so the offending line is blanked out (offsets kept)
 * and the rest parsed again, up to a limit. Every error is reported, and every
 * line that parses is still analysed.
 */
import { parseTOML, type AST } from 'toml-eslint-parser';
import { SourceMap, SourceMapBuilder } from '../text/sourceMap';

export type TomlProgram = AST.TOMLProgram;
export type TomlTable = AST.TOMLTable;
export type TomlKeyValue = AST.TOMLKeyValue;
export type TomlNode = AST.TOMLContentNode;
export type TomlString = AST.TOMLStringValue;

export interface TomlSyntaxError {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
  /** A limit of Pullguard's, not an error of the file: the runner may read it fine. */
  readonly limit?: boolean;
}

export interface TomlModel {
  readonly program: TomlProgram | undefined;
  readonly errors: readonly TomlSyntaxError[];
}

const MAX_RECOVERIES = 50;

export const TOO_DEEP_OR_LONG =
  'This TOML has a value too long (over about 100,000 characters) or nesting too deep (thousands of levels) for Pullguard to read, so it is not analysed';

interface ParseErrorLike {
  readonly index: number;
  readonly message: string;
}

function isParseError(error: unknown): error is ParseErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as ParseErrorLike).index === 'number';
}

export function parseTomlModel(text: string): TomlModel {
  const errors: TomlSyntaxError[] = [];
  // The runner's decoder skips a byte order mark; a space keeps every offset.
  let source = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  for (let attempt = 0; attempt <= MAX_RECOVERIES; attempt++) {
    try {
      return { program: parseTOML(source), errors };
    } catch (error) {
      if (error instanceof RangeError) {
        // The parser recurses once per character of a value and per level of nesting:
        // a value of a few hundred thousand characters, or nesting thousands of levels
        // deep, overflows the stack. Say so instead of failing the whole analysis.
        errors.push({ offset: 0, length: 0, message: TOO_DEEP_OR_LONG, limit: true });
        break;
      }
      if (!isParseError(error)) throw error;
      const offset = Math.min(Math.max(0, error.index), text.length);
      const lineStart = source.lastIndexOf('\n', offset - 1) + 1;
      let lineEnd = source.indexOf('\n', offset);
      if (lineEnd === -1) lineEnd = source.length;
      errors.push({
        offset,
        length: Math.max(1, Math.min(lineEnd, offset + 1) - offset),
        message: error.message.replace(/\s*\(\d+:\d+\)$/, ''),
      });
      if (attempt === MAX_RECOVERIES) break;
      // Blank the line (and any line a multi-line value started on) but keep every offset.
      const blanked = source.slice(lineStart, lineEnd).replace(/[^\r]/g, ' ');
      const next = source.slice(0, lineStart) + blanked + source.slice(lineEnd);
      if (next === source) break;
      source = next;
    }
  }
  return { program: undefined, errors };
}

// ---- Strings with positions -------------------------------------------------

const TOML_ESCAPES: Readonly<Record<string, string>> = {
  b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\',
};

/**
 * Decodes a TOML string node from the source into its value and a map back to
 * the exact characters (escapes, line-ending backslashes, the first newline of a
 * multi-line string). The parser's value wins if the two disagree.
 */
export function decodeTomlString(text: string, node: TomlString): { value: string; map: SourceMap } {
  // Images, services and the runner checks each decode the same strings; a node is of one text.
  let decoded = decodedStrings.get(node);
  if (!decoded) decodedStrings.set(node, (decoded = decode(text, node)));
  return decoded;
}

const decodedStrings = new WeakMap<TomlString, { value: string; map: SourceMap }>();

function decode(text: string, node: TomlString): { value: string; map: SourceMap } {
  const [start, end] = node.range;
  const quote = node.multiline ? 3 : 1;
  let i = start + quote;
  const close = end - quote;
  const out = new SourceMapBuilder();
  if (node.multiline) {
    // A newline right after the opening delimiter is trimmed.
    if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
    else if (text[i] === '\n') i += 1;
  }
  while (i < close) {
    // Up to the next escape (a literal string has none), the text is the value as written: one plain segment.
    // (Searched in the string alone: a search of the whole text would go on past it, to the file's end.)
    const escape = node.style === 'literal' ? -1 : text.slice(i, close).indexOf('\\');
    const runEnd = escape === -1 ? close : i + escape;
    if (runEnd > i) {
      out.add(text.slice(i, runEnd), i, runEnd);
      i = runEnd;
      continue;
    }
    const ch = text[i]!;
    const next = text[i + 1] ?? '';
    if (node.multiline && /[ \t\r\n]/.test(next)) {
      // Line-ending backslash: drops the break and the white space after it.
      let j = i + 1;
      while (j < close && /[ \t]/.test(text[j]!)) j++;
      if (text[j] === '\r' || text[j] === '\n') {
        while (j < close && /[ \t\r\n]/.test(text[j]!)) j++;
        out.add('', i, j);
        i = j;
        continue;
      }
    }
    const simple = TOML_ESCAPES[next];
    if (simple !== undefined) {
      out.add(simple, i, i + 2);
      i += 2;
      continue;
    }
    const hexLength = next === 'u' ? 4 : next === 'U' ? 8 : next === 'x' ? 2 : 0;
    if (hexLength > 0) {
      const code = parseInt(text.slice(i + 2, i + 2 + hexLength), 16);
      out.add(Number.isNaN(code) || code > 0x10ffff ? '' : String.fromCodePoint(code), i, i + 2 + hexLength);
      i += 2 + hexLength;
      continue;
    }
    out.add(ch, i, i + 1);
    i++;
  }
  if (out.generated === node.value && node.value.length > 0) return { value: node.value, map: out.build() };
  return {
    value: node.value,
    map: new SourceMap([{ generatedStart: 0, generatedEnd: node.value.length, sourceStart: start, sourceEnd: end }]),
  };
}

// ---- Lookups -----------------------------------------------------------------

/** The key path of a key/value pair, e.g. `["docker", "image"]`. */
export function keyPath(pair: TomlKeyValue): string[] {
  return pair.key.keys.map((key) => (key.type === 'TOMLBare' ? key.name : key.value));
}
