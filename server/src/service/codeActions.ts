/**
 * Code actions: a quick fix for each diagnostic that carries fix data, built from its
 * `data` and `code` (never its message), and one `source.fixAll.pullguard` action that
 * applies the safe, purely local fixes of a document at once.
 *
 * Fixes of Docker's JSON are computed on the JSON text and then written back into its
 * host: a `.gitlab-ci.yml` scalar of any style, a `config.toml` string, or a whole
 * `config.json`. Each JSON edit is mapped to the host through the embedded JSON's
 * source map and escaped for the host's string style; the result is parsed again
 * and must decode to the intended JSON, else the whole value is re-encoded in the
 * same style (and checked the same way), else no fix is offered.
 *
 * Pinning to a digest needs the registry: its quick fix carries the client command
 * `pullguard.pinImage`, which asks the server's registry requests (server/src/registryRequests.ts)
 * for the digest; nothing is contacted until the user runs it.
 */
import { applyEdits, getNodeValue, type Node as JsonNode } from 'jsonc-parser';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, CodeActionContext, Command, Diagnostic, Range, TextEdit } from 'vscode-languageserver-types';
import { z } from 'zod';
import { decodeAuth, encodeAuth, revealPassword } from './credentials/base64';
import { AUTH_VARIABLE, readCiAuthConfigs } from './credentials/documentSources';
import { embedTomlEnvironmentValue, embedWholeJson, toHost, type EmbeddedJson } from './credentials/embeddedJson';
import { convertToRegistryPath, hostOfPath, isEcrHost } from './credentials/normalize';
import type { DocumentKind } from './documentKind';
import type { FixData } from './finding';
import type { CiModel } from './model/ciModel';
import type { ImageOccurrence } from './model/images';
import type { RunnerConfigModel, RunnerSection } from './model/runnerModel';
import type { WorkspaceView } from './model/workspace';
import { parseDocumentAs, type ParsedDocument } from './parsedDocument';
import type { TomlString } from './parse/tomlModel';
import { getOwnPair, getValue, type YPair, type YScalar } from './parse/yamlModel';
import type { Settings } from './settings';
import { escapeTomlBasic, escapeTomlMultilineBasic, escapeYamlDoubleQuoted, escapeYamlSingleQuoted } from './text/stringStyles';
import { FIX_ALL_KIND, QUICK_FIX_KIND } from './codeActionKinds';

/** Client commands a code action may carry (registered by the client). */
export const MOVE_TO_VARIABLE_COMMAND = 'pullguard.moveToVariable';
export const CREATE_AUTH_CONFIG_COMMAND = 'pullguard.createDockerAuthConfig';

/** What the code actions of one document are computed from. */
export interface CodeActionInput {
  readonly document: TextDocument;
  readonly parsed: ParsedDocument;
  readonly settings: Settings;
  readonly workspace: WorkspaceView;
  /** The document's images and the runner's credential lookup for each. */
  readonly images: ReadonlyMap<ImageOccurrence, { readonly resolution: { readonly registryPath: string } }>;
  /** Every diagnostic of the document, for the fix-all action (asked only when needed). */
  readonly getDiagnostics: () => readonly Diagnostic[];
}

// ---- Which fixes are preferred, and which are safe to apply all at once ----------------

interface FixPolicy {
  /** The one obvious fix: `isPreferred`, applied by "auto fix". */
  readonly preferred?: boolean;
  /**
   * Safe to apply unseen (`source.fixAll.pullguard`): local, and the runner's or
   * GitLab's behaviour changes only by the problem going away. `case-only`: only when
   * the fix changes no more than letter case.
   */
  readonly fixAll?: true | 'case-only';
}

/** By rule code: the handler matches on `code` and the fix kind in `data`, never on messages. */
const POLICIES: Readonly<Record<string, FixPolicy>> = {
  'image/uppercase-repository': { preferred: true, fixAll: true },
  'image/dependency-proxy-port': { preferred: true },
  'auth/unknown-key': { preferred: true, fixAll: 'case-only' },
  'auth/trailing-newline': { preferred: true, fixAll: true },
  'auth/port-mismatch': { preferred: true },
  'auth/docker-hub-key': { preferred: true, fixAll: true },
  'auth/duplicate-registry': { preferred: true },
  'auth/scheme-drops-path': {},
  'auth/empty-entry': { preferred: true },
  'auth/helper-unavailable': {},
  'auth/creds-store': { preferred: true },
  'auth/ecr-static-token': { preferred: true },
  'auth/ecr-creds-store': { preferred: true },
  'auth/dollar-expansion': {},
  'auth/email-ignored': { preferred: true, fixAll: true },
  'auth/committed-secret': { preferred: true },
  'auth/no-credentials': {},
  'service/alias-collision': {},
  'ci/deprecated-global': { preferred: true, fixAll: true },
  'ci/invalid-image-key': { preferred: true },
  'ci/invalid-entrypoint': { preferred: true, fixAll: true },
  'ci/invalid-pull-policy': { preferred: true },
  'runner/invalid-pull-policy': { preferred: true },
  'runner/legacy-links': { preferred: true },
  'runner/no-network-per-build': { preferred: true },
  'runner/services-as-strings': { preferred: true, fixAll: true },
  'runner/unknown-key': { preferred: true },
};

