/**
 * The user's own Docker config (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`),
 * read only when the user asks for it (`--user-docker-config`, or the machine setting
 * `pullguard.registry.userDockerConfig`). It becomes a credential source like the
 * runner user's file, so the runner's rules apply to it.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDockerAuthConfigJson } from '../service/credentials/sources';
import type { CredentialSource } from '../service/credentials/types';
import type { Settings } from '../service/settings';
import { readTextFile } from '../node/findFiles';

export function getUserDockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, 'config.json') : join(homedir(), '.docker', 'config.json');
}

/** The user's Docker config as a source, or a sentence saying why there is none. */
export function readUserDockerConfig(settings: Settings, env: NodeJS.ProcessEnv = process.env): { source?: CredentialSource; note?: string } {
  const path = getUserDockerConfigPath(env);
  const read = readTextFile(path);
  if (!read.ok) return { note: `Your Docker config \`${path}\` cannot be read (${read.reason}); it is not used.` };
  const uri = pathToFileURL(path).href;
  return { source: parseDockerAuthConfigJson(read.text, { kind: 'docker-config', uri }, path, settings) };
}
