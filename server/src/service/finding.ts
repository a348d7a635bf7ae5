import type { Severity } from './codes';

/**
 * What every check returns: a rule code and a place in the document as offsets.
 * Offsets stay offsets until `toDiagnostics` converts them once (STYLE: one
 * conversion point).
 */
export interface Finding {
  readonly code: string;
  /** UTF-16 offset into the analysed document's text. */
  readonly offset: number;
  readonly length: number;
  /** A full sentence saying what will happen at run time and why. */
  readonly message: string;
  /** The fix, if any, decoded by the code-action handler by `code`. */
  readonly data?: FixData;
  readonly related?: readonly RelatedPlace[];
  /** This finding's own default severity, where a rule's depends on the case (the user's setting still wins). */
  readonly severity?: Severity;
}

/** Another place in the same document that explains the finding. */
export interface RelatedPlace {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
}

/** Fix payloads travel in `Diagnostic.data`; each kind names the edit to make. */
export type FixData =
  /** Replace the diagnostic's range with `newText` (already escaped for the host file). */
  | { readonly fix: 'replace'; readonly title: string; readonly newText: string }
  /** Resolve the image's tag to a digest at the registry (network; on request only). */
  | { readonly fix: 'pin-digest'; readonly image: string }
  /** Move the `DOCKER_AUTH_CONFIG` out of the file into a CI/CD variable. */
  | { readonly fix: 'move-to-variable' }
  /** Replace a static ECR credential with the `ecr-login` helper for `key`. */
  | { readonly fix: 'ecr-helper'; readonly key: string }
  /** Remove the `auths` entry `key`. */
  | { readonly fix: 'remove-entry'; readonly key: string }
  /** Remove `credsStore`. */
  | { readonly fix: 'remove-creds-store'; readonly key: string }
  /** Remove the `credHelpers` entry `key`. */
  | { readonly fix: 'remove-helper'; readonly key: string }
  /** Turn `credsStore` into `credHelpers` entries for the registries the workspace uses. */
  | { readonly fix: 'creds-store-to-helpers' }
  /** Offer to create a `DOCKER_AUTH_CONFIG` for `registry`. */
  | { readonly fix: 'create-auth-config'; readonly registry: string };
