/**
 * Writes the grammar test cases of test/grammar/cases/ (vscode-tmgrammar-test format).
 *
 * Each case is a source line and the assertions under it, given as [needle, nth, scopes]:
 * the marker `^` spans the nth occurrence of needle in the line, so columns are computed,
 * not counted by hand. Run `node --import tsx test/grammar/cases.ts` after editing; the
 * generated files are committed and are what the `grammar` suite runs.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const E = 'meta.embedded.docker-auth-config.json';
const P = 'support.type.property-name.json';
const S = 'string.quoted.double.json';
const D = 'constant.character.escape.dollar.docker-auth-config';

type Check = readonly [needle: string, nth: number, scopes: string];
type Line = string | readonly [line: string, checks: readonly Check[]];

function marker(comment: string, line: string, needle: string, nth: number, scopes: string): string {
  let start = -1;
  for (let i = 0; i <= nth; i++) {
    start = line.indexOf(needle, start + 1);
    assert.ok(start !== -1, `${JSON.stringify(needle)} occurs fewer than ${nth + 1} times in ${JSON.stringify(line)}`);
  }
  if (start < comment.length) {
    // A marker under the comment character: `<-` counts columns from the line start.
    assert.equal(start, 0, `${line} / ${needle}`);
    return `${comment} <${'-'.repeat(needle.length)} ${scopes}`;
  }
  return `${comment}${' '.repeat(start - comment.length)}${'^'.repeat(needle.length)} ${scopes}`;
}

function write(name: string, comment: string, header: readonly [scope: string, title: string], body: readonly Line[]): void {
  const out = [`${comment} SYNTAX TEST "${header[0]}" "${header[1]}"`];
  for (const item of body) {
    const [line, checks] = typeof item === 'string' ? [item, []] : item;
    out.push(line);
    for (const [needle, nth, scopes] of checks) out.push(marker(comment, line, needle, nth, scopes));
  }
  writeFileSync(join(__dirname, 'cases', name), `${out.join('\n')}\n`);
}

write('yaml-single.test.yml', '#', ['source.yaml', 'DOCKER_AUTH_CONFIG as a YAML single-quoted scalar'], [
  'variables:',
  [`  DOCKER_AUTH_CONFIG: '{"auths": {"registry.example.com": {"auth": "dTpw"}}, "x": 1, "y": true, "p": "a$$b"}'`, [
    ['DOCKER_AUTH_CONFIG', 0, 'entity.name.tag.yaml'],
    ["'", 0, 'punctuation.definition.string.begin.yaml'],
    ['{', 0, `${E} punctuation.definition.dictionary.begin.json`],
    ['"auths"', 0, P],
    [':', 1, 'punctuation.separator.dictionary.key-value.json'],
    ['"registry.example.com"', 0, P],
    ['"dTpw"', 0, `${S} - ${P}`],
    [',', 0, 'punctuation.separator.dictionary.pair.json'],
    ['1', 0, 'constant.numeric.json'],
    ['true', 0, 'constant.language.json'],
    ['$$', 0, D],
    ["'", 1, `punctuation.definition.string.end.yaml - ${E}`],
  ]],
  [`  OTHER: '{"auths": {}}'`, [[`'{"auths": {}}'`, 0, `- ${E}`], ['"auths"', 0, `- ${P}`]]],
  [`  # DOCKER_AUTH_CONFIG: '{"auths": {}}'`, [['DOCKER_AUTH_CONFIG', 0, 'comment.line.number-sign.yaml'], ['"auths"', 0, `- ${P}`]]],
  'job:',
  [`  variables: {DOCKER_AUTH_CONFIG: '{"it''s": 1}'}`, [['{', 1, 'punctuation.definition.dictionary.begin.json'], ["''", 0, 'constant.character.escape.single-quote.yaml']]],
  [`  script: ["echo 'DOCKER_AUTH_CONFIG: {}'"]`, [['DOCKER_AUTH_CONFIG', 0, `- ${E}`], ['DOCKER_AUTH_CONFIG', 0, '- entity.name.tag.yaml']]],
]);

write('yaml-double.test.yml', '#', ['source.yaml', 'DOCKER_AUTH_CONFIG as a YAML double-quoted scalar with escaped quotes'], [
  'variables:',
  [String.raw`  DOCKER_AUTH_CONFIG: "{\"auths\": {\"registry.example.com\": {\"auth\": \"dTpw\"}}}"`, [
    ['"', 0, 'punctuation.definition.string.begin.yaml'],
    ['{', 0, `${E} punctuation.definition.dictionary.begin.json`],
    [String.raw`\"auths\"`, 0, P],
    [':', 1, 'punctuation.separator.dictionary.key-value.json'],
    [String.raw`\"registry.example.com\"`, 0, P],
    [String.raw`\"dTpw\"`, 0, `${S} - ${P}`],
    ['}', 2, 'punctuation.definition.dictionary.end.json'],
    ['"', 9, `punctuation.definition.string.end.yaml - ${E}`],
  ]],
  ['  NEXT: "plain"', [['NEXT', 0, `- ${E}`]]],
]);

write('yaml-block.test.yml', '#', ['source.yaml', 'DOCKER_AUTH_CONFIG as a YAML literal block scalar'], [
  'variables:',
  ['  DOCKER_AUTH_CONFIG: |', [['DOCKER_AUTH_CONFIG', 0, 'entity.name.tag.yaml'], ['|', 0, 'keyword.control.flow.block-scalar.yaml']]],
  ['    {', [['{', 0, `${E} punctuation.definition.dictionary.begin.json`]]],
  ['      "auths": {', [['"auths"', 0, P]]],
  '',
  ['        "registry.example.com": {"auth": "dTpw"}', [['"registry.example.com"', 0, P], ['"dTpw"', 0, S]]],
  '      }',
  ['    }', [['}', 0, 'punctuation.definition.dictionary.end.json']]],
  ['  AFTER: "x"', [['AFTER', 0, `- ${E}`]]],
  'build:',
  ['  script: ["echo"]', [['script', 0, `- ${E}`]]],
]);

write('toml.test.toml', '#', ['source.toml', 'DOCKER_AUTH_CONFIG entries of a runner environment in every TOML string style'], [
  '[[runners]]',
  [String.raw`  environment = ["A=1", "DOCKER_AUTH_CONFIG={\"auths\": {\"registry.example.com\": {\"auth\": \"dTpw\"}}}", "B=$$x"]`, [
    ['"A=1"', 0, `- ${E}`],
    ['"', 2, 'punctuation.definition.string.begin.toml'],
    ['DOCKER_AUTH_CONFIG', 0, 'variable.other.environment.toml'],
    ['=', 2, 'keyword.operator.assignment.toml'],
    ['{', 0, `${E} punctuation.definition.dictionary.begin.json`],
    [String.raw`\"auths\"`, 0, P],
    [String.raw`\"dTpw\"`, 0, `${S} - ${P}`],
    ['"', 11, `punctuation.definition.string.end.toml - ${E}`],
    ['"B=$$x"', 0, `- ${E}`],
  ]],
  [`  environment = ['DOCKER_AUTH_CONFIG={"auths": {"registry.example.com": {"password": "pa$$word"}}}']`, [
    ["'", 0, 'punctuation.definition.string.begin.toml'],
    ['{', 0, 'punctuation.definition.dictionary.begin.json'],
    ['"auths"', 0, P],
    ['$$', 0, D],
    ["'", 1, `punctuation.definition.string.end.toml - ${E}`],
  ]],
  [`  environment = ["""DOCKER_AUTH_CONFIG={"auths": {"r.example.com": {"auth": "dTpw"}}}"""]`, [
    ['DOCKER_AUTH_CONFIG', 0, 'variable.other.environment.toml'],
    ['"auths"', 0, P],
    ['"dTpw"', 0, S],
  ]],
  '  environment = ["""',
  ['DOCKER_AUTH_CONFIG={"auths": {"registry.example.com": {"auth": "dTpw"}}}', [
    ['DOCKER_AUTH_CONFIG', 0, 'variable.other.environment.toml'],
    ['"auths"', 0, P],
    ['"dTpw"', 0, S],
  ]],
  ['"""]', [['"""', 0, `- ${E}`]]],
  [String.raw`  # "DOCKER_AUTH_CONFIG={\"auths\": {}}"`, [['DOCKER_AUTH_CONFIG', 0, 'comment.line.number-sign.toml'], [String.raw`\"auths\"`, 0, `- ${P}`]]],
  ['  name = "DOCKER_AUTH_CONFIG is mentioned"', [['DOCKER_AUTH_CONFIG', 0, `- ${E}`]]],
]);
