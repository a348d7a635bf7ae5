/**
 * Robustness at the protocol level, against the real server process: hostile or
 * unusual documents and messages get an answer, correct UTF-16 positions, and leave
 * the server alive (a hover on a probe document still works after each).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Diagnostic, MarkupContent } from 'vscode-languageserver';
import { LspResponseError } from '../../bench/lspClient';
import {
  codesOf,
  describePublish,
  ensureServerBuilt,
  expected,
  messageText,
  positionIn,
  rangeOf,
  Session,
  Severity,
  sortSummaries,
  stopAllSessions,
  summarize,
  TempWorkspace,
  uriOf,
} from './harness';

const workspace = new TempWorkspace('pullguard-lsp-robustness-');
const root = workspace.folder('project');
const PROBE_TEXT = 'probe:\n  image: postgres\n  script: [x]\n';
const probeUri = uriOf(join(root, 'probe', '.gitlab-ci.yml'));
/** Large documents: the transfer alone takes seconds on a loaded machine. */
const LARGE_TIMEOUT_MS = 30_000;
let session: Session;
let documents = 0;
/** Log messages of the shared server before the current test. */
let logMark = 0;

before(async () => {
  ensureServerBuilt();
  session = await Session.start({ root });
  session.open(probeUri, PROBE_TEXT);
  await session.waitForCurrent(probeUri);
});
beforeEach(() => {
  logMark = session?.logMessages.length ?? 0;
});
after(async () => {
  await stopAllSessions();
  workspace.remove();
});

/** A new pipeline URI for each case, so publishes never mix. */
function nextUri(name = '.gitlab-ci.yml'): string {
  return uriOf(join(root, `case${++documents}`, name));
}

/** The server still answers a hover, has not crashed, and logged no error during this test. */
async function assertAlive(): Promise<void> {
  assert.ok(session.isAlive(), `the server process exited; stderr:\n${session.stderr()}`);
  const hover = await session.hover(probeUri, positionIn(PROBE_TEXT, 'postgres'));
  assert.ok(hover, 'a hover on the probe image after the case');
  assert.match((hover.contents as MarkupContent).value, /`library\/postgres`/);
  const errors = session.logMessages.slice(logMark).filter((m) => m.type === 1).map((m) => m.message);
  assert.deepEqual(errors, [], 'no errors logged by the server during the test');
}

/** An assert.rejects predicate: the server answered InvalidParams (-32602) naming the method and the problem. */
function invalidParams(method: string, problem: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof LspResponseError, String(error));
    assert.equal(error.code, -32602);
    assert.equal(error.message, `${method} failed (-32602): Pullguard cannot answer ${method}: ${problem}.`);
    return true;
  };
}

/** Lines as LSP counts them: split at `\r\n`, `\n` and `\r`. */
function lineLengths(text: string): number[] {
  return text.split(/\r\n|\r|\n/).map((line) => line.length);
}

/** Every range starts before it ends and lies inside the document. */
function assertRangesInside(text: string, diagnostics: readonly Diagnostic[]): void {
  const lengths = lineLengths(text);
  for (const { range, code } of diagnostics) {
    for (const position of [range.start, range.end]) {
      assert.ok(position.line >= 0 && position.line < lengths.length, `${code}: line ${position.line} of ${lengths.length}`);
      assert.ok(position.character >= 0 && position.character <= lengths[position.line]!, `${code}: character ${position.character} of line ${position.line} (length ${lengths[position.line]})`);
    }
    const ordered = range.start.line < range.end.line || (range.start.line === range.end.line && range.start.character <= range.end.character);
    assert.ok(ordered, `${code}: range ends before it starts: ${JSON.stringify(range)}`);
  }
}

/** Deterministic bytes (mulberry32), so a failure can be reproduced. */
function randomBytesAsText(length: number, seed: number): string {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(Math.floor(next() * 256));
  return text;
}

