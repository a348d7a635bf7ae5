/**
 * A fast parser for the YAML pipelines are made of: a block mapping at the root,
 * block mappings and sequences inside it, one-line plain and quoted scalars,
 * literal and folded block scalars, one-line flow collections, anchors, aliases,
 * `<<` merges and `!reference` tags. It builds the same model as converting the
 * YAML package's tree (`yamlModel.ts`), with the same offsets, values and errors,
 * in a fraction of the time: the package builds a token stream, a concrete syntax
 * tree and a document of node objects, where this reads each line once.
 *
 * Whatever it does not fully understand (tabs, carriage returns, multi-line
 * plain or quoted scalars, explicit keys, other tags, indentation indicators,
 * anything the package would report as an error) makes it give up: `parseFast`
 * returns undefined and the caller lets the YAML package parse that text. So a
 * text is either in the subset and gets the model the package would give, or is
 * parsed by the package (test/unit/fastYaml.test.ts compares the two).
 *
 * Offsets follow the package's ranges: a scalar ends after its last character
 * (a block scalar after its last content line); a collection ends where its last
 * value's line ends, after its comment and line break; an empty value is an empty
 * null scalar where the value would start.
 */
import { addMerges, detached, reportDuplicateKeys, unknownAliasError } from './yamlBuilding';
import type { ScalarStyle, YMap, YNode, YScalar, YSeq, YamlSyntaxError } from './yamlModel';
import { keepOneAlive } from '../keepAlive';

/** Thrown where the text leaves the subset; one shared object, as giving up must be cheap. */
const UNSUPPORTED: unique symbol = Symbol('unsupported YAML');

