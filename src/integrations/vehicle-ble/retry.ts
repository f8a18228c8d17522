/**
 * The per-VIN retry wrapper and circuit breaker of vehicles.md §4.5: up to `maxRetries + 1` attempts
 * with the back-off min(2^attempt × retryDelay, 30) s between them; a success resets the VIN's failure
 * count, all attempts failing adds one; the breaker is open while the count ≥ threshold and the last
 * failure is younger than the timeout, then one attempt is allowed ("half-open"). Time is the clock's.
 */
import type { Clock } from "../../shared/clock.ts";

/** The wrapper's settings (TeslaBleConfig's). */
export interface RetryOptions {
  maxRetries: number;
  retryDelayS: number;
  threshold: number;
  timeoutS: number;
}

/** The back-off before attempt `attempt + 1` (0-based), ms: 2, 4, 8 s for retryDelay 2. */
export function backoffMs(attempt: number, retryDelayS: number): number {
  return Math.min(2 ** attempt * retryDelayS, 30) * 1000;
}

interface VinState {
  failures: number;
  lastFailureMs: number;
}

/** What one wrapped call came to. */
export type Wrapped<T> = { kind: "done"; value: T; attempts: number } | { kind: "failed"; value: T; attempts: number } | { kind: "breaker_open"; untilMs: number };

/** The retry wrapper and breaker for every VIN. */
export class RetryBreaker {
  private readonly vins = new Map<string, VinState>();

  constructor(
    private readonly clock: Clock,
    private readonly o: RetryOptions,
  ) {}

  private state(vin: string): VinState {
    let s = this.vins.get(vin);
    if (!s) {
      s = { failures: 0, lastFailureMs: 0 };
      this.vins.set(vin, s);
    }
    return s;
  }

  /** Epoch ms until which the VIN's breaker is open, null when closed or half-open. */
  openUntil(vin: string): number | null {
    const s = this.vins.get(vin);
    if (!s || s.failures < this.o.threshold) return null;
    const until = s.lastFailureMs + this.o.timeoutS * 1000;
    return this.clock.now() < until ? until : null;
  }

  /** Exhausted-retry failures in a row for the VIN. */
  failures(vin: string): number {
    return this.vins.get(vin)?.failures ?? 0;
  }

  /**
   * Runs `attempt` until `ok(value)` or the attempts are used up; `retry(value)` false stops early
   * (a failure no retry can cure, such as a missing adapter or an unpaired key).
   */
  async run<T>(vin: string, attempt: () => Promise<T>, ok: (v: T) => boolean, retry: (v: T) => boolean = () => true): Promise<Wrapped<T>> {
    const until = this.openUntil(vin);
    if (until !== null) return { kind: "breaker_open", untilMs: until };
    const s = this.state(vin);
    let last: T | undefined;
    let n = 0;
    for (let i = 0; i <= this.o.maxRetries; i++) {
      if (i > 0) await this.sleep(backoffMs(i - 1, this.o.retryDelayS));
      n++;
      last = await attempt();
      if (ok(last)) {
        s.failures = 0;
        s.lastFailureMs = 0;
        return { kind: "done", value: last, attempts: n };
      }
      if (!retry(last)) break;
    }
    s.failures++;
    s.lastFailureMs = this.clock.now();
    return { kind: "failed", value: last as T, attempts: n };
  }

  private sleep(ms: number): Promise<void> {
    return ms <= 0 ? Promise.resolve() : new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }
}
