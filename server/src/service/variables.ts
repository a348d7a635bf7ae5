/**
 * Variables in image and service names, expanded the way the runner does it:
 * Go's `os.Expand` over the job's variables, one pass, `$VAR` and `${VAR}` only,
 * an undefined variable becomes the empty string (REFERENCE §3.3, §1.1 item 6).
 */
import type { Settings } from './settings';
import { SourceMap, SourceMapBuilder } from './text/sourceMap';

/** Where a variable's value comes from, which decides what a message may claim. */
export type VariableOrigin =
  /** Written with a literal value we can read (`variables:`, runner `environment`, settings). */
  | 'literal'
  /** Defined, but the value is unknown here (CI/CD settings `"*"`, a value with variables). */
  | 'unknown'
  /** Predefined by GitLab; expanded with a neutral sample. */
  | 'predefined'
  /** Set only inside `script`, which the runner never sees. */
  | 'script'
  | 'undefined';

export interface VariableUse {
  readonly name: string;
  /** `$NAME` or `${NAME}` span in the unexpanded text. */
  readonly start: number;
  readonly end: number;
  readonly origin: VariableOrigin;
  /** Where the expansion sits in the expanded text. */
  readonly expandedStart: number;
  readonly expandedEnd: number;
}

export interface Expansion {
  readonly text: string;
  /** Maps the expanded text to the unexpanded one. */
  readonly map: SourceMap;
  readonly uses: readonly VariableUse[];
}

export interface VariableLookup {
  /** The definition of a variable visible where the name is used, if any. */
  get(name: string): { readonly value: string | undefined; readonly origin: VariableOrigin } | undefined;
}

const NAME_CHAR = /[A-Za-z0-9_]/;
// Go's os.Expand also takes one special character after `$` as a name (`$$`, `$1`, `$@`).
const SHELL_SPECIAL = /[*#$@!?\-0-9]/;

/** Expands `text` with `lookup`; the map lets a problem in the result point at what was written. */
export function expandVariables(text: string, lookup: VariableLookup): Expansion {
  if (!text.includes('$')) return { text, map: SourceMap.identity(0, text.length), uses: [] };
  const out = new SourceMapBuilder();
  const uses: VariableUse[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '$') {
      // Literal text up to the next `$`, as one plain run.
      const next = text.indexOf('$', i);
      const end = next === -1 ? text.length : next;
      out.add(text.slice(i, end), i, end);
      i = end;
      continue;
    }
    if (i + 1 >= text.length) {
      out.add('$', i, i + 1);
      i++;
      continue;
    }
    let name = '';
    let end = i + 1;
    if (text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      if (close === -1) {
        // os.Expand: a bad `${` is dropped.
        out.add('', i, i + 2);
        i += 2;
        continue;
      }
      name = text.slice(i + 2, close);
      end = close + 1;
    } else if (text[i + 1] === '$') {
      // `$$` is the runner's escape for a literal `$`.
      out.add('$', i, i + 2);
      i += 2;
      continue;
    } else if (SHELL_SPECIAL.test(text[i + 1]!)) {
      name = text[i + 1]!;
      end = i + 2;
    } else {
      while (end < text.length && NAME_CHAR.test(text[end]!)) end++;
      name = text.slice(i + 1, end);
      if (name === '') {
        out.add('$', i, i + 1);
        i++;
        continue;
      }
    }
    const definition = lookup.get(name);
    const origin: VariableOrigin = definition?.origin ?? 'undefined';
    const value = origin === 'undefined' || origin === 'script' ? '' : (definition?.value ?? NEUTRAL_SAMPLE);
    const expandedStart = out.generated.length;
    out.add(value, i, end);
    uses.push({ name, start: i, end, origin, expandedStart, expandedEnd: expandedStart + value.length });
    i = end;
  }
  return { text: out.generated, map: out.build(), uses };
}

/** The stand-in for a value nobody can know here; a valid name component anywhere. */
export const NEUTRAL_SAMPLE = 'x';

