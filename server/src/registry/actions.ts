/**
 * The two registry actions of SPEC §3, shared by the language server and the CLI:
 *
 * - *Pin image to digest*: the digest the registry reports for the image's tag (the index
 *   digest for a multi-arch image), and the edit `name:tag` → `name:tag@sha256:…`;
 * - *Check registry access*: what the runner would send (its credential lookup, helpers
 *   included where allowed) and what the registry answers.
 *
 * Nothing here runs unless a user asked for one of the two actions; the callers refuse
 * in an untrusted workspace before calling.
 */
import type { ImageOccurrence } from '../service/model/images';
import type { CredentialSource, Resolution } from '../service/credentials/types';
import { parseImageReference } from '../service/reference/parseReference';
import type { Settings } from '../service/settings';
import { expandVariables } from '../service/variables';
import { getRegistryTarget, RegistrySession, type ExchangeStep, type RegistryTarget } from './client';
import { chooseCredentials, type Picked } from './credentials';
import type { AccessOutcome, CheckAccessResult } from '../service/protocol';
import { RegistryError, toFailure, type Failure } from './errors';
import { readCaFile } from './http';
import { code } from '../service/text/markdown';

export interface RegistrySettings {
  readonly timeoutMs: number;
  /** An extra CA to trust (a machine setting, never the repository's). */
  readonly caFile?: string;
}

export interface ActionOptions {
  readonly registry: RegistrySettings;
  readonly settings: Settings;
  /** Credential helpers and stores may run. */
  readonly allowHelpers: boolean;
  readonly signal?: AbortSignal;
  /** The environment helpers run with. */
  readonly env?: NodeJS.ProcessEnv;
}

export type { AccessOutcome };

/** What `check-access` reports. */
export interface AccessReport {
  readonly image: string;
  /** Where the API was asked: `host[:port]`, repository, tag or digest. */
  readonly target: { readonly registry: string; readonly repository: string; readonly reference: string } | undefined;
  /** The runner's lookup: candidates in its order, and the one it uses. */
  readonly resolution: Resolution | undefined;
  /** The credentials sent, named by key, source and user; or why none. */
  readonly credentials: string;
  /** Helpers run, stores listed, sources dropped, in order. */
  readonly trace: readonly string[];
  /** The HTTP exchanges, without header or secret values. */
  readonly exchanges: readonly ExchangeStep[];
  readonly outcome: AccessOutcome;
  readonly digest?: string;
  readonly message: string;
}

