/**
 * syntax/yaml, syntax/toml, syntax/json (SPEC §1 "syntax/*"): parse errors at the
 * parser's exact position, and the semantic rules still running on every part of
 * the file that parsed.
 *
 * Expected positions are computed from the fixture with indexOf: `at` is the text
 * the diagnostic starts at (the first occurrence after `after`, or the last
 * occurrence when `last` is set); `covers`, when given, is the exact text its
 * range covers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { analyze, findingsOf, type Kind } from '../helpers/analyze';

interface Expected {
  /** The text the diagnostic starts at; `''` means the end of the file. */
  readonly at: string;
  readonly after?: string;
  readonly last?: boolean;
  readonly covers?: string;
}

interface Case {
  readonly name: string;
  readonly content: string;
  /** Every syntax diagnostic of the file, in order. */
  readonly expected: readonly Expected[];
}

const CODES: Readonly<Record<Kind, string>> = {
  'gitlab-ci': 'syntax/yaml',
  'runner-config': 'syntax/toml',
  'docker-config': 'syntax/json',
};

function offsetOf(content: string, { at, after, last }: Expected): number {
  if (at === '') return content.length;
  const from = after === undefined ? 0 : content.indexOf(after) + after.length;
  assert.ok(after === undefined || from >= after.length, `fixture has no \`${after}\``);
  const offset = last ? content.lastIndexOf(at) : content.indexOf(at, from);
  assert.notEqual(offset, -1, `fixture has no \`${at}\``);
  return offset;
}

/** The 0-based line and UTF-16 character of `offset`. */
function positionAt(content: string, offset: number): { line: number; character: number } {
  const before = content.slice(0, offset);
  return { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) };
}

const SYNTAX_CASES: Readonly<Record<Kind, readonly Case[]>> = {
  'gitlab-ci': [
    {
      name: 'reports an alias to an anchor defined nowhere on the alias',
      content: 'build:\n  image: *missing\n  script: [make]\n',
      expected: [{ at: '*missing', covers: '*missing' }],
    },
    {
      name: 'reports a key defined twice in one job on the second key',
      content: 'build:\n  image: node:20\n  script: [make]\n  image: node:22\n',
      expected: [{ at: 'image', last: true, covers: 'image' }],
    },
    {
      name: 'reports a compact nested mapping on its inner key',
      content: 'build:\n  image: node:20\n  when: on: success\n',
      expected: [{ at: 'on: success' }],
    },
    {
      name: 'reports an unclosed flow sequence where the next key begins',
      content: 'build:\n  image: node:20\n  script: [make\n  when: manual\n',
      expected: [{ at: 'when' }],
    },
    {
      name: 'reports a key indented less than its siblings on that line',
      content: 'build:\n  image: node:20\n script: [make]\n',
      expected: [{ at: ' script' }],
    },
    {
      name: 'reports an unterminated double-quoted string at the end of the file',
      content: 'build:\n  image: node:20\n  script: "make\n',
      expected: [{ at: '', covers: '' }],
    },
    {
      name: 'does not report a file without errors',
      content: 'build:\n  image: node:20\n  script: [make]\n',
      expected: [],
    },
  ],
  'runner-config': [
    {
      name: 'reports a bare word as a value on the word',
      content: '[[runners]]\n  executor = docker\n',
      expected: [{ at: 'docker' }],
    },
    {
      name: 'reports a key defined twice on the second key',
      content: '[[runners]]\n  name = "a"\n  name = "b"\n',
      expected: [{ at: 'name', last: true }],
    },
    {
      name: 'reports a second value on one line where it starts',
      content: 'concurrent = 1 2\n',
      expected: [{ at: '2' }],
    },
    {
      name: 'reports an unterminated string at the end of its line',
      content: '[[runners]]\n  name = \'docker\n  executor = "docker"\n',
      expected: [{ at: '\n', after: '\'docker' }],
    },
    {
      name: 'reports every bad line, each where it is wrong',
      content: '[[runners]]\n  executor = docker\n  [runners.docker]\n    privileged = tru\n',
      expected: [{ at: 'docker' }, { at: 'tru' }],
    },
    {
      name: 'does not report a file without errors',
      content: '[[runners]]\n  executor = "docker"\n',
      expected: [],
    },
  ],
  'docker-config': [
    {
      name: 'reports a missing comma on the entry that follows',
      content: '{\n  "auths": {\n    "a.example.com": {}\n    "b.example.com": {}\n  }\n}\n',
      expected: [{ at: '"b.example.com"', covers: '"b.example.com"' }],
    },
    {
      name: 'reports a comment, which Docker\'s decoder rejects, on the comment',
      content: '{\n  // registry login\n  "auths": {}\n}\n',
      expected: [{ at: '// registry login', covers: '// registry login' }],
    },
    {
      name: 'reports text after the top-level value on that text',
      content: '{"auths": {}} trailing',
      expected: [{ at: 'trailing', covers: 'trailing' }],
    },
    {
      name: 'reports a missing colon on the value after the key',
      content: '{"auths": {"a.example.com" {}}}',
      expected: [{ at: '{}' }, { at: '}', after: '{}}' }],
    },
    {
      name: 'reports an unclosed object at the end of the file',
      content: '{"auths": {}\n',
      expected: [{ at: '', covers: '' }],
    },
    {
      name: 'reports a raw control character inside a string on that string',
      content: '{"auths": {"a.example.com": {"auth": "abc\u0001"}}}',
      expected: [{ at: '"abc\u0001"', covers: '"abc\u0001"' }],
    },
    {
      name: 'does not report a file without errors',
      content: '{"auths": {"a.example.com": {}}}',
      expected: [],
    },
  ],
};

