/**
 * Test helpers: analyse inline text as a given kind of file and read the
 * diagnostics back as `{code, text, line}`, where `text` is what the range covers.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-types';
import { LanguageService, type AnalysisContext } from '../../server/src/service/languageService';
import { EMPTY_WORKSPACE, WorkspaceIndex, type WorkspaceView } from '../../server/src/service/model/workspace';
import { parseSettings, type Settings } from '../../server/src/service/settings';

export const FILE_NAMES = {
  'gitlab-ci': 'file:///project/.gitlab-ci.yml',
  'runner-config': 'file:///project/gitlab-runner/config.toml',
  'docker-config': 'file:///project/.docker/config.json',
} as const;

export type Kind = keyof typeof FILE_NAMES;

export interface Found {
  readonly code: string;
  /** The text the diagnostic's range covers. */
  readonly text: string;
  /** 0-based line of the range start. */
  readonly line: number;
  readonly character: number;
  readonly severity: number | undefined;
  readonly message: string;
  readonly diagnostic: Diagnostic;
}

export interface AnalyzeOptions {
  readonly settings?: Record<string, unknown>;
  /** Other files of the workspace: URI → text. */
  readonly workspace?: Readonly<Record<string, string>>;
  readonly uri?: string;
}

export function makeContext(options: AnalyzeOptions = {}): AnalysisContext {
  const { settings, problems } = parseSettings(options.settings ?? {});
  if (problems.length > 0) throw new Error(`bad test settings: ${problems.join(' ')}`);
  return { settings, workspace: makeWorkspace(settings, options.workspace) };
}

function makeWorkspace(settings: Settings, files: Readonly<Record<string, string>> | undefined): WorkspaceView {
  if (!files) return EMPTY_WORKSPACE;
  const index = new WorkspaceIndex(['/project']);
  for (const [uri, text] of Object.entries(files)) index.setFile(uri, text, settings);
  return index.view();
}

export function analyze(kind: Kind, text: string, options: AnalyzeOptions = {}): Found[] {
  const document = TextDocument.create(options.uri ?? FILE_NAMES[kind], 'plaintext', 1, text);
  const failures: unknown[] = [];
  const service = new LanguageService((_family, error) => failures.push(error));
  const diagnostics = service.doValidation(document, makeContext(options));
  if (failures.length > 0) throw failures[0];
  return diagnostics.map((diagnostic) => ({
    code: String(diagnostic.code),
    text: text.slice(document.offsetAt(diagnostic.range.start), document.offsetAt(diagnostic.range.end)),
    line: diagnostic.range.start.line,
    character: diagnostic.range.start.character,
    severity: diagnostic.severity,
    message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value,
    diagnostic,
  }));
}

/** Only the findings of one code, as `text` values: the usual shape of an assertion. */
export function findingsOf(kind: Kind, text: string, code: string, options?: AnalyzeOptions): string[] {
  return analyze(kind, text, options).filter((found) => found.code === code).map((found) => found.text);
}

/** Hover text at the `|` caret of `content` (the caret is removed first), or undefined when there is none. */
export function hoverAt(kind: Kind, content: string, options: AnalyzeOptions = {}): string | undefined {
  const offset = content.indexOf('|');
  const text = content.slice(0, offset) + content.slice(offset + 1);
  const document = TextDocument.create(options.uri ?? FILE_NAMES[kind], 'plaintext', 1, text);
  const hover = new LanguageService().doHover(document, document.positionAt(offset), makeContext(options));
  if (!hover) return undefined;
  return typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : String(hover.contents);
}
