/**
 * What the two model builders (over the YAML package's tree, and the fast parser) do
 * alike, so that they build the same model: the problems they report themselves (the
 * YAML package leaves them to us: keys defined twice in one map, aliases of no anchor),
 * worded and placed the same, how a `<<` value becomes a map's merges, and strings
 * that do not hold on to the text they were read from.
 */
import type { YMap, YNode, YPair, YScalar, YamlSyntaxError } from './yamlModel';

/**
 * V8 makes a slice of 13 characters or more a view into the string it was cut from,
 * which then stays in memory as long as the slice does. An incremental parse keeps the
 * nodes of the entries an edit did not touch (yamlModel.ts), so a value sliced from the
 * text of version 1 would keep that whole text alive, and each edit elsewhere one more
 * version: on a 5,000-job pipeline (1.4 MB) the heap grew by about the text's size per
 * edit. The strings the model keeps are made copies instead: the concatenation is
 * flattened into a new string when sliced, and the slice is of that.
 */
export function detached<T>(value: T): T {
  if (typeof value !== 'string' || value.length < 13) return value;
  return (' ' + value).slice(1) as T;
}

/** The maps a `<<` value merges into `map`: a map, or the maps of a sequence (anything else merges nothing). */
export function addMerges(map: YMap, value: YNode | undefined): void {
  if (value?.kind === 'map') map.merges.push(value);
  else if (value?.kind === 'seq') for (const item of value.items) if (item.kind === 'map') map.merges.push(item);
}

export function duplicateKeyError(key: YScalar): YamlSyntaxError {
  return {
    offset: key.start,
    length: Math.max(1, key.end - key.start),
    message: `Map keys must be unique; \`${String(key.value)}\` is defined again here, and this definition replaces the earlier one`,
  };
}

export function unknownAliasError(name: string, start: number, end: number): YamlSyntaxError {
  return { offset: start, length: Math.max(1, end - start), message: `The alias \`*${name}\` refers to no anchor defined before it` };
}

/** Adds an error for each key defined again in `pairs`: linear for the small maps that make up most of a pipeline, a set for large ones. */
export function reportDuplicateKeys(pairs: readonly YPair[], errors: YamlSyntaxError[]): void {
  if (pairs.length <= 16) {
    for (let i = 1; i < pairs.length; i++) {
      for (let j = 0; j < i; j++) {
        if (pairs[j]!.key.value === pairs[i]!.key.value) {
          errors.push(duplicateKeyError(pairs[i]!.key));
          break;
        }
      }
    }
    return;
  }
  const seen = new Set<unknown>();
  for (const { key } of pairs) {
    if (seen.has(key.value)) errors.push(duplicateKeyError(key));
    seen.add(key.value);
  }
}
