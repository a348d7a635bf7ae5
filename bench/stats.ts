/** The figures the benchmark reports for a set of samples. */

export interface Stats {
  readonly n: number;
  readonly median: number;
  readonly p95: number;
}

/** Median and nearest-rank p95, in ms rounded to 0.01. */
export function summarize(samples: readonly number[]): Stats | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const p95 = sorted[Math.ceil(0.95 * sorted.length) - 1]!;
  const round = (value: number): number => Math.round(value * 100) / 100;
  return { n: sorted.length, median: round(median), p95: round(p95) };
}
