/**
 * The credential sources the runner reads for one job, and the result of its
 * lookup for one image (REFERENCE §1.2–§1.4). Sources are built from the
 * documents (`DOCKER_AUTH_CONFIG` in a pipeline or a runner `environment`, a Docker
 * `config.json`, GitLab's job credentials); the resolver only matches.
 *
 * Secrets never enter these types: an entry says whether it has a password and how
 * long it is, never what it is (STYLE: masked at the point of decoding).
 */

/** Where a source comes from, for messages, hovers and `pullguard explain`. */
export type SourceOrigin =
  | { readonly kind: 'ci-variable'; readonly uri: string; readonly job: string | undefined }
  | { readonly kind: 'project-variable' }
  | { readonly kind: 'runner-environment'; readonly uri: string; readonly runner: string }
  | { readonly kind: 'docker-config'; readonly uri: string }
  | { readonly kind: 'job-payload'; readonly service: 'registry' | 'dependency-proxy' };

/** A place in a document, for related information and hovers. */
export interface SourcePlace {
  readonly uri: string;
  readonly offset: number;
  readonly length: number;
}

export interface AuthEntry {
  /** The map key exactly as written (`registry.example.com:5000`, `https://index.docker.io/v1/`). */
  readonly key: string;
  readonly place: SourcePlace | undefined;
  /** What the entry yields after decoding (§1.5): `auth` wins over `username`/`password`. */
  readonly username: string | undefined;
  readonly passwordLength: number | undefined;
  readonly identityToken: boolean;
  readonly registryToken: boolean;
  /** No usable credentials at all (`{}`): it still shadows lower sources (§1.6). */
  readonly empty: boolean;
}

export interface HelperEntry {
  /** The registry key of `credHelpers`; undefined for `credsStore`. */
  readonly key: string | undefined;
  /** The helper suffix: `docker-credential-<helper>`. */
  readonly helper: string;
  readonly place: SourcePlace | undefined;
}

export interface CredentialSource {
  /** The runner's label in the job log: `$DOCKER_AUTH_CONFIG`, a file path, `job payload (GitLab Registry)`. */
  readonly label: string;
  readonly origin: SourceOrigin;
  readonly auths: readonly AuthEntry[];
  readonly credHelpers: readonly HelperEntry[];
  readonly credsStore: HelperEntry | undefined;
  /** Why the runner drops this whole source (bad JSON, bad `auth`, a helper it cannot run), if it does (§1.2). */
  readonly dropReason: string | undefined;
  /** Why resolution aborts and the pull fails (a helper name with a path, §1.2), if it does. */
  readonly abortReason: string | undefined;
}

/** One key that could serve the image, in the order the runner tries them. */
export interface Candidate {
  readonly source: string;
  readonly key: string;
  /** The key's normalized registry path (§1.4). */
  readonly path: string;
  readonly via: 'auths' | 'credHelpers' | 'credsStore';
}

export interface Resolution {
  /** The image as written (after variable expansion). */
  readonly image: string;
  /** Docker's fully normalized reference, e.g. `docker.io/library/nginx:latest`. */
  readonly normalized: string;
  /** The runner's registry path of the image (`normalizeImageRef`, §1.4), e.g. `docker.io/nginx`. */
  readonly registryPath: string;
  /** Keys considered, longest prefix first, first source first. */
  readonly candidates: readonly Candidate[];
  /** The entry the runner uses, or null for an anonymous pull. */
  readonly match: { readonly source: string; readonly key: string; readonly via: Candidate['via'] } | null;
  readonly anonymous: boolean;
  readonly droppedSources: ReadonlyArray<{ readonly source: string; readonly reason: string }>;
  /** Sentences for the user (why anonymous, what a helper must do at run time, …). */
  readonly notes: readonly string[];
  /** Set when resolution aborts: the pull fails whatever else matches. */
  readonly abortReason: string | undefined;
  /**
   * Sources whose `credsStore` could still supply or replace the credentials for
   * this image: the runner uses what `docker-credential-<helper> list` returns,
   * which is unknown here (REFERENCE §1.3, §9 Q1). Empty or absent: no store matters.
   */
  readonly pendingStores?: ReadonlyArray<{ readonly source: string; readonly helper: string }>;
}
