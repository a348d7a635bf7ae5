/**
 * The analysis core's entry point: pure functions over a `TextDocument` that
 * return LSP types (like vscode-json-languageservice). The server and the CLI both
 * use it; it touches no file system, process or network.
 *
 * Each document is parsed once per version (a small cache by URI), and analysed
 * once per version, settings and workspace state.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, CodeActionContext, Diagnostic, Hover, Position, Range } from 'vscode-languageserver-types';
import { getCodeActions } from './codeActions';
import { sameDiagnostics, toDiagnostics, type DiagnosticsByFinding, type ReusableDiagnostics } from './diagnostics';
import { getDocumentKind, type DocumentKind } from './documentKind';
import type { Finding } from './finding';
import { getImageHover } from './hover';
import { getJobHover } from './jobHover';
import { getKeyHover } from './credentialHover';
import { collectCiImages, collectRunnerImages, type ImageOccurrence } from './model/images';
import { getAnalysisWithIncludes } from './model/includes';
import { uriToPath, type WorkspaceView } from './model/workspace';
import { getTooLargeFinding, parseDocumentAs, type ParsedDocument } from './parsedDocument';
import { checkCiStructure } from './rules/ci';
import { checkImageOccurrence } from './rules/image';
import { checkCiAgainstRunners, checkRunnerConfig } from './rules/runner';
import { checkCiServices, checkRunnerServices } from './rules/services';
import { checkSyntaxErrors } from './rules/syntax';
import { analyzeCiCredentials, analyzeDockerConfigCredentials, analyzeRunnerCredentials, type CredentialAnalysis } from './credentials/analysis';
import { prepareForEdits, reanalyseEditedJobs, type CiRuleResults, type PreviousCiAnalysis } from './incremental';
import type { CiAnalysis } from './model/ciModel';
import type { YamlParseOptions } from './parse/yamlModel';
import type { ImageCredentials } from './rules/auth';
import type { Settings } from './settings';

export type { DocumentKind, ParsedDocument };

export interface AnalysisContext {
  readonly settings: Settings;
  readonly workspace: WorkspaceView;
}

export interface DocumentAnalysis {
  readonly findings: readonly Finding[];
  readonly images: readonly ImageOccurrence[];
  readonly credentials: CredentialAnalysis;
}

const NO_CREDENTIALS: CredentialAnalysis = { findings: [], keys: [], images: new Map() };

/** Reports a rule family that threw, once per family, and lets the others run. */
export type RuleFailureReporter = (family: string, error: unknown) => void;

interface CacheEntry {
  readonly version: number;
  /** The text of that version. */
  readonly text: string;
  /** The kind it was parsed as: a YAML file becomes a pipeline when another file starts including it. */
  readonly kind: DocumentKind;
  readonly parsed: ParsedDocument;
  analysis?: RulesRun & { context: AnalysisContext };
  /** The analysis of the version this one was parsed from, until this one is analysed: an edit may reuse it. */
  previous?: PreviousCiAnalysis & { readonly context: AnalysisContext };
  /** This version's diagnostics, once made (for the settings of its analysis). */
  diagnostics?: DiagnosticsByFinding;
  /** The diagnostics of the version this one was parsed from, until this one's are made: most may be the same. */
  previousDiagnostics?: DiagnosticsByFinding;
  /** Whether previousDiagnostics are that version's, not an older one's (that version had none made). */
  previousDiagnosticsAreParents?: boolean;
  /** The list doValidation last returned, and the analysis it came from (kept across versions: see doValidation). */
  validated?: { readonly run: RulesRun; readonly list: readonly Diagnostic[] };
}

/** An analysis, and for a pipeline its rule results without the yaml syntax errors, for the next edit to reuse. */
interface RulesRun {
  readonly result: DocumentAnalysis;
  readonly ciResults?: CiRuleResults;
  /** After an incremental re-analysis, the kept findings whose places are where they were (until the diagnostics are made). */
  placesKept?: (finding: Finding) => boolean;
}

export class LanguageService {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly reportedFailures = new Set<string>();
  /** Pipeline analyses that re-checked only the edited jobs: tests read it to know which path an edit took. */
  incrementalAnalyses = 0;

