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

export function parseJsonModel(text: string): JsonModel {
  const raw: ParseError[] = [];
  const root = parseTree(text, raw, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const errors = raw.map((error) => ({
    offset: error.offset,
    length: Math.max(1, error.length),
    message: MESSAGES[printParseErrorCode(error.error)] ?? 'Invalid JSON.',
  }));
  return { text, root, errors };
}
