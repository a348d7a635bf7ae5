/**
 * A map between a generated text (a decoded YAML scalar, an expanded image name, the
 * JSON inside a string) and the source text it came from. Each segment says that
 * `generated[generatedStart, generatedEnd)` came from `source[sourceStart, sourceEnd)`.
 * When the two lengths are equal the segment is character-for-character (plain text);
 * when they differ (an escape such as `\"`, a variable) the segment maps as a whole.
 *
 * This is the `{sourceOffsets, generatedOffsets, lengths}` table of VS Code's
 * embedded-language support, generalised to segments whose lengths differ.
 */
import { keepOneAlive } from '../keepAlive';
export interface Segment {
  readonly generatedStart: number;
  readonly generatedEnd: number;
  readonly sourceStart: number;
  readonly sourceEnd: number;
}

export class SourceMap {
  /**
   * @param written segments sorted by `generatedStart`, without gaps
   * @param sourceShift added to every source offset of `written`: a map moved by an edit
   *   before its source shares the segments it had (see `moved`)
   */
  constructor(private readonly written: readonly Segment[], private readonly sourceShift = 0) {}

  static identity(sourceStart: number, length: number): SourceMap {
    return new SourceMap([{ generatedStart: 0, generatedEnd: length, sourceStart, sourceEnd: sourceStart + length }]);
  }

  /** Segments sorted by `generatedStart`, without gaps (made for a moved map, which the analysis never asks). */
  get segments(): readonly Segment[] {
    if (this.sourceShift === 0) return this.written;
    return this.written.map((segment) => ({ ...segment, sourceStart: segment.sourceStart + this.sourceShift, sourceEnd: segment.sourceEnd + this.sourceShift }));
  }

  /**
   * The same map with its source moved by `delta` (text inserted or removed before it).
   * The segments are shared, not copied: an edit at the top of a large pipeline moves
   * every image after it, and each keeps its map this way.
   */
  moved(delta: number): SourceMap {
    return delta === 0 ? this : new SourceMap(this.written, this.sourceShift + delta);
  }

  /** Maps a generated offset to a source offset; `bias` picks the side at a segment boundary. */
  toSource(generatedOffset: number, bias: 'start' | 'end' = 'start'): number {
    if (this.written.length === 0) return 0;
    return this.sourceShift + this.toWrittenSource(generatedOffset, bias);
  }

  /** `toSource` in the offsets of the segments as written (at least one). */
  private toWrittenSource(generatedOffset: number, bias: 'start' | 'end'): number {
    const segments = this.written;
    let low = 0;
    let high = segments.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      const seg = segments[mid]!;
      const before = bias === 'start' ? seg.generatedStart <= generatedOffset : seg.generatedStart < generatedOffset;
      if (before) low = mid;
      else high = mid - 1;
    }
    const seg = segments[low]!;
    const offsetInSegment = generatedOffset - seg.generatedStart;
    const generatedLength = seg.generatedEnd - seg.generatedStart;
    if (generatedLength === seg.sourceEnd - seg.sourceStart) {
      return seg.sourceStart + Math.max(0, Math.min(offsetInSegment, generatedLength));
    }
    // An escape or a variable: any position inside maps to its whole source.
    if (offsetInSegment <= 0) return seg.sourceStart;
    return bias === 'start' && offsetInSegment < generatedLength ? seg.sourceStart : seg.sourceEnd;
  }

  /** Maps a generated span to the smallest source span that covers it. */
  spanToSource(generatedStart: number, generatedEnd: number): { start: number; end: number } {
    if (generatedStart === generatedEnd) {
      // An empty expansion (an empty string, an undefined variable) covers what produced it.
      const empty = this.written.find((s) => s.generatedStart === generatedStart && s.generatedEnd === generatedStart && s.sourceEnd > s.sourceStart);
      if (empty) return { start: empty.sourceStart + this.sourceShift, end: empty.sourceEnd + this.sourceShift };
    }
    const start = this.toSource(generatedStart, 'start');
    const end = generatedEnd <= generatedStart ? start : this.toSource(generatedEnd, 'end');
    return { start, end: Math.max(start, end) };
  }
}

/** Builds a `SourceMap` while a decoder walks the source. */
export class SourceMapBuilder {
  private readonly segments: Segment[] = [];
  private text = '';

  /** Appends `generated`, which came from `source[sourceStart, sourceEnd)`. */
  add(generated: string, sourceStart: number, sourceEnd: number): void {
    if (generated.length === 0 && sourceStart === sourceEnd) return;
    const generatedStart = this.text.length;
    const last = this.segments[this.segments.length - 1];
    const plain = generated.length === sourceEnd - sourceStart;
    // Merge runs of plain text into one segment to keep the map small.
    if (
      plain && last && last.sourceEnd === sourceStart && last.generatedEnd === generatedStart &&
      last.generatedEnd - last.generatedStart === last.sourceEnd - last.sourceStart
    ) {
      this.segments[this.segments.length - 1] = { ...last, generatedEnd: generatedStart + generated.length, sourceEnd };
    } else {
      this.segments.push({ generatedStart, generatedEnd: generatedStart + generated.length, sourceStart, sourceEnd });
    }
    this.text += generated;
  }

  get generated(): string {
    return this.text;
  }

  build(): SourceMap {
    return new SourceMap(this.segments);
  }
}
// A builder lives for one scalar's decoding: see keepAlive.ts.
keepOneAlive(new SourceMapBuilder());
