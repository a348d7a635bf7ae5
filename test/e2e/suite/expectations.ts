/**
 * Diagnostics the e2e suite pins by hand, per file: a few of each kind, with code, severity
 * and the exact text each range covers. (The suite also compares every diagnostic with what
 * `pullguard --format json` reports for the same workspace, so this list can stay short.)
 */
import type { ExpectedDiagnostic } from './helpers';

/** examples/.gitlab-ci.yml, read with the runner config.toml and config.json next to it. */
export const PIPELINE_DIAGNOSTICS: readonly ExpectedDiagnostic[] = [
  { code: 'image/not-pinned', severity: 'information', text: '$NODE_VERSION-alpine' },
  { code: 'service/alias-collision', severity: 'warning', text: 'db', after: 'alias: ' },
  { code: 'auth/no-credentials', severity: 'warning', text: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:dev' },
  { code: 'image/latest-tag', severity: 'warning', text: 'latest', after: '- postgres:' },
  { code: 'image/latest-tag', severity: 'warning', text: 'redis', after: '- postgres:latest\n    - ' },
  { code: 'image/port-as-tag', severity: 'warning', text: 'registry.example.com:5000', after: 'image: ' },
  { code: 'runner/image-not-allowed', severity: 'warning', text: 'registry.gitlab.com/Acme/tools/lint:2.1' },
  { code: 'image/uppercase-repository', severity: 'error', text: 'Acme' },
  { code: 'image/tag-and-digest', severity: 'hint', text: '3.20', after: 'image: alpine:' },
  { code: 'image/script-variable', severity: 'warning', text: '$DEPLOY_TOOL', after: 'image: ' },
];

export const RUNNER_CONFIG_DIAGNOSTICS: readonly ExpectedDiagnostic[] = [
  { code: 'auth/committed-secret', severity: 'warning', text: '\\"Y2ktdXNlcjpleGFtcGxlLXBhc3N3b3Jk\\"' },
  { code: 'image/not-pinned', severity: 'information', text: '3.3', after: 'ruby:' },
  { code: 'runner/network-mode-conflict', severity: 'warning', text: '"bridge"' },
  { code: 'image/latest-tag', severity: 'warning', text: 'latest', after: 'mysql:' },
  { code: 'image/uppercase-repository', severity: 'error', text: 'Redis' },
];

export const DOCKER_CONFIG_DIAGNOSTICS: readonly ExpectedDiagnostic[] = [
  { code: 'auth/docker-hub-key', severity: 'warning', text: '"index.docker.io"' },
  { code: 'auth/creds-store', severity: 'warning', text: '"desktop"', after: '"credsStore": ' },
  { code: 'auth/helper-unavailable', severity: 'error', text: '"desktop"', after: '"credsStore": ' },
];

/** test/e2e/fixtures/credentials.gitlab-ci.yml, in the same workspace. */
export const CREDENTIALS_FIXTURE_DIAGNOSTICS: readonly ExpectedDiagnostic[] = [
  { code: 'image/not-pinned', severity: 'information', text: '1.2', after: 'team/app:' },
  { code: 'runner/image-not-allowed', severity: 'warning', text: 'registry.internal.example:8443/ops/deploy:2.0' },
  { code: 'auth/job-replaces-runner', severity: 'information', text: `'{"auths": {"registry.internal.example:8443": {"auth": "ZGVwbG95ZXI6czNjcjN0LXZhbHVl"}}}'` },
  { code: 'auth/committed-secret', severity: 'warning', text: '"ZGVwbG95ZXI6czNjcjN0LXZhbHVl"' },
];
