/**
 * Failed-authentication throttle (http-api.md §3.1): after `limit` failures under one key (a credential kind from one client address)
 * within `windowMs`, further attempts are refused until the oldest failure leaves the window.
 */
import type { Clock } from "../../shared/clock.ts";

/** Default: 10 failures per 10 minutes. */
export const THROTTLE_LIMIT = 10;
/** The sliding window, in milliseconds. */
export const THROTTLE_WINDOW_MS = 10 * 60 * 1000;
/** Addresses remembered at most (the least recently failing is forgotten first). */
const MAX_ADDRESSES = 10_000;

/** Counts failed attempts per client address in a sliding window. */
export class FailureThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limit = THROTTLE_LIMIT,
    private readonly windowMs = THROTTLE_WINDOW_MS,
  ) {}

  private recent(address: string): number[] {
    const list = this.failures.get(address);
    if (!list) return [];
    const since = this.clock.now() - this.windowMs;
    const kept = list.filter((t) => t > since);
    if (kept.length === 0) this.failures.delete(address);
    else if (kept.length !== list.length) this.failures.set(address, kept);
    return kept;
  }

  /** Seconds the address must wait before its next attempt (0: not blocked). */
  retryAfterS(address: string): number {
    const list = this.recent(address);
    if (list.length < this.limit) return 0;
    const oldest = list[list.length - this.limit] ?? this.clock.now();
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.clock.now()) / 1000));
  }

  /** Records one failed attempt from the address. */
  fail(address: string): void {
    const list = this.recent(address);
    list.push(this.clock.now());
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
    this.failures.delete(address);
    this.failures.set(address, list);
    if (this.failures.size > MAX_ADDRESSES) {
      const first = this.failures.keys().next();
      if (first.done !== true) this.failures.delete(first.value);
    }
  }
}
