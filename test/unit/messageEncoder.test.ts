import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReusedBufferEncoder, ReusedJsonBuffer } from '../../server/src/messageEncoder';

/** What vscode-jsonrpc's own encoder writes. */
const standard = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

/** The same bytes; on a difference, where it is (a diff of megabytes would take minutes to print). */
function assertSameBytes(actual: Uint8Array, expected: Buffer): void {
  const bytes = Buffer.from(actual);
  if (bytes.equals(expected)) return;
  let at = 0;
  while (at < bytes.length && bytes[at] === expected[at]) at++;
  assert.fail(`${bytes.length} bytes where JSON.stringify gives ${expected.length}; first difference at ${at}: ${JSON.stringify(bytes.subarray(at, at + 40).toString())} instead of ${JSON.stringify(expected.subarray(at, at + 40).toString())}`);
}

function diagnostic(i: number, message = `\`image-${i}:1\` is not pinned to a digest.`) {
  return {
    range: { start: { line: i, character: 4 }, end: { line: i, character: 17 } },
    severity: 3,
    code: 'image/not-pinned',
    codeDescription: { href: 'https://example.com/docs/rules/image/not-pinned.md' },
    source: 'pullguard',
    message,
    data: { fix: 'pin-digest', image: `image-${i}:1` },
  };
}

function publish(diagnostics: unknown[], version = 7) {
  return { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///p/.gitlab-ci.yml', version, diagnostics } };
}

test('a large publish is encoded to exactly the bytes of JSON.stringify', () => {
  const message = publish(Array.from({ length: 3000 }, (_, i) => diagnostic(i)));
  assertSameBytes(new ReusedJsonBuffer().encode(message), standard(message));
});

test('text outside ASCII, surrogate pairs, lone surrogates and escapes are encoded as JSON.stringify does', () => {
  const messages = ['naïve › “quoted” — 日本語', '日'.repeat(30_000), 'emoji 🐳 at the end🐳', 'lone \ud800 high and \udc00 low', 'tab\tquote" backslash\\ newline\n nul\u0000', 'x'.repeat(40_000) + '🐳'];
  const message = publish(Array.from({ length: 600 }, (_, i) => diagnostic(i, messages[i % messages.length])));
  assertSameBytes(new ReusedJsonBuffer().encode(message), standard(message));
});

test('values JSON.stringify leaves out or replaces are left out or replaced the same way', () => {
  class WithToJson {
    toJSON() {
      return { replaced: true };
    }
  }
  const items: unknown[] = Array.from({ length: 300 }, (_, i) => i);
  items[3] = undefined;
  items[4] = () => 1;
  items[5] = Symbol('s');
  items[6] = new Date(0);
  items[7] = new WithToJson();
  items[8] = { skipped: undefined, kept: null, nested: [undefined, 1], nan: Number.NaN };
  items[9] = Object.assign(Object.create(null) as object, { prototypeless: 1 });
  // Also where the encoder's batches of a large array begin and end, and last.
  for (const at of [63, 64, 127, 128, 255, 256]) items[at] = at % 2 === 0 ? undefined : () => 1;
  items[299] = Symbol('last');
  const message = { jsonrpc: '2.0', id: 4, result: { items, absent: undefined, fn: () => 1, when: new Date(0), custom: new WithToJson(), 2: 'integer key', a: 'after' } };
  assertSameBytes(new ReusedJsonBuffer().encode(message), standard(message));
});

test('an encode after a larger one holds only its own bytes', () => {
  const json = new ReusedJsonBuffer();
  const large = publish(Array.from({ length: 2000 }, (_, i) => diagnostic(i)));
  const small = publish([diagnostic(1)], 8);
  assertSameBytes(json.encode(large), standard(large));
  assertSameBytes(json.encode(small), standard(small));
  assertSameBytes(json.encode(large), standard(large));
});

/** A value frozen with everything it holds, as service/diagnostics.ts makes its diagnostics. */
function deepFrozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFrozen(inner);
    Object.freeze(value);
  }
  return value;
}

/** An encoder whose deferred work (keeping frozen elements' JSON) runs when the test says. */
function encoderWithTasks(): { json: ReusedJsonBuffer; runTasks: () => number } {
  const tasks: Array<() => void> = [];
  const json = new ReusedJsonBuffer((task) => tasks.push(task));
  return { json, runTasks: () => tasks.splice(0).map((task) => task()).length };
}

