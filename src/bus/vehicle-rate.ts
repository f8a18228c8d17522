/**
 * The car-side charge rate of one slave (controller.md §6 D2/D3.1, §11; vehicles.md §3.2). Pure: the
 * offer says which mode applies (`RateRequest`); `rateStep` applies §11's repeat rule and returns the
 * `setChargeRate` request to send, if any. The TWC limit stays the hard limit: in D2 the TWC is offered
 * its wiring limit (clamped by offer.ts as always), and the amps sent to the car never exceed it.
 */
import type { TwcId } from "../protocol/frames.ts";
import type { Effect, Step } from "./effects.ts";

/** Seconds between two setChargeRate calls of one slave (§11). */
export const RATE_MIN_INTERVAL_S = 15;
/** The first call happens no earlier than this many seconds after start (§11). */
export const RATE_FIRST_CALL_S = 45;
/** Seconds between two raise attempts (D3.1). */
export const RAISE_INTERVAL_S = 60;

/** What the offer decided about the car-side rate for this heartbeat. */
export type RateRequest =
  /** D2: the car limits the draw to `amps` (whole amps, ≤ the slave's per-TWC cap). */
  | { mode: "api"; amps: number }
  /** D3: the TWC limits; the car's own limit should be at `wiringMaxAmps` (raise once). */
  | { mode: "twc"; wiringMaxAmps: number };

/** One slave's §11 bookkeeping. */
export interface VehicleRateState {
  /** Epoch seconds of the last call (`lastAPIAmpsRequest`). */
  readonly lastRequestAtS: number;
  /** Skipped calls since the last one (`lastAPIAmpsRepeat`). */
  readonly repeat: number;
  /** Amps of the last call (`lastAPIAmpsValue`), null before the first. */
  readonly lastValue: number | null;
  /** The car's own limit was raised to the wiring limit (only a real success sets it). */
  readonly raised: boolean;
  /** Epoch seconds of the last raise attempt. */
  readonly lastRaiseAttemptAtS: number;
}

/** The state of a slave's rate control when the bus started at `startedAtS` (first call ≥ 45 s later). */
export function initialRateState(startedAtS: number): VehicleRateState {
  return {
    lastRequestAtS: startedAtS + RATE_FIRST_CALL_S - RATE_MIN_INTERVAL_S,
    repeat: 0,
    lastValue: null,
    raised: false,
    lastRaiseAttemptAtS: Number.NEGATIVE_INFINITY,
  };
}

/** §11: whether a call with `amps` is made now; the state after the decision. */
export function repeatRule(s: VehicleRateState, amps: number, nowS: number): { call: boolean; state: VehicleRateState } {
  // A last call further in the future than the start delay is a clock that jumped back: not "too soon".
  const tooSoon = nowS - s.lastRequestAtS < RATE_MIN_INTERVAL_S && s.lastRequestAtS - nowS < RATE_FIRST_CALL_S;
  const sameValue = amps === s.lastValue && (s.repeat > 50 || s.repeat % 10 !== 0);
  if (tooSoon || sameValue) return { call: false, state: { ...s, repeat: s.repeat + 1 } };
  return { call: true, state: { ...s, lastRequestAtS: nowS, repeat: 0, lastValue: amps } };
}

/**
 * One heartbeat's rate step for a slave: D2 sends `trunc(desired)` under §11 (and marks the car "not
 * raised"); D3 raises the car's limit to the wiring limit when not raised and ≥ 60 s since the last
 * attempt (also under §11). `vin` is the slave's car (current, else last VIN), null when unknown.
 */
export function rateStep(
  s: VehicleRateState,
  req: RateRequest | null,
  twcId: TwcId,
  vin: string | null,
  nowS: number,
): Step<VehicleRateState> {
  if (req === null) return { state: s, effects: [] };
  const effects: Effect[] = [];
  if (req.mode === "api") {
    const amps = Math.trunc(req.amps);
    if (!Number.isFinite(amps) || amps < 1) return { state: { ...s, raised: false }, effects };
    const r = repeatRule({ ...s, raised: false }, amps, nowS);
    if (r.call) effects.push({ type: "vehicle", request: { op: "setChargeRate", amps, twcId, vin, purpose: "limit" } });
    return { state: r.state, effects };
  }
  const amps = Math.trunc(req.wiringMaxAmps);
  if (s.raised || !Number.isFinite(amps) || amps < 1) return { state: s, effects };
  if (nowS - s.lastRaiseAttemptAtS < RAISE_INTERVAL_S && nowS >= s.lastRaiseAttemptAtS) return { state: s, effects };
  const r = repeatRule(s, amps, nowS);
  if (!r.call) return { state: r.state, effects };
  effects.push({ type: "vehicle", request: { op: "setChargeRate", amps, twcId, vin, purpose: "raise" } });
  return { state: { ...r.state, lastRaiseAttemptAtS: nowS }, effects };
}

/** The answer to a "raise" request: only a real success marks the car's limit raised (vehicles.md §3.2). */
export function raiseAnswered(s: VehicleRateState, ok: boolean): VehicleRateState {
  return ok ? { ...s, raised: true } : s;
}
