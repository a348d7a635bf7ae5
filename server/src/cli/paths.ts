/**
 * The files a command works on: named files as they are, folders searched for the three
 * kinds of file (server/src/node/findFiles.ts). Shared by `pullguard` and `pullguard pin`.
 */
import { statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describeFileError, findCandidateFiles } from '../node/findFiles';

export interface CollectedFiles {
  /** Absolute paths, sorted. */
  readonly files: string[];
  /** The folders named, and the folders of the files named: the workspace roots. */
  readonly roots: string[];
  /** A path could not be read; why is already written to `err`. */
  readonly unreadable: boolean;
}

export function collectFiles(paths: readonly string[], cwd: string, err: (text: string) => void): CollectedFiles {
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
      for (const file of findCandidateFiles(absolute, { onSkip })) files.add(file);
    } else {
      roots.push(dirname(absolute));
      files.add(absolute);
    }
  }
  return { files: [...files].sort(), roots, unreadable };
}
