/**
 * Docker's JSON wherever it is written: a whole `config.json`, a YAML scalar of any
 * style (`DOCKER_AUTH_CONFIG` in `variables:`), or the text after `=` of a runner
 * `environment` TOML string. The JSON text is decoded from the host's source token
 * with a map back to the exact host characters, so every JSON finding and hover
 * lands on what the user wrote, escapes included (STYLE: "Embedded JSON").
 */
import { parseJsonModel, type JsonModel } from '../parse/jsonModel';
import { decodeTomlString, type TomlString } from '../parse/tomlModel';
import type { YScalar } from '../parse/yamlModel';
import { decodeYamlScalar } from '../parse/yamlScalar';
import { SourceMap } from '../text/sourceMap';

export interface EmbeddedJson {
  /** The JSON text itself. */
  readonly text: string;
  /** JSON offsets → host document offsets. */
  readonly map: SourceMap;
  readonly model: JsonModel;
  /** Where the JSON is written: decides how an edit must be escaped. */
  readonly host: 'json' | 'yaml' | 'toml';
}

/** @param model the parse of `text`, when the caller has it already */
export function embedWholeJson(text: string, model: JsonModel = parseJsonModel(text)): EmbeddedJson {
  return { text, map: SourceMap.identity(0, text.length), model, host: 'json' };
}

export function embedYamlScalar(documentText: string, scalar: YScalar): EmbeddedJson {
  const { value, map } = decodeYamlScalar(documentText, scalar);
  return { text: value, map, model: parseJsonModel(value), host: 'yaml' };
}

/** The JSON after `NAME=` in a runner `environment` string. */
export function embedTomlEnvironmentValue(documentText: string, node: TomlString, valueStart: number): EmbeddedJson {
  const { value, map } = decodeTomlString(documentText, node);
  const text = value.slice(valueStart);
  const shifted = new SourceMap(map.segments
    .filter((segment) => segment.generatedEnd > valueStart || (segment.generatedStart === segment.generatedEnd && segment.generatedStart >= valueStart))
    .map((segment) => {
      const start = Math.max(segment.generatedStart, valueStart);
      const plain = segment.generatedEnd - segment.generatedStart === segment.sourceEnd - segment.sourceStart;
      // A plain segment cut at the `=` keeps its one-to-one mapping; an escape maps whole.
      const sourceStart = plain ? segment.sourceStart + (start - segment.generatedStart) : segment.sourceStart;
      return { generatedStart: start - valueStart, generatedEnd: segment.generatedEnd - valueStart, sourceStart, sourceEnd: segment.sourceEnd };
    }));
  return { text, map: shifted, model: parseJsonModel(text), host: 'toml' };
}

/** Maps a JSON span to a host span (at least one character wide). */
export function toHost(embedded: EmbeddedJson, offset: number, length: number): { offset: number; length: number } {
  const span = embedded.map.spanToSource(offset, offset + length);
  return { offset: span.start, length: Math.max(1, span.end - span.start) };
}