describe('syntax errors', () => {
  for (const [kind, cases] of Object.entries(SYNTAX_CASES) as Array<[Kind, readonly Case[]]>) {
    describe(CODES[kind], () => {
      for (const { name, content, expected } of cases) {
        test(name, () => {
          const found = analyze(kind, content).filter((f) => f.code === CODES[kind]);
          assert.deepEqual(
            found.map((f) => ({ line: f.line, character: f.character })),
            expected.map((e) => positionAt(content, offsetOf(content, e))),
          );
          expected.forEach((e, i) => {
            if (e.covers !== undefined) assert.equal(found[i]!.text, e.covers);
          });
        });
      }

      test('reports with severity error and a sentence saying what happens', () => {
        const [firstBroken] = cases.filter((c) => c.expected.length > 0);
        const found = analyze(kind, firstBroken!.content).filter((f) => f.code === CODES[kind]);
        assert.ok(found.length > 0);
        for (const f of found) {
          assert.equal(f.severity, DiagnosticSeverity.Error);
          assert.match(f.message, /\.$/);
          assert.equal(f.diagnostic.source, 'pullguard');
        }
      });
    });
  }

  test('every language has a case that fires and one that must not', () => {
    for (const [kind, cases] of Object.entries(SYNTAX_CASES)) {
      assert.ok(cases.some((c) => c.expected.length > 0), `${kind} has no firing case`);
      assert.ok(cases.some((c) => c.expected.length === 0), `${kind} has no near miss`);
    }
  });
});

describe('a trailing comma in a Docker config', () => {
  const CONTENT = '{\n  "auths": {\n    "registry.example.com": {},\n  }\n}\n';
  // Go's decoder stops at the `}` after the comma, and so does the parser.
  const BRACE = CONTENT.indexOf('}', CONTENT.indexOf('{},') + 3);

  test('is reported as syntax/json at the brace after the comma', () => {
    const found = analyze('docker-config', CONTENT).filter((f) => f.code === 'syntax/json');
    assert.ok(found.length > 0);
    for (const f of found) assert.deepEqual({ line: f.line, character: f.character, text: f.text }, { ...positionAt(CONTENT, BRACE), text: '}' });
  });

  test('is reported once', () => {
    assert.equal(findingsOf('docker-config', CONTENT, 'syntax/json').length, 1);
  });
});

describe('image rules on the rest of a broken file', () => {
  interface SemanticCase {
    readonly name: string;
    readonly kind: Kind;
    readonly content: string;
    readonly code: string;
    /** What the image rule's diagnostics cover, in order. */
    readonly expected: readonly string[];
  }

  const CASES: readonly SemanticCase[] = [
    {
      name: 'still reports the latest tag of another job when one job has a YAML error',
      kind: 'gitlab-ci',
      content: 'build:\n  image: node:20\n  when: on: success\n\ntest:\n  image: redis:latest\n  script: [make test]\n',
      code: 'image/latest-tag',
      expected: ['latest'],
    },
    {
      name: 'still reports the broken job\'s own image',
      kind: 'gitlab-ci',
      content: 'build:\n  image: node:20\n  when: on: success\n\ntest:\n  image: redis:latest\n  script: [make test]\n',
      code: 'image/not-pinned',
      expected: ['20'],
    },
    {
      name: 'still reports a job after an unclosed flow sequence',
      kind: 'gitlab-ci',
      content: 'build:\n  image: node:20\n  script: [make\n  when: manual\ntest:\n  image: Team/app:1\n  script: [make test]\n',
      code: 'image/uppercase-domain',
      expected: ['Team'],
    },
    {
      name: 'still reports a job written before a key defined twice',
      kind: 'gitlab-ci',
      content: 'test:\n  image: redis\n  script: [make]\nbuild:\n  image: node:20\n  image: node:22\n',
      code: 'image/latest-tag',
      expected: ['redis'],
    },
    {
      name: 'still reports the runner image after a bad TOML line',
      kind: 'runner-config',
      content: '[[runners]]\n  executor = docker\n  [runners.docker]\n    image = "redis:latest"\n',
      code: 'image/latest-tag',
      expected: ['latest'],
    },
    {
      name: 'still reports the runner image after two bad TOML lines',
      kind: 'runner-config',
      content: 'concurrent = 1 2\n[[runners]]\n  name = "a"\n  name = "b"\n  [runners.docker]\n    image = "Redis:7"\n',
      code: 'image/uppercase-repository',
      expected: ['Redis'],
    },
    {
      name: 'still reports a service image after a bad TOML line in its table',
      kind: 'runner-config',
      content: '[[runners]]\n  [runners.docker]\n    image = "ruby:3.3"\n    privileged = tru\n  [[runners.docker.services]]\n    name = "mysql:latest"\n',
      code: 'image/latest-tag',
      expected: ['latest'],
    },
  ];

  for (const { name, kind, content, code, expected } of CASES) {
    test(name, () => {
      const found = analyze(kind, content);
      assert.ok(found.some((f) => f.code === CODES[kind]), `the fixture has no ${CODES[kind]}: ${found.map((f) => f.code).join(', ')}`);
      assert.deepEqual(found.filter((f) => f.code === code).map((f) => f.text), expected);
    });
  }
});
