/**
 * Pinning the images of one analysed document: for each image occurrence, where the
 * digest goes and which digest, with the credentials of the job that pulls it. The same
 * image with the same credentials is asked once. Shared by `pullguard pin` and the
 * server's `pullguard/pinImage` and `pullguard/pinAllImages`.
 */
import type { ImageOccurrence } from '../service/model/images';
import type { ImageCredentials } from '../service/rules/auth';
import type { CredentialSource } from '../service/credentials/types';
import { getJobPayloadSources } from '../service/credentials/jobPayload';
import { getPinPlace, resolvePinDigest, type ActionOptions, type PinResult } from './actions';
import { withUserDockerConfig } from './credentials';
import type { Failure } from './errors';

export interface PinOutcome {
  readonly occurrence: ImageOccurrence;
  /** The image as the runner pulls it (variables expanded), when known. */
  readonly image: string | undefined;
  /** The insertion, in document offsets, when the registry answered. */
  readonly edit?: { readonly offset: number; readonly newText: string };
  readonly digest?: string;
  /** Why this image was not pinned; `skipped` when there was nothing to ask (already pinned, a run-time variable). */
  readonly failure?: Failure & { readonly skipped: boolean };
  readonly credentials?: string;
}

/** The sources an occurrence's pull uses; without the analysis, the job payload alone. */
export function getOccurrenceSources(credentials: ImageCredentials | undefined, settings: ActionOptions['settings'], userConfig: CredentialSource | undefined): CredentialSource[] {
  const sources = credentials ? credentials.sources : getJobPayloadSources(settings);
  return withUserDockerConfig(sources, userConfig).sources;
}

/** Pins `occurrences` one after the other (a registry is asked at most once per image and credentials). */
export async function pinOccurrences(
  occurrences: ReadonlyArray<{ occurrence: ImageOccurrence; credentials: ImageCredentials | undefined }>,
  options: ActionOptions,
  userConfig: CredentialSource | undefined,
): Promise<PinOutcome[]> {
  const outcomes: PinOutcome[] = [];
  const asked = new Map<string, Promise<PinResult>>();
  for (const { occurrence, credentials } of occurrences) {
    const place = getPinPlace(occurrence);
    if (!place.ok) {
      const skipped = place.failure.kind === 'invalid-image';
      outcomes.push({ occurrence, image: undefined, failure: { ...place.failure, skipped } });
      continue;
    }
    if (options.signal?.aborted) {
      outcomes.push({ occurrence, image: place.image, failure: { kind: 'cancelled', message: 'Cancelled.', skipped: false } });
      continue;
    }
    const sources = getOccurrenceSources(credentials, options.settings, userConfig);
    const key = `${place.image}\u0000${JSON.stringify(credentials?.resolution.match ?? null)}`;
    let pending = asked.get(key);
    if (!pending) {
      pending = resolvePinDigest(place.image, sources, options);
      asked.set(key, pending);
    }
    const result = await pending;
    if (result.ok) {
      outcomes.push({ occurrence, image: place.image, digest: result.digest, credentials: result.credentials, edit: { offset: place.offset, newText: `${place.prefix}${result.digest}` } });
    } else {
      outcomes.push({ occurrence, image: place.image, failure: { ...result.failure, skipped: false } });
    }
  }
  return outcomes;
}
