/**
 * The text of a registry access check, as the editor's *Check registry access* report
 * and `pullguard check-access` show it. Names credentials by key and source only: the
 * check's result holds no secret.
 */
import type { CheckAccessResult } from '../protocol';

export function formatAccessReport(result: CheckAccessResult): string {
  const lines = [`Image:        ${result.image ?? '(none)'}`];
  if (result.registry) {
    const where = result.repository ? `  repository ${result.repository}${result.reference ? `  reference ${result.reference}` : ''}` : '';
    lines.push(`Registry:     ${result.registry}${where}`);
  }
  lines.push('', 'Credentials the runner would use, in its order (longest path first, first source first):');
  if (result.candidates.length === 0) lines.push('  (no key in any source matches)');
  result.candidates.forEach((candidate, i) => {
    const used = result.match !== null && result.match.key === candidate.key && result.match.source === candidate.source;
    // The path the key normalizes to, where it is not the key as written (a URL, a trailing `/`): what the runner compared.
    const path = candidate.path === candidate.key ? '' : `, path ${candidate.path}`;
    lines.push(`  ${i + 1}. ${candidate.key} from ${candidate.source} (${candidate.via}${path})${used ? '  <- the runner uses this' : ''}`);
  });
  for (const dropped of result.droppedSources) lines.push(`  dropped: ${dropped.source} (${dropped.reason})`);
  lines.push(`Credentials:  ${result.credentials}${result.credentials.startsWith('none') ? '' : '  (sent when the registry asks for them)'}`);
  for (const step of result.trace) lines.push(`  - ${step}`);
  if (result.exchanges.length > 0) {
    lines.push('', 'Registry answers:');
    for (const exchange of result.exchanges) lines.push(`  ${exchange.request} -> ${exchange.status}${exchange.note ? `  (${exchange.note})` : ''}`);
  }
  lines.push('', `Result: ${result.outcome}`, result.message);
  if (result.notes.length > 0) lines.push('', 'Notes:', ...result.notes.map((note) => `  - ${note}`));
  return lines.join('\n');
}
