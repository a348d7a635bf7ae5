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
  private readonly frozenJson = new WeakMap<object, string>();

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
    // Frozen elements are written from the JSON they had the first time (see
    // frozenElementJson); the others in batches, each stringified by one native call and
    // written straight into the buffer: `[a,b]` written with its `[` turned into `,`
    // (or, for the first, over the array's own `[`) and its `]` dropped. Brackets and
    // commas are one byte in UTF-8, so the bytes are those of `[a,b,c,d]` (JSON.stringify
    // writes an element of an array, `undefined` included, as it writes the element of any array).
    this.flush();
    this.writeText('[');
    let batchStart = 0;
    for (let i = 0; i <= items.length; i++) {
      const json = i < items.length ? this.frozenElementJson(items[i]) : undefined;
      if (json === undefined && i < items.length && i - batchStart < ARRAY_BATCH) continue;
      if (batchStart < i) this.writeElements(JSON.stringify(items.slice(batchStart, i)), batchStart === 0);
      if (json !== undefined) {
        if (i > 0) this.writeText(',');
        this.writeText(json);
        batchStart = i + 1;
      } else {
        batchStart = i;
      }
    }
    this.writeText(']');
  }

  /** Writes the elements of `arrayJson` (an array of at least one) after those written so far. */
  private writeElements(arrayJson: string, first: boolean): void {
    if (first) this.length--;
    const at = this.length;
    this.writeText(arrayJson);
    if (!first) this.buffer[at] = COMMA;
    this.length--;
  }

  /**
   * The JSON of an element that is frozen with all it holds (the diagnostics of
   * service/diagnostics.ts are): it cannot change, so it is stringified once, and a
   * pipeline's diagnostics that an edit left as they were cost a copy each time they
   * are published again. Undefined for any other element.
   */
  private frozenElementJson(item: unknown): string | undefined {
    if (typeof item !== 'object' || item === null || !Object.isFrozen(item)) return undefined;
    let json = this.frozenJson.get(item);
    if (json === undefined && isWalkable(item) && isDeeplyFrozen(item)) {
      json = JSON.stringify(item);
      this.frozenJson.set(item, json);
    }
    return json;
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

  /** Writes `text` at the end of the buffer, growing it as needed. */
  private writeText(text: string): void {
    // A UTF-16 unit takes at most 3 bytes in UTF-8 (a surrogate pair, 2 units, takes 4).
    const needed = this.length + text.length * 3;
    if (needed > this.buffer.length) {
      const larger = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(larger, 0, 0, this.length);
      this.buffer = larger;
    }
    this.length += this.buffer.write(text, this.length, 'utf8');
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