function unsupported(): never {
  throw UNSUPPORTED;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const COMMA = 0x2c;
const BRACKET_OPEN = 0x5b;
const BRACKET_CLOSE = 0x5d;
const BRACE_OPEN = 0x7b;
const BRACE_CLOSE = 0x7d;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const AMPERSAND = 0x26;
const ASTERISK = 0x2a;
const EXCLAMATION = 0x21;
const PIPE = 0x7c;
const GREATER_THAN = 0x3e;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;
const PERCENT = 0x25;
const AT = 0x40;
const BACKTICK = 0x60;

/** Deeper nesting is left to the YAML package, whose limits and messages for it the other parts of Pullguard expect. */
const MAX_DEPTH = 100;

/** Longest implicit key YAML allows (YAML 1.2 §7.4.2). */
const MAX_KEY_LENGTH = 1024;

/** What a fast parse built, for the model builder to take over (see ModelBuilder.adopt). */
export interface FastParse {
  readonly root: YMap;
  /** Every node built, as the builder's chunk tracking records them. */
  readonly nodes: YNode[];
  /** Anchors defined, in order. */
  readonly anchors: Array<[string, YNode]>;
  /** Names the aliases use, resolved or not. */
  readonly aliases: Set<string>;
  /** Jobs named by `!reference [job, …]`. */
  readonly references: Set<string>;
  /** Duplicate keys and aliases of no anchor. */
  readonly errors: YamlSyntaxError[];
}

/**
 * Runs of characters the scanners below pass over without a second look, matched from
 * `lastIndex` (sticky): a regular expression moves over them in native code, which on
 * a fresh server's first file (V8 still interpreting this module) costs a fraction of a
 * loop over the characters. Each scanner stops at what it must decide on and goes on
 * from there, so what it decides is what a loop over every character would.
 */
const PLAIN_RUN = /[^\n\t\r:#]*/y;
const KEY_LOOKAHEAD_RUN = /[^\n:#]*/y;
const SINGLE_QUOTED_RUN = /[^'\n\r\t]*/y;
const DOUBLE_QUOTED_RUN = /[^"\\\n\r\t]*/y;

/** The end of the run of `run` characters from `at`, no further than `limit`. */
function runEnd(run: RegExp, text: string, at: number, limit: number): number {
  run.lastIndex = at;
  run.test(text);
  return Math.min(run.lastIndex, limit);
}

/** The first characters of the core schema's nulls, booleans and numbers. */
const MAY_BE_NULL_BOOLEAN_OR_NUMBER = /^[~nNtTfF+\-.0-9]/;

/** Values of plain scalars by YAML 1.2's core schema, in the order the YAML package tries them. */
function resolvePlain(source: string): unknown {
  // Most plain scalars start with a character that begins no null, boolean or number.
  if (source.length > 0 && !MAY_BE_NULL_BOOLEAN_OR_NUMBER.test(source)) return source;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(source)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(source)) return source[0] === 't' || source[0] === 'T';
  if (/^0o[0-7]+$/.test(source)) return parseInt(source.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(source)) return parseInt(source, 10);
  if (/^0x[0-9a-fA-F]+$/.test(source)) return parseInt(source.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(source)) {
    if (source.slice(-3).toLowerCase() === 'nan') return NaN;
    return source[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(source)) return parseFloat(source);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(source)) return parseFloat(source);
  return source;
}

const DOUBLE_QUOTE_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029', ' ': ' ', '"': '"', '/': '/', '\\': '\\', '\t': '\t',
};
const HEX_ESCAPE_LENGTHS: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** Characters that cannot start a plain scalar or key (YAML 1.2 §7.3.3), other than `-`, `?` and `:`, which can before a non-space. */
function isIndicator(code: number): boolean {
  switch (code) {
    case COMMA: case BRACKET_OPEN: case BRACKET_CLOSE: case BRACE_OPEN: case BRACE_CLOSE: case HASH: case AMPERSAND: case ASTERISK: case EXCLAMATION:
    case PIPE: case GREATER_THAN: case SINGLE_QUOTE: case DOUBLE_QUOTE: case PERCENT: case AT: case BACKTICK:
      return true;
    default:
      return false;
  }
}

/** `,` `[` `]` `{` `}`: the characters that end a plain scalar or a name inside a flow collection. */
function isFlowIndicator(code: number): boolean {
  return code === COMMA || code === BRACKET_OPEN || code === BRACKET_CLOSE || code === BRACE_OPEN || code === BRACE_CLOSE;
}

/** The props written before a value: an anchor and GitLab's `!reference` tag. */
interface Props {
  anchor: string | undefined;
  tag: string | undefined;
}

/** A value and where its text ends (after its comment and line break, as the package's ranges do). */
interface Parsed {
  node: YNode | undefined;
  nodeEnd: number;
}

class FastParser {
  /** Where the current content line starts (set by skipToContent). */
  private lineStart = 0;
  /** Collections open around the current position. */
  private depth = 0;
  readonly nodes: YNode[] = [];
  readonly anchors: Array<[string, YNode]> = [];
  private readonly localAnchors = new Map<string, YNode>();
  readonly aliases = new Set<string>();
  readonly references = new Set<string>();
  readonly errors: YamlSyntaxError[] = [];

  /** @param outerAnchor the anchors defined before `start` (in earlier chunks) */
  constructor(
    private readonly text: string,
    private pos: number,
    private readonly end: number,
    private readonly outerAnchor: (name: string) => YNode | undefined,
  ) {}

  /** The whole text as a block mapping at column 0, or unsupported. */
  parseRoot(): YMap {
    const content = this.skipToContent();
    if (content === -1 || content !== this.lineStart) unsupported();
    const { node } = this.parseBlockMap(0, content, undefined);
    if (this.skipToContent() !== -1) unsupported();
    return node as YMap;
  }

  // ---- Lines ------------------------------------------------------------------

  private code(at: number): number {
    return at < this.end ? this.text.charCodeAt(at) : LF;
  }

  /** The end of the line holding `at`: its line break, or the end of the text. */
  private lineEndFrom(at: number): number {
    const lf = this.text.indexOf('\n', at);
    return lf === -1 || lf > this.end ? this.end : lf;
  }

  private nextLine(at: number): number {
    const lineEnd = this.lineEndFrom(at);
    return lineEnd < this.end ? lineEnd + 1 : this.end;
  }

  /**
   * From `pos` (a line start), skips blank and comment-only lines; leaves `pos` and
   * `lineStart` at the next content line and returns its first content offset, or -1
   * at the end of the text. Its indentation is the offset minus `lineStart`.
   */
  private skipToContent(): number {
    let at = this.pos;
    while (at < this.end) {
      const content = this.skipSpaces(at);
      const code = this.code(content);
      if (code === LF) {
        at = content + 1;
        continue;
      }
      if (code === HASH) {
        at = this.nextLine(content);
        continue;
      }
      if (code === TAB || code === CR || (content === at && this.isDocumentMarker(at))) unsupported();
      this.pos = at;
      this.lineStart = at;
      return content;
    }
    this.pos = this.end;
    return -1;
  }

  /** `---` or `...` at the start of a line, alone or before a space: a document starts or ends there. */
  private isDocumentMarker(lineStart: number): boolean {
    const marker = this.text.slice(lineStart, lineStart + 3);
    if (marker !== '---' && marker !== '...') return false;
    const after = this.code(lineStart + 3);
    return after === SPACE || after === LF || after === TAB || after === CR;
  }

  /**
   * After a value ending at `at`: spaces, then a comment or the line's end. Moves `pos`
   * to the next line and returns it (the value's node end).
   */
  private finishLine(at: number): number {
    const next = this.skipSpaces(at);
    const code = this.code(next);
    if (code === LF || (code === HASH && next > at)) {
      this.pos = this.nextLine(next);
      return this.pos;
    }
    return unsupported();
  }

  private skipSpaces(at: number): number {
    while (at < this.end && this.text.charCodeAt(at) === SPACE) at++;
    return at;
  }

  /** Back from `end` over the spaces before it, no further than `start`: where a scalar's text ends. */
  private trimSpacesBefore(end: number, start: number): number {
    while (end > start && this.text.charCodeAt(end - 1) === SPACE) end--;
    return end;
  }

  // ---- Block collections -------------------------------------------------------

  /** Anchors are registered before a collection's children, so an alias inside refers to it. */
  private define(name: string | undefined, node: YNode): void {
    if (name === undefined) return;
    this.localAnchors.set(name, node);
    this.anchors.push([name, node]);
  }

  /** A block mapping whose keys are at column `column`, the first at `first`. */
  private parseBlockMap(column: number, first: number, props: Props | undefined): Parsed {
    if (props?.tag !== undefined || ++this.depth > MAX_DEPTH) unsupported();
    const map: YMap = { kind: 'map', start: first, end: first, tag: undefined, pairs: [], merges: [] };
    this.nodes.push(map);
    this.define(props?.anchor, map);
    let keyAt = first;
    let lastEnd: number;
    let next: number;
    for (;;) {
      const { key, colon } = this.parseKey(keyAt);
      const value = this.parseBlockValue(column, colon + 1, true);
      this.addPair(map, key, value.node);
      lastEnd = value.nodeEnd;
      next = this.skipToContent();
      if (next === -1) break;
      const indent = next - this.lineStart;
      if (indent < column) break;
      if (indent > column) unsupported();
      keyAt = next;
    }
    (map as { end: number }).end = lastEnd;
    reportDuplicateKeys(map.pairs, this.errors);
    this.depth--;
    return { node: map, nodeEnd: this.collectionNodeEnd(column, lastEnd, next) };
  }

  /**
   * Where a block collection at `column` that closed before the content at `next` (-1:
   * the end) ends as its parent's value. The blank and comment lines after its last
   * value stay in it when one of those comments is indented at least as deep as its
   * entries; else they go on to its parent (the YAML package's parser, `pop`).
   */
  private collectionNodeEnd(column: number, lastEnd: number, next: number): number {
    const closedAt = next === -1 ? this.end : next;
    return column > 0 && this.hasCommentIndented(lastEnd, closedAt, column) ? closedAt : lastEnd;
  }

  /** Whether the blank and comment lines in [from, to) hold a comment indented `column` or more. */
  private hasCommentIndented(from: number, to: number, column: number): boolean {
    let line = from === 0 || this.text.charCodeAt(from - 1) === LF ? from : this.nextLine(from);
    while (line < to) {
      const content = this.skipSpaces(line);
      if (content < to && this.text.charCodeAt(content) === HASH && content - line >= column) return true;
      line = this.nextLine(content);
    }
    return false;
  }

  /**
   * The node end of a scalar, alias or flow value of a collection at `column`, from the
   * start of the line after it: comment lines indented deeper than the collection's
   * entries that follow (blank lines between them too) are the value's (the package's
   * parser, `atIndentedComment`).
   */
  private withDeeperComments(lineAfter: number, column: number): number {
    let end = lineAfter;
    let line = lineAfter;
    while (line < this.end) {
      const content = this.skipSpaces(line);
      const code = this.code(content);
      if (code === LF) {
        line = content + 1;
      } else if (code === HASH && content - line > column) {
        end = this.nextLine(content);
        line = end;
      } else {
        break;
      }
    }
    return end;
  }

  private addPair(map: YMap, key: YScalar, value: YNode | undefined): void {
    if (key.value === '<<' && key.style === 'plain') {
      addMerges(map, value);
      return;
    }
    map.pairs.push({ key, value });
  }

  /** A key at `at` on one line and the offset of its `:`, which must be followed by a space or the line's end. */
  private parseKey(at: number): { key: YScalar; colon: number } {
    const code = this.code(at);
    let key: YScalar;
    let colon: number;
    if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
      key = this.parseQuoted(at);
      colon = this.skipSpaces(key.end);
    } else {
      if (isIndicator(code) || ((code === DASH || code === QUESTION || code === COLON) && this.isSpaceOrBreak(at + 1))) unsupported();
      colon = at;
      for (;;) {
        colon = runEnd(PLAIN_RUN, this.text, colon, this.end);
        const c = this.code(colon);
        if (c === LF || c === TAB || c === CR) unsupported();
        if (c === COLON && this.isSpaceOrBreak(colon + 1)) break;
        if (c === HASH && this.text.charCodeAt(colon - 1) === SPACE) unsupported();
        colon++;
      }
      const keyEnd = this.trimSpacesBefore(colon, at);
      key = this.scalar(at, keyEnd, resolvePlain(this.text.slice(at, keyEnd)), 'plain');
    }
    if (this.code(colon) !== COLON || !this.isSpaceOrBreak(colon + 1) || colon - at > MAX_KEY_LENGTH) unsupported();
    return { key, colon };
  }

  private isSpaceOrBreak(at: number): boolean {
    const code = this.code(at);
    return code === SPACE || code === LF;
  }

  /**
   * A value after `key:` or `- `, from `at`: on the same line, or on the lines below
   * (indented deeper than `column`, or for a mapping's value a sequence at the same column).
   */
  private parseBlockValue(column: number, at: number, inMap: boolean): Parsed {
    const props: Props = { anchor: undefined, tag: undefined };
    const valueAt = this.readProps(this.skipSpaces(at), props);
    const code = this.code(valueAt);
    if (code === LF || code === HASH) {
      if (code === HASH && this.text.charCodeAt(valueAt - 1) !== SPACE) unsupported();
      // The value starts on a following line; an empty one is a null scalar where it would have started.
      const emptyAt = valueAt;
      this.pos = this.nextLine(valueAt);
      const next = this.skipToContent();
      const indent = next - this.lineStart;
      if (next !== -1 && (indent > column || (inMap && indent === column && this.isSequenceEntry(next)))) {
        return this.parseBlockNode(indent, next, props);
      }
      // A comment after an empty value changes where it ends in ways not worth following.
      if (!inMap || props.tag !== undefined || code === HASH || this.hasCommentIndented(this.nextLine(emptyAt), next === -1 ? this.end : next, 0)) unsupported();
      const empty = this.scalar(emptyAt, emptyAt, null, 'plain');
      this.define(props.anchor, empty);
      return { node: empty, nodeEnd: emptyAt };
    }
    if (props.tag !== undefined && code !== BRACKET_OPEN) unsupported();
    switch (code) {
      case ASTERISK: {
        if (props.anchor !== undefined) unsupported();
        const alias = this.parseAlias(valueAt, false);
        return { node: alias.node, nodeEnd: this.withDeeperComments(this.finishLine(alias.end), column) };
      }
      case BRACKET_OPEN:
      case BRACE_OPEN: {
        const flow = this.parseFlow(valueAt, props);
        return { node: flow, nodeEnd: this.withDeeperComments(this.finishLine(flow.end), column) };
      }
      case DOUBLE_QUOTE:
      case SINGLE_QUOTE: {
        const quoted = this.parseQuoted(valueAt);
        this.define(props.anchor, quoted);
        return { node: quoted, nodeEnd: this.withDeeperComments(this.finishLine(quoted.end), column) };
      }
      case PIPE:
      case GREATER_THAN:
        return this.parseBlockScalar(valueAt, column, props);
      default:
        if (!inMap && props.anchor === undefined && this.looksLikeKey(valueAt)) {
          // `- key: value`: a mapping whose keys are at this column (of the entry's line, the current one).
          return this.parseBlockMap(valueAt - this.lineStart, valueAt, undefined);
        }
        return this.parsePlainValue(valueAt, column, props);
    }
  }

  private isSequenceEntry(at: number): boolean {
    return this.text.charCodeAt(at) === DASH && this.isSpaceOrBreak(at + 1);
  }

  /** A block collection starting at `at` on its own line, indented `indent`. */
  private parseBlockNode(indent: number, at: number, props: Props): Parsed {
    if (this.isSequenceEntry(at)) return this.parseBlockSeq(indent, at, props);
    if (props.tag !== undefined) unsupported();
    return this.parseBlockMap(indent, at, props);
  }

  private parseBlockSeq(column: number, first: number, props: Props): Parsed {
    if (++this.depth > MAX_DEPTH) unsupported();
    const seq: YSeq = { kind: 'seq', start: first, end: first, tag: props.tag, items: [] };
    this.nodes.push(seq);
    this.define(props.anchor, seq);
    let dash = first;
    let lastEnd: number;
    let next: number;
    for (;;) {
      const item = this.parseBlockValue(column, dash + 1, false);
      if (item.node) seq.items.push(item.node);
      lastEnd = item.nodeEnd;
      next = this.skipToContent();
      if (next === -1) break;
      const indent = next - this.lineStart;
      if (indent < column || (indent === column && !this.isSequenceEntry(next))) break;
      if (indent > column) unsupported();
      dash = next;
    }
    (seq as { end: number }).end = lastEnd;
    this.noteReference(seq);
    this.depth--;
    return { node: seq, nodeEnd: this.collectionNodeEnd(column, lastEnd, next) };
  }

  private noteReference(seq: YSeq): void {
    if (seq.tag !== '!reference') return;
    const job = seq.items[0];
    if (job?.kind === 'scalar' && job.value !== null && job.value !== undefined) this.references.add(String(job.value));
  }

  /** Whether the line from `at` is `key: …` (a plain or quoted key followed by a colon and a space or the line's end). */
  private looksLikeKey(at: number): boolean {
    const code = this.code(at);
    if (isIndicator(code) && code !== DOUBLE_QUOTE && code !== SINGLE_QUOTE) return false;
    const lineEnd = this.lineEndFrom(at);
    for (let i = runEnd(KEY_LOOKAHEAD_RUN, this.text, at, lineEnd); i < lineEnd; i = runEnd(KEY_LOOKAHEAD_RUN, this.text, i + 1, lineEnd)) {
      const c = this.text.charCodeAt(i);
      if (c === COLON && this.isSpaceOrBreak(i + 1)) return true;
      if (c === HASH && this.text.charCodeAt(i - 1) === SPACE) return false;
    }
    return false;
  }

  /** An anchor and a `!reference` tag before a value, in either order. Returns the offset after them. */
  private readProps(at: number, props: Props): number {
    for (;;) {
      const code = this.code(at);
      if (code === AMPERSAND) {
        if (props.anchor !== undefined) unsupported();
        const nameEnd = this.nameEnd(at + 1);
        // `&x{}` runs the anchor into the value, an error.
        if (!this.isSpaceOrBreak(nameEnd)) unsupported();
        props.anchor = detached(this.text.slice(at + 1, nameEnd));
        at = this.skipSpaces(nameEnd);
      } else if (code === EXCLAMATION) {
        if (props.tag !== undefined || !this.text.startsWith('!reference', at)) unsupported();
        const tagEnd = at + '!reference'.length;
        if (!this.isSpaceOrBreak(tagEnd)) unsupported();
        props.tag = '!reference';
        at = this.skipSpaces(tagEnd);
      } else {
        return at;
      }
    }
  }

  /** The end of an anchor or alias name from `at`: it must be followed by a space, the line's end, or (in flow) `,` `]` `}`. */
  private nameEnd(at: number): number {
    let end = at;
    for (;;) {
      const code = this.code(end);
      if (code === SPACE || code === LF || isFlowIndicator(code)) break;
      if (code === TAB || code === CR) unsupported();
      end++;
    }
    if (end === at) unsupported();
    return end;
  }

  private parseAlias(at: number, inFlow: boolean): { node: YNode | undefined; end: number } {
    const end = this.nameEnd(at + 1);
    const next = this.code(end);
    if (!inFlow && next !== SPACE && next !== LF) unsupported();
    const name = detached(this.text.slice(at + 1, end));
    this.aliases.add(name);
    const target = this.localAnchors.get(name) ?? this.outerAnchor(name);
    if (!target) this.errors.push(unknownAliasError(name, at, end));
    return { node: target, end };
  }

  // ---- Scalars ------------------------------------------------------------------

  private scalar(start: number, end: number, value: unknown, style: ScalarStyle): YScalar {
    const node: YScalar = { kind: 'scalar', start, end, tag: undefined, value: detached(value), style };
    this.nodes.push(node);
    return node;
  }

  /** A plain scalar value to the end of its line (or its comment); a multi-line one is unsupported (the caller sees its next line indented). */
  private parsePlainValue(at: number, column: number, props: Props): Parsed {
    const code = this.code(at);
    if (isIndicator(code) || ((code === DASH || code === QUESTION || code === COLON) && this.isSpaceOrBreak(at + 1))) unsupported();
    const lineEnd = this.lineEndFrom(at);
    let stop = runEnd(PLAIN_RUN, this.text, at, lineEnd);
    while (stop < lineEnd) {
      const c = this.text.charCodeAt(stop);
      if (c === TAB || c === CR) unsupported();
      if (c === HASH && this.text.charCodeAt(stop - 1) === SPACE) break;
      // `key: a: b` is a mapping on one line, an error.
      if (c === COLON && this.isSpaceOrBreak(stop + 1)) unsupported();
      stop = runEnd(PLAIN_RUN, this.text, stop + 1, lineEnd);
    }
    // The value ends at its last character that is not a space (`at` is not one).
    const end = this.trimSpacesBefore(stop, at);
    const node = this.scalar(at, end, resolvePlain(this.text.slice(at, end)), 'plain');
    this.define(props.anchor, node);
    return { node, nodeEnd: this.withDeeperComments(this.finishLine(end), column) };
  }

  /** A single- or double-quoted scalar closed on the same line. */
  private parseQuoted(at: number): YScalar {
    const quote = this.text.charCodeAt(at);
    let value = '';
    const run = quote === SINGLE_QUOTE ? SINGLE_QUOTED_RUN : DOUBLE_QUOTED_RUN;
    let i = at + 1;
    let runStart = i;
    for (;;) {
      i = runEnd(run, this.text, i, this.end);
      const c = this.code(i);
      if (c === LF || c === CR || c === TAB) unsupported();
      if (quote === SINGLE_QUOTE) {
        if (c === SINGLE_QUOTE) {
          if (this.code(i + 1) !== SINGLE_QUOTE) break;
          value += this.text.slice(runStart, i + 1);
          i += 2;
          runStart = i;
          continue;
        }
      } else if (c === DOUBLE_QUOTE) {
        break;
      } else if (c === BACKSLASH) {
        value += this.text.slice(runStart, i);
        const escape = this.text[i + 1];
        if (escape === undefined || i + 1 >= this.end) unsupported();
        const simple = DOUBLE_QUOTE_ESCAPES[escape];
        if (simple !== undefined) {
          value += simple;
          i += 2;
        } else {
          const length = HEX_ESCAPE_LENGTHS[escape];
          if (length === undefined) unsupported();
          const hex = this.text.slice(i + 2, i + 2 + length);
          if (hex.length !== length || i + 2 + length > this.end || !/^[0-9a-fA-F]+$/.test(hex)) unsupported();
          const codePoint = parseInt(hex, 16);
          if (codePoint > 0x10ffff) unsupported();
          value += String.fromCodePoint(codePoint);
          i += 2 + length;
        }
        runStart = i;
        continue;
      }
      i++;
    }
    value += this.text.slice(runStart, i);
    return this.scalar(at, i + 1, value, quote === SINGLE_QUOTE ? 'single' : 'double');
  }

  /**
   * A literal (`|`) or folded (`>`) block scalar whose header is at `at`, in a
   * collection at `column`: its lines are those indented deeper than `column`, and
   * its content indentation is that of its first non-empty line (YAML 1.2 §8.1).
   * Unsupported: indentation indicators, keep chomping (`+`), more-indented
   * lines in a folded scalar, empty lines with more spaces than the content, tabs.
   */
  private parseBlockScalar(at: number, column: number, props: Props): Parsed {
    const folded = this.text.charCodeAt(at) === GREATER_THAN;
    let headerEnd = at + 1;
    const chomp = this.code(headerEnd);
    const strip = chomp === DASH;
    if (strip) headerEnd++;
    else if (chomp !== SPACE && chomp !== LF) unsupported();
    this.finishLine(headerEnd);

    let contentIndent = -1;
    let value = '';
    let separator = '';
    let pendingEmpty = 0;
    let lastContentEnd = -1;
    let line = this.pos;
    while (line < this.end) {
      const content = this.skipSpaces(line);
      const lineEnd = this.lineEndFrom(content);
      const spaces = content - line;
      const code = this.code(content);
      if (code === LF) {
        // An empty line: part of the scalar if more content follows.
        if (contentIndent !== -1 ? spaces > contentIndent : false) unsupported();
        pendingEmpty++;
        line = lineEnd + 1;
        continue;
      }
      if (spaces <= column) break;
      if (code === TAB || code === CR) unsupported();
      if (contentIndent === -1) {
        contentIndent = spaces;
        // Leading empty lines become line breaks; more spaces on them than the content needs an indicator.
        if (this.leadingEmptyTooDeep(this.pos, line, contentIndent)) unsupported();
        value = '\n'.repeat(pendingEmpty);
        pendingEmpty = 0;
      } else if (spaces < contentIndent) {
        unsupported();
      }
      if (this.text.slice(content, lineEnd).includes('\r')) unsupported();
      const text = this.text.slice(line + contentIndent, lineEnd);
      if (!folded) {
        value += (separator === '' ? '' : '\n'.repeat(pendingEmpty + 1)) + text;
        separator = '\n';
      } else {
        if (spaces > contentIndent) unsupported();
        if (separator === '') value += text;
        else value += (pendingEmpty > 0 ? '\n'.repeat(pendingEmpty) : ' ') + text;
        separator = ' ';
      }
      pendingEmpty = 0;
      lastContentEnd = lineEnd;
      line = lineEnd + 1;
    }
    if (contentIndent === -1) unsupported();
    const end = lastContentEnd < this.end ? lastContentEnd + 1 : this.end;
    if (!strip) value += '\n';
    this.pos = end;
    const node = this.scalar(at, end, value, folded ? 'folded' : 'literal');
    this.define(props.anchor, node);
    return { node, nodeEnd: end };
  }

  private leadingEmptyTooDeep(from: number, to: number, contentIndent: number): boolean {
    let spaces = 0;
    for (let i = from; i < to; i++) {
      if (this.text.charCodeAt(i) === LF) spaces = 0;
      else if (++spaces > contentIndent) return true;
    }
    return false;
  }

  // ---- Flow collections ------------------------------------------------------------

  /** A flow sequence or mapping closed on the same line. */
  private parseFlow(at: number, props: Props): YSeq | YMap {
    if (++this.depth > MAX_DEPTH) unsupported();
    try {
      return this.parseFlowCollection(at, props);
    } finally {
      this.depth--;
    }
  }

  private parseFlowCollection(at: number, props: Props): YSeq | YMap {
    if (this.text.charCodeAt(at) === BRACKET_OPEN) {
      const seq: YSeq = { kind: 'seq', start: at, end: at, tag: props.tag, items: [] };
      this.nodes.push(seq);
      this.define(props.anchor, seq);
      (seq as { end: number }).end = this.readFlowEntries(at + 1, BRACKET_CLOSE, (entry) => {
        const item = this.parseFlowItem(entry);
        if (item.node) seq.items.push(item.node);
        return item.end;
      });
      this.noteReference(seq);
      return seq;
    }
    if (props.tag !== undefined) unsupported();
    const map: YMap = { kind: 'map', start: at, end: at, tag: undefined, pairs: [], merges: [] };
    this.nodes.push(map);
    this.define(props.anchor, map);
    (map as { end: number }).end = this.readFlowEntries(at + 1, BRACE_CLOSE, (entry) => {
      const key = this.parseFlowKey(entry);
      const value = this.parseFlowItem(this.skipSpaces(key.colon + 1));
      this.addPair(map, key.key, value.node);
      return value.end;
    });
    reportDuplicateKeys(map.pairs, this.errors);
    return map;
  }

  /**
   * The entries of a flow collection, from just after its opening bracket to `close`, on
   * one line, separated by commas; each read by `readEntry`, which returns where it ends.
   * Returns the offset after the closing bracket.
   */
  private readFlowEntries(at: number, close: number, readEntry: (at: number) => number): number {
    let next = this.skipSpaces(at);
    if (this.code(next) === close) return next + 1;
    for (;;) {
      next = this.skipSpaces(readEntry(next));
      const code = this.code(next);
      if (code === close) return next + 1;
      if (code !== COMMA) unsupported();
      next = this.skipSpaces(next + 1);
    }
  }

  /** A key in a flow mapping: plain or quoted, then `: `. */
  private parseFlowKey(at: number): { key: YScalar; colon: number } {
    const code = this.code(at);
    if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
      const key = this.parseQuoted(at);
      const colon = this.skipSpaces(key.end);
      if (this.code(colon) !== COLON || this.code(colon + 1) !== SPACE) unsupported();
      return { key, colon };
    }
    const plain = this.parseFlowPlain(at);
    if (this.code(plain.stop) !== COLON || this.code(plain.stop + 1) !== SPACE) unsupported();
    return { key: plain.node, colon: plain.stop };
  }

  /** An entry of a flow collection: a scalar, an alias or a nested flow sequence or mapping. */
  private parseFlowItem(at: number): { node: YNode | undefined; end: number } {
    const code = this.code(at);
    switch (code) {
      case ASTERISK:
        return this.parseAlias(at, true);
      case BRACKET_OPEN:
      case BRACE_OPEN: {
        const node = this.parseFlow(at, { anchor: undefined, tag: undefined });
        return { node, end: node.end };
      }
      case DOUBLE_QUOTE:
      case SINGLE_QUOTE: {
        const node = this.parseQuoted(at);
        return { node, end: node.end };
      }
      default: {
        const plain = this.parseFlowPlain(at);
        // `[a: b]` (a pair in a sequence) and `{a: b: c}` are not in the subset.
        if (this.code(plain.stop) === COLON) unsupported();
        return { node: plain.node, end: plain.node.end };
      }
    }
  }

  /** A plain scalar inside a flow collection: it ends at `,` `[` `]` `{` `}`, a comment, or `: `. Returns where it stopped. */
  private parsePlainInFlow(at: number): number {
    let i = at;
    for (;;) {
      const c = this.code(i);
      if (c === LF || c === TAB || c === CR) unsupported();
      if (isFlowIndicator(c)) return i;
      if (c === HASH && this.text.charCodeAt(i - 1) === SPACE) unsupported();
      if (c === COLON) {
        const after = this.code(i + 1);
        if (after === SPACE || after === COMMA || after === BRACKET_CLOSE || after === BRACE_CLOSE || after === LF) return i;
      }
      i++;
    }
  }

  private parseFlowPlain(at: number): { node: YScalar; stop: number } {
    const code = this.code(at);
    if (isIndicator(code) || ((code === DASH || code === QUESTION || code === COLON) && !this.isPlainSafe(at + 1))) unsupported();
    const stop = this.parsePlainInFlow(at);
    const end = this.trimSpacesBefore(stop, at);
    if (end === at) unsupported();
    return { node: this.scalar(at, end, resolvePlain(this.text.slice(at, end)), 'plain'), stop };
  }

  private isPlainSafe(at: number): boolean {
    const code = this.code(at);
    return !(code === SPACE || code === LF || isFlowIndicator(code));
  }
}

// A parser lives for one parse: see keepAlive.ts.
keepOneAlive(new FastParser('', 0, 0, () => undefined));

/**
 * The block mapping at column 0 in `text` between `start` and `end` (a whole
 * file, or one top-level entry of a large one), or undefined when the text
 * leaves the subset described above.
 *
 * @param outerAnchor the node an alias names when the text does not define it (anchors of earlier chunks)
 */
export function parseFast(text: string, start: number, end: number, outerAnchor: (name: string) => YNode | undefined): FastParse | undefined {
  // A byte order mark is read by the package alone.
  if (text.charCodeAt(start) === 0xfeff) return undefined;
  const parser = new FastParser(text, start, end, outerAnchor);
  try {
    const root = parser.parseRoot();
    return { root, nodes: parser.nodes, anchors: parser.anchors, aliases: parser.aliases, references: parser.references, errors: parser.errors };
  } catch (error) {
    if (error === UNSUPPORTED) return undefined;
    throw error;
  }
}