describe('unusual documents', () => {
  test('answers an empty pipeline with no diagnostics, then follows edits that fill it and empty it again', async () => {
    const uri = nextUri();
    session.open(uri, '');
    assert.deepEqual((await session.waitForCurrent(uri)).diagnostics, []);
    assert.equal(await session.hover(uri, { line: 0, character: 0 }), null);
    session.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'build:\n  image: redis\n' }]);
    const filled = await session.waitForCurrent(uri);
    assert.deepEqual(summarize(filled.diagnostics), [expected('image/latest-tag', rangeOf(session.text(uri), 'redis'), Severity.Warning)]);
    session.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } }, text: '' }]);
    assert.equal(session.text(uri), '');
    assert.deepEqual((await session.waitForCurrent(uri)).diagnostics, []);
    await assertAlive();
  });

  for (const [name, file] of [['.gitlab-ci.yml', 'syntax/yaml'], ['gitlab-runner/config.toml', 'syntax/toml'], ['.docker/config.json', 'syntax/json']] as const) {
    test(`answers random bytes with NUL, lone CR and unpaired surrogates in a ${name} with ${file} errors inside the document only`, async () => {
      const text = `${randomBytesAsText(4000, 7)}\u0000\ud800 image: Redis \udfff${randomBytesAsText(500, 11)}`;
      const uri = nextUri(name);
      session.open(uri, text, name.endsWith('.json') ? 'json' : name.endsWith('.toml') ? 'toml' : 'yaml');
      const published = await session.waitForCurrent(uri);
      assert.ok(published.diagnostics.length > 0, 'the garbage is reported');
      assert.deepEqual([...new Set(codesOf(published.diagnostics))], [file], describePublish(published));
      assertRangesInside(text, published.diagnostics);
      await assertAlive();
    });
  }

  test('answers a YAML alias bomb (billion laughs) used as variables, services and tags at once, quickly', async () => {
    const letters = 'abcdefghij';
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) lines.push(`${letters[i]}: &${letters[i]} [${Array(9).fill(`*${letters[i - 1]}`).join(',')}]`);
    const maps = ['.m0: &m0 {k0: lol, k1: lol, k2: lol, k3: lol, k4: lol, k5: lol, k6: lol, k7: lol, k8: lol}'];
    for (let i = 1; i < 10; i++) maps.push(`.m${i}: &m${i} {${Array.from({ length: 9 }, (_, j) => `k${j}: *m${i - 1}`).join(', ')}}`);
    const text = [...lines, ...maps, 'build:', '  image: redis', '  variables: *m9', '  services: *j', '  tags: *j', '  script: [x]', ''].join('\n');
    const uri = nextUri();
    const started = Date.now();
    session.open(uri, text);
    const published = await session.waitForCurrent(uri);
    assert.deepEqual(summarize(published.diagnostics), [expected('image/latest-tag', rangeOf(text, 'redis'), Severity.Warning)]);
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    await assertAlive();
  });

  test('answers a ~10 MB pipeline and reports the image on its last lines at the right line', async () => {
    const body = Array.from({ length: 130_000 }, (_, i) => `      echo "step ${i} ${'x'.repeat(60)}"`).join('\n');
    const text = `build:\n  image: redis:7\n  script:\n    - |\n${body}\nlast:\n  image: Node:20\n  script: [x]\n`;
    assert.ok(text.length > 10_000_000, `fixture is ${text.length} characters`);
    const uri = nextUri();
    session.open(uri, text);
    const published = await session.waitForDiagnostics(uri, { version: 1, timeoutMs: LARGE_TIMEOUT_MS });
    assert.deepEqual(summarize(published.diagnostics), sortSummaries([
      expected('image/not-pinned', rangeOf(text, '7', 'redis:'), Severity.Information),
      expected('image/uppercase-repository', rangeOf(text, 'Node', 'last:'), Severity.Error),
    ]));
    const hover = await session.hover(uri, positionIn(text, 'Node:20'));
    assert.deepEqual(hover?.range, rangeOf(text, 'Node:20'));
    const mark = session.mark();
    session.close(uri);
    assert.deepEqual((await session.waitForDiagnostics(uri, { after: mark })).diagnostics, []);
    await assertAlive();
  });

  test('answers a pipeline over 16 MiB with one syntax/yaml diagnostic at the start saying it is not analysed', async () => {
    const text = `build:\n  image: Redis\n${'# filler\n'.repeat(1_900_000)}`;
    assert.ok(text.length > 16 * 1024 * 1024);
    const uri = nextUri();
    session.open(uri, text);
    const published = await session.waitForDiagnostics(uri, { version: 1, timeoutMs: LARGE_TIMEOUT_MS });
    const zero = { line: 0, character: 0 };
    assert.deepEqual(summarize(published.diagnostics), [expected('syntax/yaml', { start: zero, end: zero }, Severity.Error)]);
    assert.match(messageText(published.diagnostics[0]!), /larger than 16 MiB/);
    const mark = session.mark();
    session.close(uri);
    await session.waitForDiagnostics(uri, { after: mark });
    await assertAlive();
  });
});

