/**
 * The JSON a command writes into a file, escaped for where it lands: parsed back with
 * a YAML and a TOML parser, it must be the JSON, unchanged.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import TOML from '@iarna/toml';
import { parse as parseYaml } from 'yaml';
import { getInsertProblem, getInsertTarget, getTextToInsert, toTomlEnvironmentString, toYamlScalar } from '../../../client/src/commands/insertText';
import { editorAt } from './fakeUi';

const JSON_TEXTS = [
  '{"auths":{"registry.example.com":{"auth":"dTpw"}}}',
  `{"auths":{"it's.example.com":{"auth":"dTpw"}}}`,
  '{"auths":{"r.example.com":{"username":"u","password":"p\\"q\\\\r$s\\n"}}}',
  '{"credHelpers":{"123456789012.dkr.ecr.eu-west-1.amazonaws.com":"ecr-login"}}',
];

function insertAt(textWithCursor: string, languageId: string, json: string): string {
  const editor = editorAt(textWithCursor, languageId);
  const inserted = getTextToInsert(json, getInsertTarget(languageId), editor.text, editor.offset);
  return editor.text.slice(0, editor.offset) + inserted + editor.text.slice(editor.offset);
}

/**
 * What the runner reads from a TOML `environment` entry, as Go `os.Expand` does it
 * (REFERENCE §3.3): `$$` is one `$`, and `$NAME` or `${NAME}` is a variable, unset
 * here, so it disappears.
 */
function runnerValue(entry: string): string {
  return entry.replace(/\$(\$|\{[^}]*\}|\w+)/g, (_, name: string) => (name === '$' ? '$' : ''));
}

describe('insert text for the target', () => {
  test('chooses YAML, TOML or JSON by the editor language', () => {
    assert.equal(getInsertTarget('yaml'), 'yaml');
    assert.equal(getInsertTarget('toml'), 'toml');
    assert.equal(getInsertTarget('json'), 'json');
    assert.equal(getInsertTarget('jsonc'), 'json');
    assert.equal(getInsertTarget('plaintext'), 'json');
  });

  for (const json of JSON_TEXTS) {
    test(`writes ${json} as a YAML scalar that parses back to the same JSON`, () => {
      assert.equal(parseYaml(`v: ${toYamlScalar(json)}\n`).v, json);
    });

    test(`writes ${json} as a TOML environment entry the runner reads as the same JSON`, () => {
      const parsed = TOML.parse(`environment = [${toTomlEnvironmentString(json)}]\n`) as { environment: string[] };
      assert.equal(runnerValue(parsed.environment[0]!), `DOCKER_AUTH_CONFIG=${json}`);
    });
  }

  test('after `DOCKER_AUTH_CONFIG:` inserts the scalar, with the space it needs', () => {
    const json = JSON_TEXTS[1]!;
    const withSpace = insertAt('variables:\n  DOCKER_AUTH_CONFIG: |\n', 'yaml', json);
    assert.equal(parseYaml(withSpace).variables.DOCKER_AUTH_CONFIG, json);
    const withoutSpace = insertAt('variables:\n  DOCKER_AUTH_CONFIG:|\n', 'yaml', json);
    assert.equal(parseYaml(withoutSpace).variables.DOCKER_AUTH_CONFIG, json);
  });

  test('on an empty line of a YAML map inserts the whole DOCKER_AUTH_CONFIG pair', () => {
    const text = insertAt('variables:\n  A: "1"\n  |\nbuild:\n  script: [make]\n', 'yaml', JSON_TEXTS[0]!);
    assert.deepEqual(parseYaml(text).variables, { A: '1', DOCKER_AUTH_CONFIG: JSON_TEXTS[0] });
  });

  test('inside an open TOML environment array inserts one string entry', () => {
    const text = insertAt('[[runners]]\n  environment = ["A=1", |]\n', 'toml', JSON_TEXTS[2]!);
    const parsed = TOML.parse(text) as unknown as { runners: Array<{ environment: string[] }> };
    assert.deepEqual(parsed.runners[0]!.environment.map(runnerValue), ['A=1', `DOCKER_AUTH_CONFIG=${JSON_TEXTS[2]}`]);
  });

  test('inside a multi-line TOML environment array with a `]` in an earlier entry still inserts one entry', () => {
    const text = insertAt('[[runners]]\n  environment = [\n    "A=[x]",\n    |\n  ]\n', 'toml', JSON_TEXTS[0]!);
    const parsed = TOML.parse(text) as unknown as { runners: Array<{ environment: string[] }> };
    assert.deepEqual(parsed.runners[0]!.environment, ['A=[x]', `DOCKER_AUTH_CONFIG=${JSON_TEXTS[0]}`]);
  });

  test('on an empty line of a TOML runner inserts a whole environment', () => {
    const text = insertAt('[[runners]]\n  executor = "docker"\n  |\n', 'toml', JSON_TEXTS[0]!);
    const parsed = TOML.parse(text) as unknown as { runners: Array<{ environment: string[] }> };
    assert.deepEqual(parsed.runners[0]!.environment, [`DOCKER_AUTH_CONFIG=${JSON_TEXTS[0]}`]);
  });

  test('into JSON inserts the JSON itself, indented when the document is empty', () => {
    assert.equal(insertAt('|', 'json', JSON_TEXTS[0]!), `${JSON.stringify(JSON.parse(JSON_TEXTS[0]!), null, 2)}\n`);
    assert.equal(insertAt('[|]', 'json', JSON_TEXTS[0]!), `[${JSON_TEXTS[0]}]`);
  });

  test('refuses TOML places where an environment entry would be wrong, and says where to put the cursor', () => {
    const problem = (textWithCursor: string) => {
      const editor = editorAt(textWithCursor, 'toml');
      return getInsertProblem('toml', editor.text, editor.offset);
    };
    assert.equal(problem('[[runners]]\n  executor = "docker"\n  |\n  [runners.docker]\n    image = "a"\n'), undefined);
    assert.equal(problem('[[runners]]\n  environment = ["A=1", |]\n'), undefined);
    assert.match(problem('[[runners]]\n  environment = ["A=1"]\n  |\n')!, /already has an `environment` array/);
    assert.match(problem('[[runners]]\n  |\n  environment = ["A=1"]\n')!, /already has an `environment` array/);
    assert.match(problem('[[runners]]\n  [runners.docker]\n    |\n')!, /`\[runners.docker\]`/);
    assert.match(problem('concurrent = 4\n|\n')!, /the top level/);
    assert.match(problem('[[runners]]\n  name = "x|"\n')!, /inside the `environment = \[ … \]` array/);
    // The next runner's environment is not this one's.
    assert.equal(problem('[[runners]]\n  |\n[[runners]]\n  environment = ["A=1"]\n'), undefined);
    for (const yamlOrJson of ['yaml', 'json'] as const) assert.equal(getInsertProblem(yamlOrJson, 'a: 1\n', 0), undefined);
  });
});
