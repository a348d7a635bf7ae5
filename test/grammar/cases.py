#!/usr/bin/env python3
"""Writes the grammar test cases of test/grammar/cases/ (vscode-tmgrammar-test format).

Each case is a source line and the assertions under it, given as (needle, nth, scopes):
the marker `^` spans the nth occurrence of needle in the line, so columns are computed,
not counted by hand. Run `python3 test/grammar/cases.py` after editing; the generated
files are committed and are what the `grammar` suite runs.
"""
from pathlib import Path

E = 'meta.embedded.docker-auth-config.json'
P = 'support.type.property-name.json'
S = 'string.quoted.double.json'
D = 'constant.character.escape.dollar.docker-auth-config'


def marker(comment, line, needle, nth, scopes):
    start = -1
    for _ in range(nth + 1):
        start = line.index(needle, start + 1)
    if start < len(comment):
        # A marker under the comment character: `<-` counts columns from the line start.
        assert start == 0, (line, needle)
        return f'{comment} <{"-" * len(needle)} {scopes}'
    return f'{comment}{" " * (start - len(comment))}{"^" * len(needle)} {scopes}'


def write(name, comment, header, body):
    out = [f'{comment} SYNTAX TEST "{header[0]}" "{header[1]}"']
    for item in body:
        line, checks = (item, []) if isinstance(item, str) else item
        out.append(line)
        for needle, nth, scopes in checks:
            out.append(marker(comment, line, needle, nth, scopes))
    Path(__file__).with_name('cases').joinpath(name).write_text('\n'.join(out) + '\n')


write('yaml-single.test.yml', '#', ('source.yaml', 'DOCKER_AUTH_CONFIG as a YAML single-quoted scalar'), [
    'variables:',
    ("""  DOCKER_AUTH_CONFIG: '{"auths": {"registry.example.com": {"auth": "dTpw"}}, "x": 1, "y": true, "p": "a$$b"}'""", [
        ('DOCKER_AUTH_CONFIG', 0, 'entity.name.tag.yaml'),
        ("'", 0, 'punctuation.definition.string.begin.yaml'),
        ('{', 0, f'{E} punctuation.definition.dictionary.begin.json'),
        ('"auths"', 0, P),
        (':', 1, 'punctuation.separator.dictionary.key-value.json'),
        ('"registry.example.com"', 0, P),
        ('"dTpw"', 0, f'{S} - {P}'),
        (',', 0, 'punctuation.separator.dictionary.pair.json'),
        ('1', 0, 'constant.numeric.json'),
        ('true', 0, 'constant.language.json'),
        ('$$', 0, D),
        ("'", 1, f'punctuation.definition.string.end.yaml - {E}'),
    ]),
    ("""  OTHER: '{"auths": {}}'""", [("'{\"auths\": {}}'", 0, f'- {E}'), ('"auths"', 0, f'- {P}')]),
    ("""  # DOCKER_AUTH_CONFIG: '{"auths": {}}'""", [('DOCKER_AUTH_CONFIG', 0, 'comment.line.number-sign.yaml'), ('"auths"', 0, f'- {P}')]),
    'job:',
    ("""  variables: {DOCKER_AUTH_CONFIG: '{"it''s": 1}'}""", [('{', 1, 'punctuation.definition.dictionary.begin.json'), ("''", 0, 'constant.character.escape.single-quote.yaml')]),
    ("""  script: ["echo 'DOCKER_AUTH_CONFIG: {}'"]""", [('DOCKER_AUTH_CONFIG', 0, f'- {E}'), ('DOCKER_AUTH_CONFIG', 0, '- entity.name.tag.yaml')]),
])

