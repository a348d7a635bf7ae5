/**
 * `pullguard.*` settings (SPEC §4), shared by the server, the CLI and the
 * extension manifest. Reading is forgiving: a bad value falls back to its default
 * and is reported once, so one typo never switches the whole analysis off.
 */
import { z } from 'zod';
import { getRule, SEVERITY_SETTINGS, type SeveritySetting } from './codes';

export interface Settings {
  readonly pinning: SeveritySetting;
  readonly rules: Readonly<Record<string, SeveritySetting>>;
  readonly files: {
    readonly gitlabCi: readonly string[];
    readonly runnerConfig: readonly string[];
    readonly dockerConfig: readonly string[];
  };
  /** The `host[:port]` that `$CI_REGISTRY` stands for. */
  readonly ciRegistry: string;
  /** Variables known to exist in the project's CI/CD settings; `"*"` = defined, value unknown. */
  readonly variables: Readonly<Record<string, string>>;
  readonly runner: { readonly hosted: boolean; readonly platform: 'linux' | 'windows' | 'macos' };
  readonly registry: {
    readonly timeoutMs: number;
    /** PEM file of an extra CA the registry actions trust; `''` for none. Machine-scoped: a repository cannot set it. */
    readonly caFile: string;
    /** The registry actions may use the user's own `~/.docker/config.json` and its helpers. Machine-scoped. */
    readonly userDockerConfig: boolean;
  };
}

export const DEFAULT_SETTINGS: Settings = {
  pinning: 'information',
  rules: {},
  files: {
    gitlabCi: ['**/.gitlab-ci.yml', '**/*.gitlab-ci.yml', '**/.gitlab/ci/**/*.yml'],
    runnerConfig: ['**/config.toml', '**/gitlab-runner/**/*.toml'],
    dockerConfig: ['**/.docker/config.json', '**/docker-config.json'],
  },
  ciRegistry: 'registry.gitlab.com',
  variables: {},
  runner: { hosted: false, platform: 'linux' },
  registry: { timeoutMs: 10000, caFile: '', userDockerConfig: false },
};

const severitySetting = z.enum(SEVERITY_SETTINGS as [SeveritySetting, ...SeveritySetting[]]);
const globList = z.array(z.string().min(1));
// host[:port] with no scheme or path.
const hostPort = z.string().regex(/^(?:\[[0-9A-Fa-f:]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::\d{1,5})?$/, {
  message: 'expected host[:port], such as `registry.example.com:5000`, without a scheme or path',
});

/** One schema per leaf, so each can fall back to its default alone. */
const LEAVES: ReadonlyArray<{ path: readonly string[]; schema: z.ZodType }> = [
  { path: ['pinning'], schema: severitySetting },
  { path: ['rules'], schema: z.record(z.string(), severitySetting) },
  { path: ['files', 'gitlabCi'], schema: globList },
  { path: ['files', 'runnerConfig'], schema: globList },
  { path: ['files', 'dockerConfig'], schema: globList },
  { path: ['ciRegistry'], schema: hostPort },
  { path: ['variables'], schema: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()) },
  { path: ['runner', 'hosted'], schema: z.boolean() },
  { path: ['runner', 'platform'], schema: z.enum(['linux', 'windows', 'macos']) },
  { path: ['registry', 'timeoutMs'], schema: z.number().int().min(100).max(300000) },
  { path: ['registry', 'caFile'], schema: z.string() },
  { path: ['registry', 'userDockerConfig'], schema: z.boolean() },
];

export interface SettingsResult {
  readonly settings: Settings;
  /** Sentences for the user: which setting was ignored and why. */
  readonly problems: readonly string[];
}

function getAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let current = target;
  for (const key of path.slice(0, -1)) {
    current[key] = { ...(current[key] as Record<string, unknown>) };
    current = current[key] as Record<string, unknown>;
  }
  current[path[path.length - 1]!] = value;
}

/** Reads raw settings (VS Code configuration, `.pullguard.json`, CLI flags) into `Settings`. */
export function parseSettings(raw: unknown): SettingsResult {
  const result = JSON.parse(JSON.stringify(DEFAULT_SETTINGS)) as Record<string, unknown>;
  const problems: string[] = [];
  for (const { path, schema } of LEAVES) {
    const value = getAt(raw, path);
    if (value === undefined || value === null) continue;
    const parsed = schema.safeParse(value);
    const name = `pullguard.${path.join('.')}`;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at \`${issue.path.join('.')}\`` : '';
      problems.push(`Setting \`${name}\` is ignored${where}: ${issue?.message ?? 'invalid value'}. The default is used instead.`);
      continue;
    }
    setAt(result, path, parsed.data);
  }
  const settings = result as unknown as Settings;
  for (const code of Object.keys(settings.rules)) {
    if (!getRule(code)) problems.push(`Setting \`pullguard.rules\` names an unknown rule \`${code}\`; it has no effect.`);
  }
  return { settings, problems };
}

/** The severity a rule reports with under these settings, or `off`. */
export function getRuleSeverity(settings: Settings, code: string): SeveritySetting {
  const configured = settings.rules[code];
  if (configured) return configured;
  if (code === 'image/not-pinned') return settings.pinning;
  return getRule(code)?.severity ?? 'off';
}
