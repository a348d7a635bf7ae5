/**
 * JSON with positions (jsonc-parser, which keeps going after an error) for
 * Docker's `config.json` and for the JSON inside `DOCKER_AUTH_CONFIG`. Docker reads
 * it with Go's strict decoder, so comments and trailing commas are errors here too.
 */
import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';

export type { JsonNode };

export interface JsonSyntaxError {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
  /** A limit of Pullguard's, not an error of the text: Docker may read it fine. */
  readonly limit?: boolean;
}

export interface JsonModel {
  readonly text: string;
  readonly root: JsonNode | undefined;
  readonly errors: readonly JsonSyntaxError[];
}

const MESSAGES: Readonly<Record<string, string>> = {
  InvalidSymbol: 'Unexpected character.',
  InvalidNumberFormat: 'Invalid number.',
  PropertyNameExpected: 'Expected a property name in double quotes.',
  ValueExpected: 'Expected a value.',
  ColonExpected: 'Expected `:` after the property name.',
  CommaExpected: 'Expected `,` between entries.',
  CloseBraceExpected: 'Expected `}` to close the object.',
  CloseBracketExpected: 'Expected `]` to close the array.',
  EndOfFileExpected: 'Expected the end of the JSON text; there is more after the value.',
  InvalidCommentToken: 'Comments are not allowed in JSON.',
  UnexpectedEndOfComment: 'Unterminated comment.',
  UnexpectedEndOfString: 'Unterminated string.',
  UnexpectedEndOfNumber: 'Unterminated number.',
  InvalidUnicode: 'Invalid `\\u` escape.',
  InvalidEscapeCharacter: 'Invalid escape character.',
  InvalidCharacter: 'Invalid character in a string (control characters must be escaped).',
};

/** jsonc-parser recurses once per level; deeper text is refused before it can overflow the stack. */
export const MAX_JSON_DEPTH = 512;

/** The offset where nesting first goes deeper than `MAX_JSON_DEPTH`, if it does (one linear scan). */
function findTooDeep(text: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) return i;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return undefined;
}

export function parseJsonModel(text: string): JsonModel {
  const tooDeep = findTooDeep(text);
  if (tooDeep !== undefined) {
    return { text, root: undefined, errors: [{ offset: tooDeep, length: 1, message: `The JSON is nested more than ${MAX_JSON_DEPTH} levels deep here, which Pullguard does not analyse.`, limit: true }] };
  }
  const raw: ParseError[] = [];
  // Empty content is no error: docker/cli ignores an empty config (io.EOF).
  const root = parseTree(text, raw, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: true });
  const errors: JsonSyntaxError[] = [];
  for (const error of raw) {
    // One mistake often yields two errors at the same place (a trailing comma): keep the first.
    if (errors.some((e) => e.offset === error.offset)) continue;
    errors.push({ offset: error.offset, length: Math.max(1, error.length), message: MESSAGES[printParseErrorCode(error.error)] ?? 'Invalid JSON.' });
  }
  return { text, root, errors };
}
