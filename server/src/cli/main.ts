/**
 * `pullguard [PATH...]` — the analysis core on the command line (SPEC §5).
 * Exit status: 0 when nothing of severity error, 1 when any error, 2 on bad usage
 * or unreadable input.
 */
import { relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { getRule, SEVERITY_SETTINGS, type Severity, type SeveritySetting } from '../service/codes';
import { getDocumentKind, isPipelinePath, isYamlPath } from '../service/documentKind';
import { getTooLargeFinding } from '../service/parsedDocument';
import { LanguageService, type AnalysisContext } from '../service/languageService';
import { WorkspaceIndex, uriToPath } from '../service/model/workspace';
import { getRuleSeverity, parseSettings } from '../service/settings';
import { readTextFile, type ReadResult } from '../node/findFiles';
import { analysisPathOf } from '../node/fileUri';
import { collectFiles } from './paths';
import { loadProjectSettings, UsageError } from './projectSettings';
import { formatCodeQuality, formatJson, formatSarif, formatText, OUTPUT_FORMATS, type CliProblem, type OutputFormat } from './formatters';
import { runAuthCommand, type CommandIo } from './auth';
import { runExplainCommand } from './explain';
import { runPinCommand } from './pin';
import { runCheckAccessCommand } from './checkAccess';

declare const PULLGUARD_VERSION: string;
const VERSION = typeof PULLGUARD_VERSION === 'string' ? PULLGUARD_VERSION : '0.0.0-dev';

const USAGE = `Usage: pullguard [options] [PATH...]

Checks the container images of GitLab CI pipelines: .gitlab-ci.yml, GitLab Runner
config.toml and Docker config.json files. PATH defaults to the current directory;
folders are searched for those files.

Options:
  --format FORMAT        text (default), json, sarif or codequality
  --rule CODE=SEVERITY   set a rule's severity: error, warning, information, hint or off (repeatable)
  --pinning LEVEL        severity of image/not-pinned: off, hint, information, warning or error
  --ci-registry HOST     the host[:port] that $CI_REGISTRY stands for (default registry.gitlab.com)
  --var NAME=VALUE       a project CI/CD variable; VALUE "*" means defined, value unknown (repeatable)
  -h, --help             show this help
  -v, --version          show the version

Settings are also read from .pullguard.json at the repository root; flags win.
Exit status: 0 no errors, 1 errors found, 2 bad usage or unreadable input.`;


interface Output {
  out(text: string): void;
  err(text: string): void;
}

const SEVERITY_NAMES: Readonly<Record<DiagnosticSeverity, Severity>> = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'information',
  [DiagnosticSeverity.Hint]: 'hint',
};

function splitAssignment(flag: string, text: string): [string, string] {
  const eq = text.indexOf('=');
  // A --var value may be a secret (a project variable): it is never echoed back.
  const got = flag === '--var' ? 'got an argument without a NAME (not shown, as it may hold a secret)' : `got \`${text}\``;
  if (eq <= 0) throw new UsageError(`${flag} expects NAME=VALUE, ${got}.`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

interface Options {
  readonly paths: string[];
  readonly format: OutputFormat;
  readonly raw: Record<string, unknown>;
}

function readOptions(argv: readonly string[], cwd: string, warn: (text: string) => void): Options | 'help' | 'version' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string' },
      rule: { type: 'string', multiple: true },
      pinning: { type: 'string' },
      'ci-registry': { type: 'string' },
      var: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (values.help) return 'help';
  if (values.version) return 'version';
  const format = (values.format ?? 'text') as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got \`${values.format}\`.`);

  const raw = loadProjectSettings(cwd, warn);
  const rules: Record<string, unknown> = { ...(raw.rules as Record<string, unknown> | undefined) };
  for (const assignment of values.rule ?? []) {
    const [code, severity] = splitAssignment('--rule', assignment);
    if (!getRule(code)) throw new UsageError(`--rule names an unknown rule \`${code}\`. The rule codes are listed in docs/rules/README.md.`);
    if (!SEVERITY_SETTINGS.includes(severity as SeveritySetting)) throw new UsageError(`--rule ${code} expects one of ${SEVERITY_SETTINGS.join(', ')}, got \`${severity}\`.`);
    rules[code] = severity;
  }
  raw.rules = rules;
  if (values.pinning !== undefined) {
    if (!SEVERITY_SETTINGS.includes(values.pinning as SeveritySetting)) throw new UsageError(`--pinning expects one of ${SEVERITY_SETTINGS.join(', ')}, got \`${values.pinning}\`.`);
    raw.pinning = values.pinning;
  }
  if (values['ci-registry'] !== undefined) raw.ciRegistry = values['ci-registry'];
  const variables: Record<string, unknown> = { ...(raw.variables as Record<string, unknown> | undefined) };
  for (const assignment of values.var ?? []) {
    const [name, value] = splitAssignment('--var', assignment);
    variables[name] = value;
  }
  raw.variables = variables;
  return { paths: positionals.length > 0 ? positionals : ['.'], format, raw };
}

/** Guesses the kind of a file named on the command line that no pattern matches. */
function kindByContent(path: string, text: string): 'gitlab-ci' | 'runner-config' | 'docker-config' | 'none' {
  if (/\.ya?ml$/i.test(path)) return 'gitlab-ci';
  if (/\.toml$/i.test(path) && /^\s*\[\[\s*runners\s*\]\]/m.test(text)) return 'runner-config';
  if (/\.json$/i.test(path) && /"(?:auths|credHelpers|credsStore)"\s*:/.test(text)) return 'docker-config';
  return 'none';
}

