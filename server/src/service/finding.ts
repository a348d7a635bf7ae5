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
}

/** Another place in the same document that explains the finding. */
export interface RelatedPlace {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
}

/** Fix payloads travel in `Diagnostic.data`; each kind names the edit to make. */
export type FixData =
  | { readonly fix: 'replace'; readonly title: string; readonly newText: string }
  | { readonly fix: 'pin-digest'; readonly image: string };