// ---- Decoding `Diagnostic.data` ------------------------------------------------------

const editSchema = z.object({ offset: z.number().int().nonnegative(), length: z.number().int().nonnegative(), newText: z.string() });
const fixDataSchema = z.discriminatedUnion('fix', [
  z.object({ fix: z.literal('replace'), title: z.string(), newText: z.string() }),
  z.object({ fix: z.literal('edits'), title: z.string(), edits: z.array(editSchema) }),
  z.object({ fix: z.literal('pin-digest'), image: z.string() }),
  z.object({ fix: z.literal('move-to-variable') }),
  z.object({ fix: z.literal('ecr-helper'), key: z.string() }),
  z.object({ fix: z.literal('remove-entry'), key: z.string() }),
  z.object({ fix: z.literal('remove-creds-store'), key: z.string() }),
  z.object({ fix: z.literal('remove-helper'), key: z.string() }),
  z.object({ fix: z.literal('creds-store-to-helpers') }),
  z.object({ fix: z.literal('create-auth-config'), registry: z.string() }),
  z.object({ fix: z.literal('remove-field'), key: z.string(), field: z.string() }),
  z.object({ fix: z.literal('strip-auth-newline'), key: z.string() }),
  z.object({ fix: z.literal('rename-key'), uri: z.string(), offset: z.number().int().nonnegative(), length: z.number().int().nonnegative(), key: z.string(), newKey: z.string() }),
]);

/** The fix data of a diagnostic from the client, or undefined when it is not ours or not valid. */
export function decodeFixData(diagnostic: Diagnostic): FixData | undefined {
  if (diagnostic.source !== 'pullguard' || typeof diagnostic.code !== 'string') return undefined;
  const parsed = fixDataSchema.safeParse(diagnostic.data);
  return parsed.success ? parsed.data : undefined;
}

// ---- Entry point ----------------------------------------------------------------------------

/** An edit in offsets of the document `uri`. */
interface HostEdit {
  readonly uri: string;
  readonly offset: number;
  readonly length: number;
  readonly newText: string;
}

interface Fix {
  readonly title: string;
  readonly edits: readonly HostEdit[];
  readonly command?: Command;
}

/** The code actions for `range`, as asked by `context` (its diagnostics, and `only`). */
export function getCodeActions(input: CodeActionInput, _range: Range, context: CodeActionContext): CodeAction[] {
  const actions: CodeAction[] = [];
  if (wants(context.only, QUICK_FIX_KIND)) {
    const byKey = new Map<string, CodeAction>();
    for (const diagnostic of context.diagnostics) {
      const fix = getFix(input, diagnostic);
      if (!fix) continue;
      // One action for the same change asked by several diagnostics (secrets of one `DOCKER_AUTH_CONFIG`).
      const key = JSON.stringify([fix.title, fix.edits, fix.command]);
      const existing = byKey.get(key);
      if (existing) {
        existing.diagnostics!.push(diagnostic);
        continue;
      }
      const action: CodeAction = { title: fix.title, kind: QUICK_FIX_KIND, diagnostics: [diagnostic] };
      if (POLICIES[String(diagnostic.code)]?.preferred) action.isPreferred = true;
      if (fix.edits.length > 0) action.edit = toWorkspaceEdit(input, fix.edits);
      if (fix.command) action.command = fix.command;
      byKey.set(key, action);
      actions.push(action);
    }
  }
  if (wants(context.only, FIX_ALL_KIND, true)) {
    const fixAll = getFixAllAction(input);
    if (fixAll) actions.push(fixAll);
  }
  return actions;
}

/** Whether `kind` is asked for: no `only` means quick fixes but no source actions. */
function wants(only: readonly string[] | undefined, kind: string, sourceAction = false): boolean {
  if (!only) return !sourceAction;
  return only.some((asked) => kind === asked || kind.startsWith(`${asked}.`));
}

/** Every safe fix of the document in one action; fixes whose edits touch another's wait for the next run. */
function getFixAllAction(input: CodeActionInput): CodeAction | undefined {
  const accepted: HostEdit[] = [];
  const fixed: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const diagnostic of input.getDiagnostics()) {
    const policy = POLICIES[String(diagnostic.code)];
    if (!policy?.fixAll) continue;
    const fix = getFix(input, diagnostic);
    if (!fix || fix.command || fix.edits.length === 0 || fix.edits.some((edit) => edit.uri !== input.document.uri)) continue;
    if (policy.fixAll === 'case-only' && !changesOnlyCase(input, fix)) continue;
    const key = JSON.stringify(fix.edits);
    if (seen.has(key)) {
      fixed.push(diagnostic);
      continue;
    }
    if (fix.edits.some((edit) => accepted.some((other) => conflicts(edit, other)))) continue;
    seen.add(key);
    accepted.push(...fix.edits);
    fixed.push(diagnostic);
  }
  if (accepted.length === 0) return undefined;
  return { title: 'Fix all safe Pullguard problems', kind: FIX_ALL_KIND, diagnostics: fixed, edit: toWorkspaceEdit(input, accepted) };
}

