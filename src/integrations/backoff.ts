/**
 * The restart back-off of a failed module (issue 9 §5): 1 s, 2 s, 4 s … doubling up to 5 min. A module
 * that ran for a while before it failed starts again from the first delay. Pure.
 */

/** Back-off parameters (ms). */
export interface BackoffOptions {
  /** Delay before the first restart. */
  firstMs: number;
  /** Longest delay. */
  maxMs: number;
  /** A module that ran at least this long before failing counts as a first failure again. */
  stableMs: number;
}

/** 1 s → 5 min; one minute of running resets it. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = { firstMs: 1000, maxMs: 300_000, stableMs: 60_000 };

/** The delay before the restart after `consecutiveFailures` failures in a row (1 = the first). */
export function restartDelayMs(consecutiveFailures: number, o: Readonly<BackoffOptions> = DEFAULT_BACKOFF): number {
  const n = Math.max(1, Math.floor(consecutiveFailures));
  return Math.min(o.maxMs, o.firstMs * 2 ** Math.min(n - 1, 30));
}

/**
 * The count of failures in a row after one more failure: `ranForMs` is how long the module ran since
 * its last successful start (null when it never got that far, e.g. a start that failed).
 */
export function nextFailureCount(previous: number, ranForMs: number | null, o: Readonly<BackoffOptions> = DEFAULT_BACKOFF): number {
  return ranForMs !== null && ranForMs >= o.stableMs ? 1 : previous + 1;
}
