/**
 * Generates the extension manifest's `contributes.configuration` from the rule
 * table (`codes.ts`) and the default settings, so the settings UI, the rule enum
 * and the code never drift apart. `npm run manifest` writes package.json;
 * a unit test fails when package.json is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES, SEVERITY_SETTINGS } from '../server/src/service/codes';
import { DEFAULT_SETTINGS } from '../server/src/service/settings';

const ROOT = join(__dirname, '..');

export function getConfigurationContribution(): Record<string, unknown> {
  const severity = { type: 'string', enum: [...SEVERITY_SETTINGS] };
  return {
    title: 'Pullguard',
    properties: {
      'pullguard.pinning': {
        ...severity,
        default: DEFAULT_SETTINGS.pinning,
        scope: 'resource',
        markdownDescription: 'Severity of `image/not-pinned`: images without a digest. Their tag can be moved to different content between pipelines. `off` turns the rule off.',
      },
      'pullguard.rules': {
        type: 'object',
        default: {},
        scope: 'resource',
        markdownDescription: 'Severity per rule code, overriding the default: `{"image/latest-tag": "error", "auth/email-ignored": "off"}`. The codes are listed in the project\'s `docs/rules/`.',
        propertyNames: { enum: RULES.map((rule) => rule.code) },
        properties: Object.fromEntries(RULES.map((rule) => [rule.code, {
          ...severity,
          markdownDescription: `${rule.summary} Default: \`${rule.severity}\`.`,
        }])),
        additionalProperties: false,
      },
      'pullguard.files.gitlabCi': {
        type: 'array',
        items: { type: 'string' },
        default: DEFAULT_SETTINGS.files.gitlabCi,
        scope: 'resource',
        markdownDescription: 'Glob patterns of GitLab CI pipeline files. Files named by `include: local` are found on their own.',
      },
      'pullguard.files.runnerConfig': {
        type: 'array',
        items: { type: 'string' },
        default: DEFAULT_SETTINGS.files.runnerConfig,
        scope: 'resource',
        markdownDescription: 'Glob patterns of GitLab Runner `config.toml` files. A `config.toml` counts only when it has a `[[runners]]` table.',
      },
      'pullguard.files.dockerConfig': {
        type: 'array',
        items: { type: 'string' },
        default: DEFAULT_SETTINGS.files.dockerConfig,
        scope: 'resource',
        markdownDescription: 'Glob patterns of Docker `config.json` files. Files matched by added patterns must have a top-level `auths`, `credHelpers` or `credsStore`.',
      },
      'pullguard.ciRegistry': {
        type: 'string',
        default: DEFAULT_SETTINGS.ciRegistry,
        scope: 'resource',
        markdownDescription: 'The `host[:port]` that `$CI_REGISTRY` stands for: your GitLab instance\'s container registry.',
      },
      'pullguard.variables': {
        type: 'object',
        additionalProperties: { type: 'string' },
        default: {},
        scope: 'resource',
        markdownDescription: 'Variables defined in the project\'s CI/CD settings, which the repository cannot show: `{"BASE_IMAGE": "registry.example.com/base:1"}`. A value of `"*"` means defined, value unknown.',
      },
      'pullguard.runner.hosted': {
        type: 'boolean',
        default: DEFAULT_SETTINGS.runner.hosted,
        scope: 'resource',
        markdownDescription: 'Jobs run on GitLab-hosted runners, which cannot run credential helpers or stores.',
      },
      'pullguard.runner.platform': {
        type: 'string',
        enum: ['linux', 'windows', 'macos'],
        default: DEFAULT_SETTINGS.runner.platform,
        scope: 'resource',
        markdownDescription: 'The operating system of the runners, which decides which credential helpers can exist.',
      },
      'pullguard.registry.timeoutMs': {
        type: 'number',
        minimum: 100,
        maximum: 300000,
        default: DEFAULT_SETTINGS.registry.timeoutMs,
        scope: 'machine-overridable',
        markdownDescription: 'Timeout of each request of the registry actions (*Pin image to digest*, *Check registry access*), in milliseconds.',
      },
      // Machine scope: trusting a CA or reading the user's own credentials is the user's
      // decision, never a repository's (VS Code ignores machine settings in workspace settings).
      'pullguard.registry.caFile': {
        type: 'string',
        default: DEFAULT_SETTINGS.registry.caFile,
        scope: 'machine',
        markdownDescription: 'The absolute path of a PEM file of an extra certificate authority to trust for the registry actions, besides the system\'s (a registry with a private CA). TLS is always verified; there is no setting to turn that off.',
      },
      'pullguard.registry.userDockerConfig': {
        type: 'boolean',
        default: DEFAULT_SETTINGS.registry.userDockerConfig,
        scope: 'machine',
        markdownDescription: 'Let the registry actions use your own `~/.docker/config.json` (and its credential helpers, in trusted workspaces) where the workspace has no Docker config. The runner does not see your file: this only helps you pin images you can pull.',
      },
    },
  };
}

if (require.main === module) {
  const path = join(ROOT, 'package.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8'));
  manifest.contributes = { ...manifest.contributes, configuration: getConfigurationContribution() };
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log('package.json: contributes.configuration updated');
}
