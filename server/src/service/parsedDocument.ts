/**
 * A document parsed for its kind: the one parse every analysis, hover and
 * workspace fact of that document version is computed from.
 */
import type { DocumentKind } from './documentKind';
import type { Finding } from './finding';
import { CiAnalysis, parseCiModel } from './model/ciModel';
import { parseRunnerConfig, type RunnerConfigModel } from './model/runnerModel';
import { parseJsonModel, type JsonModel } from './parse/jsonModel';
import type { YamlParseOptions } from './parse/yamlModel';

/** Larger documents are not analysed; the user gets one diagnostic saying so. */
export const MAX_DOCUMENT_LENGTH = 16 * 1024 * 1024;

export type ParsedDocument =
  | { readonly kind: 'gitlab-ci'; readonly ci: CiAnalysis }
  | { readonly kind: 'runner-config'; readonly runner: RunnerConfigModel }
  | { readonly kind: 'docker-config'; readonly json: JsonModel }
  | { readonly kind: 'none' }
  | { readonly kind: 'too-large'; readonly documentKind: DocumentKind };

/**
 * @param previous the parse of an earlier version of the same document as the same
 *   kind: a pipeline is then re-parsed only where it changed (`previous` is consumed)
 */
export function parseDocumentAs(kind: DocumentKind, text: string, previous?: ParsedDocument, options?: YamlParseOptions): ParsedDocument {
  if (kind !== 'none' && text.length > MAX_DOCUMENT_LENGTH) return { kind: 'too-large', documentKind: kind };
  switch (kind) {
    case 'gitlab-ci':
      return { kind, ci: new CiAnalysis(parseCiModel(text, previous?.kind === 'gitlab-ci' ? previous.ci.model : undefined, options)) };
    case 'runner-config':
      return { kind, runner: parseRunnerConfig(text) };
    case 'docker-config':
      return { kind, json: parseJsonModel(text) };
    default:
      return { kind: 'none' };
  }
}

/** The one finding a document over the size limit gets instead of an analysis. */
export function getTooLargeFinding(kind: DocumentKind): Finding {
  const language = kind === 'gitlab-ci' ? 'yaml' : kind === 'runner-config' ? 'toml' : 'json';
  return {
    code: `syntax/${language}`,
    offset: 0,
    length: 0,
    message: `This file is larger than ${MAX_DOCUMENT_LENGTH / (1024 * 1024)} MiB, so Pullguard does not analyse it. GitLab and the runner read it all the same; split it (for example with \`include: local\`) to have it checked.`,
  };
}
