/**
 * Session energy from power samples, reconciled with the charger's lifetime counter (issue 12 §9). The
 * TWC counts whole kWh, so a short session reads 0 kWh by the counter alone: between counter steps the
 * energy is the integral of the reported power; when the counter steps, the estimate is pulled into
 * what the counter allows. The result never goes backward and never exceeds the counter's allowance
 * plus one step. Pure: `(state, input) → state`; the state is plain JSON.
 */

/** Samples further apart than this are a gap: the power in between is unknown and not integrated. */
export const MAX_SAMPLE_GAP_MS = 60_000;

/** The integrator of one session. */
export interface EnergyState {
  /** The session's energy so far (kWh), never decreasing. */
  readonly kWh: number;
  /** The current estimate (kWh) before the monotone hold. */
  readonly estimateKWh: number;
  /** Epoch ms and watts of the last power sample (null before the first). */
  readonly lastSampleAtMs: number | null;
  readonly lastW: number;
  /** Counter reading (kWh) the counter bounds are measured from, and the session energy at that reading. */
  readonly anchorCounter: number | null;
  readonly anchorKWh: number;
  /** Fraction of a kWh the counter had already counted at the anchor, learnt at the first step (null: not yet). */
  readonly anchorFraction: number | null;
  /** The last counter reading and the energy integrated since it (kWh). */
  readonly lastCounter: number | null;
  readonly sinceReadingKWh: number;
  /** Session energy at the last counter step (null: no step seen since the anchor). */
  readonly stepKWh: number | null;
}

/** A fresh integrator; `startCounter` is the lifetime counter at the session start (null when unknown). */
export function startEnergy(startCounter: number | null): EnergyState {
  const c = startCounter !== null && Number.isFinite(startCounter) ? startCounter : null;
  return {
    kWh: 0,
    estimateKWh: 0,
    lastSampleAtMs: null,
    lastW: 0,
    anchorCounter: c,
    anchorKWh: 0,
    anchorFraction: null,
    lastCounter: c,
    sinceReadingKWh: 0,
    stepKWh: null,
  };
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** The highest energy the counter allows now: one step above the last step (or the anchor). */
function upperBound(s: EnergyState): number {
  if (s.anchorCounter === null) return Number.POSITIVE_INFINITY;
  if (s.stepKWh !== null) return s.stepKWh + 1;
  return s.anchorKWh + 1 - (s.anchorFraction ?? 0);
}

function hold(s: EnergyState, estimate: number): EnergyState {
  const e = Math.min(estimate, upperBound(s));
  return { ...s, estimateKWh: e, kWh: Math.max(s.kWh, e) };
}

/**
 * A power sample: `watts` drawn from `atMs` on. The previous sample's power is held until `atMs`
 * (a heartbeat reports the draw of the moment); a gap longer than MAX_SAMPLE_GAP_MS adds nothing.
 */
export function samplePower(s: EnergyState, atMs: number, watts: number): EnergyState {
  const w = Number.isFinite(watts) && watts > 0 ? watts : 0;
  if (!Number.isFinite(atMs)) return s;
  let add = 0;
  if (s.lastSampleAtMs !== null) {
    const dt = atMs - s.lastSampleAtMs;
    if (dt < 0) return s; // out of order: ignored
    if (dt <= MAX_SAMPLE_GAP_MS) add = (s.lastW * dt) / 3_600_000_000;
  }
  const next = { ...s, lastSampleAtMs: atMs, lastW: w, sinceReadingKWh: s.sinceReadingKWh + add };
  return hold(next, s.estimateKWh + add);
}

/**
 * A lifetime counter reading (whole kWh). A step reconciles the estimate with the counter; a counter
 * that went backward (a replaced or reset charger) starts counting again from the energy so far.
 */
export function sampleCounter(s: EnergyState, counterKWh: number): EnergyState {
  if (!Number.isFinite(counterKWh)) return s;
  if (s.anchorCounter === null || s.lastCounter === null || counterKWh < s.lastCounter) {
    return {
      ...s,
      estimateKWh: s.kWh,
      anchorCounter: counterKWh,
      anchorKWh: s.kWh,
      anchorFraction: null,
      lastCounter: counterKWh,
      sinceReadingKWh: 0,
      stepKWh: null,
    };
  }
  if (counterKWh === s.lastCounter) return s.sinceReadingKWh === 0 ? s : { ...s, sinceReadingKWh: 0 };
  // The counter stepped somewhere since the last reading: the energy then was `atStep`, and at most
  // the energy integrated since that reading has been drawn after it.
  const counted = s.anchorKWh + (counterKWh - s.anchorCounter);
  let fraction = s.anchorFraction;
  if (fraction === null) {
    // First step: the counter had already counted an unknown fraction at the anchor; the integral
    // (the step assumed midway through the last reading interval) tells which.
    const atStep = clamp(s.estimateKWh - s.sinceReadingKWh / 2, counted - 1, counted);
    fraction = counted - atStep;
  }
  const atStep = counted - fraction;
  const estimate = clamp(s.estimateKWh, atStep, atStep + s.sinceReadingKWh);
  const next: EnergyState = {
    ...s,
    anchorFraction: fraction,
    lastCounter: counterKWh,
    sinceReadingKWh: 0,
    stepKWh: atStep,
  };
  return hold(next, estimate);
}
