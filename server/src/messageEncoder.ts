/**
 * The JSON encoding of the messages the server writes on stdout, into one buffer kept
 * for the server's life instead of a new string and a new buffer per message.
 *
 * vscode-jsonrpc's own encoder is `Buffer.from(JSON.stringify(message))`. For the
 * diagnostics of a 5,000-job pipeline (4 MB of JSON on each edit) that makes a 4 MB
 * string and a 4 MB buffer every time, each in memory the process has not touched
 * yet: on the benchmark machine the page faults alone cost ~13 ms per 4 MB
 * (bench/README.md). Here a large array is written in batches of its elements, each
 * batch's JSON (tens of kilobytes) straight into the buffer, so neither is ever whole.
 * And the JSON of its frozen elements is kept, as UTF-8 bytes: an edit of one job leaves
 * most of a pipeline's diagnostics the same objects (service/diagnostics.ts), whose bytes
 * are then copied into the buffer rather than stringified and encoded again.
 *
 * The bytes are exactly `JSON.stringify`'s: every value is still stringified by it,
 * only the objects and arrays that lead to a large array are written around it here.
 * An ASCII writer (never ours) takes the library's path.
 */
import type { ContentTypeEncoderOptions, Message } from 'vscode-languageserver/node';

/** vscode-jsonrpc's function content-type encoder (a `ContentTypeEncoder`; the library does not export the name). */
export interface MessageEncoder {
  readonly name: string;
  encode(message: Message, options: ContentTypeEncoderOptions): Promise<Uint8Array>;
}

/** From this many elements an array is written in batches (ARRAY_BATCH), straight into the buffer. */
const LARGE_ARRAY = 256;
/** How deep the walk looks for a large array: a message's `params.diagnostics` is at depth 2. */
const MAX_DEPTH = 3;
/** Text gathered before it is written into the buffer: a few native calls per message, no large strings. */
const PIECE_LENGTH = 1 << 15;
/** Frozen elements whose JSON is kept per turn of the event loop: a few milliseconds each. */
const CACHE_SLICE = 1024;
/**
 * Elements of a large array stringified together: ~35 KB of JSON for diagnostics, young
 * strings that never reach V8's large-object space.
 */
const ARRAY_BATCH = 64;
const COMMA = 0x2c;

/**
 * Writes JSON text into a growing buffer that is reused for each message: the bytes of
 * the previous message are overwritten by the next one.
 */
export class ReusedJsonBuffer {
  private buffer = Buffer.allocUnsafe(1 << 16);
  private length = 0;
  private pending = '';
  /** The JSON, in UTF-8, of deeply frozen elements of large arrays (cacheLater). */
  private readonly frozenJson = new WeakMap<object, Uint8Array>();

  /** @param schedule runs a task once the current one is done (tests run them when they choose) */
  constructor(private readonly schedule: (task: () => void) => void = setImmediate) {}

  /** `value` as `JSON.stringify(value)` encodes it in UTF-8. The result is valid until the next call. */
  encode(value: unknown): Uint8Array {
    this.length = 0;
    this.pending = '';
    this.writeValue(value, 0);
    this.flush();
    return this.buffer.subarray(0, this.length);
  }

  private writeValue(value: unknown, depth: number): void {
    if (depth < MAX_DEPTH && isWalkable(value)) {
      if (Array.isArray(value)) this.writeArray(value);
      else this.writeObject(value as Record<string, unknown>, depth);
      return;
    }
    this.put(JSON.stringify(value));
  }

