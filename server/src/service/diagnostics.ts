/**
 * The one place where findings become LSP diagnostics: offsets to positions,
 * severities from settings, rule links, tags and related information.
 */
import { DiagnosticSeverity, DiagnosticTag, type CodeDescription, type Diagnostic, type DiagnosticRelatedInformation, type Position, type Range } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { getRule, getRuleDocsUrl, type Severity } from './codes';
import type { Finding } from './finding';
import { getRuleSeverity, type Settings } from './settings';

const SEVERITIES: Readonly<Record<Severity, DiagnosticSeverity>> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The start of a range at `offset`, moved back one unit if it falls between the two
 * halves of a surrogate pair: a parser that counts in code units can report an error
 * one unit into an emoji, and an editor cannot show half a character.
 */
function wholeCharacterStart(text: string, offset: number): number {
  return isHighSurrogate(text.charCodeAt(offset - 1)) && isLowSurrogate(text.charCodeAt(offset)) ? offset - 1 : offset;
}

/** The end of a range at `offset`, moved on one unit if it falls inside a surrogate pair. */
function wholeCharacterEnd(text: string, offset: number): number {
  return isHighSurrogate(text.charCodeAt(offset - 1)) && isLowSurrogate(text.charCodeAt(offset)) ? offset + 1 : offset;
}

/** The range of `length` UTF-16 units at `offset`, widened to whole characters. */
function wholeCharactersRange(document: TextDocument, offset: number, length: number): Range {
  const text = document.getText();
  return { start: document.positionAt(wholeCharacterStart(text, offset)), end: document.positionAt(wholeCharacterEnd(text, offset + length)) };
}

/**
 * True when `position` is the one of `offset` in `document`, without the binary search
 * of `positionAt`: `offsetAt` is a lookup, and is its exact inverse for a position that
 * it did not have to adjust (a line of the document, a character not past its end).
 */
function isPositionOf(document: TextDocument, position: Position, offset: number): boolean {
  if (position.line >= document.lineCount) return false;
  LINE_START.line = position.line;
  const lineStart = document.offsetAt(LINE_START);
  return lineStart + position.character === offset && document.offsetAt(position) === offset;
}

/** The start of a line, as `offsetAt` reads it: one object, not one per question (thousands a keystroke at 5,000 jobs). */
const LINE_START: Position = { line: 0, character: 0 };

/** True when `range` is the one of `length` units at `offset` in `document`, widened to whole characters. */
function isRangeOf(document: TextDocument, text: string, range: Range, offset: number, length: number): boolean {
  return isPositionOf(document, range.start, wholeCharacterStart(text, offset)) && isPositionOf(document, range.end, wholeCharacterEnd(text, offset + length));
}

/**
 * One `codeDescription` per rule, shared by all its diagnostics: a pipeline of thousands
 * of jobs has thousands of diagnostics of one rule, published again on every edit.
 */
function codeDescriptionOf(code: string): CodeDescription {
  let description = codeDescriptions.get(code);
  if (!description) {
    description = Object.freeze({ href: getRuleDocsUrl(code) });
    codeDescriptions.set(code, description);
  }
  return description;
}
const codeDescriptions = new Map<string, CodeDescription>();

/**
 * The diagnostics of an analysed version by the finding each came from. The next
 * version's diagnostics reuse those that come out the same (see toDiagnostics).
 */
export type DiagnosticsByFinding = ReadonlyMap<Finding, Diagnostic>;

/**
 * What toDiagnostics may reuse: the previous version's diagnostics. A finding an edit
 * kept is the same object, its offsets moved (service/incremental.ts).
 */
export interface ReusableDiagnostics {
  readonly byFinding: DiagnosticsByFinding;
  /**
   * True when `finding`'s places are on the lines and columns of the previous version's
   * finding: its diagnostic's ranges stand without being worked out again (most of a large
   * pipeline's, after an edit inside a line).
   */
  readonly placesKept: (finding: Finding) => boolean;
}

