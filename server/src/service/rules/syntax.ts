/**
 * syntax/* — parse errors, at the parser's position. They come first (STYLE:
 * syntax → structure → semantics); the other rules still run on what parsed.
 */
import type { Finding } from '../finding';

interface SyntaxError {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
  /** A limit of Pullguard's (docs/limits.md), not an error of the file. */
  readonly limit?: boolean;
}

const WHAT_HAPPENS: Readonly<Record<'yaml' | 'toml' | 'json', string>> = {
  yaml: 'GitLab rejects the pipeline until this is fixed',
  toml: 'the runner fails to load this configuration until this is fixed',
  json: 'Docker and the runner cannot read this file until this is fixed',
};

const LIMIT_CONSEQUENCE: Readonly<Record<'yaml' | 'toml' | 'json', string>> = {
  yaml: 'GitLab may still accept the pipeline; Pullguard checks nothing in it',
  toml: 'the runner may still load this configuration; Pullguard checks nothing in it',
  json: 'Docker and the runner may still read this file; Pullguard checks nothing in it',
};

/**
 * Reports each parse error of a YAML, TOML or JSON document.
 * @example `image: [node` → syntax/yaml at the missing `]`
 */
export function checkSyntaxErrors(language: 'yaml' | 'toml' | 'json', errors: readonly SyntaxError[], textLength: number): Finding[] {
  // A parser can report the same mistake once per open bracket (thousands for deep
  // nesting): one diagnostic per place and message is enough.
  const seen = new Set<string>();
  const unique = errors.filter((error) => {
    const key = `${error.offset}:${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.map((error) => {
    const offset = Math.min(Math.max(0, error.offset), textLength);
    const length = Math.max(0, Math.min(error.length, textLength - offset));
    const message = withoutQuotedSource(error.message);
    const sentence = /[.!?]$/.test(message) ? message : `${message}.`;
    // Past one of Pullguard's limits the file may be valid: what GitLab or the runner does with it is unknown here.
    const consequence = error.limit ? `${capitalize(LIMIT_CONSEQUENCE[language])}.` : `${capitalize(WHAT_HAPPENS[language])}.`;
    return { code: `syntax/${language}`, offset, length, message: `${sentence} ${consequence}` };
  });
}

/**
 * The message without the source text a parser quotes after it (the yaml library
 * appends the whole unexpected token, which can run to the end of the file and carry
 * credentials, quoted or not): the diagnostic's range already shows where it is.
 */
function withoutQuotedSource(message: string): string {
  return message
    .replace(/^(Not a YAML token|Block scalar header includes extra characters): [\s\S]*$/, '$1')
    .replace(/:\s*"(?:[^"\\]|\\.)*"\s*$/s, '');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
