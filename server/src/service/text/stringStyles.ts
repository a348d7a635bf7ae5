/**
 * Text written inside a YAML or TOML string of a given style: the escapes each style
 * needs. Used by the quick fixes that edit JSON inside a host string (codeActions.ts)
 * and by the client command that inserts a new `DOCKER_AUTH_CONFIG` at the cursor.
 */

const YAML_DOUBLE_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r' };
const TOML_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\b': '\\b', '\f': '\\f' };

/** Inside a YAML double-quoted scalar. */
export function escapeYamlDoubleQuoted(text: string): string {
  return text.replace(/[\\"\x00-\x1f\x7f]/g, (ch) => YAML_DOUBLE_ESCAPES[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Inside a YAML single-quoted scalar, on one line: `'` is written `''`, nothing else is escaped. */
export function escapeYamlSingleQuoted(text: string): string {
  return text.replace(/'/g, "''");
}

/** Inside a TOML basic string: `\`, `"` and control characters escaped. */
export function escapeTomlBasic(text: string): string {
  return text.replace(/[\\"\x00-\x1f\x7f]/g, (ch) => TOML_ESCAPES[ch] ?? tomlUnicodeEscape(ch));
}

/** Inside a TOML multi-line basic string, between `before` and `after`: quotes only where they could make or touch a `"""`. */
export function escapeTomlMultilineBasic(text: string, before: string, after: string): string {
  return text.replace(/[\\"\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (ch, i: number) => {
    if (ch === '"' && (text[i - 1] ?? before) !== '"' && (text[i + 1] ?? after) !== '"') return ch;
    return TOML_ESCAPES[ch] ?? tomlUnicodeEscape(ch);
  });
}

function tomlUnicodeEscape(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
