/**
 * The credentials a registry action sends: exactly the ones the runner would pick
 * (REFERENCE §1.2–§1.4), through the core's resolution engine, then made concrete:
 *
 * - an `auths` entry: its decoded secrets (`revealEntrySecret`, §1.5);
 * - a `credHelpers` entry: `docker-credential-<helper> get` for the key (§1.3 item 5, §5.2);
 *   a helper that is missing or fails drops its whole source, as on the runner, and the
 *   lookup is done again without it;
 * - a `credsStore`: `list`, whose servers join the source's `auths` (the store wins on
 *   the same key), then the lookup again; a listed key that wins is fetched with `get`;
 * - the job token GitLab sends: it exists only inside a running job, so it cannot be tried.
 *
 * Helpers run only when the caller allows it (a trusted workspace, or the CLI without
 * `--no-helpers`). The user's own Docker config is used only when asked for explicitly,
 * standing in for the runner user's `~/.docker/config.json` (source 2) when the workspace
 * has none.
 */
import { compareKeys } from '../service/credentials/normalize';
import { resolveCredentials } from '../service/credentials/resolve';
import { revealEntrySecret } from '../service/credentials/sources';
import type { AuthEntry, CredentialSource, Resolution } from '../service/credentials/types';
import type { Settings } from '../service/settings';
import type { RegistryCredential } from './client';
import { RegistryError } from './errors';
import { getHelperCredential, helperProgram, listHelperServers, type HelperOptions } from './helpers';
import { code } from '../service/text/markdown';

export interface CredentialOptions {
  /** Whether credential helpers and stores may run. */
  readonly allowHelpers: boolean;
  readonly helper: HelperOptions;
}

/** What the runner would send, as far as it can be known here. */
export type Picked =
  | { readonly kind: 'anonymous'; readonly reason: string }
  | { readonly kind: 'credential'; readonly credential: RegistryCredential; readonly name: string }
  /** Cannot be tried here: the job token, or a helper that may not run. */
  | { readonly kind: 'untestable'; readonly reason: string }
  /** The runner's lookup aborts: the pull fails before any request. */
  | { readonly kind: 'aborted'; readonly reason: string };

export interface CredentialChoice {
  readonly picked: Picked;
  /** The runner's lookup, after helpers and stores answered. */
  readonly resolution: Resolution;
  /** What happened while choosing, in order ("ran `docker-credential-x get` for `k`: credentials"). */
  readonly trace: readonly string[];
}

function describeUser(credential: RegistryCredential): string {
  if (credential.kind === 'basic') return credential.username ? `user ${code(credential.username)}` : 'a password without username';
  return credential.kind === 'identity-token' ? 'an identity token' : 'a registry token';
}

function storeEntry(key: string, username: string): AuthEntry {
  return { key, place: undefined, username: username || undefined, passwordLength: undefined, identityToken: false, registryToken: false, empty: false };
}

/**
 * Chooses the credentials for `image` from `sources` (in the runner's order), running
 * helpers and stores where allowed, and following the runner when one fails.
 */