  private writeArray(items: readonly unknown[]): void {
    if (items.length < LARGE_ARRAY) {
      this.put(JSON.stringify(items));
      return;
    }
    // Frozen elements already seen are copied from their bytes of then (see cacheLater):
    // a copy within V8, no string made. Gathering their JSON text into pieces for
    // Buffer#write instead (until session 12) made and encoded 4 MB of strings per publish
    // at 5,000 jobs: ~2.6 ms against ~0.5 warm, 13 against 3 the first time (7,466
    // diagnostics, bench/README.md). The others go in batches, each stringified by one
    // native call and written straight into the buffer (writeBatch).
    this.put('[');
    const uncached: object[] = [];
    let batchStart = 0;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      // Looked up first: only frozen objects are kept, and one stays frozen, so a kept
      // element needs no Object.isFrozen (7,466 kept diagnostics, micro-benchmark: the
      // whole encode 0.69-0.71 → 0.52-0.56 ms).
      const json = typeof item === 'object' && item !== null ? this.frozenJson.get(item) : undefined;
      if (json === undefined) {
        if (isFrozenObject(item)) uncached.push(item);
        if (i + 1 - batchStart === ARRAY_BATCH) {
          this.writeBatch(items, batchStart, i + 1);
          batchStart = i + 1;
        }
        continue;
      }
      if (batchStart < i) this.writeBatch(items, batchStart, i);
      this.writeBytes(json, i > 0);
      batchStart = i + 1;
    }
    if (batchStart < items.length) this.writeBatch(items, batchStart, items.length);
    this.put(']');
    if (uncached.length > 0) this.cacheLater(uncached);
  }

  /**
   * Writes `items[from..to)` after the elements written so far: their array's JSON
   * with its `[` turned into `,` (or, for the first, written over the array's own
   * `[`) and its `]` dropped. Brackets and commas are one byte in UTF-8, so the bytes
   * are those of the whole array's JSON (JSON.stringify writes an element of an array,
   * `undefined` included, as it writes the element of any array).
   */
  private writeBatch(items: readonly unknown[], from: number, to: number): void {
    this.flush(); // what `put` gathered goes first
    const first = from === 0;
    if (first) this.length--;
    const at = this.length;
    this.writeText(JSON.stringify(items.slice(from, to)));
    if (!first) this.buffer[at] = COMMA;
    this.length--;
  }

  /**
   * Keeps the JSON of frozen elements, once the message is written: an element frozen
   * with all it holds (service/diagnostics.ts freezes its diagnostics so) cannot
   * change, and a pipeline's diagnostics that an edit left as they were are published
   * again as they are. Done after the write, a slice per turn of the event loop, as
   * one call per element is slower than the batches the first publish is written in:
   * the editor reads the message meanwhile.
   */
  private cacheLater(items: readonly object[]): void {
    for (let from = 0; from < items.length; from += CACHE_SLICE) {
      this.schedule(() => {
        for (const item of items.slice(from, from + CACHE_SLICE)) {
          if (!this.frozenJson.has(item) && isWalkable(item) && isDeeplyFrozen(item)) this.frozenJson.set(item, Buffer.from(JSON.stringify(item), 'utf8'));
        }
      });
    }
  }

  private writeObject(object: Record<string, unknown>, depth: number): void {
    this.put('{');
    let first = true;
    // Object.keys has JSON.stringify's order; it leaves out the same values it does.
    for (const key of Object.keys(object)) {
      const value = object[key];
      if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
      this.put(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
      first = false;
      this.writeValue(value, depth + 1);
    }
    this.put('}');
  }

  private put(text: string): void {
    this.pending += text;
    if (this.pending.length >= PIECE_LENGTH) this.flush();
  }

  private flush(): void {
    const text = this.pending;
    this.pending = '';
    this.writeText(text);
  }

  /** Writes an element's kept JSON bytes at the end of the buffer, after a comma unless it is the array's first. */
  private writeBytes(bytes: Uint8Array, afterComma: boolean): void {
    if (this.pending.length > 0) this.flush(); // what `put` gathered goes first
    this.reserve(bytes.length + 1);
    if (afterComma) this.buffer[this.length++] = COMMA;
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Writes `text` at the end of the buffer, growing it as needed. */
  private writeText(text: string): void {
    // A UTF-16 unit takes at most 3 bytes in UTF-8 (a surrogate pair, 2 units, takes 4).
    this.reserve(text.length * 3);
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  /** Grows the buffer, keeping what it holds, so that `bytes` more fit after it. */
  private reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.buffer.length) return;
    const larger = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(larger, 0, 0, this.length);
    this.buffer = larger;
  }
}

/**
 * Plain objects and arrays without `toJSON`, whose JSON the walk can write itself;
 * anything else (a Date, a class with `toJSON`, a primitive) goes to JSON.stringify whole.
 */
function isWalkable(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) return true;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isFrozenObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && Object.isFrozen(value);
}

/** A value that cannot change: a primitive, or a frozen object or array whose values are all such. */
function isDeeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (!Object.isFrozen(value)) return false;
  for (const inner of Object.values(value)) if (!isDeeplyFrozen(inner)) return false;
  return true;
}

/**
 * The writer's content-type encoder. The writer sends one message at a time and waits
 * for stdout to take it before encoding the next, so the buffer is free again by then.
 */
export function createReusedBufferEncoder(): MessageEncoder {
  const json = new ReusedJsonBuffer();
  return {
    name: 'application/json',
    encode(message: Message, options: ContentTypeEncoderOptions): Promise<Uint8Array> {
      try {
        // The writer's charset is UTF-8 unless told otherwise; ASCII takes the library's way.
        if (options.charset !== 'utf-8') return Promise.resolve(Buffer.from(JSON.stringify(message), options.charset));
        return Promise.resolve(json.encode(message));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}