function changesOnlyCase(input: CodeActionInput, fix: Fix): boolean {
  const text = input.document.getText();
  return fix.edits.every((edit) => text.slice(edit.offset, edit.offset + edit.length).toLowerCase() === edit.newText.toLowerCase());
}

/** Edits overlap, or an insertion touches another edit (their order would be ambiguous). */
function conflicts(a: HostEdit, b: HostEdit): boolean {
  const aEnd = a.offset + a.length;
  const bEnd = b.offset + b.length;
  if (a.length === 0 || b.length === 0) return a.offset <= bEnd && b.offset <= aEnd;
  return a.offset < bEnd && b.offset < aEnd;
}

function toWorkspaceEdit(input: CodeActionInput, edits: readonly HostEdit[]): { changes: Record<string, TextEdit[]> } {
  const changes: Record<string, TextEdit[]> = {};
  const documents = new Map<string, TextDocument>([[input.document.uri, input.document]]);
  for (const edit of [...edits].sort((a, b) => a.offset - b.offset)) {
    let document = documents.get(edit.uri);
    if (!document) {
      document = TextDocument.create(edit.uri, 'plaintext', 0, getOtherText(input.workspace, edit.uri) ?? '');
      documents.set(edit.uri, document);
    }
    (changes[edit.uri] ??= []).push({
      range: { start: document.positionAt(edit.offset), end: document.positionAt(edit.offset + edit.length) },
      newText: edit.newText,
    });
  }
  return { changes };
}

// ---- One diagnostic's fix --------------------------------------------------------------------

function getFix(input: CodeActionInput, diagnostic: Diagnostic): Fix | undefined {
  const data = decodeFixData(diagnostic);
  if (!data) return undefined;
  const code = String(diagnostic.code);
  const { document } = input;
  const uri = document.uri;
  const offset = document.offsetAt(diagnostic.range.start);
  const length = document.offsetAt(diagnostic.range.end) - offset;
  switch (data.fix) {
    case 'replace':
      // Docker's JSON is edited as JSON, then escaped for the file it is written in.
      if (code.startsWith('auth/')) return getJsonFix(input, offset, (json) => replaceAt(json, offset, length, data.newText), data.title);
      return { title: data.title, edits: [{ uri, offset, length, newText: data.newText }] };
    case 'edits':
      return { title: data.title, edits: data.edits.map((edit) => ({ uri, ...edit })) };
    case 'pin-digest': {
      // Needs the registry: the client's command asks the server (`pullguard/pinImage`) only when chosen.
      const title = 'Pin to digest (asks the registry)';
      return { title, edits: [], command: { title, command: 'pullguard.pinImage', arguments: [{ uri, offset, length, range: diagnostic.range, image: data.image }] } };
    }
    case 'create-auth-config': {
      const title = `Create DOCKER_AUTH_CONFIG for \`${data.registry}\`…`;
      return { title, edits: [], command: { title, command: CREATE_AUTH_CONFIG_COMMAND, arguments: [{ registry: data.registry }] } };
    }
    case 'move-to-variable':
      return getMoveToVariableFix(input, offset);
    case 'remove-entry':
      return getJsonFix(input, offset, (json) => removeAt(json, offset, length, ['auths', data.key]), `Remove the \`${data.key}\` entry`);
    case 'remove-helper':
      return getJsonFix(input, offset, (json) => removeAt(json, offset, length, ['credHelpers', data.key]), `Remove the \`${data.key}\` credential helper`);
    case 'remove-creds-store':
      return getJsonFix(input, offset, (json) => removeAt(json, offset, length, ['credsStore']), 'Remove `credsStore`');
    case 'remove-field':
      return getJsonFix(input, offset, (json) => removeAt(json, offset, length, ['auths', data.key, data.field]), `Remove \`${data.field}\``);
    case 'ecr-helper':
      return getJsonFix(input, offset, (json) => useEcrHelper(json, data.key), `Use the \`ecr-login\` credential helper for \`${data.key}\``);
    case 'creds-store-to-helpers':
      return getCredsStoreFix(input, offset, length);
    case 'strip-auth-newline':
      return getJsonFix(input, offset, (json) => stripAuthNewline(json, offset, length, data.key), 'Re-encode `auth` without the trailing newline');
    case 'rename-key':
      return getRenameKeyFix(input, data);
  }
}

// ---- Docker's JSON in its host --------------------------------------------------------------

/** How the host writes the JSON text: decides how inserted text is escaped. */
type HostStyle =
  | 'json'
  | 'yaml-plain' | 'yaml-single' | 'yaml-double' | 'yaml-block'
  | 'toml-basic' | 'toml-literal' | 'toml-multiline-basic' | 'toml-multiline-literal';