export function runCli(argv: readonly string[], cwd: string, output: Output): number {
  let options: Options | 'help' | 'version';
  try {
    options = readOptions(argv, cwd, (text) => output.err(text));
  } catch (error) {
    output.err(`pullguard: ${error instanceof Error ? error.message : String(error)}`);
    output.err('Run `pullguard --help` for usage.');
    return 2;
  }
  if (options === 'help') {
    output.out(USAGE);
    return 0;
  }
  if (options === 'version') {
    output.out(VERSION);
    return 0;
  }
  const { settings, problems: settingsProblems } = parseSettings(options.raw);
  if (settingsProblems.length > 0) {
    // On the command line a bad setting is bad usage: nothing is analysed with a silent default.
    for (const problem of settingsProblems) output.err(`pullguard: ${problem.replace(/ The default is used instead\.$/, '')}`);
    return 2;
  }

  const { files, roots, unreadable: missing } = collectFiles(options.paths, cwd, (text) => output.err(text), settings);
  let unreadable = missing;
  const explicitlyNamed = new Set(options.paths.map((p) => resolve(cwd, p)));

  // The workspace index first (runner configs, included files, theirs included): it must be
  // complete before any analysis. As in the server, a YAML file that is no pipeline by its
  // path is read only if an include names it (WorkspaceIndex.setDiskFile); the other files
  // are read now. Each file is read once, for the index and the analysis both.
  const index = new WorkspaceIndex(roots);
  const reads = new Map<string, ReadResult>();
  const readOnce = (file: string): ReadResult => {
    let read = reads.get(file);
    if (!read) reads.set(file, (read = readTextFile(file)));
    return read;
  };
  for (const file of files) {
    index.setDiskFile(pathToFileURL(file).href, () => {
      const read = readOnce(file);
      return read.ok ? read.text : undefined;
    }, settings);
  }
  const context: AnalysisContext = { settings, workspace: index.view() };

  // The files analysed: those named, and the others but the YAML files no pipeline includes.
  const texts = new Map<string, string>();
  const tooLarge: string[] = [];
  for (const file of files) {
    const named = explicitlyNamed.has(file);
    if (!named && isYamlPath(file) && !isPipelinePath(analysisPathOf(file), settings, context.workspace.includedPatterns)) continue;
    const read = readOnce(file);
    if (!read.ok) {
      if (named) {
        output.err(`pullguard: cannot read ${relative(cwd, file) || file}: ${read.reason}.`);
        unreadable = true;
      } else if (read.tooLarge) {
        tooLarge.push(file);
      }
      continue;
    }
    texts.set(file, read.text);
  }

  const service = new LanguageService((family, error) => {
    output.err(`pullguard: internal error in the ${family} rules; they were skipped: ${error instanceof Error ? error.message : String(error)}`);
  });
  const problems: CliProblem[] = [];
  let analysed = 0;
  for (const file of tooLarge) {
    const kind = getDocumentKind(analysisPathOf(file), '', settings, context.workspace.includedPatterns);
    if (kind === 'none') continue;
    const finding = getTooLargeFinding(kind);
    const severity = getRuleSeverity(settings, finding.code);
    analysed++;
    if (severity === 'off') continue;
    problems.push({
      file: relative(cwd, file).split(sep).join('/'),
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity,
      code: finding.code,
      message: finding.message,
    });
  }
  for (const [file, text] of texts) {
    const uri = pathToFileURL(file).href;
    const document = TextDocument.create(uri, 'plaintext', 1, text);
    let kind = getDocumentKind(uriToPath(uri), text, settings, context.workspace.includedPatterns);
    if (kind === 'none' && explicitlyNamed.has(file)) kind = kindByContent(file, text);
    if (kind === 'none') continue;
    analysed++;
    const display = relative(cwd, file).split(sep).join('/') || file;
    const diagnostics = service.doValidation(document, context, kind);
    for (const diagnostic of diagnostics) {
      problems.push({
        file: display,
        range: diagnostic.range,
        severity: SEVERITY_NAMES[diagnostic.severity ?? DiagnosticSeverity.Error],
        code: String(diagnostic.code),
        message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value,
      });
    }
  }

  switch (options.format) {
    case 'json':
      output.out(formatJson(problems));
      break;
    case 'sarif':
      output.out(formatSarif(problems, VERSION));
      break;
    case 'codequality':
      output.out(formatCodeQuality(problems));
      break;
    default:
      output.out(formatText(problems, analysed));
  }
  if (unreadable) return 2;
  return problems.some((p) => p.severity === 'error') ? 1 : 0;
}

/** `pullguard explain …`, `auth …`, `pin …` and `check-access …` are subcommands; anything else is the analysis (`runCli`). */
export async function main(argv: readonly string[], cwd: string, io: CommandIo): Promise<number> {
  if (argv[0] === 'explain') return runExplainCommand(argv.slice(1), cwd, io);
  if (argv[0] === 'auth') return runAuthCommand(argv.slice(1), io);
  // The two commands that use the network (SPEC §3): nothing else here contacts anything.
  if (argv[0] === 'pin') return runPinCommand(argv.slice(1), cwd, io);
  if (argv[0] === 'check-access') return runCheckAccessCommand(argv.slice(1), cwd, io);
  return runCli(argv, cwd, io);
}

function readStdin(): Promise<string> {
  return new Promise((resolveText, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.on('end', () => resolveText(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

if (require.main === module) {
  void main(process.argv.slice(2), process.cwd(), {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    readStdin,
  }).then((code) => {
    process.exitCode = code;
  });
}
