/**
 * The hostnames a service container answers to, derived as the runner derives them
 * (REFERENCE §3.5, RSVC `SplitNameAndVersion`): the name as written, tag or digest
 * and registry port dropped, dots kept; `/` becomes `__`, and a second alias with
 * `-` is added when it differs. Custom aliases (split on commas and spaces) are added.
 */
import type { ImageReference } from './types';

export interface ServiceHostname {
  readonly hostname: string;
  readonly source: 'derived' | 'alias';
}

export function getDerivedHostnames(reference: ImageReference): string[] {
  const base = reference.host !== undefined ? `${reference.host}/${reference.path}` : reference.path;
  const underscores = base.replaceAll('/', '__');
  const dashes = base.replaceAll('/', '-');
  return underscores === dashes ? [underscores] : [underscores, dashes];
}

/** `alias: "db, postgres"` → `db`, `postgres` (the runner's `strings.Fields` after commas become spaces). */
export function splitAliases(alias: string | undefined): string[] {
  return alias ? alias.replaceAll(',', ' ').split(/\s+/).filter((part) => part.length > 0) : [];
}

export function getServiceHostnames(reference: ImageReference, alias: string | undefined): ServiceHostname[] {
  return [
    ...getDerivedHostnames(reference).map((hostname) => ({ hostname, source: 'derived' as const })),
    ...splitAliases(alias).map((hostname) => ({ hostname, source: 'alias' as const })),
  ];
}