/** One JSON text in a document, with what it takes to edit it there. */
interface JsonHost {
  readonly uri: string;
  readonly kind: DocumentKind;
  /** The whole host document. */
  readonly text: string;
  readonly embedded: EmbeddedJson;
  readonly style: HostStyle;
  /** The scalar or string that holds the JSON (the whole document for a `config.json`). */
  readonly start: number;
  readonly end: number;
  /** The content indentation of a YAML block scalar. */
  readonly blockIndent: string;
  /** Syntax errors of the host document as it is: an edit must not add one. */
  readonly syntaxErrors: number;
  /** The edits that remove the whole variable from the document, if that can be done cleanly. */
  readonly removeVariable: () => Array<Omit<HostEdit, 'uri'>> | undefined;
}

/** A change of one JSON text: edits in JSON offsets (jsonc-parser's shape). */
interface JsonEdit {
  readonly offset: number;
  readonly length: number;
  readonly content: string;
}

type JsonChange = (json: JsonContext) => JsonEdit[] | undefined;

/** The JSON being fixed, with the host offsets of the diagnostic mapped through it. */
interface JsonContext {
  readonly host: JsonHost;
  readonly text: string;
  readonly root: JsonNode;
}

/** Finds the JSON at `offset` of the document, applies `change`, and writes it back escaped for the host. */
function getJsonFix(input: CodeActionInput, offset: number, change: JsonChange, title: string, uri = input.document.uri): Fix | undefined {
  const hosts = uri === input.document.uri ? findJsonHosts(input.document.getText(), input.parsed, uri, input.settings) : findOtherJsonHosts(input, uri);
  const host = hosts.find((h) => h.start <= offset && offset <= h.end);
  const root = host?.embedded.model.root;
  if (!host || !root) return undefined;
  const edits = change({ host, text: host.embedded.text, root });
  if (!edits || edits.length === 0) return undefined;
  const hostEdits = encodeForHost(host, edits, input.settings);
  return hostEdits ? { title, edits: hostEdits.map((edit) => ({ uri, ...edit })) } : undefined;
}

/** Every `DOCKER_AUTH_CONFIG` (or the whole `config.json`) of a document. */
function findJsonHosts(text: string, parsed: ParsedDocument, uri: string, settings: Settings): JsonHost[] {
  switch (parsed.kind) {
    case 'gitlab-ci':
      return readCiAuthConfigs(parsed.ci.model, uri, settings).map(({ node, job, read }) => ({
        uri,
        kind: 'gitlab-ci',
        text,
        embedded: read.embedded,
        style: yamlStyle(node),
        start: node.start,
        end: node.end,
        blockIndent: getBlockIndent(text, node),
        syntaxErrors: countSyntaxErrors(parsed),
        removeVariable: () => removeYamlVariable(parsed.ci.model, node, job),
      }));
    case 'runner-config':
      return parsed.runner.runners.flatMap((runner) => runner.environment.filter((entry) => entry.name === AUTH_VARIABLE).map((entry) => ({
        uri,
        kind: 'runner-config' as const,
        text,
        embedded: embedTomlEnvironmentValue(text, entry.node, AUTH_VARIABLE.length + 1),
        style: tomlStyle(entry.node),
        start: entry.node.range[0],
        end: entry.node.range[1],
        blockIndent: '',
        syntaxErrors: countSyntaxErrors(parsed),
        removeVariable: () => removeTomlEnvironmentEntry(parsed.runner, runner, entry.node),
      })));
    case 'docker-config':
      return [{
        uri, kind: 'docker-config', text, embedded: embedWholeJson(text, parsed.json), style: 'json',
        start: 0, end: text.length, blockIndent: '', syntaxErrors: countSyntaxErrors(parsed), removeVariable: () => undefined,
      }];
    default:
      return [];
  }
}

/** The JSON hosts of another file of the workspace (a runner `config.toml`, a `config.json`). */
function findOtherJsonHosts(input: CodeActionInput, uri: string): JsonHost[] {
  const runner = input.workspace.runnerConfigs.find((config) => config.uri === uri);
  if (runner) return findJsonHosts(runner.model.text, { kind: 'runner-config', runner: runner.model }, uri, input.settings);
  const docker = input.workspace.dockerConfigs.find((config) => config.uri === uri);
  if (docker) return findJsonHosts(docker.text, parseDocumentAs('docker-config', docker.text), uri, input.settings);
  return [];
}

function getOtherText(workspace: WorkspaceView, uri: string): string | undefined {
  return workspace.runnerConfigs.find((config) => config.uri === uri)?.model.text ?? workspace.dockerConfigs.find((config) => config.uri === uri)?.text;
}

function yamlStyle(node: YScalar): HostStyle {
  switch (node.style) {
    case 'single':
      return 'yaml-single';
    case 'double':
      return 'yaml-double';
    case 'literal':
    case 'folded':
      return 'yaml-block';
    default:
      return 'yaml-plain';
  }
}

function tomlStyle(node: TomlString): HostStyle {
  if (node.style === 'literal') return node.multiline ? 'toml-multiline-literal' : 'toml-literal';
  return node.multiline ? 'toml-multiline-basic' : 'toml-basic';
}