/**
 * Predefined variables that can appear in image names (REFERENCE §3.4), with
 * neutral samples: values of the right shape, so a check never blames a value
 * that GitLab fills in at run time.
 */
/** The GitLab host behind the registry setting: `registry.gitlab.com` → `gitlab.com`. */
export function getGitLabHost(settings: Settings): string {
  const registryHost = settings.ciRegistry.replace(/:\d+$/, '').toLowerCase();
  return registryHost.startsWith('registry.') ? registryHost.slice('registry.'.length) : registryHost;
}

export function getPredefinedVariables(settings: Settings): ReadonlyMap<string, string> {
  const registry = settings.ciRegistry;
  const server = getGitLabHost(settings);
  // GitLab keys the dependency proxy's job credentials by host:port (REFERENCE §1.6).
  const proxy = `${server}:443`;
  const sha = '0123456789abcdef0123456789abcdef01234567';
  return new Map<string, string>([
    ['CI_REGISTRY', registry],
    ['CI_REGISTRY_IMAGE', `${registry}/group/project`],
    ['CI_REGISTRY_USER', 'gitlab-ci-token'],
    ['CI_DEPENDENCY_PROXY_SERVER', proxy],
    ['CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX', `${proxy}/group/dependency_proxy/containers`],
    ['CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX', `${proxy}/group/subgroup/dependency_proxy/containers`],
    ['CI_DEPENDENCY_PROXY_USER', 'gitlab-ci-token'],
    ['CI_SERVER_HOST', server],
    ['CI_SERVER_PORT', '443'],
    ['CI_SERVER_FQDN', server],
    ['CI_SERVER_URL', `https://${server}`],
    ['CI_COMMIT_SHA', sha],
    ['CI_COMMIT_SHORT_SHA', sha.slice(0, 8)],
    ['CI_COMMIT_BEFORE_SHA', sha],
    ['CI_COMMIT_REF_NAME', 'main'],
    ['CI_COMMIT_REF_SLUG', 'main'],
    ['CI_COMMIT_BRANCH', 'main'],
    ['CI_COMMIT_TAG', 'v1.0.0'],
    ['CI_DEFAULT_BRANCH', 'main'],
    ['CI_MERGE_REQUEST_SOURCE_BRANCH_NAME', 'feature'],
    ['CI_MERGE_REQUEST_TARGET_BRANCH_NAME', 'main'],
    ['CI_MERGE_REQUEST_IID', '1'],
    ['CI_PROJECT_PATH', 'group/project'],
    ['CI_PROJECT_PATH_SLUG', 'group-project'],
    ['CI_PROJECT_NAME', 'project'],
    ['CI_PROJECT_NAMESPACE', 'group'],
    ['CI_PROJECT_ROOT_NAMESPACE', 'group'],
    ['CI_PROJECT_ID', '1'],
    ['CI_PIPELINE_ID', '1'],
    ['CI_PIPELINE_IID', '1'],
    ['CI_JOB_ID', '1'],
    ['CI_JOB_NAME', 'job'],
    ['CI_JOB_NAME_SLUG', 'job'],
    ['CI_JOB_STAGE', 'test'],
    ['CI_ENVIRONMENT_NAME', 'production'],
    ['CI_ENVIRONMENT_SLUG', 'production'],
    ['CI_NODE_INDEX', '1'],
    ['CI_NODE_TOTAL', '1'],
    ['CI_RUNNER_ID', '1'],
    ['CI_RUNNER_SHORT_TOKEN', 'abcdefgh'],
    ['CI_RUNNER_TAGS', 'docker'],
    ['CI_CONCURRENT_ID', '1'],
    ['CI_PROJECT_DIR', '/builds/group/project'],
    ['CI_BUILDS_DIR', '/builds'],
    ['GITLAB_USER_LOGIN', 'user'],
    ['CI', 'true'],
    ['GITLAB_CI', 'true'],
  ]);
}
