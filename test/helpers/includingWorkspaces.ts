/**
 * Small workspaces whose files include one another, drawn from fixed seeds: two pipelines,
 * templates that include each other (one by a glob, one through another), a Kubernetes
 * manifest a pipeline may include, a runner `config.toml` and a Docker `config.json`, each
 * in one of a few versions or absent. For the tests that compare two ways of reaching the
 * same result (the index kept change by change against a fresh one; the CLI against the
 * editor).
 */

/** Each file's possible texts, by path from the workspace root; undefined: the file is absent. */
export const WORKSPACE_TEXTS: Readonly<Record<string, ReadonlyArray<string | undefined>>> = {
  '.gitlab-ci.yml': [
    'include:\n  - local: ci/a.yml\nbuild:\n  extends: .a\n  script: [make]\n',
    'include:\n  - local: ci/*.yml\nbuild:\n  extends: .b\n  image: $IMG\n  script: [make]\n',
    'include: ci/nested.yml\ntest:\n  extends: .n\n  script: [make]\n',
    'build:\n  image: registry.example.com/app:1\n  services: [postgres:16]\n  script: [make]\n',
    'include:\n  - local: k8s/deploy.yaml\nbuild:\n  image: $FROM_K8S\n  script: [make]\n',
    'variables:\n  DOCKER_AUTH_CONFIG: \'{"auths": {"private.example.com": {"auth": "dTpw"}}}\'\nbuild:\n  image: private.example.com/x:1\n  script: [make]\n',
    undefined,
  ],
  'sub/.gitlab-ci.yml': ['include: /ci/b.yml\nx:\n  extends: .b\n  script: [a]\n', 'x:\n  image: redis\n  script: [a]\n', undefined],
  'ci/a.yml': [
    '.a:\n  image: alpine:3.20\n',
    '.a:\n  image: registry.example.com/a:1\nvariables:\n  IMG: node:20\n',
    'include: ci/b.yml\n.a:\n  extends: .b\n',
    ': [bad',
    'job-in-template:\n  image: ubuntu\n  script: [x]\n',
    undefined,
  ],
  'ci/b.yml': ['.b:\n  image: docker.io/library/redis:7\n', 'variables:\n  IMG: private.example.com/x:1\n.b:\n  image: $IMG\n', undefined],
  'ci/nested.yml': ['include: ci/a.yml\n.n:\n  extends: .a\n', '.n:\n  image: mysql:8\n', 'include:\n  - local: ci/b.yml\n.n:\n  extends: .b\n', undefined],
  'k8s/deploy.yaml': ['apiVersion: v1\nkind: Pod\n', 'variables:\n  FROM_K8S: ghcr.io/x/y:1\n', undefined],
  'gitlab-runner/config.toml': [
    '[[runners]]\n  executor = "docker"\n  [runners.docker]\n    image = "alpine:3"\n    allowed_images = ["registry.example.com/**"]\n',
    '[[runners]]\n  executor = "docker"\n  environment = ["DOCKER_AUTH_CONFIG={\\"auths\\":{\\"private.example.com\\":{\\"auth\\":\\"dTpw\\"}}}"]\n',
    'not toml [',
    undefined,
  ],
  '.docker/config.json': ['{"auths": {"registry.example.com": {"auth": "dTpw"}}}', '{"credHelpers": {"private.example.com": "ecr-login"}}', '{bad', undefined],
};

/** The paths of WORKSPACE_TEXTS. */
export const WORKSPACE_PATHS: readonly string[] = Object.keys(WORKSPACE_TEXTS);

/**
 * A deterministic chooser: each call picks one element of a list. A linear congruential
 * generator, so that a seed gives the same choices on every Node version.
 */
export function chooser(seed: number): <T>(list: readonly T[]) => T {
  let state = seed;
  return (list) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return list[Math.floor((state / 2 ** 31) * list.length)]!;
  };
}

/** One version (or absence) of each file, drawn with `choose`: path → text. */
export function drawWorkspace(choose: <T>(list: readonly T[]) => T): Map<string, string> {
  const files = new Map<string, string>();
  for (const path of WORKSPACE_PATHS) {
    const text = choose(WORKSPACE_TEXTS[path]!);
    if (text !== undefined) files.set(path, text);
  }
  return files;
}

/** The texts a file may have (for an editor opening or changing it): its versions, not its absence. */
export function presentTexts(path: string): readonly string[] {
  return WORKSPACE_TEXTS[path]!.filter((text): text is string => text !== undefined);
}
