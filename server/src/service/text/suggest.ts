/**
 * "Did you mean": the known name a near miss was meant to be. One implementation
 * for every rule that suggests a key or value (`auth/unknown-key`,
 * `ci/invalid-image-key`, `ci/invalid-pull-policy`, `runner/unknown-key`).
 */

/** Optimal string alignment distance (Damerau–Levenshtein with adjacent swaps). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** Case, `_`/`-`/space and camelCase folded: `credHelper`, `cred_helper` and `Cred-Helper` are one spelling. */
function fold(text: string): string {
  return text.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[_\s]/g, '-');
}

/**
 * The closest of `candidates`: an entry of `mistakes` first, then the same name folded,
 * then at most two edits (names of three characters or more only).
 */
export function suggest(value: string, candidates: readonly string[], mistakes: Readonly<Record<string, string>> = {}): string | undefined {
  if (Object.hasOwn(mistakes, value)) return mistakes[value];
  const folded = fold(value);
  const exact = candidates.find((c) => fold(c) === folded);
  if (exact) return exact;
  if (value.length < 3) return undefined;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(folded, fold(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
