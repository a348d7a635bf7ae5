/**
 * A distinct password or token planted in every place a credential can be written —
 * YAML plain, single-quoted, double-quoted, literal and folded scalars; TOML basic,
 * literal, multi-line basic and multi-line literal strings; config.json `auth`,
 * `password`, `identitytoken` and `registrytoken` — must appear in nothing the product
 * emits: diagnostics (every field), hovers at every offset, code action titles,
 * edits and commands, the same for every truncation of the files (so syntax error
 * messages are covered), and the CLI's output in every format, `explain` and
 * `auth decode`, and its error messages. Checked in plain, base64 (alone and as
 * `user:secret`) and URL-encoded forms, and for plain-text fragments of 8 characters.
 *
 * Two outputs carry the user's own credential on purpose and are exempt: the
 * move-to-variable action's command (it copies the user's JSON to the clipboard),
 * and the trailing-newline fix's edit (it writes the corrected `auth` in place).
 * test/unit/secrets.test.ts and test/lsp/credentials.test.ts cover fewer places;
 * test/lsp/security/secretsTrace.test.ts covers the server's messages at trace level.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction } from 'vscode-languageserver-types';
import { main } from '../../../server/src/cli/main';
import { LanguageService, type AnalysisContext } from '../../../server/src/service/languageService';
import { FILE_NAMES, makeContext, type Kind } from '../../helpers/analyze';
import { makeTree } from '../../helpers/cli';
import { assertNoSecret, auth, b64, CONFIG, PIPELINE, RUNNER, SECRETS } from './plantedSecrets';

const MOVE_TO_VARIABLE = 'Move `DOCKER_AUTH_CONFIG` to a CI/CD variable';

/** A code action as it must be free of secrets: the exempt parts blanked. */
function scannable(action: CodeAction): unknown {
  if (action.title === MOVE_TO_VARIABLE) return { ...action, command: { ...action.command, arguments: ['(the user\'s JSON, copied to the clipboard)'] } };
  if (action.diagnostics?.some((d) => d.code === 'auth/trailing-newline') && action.diagnostics.length === 1) return { ...action, edit: '(the corrected auth, written in place)' };
  return action;
}

const FILES: ReadonlyArray<[Kind, string]> = [['gitlab-ci', PIPELINE], ['runner-config', RUNNER], ['docker-config', CONFIG]];
const WORKSPACE = { [FILE_NAMES['gitlab-ci']]: PIPELINE, [FILE_NAMES['runner-config']]: RUNNER, [FILE_NAMES['docker-config']]: CONFIG };

/** Diagnostics, hovers at every `step`-th offset, and code actions of `text`: everything the core emits for it. */
function emitted(kind: Kind, text: string, context: AnalysisContext, step: number): Array<[string, string]> {
  const service = new LanguageService((family, error) => {
    throw new Error(`the ${family} rules failed: ${String(error)}`);
  });
  const document = TextDocument.create(FILE_NAMES[kind], 'plaintext', 1, text);
  const diagnostics = service.doValidation(document, context);
  const out: Array<[string, string]> = [['diagnostics', JSON.stringify(diagnostics)]];
  for (let offset = 0; offset <= text.length; offset += step) {
    out.push([`hover at ${offset}`, JSON.stringify(service.doHover(document, document.positionAt(offset), context))]);
  }
  const whole = { start: { line: 0, character: 0 }, end: document.positionAt(text.length) };
  out.push(['code actions on the whole file', JSON.stringify(service.doCodeActions(document, whole, { diagnostics }, context).map(scannable))]);
  for (const diagnostic of diagnostics) {
    const actions = service.doCodeActions(document, diagnostic.range, { diagnostics: [diagnostic] }, context);
    out.push([`code actions for ${String(diagnostic.code)}`, JSON.stringify(actions.map(scannable))]);
  }
  return out;
}

describe('planted secrets in every place', () => {
  test('the fixtures hold every secret, each in its place', () => {
    for (const secret of [SECRETS.yamlPlain, SECRETS.yamlDouble, SECRETS.yamlLiteral, SECRETS.yamlFolded]) assert.ok(PIPELINE.includes(secret));
    assert.ok(PIPELINE.includes(auth(SECRETS.yamlSingle)));
    for (const secret of [SECRETS.tomlBasic, SECRETS.tomlMultiBasic, SECRETS.tomlMultiLiteral]) assert.ok(RUNNER.includes(secret));
    assert.ok(RUNNER.includes(auth(SECRETS.tomlLiteral)));
    for (const secret of [SECRETS.jsonPassword, SECRETS.jsonIdentity, SECRETS.jsonRegistry]) assert.ok(CONFIG.includes(secret));
    assert.ok(CONFIG.includes(auth(SECRETS.jsonAuth)));
  });

  for (const [kind, text] of FILES) {
    for (const [label, options] of [['alone', {}], ['in a workspace with the other two files', { workspace: WORKSPACE }]] as const) {
      test(`${kind} ${label}: no secret in diagnostics, hovers at every offset, code actions`, () => {
        const context = makeContext(options);
        const out = emitted(kind, text, context, 1);
        assert.ok(JSON.parse(out[0]![1]).length > 3, 'the credential rules ran');
        for (const [what, output] of out) assertNoSecret(`${kind} ${what}`, output);
      });
    }

    test(`${kind} truncated at every offset: no secret in any diagnostic, hover or code action`, () => {
      const context = makeContext({ workspace: WORKSPACE });
      for (let length = 0; length < text.length; length++) {
        // Hovers and actions at a coarser step: the diagnostics carry the syntax error messages.
        for (const [what, output] of emitted(kind, text.slice(0, length), context, 211)) assertNoSecret(`${kind} cut at ${length}: ${what}`, output);
      }
    });

    test(`${kind} with one character deleted anywhere in it: no secret in any diagnostic`, () => {
      const context = makeContext({ workspace: WORKSPACE });
      for (let at = 0; at < text.length; at++) {
        const service = new LanguageService(() => {});
        const edited = text.slice(0, at) + text.slice(at + 1);
        assertNoSecret(`${kind} without character ${at}`, JSON.stringify(service.doValidation(TextDocument.create(FILE_NAMES[kind], 'plaintext', 1, edited), context)));
      }
    });
  }
});

