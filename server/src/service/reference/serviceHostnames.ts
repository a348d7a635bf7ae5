/**
 * The hostnames a service container answers to, derived as the runner derives them
 * (REFERENCE §3.5, RSVC `SplitNameAndVersion`, its test table RSVC-T): the name as
 * written (no `docker.io/library/` added), tag or digest dropped, the registry's
 * `:port` dropped, dots kept; `/` becomes `__`, and a second alias with `-` is added
 * when it differs. Custom aliases (split on commas and white space) are added to the
 * derived ones, which still apply (DOC-RDOCK).
 */
import type { ImageReference } from './types';

export interface ServiceHostname {
  readonly hostname: string;
  readonly source: 'derived' | 'alias';
}

/** One alias of an `alias:` value, with its place in that value. */
export interface AliasPart {
  readonly alias: string;
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

/**
 * The runner's derived aliases of a reference parsed from the expanded name.
 * `registry.example.com:4999/valkey/valkey:8` → `registry.example.com__valkey__valkey`,
 * `registry.example.com-valkey-valkey`; `mysql:8` → `mysql`.
 */
export function getDerivedHostnames(reference: ImageReference): string[] {
  // The runner's `^(.*?)(|:[0-9]+)(|/.*)$` keeps everything but the registry port: host + `/` + path as written.
  const base = reference.host !== undefined ? `${reference.host}/${reference.path}` : reference.path;
  const underscores = base.replaceAll('/', '__');
  const dashes = base.replaceAll('/', '-');
  return underscores === dashes ? [underscores] : [underscores, dashes];
}

/**
 * Go's `unicode.IsSpace`, which `strings.Fields` splits on: ASCII white space, NEL,
 * NBSP and the Unicode space separators (not U+FEFF, which JavaScript's `\s` includes).
 */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

/**
 * `alias: "db, postgres"` → `db`, `postgres`: the runner turns commas into spaces and
 * splits with `strings.Fields` (RSPEC `Aliases`). Offsets are into `alias` itself
 * (a comma and a space have the same length, so they stay valid).
 */
export function getAliasParts(alias: string | undefined): AliasPart[] {
  const parts: AliasPart[] = [];
  if (!alias) return parts;
  let start = -1;
  for (let i = 0; i <= alias.length; i++) {
    const ch = alias[i];
    const separator = ch === undefined || ch === ',' || GO_SPACE.test(ch);
    if (separator) {
      if (start !== -1) parts.push({ alias: alias.slice(start, i), start, end: i });
      start = -1;
    } else if (start === -1) {
      start = i;
    }
  }
  return parts;
}

/** `alias: "db, postgres"` → `db`, `postgres`. */
export function splitAliases(alias: string | undefined): string[] {
  return getAliasParts(alias).map((part) => part.alias);
}

/** Derived hostnames first, then the custom aliases, as the runner lists them (RDSVC `createFromServiceDefinition`). */
export function getServiceHostnames(reference: ImageReference, alias: string | undefined): ServiceHostname[] {
  return [
    ...getDerivedHostnames(reference).map((hostname) => ({ hostname, source: 'derived' as const })),
    ...splitAliases(alias).map((hostname) => ({ hostname, source: 'alias' as const })),
  ];
}
