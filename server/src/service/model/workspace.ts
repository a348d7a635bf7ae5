/**
 * The other files' facts that an analysis needs: the runner configurations in the
 * workspace (their environment, default images, allowlists) and the files that
 * pipelines include. The index is updated one file at a time (the server on each
 * change, the CLI once per file); a view is an immutable snapshot, so an analysis
 * cached against a view stays valid until the next change.
 */
import { getDocumentKind, isPipelinePath, isYamlPath, mayBeReadFile } from '../documentKind';
import { MAX_DOCUMENT_LENGTH, parseDocumentAs, type ParsedDocument } from '../parsedDocument';
import type { Settings } from '../settings';
import { matchGlob } from '../text/glob';
import { parseCiModel, type CiModel, type IncludedFile } from './ciModel';
import type { RunnerConfigModel } from './runnerModel';

export interface WorkspaceRunnerConfig {
  readonly uri: string;
  readonly model: RunnerConfigModel;
}

export interface WorkspaceDockerConfig {
  readonly uri: string;
  readonly text: string;
}

export interface WorkspaceView {
  readonly runnerConfigs: readonly WorkspaceRunnerConfig[];
  /** Docker `config.json` files: a stand-in for the runner user's `~/.docker/config.json`. */
  readonly dockerConfigs: readonly WorkspaceDockerConfig[];
  /** Absolute path patterns named by `include: local` in the workspace's pipelines. */
  readonly includedPatterns: readonly string[];
  /** The workspace folders' paths: an `include: local` path starts at the one holding the pipeline. */
  readonly roots: readonly string[];
  /**
   * The workspace's YAML files by path: an `include: local` may name any of them. Each
   * is parsed as a pipeline when first read (once per text; an open document's parse
   * is the language service's). They are as of the view's last change: adding, editing
   * or deleting a YAML file counts as one only when a pipeline of the index includes it.
   */
  readonly yamlFiles: ReadonlyMap<string, IncludedFile>;
}

