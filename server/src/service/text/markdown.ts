/**
 * Inline Markdown for messages and hovers: names, values and lists written as code
 * spans, so a value is never read as formatting.
 */

/** `text` as a code span; a backtick inside would end a single-backtick span early. */
export function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** `a`, `b` and `c`: each value as a code span, joined as a sentence would. */
export function list(values: readonly string[], conjunction = 'and'): string {
  const quoted = values.map(code);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} ${conjunction} ${quoted[quoted.length - 1]}`;
}
