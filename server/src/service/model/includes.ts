/**
 * A pipeline's `include: local` files, merged as GitLab merges them (REFERENCE §3.2):
 * each included file (with its own includes, read from the project root) before
 * the file that includes it, the document last, and a later file's keys winning.
 * Jobs and templates of the included files then take part in the document's
 * `extends`, `!reference`, `default:` and `variables:`.
 *
 * The files come from the workspace view, which holds the parse of every included
 * pipeline file; what is not there (a remote, project or template include, a local
 * file outside the workspace) stays unknown, and rules stay silent on it.
 */
import type { YMap } from '../parse/yamlModel';
import { matchGlob } from '../text/glob';
import { CiAnalysis, type CiInclude, type CiJob, type CiModel, type IncludedConfig, type IncludedFile, type VariableDefinition } from './ciModel';
import { GLOB_CHARACTERS, isPathIncluded, resolveIncludePattern, uriToPath, type WorkspaceView } from './workspace';

/** GitLab refuses more than 150 nested includes; a deeper chain is left unread here. */
export const MAX_INCLUDE_DEPTH = 150;

const merged = new WeakMap<CiAnalysis, { readonly workspace: WorkspaceView; readonly uri: string; readonly analysis: CiAnalysis }>();

/**
 * The analysis of a pipeline with its included files from `workspace` merged in:
 * computed once per parse and workspace view. A pipeline that includes nothing the
 * workspace has, and that no other pipeline includes, keeps its own analysis.
 */
export function getAnalysisWithIncludes(analysis: CiAnalysis, uri: string, workspace: WorkspaceView): CiAnalysis {
  const cached = merged.get(analysis);
  if (cached && cached.workspace === workspace && cached.uri === uri) return cached.analysis;
  const included = getIncludedConfig(analysis.model, uriToPath(uri), workspace);
  const result = included ? new CiAnalysis(analysis.model, included) : analysis;
  merged.set(analysis, { workspace, uri, analysis: result });
  return result;
}

/** What the included files bring, or undefined when they bring nothing the model alone does not say. */
export function getIncludedConfig(model: CiModel, path: string, workspace: WorkspaceView): IncludedConfig | undefined {
  const includedElsewhere = isPathIncluded(workspace.includedPatterns, path);
  if (model.includes.length === 0 && !includedElsewhere) return undefined;

  const files: IncludedFile[] = [];
  const unread: CiInclude[] = [];
  const conditional: CiInclude[] = [];
  // The document counts as visited: a file including it back is a cycle, cut here.
  const visited = new Set([path]);
  const matching = (pattern: string): IncludedFile[] => {
    if (!GLOB_CHARACTERS.test(pattern)) {
      const file = workspace.yamlFiles.get(pattern);
      return file?.readable ? [file] : [];
    }
    const found: IncludedFile[] = [];
    for (const file of workspace.yamlFiles.values()) if (matchGlob(pattern, file.path) && file.readable) found.push(file);
    return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  };
  // Depth-first, each file after the files it includes: GitLab's merge order.
  const visit = (from: CiModel, fromPath: string, depth: number) => {
    for (const include of from.includes) {
      if (include.kind !== 'local' || include.node.kind !== 'scalar' || !include.target) {
        unread.push(include);
        continue;
      }
      const found = matching(resolveIncludePattern(workspace.roots, fromPath, include.target));
      if (found.length === 0 || depth >= MAX_INCLUDE_DEPTH) {
        unread.push(include);
        continue;
      }
      // Read all the same: a job may extend its templates whenever it is included.
      if (include.conditional) conditional.push(include);
      for (const file of found) {
        if (visited.has(file.path)) continue;
        visited.add(file.path);
        visit(file.model, file.path, depth + 1);
        files.push(file);
      }
    }
  };
  visit(model, path, 0);
  if (files.length === 0 && !includedElsewhere) return undefined;

  const jobs = new Map<string, CiJob[]>();
  const defaults: YMap[] = [];
  const globalVariables = new Map<string, VariableDefinition>();
  const roots: YMap[] = [];
  for (const file of files) {
    for (const job of file.model.jobs.values()) {
      const definitions = jobs.get(job.name);
      if (definitions) definitions.push(job);
      else jobs.set(job.name, [job]);
    }
    if (file.model.defaultMap) defaults.push(file.model.defaultMap);
    for (const [name, definition] of file.model.globalVariables) globalVariables.set(name, definition);
    if (file.model.root) roots.push(file.model.root);
  }
  return { files, jobs, defaults, globalVariables, roots, unread, conditional, includedElsewhere };
}
