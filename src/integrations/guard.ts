/**
 * Fault isolation at the module boundary (design.md §2.8): the clock and the state stream a module gets
 * catch what its callbacks throw and report it as the module's failure, so a throwing timer or patch
 * listener never reaches the bus runtime or the state store's other listeners.
 */
import type { Clock } from "../shared/clock.ts";
import { redactText } from "../shared/redact.ts";
import type { StateReader } from "./module.ts";

/** Receives what a guarded callback threw. */
export type FailureSink = (err: unknown) => void;

/** A clock whose timer callbacks report a throw to `onError` instead of throwing into the timer loop. */
export function guardedClock(clock: Clock, onError: FailureSink): Clock {
  return {
    now: () => clock.now(),
    setTimeout: (fn, ms) =>
      clock.setTimeout(() => {
        try {
          fn();
        } catch (err) {
          onError(err);
        }
      }, ms),
    clearTimeout: (handle) => clock.clearTimeout(handle),
  };
}

/** The state stream whose patch listeners report a throw to `onError` instead of into `StateStore.update`. */
export function guardedState(state: StateReader, onError: FailureSink): StateReader {
  return {
    get snapshot() {
      return state.snapshot;
    },
    get revision() {
      return state.revision;
    },
    patchesSince: (revision) => state.patchesSince(revision),
    onPatch: (listener) =>
      state.onPatch((patch) => {
        try {
          listener(patch);
        } catch (err) {
          onError(err);
        }
      }),
  };
}

/** A one-line reason for a failure, with secrets (URL userinfo, tokens) redacted. */
export function failureReason(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return redactText(cause instanceof Error ? `${err.message}: ${cause.message}` : err.message);
  }
  return redactText(String(err));
}