  /** @param parseOptions how pipelines are parsed (the warm-up parses its small one in chunks) */
  constructor(private readonly onRuleFailure: RuleFailureReporter = () => {}, private readonly parseOptions: YamlParseOptions = {}) {}

  getDocumentKind(document: TextDocument, context: AnalysisContext): DocumentKind {
    return getDocumentKind(uriToPath(document.uri), document.getText(), context.settings, context.workspace.includedPatterns);
  }

  /**
   * The parsed document, from the cache when the version is unchanged.
   * @param kind overrides the kind the file's name gives (a file named on the command line)
   */
  getParsed(document: TextDocument, context: AnalysisContext, kind?: DocumentKind): ParsedDocument {
    const documentKind = kind ?? this.getDocumentKind(document, context);
    const cached = this.cache.get(document.uri);
    const text = document.getText();
    // The text too, not only the version: a client may change a document and keep its version
    // number (LSP forbids it). The same string object unless it changed: no cost.
    if (cached && cached.version === document.version && cached.text === text && cached.kind === documentKind) return cached.parsed;
    // Another version with the same text (a keystroke undone before it was analysed, an
    // undo and redo): the parse and analysis stand. The incremental path has no edit to
    // work from here, and a 5,000-job pipeline would be analysed whole again.
    if (cached && cached.kind === documentKind && cached.text === text) {
      this.cache.set(document.uri, { ...cached, version: document.version });
      return cached.parsed;
    }
    // Another version parsed as the same kind: only what the edit touched is parsed again.
    const sameKind = cached?.kind === documentKind ? cached : undefined;
    const parsed = (documentKind === 'runner-config' && runnerConfigReadFromDisk(document.uri, text, context.workspace))
      || parseDocumentAs(documentKind, text, sameKind?.parsed, this.parseOptions);
    const analysed = sameKind?.analysis;
    const results = analysed?.ciResults;
    const previous = results && sameKind?.parsed.kind === 'gitlab-ci' ? { ci: sameKind.parsed.ci, results, context: analysed.context } : undefined;
    this.cache.set(document.uri, { version: document.version, text, kind: documentKind, parsed, previous, previousDiagnostics: cached?.diagnostics ?? cached?.previousDiagnostics, previousDiagnosticsAreParents: cached?.diagnostics !== undefined, validated: cached?.validated });
    return parsed;
  }

  /** Drops what is cached for a closed or deleted document. */
  forget(uri: string): void {
    this.cache.delete(uri);
  }

  analyze(document: TextDocument, context: AnalysisContext, kind?: DocumentKind): DocumentAnalysis {
    const parsed = this.getParsed(document, context, kind);
    const entry = this.cache.get(document.uri)!;
    if (entry.analysis && analysisHolds(entry.kind, entry.analysis.context, context)) {
      // Kept with the newest context: the one before holds an older workspace view, and with it
      // maybe an older version of a large pipeline open beside this file.
      entry.analysis.context = context;
      return entry.analysis.result;
    }
    // Used once: a later analysis (other settings) of this version starts from nothing.
    const previous = entry.previous?.context === context ? entry.previous : undefined;
    entry.previous = undefined;
    const run = this.runRules(parsed, document, context, previous);
    entry.analysis = { ...run, context };
    return run.result;
  }

  /**
   * The document's diagnostics, as a frozen list. Those that come out as the previous
   * version's (or as this version's, asked again) are the same frozen objects (see
   * toDiagnostics), and when all of them do, in the same order, the list is the one
   * returned before: the same analysis asked again, an edit that changed no diagnostic
   * (typing in a script), or a workspace change that changed none. With the same data, too
   * (a small file's diagnostics are all new objects after each edit). The server then need
   * not send them again (an `unchanged` pull report, no second publish of a version).
   */
  doValidation(document: TextDocument, context: AnalysisContext, kind?: DocumentKind): Diagnostic[] {
    const analysis = this.analyze(document, context, kind);
    const entry = this.cache.get(document.uri)!;
    const run = entry.analysis!;
    const validated = entry.validated;
    if (validated?.run === run) return validated.list as Diagnostic[];
    // What the re-analysis knows of places is against the version it started from.
    const placesKept = (entry.previousDiagnosticsAreParents && run.placesKept) || (() => false);
    const reusable: ReusableDiagnostics | undefined = entry.diagnostics
      ? { byFinding: entry.diagnostics, placesKept: () => true }
      : entry.previousDiagnostics && { byFinding: entry.previousDiagnostics, placesKept };
    const { diagnostics, byFinding } = toDiagnostics(document, analysis.findings, context.settings, reusable);
    // Kept for the version's next request and the next version; the previous version's are not needed any more.
    entry.diagnostics = byFinding;
    entry.previousDiagnostics = undefined;
    run.placesKept = undefined;
    const list = validated && sameDiagnostics(validated.list, diagnostics) ? validated.list : Object.freeze(diagnostics);
    entry.validated = { run, list };
    return list as Diagnostic[];
  }

