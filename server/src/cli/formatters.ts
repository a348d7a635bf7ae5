/**
 * The CLI's output formats (SPEC §5). `json` is a public interface: one array of
 * `{file, range, severity, code, message}` with 0-based UTF-16 LSP positions.
 */
import { createHash } from 'node:crypto';
import { RULES, getRuleDocsUrl, type Severity } from '../service/codes';

export interface CliProblem {
  /** Relative to the current directory, with `/` separators. */
  readonly file: string;
  readonly range: { readonly start: { line: number; character: number }; readonly end: { line: number; character: number } };
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
}

export type OutputFormat = 'text' | 'json' | 'sarif' | 'codequality';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif', 'codequality'];

export function formatJson(problems: readonly CliProblem[]): string {
  return JSON.stringify(problems.map(({ file, range, severity, code, message }) => ({ file, range, severity, code, message })), null, 2);
}

/** Readable, grouped by file, like the editor's Problems panel (1-based line:column). */
export function formatText(problems: readonly CliProblem[], filesAnalysed: number): string {
  const lines: string[] = [];
  let currentFile: string | undefined;
  for (const problem of problems) {
    if (problem.file !== currentFile) {
      if (currentFile !== undefined) lines.push('');
      lines.push(problem.file);
      currentFile = problem.file;
    }
    const where = `${problem.range.start.line + 1}:${problem.range.start.character + 1}`;
    lines.push(`  ${where.padEnd(8)} ${problem.severity.padEnd(11)} ${problem.message}  ${problem.code}`);
  }
  const count = (severity: Severity, one: string, many: string) => {
    const n = problems.filter((p) => p.severity === severity).length;
    return `${n} ${n === 1 ? one : many}`;
  };
  const files = `${filesAnalysed} file${filesAnalysed === 1 ? '' : 's'}`;
  if (problems.length > 0) lines.push('');
  lines.push(problems.length === 0
    ? `No problems in ${files}.`
    : `${problems.length} problem${problems.length === 1 ? '' : 's'} (${count('error', 'error', 'errors')}, ${count('warning', 'warning', 'warnings')}, ${count('information', 'information', 'information')}, ${count('hint', 'hint', 'hints')}) in ${files}.`);
  return lines.join('\n');
}

const SARIF_LEVELS: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

/** SARIF 2.1.0; columns are 1-based UTF-16 code units, as the LSP's. */
export function formatSarif(problems: readonly CliProblem[], version: string): string {
  const usedCodes = new Set(problems.map((p) => p.code));
  const rules = RULES.filter((rule) => usedCodes.has(rule.code));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'pullguard',
          version,
          informationUri: 'https://github.com/pullguard/pullguard',
          rules: rules.map((rule) => ({
            id: rule.code,
            shortDescription: { text: rule.summary },
            helpUri: getRuleDocsUrl(rule.code),
            defaultConfiguration: { level: SARIF_LEVELS[rule.severity] },
          })),
        },
      },
      columnKind: 'utf16CodeUnits',
      results: problems.map((problem) => ({
        ruleId: problem.code,
        ruleIndex: rules.findIndex((rule) => rule.code === problem.code),
        level: SARIF_LEVELS[problem.severity],
        message: { text: problem.message },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: problem.file },
            region: {
              startLine: problem.range.start.line + 1,
              startColumn: problem.range.start.character + 1,
              endLine: problem.range.end.line + 1,
              endColumn: problem.range.end.character + 1,
            },
          },
        }],
      })),
    }],
  };
  return JSON.stringify(sarif, null, 2);
}

const CODE_QUALITY_SEVERITIES: Readonly<Record<Severity, string>> = {
  error: 'critical',
  warning: 'major',
  information: 'minor',
  hint: 'info',
};

/** GitLab's Code Quality report (a CodeClimate subset); positions are 1-based. */
export function formatCodeQuality(problems: readonly CliProblem[]): string {
  const seen = new Map<string, number>();
  const report = problems.map((problem) => {
    // Stable across runs, distinct for repeated identical findings in one file.
    const base = `${problem.file}\0${problem.code}\0${problem.message}`;
    const repeat = seen.get(base) ?? 0;
    seen.set(base, repeat + 1);
    return {
      type: 'issue',
      check_name: problem.code,
      description: problem.message,
      categories: ['Bug Risk'],
      severity: CODE_QUALITY_SEVERITIES[problem.severity],
      fingerprint: createHash('sha256').update(`${base}\0${repeat}`).digest('hex'),
      location: {
        path: problem.file,
        positions: {
          begin: { line: problem.range.start.line + 1, column: problem.range.start.character + 1 },
          end: { line: problem.range.end.line + 1, column: problem.range.end.character + 1 },
        },
      },
    };
  });
  return JSON.stringify(report, null, 2);
}