/**
 * The diagnostics of `findings`, and the same by finding for the next version to reuse.
 *
 * A diagnostic is frozen, with all it holds, and the one the previous version made for
 * the same finding (moved, after an edit before it) is reused whenever it would come out
 * the same: rule, severity, message, fix, and range and related places in this version's
 * text. An edit of one job
 * in a pipeline of thousands then makes new diagnostics for that job only, and the
 * server writes the JSON of the others as it wrote it before (messageEncoder.ts).
 */
export function toDiagnostics(document: TextDocument, findings: readonly Finding[], settings: Settings, reusable?: ReusableDiagnostics): { diagnostics: Diagnostic[]; byFinding: DiagnosticsByFinding } {
  const diagnostics: Diagnostic[] = [];
  const byFinding = new Map<Finding, Diagnostic>();
  for (const found of findings) {
    const severity = settings.rules[found.code] ?? found.severity ?? getRuleSeverity(settings, found.code);
    if (severity === 'off') continue;
    const diagnostic = (reusable && reusableDiagnostic(document, reusable, found, SEVERITIES[severity])) ?? newDiagnostic(document, found, SEVERITIES[severity]);
    byFinding.set(found, diagnostic);
    diagnostics.push(diagnostic);
  }
  return { diagnostics, byFinding };
}

/**
 * The previous version's diagnostic for `found`, when this version's would be the same:
 * what it shows is compared with what `found` gives here, ranges included.
 */
function reusableDiagnostic(document: TextDocument, reusable: ReusableDiagnostics, found: Finding, severity: DiagnosticSeverity): Diagnostic | undefined {
  const before = reusable.byFinding.get(found);
  if (!before || before.code !== found.code || before.severity !== severity || before.message !== found.message || before.data !== found.data) return undefined;
  const placesKept = reusable.placesKept(found);
  const text = document.getText();
  if (!placesKept && !isRangeOf(document, text, before.range, found.offset, found.length)) return undefined;
  const related = found.related;
  const relatedInformation = before.relatedInformation;
  if ((relatedInformation?.length ?? 0) !== (related?.length ?? 0)) return undefined;
  for (let i = 0; i < (related?.length ?? 0); i++) {
    const place = related![i]!;
    const information = relatedInformation![i]!;
    if (information.message !== place.message || (!placesKept && !isRangeOf(document, text, information.location.range, place.offset, place.length))) return undefined;
  }
  return before;
}

/**
 * True when two lists of diagnostics show the same: element by element the same object,
 * or the same data (a small file is parsed whole on each edit, its findings and
 * diagnostics all new).
 */
export function sameDiagnostics(a: readonly Diagnostic[], b: readonly Diagnostic[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
  return true;
}

/** Structural equality of JSON data, what a diagnostic holds. */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || !sameData((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

function newDiagnostic(document: TextDocument, found: Finding, severity: DiagnosticSeverity): Diagnostic {
  const diagnostic: Diagnostic = {
    range: freezeRange(wholeCharactersRange(document, found.offset, found.length)),
    severity,
    code: found.code,
    codeDescription: codeDescriptionOf(found.code),
    source: 'pullguard',
    message: found.message,
  };
  const tags = getRule(found.code)?.tags?.map((tag) => (tag === 'deprecated' ? DiagnosticTag.Deprecated : DiagnosticTag.Unnecessary));
  if (tags && tags.length > 0) diagnostic.tags = Object.freeze(tags) as DiagnosticTag[];
  if (found.data) diagnostic.data = deepFreeze(found.data);
  if (found.related && found.related.length > 0) {
    diagnostic.relatedInformation = Object.freeze(found.related.map((place): DiagnosticRelatedInformation => Object.freeze({
      location: Object.freeze({
        uri: document.uri,
        range: freezeRange(wholeCharactersRange(document, place.offset, place.length)),
      }),
      message: place.message,
    }))) as DiagnosticRelatedInformation[];
  }
  return Object.freeze(diagnostic);
}

function freezeRange(range: Range): Range {
  Object.freeze(range.start);
  Object.freeze(range.end);
  return Object.freeze(range);
}

/** A finding's fix data, frozen with what it holds (it is the finding's own, never changed after the rule made it). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