  /** Quick fixes for the diagnostics in `codeActionContext`, and the fix-all action when asked for. */
  doCodeActions(document: TextDocument, range: Range, codeActionContext: CodeActionContext, context: AnalysisContext): CodeAction[] {
    const { credentials } = this.analyze(document, context);
    const input = {
      document,
      parsed: this.getParsed(document, context),
      settings: context.settings,
      workspace: context.workspace,
      images: credentials.images,
      getDiagnostics: () => this.doValidation(document, context),
    };
    return getCodeActions(input, range, codeActionContext);
  }

  /** The image or service name at `offset` (its ends included), with the runner's credential lookup for it. */
  getImageAt(document: TextDocument, offset: number, context: AnalysisContext): { occurrence: ImageOccurrence; credentials: ImageCredentials | undefined } | undefined {
    const { images, credentials } = this.analyze(document, context);
    const occurrence = images.find((image) => image.start <= offset && offset <= image.end);
    return occurrence && { occurrence, credentials: credentials.images.get(occurrence) };
  }

  doHover(document: TextDocument, position: Position, context: AnalysisContext): Hover | null {
    const offset = document.offsetAt(position);
    const { credentials } = this.analyze(document, context);
    const range = (start: number, end: number) => ({ start: document.positionAt(start), end: document.positionAt(end) });
    const key = credentials.keys.find((place) => place.offset <= offset && offset <= place.offset + place.length);
    if (key) return { contents: getKeyHover(key, credentials.images), range: range(key.offset, key.offset + key.length) };
    const image = this.getImageAt(document, offset, context);
    if (!image) {
      // Not on an image: on a job's name, the image and services it really runs with.
      const parsed = this.getParsed(document, context);
      const job = parsed.kind === 'gitlab-ci' ? getJobHover(getAnalysisWithIncludes(parsed.ci, document.uri, context.workspace), offset, context) : undefined;
      return job ? { contents: job.contents, range: { start: document.positionAt(job.start), end: document.positionAt(job.end) } } : null;
    }
    return {
      contents: getImageHover(image.occurrence, context.workspace, image.credentials),
      range: range(image.occurrence.start, image.occurrence.end),
    };
  }

