/**
 * The local path of a `file:` URI, for the URIs an editor may send that Node cannot map
 * to a path on this machine: `fileURLToPath` throws for a host other than `localhost` on
 * Linux and macOS (`file://server/share/…`, a network share in a Windows editor) and for
 * an escaped `/` in a segment. Such a document is analysed like an untitled one.
 */
import { fileURLToPath } from 'node:url';

/** The path of a `file:` URI on this machine; undefined for another scheme or a URI with no local path. */
export function filePathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}
