/**
 * The other files' facts that an analysis needs: the runner configurations in the
 * workspace (their environment, default images, allowlists) and the files that
 * pipelines include. The index is updated one file at a time (the server on each
 * change, the CLI once per file); a view is an immutable snapshot, so an analysis
 * cached against a view stays valid until the next change.
 */
import { getDocumentKind } from '../documentKind';
import { parseDocumentAs, type ParsedDocument } from '../parsedDocument';
import type { Settings } from '../settings';
import type { CiModel } from './ciModel';
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
}

const TOP_LEVEL_INCLUDE = /^include[ \t]*:/m;

export const EMPTY_WORKSPACE: WorkspaceView = { runnerConfigs: [], dockerConfigs: [], includedPatterns: [] };

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

interface FileFacts {
  readonly runnerConfig?: RunnerConfigModel;
  readonly dockerConfigText?: string;
  readonly includes?: readonly string[];
}

export class WorkspaceIndex {
  private readonly files = new Map<string, FileFacts>();
  private current: WorkspaceView = EMPTY_WORKSPACE;
  private dirty = false;

  /** @param roots the workspace folders' paths; local includes are relative to them */
  constructor(private readonly roots: readonly string[]) {}

  /** Reads one file from its text (a file on disk, not open in the editor). */
  setFile(uri: string, text: string, settings: Settings): boolean {
    const kind = getDocumentKind(uriToPath(uri), text, settings, this.view().includedPatterns);
    // Other files only need a pipeline's local includes: most pipelines have none, and need no parse.
    if (kind === 'gitlab-ci' && !TOP_LEVEL_INCLUDE.test(text)) return this.setParsed(uri, { kind: 'none' });
    return this.setParsed(uri, parseDocumentAs(kind, text));
  }

  /** Records (or replaces) one file's facts from its parse. Returns whether the view changes. */
  setParsed(uri: string, parsed: ParsedDocument): boolean {
    let facts: FileFacts | undefined;
    if (parsed.kind === 'runner-config') facts = { runnerConfig: parsed.runner };
    else if (parsed.kind === 'docker-config') facts = { dockerConfigText: parsed.json.text };
    else if (parsed.kind === 'gitlab-ci') facts = { includes: this.resolveIncludes(uriToPath(uri), parsed.ci.model) };
    const previous = this.files.get(uri);
    if (facts) this.files.set(uri, facts);
    else this.files.delete(uri);
    // A pipeline edit that keeps its includes changes nothing other files depend on.
    const changed = !sameIncludes(previous, facts)
      || Boolean(previous?.runnerConfig || facts?.runnerConfig)
      || previous?.dockerConfigText !== facts?.dockerConfigText;
    this.dirty ||= changed;
    return changed;
  }

  deleteFile(uri: string): boolean {
    const had = this.files.delete(uri);
    this.dirty ||= had;
    return had;
  }

  /** An immutable snapshot; the same object until the next change. */
  view(): WorkspaceView {
    if (!this.dirty) return this.current;
    const runnerConfigs: WorkspaceRunnerConfig[] = [];
    const dockerConfigs: WorkspaceDockerConfig[] = [];
    const includedPatterns = new Set<string>();
    for (const [uri, facts] of this.files) {
      if (facts.runnerConfig) runnerConfigs.push({ uri, model: facts.runnerConfig });
      if (facts.dockerConfigText !== undefined) dockerConfigs.push({ uri, text: facts.dockerConfigText });
      for (const pattern of facts.includes ?? []) includedPatterns.add(pattern);
    }
    runnerConfigs.sort((a, b) => a.uri.localeCompare(b.uri));
    dockerConfigs.sort((a, b) => a.uri.localeCompare(b.uri));
    this.current = { runnerConfigs, dockerConfigs, includedPatterns: [...includedPatterns] };
    this.dirty = false;
    return this.current;
  }

  private resolveIncludes(path: string, model: CiModel): string[] {
    if (model.localIncludes.length === 0) return [];
    const root = this.roots.filter((r) => path.startsWith(`${r.replace(/\/$/, '')}/`)).sort((a, b) => b.length - a.length)[0]
      ?? path.slice(0, path.lastIndexOf('/'));
    return model.localIncludes.map((include) => `${root.replace(/\/$/, '')}/${include.path.replace(/^\/+/, '')}`);
  }
}

function sameIncludes(a: FileFacts | undefined, b: FileFacts | undefined): boolean {
  const left = a?.includes ?? [];
  const right = b?.includes ?? [];
  return left.length === right.length && left.every((pattern, i) => pattern === right[i]);
}
