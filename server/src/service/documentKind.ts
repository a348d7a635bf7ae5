/**
 * The one place that decides what a document is (STYLE: "one function decides a
 * document's kind"). Paths are slash-separated (a URI path or a relative path).
 */
import type { Settings } from './settings';
import { matchGlob } from './text/glob';

export type DocumentKind = 'gitlab-ci' | 'runner-config' | 'docker-config' | 'none';

/** A `config.toml` is a runner's only when it has a `[[runners]]` table (SPEC, file table). */
const RUNNERS_TABLE = /^\s*\[\[\s*runners\s*\]\]/m;
/** Docker config named by an extra pattern must look like one (SPEC, file table). */
const DOCKER_CONFIG_KEYS = /"(?:auths|credHelpers|credsStore)"\s*:/;

const DEFAULT_RUNNER_NAME_ONLY = '**/gitlab-runner/**/*.toml';

/**
 * @param path slash-separated path of the file
 * @param text its content (only looked at for TOML and JSON files)
 * @param includedPatterns absolute path patterns named by `include: local` in the workspace's pipelines
 */
export function getDocumentKind(
  path: string,
  text: string,
  settings: Settings,
  includedPatterns: readonly string[] = [],
): DocumentKind {
  if (isYamlPath(path)) return isPipelinePath(path, settings, includedPatterns) ? 'gitlab-ci' : 'none';
  const lower = path.toLowerCase();
  if (lower.endsWith('.toml')) {
    const matches = matchingGlobs(settings.files.runnerConfig, path);
    if (matches.length === 0) return 'none';
    // A folder named `gitlab-runner` is enough by itself; any other match needs `[[runners]]`.
    if (matches.includes(DEFAULT_RUNNER_NAME_ONLY) || RUNNERS_TABLE.test(text)) return 'runner-config';
    return 'none';
  }
  if (lower.endsWith('.json')) {
    const defaults = ['**/.docker/config.json', '**/docker-config.json'];
    for (const glob of matchingGlobs(settings.files.dockerConfig, path)) {
      if (defaults.includes(glob) || DOCKER_CONFIG_KEYS.test(text)) return 'docker-config';
    }
    return 'none';
  }
  return 'none';
}

/** Whether the file is named as a YAML file (`.yml`, `.yaml`, any case). */
export function isYamlPath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/**
 * Whether a YAML file is a pipeline: its path alone decides, so a caller holding many YAML
 * files (a workspace's Kubernetes manifests) need not read or parse one to know.
 */
export function isPipelinePath(path: string, settings: Settings, includedPatterns: readonly string[] = []): boolean {
  return settings.files.gitlabCi.some((glob) => matchGlob(glob, path)) || includedPatterns.some((glob) => matchGlob(glob, path));
}

/**
 * Whether a file found on disk may be one Pullguard reads, from its path alone, before its
 * text is read: a TOML or JSON file only where a runner or Docker config pattern matches
 * its path (getDocumentKind then looks at the text), any YAML file (a pipeline may
 * `include: local` it). A repository's other JSON and TOML files (packages, fixtures,
 * translations) are never read: in a 14,000-file monorepo they were 88 MB, read before
 * the first diagnostics (bench/README.md, session 17).
 */
export function mayBeReadFile(path: string, settings: Settings): boolean {
  if (isYamlPath(path)) return true;
  const lower = path.toLowerCase();
  if (lower.endsWith('.toml')) return matchingGlobs(settings.files.runnerConfig, path).length > 0;
  if (lower.endsWith('.json')) return matchingGlobs(settings.files.dockerConfig, path).length > 0;
  return false;
}

function matchingGlobs(globs: readonly string[], path: string): string[] {
  return globs.filter((glob) => matchGlob(glob, path));
}
