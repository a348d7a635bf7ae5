/**
 * The one table of rule codes. Codes and default severities are a public interface
 * (SPEC §1): the settings schema's enum, the docs pages under `docs/rules/` and the
 * CLI all come from here.
 */

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type SeveritySetting = Severity | 'off';
export type RuleFamily = 'image' | 'auth' | 'service' | 'ci' | 'runner' | 'syntax';
export type RuleTag = 'unnecessary' | 'deprecated';

export interface RuleInfo {
  readonly code: string;
  readonly family: RuleFamily;
  readonly severity: Severity;
  readonly tags?: readonly RuleTag[];
  /** One line for docs indexes and the settings description. */
  readonly summary: string;
}

function rule(code: string, severity: Severity, summary: string, tags?: readonly RuleTag[]): RuleInfo {
  const family = code.slice(0, code.indexOf('/')) as RuleFamily;
  return tags ? { code, family, severity, summary, tags } : { code, family, severity, summary };
}

export const RULES: readonly RuleInfo[] = [
  // image/* — image references (REFERENCE §2, §3.3)
  rule('image/invalid-reference', 'error', 'Not a valid image reference under Docker\'s normalized parsing.'),
  rule('image/uppercase-repository', 'error', 'Uppercase letters in the repository path.'),
  rule('image/name-too-long', 'error', 'Repository path longer than 255 characters.'),
  rule('image/invalid-tag', 'error', 'Tag does not match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.'),
  rule('image/invalid-digest', 'error', 'Malformed digest: no colon, unknown algorithm, uppercase or non-hex, wrong length.'),
  rule('image/port-as-tag', 'warning', '`host:port` without a path is read as a Docker Hub image with a tag.'),
  rule('image/uppercase-domain', 'warning', 'Uppercase first component: Docker reads a domain, the runner\'s credential lookup reads Docker Hub.'),
  rule('image/tag-and-digest', 'hint', 'Both tag and digest: the tag is ignored for the pull.'),
  rule('image/not-pinned', 'information', 'No digest: the tag can move to different content.'),
  rule('image/latest-tag', 'warning', 'Explicit `:latest`, or no tag and no digest (which means `latest`).'),
  rule('image/undefined-variable', 'warning', 'A variable in the image name is defined nowhere visible and expands to empty.'),
  rule('image/script-variable', 'warning', 'A variable in the image name is only set inside a script, which the runner never sees.'),
  rule('image/dependency-proxy-port', 'information', 'Dependency-proxy path without the `:port` GitLab\'s job credentials are keyed by.'),

  // auth/* — DOCKER_AUTH_CONFIG and config.json (REFERENCE §1, §5, §6)
  rule('auth/invalid-json', 'error', 'The credential JSON does not parse; the runner drops the whole source.'),
  rule('auth/unknown-key', 'warning', 'Unknown key in Docker\'s config format.'),
  rule('auth/invalid-base64', 'error', '`auth` is not padded base64 of `user:password`; the whole source is dropped.'),
  rule('auth/trailing-newline', 'warning', 'The decoded password ends in a newline.'),
  rule('auth/conflicting-fields', 'warning', '`auth` and `username`/`password` disagree; `auth` wins.'),
  rule('auth/port-mismatch', 'warning', 'Credential key and image differ in the port, so they never match.'),
  rule('auth/docker-hub-key', 'warning', 'Bare `index.docker.io`/`registry-1.docker.io` keys never match Docker Hub in the runner.'),
  rule('auth/duplicate-registry', 'warning', 'Two keys normalize to the same registry path; only the first in sorted order is used.'),
  rule('auth/scheme-drops-path', 'information', 'A key with a scheme loses its path, so namespace scoping is lost.'),
  rule('auth/digest-scope-miss', 'warning', 'A repository-scoped key cannot match a digest-only reference to that repository.'),
  rule('auth/empty-entry', 'warning', 'An entry with no credentials shadows lower-priority sources.'),
  rule('auth/overrides-job-token', 'information', 'An entry for the GitLab registry or dependency proxy overrides the job\'s own credentials.'),
  rule('auth/helper-unavailable', 'error', 'A credential helper a Linux runner will not have; the whole source is dropped.'),
  rule('auth/helper-path', 'error', 'A helper name with a path: the runner aborts the pull.'),
  rule('auth/creds-store', 'warning', '`credsStore`: the runner only uses what the store lists.'),
  rule('auth/helpers-on-hosted-runner', 'warning', 'GitLab-hosted runners cannot run credential helpers or stores.'),
  rule('auth/ecr-static-token', 'warning', 'Static `auth` for an ECR host expires after 12 hours.'),
  rule('auth/ecr-creds-store', 'information', '`credsStore: ecr-login` covers only the default account and region.'),
  rule('auth/ecr-helper-host', 'warning', '`ecr-login` for a key that is not an ECR host.'),
  rule('auth/dollar-expansion', 'warning', '`$` in credential JSON that the runner expands as a variable.'),
  rule('auth/environment-entry', 'error', 'A `config.toml` `environment` entry without `=` is silently dropped.'),
  rule('auth/cli-compat', 'information', 'docker CLI 28.2+ inside jobs warns about fields beyond `auths.*.auth`.'),
  rule('auth/email-ignored', 'hint', 'The `email` field is ignored.', ['unnecessary']),
  rule('auth/committed-secret', 'warning', 'Literal credentials in a file meant for the repository.'),
  rule('auth/no-credentials', 'information', 'No credentials match a registry other than Docker Hub and the GitLab registry.'),
  rule('auth/job-replaces-runner', 'information', 'A job-level DOCKER_AUTH_CONFIG replaces the runner\'s one (no merge).'),

  // service/* — services and their hostnames (REFERENCE §3.5, §4.5)
  rule('service/alias-collision', 'warning', 'Two services of a job share a hostname.'),
  rule('service/invalid-alias', 'warning', 'Alias with `_`, uppercase, or not an RFC 1123 name.'),
  rule('service/reserved-alias', 'warning', 'Alias `build` where network-per-build is on.'),
  rule('service/unknown-host', 'warning', 'A URL variable names a host that is not one of the job\'s service hostnames.'),
  rule('service/alias-variable', 'information', 'Variable in `alias`.'),

  // ci/* — .gitlab-ci.yml structure around images (REFERENCE §3.1, §3.2)
  rule('ci/deprecated-global', 'warning', 'Top-level `image`/`services` are deprecated.', ['deprecated']),
  rule('ci/invalid-image-key', 'error', 'Unknown key in an image/service hash, or a hash without `name`.'),
  rule('ci/invalid-entrypoint', 'error', '`entrypoint`/`command` is not an array of strings.'),
  rule('ci/invalid-pull-policy', 'error', '`pull_policy` is not `always`, `if-not-present` or `never`.'),
  rule('ci/pull-policy-not-allowed', 'warning', 'A job pull policy outside the runner\'s `allowed_pull_policies`.'),

  // runner/* — config.toml (REFERENCE §4)
  rule('runner/invalid-pull-policy', 'error', 'Bad `pull_policy` or `allowed_pull_policies` value.'),
  rule('runner/image-not-allowed', 'warning', 'An image or service does not match the runner\'s `allowed_images`/`allowed_services`.'),
  rule('runner/negated-pattern', 'warning', '`!pattern` in `allowed_*` has no effect.'),
  rule('runner/network-mode-conflict', 'warning', '`network_mode` set together with `FF_NETWORK_PER_BUILD`.'),
  rule('runner/legacy-links', 'information', '`links` are a legacy Docker feature.', ['deprecated']),
  rule('runner/no-network-per-build', 'information', 'A Docker runner with services and no `FF_NETWORK_PER_BUILD`.'),
  rule('runner/services-as-strings', 'error', '`services = ["…"]` strings instead of `[[runners.docker.services]]` tables.'),
  rule('runner/if-not-present-private', 'information', '`if-not-present` with private images lets other jobs reuse them.'),
  rule('runner/user-not-allowed', 'warning', 'Job `image:docker:user` not in `allowed_users`.'),
  rule('runner/default-image', 'hint', 'A job with no image runs in the runner\'s default image.'),
  rule('runner/unknown-key', 'warning', 'A key `[runners.docker]` does not have: the runner ignores it.'),

  // syntax/* — parse errors
  rule('syntax/yaml', 'error', 'YAML syntax error.'),
  rule('syntax/toml', 'error', 'TOML syntax error.'),
  rule('syntax/json', 'error', 'JSON syntax error.'),
];

const RULES_BY_CODE: ReadonlyMap<string, RuleInfo> = new Map(RULES.map((r) => [r.code, r]));

export function getRule(code: string): RuleInfo | undefined {
  return RULES_BY_CODE.get(code);
}

export const SEVERITY_SETTINGS: readonly SeveritySetting[] = ['error', 'warning', 'information', 'hint', 'off'];

/** Where each rule's page lives; the target of `Diagnostic.codeDescription.href`. */
export const RULE_DOCS_BASE = 'https://github.com/pullguard/pullguard/blob/main/docs/rules/';

export function getRuleDocsUrl(code: string): string {
  return `${RULE_DOCS_BASE}${code}.md`;
}
