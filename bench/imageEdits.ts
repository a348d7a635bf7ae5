/**
 * The edits the benchmark makes to a generated pipeline: retyping the value of an
 * `image:` line, on lines spread evenly through the file. bench.ts sends them to the
 * server; profile.ts makes the same ones in process.
 */
import type { Range } from 'vscode-languageserver-types';

/** The written value of an `image: <scalar>` line (aliases, tags and hash forms excluded). */
export interface ImageValue {
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

export function imageValueOn(lines: readonly string[], line: number): ImageValue | undefined {
  const match = /^(\s*image: )([^!*&{\s].*?)\s*$/.exec(lines[line]!);
  return match ? { line, start: match[1]!.length, end: match[1]!.length + match[2]!.length } : undefined;
}

/** `count` image lines spread evenly from the top to the bottom of the file. */
export function spreadImageLines(lines: readonly string[], count: number): number[] {
  const candidates: number[] = [];
  for (let line = 0; line < lines.length; line++) if (imageValueOn(lines, line)) candidates.push(line);
  if (candidates.length === 0) throw new Error('The generated pipeline has no `image:` lines to edit.');
  return Array.from({ length: count }, (_, k) => candidates[Math.floor(((k + 0.5) * candidates.length) / count)]!);
}

export function lineRange(value: ImageValue): Range {
  return { start: { line: value.line, character: value.start }, end: { line: value.line, character: value.end } };
}

/**
 * Retypes the image value on `line` (of `lines`, which is updated) to a name not seen
 * before, ending in `suffix`: the change as an editor sends it.
 */
export function retypeImage(lines: string[], line: number, suffix: string): { range: Range; text: string } {
  const value = imageValueOn(lines, line);
  if (!value) throw new Error(`Line ${line + 1} has no plain \`image:\` value to retype.`);
  const text = `registry.example.com:5000/group/${suffix}`;
  lines[line] = lines[line]!.slice(0, value.start) + text + lines[line]!.slice(value.end);
  return { range: lineRange(value), text };
}