/** The indentation of a block scalar's first content line. */
function getBlockIndent(text: string, node: YScalar): string {
  if (node.style !== 'literal' && node.style !== 'folded') return '';
  const body = text.slice(text.indexOf('\n', node.start) + 1, node.end);
  return /^(?:[ \t]*\r?\n)*([ ]*)/.exec(body)?.[1] ?? '';
}

// ---- Writing JSON edits into the host ---------------------------------------------------------

/**
 * Host edits that make the host decode to the JSON text with `edits` applied: the
 * edits themselves, mapped and escaped; else the whole JSON text re-encoded in the
 * same style; else the same with its line breaks turned into spaces (the same JSON
 * value). Each candidate is parsed again and must decode as intended.
 */
function encodeForHost(host: JsonHost, edits: readonly JsonEdit[], settings: Settings): Array<Omit<HostEdit, 'uri'>> | undefined {
  const intended = applyEdits(host.embedded.text, [...edits]);
  const whole = (content: string): JsonEdit[] => [{ offset: 0, length: host.embedded.text.length, content }];
  const candidates: Array<{ edits: readonly JsonEdit[]; exact: boolean }> = [
    { edits, exact: true },
    { edits: whole(intended), exact: true },
    { edits: whole(intended.replace(/\r?\n[ \t]*/g, ' ')), exact: false },
  ];
  for (const candidate of candidates) {
    const hostEdits = mapToHost(host, candidate.edits);
    if (hostEdits && decodesAs(host, hostEdits, intended, candidate.exact, settings)) return hostEdits;
  }
  return undefined;
}

function mapToHost(host: JsonHost, edits: readonly JsonEdit[]): Array<Omit<HostEdit, 'uri'>> | undefined {
  const result: Array<Omit<HostEdit, 'uri'>> = [];
  for (const edit of edits) {
    const start = host.embedded.map.toSource(edit.offset, 'start');
    const end = edit.length === 0 ? start : host.embedded.map.toSource(edit.offset + edit.length, 'end');
    const newText = escapeForHost(host, edit.content, host.text[start - 1] ?? '', host.text[end] ?? '');
    if (newText === undefined) return undefined;
    result.push({ offset: start, length: Math.max(0, end - start), newText });
  }
  return result;
}

/**
 * `text` written inside the host's string between the characters `before` and `after`,
 * or undefined when the style cannot hold it.
 */
function escapeForHost(host: JsonHost, text: string, before: string, after: string): string | undefined {
  switch (host.style) {
    case 'json':
      return text;
    case 'yaml-double':
      return escapeYamlDoubleQuoted(text);
    case 'yaml-single':
      return /[\r\n]/.test(text) ? undefined : escapeYamlSingleQuoted(text);
    case 'yaml-plain':
      return /[\r\n#]|: /.test(text) ? undefined : text;
    case 'yaml-block':
      // A line break starts a line of the block, which needs the block's indentation.
      return text.replace(/\n(?=[^\r\n])/g, `\n${host.blockIndent}`);
    case 'toml-basic':
      return escapeTomlBasic(text);
    case 'toml-multiline-basic':
      return escapeTomlMultilineBasic(text, before, after);
    case 'toml-literal':
      return /['\r\n]/.test(text) ? undefined : text;
    case 'toml-multiline-literal':
      return text.includes("'''") ? undefined : text;
  }
}

/** Parses the edited host again: it must have no new syntax error, and its JSON must be `intended` (or the same value). */
function decodesAs(host: JsonHost, edits: ReadonlyArray<Omit<HostEdit, 'uri'>>, intended: string, exact: boolean, settings: Settings): boolean {
  const text = applyOffsetEdits(host.text, edits);
  const after = parseDocumentAs(host.kind, text);
  if (countSyntaxErrors(after) > host.syntaxErrors) return false;
  const again = findJsonHosts(text, after, host.uri, settings).find((h) => h.start === host.start);
  if (!again) return false;
  if (again.embedded.text === intended) return true;
  if (exact) return false;
  const edited = embedWholeJson(intended).model;
  return again.embedded.model.errors.length === 0 && edited.errors.length === 0
    && JSON.stringify(getNodeValue(again.embedded.model.root!)) === JSON.stringify(getNodeValue(edited.root!));
}

function countSyntaxErrors(parsed: ParsedDocument): number {
  switch (parsed.kind) {
    case 'gitlab-ci':
      return parsed.ci.model.yaml.errors.length;
    case 'runner-config':
      return parsed.runner.toml.errors.length;
    case 'docker-config':
      return parsed.json.errors.length;
    default:
      return 0;
  }
}

/** Applies non-overlapping offset edits to a text. */
export function applyOffsetEdits(text: string, edits: ReadonlyArray<{ readonly offset: number; readonly length: number; readonly newText: string }>): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.offset - a.offset)) {
    result = result.slice(0, edit.offset) + edit.newText + result.slice(edit.offset + edit.length);
  }
  return result;
}

// ---- JSON edits --------------------------------------------------------------------------------

