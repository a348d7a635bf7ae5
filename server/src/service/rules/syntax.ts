/**
 * syntax/* — parse errors, at the parser's position. They come first (STYLE:
 * syntax → structure → semantics); the other rules still run on what parsed.
 */
import type { Finding } from '../finding';

interface SyntaxError {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
}

const WHAT_HAPPENS: Readonly<Record<'yaml' | 'toml' | 'json', string>> = {
  yaml: 'GitLab rejects the pipeline until this is fixed',
  toml: 'the runner fails to load this configuration until this is fixed',
  json: 'Docker and the runner cannot read this file until this is fixed',
};

/**
 * Reports each parse error of a YAML, TOML or JSON document.
 * @example `image: [node` → syntax/yaml at the missing `]`
 */
export function checkSyntaxErrors(language: 'yaml' | 'toml' | 'json', errors: readonly SyntaxError[], textLength: number): Finding[] {
  return errors.map((error) => {
    const offset = Math.min(Math.max(0, error.offset), textLength);
    const length = Math.max(0, Math.min(error.length, textLength - offset));
    const sentence = /[.!?]$/.test(error.message) ? error.message : `${error.message}.`;
    return { code: `syntax/${language}`, offset, length, message: `${sentence} ${capitalize(WHAT_HAPPENS[language])}.` };
  });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