describe('planted secrets and the CLI', () => {
  const root = makeTree({ '.gitlab-ci.yml': PIPELINE, 'gitlab-runner/config.toml': RUNNER, '.docker/config.json': CONFIG });

  async function cli(argv: readonly string[], stdin = ''): Promise<{ code: number; output: string }> {
    const lines: string[] = [];
    const code = await main(argv, root, { out: (t) => lines.push(t), err: (t) => lines.push(t), readStdin: async () => stdin });
    return { code, output: lines.join('\n') };
  }

  for (const format of ['text', 'json', 'sarif', 'codequality']) {
    test(`the analysis in ${format} format`, async () => {
      const { output } = await cli(['--format', format]);
      assert.match(output, /auth\//);
      assertNoSecret(`${format} output`, output);
    });
  }

  for (const [image, job] of [['registry.example.com/team/app:1.0', 'build'], ['registry.example.com:5000/team/app:2.0', 'test'], ['registry.example.com/ops/deploy:3', 'deploy'], ['docker.io/library/redis:7', 'build']] as const) {
    for (const format of ['text', 'json']) {
      test(`explain ${image} for job ${job} in ${format} format`, async () => {
        const { output } = await cli(['explain', image, '--file', '.gitlab-ci.yml', '--job', job, '--runner-config', 'gitlab-runner/config.toml', '--docker-config', '.docker/config.json', '--format', format]);
        assert.ok(output.length > 0);
        assertNoSecret(`explain ${image} (${format})`, output);
      });
    }
  }

  test('auth decode of the config.json shows usernames and masked secrets only', async () => {
    const { code, output } = await cli(['auth', 'decode'], CONFIG);
    assert.equal(code, 1, 'exit 1: one password ends in a newline');
    assert.match(output, /username: ci-user/);
    assert.match(output, /ends with a newline/);
    assertNoSecret('auth decode', output);
  });

  test('auth decode of each DOCKER_AUTH_CONFIG of the pipeline and the runner config', async () => {
    const values = [
      `{"auths": {"registry.example.com": {"auth": "${auth(SECRETS.yamlSingle)}"}}}`,
      `{"auths": {"a": {"username": "u", "password": "${SECRETS.yamlDouble}"}, "b": {"identitytoken": "${SECRETS.yamlLiteral}", "registrytoken": "${SECRETS.yamlFolded}"}}}`,
      `{"auths": {"a": {"auth": "${auth(SECRETS.tomlLiteral)}", "password": "${SECRETS.tomlBasic}"}}}`,
    ];
    for (const value of values) {
      const { output } = await cli(['auth', 'decode'], value);
      assertNoSecret('auth decode', output);
    }
  });

  test('auth decode of broken input: the error messages quote no secret', async () => {
    const broken = [
      `{"auths": {"a": {"auth": "${auth(SECRETS.jsonAuth)}!"}}}`,
      `{"auths": {"a": {"auth": "${b64(SECRETS.jsonAuth)}"}}}`,
      `{"auths": {"a": {"password": "${SECRETS.jsonPassword}"}} trailing`,
      `{"auths": {"a": {"password": "${SECRETS.jsonPassword}`,
      `{"auths": {"a": {"identitytoken": ${SECRETS.jsonIdentity}}}}`,
      `${SECRETS.jsonRegistry}`,
      `"${auth(SECRETS.jsonNewline)}"`,
    ];
    for (const input of broken) {
      const { output } = await cli(['auth', 'decode'], input);
      assertNoSecret(`auth decode of ${JSON.stringify(input.slice(0, 30))}…`, output);
    }
  });

  test('files named on the command line with syntax errors around secrets', async () => {
    const tree = makeTree({
      'a.gitlab-ci.yml': PIPELINE.replace('"}, "bad', '" "bad'),
      'config.toml': RUNNER.replace('"]\n  [runners.docker]', '\n  [runners.docker]'),
      'b/config.json': CONFIG.replace(`"${SECRETS.jsonIdentity}"`, SECRETS.jsonIdentity),
    });
    const lines: string[] = [];
    await main(['a.gitlab-ci.yml', 'config.toml', 'b/config.json', '--format', 'json'], tree, { out: (t) => lines.push(t), err: (t) => lines.push(t), readStdin: async () => '' });
    const output = lines.join('\n');
    assert.match(output, /syntax\//);
    assertNoSecret('CLI output for broken files', output);
  });

  test('bad usage of --var does not echo the value, which may be a secret', async () => {
    for (const argument of [`=${SECRETS.yamlPlain}`, SECRETS.yamlPlain]) {
      const { code, output } = await cli(['--var', argument]);
      assert.equal(code, 2);
      assert.match(output, /--var expects NAME=VALUE/);
      assertNoSecret('--var usage error', output);
    }
  });
});
