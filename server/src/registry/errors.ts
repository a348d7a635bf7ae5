/**
 * What can go wrong when Pullguard asks a registry, in the categories the editor and
 * the CLI show one message for each. Messages say what the runner will hit and what to
 * do; they never carry a secret (credentials are named by key and user only).
 */

export type FailureKind =
  /** Nothing was sent: the workspace is not trusted. */
  | 'untrusted'
  /** The image text is not something the registry can be asked about. */
  | 'invalid-image'
  /** Anonymous request refused: the registry wants credentials. */
  | 'authentication-required'
  /** The credentials were rejected (wrong user or password, expired token). */
  | 'unauthorized'
  /** The credentials were accepted, but they give no access to this repository. */
  | 'denied'
  | 'repository-not-found'
  | 'tag-not-found'
  /** No connection: DNS, refused, reset, network down. */
  | 'unreachable'
  /** The registry's TLS certificate is not trusted (or does not name the host). */
  | 'tls-untrusted'
  | 'timeout'
  /** A response larger than Pullguard accepts. */
  | 'too-large'
  /** The user cancelled. */
  | 'cancelled'
  /** A credential helper could not run or failed. */
  | 'helper-failed'
  /** The registry answered something Pullguard cannot use (bad digest, unknown challenge, 5xx). */
  | 'bad-response';

export interface Failure {
  readonly kind: FailureKind;
  /** A full sentence or two for the user. */
  readonly message: string;
}

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