/** The JSON node (or `$` character) written exactly at the host span. */
function spanAtHost(json: JsonContext, offset: number, length: number): { offset: number; length: number; node?: JsonNode } | undefined {
  const matches = (start: number, size: number) => {
    const at = toHost(json.host.embedded, start, size);
    return at.offset === offset && at.length === Math.max(1, length);
  };
  let found: JsonNode | undefined;
  const visit = (node: JsonNode) => {
    if (found) return;
    if (matches(node.offset, node.length)) found = node;
    for (const child of node.children ?? []) visit(child);
  };
  visit(json.root);
  if (found) return { offset: found.offset, length: found.length, node: found };
  for (let i = json.text.indexOf('$'); i !== -1; i = json.text.indexOf('$', i + 1)) {
    if (matches(i, 1)) return { offset: i, length: 1 };
  }
  return undefined;
}

function replaceAt(json: JsonContext, offset: number, length: number, content: string): JsonEdit[] | undefined {
  const span = spanAtHost(json, offset, length);
  return span && [{ offset: span.offset, length: span.length, content }];
}

function propertiesOf(node: JsonNode | undefined): JsonNode[] {
  return node?.type === 'object' ? (node.children ?? []).filter((child) => child.type === 'property') : [];
}

function nameOf(property: JsonNode): string | undefined {
  const key = property.children?.[0];
  return typeof key?.value === 'string' ? key.value : undefined;
}

/** A top-level property as the runner's decoder finds it: by its name, else the same name in another case. */
function findTopLevel(root: JsonNode, name: string): JsonNode | undefined {
  const properties = propertiesOf(root);
  return properties.find((p) => nameOf(p) === name) ?? properties.find((p) => nameOf(p)?.toLowerCase() === name.toLowerCase());
}

function findProperty(root: JsonNode, path: readonly string[]): JsonNode | undefined {
  let property = findTopLevel(root, path[0]!);
  for (const name of path.slice(1)) property = propertiesOf(property?.children?.[1]).find((p) => nameOf(p) === name);
  return property;
}

/** The property the diagnostic is on (its key, its value, or itself), if it has the expected name; else found by path. */
function propertyFor(json: JsonContext, offset: number, length: number, path: readonly string[]): JsonNode | undefined {
  const node = spanAtHost(json, offset, length)?.node;
  const property = node?.type === 'property' ? node : node?.parent?.type === 'property' ? node.parent : undefined;
  const last = path[path.length - 1]!;
  const sameName = (name: string | undefined) => (path.length === 1 ? name?.toLowerCase() === last.toLowerCase() : name === last);
  if (property && sameName(nameOf(property))) return property;
  return findProperty(json.root, path);
}

/** Removes a property and the comma that goes with it. */
function removeProperty(property: JsonNode): JsonEdit {
  const siblings = property.parent!.children!;
  const index = siblings.indexOf(property);
  const end = property.offset + property.length;
  if (siblings.length === 1) {
    const object = property.parent!;
    return { offset: object.offset + 1, length: object.length - 2, content: '' };
  }
  if (index > 0) {
    const previous = siblings[index - 1]!;
    const start = previous.offset + previous.length;
    return { offset: start, length: end - start, content: '' };
  }
  return { offset: property.offset, length: siblings[1]!.offset - property.offset, content: '' };
}

function removeAt(json: JsonContext, offset: number, length: number, path: readonly string[]): JsonEdit[] | undefined {
  const property = propertyFor(json, offset, length, path);
  return property && [removeProperty(property)];
}

/** How the JSON text is laid out, so that new members look like the others. */
interface JsonLayout {
  readonly multiline: boolean;
  readonly eol: string;
  /** Indentation of the object's members, and one level of indentation. */
  readonly indent: string;
  readonly unit: string;
  readonly colon: string;
  readonly comma: string;
}

