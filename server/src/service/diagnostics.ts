/**
 * The one place where findings become LSP diagnostics: offsets to positions,
 * severities from settings, rule links, tags and related information.
 */
import { DiagnosticSeverity, DiagnosticTag, type CodeDescription, type Diagnostic, type DiagnosticRelatedInformation, type Range } from 'vscode-languageserver-types';
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
 * The range of `length` UTF-16 units at `offset`, widened so that neither end falls
 * between the two halves of a surrogate pair: a parser that counts in code units can
 * report an error one unit into an emoji, and an editor cannot show half a character.
 */
function wholeCharactersRange(document: TextDocument, offset: number, length: number): Range {
  const text = document.getText();
  let start = offset;
  let end = offset + length;
  if (isHighSurrogate(text.charCodeAt(start - 1)) && isLowSurrogate(text.charCodeAt(start))) start--;
  if (isHighSurrogate(text.charCodeAt(end - 1)) && isLowSurrogate(text.charCodeAt(end))) end++;
  return { start: document.positionAt(start), end: document.positionAt(end) };
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

export function toDiagnostics(document: TextDocument, findings: readonly Finding[], settings: Settings): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const found of findings) {
    const severity = settings.rules[found.code] ?? found.severity ?? getRuleSeverity(settings, found.code);
    if (severity === 'off') continue;
    const diagnostic: Diagnostic = {
      range: wholeCharactersRange(document, found.offset, found.length),
      severity: SEVERITIES[severity],
      code: found.code,
      codeDescription: codeDescriptionOf(found.code),
      source: 'pullguard',
      message: found.message,
    };
    const tags = getRule(found.code)?.tags?.map((tag) => (tag === 'deprecated' ? DiagnosticTag.Deprecated : DiagnosticTag.Unnecessary));
    if (tags && tags.length > 0) diagnostic.tags = tags;
    if (found.data) diagnostic.data = found.data;
    if (found.related && found.related.length > 0) {
      diagnostic.relatedInformation = found.related.map((place): DiagnosticRelatedInformation => ({
        location: {
          uri: document.uri,
          range: wholeCharactersRange(document, place.offset, place.length),
        },
        message: place.message,
      }));
    }
    diagnostics.push(diagnostic);
  }
  return diagnostics;
}
