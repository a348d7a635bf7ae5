/**
 * What every `pullguard` command reads besides its flags: `.pullguard.json` at the
 * repository root (SPEC §4), and the error a command turns into exit status 2.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readTextFile } from '../node/findFiles';

/** Bad usage or unreadable input: the command prints the message and exits with status 2. */
export class UsageError extends Error {}

/** The repository root: the nearest folder above `start` with a `.git`, else `start`. */
export function findRepositoryRoot(start: string): string {
  for (let folder = start; ; folder = dirname(folder)) {
    if (existsSync(join(folder, '.git'))) return folder;
    if (dirname(folder) === folder) return start;
  }
}

/**
 * `.pullguard.json` at the repository root of `cwd`, or `{}` when there is none.
 * It belongs to the repository, so it cannot set what only the user's machine may
 * (`registry.caFile`, `registry.userDockerConfig`, machine-scoped in VS Code too):
 * those are dropped with a warning naming the flag to use instead.
 */
export function loadProjectSettings(cwd: string, warn: (text: string) => void): Record<string, unknown> {
  const path = join(findRepositoryRoot(cwd), '.pullguard.json');
  if (!existsSync(path)) return {};
  const read = readTextFile(path);
  if (!read.ok) throw new UsageError(`Cannot read ${path}: ${read.reason}.`);
  let value: unknown;
  try {
    value = JSON.parse(read.text);
  } catch (error) {
    throw new UsageError(`Cannot use ${path}: ${error instanceof Error ? error.message : String(error)}.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`Cannot use ${path}: it is not a JSON object.`);
  const raw = value as Record<string, unknown>;
  const registry = raw.registry as Record<string, unknown> | undefined;
  if (registry && typeof registry === 'object') {
    const { caFile, userDockerConfig, ...rest } = registry;
    if (caFile !== undefined) warn(`pullguard: ${path} sets registry.caFile, which a repository cannot choose; use --ca-file.`);
    if (userDockerConfig !== undefined) warn(`pullguard: ${path} sets registry.userDockerConfig, which a repository cannot choose; use --user-docker-config.`);
    return { ...raw, registry: rest };
  }
  return raw;
}