function getLayout(text: string, object: JsonNode): JsonLayout {
  const colon = /":[ \t]/.test(text) ? ': ' : ':';
  // Without a comma to go by, a space after `:` calls for one after `,`.
  const comma = /,[ \t]/.test(text) || (!/,["{[]/.test(text) && colon === ': ') ? ', ' : ',';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lineStart = text.lastIndexOf('\n', object.offset - 1) + 1;
  const objectIndent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const first = object.children?.[0];
  const before = first ? text.slice(object.offset + 1, first.offset) : '';
  if (!before.includes('\n')) return { multiline: false, eol, indent: objectIndent, unit: '  ', colon, comma };
  const indent = before.slice(before.lastIndexOf('\n') + 1);
  const unit = indent.startsWith(objectIndent) && indent.length > objectIndent.length ? indent.slice(objectIndent.length) : '  ';
  return { multiline: true, eol, indent, unit, colon, comma };
}

/** `{"a": "x", "b": "y"}`, laid out like `layout` one level below `indent`. */
function formatObject(members: ReadonlyArray<readonly [string, string]>, layout: JsonLayout, indent: string): string {
  const written = members.map(([name, value]) => `${JSON.stringify(name)}${layout.colon}${JSON.stringify(value)}`);
  if (!layout.multiline) return `{${written.join(layout.comma)}}`;
  const inner = `${indent}${layout.unit}`;
  return `{${layout.eol}${inner}${written.join(`,${layout.eol}${inner}`)}${layout.eol}${indent}}`;
}

/** Adds members (`name: text`) at the end of an object. */
function insertMembers(text: string, object: JsonNode, members: ReadonlyArray<readonly [string, string]>): JsonEdit {
  const layout = getLayout(text, object);
  const written = members.map(([name, value]) => `${JSON.stringify(name)}${layout.colon}${value}`);
  const last = object.children?.[object.children.length - 1];
  if (!last) return { offset: object.offset + 1, length: object.length - 2, content: written.join(layout.comma) };
  const separator = layout.multiline ? `,${layout.eol}${layout.indent}` : layout.comma;
  return { offset: last.offset + last.length, length: 0, content: written.map((member) => separator + member).join('') };
}

/**
 * Adds `credHelpers` entries (those not there yet), creating `credHelpers` where
 * `replacing` was (the `credsStore` it replaces) or at the end.
 */
function addHelpers(json: JsonContext, entries: ReadonlyArray<readonly [string, string]>, replacing?: JsonNode): JsonEdit[] | undefined {
  const existing = findTopLevel(json.root, 'credHelpers');
  const object = existing?.children?.[1];
  if (existing) {
    if (object?.type !== 'object') return undefined;
    const names = new Set(propertiesOf(object).map(nameOf));
    const missing = entries.filter(([key]) => !names.has(key));
    const edits = replacing ? [removeProperty(replacing)] : [];
    if (missing.length > 0) edits.push(insertMembers(json.text, object, missing.map(([key, helper]) => [key, JSON.stringify(helper)] as const)));
    return edits;
  }
  const layout = getLayout(json.text, json.root);
  const value = formatObject(entries, layout, layout.multiline ? layout.indent : '');
  if (replacing) {
    return [{ offset: replacing.offset, length: replacing.length, content: `${JSON.stringify('credHelpers')}${layout.colon}${value}` }];
  }
  return [insertMembers(json.text, json.root, [['credHelpers', value]])];
}

function useEcrHelper(json: JsonContext, key: string): JsonEdit[] | undefined {
  const entry = findProperty(json.root, ['auths', key]);
  if (!entry) return undefined;
  const helpers = addHelpers(json, [[key, 'ecr-login']]);
  return helpers && [removeProperty(entry), ...helpers];
}

/** `credsStore` → one `credHelpers` entry per registry of `auths` (and, for `ecr-login`, per ECR registry the document pulls from). */
function getCredsStoreFix(input: CodeActionInput, offset: number, length: number): Fix | undefined {
  let title = '';
  const fix = getJsonFix(input, offset, (json) => {
    const store = propertyFor(json, offset, length, ['credsStore']);
    const helper = store?.children?.[1]?.value;
    if (!store || typeof helper !== 'string') return undefined;
    const auths = propertiesOf(findTopLevel(json.root, 'auths')?.children?.[1]);
    let registries = auths.map(nameOf).filter((name): name is string => name !== undefined);
    const placeholders = auths.some((entry) => propertiesOf(entry.children?.[1]).length === 0 && entry.children?.[1]?.type === 'object');
    if (helper === 'ecr-login') {
      // `ecr-login` answers for ECR hosts only (auth/ecr-helper-host).
      registries = registries.filter((key) => isEcrHost(hostOfPath(convertToRegistryPath(key))));
      for (const credentials of input.images.values()) {
        const host = hostOfPath(credentials.resolution.registryPath);
        if (isEcrHost(host) && !registries.some((key) => hostOfPath(convertToRegistryPath(key)) === host)) registries.push(host);
      }
    }
    if (registries.length === 0) return undefined;
    const shown = registries.length <= 3 ? registries.map((r) => `\`${r}\``).join(', ') : `${registries.slice(0, 3).map((r) => `\`${r}\``).join(', ')} and ${registries.length - 3} more`;
    const scope = helper === 'ecr-login' ? 'each ECR registry in `auths` or used here' : `every registry in \`auths\`${placeholders ? ', empty placeholders included' : ''}`;
    title = `Replace \`credsStore\` with \`credHelpers\` → \`${helper}\` for ${scope}: ${shown}`;
    return addHelpers(json, registries.map((registry) => [registry, helper] as const), store);
  }, '');
  return fix && { ...fix, title };
}

function stripAuthNewline(json: JsonContext, offset: number, length: number, key: string): JsonEdit[] | undefined {
  const span = spanAtHost(json, offset, length);
  const node = span?.node?.type === 'string' ? span.node : findProperty(json.root, ['auths', key, 'auth'])?.children?.[1];
  if (node?.type !== 'string' || typeof node.value !== 'string') return undefined;
  const decoded = decodeAuth(node.value);
  // The password leaves base64.ts only here, to be encoded again at once.
  const password = revealPassword(node.value);
  if (!decoded.ok || password === undefined) return undefined;
  return [{ offset: node.offset, length: node.length, content: JSON.stringify(encodeAuth(decoded.username, password.replace(/[\r\n]+$/, ''))) }];
}