describe('line ends and UTF-16 columns', () => {
  test('reports exact ranges in a document with CRLF line ends, before and after an edit', async () => {
    const text = 'build:\r\n  image: redis\r\n  services:\r\n    - Postgres:16\r\n  script: [x]\r\n\tbad: 1\r\ntest:\r\n  image: node:20\r\n';
    const uri = nextUri();
    session.open(uri, text);
    const published = await session.waitForCurrent(uri);
    assert.deepEqual(summarize(published.diagnostics), sortSummaries([
      expected('image/latest-tag', rangeOf(text, 'redis'), Severity.Warning),
      expected('image/uppercase-repository', rangeOf(text, 'Postgres'), Severity.Error),
      expected('syntax/yaml', rangeOf(text, '\t'), Severity.Error),
      expected('image/not-pinned', rangeOf(text, '20', 'node:'), Severity.Information),
    ]));
    assert.deepEqual((await session.hover(uri, positionIn(text, 'node:20')))?.range, rangeOf(text, 'node:20'));

    session.replace(uri, 'redis', 'redis:7.4');
    const edited = await session.waitForCurrent(uri);
    const current = session.text(uri);
    assert.deepEqual(summarize(edited.diagnostics).filter((d) => d.code.startsWith('image/not-pinned')), sortSummaries([
      expected('image/not-pinned', rangeOf(current, '7.4'), Severity.Information),
      expected('image/not-pinned', rangeOf(current, '20', 'node:'), Severity.Information),
    ]));
    await assertAlive();
  });

  test('counts a BOM, accented letters and emoji before an image on the same line in UTF-16 code units', async () => {
    const text = '\uFEFFbuild: {variables: {GREETING: "héllo 😀 café"}, image: Redis, script: [x]}\n"jöb 😀": {script: ["echo 🚀"], image: "alpine:😀"}\n';
    const uri = nextUri();
    session.open(uri, text);
    const published = await session.waitForCurrent(uri);
    const redis = rangeOf(text, 'Redis');
    assert.equal(redis.start.character, text.indexOf('Redis'), 'the expected column counts the BOM and each emoji as two units');
    assert.deepEqual(summarize(published.diagnostics), sortSummaries([
      expected('image/uppercase-repository', redis, Severity.Error),
      expected('image/invalid-tag', rangeOf(text, '😀', 'alpine:'), Severity.Error),
    ]));
    const hover = await session.hover(uri, positionIn(text, 'Redis'));
    assert.deepEqual(hover?.range, redis);
    await assertAlive();
  });
});

