/**
 * The one place where findings become LSP diagnostics: offsets to positions,
 * severities from settings, rule links, tags and related information.
 */
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver-types';
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

export function toDiagnostics(document: TextDocument, findings: readonly Finding[], settings: Settings): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const found of findings) {
    const severity = settings.rules[found.code] ?? found.severity ?? getRuleSeverity(settings, found.code);
    if (severity === 'off') continue;
    const diagnostic: Diagnostic = {
      range: { start: document.positionAt(found.offset), end: document.positionAt(found.offset + found.length) },
      severity: SEVERITIES[severity],
      code: found.code,
      codeDescription: { href: getRuleDocsUrl(found.code) },
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
          range: { start: document.positionAt(place.offset), end: document.positionAt(place.offset + place.length) },
        },
        message: place.message,
      }));
    }
    diagnostics.push(diagnostic);
  }
  return diagnostics;
}
