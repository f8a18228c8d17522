/**
 * One timer for "the next thing due" (issue 9 §7): the bus runtime sets it to the earliest time
 * something can be written instead of polling. Setting it again for the same time keeps the timer.
 */
import type { Clock, TimerHandle } from "../shared/clock.ts";

/** A single re-armable timer on the injected Clock. */
export class WakeTimer {
  private handle: TimerHandle | null = null;
  private atMs = Number.NaN;

  constructor(
    private readonly clock: Clock,
    private readonly onWake: () => void,
  ) {}

  /** Epoch ms the timer fires at, null when none is set. */
  get dueAtMs(): number | null {
    return this.handle === null ? null : this.atMs;
  }

  /** Fires `onWake` at `atMs` (at once when it has passed), replacing any other time; null clears. */
  set(atMs: number | null): void {
    if (atMs === null) return this.clear();
    if (this.handle !== null && this.atMs === atMs) return;
    this.clear();
    this.atMs = atMs;
    this.handle = this.clock.setTimeout(() => {
      this.handle = null;
      this.onWake();
    }, Math.max(0, atMs - this.clock.now()));
  }

  /** Cancels the timer. */
  clear(): void {
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = null;
  }
}