describe('unusual messages', () => {
  test('answers an unknown request with MethodNotFound and stays alive', async () => {
    await assert.rejects(session.client.request('pullguard/noSuchRequest', {}), (error: unknown) => error instanceof LspResponseError && error.code === -32601);
    session.client.notify('pullguard/noSuchNotification', { x: 1 });
    await assertAlive();
  });

  test('survives changes, closes and hovers for documents that were never opened', async () => {
    const uri = nextUri();
    session.client.didChange(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }]);
    session.client.didClose(uri);
    assert.equal(await session.hover(uri, { line: 0, character: 0 }), null);
    await assertAlive();
  });

  test('opens, hovers and closes files whose URIs have no local path (a network share, an escaped slash) and stays alive', async () => {
    // Node cannot map these to a path here: `fileURLToPath` throws for them (closing one took the server down).
    for (const uri of ['file://fileserver/share/ci/.gitlab-ci.yml', `${uriOf(join(root, 'escaped'))}/a%2Fb/.gitlab-ci.yml`]) {
      session.open(uri, PROBE_TEXT);
      const published = await session.waitForCurrent(uri);
      assert.ok(codesOf(published.diagnostics).includes('image/latest-tag'), describePublish(published));
      assert.ok(await session.hover(uri, positionIn(PROBE_TEXT, 'postgres')), `a hover in ${uri}`);
      session.close(uri);
    }
    await assertAlive();
  });

  test('a workspace folder on a network share (a URI with no local path) is left out, and the other folders work', async () => {
    const own = await Session.start({ root: workspace.folder('beside-a-share'), otherFolderUris: ['file://fileserver/share'] });
    const uri = uriOf(join(workspace.folder('beside-a-share'), '.gitlab-ci.yml'));
    own.open(uri, PROBE_TEXT);
    assert.ok(codesOf((await own.waitForCurrent(uri)).diagnostics).includes('image/latest-tag'));
    assert.equal(await own.stop(), 0);
  });

  test('answers a hover with a position far outside the document, or with no position at all', async () => {
    assert.equal(await session.hover(probeUri, { line: 10_000, character: 10_000 }), null);
    await assert.rejects(session.client.request('textDocument/hover', { textDocument: { uri: probeUri } }), invalidParams('textDocument/hover', 'params.position must be an object'));
    assert.ok(session.isAlive());
    assert.ok(await session.hover(probeUri, positionIn(PROBE_TEXT, 'postgres')));
  });

  test('answers requests whose params are malformed with InvalidParams naming the field, and stays alive', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['textDocument/hover', null, 'params must be an object'],
      ['textDocument/hover', { textDocument: { uri: probeUri }, position: { line: -1, character: 0 } }, 'params.position.line must be an integer of 0 or more'],
      ['textDocument/codeAction', { textDocument: { uri: probeUri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } }, 'params.context must be an object'],
      ['textDocument/codeAction', { textDocument: { uri: probeUri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, context: { diagnostics: [{ message: 'x' }] } }, 'params.context.diagnostics[0].range must be an object'],
      ['textDocument/diagnostic', { textDocument: { uri: 7 } }, 'params.textDocument.uri must be a string'],
      ['pullguard/explainImage', { textDocument: { uri: probeUri }, position: 'start' }, 'params.position must be an object'],
      ['pullguard/documentKind', {}, 'params.textDocument must be an object'],
      ['pullguard/pinImage', null, 'params must be an object'],
      ['pullguard/pinAllImages', [], 'params must be an object'],
      ['pullguard/checkAccess', { textDocument: { uri: probeUri }, offset: 'start' }, 'params.offset must be an integer of 0 or more'],
    ];
    for (const [method, params, problem] of cases) {
      await assert.rejects(session.client.request(method, params as object), invalidParams(method, problem), `${method} ${JSON.stringify(params)}`);
    }
    // Well-formed, the same requests are answered.
    assert.equal(await session.client.request('pullguard/documentKind', { textDocument: { uri: probeUri } }), 'gitlab-ci');
    await assertAlive();
  });

  test('drops notifications whose params are malformed with a warning naming the field, and stays alive', async () => {
    const uri = nextUri();
    const cases: Array<[string, unknown, string]> = [
      // A number for the URI stopped the server before these were checked.
      ['textDocument/didOpen', { textDocument: { uri: 3, languageId: 'yaml', version: 1, text: PROBE_TEXT } }, 'params.textDocument.uri must be a string'],
      ['textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1 } }, 'params.textDocument.text must be a string'],
      ['textDocument/didChange', { textDocument: { uri: probeUri, version: 9 }, contentChanges: null }, 'params.contentChanges must be an array'],
      ['textDocument/didChange', { textDocument: { uri: probeUri, version: 9 }, contentChanges: [{ range: { start: { line: 0 } }, text: 'x' }] }, 'params.contentChanges[0].range.start.character must be an integer of 0 or more'],
      ['textDocument/didClose', null, 'params must be an object'],
      ['workspace/didChangeWatchedFiles', { changes: [{ uri: probeUri, type: 7 }] }, 'params.changes[0].type must be one of 1, 2, 3'],
      ['workspace/didChangeConfiguration', null, 'params must be an object'],
    ];
    for (const [method, params] of cases) session.client.notify(method, params as object);
    // Messages are handled in order: the warnings come before this answer.
    const hover = await session.hover(probeUri, positionIn(PROBE_TEXT, 'postgres'));
    assert.ok(hover, 'the probe is unchanged by the dropped change');
    const warnings = session.logMessages.slice(logMark).filter((m) => m.type === 2).map((m) => m.message);
    assert.deepEqual(warnings, cases.map(([method, , problem]) => `Pullguard ignored a ${method} notification: ${problem}.`));
    // The document whose open was dropped is not open: opened properly now, it is analysed.
    session.open(uri, PROBE_TEXT);
    assert.ok(codesOf((await session.waitForCurrent(uri)).diagnostics).includes('image/latest-tag'));
    await assertAlive();
  });

  test('reads a malformed initialize leniently: a warning per problem, and the well-formed folder still indexed', async () => {
    const folder = workspace.folder('malformed-initialize');
    writeFileSync(join(folder, '.gitlab-ci.yml'), 'build:\n  image: registry.example.com/app:1.0\n  script: [make]\n');
    const own = await Session.start({
      root: folder,
      initializeParamsOverride: { capabilities: null, workspaceFolders: [{ uri: 5, name: 'bad' }, { uri: uriOf(folder), name: 'good' }] },
    });
    const registries = (await own.client.request('pullguard/workspaceRegistries', {})) as Array<{ registry: string }>;
    assert.deepEqual(registries.map((r) => r.registry), ['registry.example.com']);
    const warnings = own.logMessages.filter((m) => m.type === 2).map((m) => m.message);
    assert.deepEqual(warnings, [
      "Pullguard: the editor's initialize request is malformed, and that part of it is ignored: params.capabilities must be an object.",
      "Pullguard: the editor's initialize request is malformed, and that part of it is ignored: params.workspaceFolders[0].uri must be a string.",
    ]);
    assert.equal(await own.stop(), 0);
  });

  test('edits whose ranges are reversed, past line ends or past the last line give what the same text opened fresh gives', async () => {
    const uri = nextUri();
    session.open(uri, 'build:\n  image: node:20\n  script: [make]\n.tpl: &tpl\n  image: postgres\ntest:\n  <<: *tpl\n');
    await session.waitForCurrent(uri);
    let seed = 1; // fails against the library's update alone (seeds 1–3 do; 11 does not)
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const texts = ['', 'x', '\n', '  image: $X\n', 'job:\n  image: alpine\n', '<<: *tpl', '&a ', ':', '- '];
    for (let edit = 1; edit <= 40; edit++) {
      const lines = session.text(uri).split('\n').length;
      const a = { line: random(lines + 4), character: random(60) };
      const b = { line: random(lines + 4), character: random(60) };
      session.change(uri, [{ range: random(3) === 0 ? { start: b, end: a } : { start: a, end: b }, text: texts[random(texts.length)]! }]);
      const edited = await session.waitForCurrent(uri);
      const freshUri = `${uri}.fresh${edit}.gitlab-ci.yml`;
      session.open(freshUri, session.text(uri));
      const fresh = await session.waitForCurrent(freshUri);
      session.close(freshUri);
      assert.deepEqual(sortSummaries(summarize(edited.diagnostics)), sortSummaries(summarize(fresh.diagnostics)), `after edit ${edit}: ${JSON.stringify(session.text(uri))}`);
      assertRangesInside(session.text(uri), edited.diagnostics);
    }
    await assertAlive();
  });

  test('a change that keeps the version number (LSP forbids it) is still checked, published and hovered with the new text', async () => {
    const uri = nextUri();
    const text = 'build:\n  image: node:20.1.0\n  script: [x]\n';
    session.client.didOpen(uri, 'yaml', text, 5);
    const opened = await session.client.waitForDiagnostics(uri, { version: 5 });
    assert.ok(!codesOf(opened.diagnostics).includes('image/latest-tag'));
    const published = session.client.waitForNotification('textDocument/publishDiagnostics', (p) => (p as { uri: string }).uri === uri);
    session.client.didChange(uri, 5, [{ text: text.replace('node:20.1.0', 'alpine') }]);
    assert.ok(codesOf(((await published) as { diagnostics: Diagnostic[] }).diagnostics).includes('image/latest-tag'));
    const hover = await session.hover(uri, { line: 1, character: 10 });
    assert.match((hover?.contents as MarkupContent).value, /`alpine`/);
    session.client.didClose(uri);
    await assertAlive();
  });

  test('a document opened again without a close, with another text and the same version, is checked with the new text', async () => {
    const uri = nextUri();
    session.client.didOpen(uri, 'yaml', 'build:\n  image: node:20.1.0\n  script: [x]\n', 1);
    assert.ok(!codesOf((await session.client.waitForDiagnostics(uri, { version: 1 })).diagnostics).includes('image/latest-tag'));
    const published = session.client.waitForNotification('textDocument/publishDiagnostics', (p) => (p as { uri: string }).uri === uri);
    session.client.didOpen(uri, 'yaml', 'build:\n  image: alpine\n  script: [x]\n', 1);
    assert.ok(codesOf(((await published) as { diagnostics: Diagnostic[] }).diagnostics).includes('image/latest-tag'));
    session.client.didClose(uri);
    await assertAlive();
  });

  test('closing and re-opening a document with version 1 again analyses the new text, not a cached one', async () => {
    const uri = nextUri();
    session.open(uri, 'build:\n  image: redis\n');
    await session.waitForCurrent(uri);
    session.close(uri);
    const mark = session.mark();
    const text = 'build:\n  image: Redis:1\n';
    session.open(uri, text);
    const published = await session.waitForDiagnostics(uri, { after: mark, version: 1 });
    assert.deepEqual(summarize(published.diagnostics), [expected('image/uppercase-repository', rangeOf(text, 'Redis'), Severity.Error)]);
    await assertAlive();
  });
});