  private runRules(parsed: ParsedDocument, document: TextDocument, context: AnalysisContext, previous: PreviousCiAnalysis | undefined): RulesRun {
    const textLength = document.getText().length;
    const { settings, workspace } = context;
    const findings: Finding[] = [];
    let images: ImageOccurrence[] = [];
    let credentials = NO_CREDENTIALS;
    const guarded = <T>(family: string, fallback: T, run: () => T): T => {
      try {
        return run();
      } catch (error) {
        // One broken rule must not silence the others (or take the server down).
        if (!this.reportedFailures.has(family)) {
          this.reportedFailures.add(family);
          this.onRuleFailure(family, error);
        }
        return fallback;
      }
    };
    switch (parsed.kind) {
      case 'too-large':
        findings.push(getTooLargeFinding(parsed.documentKind));
        break;
      case 'gitlab-ci': {
        findings.push(...checkSyntaxErrors('yaml', parsed.ci.model.yaml.errors, textLength));
        // With its `include: local` files from the workspace merged in.
        const ci = guarded('model', parsed.ci, () => getAnalysisWithIncludes(parsed.ci, document.uri, workspace));
        const run = (analysis: CiAnalysis): CiRuleResults => {
          const ciImages = guarded('model', [], () => collectCiImages(analysis, settings, workspace));
          const ciCredentials = guarded('auth', NO_CREDENTIALS, () => analyzeCiCredentials(analysis, document.uri, ciImages, settings, workspace));
          const ciFindings = [
            ...guarded('service', [], () => checkCiServices(analysis, context)),
            ...guarded('ci', [], () => checkCiStructure(analysis, ciImages, context)),
            ...guarded('runner', [], () => checkCiAgainstRunners(analysis, ciImages, context)),
            ...ciImages.flatMap((image) => guarded('image', [], () => checkImageOccurrence(image, settings))),
            ...ciCredentials.findings,
          ];
          return { findings: ciFindings, images: ciImages, credentials: ciCredentials };
        };
        // After an edit inside some jobs, only those are checked again (service/incremental.ts).
        const reused = previous && ci === parsed.ci ? guarded('model', undefined, () => reanalyseEditedJobs(ci, document.uri, previous, run)) : undefined;
        if (reused) this.incrementalAnalyses++;
        const results = reused?.results ?? run(ci);
        // A whole analysis: what the next edit's re-analysis asks of the whole document is worked out now.
        if (!reused && ci === parsed.ci) guarded('model', undefined, () => prepareForEdits(ci));
        findings.push(...results.findings);
        findings.sort(byPlace);
        return { result: { findings, images: results.images, credentials: results.credentials }, ciResults: results, placesKept: reused?.placesKept };
      }
      case 'runner-config':
        findings.push(...checkSyntaxErrors('toml', parsed.runner.toml.errors, textLength));
        images = guarded('model', [], () => collectRunnerImages(parsed.runner, context.settings));
        credentials = guarded('auth', NO_CREDENTIALS, () => analyzeRunnerCredentials(parsed.runner, document.uri, images, settings, workspace));
        findings.push(...guarded('service', [], () => checkRunnerServices(parsed.runner, context.settings)));
        findings.push(...guarded('runner', [], () => checkRunnerConfig(parsed.runner, context.settings)));
        break;
      case 'docker-config':
        // Syntax errors of a Docker config are reported by its reader, with what they mean for the runner.
        credentials = guarded('auth', NO_CREDENTIALS, () => analyzeDockerConfigCredentials(document.getText(), document.uri, parsed.json, settings));
        break;
      case 'none':
        break;
    }
    for (const image of images) {
      findings.push(...guarded('image', [], () => checkImageOccurrence(image, context.settings)));
    }
    findings.push(...credentials.findings);
    findings.sort(byPlace);
    return { result: { findings, images, credentials } };
  }
}

/**
 * True when an analysis made in `before` still holds in `now` for a document of `kind`:
 * the same settings, and the same of what that kind reads of the workspace. A Docker
 * `config.json` reads nothing of it, a runner `config.toml` only the Docker configs (the
 * runner user's credentials); a pipeline reads all of it. Opening a second config file
 * then re-checks no other open config file.
 */
function analysisHolds(kind: DocumentKind, before: AnalysisContext, now: AnalysisContext): boolean {
  if (before === now) return true;
  if (before.settings !== now.settings) return false;
  switch (kind) {
    case 'docker-config':
    case 'none':
      return true;
    case 'runner-config':
      return before.workspace.dockerConfigs.length === now.workspace.dockerConfigs.length
        && before.workspace.dockerConfigs.every((config, i) => config.uri === now.workspace.dockerConfigs[i]!.uri && config.text === now.workspace.dockerConfigs[i]!.text);
    default:
      return false;
  }
}

/**
 * The workspace index's parse of a runner `config.toml` whose text on disk is the text
 * opened (the editor opens a file as it is on disk): the index parsed every config file
 * when the server started, and parsing it again for the open took about 30% of the open's
 * time. A pipeline's parse is not shared this way: its edits re-parse it in place.
 */
function runnerConfigReadFromDisk(uri: string, text: string, workspace: WorkspaceView): ParsedDocument | undefined {
  const config = workspace.runnerConfigs.find((candidate) => candidate.uri === uri && candidate.model.text === text);
  return config && { kind: 'runner-config', runner: config.model };
}

/** Findings in document order; the sort is stable, so findings of one place keep the order the rules gave them. */
function byPlace(a: Finding, b: Finding): number {
  return a.offset - b.offset || a.code.localeCompare(b.code);
}