/** A top-level `include:` key, also quoted: a pipeline without one includes nothing and is parsed only when needed. */
const TOP_LEVEL_INCLUDE = /^(?:include|"include"|'include')[ \t]*:/m;
/** A pattern with none of these names one path, looked up rather than matched. */
export const GLOB_CHARACTERS = /[*?[{]/;

/** Include patterns split for lookup: exact paths in a set, globs to match. */
interface PatternSet {
  readonly list: readonly string[];
  readonly exact: ReadonlySet<string>;
  readonly globs: readonly string[];
}

const NO_PATTERNS: PatternSet = { list: [], exact: new Set(), globs: [] };

function toPatternSet(patterns: Iterable<string>): PatternSet {
  const list = [...patterns];
  return { list, exact: new Set(list.filter((p) => !GLOB_CHARACTERS.test(p))), globs: list.filter((p) => GLOB_CHARACTERS.test(p)) };
}

/** Whether an absolute path is named by one of the patterns. */
export function isPathIncluded(patterns: readonly string[], path: string): boolean {
  return patterns.some((pattern) => (GLOB_CHARACTERS.test(pattern) ? matchGlob(pattern, path) : pattern === path));
}

export const EMPTY_WORKSPACE: WorkspaceView = { runnerConfigs: [], dockerConfigs: [], includedPatterns: [], roots: [], yamlFiles: new Map() };

/** `file:///a/b%20c` → `/a/b c`; anything else is taken as a path already. */
export function uriToPath(uri: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)$/i.exec(uri);
  const path = match ? match[1]! : uri;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * The workspace folder a file is in, as `roots` gives it: the deepest when folders nest (as
 * VS Code assigns a file to a folder); undefined when none holds it.
 * @param separator the paths' separator: `/` for the paths of URIs, the platform's for local paths
 */
export function folderHolding(roots: readonly string[], path: string, separator = '/'): string | undefined {
  let best: string | undefined;
  let bestLength = -1;
  for (const root of roots) {
    const folder = root.endsWith(separator) ? root.slice(0, -separator.length) : root;
    if (path.startsWith(folder + separator) && folder.length > bestLength) {
      best = root;
      bestLength = folder.length;
    }
  }
  return best;
}

/** The workspace folder a file is in (the deepest), else the file's own folder; without a trailing `/`. */
function rootOf(roots: readonly string[], path: string): string {
  const root = folderHolding(roots, path);
  return root === undefined ? path.slice(0, path.lastIndexOf('/')) : root.replace(/\/$/, '');
}

/**
 * The absolute path pattern of an `include: local` path written in the pipeline at
 * `path`: GitLab reads it from the project root, whichever file names it (nested
 * includes too), with or without a leading `/`.
 */
export function resolveIncludePattern(roots: readonly string[], path: string, include: string): string {
  return `${rootOf(roots, path)}/${include.replace(/^\/+/, '')}`;
}

interface FileFacts {
  readonly runnerConfig?: RunnerConfigModel;
  readonly dockerConfigText?: string;
  /** A YAML file's text, and the file as an included pipeline (parsed when first read). */
  readonly yamlText?: string;
  readonly yaml?: IncludedFile;
  /** A pipeline's `include: local` patterns, absolute; undefined for a YAML file whose includes are not read yet. */
  readonly includes?: readonly string[];
  /**
   * A pipeline by its own path (not because an include names it): its includes are where
   * the included files are looked for from. Another YAML file's includes count only while
   * one of these includes it, directly or not, so the view does not depend on the order of
   * changes (a template whose includer was deleted includes nothing any more).
   */
  readonly pipelineByPath?: boolean;
}

export class WorkspaceIndex {
  private readonly files = new Map<string, FileFacts>();
  private current: WorkspaceView = EMPTY_WORKSPACE;
  /** True until the first view, which holds every file indexed before it. */
  private dirty = true;
  private patterns: PatternSet = NO_PATTERNS;
  private patternsDirty = false;

  /** @param roots the workspace folders' paths; local includes are relative to them */
  constructor(private readonly roots: readonly string[]) {}

  /**
   * Whether a file on disk at `uri` may matter, from its path alone (mayBeReadFile): the
   * server reads a file's text only if so.
   */
  wantsFile(uri: string, settings: Settings): boolean {
    return mayBeReadFile(uriToPath(uri), settings);
  }

  /**
   * Records a file found on disk, reading it with `read` (undefined when it cannot be
   * read). A YAML file that is no pipeline by its path is recorded unread, and read once,
   * when an `include: local` first names it: most such files are never named (Kubernetes
   * manifests, Helm charts, OpenAPI specs), and a workspace scan that read them all spent
   * ~40 ms on 1,600 manifests before the first diagnostics (bench/README.md, session 17),
   * and kept their text. Any other file is read now. Returns whether the view changes.
   */
  setDiskFile(uri: string, read: () => string | undefined, settings: Settings): boolean {
    return this.recordDiskFile(uri, read, settings, false);
  }

  /**
   * Records a file on disk the editor reports changed: as setDiskFile, but a YAML file an
   * include names now is read now, as any other file is, so that the server can read it
   * again once its writer is done (a file recorded unread is read when an analysis first
   * asks, and kept as it was then). One that nothing includes stays unread: a branch switch that changed the 1,603 manifests of the
   * benchmark's 400-package monorepo read each twice (now and once settled), and the
   * server answered nothing for 0.1–0.8 s (bench/README.md, session 18).
   */
  setChangedDiskFile(uri: string, read: () => string | undefined, settings: Settings): boolean {
    return this.recordDiskFile(uri, read, settings, true);
  }

  private recordDiskFile(uri: string, read: () => string | undefined, settings: Settings, readIfIncluded: boolean): boolean {
    const path = uriToPath(uri);
    if (isYamlPath(path) && !isPipelinePath(path, settings) && !(readIfIncluded && this.isIncluded(path))) {
      return this.record(uri, { yaml: this.yamlFile(uri, read) });
    }
    const text = read();
    return text === undefined ? this.deleteFile(uri) : this.setFile(uri, text, settings);
  }

  /** Reads one file from its text (a file on disk, not open in the editor). */
  setFile(uri: string, text: string, settings: Settings): boolean {
    const path = uriToPath(uri);
    // The same text as before (a save, a watcher's repeat): the same facts and parse.
    const previous = this.files.get(uri);
    if (previous?.yamlText === text) return this.record(uri, previous);
    const kind = getDocumentKind(path, text, settings, this.getIncludedPatterns().list);
    // Other files need a pipeline's local includes now; other YAML files are parsed only
    // when an include names them (most never are).
    if (!isYamlPath(path) || (kind === 'gitlab-ci' && TOP_LEVEL_INCLUDE.test(text))) return this.setParsed(uri, parseDocumentAs(kind, text), settings);
    return this.setYamlText(uri, text);
  }

  /**
   * Records a document open in the editor, from its text and the language service's parse
   * of it: while it is open, the editor's text is the truth. A YAML file that is no
   * pipeline (yet) is kept with its text, as setFile keeps one: a pipeline may include it
   * later (the user writes the template first, then the `include:`), and must find it then.
   * Returns whether the view changes.
   */
  setOpenDocument(uri: string, text: string, parsed: ParsedDocument, settings: Settings): boolean {
    if (parsed.kind === 'none' && isYamlPath(uriToPath(uri))) return this.setYamlText(uri, text);
    return this.setParsed(uri, parsed, settings);
  }

  /** Records (or replaces) one file's facts from its parse. Returns whether the view changes. */
  private setParsed(uri: string, parsed: ParsedDocument, settings: Settings): boolean {
    let facts: FileFacts | undefined;
    if (parsed.kind === 'runner-config') facts = { runnerConfig: parsed.runner };
    else if (parsed.kind === 'docker-config') facts = { dockerConfigText: parsed.json.text };
    else if (parsed.kind === 'gitlab-ci') {
      const { model } = parsed.ci;
      const path = uriToPath(uri);
      facts = { yamlText: model.text, yaml: this.yamlFile(uri, model.text, model), includes: this.resolveIncludes(path, model), pipelineByPath: isPipelinePath(path, settings) };
    }
    return this.record(uri, facts);
  }

  /** A YAML file by its text, parsed (and its includes read) only when an include names it. */
  private setYamlText(uri: string, text: string): boolean {
    return this.record(uri, text.length > MAX_DOCUMENT_LENGTH ? undefined : { yamlText: text, yaml: this.yamlFile(uri, text) });
  }

  deleteFile(uri: string): boolean {
    return this.files.has(uri) && this.record(uri, undefined);
  }

  /** An immutable snapshot; the same object until the next change. */
  view(): WorkspaceView {
    if (!this.dirty) return this.current;
    const includedPatterns = this.getIncludedPatterns().list;
    const runnerConfigs: WorkspaceRunnerConfig[] = [];
    const dockerConfigs: WorkspaceDockerConfig[] = [];
    const yamlFiles = new Map<string, IncludedFile>();
    for (const [uri, facts] of this.files) {
      if (facts.runnerConfig) runnerConfigs.push({ uri, model: facts.runnerConfig });
      if (facts.dockerConfigText !== undefined) dockerConfigs.push({ uri, text: facts.dockerConfigText });
      if (facts.yaml) yamlFiles.set(facts.yaml.path, facts.yaml);
    }
    runnerConfigs.sort((a, b) => a.uri.localeCompare(b.uri));
    dockerConfigs.sort((a, b) => a.uri.localeCompare(b.uri));
    this.current = { runnerConfigs, dockerConfigs, includedPatterns, roots: this.roots, yamlFiles };
    this.dirty = false;
    return this.current;
  }

  /**
   * A YAML file as an included pipeline: parsed on first read, or with the parse at hand.
   * @param text its text, or how to read it (setDiskFile), once, when first needed
   */
  private yamlFile(uri: string, text: string | (() => string | undefined), parsed?: CiModel): IncludedFile {
    const path = uriToPath(uri);
    const name = path.slice(rootOf(this.roots, path).length + 1);
    let model = parsed;
    let readText = typeof text === 'string' ? text : undefined;
    let readable: boolean | undefined = typeof text === 'string' ? true : undefined;
    const read = (): string => {
      if (readable === undefined && typeof text === 'function') {
        readText = text();
        readable = readText !== undefined && readText.length <= MAX_DOCUMENT_LENGTH;
      }
      return readable ? readText! : '';
    };
    return {
      uri,
      path,
      name,
      get text() {
        return read();
      },
      get model() {
        return (model ??= parseCiModel(read()));
      },
      get readable() {
        read();
        return readable!;
      },
    };
  }

  private record(uri: string, facts: FileFacts | undefined): boolean {
    const previous = this.files.get(uri);
    if (facts) this.files.set(uri, facts);
    else this.files.delete(uri);
    const includesChanged = !sameIncludes(previous, facts);
    this.patternsDirty ||= includesChanged;
    const unread = facts?.yaml !== undefined && facts.includes === undefined;
    // A YAML file's content is the same only when it is the same file, or the same text read;
    // one recorded unread may have changed, and one deleted has (even if it was never read).
    const sameYaml = previous?.yaml === facts?.yaml || (previous?.yamlText !== undefined && previous.yamlText === facts?.yamlText);
    const included = !sameYaml && this.isIncluded(uriToPath(uri));
    // An included file's own includes are read with the patterns (they may name more).
    if (included && unread) this.patternsDirty = true;
    // An edit of a pipeline changes nothing other files depend on, unless it changes its
    // includes, or another pipeline includes it: then its jobs are part of that one's. A
    // config file read again with the same text (a save, the editor's parse recorded again)
    // changes nothing either.
    const changed = includesChanged
      || previous?.runnerConfig?.text !== facts?.runnerConfig?.text
      || previous?.dockerConfigText !== facts?.dockerConfigText
      || included;
    this.dirty ||= changed;
    return changed;
  }

  private isIncluded(path: string): boolean {
    const patterns = this.getIncludedPatterns();
    return patterns.exact.has(path) || patterns.globs.some((glob) => matchGlob(glob, path));
  }

  /**
   * The `include: local` patterns of the pipelines (by their path), and of the files they
   * include, theirs, and so on: recomputed when one's includes change. A YAML file first
   * named by one of them is parsed then (once): it may include more, and the patterns
   * grow until nothing new is named. Each file is read once and each glob matched once
   * against the YAML files not named yet.
   */
  private getIncludedPatterns(): PatternSet {
    if (!this.patternsDirty) return this.patterns;
    const patterns = new Set<string>();
    /** The YAML files that are no pipelines by their path and are not named yet, by path. */
    const notNamed = new Map<string, string>();
    for (const [uri, facts] of this.files) {
      if (facts.pipelineByPath) for (const pattern of facts.includes ?? []) patterns.add(pattern);
      else if (facts.yaml) notNamed.set(facts.yaml.path, uri);
    }
    const queue = [...patterns];
    const read = (path: string, uri: string) => {
      notNamed.delete(path);
      const facts = this.files.get(uri)!;
      let includes = facts.includes;
      if (includes === undefined) {
        includes = this.resolveIncludes(path, facts.yaml!.model);
        this.files.set(uri, { ...facts, includes });
      }
      for (const pattern of includes) {
        if (patterns.has(pattern)) continue;
        patterns.add(pattern);
        queue.push(pattern);
      }
    };
    for (let pattern = queue.pop(); pattern !== undefined; pattern = queue.pop()) {
      if (!GLOB_CHARACTERS.test(pattern)) {
        const uri = notNamed.get(pattern);
        if (uri !== undefined) read(pattern, uri);
        continue;
      }
      for (const [path, uri] of notNamed) if (matchGlob(pattern, path)) read(path, uri);
    }
    this.patterns = toPatternSet(patterns);
    this.patternsDirty = false;
    return this.patterns;
  }

  private resolveIncludes(path: string, model: CiModel): string[] {
    return model.localIncludes.map((include) => resolveIncludePattern(this.roots, path, include.path));
  }
}

function sameIncludes(a: FileFacts | undefined, b: FileFacts | undefined): boolean {
  const left = a?.includes ?? [];
  const right = b?.includes ?? [];
  return left.length === right.length && left.every((pattern, i) => pattern === right[i]);
}
