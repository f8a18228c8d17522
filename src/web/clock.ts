/**
 * The clock interface of the web UI: logic that depends on time (live.ts) takes a WebClock, so tests
 * drive it with a fake one. The browser implementation is `browserClock` in context.ts.
 */

/** Handle of a timer started through a WebClock. */
export type TimerHandle = number;

/** Time source and timers used by the web UI. */
export interface WebClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms`. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer started by setTimeout. */
  clearTimeout(handle: TimerHandle): void;
  /** Runs `fn` every `ms`. */
  setInterval(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer started by setInterval. */
  clearInterval(handle: TimerHandle): void;
}

/** Broken-down time of an instant in a time zone (undefined: the browser's), as the controller converts it. */
export { toLocalTime as zonedTime } from "../policy/local-time.ts";