write('yaml-double.test.yml', '#', ('source.yaml', 'DOCKER_AUTH_CONFIG as a YAML double-quoted scalar with escaped quotes'), [
    'variables:',
    ('''  DOCKER_AUTH_CONFIG: "{\\"auths\\": {\\"registry.example.com\\": {\\"auth\\": \\"dTpw\\"}}}"''', [
        ('"', 0, 'punctuation.definition.string.begin.yaml'),
        ('{', 0, f'{E} punctuation.definition.dictionary.begin.json'),
        ('\\"auths\\"', 0, P),
        (':', 1, 'punctuation.separator.dictionary.key-value.json'),
        ('\\"registry.example.com\\"', 0, P),
        ('\\"dTpw\\"', 0, f'{S} - {P}'),
        ('}', 2, f'punctuation.definition.dictionary.end.json'),
        ('"', 9, f'punctuation.definition.string.end.yaml - {E}'),
    ]),
    ('  NEXT: "plain"', [('NEXT', 0, f'- {E}')]),
])

write('yaml-block.test.yml', '#', ('source.yaml', 'DOCKER_AUTH_CONFIG as a YAML literal block scalar'), [
    'variables:',
    ('  DOCKER_AUTH_CONFIG: |', [('DOCKER_AUTH_CONFIG', 0, 'entity.name.tag.yaml'), ('|', 0, 'keyword.control.flow.block-scalar.yaml')]),
    ('    {', [('{', 0, f'{E} punctuation.definition.dictionary.begin.json')]),
    ('      "auths": {', [('"auths"', 0, P)]),
    '',
    ('        "registry.example.com": {"auth": "dTpw"}', [('"registry.example.com"', 0, P), ('"dTpw"', 0, S)]),
    '      }',
    ('    }', [('}', 0, 'punctuation.definition.dictionary.end.json')]),
    ('  AFTER: "x"', [('AFTER', 0, f'- {E}')]),
    'build:',
    ('  script: ["echo"]', [('script', 0, f'- {E}')]),
])

write('toml.test.toml', '#', ('source.toml', 'DOCKER_AUTH_CONFIG entries of a runner environment in every TOML string style'), [
    '[[runners]]',
    ('''  environment = ["A=1", "DOCKER_AUTH_CONFIG={\\"auths\\": {\\"registry.example.com\\": {\\"auth\\": \\"dTpw\\"}}}", "B=$$x"]''', [
        ('"A=1"', 0, f'- {E}'),
        ('"', 2, 'punctuation.definition.string.begin.toml'),
        ('DOCKER_AUTH_CONFIG', 0, 'variable.other.environment.toml'),
        ('=', 2, 'keyword.operator.assignment.toml'),
        ('{', 0, f'{E} punctuation.definition.dictionary.begin.json'),
        ('\\"auths\\"', 0, P),
        ('\\"dTpw\\"', 0, f'{S} - {P}'),
        ('"', 11, f'punctuation.definition.string.end.toml - {E}'),
        ('"B=$$x"', 0, f'- {E}'),
    ]),
    ('''  environment = ['DOCKER_AUTH_CONFIG={"auths": {"registry.example.com": {"password": "pa$$word"}}}']''', [
        ("'", 0, 'punctuation.definition.string.begin.toml'),
        ('{', 0, 'punctuation.definition.dictionary.begin.json'),
        ('"auths"', 0, P),
        ('$$', 0, D),
        ("'", 1, f'punctuation.definition.string.end.toml - {E}'),
    ]),
    ('''  environment = ["""DOCKER_AUTH_CONFIG={"auths": {"r.example.com": {"auth": "dTpw"}}}"""]''', [
        ('DOCKER_AUTH_CONFIG', 0, 'variable.other.environment.toml'),
        ('"auths"', 0, P),
        ('"dTpw"', 0, S),
    ]),
    '  environment = ["""',
    ('DOCKER_AUTH_CONFIG={"auths": {"registry.example.com": {"auth": "dTpw"}}}', [
        ('DOCKER_AUTH_CONFIG', 0, 'variable.other.environment.toml'),
        ('"auths"', 0, P),
        ('"dTpw"', 0, S),
    ]),
    ('"""]', [('"""', 0, f'- {E}')]),
    ('''  # "DOCKER_AUTH_CONFIG={\\"auths\\": {}}"''', [('DOCKER_AUTH_CONFIG', 0, 'comment.line.number-sign.toml'), ('\\"auths\\"', 0, f'- {P}')]),
    ('  name = "DOCKER_AUTH_CONFIG is mentioned"', [('DOCKER_AUTH_CONFIG', 0, f'- {E}')]),
])
