/**
 * An image reference as Docker reads it (distribution/reference, normalized
 * semantics: `ParseNormalizedNamed`; REFERENCE §2). Spans are offsets into the
 * reference text itself; callers add the text's position in the host document.
 */

export interface Span {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

export interface ImageReference {
  readonly text: string;
  /** The domain exactly as written (`registry.example.com:5000`, `[fc00::1]:5000`), absent when none is written. */
  readonly domain?: string;
  readonly domainSpan?: Span;
  /** Host part of the written domain, without the port. */
  readonly host?: string;
  /** Port digits of the written domain. */
  readonly port?: string;
  /** The remote name as written (`library/redis`, `group/project/app`). */
  readonly path: string;
  readonly pathSpan: Span;
  readonly tag?: string;
  readonly tagSpan?: Span;
  /** `algorithm:hex` */
  readonly digest?: string;
  readonly digestSpan?: Span;
  /** `docker.io` for Docker Hub (also when written as `index.docker.io` or not written). */
  readonly normalizedDomain: string;
  /** The path with `library/` added for single-component Docker Hub names. */
  readonly normalizedPath: string;
  /** `normalizedDomain/normalizedPath`, without tag or digest. */
  readonly normalizedName: string;
  readonly isDockerHub: boolean;
  /** Docker's short form: `redis`, `user/app`, `registry.example.com/app`. */
  readonly familiarName: string;
}

export type ReferenceProblemKind =
  | 'invalid-reference'
  | 'uppercase-repository'
  | 'name-too-long'
  | 'invalid-tag'
  | 'invalid-digest';

export interface ReferenceProblem {
  readonly kind: ReferenceProblemKind;
  /** A full sentence naming the failing component, with the user's text in backticks. */
  readonly message: string;
  /** The failing component (never the whole reference when a smaller part is to blame). */
  readonly span: Span;
}

export type ReferenceParseResult =
  | { readonly ok: true; readonly reference: ImageReference }
  | { readonly ok: false; readonly problem: ReferenceProblem };
