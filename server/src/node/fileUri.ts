/**
 * Local paths and `file:` URIs. The local path of a `file:` URI, for the URIs an editor may
 * send that Node cannot map to a path on this machine: `fileURLToPath` throws for a host
 * other than `localhost` on Linux and macOS (`file://server/share/…`, a network share in a
 * Windows editor) and for an escaped `/` in a segment. Such a document is analysed like an
 * untitled one. And the other way, a local path as the analysis writes paths.
 */
import { sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { uriToPath } from '../service/model/workspace';

/** The path of a `file:` URI on this machine; undefined for another scheme or a URI with no local path. */
export function filePathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/**
 * A local path as the analysis writes the paths of documents (`uriToPath` of its `file:` URI),
 * which the file patterns are matched against. Where the separator is `/` that is the path
 * itself, and the URI is not made: the workspace scan asks this of every candidate file
 * (6,800 in the benchmark's 400-package monorepo), and making and decoding each URI cost
 * 15–20 ms of that walk's ~50 there (bench/README.md, session 18).
 */
export function analysisPathOf(localPath: string): string {
  return sep === '/' ? localPath : uriToPath(pathToFileURL(localPath).href);
}
