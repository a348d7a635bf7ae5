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
  const lower = path.toLowerCase();
  if (lower.endsWith('.yml') || lower.endsWith('.yaml')) {
    const globs = [...settings.files.gitlabCi, ...includedPatterns];
    if (globs.some((glob) => matchGlob(glob, path))) return 'gitlab-ci';
    return 'none';
  }
  if (lower.endsWith('.toml')) {
    const matches = settings.files.runnerConfig.filter((glob) => matchGlob(glob, path));
    if (matches.length === 0) return 'none';
    // A folder named `gitlab-runner` is enough by itself; any other match needs `[[runners]]`.
    if (matches.includes(DEFAULT_RUNNER_NAME_ONLY) || RUNNERS_TABLE.test(text)) return 'runner-config';
    return 'none';
  }
  if (lower.endsWith('.json')) {
    const defaults = ['**/.docker/config.json', '**/docker-config.json'];
    for (const glob of settings.files.dockerConfig) {
      if (!matchGlob(glob, path)) continue;
      if (defaults.includes(glob) || DOCKER_CONFIG_KEYS.test(text)) return 'docker-config';
    }
    return 'none';
  }
  return 'none';
}
