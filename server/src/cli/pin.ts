/**
 * `pullguard pin [PATH...] [--write]` (SPEC §3, §5): resolves every image tag of the
 * pipelines and runner configs to the digest its registry reports (an index digest for a
 * multi-arch image), with the credentials the runner would use, and with `--write`
 * rewrites `name:tag` to `name:tag@sha256:…` in place — only the digest is inserted, so
 * the file's quoting and layout stay as they are.
 *
 * Exit status: 0 every image pinned (or nothing to pin); 1 some image could not be
 * resolved; 2 bad usage or unreadable input. No output contains a secret.
 */
import { writeFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LanguageService, type AnalysisContext } from '../service/languageService';
import { getDocumentKind } from '../service/documentKind';
import { WorkspaceIndex, uriToPath } from '../service/model/workspace';
import { readTextFile } from '../node/findFiles';
import { applyOffsetEdits } from '../service/codeActions';
import { pinOccurrences, type PinOutcome } from '../registry/documentPins';
import { NETWORK_FLAGS, NETWORK_USAGE, readNetworkOptions } from '../registry/cliOptions';
import type { CommandIo } from './auth';
import { collectFiles } from './paths';

const USAGE = `Usage: pullguard pin [PATH...] [options]

Resolves the tag of every image in the pipelines and runner configs under PATH (default:
the current directory) to the digest its registry reports, with the credentials the
runner would use, and shows name:tag -> name:tag@sha256:... . Network: contacts each
image's registry (and its token service), nothing else.

Options:
  --write                 rewrite the files in place (only the digest is inserted)
${NETWORK_USAGE}

Exit status: 0 all pinned or nothing to pin, 1 some image could not be resolved, 2 bad usage.`;

interface FileResult {
  readonly display: string;
  readonly path: string;
  readonly text: string;
  readonly outcomes: readonly PinOutcome[];
}

function position(text: string, offset: number): { line: number; character: number } {
  return TextDocument.create('file:///x', 'plaintext', 0, text).positionAt(offset);
}

/** `pullguard pin …`; `argv` starts after `pin`. */
export async function runPinCommand(argv: readonly string[], cwd: string, io: CommandIo, signal?: AbortSignal): Promise<number> {
  let values;
  let positionals: string[];
  let options;
  let collected;
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { ...NETWORK_FLAGS, write: { type: 'boolean' } } }));
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    options = readNetworkOptions(values, cwd, io.err, signal);
    collected = collectFiles(positionals.length > 0 ? positionals : ['.'], cwd, io.err, options.settings);
    if (collected.unreadable) {
      io.err('Run `pullguard pin --help` for usage.');
      return 2;
    }
  } catch (error) {
    io.err(`pullguard: ${error instanceof Error ? error.message : String(error)}`);
    io.err('Run `pullguard pin --help` for usage.');
    return 2;
  }
  const { settings } = options;
  const index = new WorkspaceIndex(collected.roots);
  const texts = new Map<string, string>();
  for (const file of collected.files) {
    const read = readTextFile(file);
    if (!read.ok) continue;
    texts.set(file, read.text);
    index.setFile(pathToFileURL(file).href, read.text, settings);
  }
  const context: AnalysisContext = { settings, workspace: index.view() };
  const service = new LanguageService();
  const results: FileResult[] = [];
  for (const [file, text] of texts) {
    const uri = pathToFileURL(file).href;
    const kind = getDocumentKind(uriToPath(uri), text, settings, context.workspace.includedPatterns);
    if (kind !== 'gitlab-ci' && kind !== 'runner-config') continue;
    const analysis = service.analyze(TextDocument.create(uri, 'plaintext', 1, text), context);
    if (analysis.images.length === 0) continue;
    const occurrences = analysis.images.map((occurrence) => ({ occurrence, credentials: analysis.credentials.images.get(occurrence) }));
    const outcomes = await pinOccurrences(occurrences, options.action, options.userConfig);
    results.push({ display: relative(cwd, file).split(sep).join('/') || file, path: file, text, outcomes });
  }

  let failed = 0;
  let pinned = 0;
  const written: string[] = [];
  for (const result of results) {
    const edits = result.outcomes.flatMap((o) => (o.edit ? [o.edit] : []));
    pinned += edits.length;
    failed += result.outcomes.filter((o) => o.failure && !o.failure.skipped).length;
    if (values.write && edits.length > 0) {
      // Only the digest is inserted: each edit replaces nothing.
      writeFileSync(result.path, applyOffsetEdits(result.text, edits.map((edit) => ({ ...edit, length: 0 }))));
      written.push(result.display);
    }
  }

  if (options.format === 'json') {
    io.out(JSON.stringify(results.flatMap((result) => result.outcomes.map((o) => ({
      file: result.display,
      range: { start: position(result.text, o.occurrence.start), end: position(result.text, o.occurrence.end) },
      image: o.occurrence.text,
      pulled: o.image ?? null,
      digest: o.digest ?? null,
      pinned: o.edit && o.image ? `${o.occurrence.text}${o.edit.newText}` : null,
      credentials: o.credentials ?? null,
      failure: o.failure ? { kind: o.failure.kind, message: o.failure.message, skipped: o.failure.skipped } : null,
      written: Boolean(values.write && o.edit),
    }))), null, 2));
  } else {
    for (const result of results) {
      for (const o of result.outcomes) {
        const at = position(result.text, o.occurrence.start);
        const where = `${result.display}:${at.line + 1}:${at.character + 1}`;
        if (o.edit) io.out(`${where}  ${o.occurrence.text} -> ${o.occurrence.text}${o.edit.newText}  (credentials: ${o.credentials})`);
        else if (o.failure?.skipped) io.out(`${where}  ${o.occurrence.text}: skipped: ${o.failure.message}`);
        else if (o.failure) io.out(`${where}  ${o.occurrence.text}: ${o.failure.kind}: ${o.failure.message}`);
      }
    }
    const summary = `${pinned} image${pinned === 1 ? '' : 's'} ${values.write ? 'pinned' : 'to pin'}, ${failed} failed.`;
    io.out(written.length > 0 ? `${summary} Rewrote ${written.join(', ')}.` : values.write || pinned === 0 ? summary : `${summary} Run with --write to rewrite the files.`);
  }
  return failed > 0 ? 1 : 0;
}
