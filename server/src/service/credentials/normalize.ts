/**
 * Registry paths as GitLab Runner computes them for its credential lookup
 * (REFERENCE §1.4, ports of `convertToRegistryPath` and `normalizeImageRef` in the
 * runner's `helpers/docker/auth/auth.go` [RA]), and the cloud registry host
 * patterns of §6.
 *
 * The runner's view differs from Docker's (distribution/reference, §2.3): it adds
 * no `library/`, and it takes an uppercase first component for Docker Hub
 * (§9 Q14). Docker's view lives in `reference/parseReference.ts`.
 */

const DOCKER_HUB = 'docker.io';
const LEGACY_DOCKER_HUB = 'index.docker.io';
const SCHEME = /^https?:\/\//i;

/** Lowercases the host (text before the first `/`); the path keeps its case (§1.4). */
function withLowerCaseHost(path: string): string {
  const slash = path.indexOf('/');
  return slash === -1 ? path.toLowerCase() : path.slice(0, slash).toLowerCase() + path.slice(slash);
}

/**
 * The registry path of a credential key (`auths`/`credHelpers` map key, job-payload
 * URL), §1.4 "Credential key → path":
 *
 *     https://index.docker.io/v1/              → docker.io
 *     my.hostname:5000/with/tag/image:latest   → my.hostname:5000/with/tag/image
 */
export function convertToRegistryPath(key: string): string {
  if (SCHEME.test(key)) {
    // A scheme keeps the host only: `/v1/` and any namespace after it are dropped.
    const host = key.replace(SCHEME, '').split('/', 1)[0]!.toLowerCase();
    return host === LEGACY_DOCKER_HUB ? DOCKER_HUB : host;
  }
  let path = key.endsWith('/') ? key.slice(0, -1) : key;
  const colon = path.lastIndexOf(':');
  const slash = path.lastIndexOf('/');
  // A `:` after the last `/` is a tag on a repository-scoped key; a bare `host:port` has no `/` and keeps its port.
  if (slash !== -1 && colon > slash) path = path.slice(0, colon);
  return withLowerCaseHost(path);
}

/**
 * The registry path of an image as the runner looks it up, §1.4 "Image name → path":
 *
 *     user/ubuntu:22.04                  → docker.io/user/ubuntu
 *     registry.example.com/ns/img@sha256:… → registry.example.com/ns/img@sha256
 */
export function normalizeImageRef(image: string): string {
  const lastSlash = image.lastIndexOf('/');
  const lastSegment = image.slice(lastSlash + 1);
  // Only the first `:` of the last segment is cut: a digest-only reference keeps `@sha256` (§1.4).
  const colon = lastSegment.indexOf(':');
  let path = image.slice(0, lastSlash + 1) + (colon === -1 ? lastSegment : lastSegment.slice(0, colon));
  const firstSlash = image.indexOf('/');
  const first = firstSlash === -1 ? undefined : image.slice(0, firstSlash);
  if (first === undefined || (!first.includes('.') && !first.includes(':') && first.toLowerCase() !== 'localhost')) {
    // Uppercase (`Foo/bar`) stays a Docker Hub namespace here, unlike in Docker (§9 Q14).
    path = `${DOCKER_HUB}/${path}`;
  } else if (first.toLowerCase() === LEGACY_DOCKER_HUB) {
    path = DOCKER_HUB + path.slice(LEGACY_DOCKER_HUB.length);
  }
  return withLowerCaseHost(path);
}

/** The path one `/segment` shorter, or undefined at the bare host. */
export function parentPath(path: string): string | undefined {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? undefined : path.slice(0, slash);
}

/** The paths the runner tries for an image path, longest first, down to the bare host (§1.4 "Matching"). */
export function getLookupPaths(registryPath: string): string[] {
  const paths: string[] = [];
  for (let path: string | undefined = registryPath; path !== undefined && path !== ''; path = parentPath(path)) paths.push(path);
  return paths;
}

/** The host (with port) of a registry path. */
export function hostOfPath(path: string): string {
  return path.split('/', 1)[0]!;
}

/** The host without a port (`[::1]:5000` → `[::1]`). */
export function stripPort(host: string): string {
  return host.replace(/:\d*$/, '');
}

/**
 * Go's `sort.Strings` order (bytes of UTF-8), which is code point order; JavaScript's
 * `<` compares UTF-16 units, which differs above U+FFFF. Keys are sorted this way
 * before the first key per path wins (§1.3 item 6).
 */
export function compareKeys(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

/** A key the runner matches to Docker Hub images: `docker.io`, `https://index.docker.io/v1/`, `docker.io/<namespace>` (§1.4). */
export function isDockerHubKey(key: string): boolean {
  return hostOfPath(convertToRegistryPath(key)) === DOCKER_HUB;
}

/**
 * A key that looks like Docker Hub but never matches it in the runner: `index.docker.io`
 * or `registry-1.docker.io` without a scheme keep their host, while Docker Hub images
 * normalize to `docker.io/…` (§1.4 item 3).
 */
export function isUnmatchedDockerHubAlias(key: string): boolean {
  if (SCHEME.test(key)) return false;
  const host = hostOfPath(convertToRegistryPath(key));
  return host === LEGACY_DOCKER_HUB || host === 'registry-1.docker.io';
}

// ---- Cloud registries (§6) ----------------------------------------------------

/** §6.1 [ECR-API `ecrPattern`]: the partitions' domains after `<region>.`. */
const ECR_PRIVATE = /^\d{12}\.dkr[.-]ecr(?:-fips)?\.[a-z0-9][a-z0-9_-]*\.(?:amazonaws\.com|amazonaws\.com\.cn|amazonaws\.eu|on\.aws|on\.amazonwebservices\.com\.cn|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$/;
/** §6.1: ECR Public and its dual-stack host. */
const ECR_PUBLIC = new Set(['public.ecr.aws', 'ecr-public.aws.com']);
/** §6.2 [GCR-CONST]: `gcr.io` and its regional hosts. */
const GCR = /^(?:[a-z0-9-]+\.)?gcr\.io$/;
/** §6.2: Artifact Registry, `<location>-docker.pkg.dev` and the regional endpoints `docker.<region>.rep.pkg.dev`. */
const ARTIFACT_REGISTRY = /^(?:[a-z0-9-]+-docker\.pkg\.dev|docker\.[a-z0-9-]+\.rep\.pkg\.dev)$/;
/** §6.3: `<name>.azurecr.io`; `.cn` and `.us` come from third-party code (§9 Q12). */
const ACR = /^[a-z0-9-]+\.azurecr\.(?:io|cn|us)$/;

export type CloudRegistry = 'ecr' | 'ecr-public' | 'gcr' | 'artifact-registry' | 'acr';

/** The ECR helper matches the host name without the port (it reads `URL.Hostname()`). */
function cloudHost(host: string): string {
  return stripPort(host).toLowerCase();
}

/** An Amazon ECR private registry host, `<account>.dkr.ecr.<region>.amazonaws.com` and the other partitions (§6.1). */
export function isEcrHost(host: string): boolean {
  return ECR_PRIVATE.test(cloudHost(host));
}

/** The cloud registry a host belongs to; these always need credentials for private images (§6). */
export function getCloudRegistry(host: string): CloudRegistry | undefined {
  const name = cloudHost(host);
  if (ECR_PRIVATE.test(name)) return 'ecr';
  if (ECR_PUBLIC.has(name)) return 'ecr-public';
  if (GCR.test(name)) return 'gcr';
  if (ARTIFACT_REGISTRY.test(name)) return 'artifact-registry';
  if (ACR.test(name)) return 'acr';
  return undefined;
}