/** How many times JSON.stringify is called while `run` runs. */
function countStringifyCalls(run: () => void): number {
  const original = JSON.stringify;
  let calls = 0;
  JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
    calls++;
    return original(...args);
  }) as typeof JSON.stringify;
  try {
    run();
  } finally {
    JSON.stringify = original;
  }
  return calls;
}

test('frozen elements among others, at the batches\' edges, are encoded as JSON.stringify does, before and after their JSON is kept', () => {
  const items: unknown[] = Array.from({ length: 400 }, (_, i) => diagnostic(i));
  // Alone, in runs, first, last, and around the batches of 64 the others are written in.
  for (const at of [0, 1, 2, 63, 64, 65, 100, 101, 102, 103, 191, 192, 256, 399]) items[at] = deepFrozen(diagnostic(at, `frozen ${at} 🐳`));
  const { json, runTasks } = encoderWithTasks();
  assertSameBytes(json.encode(publish(items)), standard(publish(items)));
  assert.equal(runTasks(), 1, 'the frozen elements are kept after the message is written');
  // Again, from the kept JSON of the frozen ones, with different neighbours.
  items[3] = diagnostic(3, 'changed neighbour');
  assertSameBytes(json.encode(publish(items, 8)), standard(publish(items, 8)));
  const allFrozen = items.map((item) => deepFrozen(item));
  assertSameBytes(json.encode(publish(allFrozen, 9)), standard(publish(allFrozen, 9)));
  runTasks();
  assertSameBytes(json.encode(publish(allFrozen, 10)), standard(publish(allFrozen, 10)));
});

test('a large array of frozen elements published again is written from their kept JSON', () => {
  const items = Array.from({ length: 3000 }, (_, i) => deepFrozen(diagnostic(i)));
  const { json, runTasks } = encoderWithTasks();
  // The first time in batches of 64 (a call for each), then the JSON kept element by element.
  assert.ok(countStringifyCalls(() => json.encode(publish(items))) < 100);
  assert.equal(runTasks(), 3, 'kept 1,024 elements at a time');
  // An edit: one element new, the others the same objects.
  const edited = [...items];
  edited[1500] = deepFrozen(diagnostic(1500, 'edited'));
  let bytes: Uint8Array = new Uint8Array();
  const calls = countStringifyCalls(() => {
    bytes = json.encode(publish(edited, 8));
  });
  assertSameBytes(bytes, standard(publish(edited, 8)));
  assert.ok(calls < 20, `${calls} calls of JSON.stringify for one new element`);
});

test('an element frozen only on the outside is stringified again each time, as what it holds may change', () => {
  const { json, runTasks } = encoderWithTasks();
  const shallow = Object.freeze(diagnostic(5));
  const items = Array.from({ length: 300 }, (_, i) => (i === 5 ? shallow : diagnostic(i)));
  assertSameBytes(json.encode(publish(items)), standard(publish(items)));
  runTasks();
  shallow.range.start.character = 9;
  shallow.data.image = 'changed:2';
  const bytes = Buffer.from(json.encode(publish(items)));
  assertSameBytes(bytes, standard(publish(items)));
  assert.ok(bytes.includes('changed:2'));
});

test('the encoder gives the bytes for UTF-8 and takes the library way for an ASCII writer', async () => {
  const encoder = createReusedBufferEncoder();
  const message = { jsonrpc: '2.0' as const, method: 'window/logMessage', params: { type: 3, message: 'déjà vu' } };
  assertSameBytes(await encoder.encode(message, { charset: 'utf-8' }), standard(message));
  assertSameBytes(await encoder.encode(message, { charset: 'ascii' }), Buffer.from(JSON.stringify(message), 'ascii'));
});

test('a value JSON.stringify cannot encode is a rejected promise, as with the library encoder', async () => {
  const cyclic: Record<string, unknown> = { jsonrpc: '2.0', method: 'x' };
  cyclic.params = { self: cyclic };
  await assert.rejects(createReusedBufferEncoder().encode(cyclic as never, { charset: 'utf-8' }), TypeError);
  await assert.rejects(createReusedBufferEncoder().encode({ jsonrpc: '2.0', method: 'x', params: { n: 1n } } as never, { charset: 'utf-8' }), TypeError);
});
