/**
 * What the Pullguard client and server exchange besides LSP itself: the names, parameters
 * and results of the custom requests, in one place for both sides (the client imports the
 * types and names, the server implements them: server/src/clientRequests.ts and
 * server/src/registryRequests.ts).
 */
import type { Position, Range, WorkspaceEdit } from 'vscode-languageserver-types';
import type { CloudRegistry } from './credentials/normalize';

// ---- Requests the client commands use (server/src/clientRequests.ts) --------------------------

export const CLIENT_REQUESTS = {
  /** `{}` → `WorkspaceRegistry[]` */
  workspaceRegistries: 'pullguard/workspaceRegistries',
  /** `{textDocument, position}` → `ExplainAnswer` */
  explainImage: 'pullguard/explainImage',
  /** `{textDocument}` → the document's kind, for `when` clauses */
  documentKind: 'pullguard/documentKind',
} as const;

/** A registry the workspace's images are pulled from. */
export interface WorkspaceRegistry {
  /** `host[:port]`, or `docker.io` for Docker Hub. */
  readonly registry: string;
  /** The key a Docker config needs for it (`https://index.docker.io/v1/` for Docker Hub). */
  readonly key: string;
  readonly images: number;
  /** Images of it that the runner would pull without credentials. */
  readonly anonymousImages: number;
  readonly cloud: CloudRegistry | undefined;
}

export type ExplainAnswer = { readonly ok: true; readonly image: string; readonly text: string } | { readonly ok: false; readonly message: string };

// ---- Registry actions (server/src/registryRequests.ts, SPEC §3) --------------------------------

export const REGISTRY_REQUESTS = {
  /** `ImageAtParams` → `PinImageResult` */
  pinImage: 'pullguard/pinImage',
  /** `{textDocument}` → `PinAllImagesResult` */
  pinAllImages: 'pullguard/pinAllImages',
  /** `ImageAtParams` → `CheckAccessResult` */
  checkAccess: 'pullguard/checkAccess',
} as const;

/** Notification `{trusted: boolean}`: the workspace trust, which the registry actions obey. */
export const WORKSPACE_TRUST_NOTIFICATION = 'pullguard/didChangeWorkspaceTrust';

export interface ImageAtParams {
  readonly textDocument: { readonly uri: string };
  /** A document offset (as in the quick fix's command arguments)… */
  readonly offset?: number;
  /** …or an LSP position (the cursor)… */
  readonly position?: Position;
  /** …or a range (its start is used). */
  readonly range?: Range;
}

/** What can go wrong when Pullguard asks a registry, one message for each. */
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

/** A check-access verdict: authorized, a failure, or why it could not be tried. */
export type AccessOutcome = 'authorized' | FailureKind | 'untestable' | 'aborted';

export type PinImageResult =
  | { readonly ok: true; readonly image: string; readonly digest: string; readonly pinned: string; readonly credentials: string; readonly edit: WorkspaceEdit }
  | { readonly ok: false; readonly image: string | null; readonly failure: Failure };

export interface PinAllImagesResult {
  /** Null when nothing could be pinned. */
  readonly edit: WorkspaceEdit | null;
  readonly pinned: ReadonlyArray<{ readonly image: string; readonly digest: string }>;
  readonly failures: ReadonlyArray<{ readonly image: string; readonly kind: FailureKind; readonly message: string; readonly skipped: boolean }>;
  /** Set when nothing was attempted (untrusted workspace, no document). */
  readonly refused?: Failure;
}

/** What a registry access check found; also, in this field order, the JSON of `pullguard check-access`. */
export interface CheckAccessResult {
  readonly image: string | null;
  readonly registry: string | null;
  readonly repository: string | null;
  readonly reference: string | null;
  readonly candidates: ReadonlyArray<{ readonly source: string; readonly key: string; readonly path: string; readonly via: string }>;
  readonly match: { readonly source: string; readonly key: string } | null;
  readonly droppedSources: ReadonlyArray<{ readonly source: string; readonly reason: string }>;
  readonly credentials: string;
  readonly trace: readonly string[];
  readonly exchanges: ReadonlyArray<{ readonly request: string; readonly status: number; readonly note?: string }>;
  readonly outcome: AccessOutcome;
  readonly digest: string | null;
  readonly message: string;
  readonly notes: readonly string[];
}
