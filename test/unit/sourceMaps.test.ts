import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseYamlModel, getValue, type YScalar } from '../../server/src/service/parse/yamlModel';
import { decodeYamlScalar } from '../../server/src/service/parse/yamlScalar';
import { decodeTomlString } from '../../server/src/service/parse/tomlModel';
import { parseRunnerConfig } from '../../server/src/service/model/runnerModel';
import { expandVariables } from '../../server/src/service/variables';
import { SourceMap } from '../../server/src/service/text/sourceMap';

function yamlValue(text: string): YScalar {
  const root = parseYamlModel(text).root;
  assert.ok(root?.kind === 'map');
  const value = getValue(root, 'v');
  assert.ok(value?.kind === 'scalar');
  return value;
}

/** Decodes `v:` of `text` and returns the source text behind `needle` in the decoded value. */
function sourceOf(text: string, needle: string): { value: string; source: string } {
  const scalar = yamlValue(text);
  const { value, map } = decodeYamlScalar(text, scalar);
  const at = value.indexOf(needle);
  assert.notEqual(at, -1, `${JSON.stringify(needle)} not in ${JSON.stringify(value)}`);
  const span = map.spanToSource(at, at + needle.length);
  return { value, source: text.slice(span.start, span.end) };
}

describe('YAML scalar decoding keeps a map to the source', () => {
  const cases: Array<{ name: string; text: string; needle: string; source: string }> = [
    { name: 'maps a plain scalar one to one', text: 'v: registry.example.com/team/app:1\n', needle: 'team', source: 'team' },
    { name: 'maps across a folded plain scalar', text: 'v: first\n  second\n', needle: 'second', source: 'second' },
    { name: "maps a single-quoted '' escape to both quotes", text: "v: 'it''s here'\n", needle: "'s", source: "''s" },
    { name: 'maps a double-quoted \\" escape to its two characters', text: 'v: "a\\"b"\n', needle: '"b', source: '\\"b' },
    { name: 'maps a \\u escape to its six characters', text: 'v: "x\\u0041y"\n', needle: 'Ay', source: '\\u0041y' },
    { name: 'maps a \\\\ escape', text: 'v: "a\\\\b"\n', needle: '\\b', source: '\\\\b' },
    { name: 'maps an escaped line break in a double-quoted scalar', text: 'v: "abc\\\n  def"\n', needle: 'def', source: 'def' },
    { name: 'maps a literal block line by line', text: 'v: |\n  {"auths":\n    {"a": 1}}\n', needle: '{"a"', source: '{"a"' },
    { name: 'maps a folded block line by line', text: 'v: >\n  first\n  second\n', needle: 'second', source: 'second' },
    { name: 'maps a block with a keep indicator', text: 'v: |+\n  abc\n\n', needle: 'abc', source: 'abc' },
    { name: 'maps a block with CRLF line ends', text: 'v: |\r\n  abc\r\n  def\r\n', needle: 'def', source: 'def' },
  ];
  for (const { name, text, needle, source } of cases) {
    test(name, () => {
      const decoded = sourceOf(text, needle);
      assert.equal(decoded.value, yamlValue(text).value, 'decoded value differs from the YAML parser');
      assert.equal(decoded.source, source);
    });
  }
});