export async function chooseCredentials(image: string, initialSources: readonly CredentialSource[], settings: Settings, options: CredentialOptions): Promise<CredentialChoice> {
  const trace: string[] = [];
  const runner = settings.runner;
  let sources = [...initialSources];
  /** Keys a store listed, per expanded source: fetched with the store's `get`. */
  const storeKeys = new Map<CredentialSource, { helper: string; keys: Set<string> }>();
  /** `helper key` pairs already run (a source is looked at again after another was dropped). */
  const checkedHelpers = new Set<string>();
  /** Copies made here → the source as read, which alone can reveal its secrets. */
  const originals = new Map<CredentialSource, CredentialSource>();

  // credsStore: the runner uses what `list` returns (§1.3 item 4).
  const first = resolveCredentials(image, sources, runner);
  if (first.abortReason !== undefined) return { picked: { kind: 'aborted', reason: first.notes[0] ?? first.abortReason }, resolution: first, trace };
  for (const pending of first.pendingStores ?? []) {
    const index = sources.findIndex((s) => s.label === pending.source && s.credsStore?.helper === pending.helper);
    const source = sources[index];
    if (!source) continue;
    if (!options.allowHelpers) {
      trace.push(`${code(source.label)} has \`credsStore\` ${code(pending.helper)}: not run (helpers are not allowed here), so the registries it lists are unknown.`);
      continue;
    }
    try {
      const listed = await listHelperServers(pending.helper, options.helper);
      const keys = new Set(Object.keys(listed));
      trace.push(`Ran ${code(`${helperProgram(pending.helper)} list`)}: ${keys.size} server${keys.size === 1 ? '' : 's'} listed.`);
      const auths = [...source.auths.filter((entry) => !keys.has(entry.key)), ...[...keys].map((key) => storeEntry(key, listed[key]!))].sort((a, b) => compareKeys(a.key, b.key));
      const expanded: CredentialSource = { ...source, auths, credsStore: undefined };
      storeKeys.set(expanded, { helper: pending.helper, keys });
      originals.set(expanded, source);
      sources[index] = expanded;
    } catch (error) {
      if (error instanceof RegistryError && error.kind === 'cancelled') throw error;
      trace.push(`${error instanceof Error ? error.message : String(error)} The runner drops ${code(source.label)} whole.`);
      sources[index] = { ...source, dropReason: `\`${helperProgram(pending.helper)} list\` failed` };
    }
  }

  // Each failing helper drops its source; at most one round per source.
  for (let round = 0; round <= sources.length; round++) {
    const resolution = resolveCredentials(image, sources, runner);
    if (resolution.abortReason !== undefined) return { picked: { kind: 'aborted', reason: resolution.notes[0] ?? resolution.abortReason }, resolution, trace };
    const match = resolution.match;
    if (!match) return { picked: { kind: 'anonymous', reason: 'no credentials in any source match' }, resolution, trace };
    const source = sources.find((s) => s.dropReason === undefined && s.label === match.source && (match.via === 'credHelpers'
      ? s.credHelpers.some((h) => h.key === match.key)
      : s.auths.some((a) => a.key === match.key)))!;
    const name = `${code(match.key)} from ${code(match.source)}`;
    if (source.origin.kind === 'job-payload') {
      return { picked: { kind: 'untestable', reason: `The runner would use the job token GitLab sends for ${code(match.key)}; it exists only inside a running job, so Pullguard cannot try it.` }, resolution, trace };
    }
    // The runner runs every helper of the source on each pull, and one failing drops the
    // whole source (§1.3 item 5, §1.2): the others are run too, for their own keys.
    if (options.allowHelpers) {
      const failedHelper = await runOtherHelpers(source, match.key, options, checkedHelpers, trace);
      if (failedHelper !== undefined) {
        sources = sources.map((s) => (s === source ? { ...s, dropReason: `\`${helperProgram(failedHelper)} get\` failed` } : s));
        continue;
      }
    }
    const store = storeKeys.get(source);
    const helper = match.via === 'credHelpers' ? source.credHelpers.find((h) => h.key === match.key)!.helper : store?.keys.has(match.key) ? store.helper : undefined;
    if (helper === undefined) {
      const secret = revealEntrySecret(originals.get(source) ?? source, match.key);
      const credential: RegistryCredential | undefined = secret?.registryToken ? { kind: 'registry-token', token: secret.registryToken }
        : secret?.identityToken ? { kind: 'identity-token', token: secret.identityToken }
        : secret?.username !== undefined || secret?.password !== undefined ? { kind: 'basic', username: secret.username ?? '', password: secret.password ?? '' }
        : undefined;
      if (!credential) return { picked: { kind: 'anonymous', reason: `${name} holds no credentials` }, resolution, trace };
      return { picked: { kind: 'credential', credential, name: `${name} (${describeUser(credential)})` }, resolution, trace };
    }
    const command = code(`${helperProgram(helper)} get`);
    if (!options.allowHelpers) {
      return { picked: { kind: 'untestable', reason: `The runner would run ${command} for ${code(match.key)}; Pullguard runs credential helpers only in a trusted workspace, on an explicit action.` }, resolution, trace };
    }
    try {
      const credential = await getHelperCredential(helper, match.key, options.helper);
      if (!credential) {
        trace.push(`Ran ${command} for ${code(match.key)}: credentials not found, so the runner pulls anonymously.`);
        return { picked: { kind: 'anonymous', reason: `${command} has no credentials for ${code(match.key)}` }, resolution, trace };
      }
      trace.push(`Ran ${command} for ${code(match.key)}: ${describeUser(credential)}.`);
      return { picked: { kind: 'credential', credential, name: `${name} via ${code(helperProgram(helper))} (${describeUser(credential)})` }, resolution, trace };
    } catch (error) {
      if (error instanceof RegistryError && error.kind === 'cancelled') throw error;
      trace.push(`${error instanceof Error ? error.message : String(error)} The runner drops ${code(source.label)} whole and looks again.`);
      sources = sources.map((s) => (s === source ? { ...s, dropReason: `${command} failed` } : s));
    }
  }
  throw new RegistryError('helper-failed', 'Every credential helper failed.');
}

/**
 * Runs the source's `credHelpers` other than `except` the way the runner does on every
 * pull; returns the helper that failed (missing, or an error other than "not found").
 */
async function runOtherHelpers(source: CredentialSource, except: string, options: CredentialOptions, checked: Set<string>, trace: string[]): Promise<string | undefined> {
  for (const entry of source.credHelpers) {
    if (entry.key === undefined || entry.key === except) continue;
    const id = `${entry.helper}\u0000${entry.key}`;
    if (checked.has(id)) continue;
    checked.add(id);
    try {
      await getHelperCredential(entry.helper, entry.key, options.helper);
    } catch (error) {
      if (error instanceof RegistryError && error.kind === 'cancelled') throw error;
      trace.push(`${error instanceof Error ? error.message : String(error)} The runner runs it on every pull (for ${code(entry.key)}), so it drops ${code(source.label)} whole and looks again.`);
      return entry.helper;
    }
  }
  return undefined;
}

/**
 * The sources with the user's own Docker config standing in for the runner user's
 * `~/.docker/config.json` (source 2) when the workspace offers none; otherwise unchanged.
 */
export function withUserDockerConfig(sources: readonly CredentialSource[], user: CredentialSource | undefined): { sources: CredentialSource[]; note?: string } {
  if (!user) return { sources: [...sources] };
  if (sources.some((s) => s.origin.kind === 'docker-config')) {
    return { sources: [...sources], note: `Your own Docker config ${code(user.label)} is not used: the workspace's Docker config stands in for the runner user's.` };
  }
  const payload = sources.findIndex((s) => s.origin.kind === 'job-payload');
  const at = payload === -1 ? sources.length : payload;
  return {
    sources: [...sources.slice(0, at), user, ...sources.slice(at)],
    note: `Your own Docker config ${code(user.label)} stands in for the runner user's \`~/.docker/config.json\`, as you asked; the runner host's file may differ.`,
  };
}
