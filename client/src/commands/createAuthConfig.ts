/**
 * *Pullguard: Create DOCKER_AUTH_CONFIG…* (SPEC §3): registry (one the workspace pulls
 * from, or typed), username, password or token in a masked input; builds
 * `{"auths":{"<registry>":{"auth":"<base64 user:password>"}}}` and puts it where the
 * user chooses. Also the target of the `auth/no-credentials` quick fix, which passes
 * `{registry}`.
 */
import { buildDockerAuthConfig, getUsernameProblem } from '../../../server/src/service/credentials/base64';
import type { PickItem, ServerQueries, Ui, WorkspaceRegistry } from '../ui';
import { deliverJson, type Delivery } from './deliver';

const TITLE = 'Create DOCKER_AUTH_CONFIG';
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

/** Why a typed registry key cannot be used, or undefined when it can. */
export function getRegistryProblem(registry: string): string | undefined {
  if (registry.trim() === '') return 'Type the registry host, e.g. `registry.example.com` or `registry.example.com:5000`.';
  if (/\s/.test(registry)) return 'A registry key has no spaces.';
  if (/["\\]/.test(registry)) return 'A registry key has no `"` or `\\`.';
  return undefined;
}

/**
 * The key the runner matches for a registry the user named: Docker Hub's hosts all
 * become `https://index.docker.io/v1/`, because bare `index.docker.io` never matches
 * (rule auth/docker-hub-key); everything else is kept as typed.
 */
export function toRegistryKey(registry: string): string {
  const host = registry.trim().replace(/\/+$/, '');
  if (/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)$/i.test(host)) return DOCKER_HUB_KEY;
  return registry.trim();
}

function describeRegistry(registry: WorkspaceRegistry): string {
  const images = `${registry.images} image${registry.images === 1 ? '' : 's'}`;
  if (registry.anonymousImages === 0) return `${images}, credentials found`;
  return `${images}, ${registry.anonymousImages} pulled without credentials`;
}

const TYPE_REGISTRY = Symbol('type a registry');

async function askRegistry(ui: Ui, server: ServerQueries): Promise<string | undefined> {
  let registries: readonly WorkspaceRegistry[] = [];
  try {
    registries = await server.workspaceRegistries();
  } catch {
    // The server is starting or gone: the registry can still be typed.
  }
  if (registries.length > 0) {
    // Registries without credentials first: they are the ones that need this.
    const sorted = [...registries].sort((a, b) => Number(b.anonymousImages > 0) - Number(a.anonymousImages > 0) || a.registry.localeCompare(b.registry));
    const items: PickItem<string | typeof TYPE_REGISTRY>[] = sorted.map((r) => ({ label: r.key, description: describeRegistry(r), value: r.key }));
    items.push({ label: 'Type a registry…', description: 'host[:port] or host/path', value: TYPE_REGISTRY });
    const picked = await ui.pick(items, { title: `${TITLE} (1/3)`, placeholder: 'Registry the credentials are for (registries your images are pulled from)' });
    if (picked !== TYPE_REGISTRY) return picked;
  }
  const typed = await ui.ask({
    title: `${TITLE} (1/3)`,
    prompt: 'Registry the credentials are for, as images name it: host[:port], or host[:port]/path to scope them to a namespace',
    placeholder: 'registry.example.com:5000',
    validate: getRegistryProblem,
  });
  return typed === undefined ? undefined : toRegistryKey(typed);
}

/** Runs the command; `args.registry` (from the quick fix) skips the registry question. Returns where the JSON went. */
export async function createDockerAuthConfig(ui: Ui, server: ServerQueries, args?: unknown): Promise<Delivery | undefined> {
  const given = typeof args === 'object' && args !== null && typeof (args as { registry?: unknown }).registry === 'string' ? (args as { registry: string }).registry : undefined;
  const registry = given !== undefined && getRegistryProblem(given) === undefined ? toRegistryKey(given) : await askRegistry(ui, server);
  if (registry === undefined) return undefined;
  const username = await ui.ask({
    title: `${TITLE} (2/3): ${registry}`,
    prompt: `Username for ${registry} (for a deploy token: its username; for GitLab's registry with a personal or project access token: any non-empty name)`,
    validate: getUsernameProblem,
  });
  if (username === undefined) return undefined;
  const password = await ui.askSecret({
    title: `${TITLE} (3/3): ${registry}`,
    prompt: `Password or token of ${username} for ${registry} (masked; it is only encoded, never stored or logged)`,
    validate: (text) => (text === '' ? 'The password is empty; the registry would reject the login.' : undefined),
  });
  if (password === undefined) return undefined;
  return deliverJson(ui, buildDockerAuthConfig(registry, username, password), `${TITLE}: ${registry}`);
}
