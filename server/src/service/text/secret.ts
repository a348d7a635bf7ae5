/** How a password or token is shown anywhere: never its characters, only how many there are (SPEC §2). */
export function maskSecret(length: number): string {
  return `•••• (${length} character${length === 1 ? '' : 's'})`;
}
