/**
 * What can go wrong when Pullguard asks a registry, in the categories the editor and
 * the CLI show one message for each. Messages say what the runner will hit and what to
 * do; they never carry a secret (credentials are named by key and user only).
 */

import type { Failure, FailureKind } from '../service/protocol';

export type { Failure, FailureKind };

export class RegistryError extends Error {
  constructor(readonly kind: FailureKind, message: string) {
    super(message);
    this.name = 'RegistryError';
  }

  toFailure(): Failure {
    return { kind: this.kind, message: this.message };
  }
}

/** Any thrown value as a `Failure`; an unexpected error is a bad response, said plainly. */
export function toFailure(error: unknown): Failure {
  if (error instanceof RegistryError) return error.toFailure();
  return { kind: 'bad-response', message: `Unexpected error while asking the registry: ${error instanceof Error ? error.message : String(error)}` };
}
