/** Pure helpers of the benchmark: percentiles and heartbeat cadence deviations. */

/** The p-th percentile (0–100) of `values` by nearest rank; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/**
 * How late each heartbeat was for its 1 s slot: a heartbeat is due 1000 ms after the previous one
 * (twc-protocol.md §7.2), so the deviation of heartbeat i is `t[i] − t[i−1] − intervalMs` (negative
 * when early). Times in ms, oldest first.
 */
export function slotDeviations(times: readonly number[], intervalMs = 1000): number[] {
  const out: number[] = [];
  for (let i = 1; i < times.length; i++) out.push(times[i]! - times[i - 1]! - intervalMs);
  return out;
}

/** Formats a number with `digits` decimals, "n/a" for NaN. */
export function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "n/a";
}