function transportOf(options: ActionOptions) {
  return {
    timeoutMs: options.registry.timeoutMs,
    ...(options.registry.caFile ? { extraCa: readCaFile(options.registry.caFile) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

function describePicked(picked: Picked): string {
  switch (picked.kind) {
    case 'credential':
      return picked.name;
    case 'anonymous':
      return `none (anonymous: ${picked.reason})`;
    default:
      return picked.reason;
  }
}

/** Asks the registry for `target` with `picked`'s credential (anonymously when there is none). */
async function ask(target: RegistryTarget, picked: Picked, options: ActionOptions, transport = transportOf(options)) {
  const credential = picked.kind === 'credential' ? picked.credential : undefined;
  const session = new RegistrySession(transport, credential, picked.kind === 'credential' ? picked.name : undefined);
  try {
    const answer = await session.getManifestDigest(target);
    return { ok: true as const, answer, steps: session.steps };
  } catch (error) {
    return { ok: false as const, failure: toFailure(error), steps: session.steps };
  }
}

/** A report as the editor and the command line show it, with `notes` from the caller (after the lookup's own). */
export function summarizeAccess(report: AccessReport, notes: readonly string[]): CheckAccessResult {
  return {
    image: report.image,
    registry: report.target?.registry ?? null,
    repository: report.target?.repository ?? null,
    reference: report.target?.reference ?? null,
    candidates: report.resolution?.candidates.map(({ source, key, path, via }) => ({ source, key, path, via })) ?? [],
    match: report.resolution?.match ? { source: report.resolution.match.source, key: report.resolution.match.key } : null,
    droppedSources: report.resolution?.droppedSources ?? [],
    credentials: report.credentials,
    trace: report.trace,
    exchanges: report.exchanges,
    outcome: report.outcome,
    digest: report.digest ?? null,
    message: report.message,
    notes: [...(report.resolution?.notes ?? []), ...notes],
  };
}

/** *Check registry access*: the runner's credentials for `image` (as written, variables expanded), tried at the registry. */
export async function checkAccess(image: string, sources: readonly CredentialSource[], options: ActionOptions): Promise<AccessReport> {
  let target: RegistryTarget;
  let transport: ReturnType<typeof transportOf>;
  try {
    target = getRegistryTarget(image);
    transport = transportOf(options);
  } catch (error) {
    const failure = toFailure(error);
    return { image, target: undefined, resolution: undefined, credentials: 'none', trace: [], exchanges: [], outcome: failure.kind, message: failure.message };
  }
  const where = { registry: target.apiHost, repository: target.repository, reference: target.reference };
  let choice;
  try {
    choice = await chooseCredentials(image, sources, options.settings, { allowHelpers: options.allowHelpers, helper: { timeoutMs: options.registry.timeoutMs, ...(options.signal ? { signal: options.signal } : {}), ...(options.env ? { env: options.env } : {}) } });
  } catch (error) {
    const failure = toFailure(error);
    return { image, target: where, resolution: undefined, credentials: 'none', trace: [], exchanges: [], outcome: failure.kind, message: failure.message };
  }
  const { picked, resolution, trace } = choice;
  const base = { image, target: where, resolution, credentials: describePicked(picked), trace };
  if (picked.kind === 'aborted') {
    return { ...base, exchanges: [], outcome: 'aborted', message: `${picked.reason} Nothing was sent to the registry.` };
  }
  if (picked.kind === 'untestable') {
    return { ...base, exchanges: [], outcome: 'untestable', message: `${picked.reason} Nothing was sent to the registry.` };
  }
  const result = await ask(target, picked, options, transport);
  if (!result.ok) return { ...base, exchanges: result.steps, outcome: result.failure.kind, message: result.failure.message };
  const who = picked.kind === 'credential' ? `with ${picked.name}` : 'anonymously';
  return {
    ...base,
    exchanges: result.steps,
    outcome: 'authorized',
    digest: result.answer.digest,
    message: `The registry serves ${code(`${target.repository}:${target.reference}`)} ${who}: the runner's pull is authorized (digest ${code(result.answer.digest)}).`,
  };
}

export type PinResult =
  | { readonly ok: true; readonly digest: string; readonly credentials: string }
  | { readonly ok: false; readonly failure: Failure };

/**
 * The digest to pin `image` to. Uses the runner's credentials; when those cannot be tried
 * here (the job token, a helper that may not run), asks anonymously, and says why on failure.
 */
export async function resolvePinDigest(image: string, sources: readonly CredentialSource[], options: ActionOptions): Promise<PinResult> {
  try {
    const target = getRegistryTarget(image);
    const transport = transportOf(options);
    const choice = await chooseCredentials(image, sources, options.settings, { allowHelpers: options.allowHelpers, helper: { timeoutMs: options.registry.timeoutMs, ...(options.signal ? { signal: options.signal } : {}), ...(options.env ? { env: options.env } : {}) } });
    const picked = choice.picked;
    if (picked.kind === 'aborted') throw new RegistryError('authentication-required', `${picked.reason} Fix the credentials before pinning.`);
    const tried: Picked = picked.kind === 'untestable' ? { kind: 'anonymous', reason: picked.reason } : picked;
    const result = await ask(target, tried, options, transport);
    if (result.ok) return { ok: true, digest: result.answer.digest, credentials: describePicked(tried) };
    if (picked.kind === 'untestable' && result.failure.kind === 'authentication-required') {
      return { ok: false, failure: { kind: result.failure.kind, message: `${picked.reason} Asked anonymously instead: ${result.failure.message}` } };
    }
    return { ok: false, failure: result.failure };
  } catch (error) {
    return { ok: false, failure: toFailure(error) };
  }
}

// ---- Where a pin goes in the document ------------------------------------------------------

/** Predefined variables whose value Pullguard knows exactly (`pullguard.ciRegistry`), not as a sample. */
const EXACT_PREDEFINED = new Set(['CI_REGISTRY']);

export type PinPlace =
  | {
      readonly ok: true;
      /** The image as the runner pulls it (variables expanded). */
      readonly image: string;
      /** Document offset where the digest goes: right after the tag as written. */
      readonly offset: number;
      /** What to insert once the digest is known: `@` + digest, with `:latest` first when no tag is written. */
      readonly prefix: string;
    }
  | { readonly ok: false; readonly failure: Failure };

/**
 * The image `occurrence` pulls, when every variable in it has a value known here (written
 * in the files or the settings, or `$CI_REGISTRY`): the registry must not be asked about a
 * name built from a sample value.
 */
export function getKnownImageName(occurrence: ImageOccurrence): { ok: true; image: string; expansion: ReturnType<typeof expandVariables> } | { ok: false; failure: Failure } {
  const expansion = expandVariables(occurrence.text, occurrence.variables);
  const unknown = expansion.uses.find((use) => use.origin !== 'literal' && !(use.origin === 'predefined' && EXACT_PREDEFINED.has(use.name)));
  if (unknown) {
    return { ok: false, failure: { kind: 'invalid-image', message: `\`${occurrence.text}\` uses \`$${unknown.name}\`, whose value is known only at run time, so Pullguard cannot ask the registry about it.` } };
  }
  return { ok: true, image: expansion.text, expansion };
}

/** Where and how `occurrence` can be pinned, without asking anything. */
export function getPinPlace(occurrence: ImageOccurrence): PinPlace {
  const known = getKnownImageName(occurrence);
  if (!known.ok) return { ok: false, failure: { kind: known.failure.kind, message: `${known.failure.message} Pin the image where the variable is set.` } };
  const { expansion } = known;
  const parsed = parseImageReference(expansion.text);
  if (!parsed.ok) return { ok: false, failure: { kind: 'invalid-image', message: `${parsed.problem.message} Fix the reference before pinning it.` } };
  if (parsed.reference.digest) return { ok: false, failure: { kind: 'invalid-image', message: `\`${occurrence.text}\` is already pinned to a digest.` } };
  // The digest goes after the tag as written; a tag that comes from a variable is not ours to edit.
  if (expansion.uses.some((use) => use.end >= occurrence.text.length)) {
    return { ok: false, failure: { kind: 'invalid-image', message: `The end of \`${occurrence.text}\` comes from a variable; pin the image where the variable is set.` } };
  }
  const offset = occurrence.map.toSource(occurrence.text.length, 'end');
  // No tag means `latest`; writing it keeps the reference readable and keeps repository-scoped
  // credential keys matching (a digest-only reference does not, REFERENCE §1.4).
  return { ok: true, image: expansion.text, offset, prefix: parsed.reference.tag ? '@' : ':latest@' };
}