describe('TOML string decoding keeps a map to the source', () => {
  function tomlSource(value: string, needle: string): { value: string; source: string } {
    const text = `[[runners]]\n  [runners.docker]\n    image = ${value}\n`;
    const node = parseRunnerConfig(text).runners[0]!.dockerImage!;
    const decoded = decodeTomlString(text, node);
    const at = decoded.value.indexOf(needle);
    const span = decoded.map.spanToSource(at, at + needle.length);
    return { value: decoded.value, source: text.slice(span.start, span.end) };
  }
  const cases: Array<{ name: string; value: string; needle: string; expected: string; source: string }> = [
    { name: 'maps a basic string', value: '"a/b:1"', needle: 'b:1', expected: 'a/b:1', source: 'b:1' },
    { name: 'maps a \\" escape', value: '"a\\"b"', needle: '"b', expected: 'a"b', source: '\\"b' },
    { name: 'maps a \\U escape', value: '"\\U00000041b"', needle: 'Ab', expected: 'Ab', source: '\\U00000041b' },
    { name: 'keeps backslashes of a literal string', value: "'a\\b'", needle: '\\b', expected: 'a\\b', source: '\\b' },
    { name: 'drops the first newline of a multi-line string', value: '"""\nabc"""', needle: 'abc', expected: 'abc', source: 'abc' },
    { name: 'maps across a line-ending backslash', value: '"""ab\\\n   cd"""', needle: 'bcd', expected: 'abcd', source: 'b\\\n   cd' },
  ];
  for (const { name, value, needle, expected, source } of cases) {
    test(name, () => {
      const decoded = tomlSource(value, needle);
      assert.equal(decoded.value, expected);
      assert.equal(decoded.source, source);
    });
  }
});

describe('variable expansion keeps a map to the written name', () => {
  const lookup = {
    get: (name: string) => (name === 'KNOWN' ? { value: 'value', origin: 'literal' as const } : undefined),
  };
  test('expands $VAR and ${VAR} and maps each back to what was written', () => {
    const expansion = expandVariables('a/$KNOWN:${KNOWN}', lookup);
    assert.equal(expansion.text, 'a/value:value');
    assert.deepEqual(expansion.uses.map((u) => [u.name, u.start, u.end]), [['KNOWN', 2, 8], ['KNOWN', 9, 17]]);
    const span = expansion.map.spanToSource(2, 7);
    assert.deepEqual(span, { start: 2, end: 8 });
  });
  test('expands an undefined variable to nothing, mapped to the whole reference', () => {
    const expansion = expandVariables('$MISSING/app', lookup);
    assert.equal(expansion.text, '/app');
    assert.deepEqual(expansion.map.spanToSource(0, 0), { start: 0, end: 8 });
  });
  test('turns $$ into a literal dollar', () => {
    assert.equal(expandVariables('a$$b', lookup).text, 'a$b');
  });
});

describe('a source map moved by an edit before its source', () => {
  // Escapes (segments of unequal lengths), plain runs and an empty expansion all move alike.
  const text = 'v: "a\\"b\\u0041c"\n';
  const { value, map } = decodeYamlScalar(text, yamlValue(text));
  const expanded = expandVariables('$UNSET/x', { get: () => undefined });

  test('answers as a map built with every source offset moved', () => {
    for (const delta of [7, -3]) {
      const moved = map.moved(delta);
      const rebuilt = new SourceMap(map.segments.map((s) => ({ ...s, sourceStart: s.sourceStart + delta, sourceEnd: s.sourceEnd + delta })));
      assert.deepEqual(moved.segments, rebuilt.segments);
      for (let at = 0; at <= value.length; at++) {
        assert.equal(moved.toSource(at, 'start'), rebuilt.toSource(at, 'start'), `start bias at ${at}`);
        assert.equal(moved.toSource(at, 'end'), rebuilt.toSource(at, 'end'), `end bias at ${at}`);
        for (let end = at; end <= value.length; end++) assert.deepEqual(moved.spanToSource(at, end), rebuilt.spanToSource(at, end));
      }
    }
  });

  test('moves an empty expansion with the rest', () => {
    assert.deepEqual(expanded.map.moved(10).spanToSource(0, 0), { start: 10, end: 16 });
  });

  test('answers for an empty map as an empty map does, moved or not', () => {
    const empty = new SourceMap([]);
    assert.equal(empty.moved(9).toSource(0), empty.toSource(0));
    assert.deepEqual(empty.moved(9).spanToSource(0, 0), empty.spanToSource(0, 0));
  });

  test('moves again from where it was moved to, and stays itself when not moved', () => {
    assert.deepEqual(map.moved(5).moved(-2).segments, map.moved(3).segments);
    assert.equal(map.moved(0), map);
  });
});
