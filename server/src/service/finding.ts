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

/** One replacement in the document, in offsets; `newText` is already escaped for the host file. */
export interface FixEdit {
  readonly offset: number;
  readonly length: number;
  readonly newText: string;
}

/**
 * Fix payloads travel in `Diagnostic.data`; each kind names the edit to make, and the
 * code-action handler (`codeActions.ts`) builds it. Fixes of Docker's JSON name what to
 * change in the JSON (a key, a field), never a secret: the handler finds the JSON
 * again, edits it and escapes the result for its host (a YAML scalar, a TOML string).
 */
export type FixData =
  /**
   * Replace the diagnostic's range with `newText`. For auth/* findings `newText` is JSON
   * text, escaped for the host by the handler; elsewhere it is written as is.
   */
  | { readonly fix: 'replace'; readonly title: string; readonly newText: string }
  /** Several replacements anywhere in the document, already escaped for the host file. */
  | { readonly fix: 'edits'; readonly title: string; readonly edits: readonly FixEdit[] }
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
  /** Turn `credsStore` into `credHelpers` entries for the registries in `auths` (for `ecr-login`: the ECR ones, and those the document pulls from). */
  | { readonly fix: 'creds-store-to-helpers' }
  /** Offer to create a `DOCKER_AUTH_CONFIG` for `registry`. */
  | { readonly fix: 'create-auth-config'; readonly registry: string }
  /** Remove `field` of the `auths` entry `key` (`email`). */
  | { readonly fix: 'remove-field'; readonly key: string; readonly field: string }
  /** Re-encode the `auth` of the `auths` entry `key` without the newline that ends its password. */
  | { readonly fix: 'strip-auth-newline'; readonly key: string }
  /** Rename the key written at `offset` of `uri` (this document or another of the workspace) to `newKey`. */
  | { readonly fix: 'rename-key'; readonly uri: string; readonly offset: number; readonly length: number; readonly key: string; readonly newKey: string };

/**
 * `finding` with every offset in it moved by `move` (text inserted or removed before
 * it in `documentUri`, the document it is about): its own, its related places' and its
 * fix's. A `rename-key` fix may name a key in another file of the workspace (a
 * `config.json` whose key an image of a pipeline nearly matches), which does not move.
 */
export function moveFinding(finding: Finding, move: (offset: number) => number, documentUri: string): Finding {
  // A copy of the same shape, then its offsets replaced: spreading conditional objects
  // into a literal costs several times more.
  const moved: Mutable<Finding> = { ...finding };
  moveFindingInPlace(moved, move, documentUri);
  return moved;
}

/**
 * `moveFinding` on the finding itself: the object stays the same, its related places and
 * an offset-holding fix are replaced by moved copies (a fix is frozen once its diagnostic
 * is made, and related places may be shared with another finding). Each offset is
 * moved before any is written, so a `move` that throws leaves the finding as it was.
 */
export function moveFindingInPlace(finding: Mutable<Finding>, move: (offset: number) => number, documentUri: string): void {
  const offset = move(finding.offset);
  const related = finding.related?.map((place) => ({ ...place, offset: move(place.offset) }));
  const data = finding.data && moveFixData(finding.data, move, documentUri);
  finding.offset = offset;
  if (related) finding.related = related;
  if (data) finding.data = data;
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Whether a fix holds offsets of its own (which may move with the text). */
export function fixHasOffsets(data: FixData | undefined): boolean {
  return data?.fix === 'edits' || data?.fix === 'rename-key';
}

function moveFixData(data: FixData, move: (offset: number) => number, documentUri: string): FixData {
  if (data.fix === 'edits') return { ...data, edits: data.edits.map((change) => ({ ...change, offset: move(change.offset) })) };
  if (data.fix === 'rename-key' && data.uri === documentUri) return { ...data, offset: move(data.offset) };
  return data;
}
