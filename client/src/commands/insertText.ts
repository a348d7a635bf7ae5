/**
 * Docker's JSON written into the file at the cursor, escaped for where it lands
 * (SPEC §1, embedded JSON): a YAML scalar in a `.gitlab-ci.yml`, a TOML basic string
 * in a runner's `environment`, or plain JSON. Pure: text in, text out.
 */

import { escapeTomlBasic, escapeYamlSingleQuoted } from '../../../server/src/service/text/stringStyles';

export const AUTH_VARIABLE = 'DOCKER_AUTH_CONFIG';

export type InsertTarget = 'yaml' | 'toml' | 'json';

/** Where the JSON goes, from the editor's language; anything else gets plain JSON. */
export function getInsertTarget(languageId: string): InsertTarget {
  if (languageId === 'yaml' || languageId === 'dockercompose') return 'yaml';
  if (languageId === 'toml') return 'toml';
  return 'json';
}

/**
 * A YAML single-quoted scalar: JSON never needs a YAML escape there except `'`,
 * written `''`, and `$` is left alone (GitLab expands variables in `variables:`
 * values, but base64 and registry names have no `$`).
 */
export function toYamlScalar(json: string): string {
  return `'${escapeYamlSingleQuoted(json)}'`;
}

/**
 * A TOML basic string holding `DOCKER_AUTH_CONFIG=<json>` as one `environment`
 * entry. `\` and `"` are escaped for TOML, control characters as `\uXXXX`, and `$`
 * is doubled: the runner expands variables in every `environment` entry
 * (REFERENCE §4, rule auth/dollar-expansion).
 */
export function toTomlEnvironmentString(json: string): string {
  // A function, not the string '$$': in a replacement string `$$` stands for one `$`.
  return `"${AUTH_VARIABLE}=${escapeTomlBasic(json.replaceAll('$', () => '$$'))}"`;
}

/** The text before the cursor on its line. */
function lineBefore(text: string, offset: number): string {
  return text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset);
}

/** Whether the cursor is inside an `environment = [ … ]` array that is not closed yet. */
function insideEnvironmentArray(text: string, offset: number): boolean {
  const before = text.slice(0, offset);
  const matches = [...before.matchAll(/^[ \t]*environment[ \t]*=[ \t]*\[/gm)];
  const last = matches[matches.length - 1];
  if (!last) return false;
  // Strings are taken out first, so a `]` inside an entry does not close the array.
  const rest = before.slice(last.index! + last[0].length).replace(/"(?:\\.|[^"\\\n])*"|'[^'\n]*'/g, '""');
  return !rest.includes(']');
}

/** The table the line at `offset` belongs to (`runners` for `[[runners]]`), or '' before any header. */
function currentTomlTable(text: string, offset: number): { name: string; start: number } {
  const headers = [...text.slice(0, offset).matchAll(/^[ \t]*\[\[?[ \t]*([^\]\s]+)[ \t]*\]\]?/gm)];
  const last = headers[headers.length - 1];
  return last ? { name: last[1]!, start: last.index! } : { name: '', start: 0 };
}

/**
 * Why the JSON cannot be inserted at the cursor, or undefined when it can. Only TOML has
 * such places: an `environment` array belongs directly under a `[[runners]]` table, and a
 * runner that has one already needs the entry inside it (a second `environment =` is a
 * duplicate key).
 */
export function getInsertProblem(target: InsertTarget, text: string, offset: number): string | undefined {
  if (target !== 'toml' || insideEnvironmentArray(text, offset)) return undefined;
  const before = lineBefore(text, offset);
  const emptyLine = before.trim() === '' && (text.slice(offset).split('\n', 1)[0] ?? '').trim() === '';
  if (!emptyLine) return 'Put the cursor inside the `environment = [ … ]` array of a `[[runners]]` table, or on an empty line of a `[[runners]]` table that has no `environment` yet.';
  const table = currentTomlTable(text, offset);
  if (table.name !== 'runners') return `The cursor is in \`[${table.name || 'the top level'}]\`, where an \`environment\` means nothing to the runner: put it on an empty line of a \`[[runners]]\` table, or inside its \`environment\` array.`;
  const nextHeader = text.slice(offset).search(/^[ \t]*\[/m);
  const section = text.slice(table.start, nextHeader === -1 ? text.length : offset + nextHeader);
  if (/^[ \t]*environment[ \t]*=/m.test(section)) return 'This runner already has an `environment` array: put the cursor inside it, after the last entry\'s comma.';
  return undefined;
}

/**
 * The text to insert at `offset` of `text` for `json` and the target:
 * - YAML: after `DOCKER_AUTH_CONFIG:` the scalar; on an empty line the whole
 *   `DOCKER_AUTH_CONFIG: '…'` pair; elsewhere the scalar.
 * - TOML: inside an open `environment = [` array the string entry; on an empty line
 *   the whole `environment = ["DOCKER_AUTH_CONFIG=…"]`; elsewhere the string.
 * - JSON: the JSON as it is (indented when the document is empty).
 */
export function getTextToInsert(json: string, target: InsertTarget, text: string, offset: number): string {
  const before = lineBefore(text, offset);
  const emptyLine = before.trim() === '' && (text.slice(offset).split('\n', 1)[0] ?? '').trim() === '';
  switch (target) {
    case 'yaml':
      if (new RegExp(`${AUTH_VARIABLE}[ \\t]*:[ \\t]*$`).test(before)) return `${/:$/.test(before) ? ' ' : ''}${toYamlScalar(json)}`;
      if (emptyLine) return `${AUTH_VARIABLE}: ${toYamlScalar(json)}`;
      return toYamlScalar(json);
    case 'toml':
      if (insideEnvironmentArray(text, offset)) return toTomlEnvironmentString(json);
      if (emptyLine) return `environment = [${toTomlEnvironmentString(json)}]`;
      return toTomlEnvironmentString(json);
    case 'json':
      return text.trim() === '' ? `${JSON.stringify(JSON.parse(json), null, 2)}\n` : json;
  }
}

/** How the target is named in the user's choice ("Insert at cursor as a YAML scalar"). */
export function describeTarget(target: InsertTarget): string {
  switch (target) {
    case 'yaml':
      return 'as a YAML scalar';
    case 'toml':
      return 'as a TOML string for `environment`';
    case 'json':
      return 'as JSON';
  }
}