function getRenameKeyFix(input: CodeActionInput, data: Extract<FixData, { fix: 'rename-key' }>): Fix | undefined {
  const change: JsonChange = (json) => {
    const span = spanAtHost(json, data.offset, data.length);
    if (span?.node?.type !== 'string' || span.node.value !== data.key || span.node.parent?.children?.[0] !== span.node) return undefined;
    return [{ offset: span.offset, length: span.length, content: JSON.stringify(data.newKey) }];
  };
  return getJsonFix(input, data.offset, change, `Rename the key \`${data.key}\` to \`${data.newKey}\``, data.uri);
}

// ---- Move to a CI/CD variable ------------------------------------------------------------------

function getMoveToVariableFix(input: CodeActionInput, offset: number): Fix | undefined {
  const host = findJsonHosts(input.document.getText(), input.parsed, input.document.uri, input.settings).find((h) => h.start <= offset && offset <= h.end);
  const removal = host?.removeVariable();
  if (!host || !removal) return undefined;
  const after = parseDocumentAs(host.kind, applyOffsetEdits(host.text, removal));
  if (countSyntaxErrors(after) > countSyntaxErrors(input.parsed)) return undefined;
  const title = 'Move `DOCKER_AUTH_CONFIG` to a CI/CD variable';
  return {
    title,
    edits: removal.map((edit) => ({ uri: host.uri, ...edit })),
    // The client copies the JSON to the clipboard and opens the CI/CD variables help.
    command: { title, command: MOVE_TO_VARIABLE_COMMAND, arguments: [host.embedded.text] },
  };
}

/** Removes the lines `[start, end)` cover, when nothing else is on them. */
function wholeLines(text: string, start: number, end: number): Omit<HostEdit, 'uri'> | undefined {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  if (text.slice(lineStart, start).trim() !== '') return undefined;
  if (text[end - 1] === '\n') return { offset: lineStart, length: end - lineStart, newText: '' };
  let lineEnd = text.indexOf('\n', end);
  if (lineEnd === -1) lineEnd = text.length;
  if (!/^[ \t]*(?:#.*)?\r?$/.test(text.slice(end, lineEnd))) return undefined;
  return { offset: lineStart, length: Math.min(text.length, lineEnd + 1) - lineStart, newText: '' };
}

/** The `DOCKER_AUTH_CONFIG:` pair of a `variables:` map (global or the job's), and the `variables:` pair itself. */
function removeYamlVariable(model: CiModel, node: YScalar, job: string | undefined): Array<Omit<HostEdit, 'uri'>> | undefined {
  const owner = job === undefined ? model.root : model.jobs.get(job)?.map;
  if (owner?.kind !== 'map') return undefined;
  const variablesPair = getOwnPair(owner, 'variables');
  const variables = variablesPair?.value;
  if (!variablesPair || variables?.kind !== 'map') return undefined;
  const pair = variables.pairs.find((p) => p.value === node || (p.value?.kind === 'map' && getValue(p.value, 'value') === node));
  if (!pair) return undefined;
  const text = model.text;
  const pairEnd = (p: YPair) => p.value?.end ?? p.key.end;
  if (text[variables.start] === '{') {
    const index = variables.pairs.indexOf(pair);
    if (variables.pairs.length === 1) return [{ offset: variables.start, length: variables.end - variables.start, newText: '{}' }];
    if (index > 0) {
      const start = pairEnd(variables.pairs[index - 1]!);
      return [{ offset: start, length: pairEnd(pair) - start, newText: '' }];
    }
    return [{ offset: pair.key.start, length: variables.pairs[1]!.key.start - pair.key.start, newText: '' }];
  }
  // The only variable: `variables:` goes with it, rather than be left empty.
  const removal = variables.pairs.length === 1 && variables.merges.length === 0
    ? wholeLines(text, variablesPair.key.start, pairEnd(variablesPair))
    : wholeLines(text, pair.key.start, pairEnd(pair));
  return removal && [removal];
}

/** The `DOCKER_AUTH_CONFIG=…` element of a runner's `environment`, with its comma (or the whole `environment` when it is the only one). */
function removeTomlEnvironmentEntry(config: RunnerConfigModel, runner: RunnerSection, node: TomlString): Array<Omit<HostEdit, 'uri'>> | undefined {
  const array = runner.environmentNode;
  if (array?.type !== 'TOMLArray') return undefined;
  const elements = array.elements;
  const index = elements.indexOf(node);
  if (index === -1) return undefined;
  if (elements.length === 1) {
    const pair = runner.entries.find((entry) => entry.node === array)?.pair;
    const lines = pair && wholeLines(config.text, pair.range[0], pair.range[1]);
    return [lines ?? { offset: array.range[0], length: array.range[1] - array.range[0], newText: '[]' }];
  }
  if (index > 0) {
    const start = elements[index - 1]!.range[1];
    return [{ offset: start, length: node.range[1] - start, newText: '' }];
  }
  return [{ offset: node.range[0], length: elements[1]!.range[0] - node.range[0], newText: '' }];
}