/**
 * Documents that once took the server down (or would, if a regression came back) run
 * on a server of their own, killed afterwards, so a hang cannot spoil the other tests.
 */
/** Runs `run` against a fresh server on its own folder, killed afterwards. */
async function onOwnServer(run: (own: Session, uri: string) => Promise<void>): Promise<void> {
  const folder = workspace.folder(`own${++documents}`);
  const own = await Session.start({ root: folder });
  try {
    await run(own, uriOf(join(folder, '.gitlab-ci.yml')));
  } finally {
    own.kill();
  }
}

describe('documents that could keep the server busy', () => {
  test('answers an alias bomb used as a job script quickly', async () => {
    await onOwnServer(async (own, uri) => {
      const letters = 'abcdefghi';
      const lines = ['a: &a ["echo lol","echo lol","echo lol","echo lol","echo lol","echo lol","echo lol","echo lol","echo lol"]'];
      for (let i = 1; i < 9; i++) lines.push(`${letters[i]}: &${letters[i]} [${Array(9).fill(`*${letters[i - 1]}`).join(',')}]`);
      const text = [...lines, 'build:', '  image: redis', '  script: *i', ''].join('\n');
      own.open(uri, text);
      const published = await own.waitForDiagnostics(uri, { version: 1, timeoutMs: 10_000 });
      assert.deepEqual(codesOf(published.diagnostics), ['image/latest-tag']);
    });
  });

  test('answers a merge-key bomb (<< of nine aliases, eleven levels deep) quickly', async () => {
    await onOwnServer(async (own, uri) => {
      const lines = ['.t0: &t0 {variables: {A: x}}'];
      for (let i = 1; i < 11; i++) lines.push(`.t${i}: &t${i}\n  <<: [${Array(9).fill(`*t${i - 1}`).join(', ')}]`);
      const text = [...lines, 'build:', '  <<: *t10', '  image: redis', '  script: [x]', ''].join('\n');
      own.open(uri, text);
      const published = await own.waitForDiagnostics(uri, { version: 1, timeoutMs: 10_000 });
      assert.deepEqual(codesOf(published.diagnostics), ['image/latest-tag']);
    });
  });
});

describe('regressions', () => {
  test('keeps checking the images of a pipeline whose templates extend the same template many times over', async () => {
    await onOwnServer(async (own, uri) => {
      const lines = ['.t0:', '  variables: {A: x}'];
      for (let i = 1; i < 8; i++) lines.push(`.t${i}:`, `  extends: [${Array(9).fill(`.t${i - 1}`).join(', ')}]`);
      const text = [...lines, 'build:', '  extends: .t7', '  image: $NOPE', '  script: [x]', ''].join('\n');
      own.open(uri, text);
      const published = await own.waitForDiagnostics(uri, { version: 1, timeoutMs: 5_000 });
      assert.deepEqual(summarize(published.diagnostics), [expected('image/undefined-variable', rangeOf(text, '$NOPE'), Severity.Warning)]);
      assert.deepEqual(own.errorLogs(), []);
    });
  });
});
