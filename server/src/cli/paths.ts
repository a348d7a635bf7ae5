/**
 * The files a command works on: named files as they are, folders searched for the three
 * kinds of file (server/src/node/findFiles.ts). Shared by `pullguard` and `pullguard pin`.
 */
import { statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describeFileError, findCandidateFiles } from '../node/findFiles';
import { analysisPathOf } from '../node/fileUri';
import { mayBeReadFile } from '../service/documentKind';
import type { Settings } from '../service/settings';

export interface CollectedFiles {
  /** Absolute paths, sorted. */
  readonly files: string[];
  /** The folders named, and the folders of the files named: the workspace roots. */
  readonly roots: string[];
  /** A path could not be read; why is already written to `err`. */
  readonly unreadable: boolean;
}

/**
 * @param settings decide which files found in a folder are taken (mayBeReadFile): a
 *   folder's other JSON and TOML files (packages, fixtures) are not; a file named always is
 */
export function collectFiles(paths: readonly string[], cwd: string, err: (text: string) => void, settings: Settings): CollectedFiles {
  const isWanted = (path: string) => mayBeReadFile(analysisPathOf(path), settings);
  const files = new Set<string>();
  const roots: string[] = [];
  let unreadable = false;
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    let isDirectory: boolean;
    try {
      isDirectory = statSync(absolute).isDirectory();
    } catch (error) {
      err(`pullguard: cannot read ${path}: ${describeFileError(absolute, error)}.`);
      unreadable = true;
      continue;
    }
    if (isDirectory) {
      roots.push(absolute);
      // What the walk passes over (links, FIFOs, the rest of a huge tree) is said, so a missing file is explained.
      const onSkip = (skipped: string, reason: string) => err(`pullguard: skipped ${relative(cwd, skipped) || skipped}: ${reason}.`);
      for (const file of findCandidateFiles(absolute, { onSkip, isWanted })) files.add(file);
    } else {
      roots.push(dirname(absolute));
      files.add(absolute);
    }
  }
  return { files: [...files].sort(), roots, unreadable };
}
