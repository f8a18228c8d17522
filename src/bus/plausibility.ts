/**
 * Plausibility limits for the values a charger reports (issue "the bus", item 8). Pure. A reading
 * outside its limit is not believed: the registry keeps the last plausible value, counts the field and
 * raises IMPLAUSIBLE_READING for that charger (registry.ts). Limits:
 *
 *   field          plausible when
 *   ampsActual     ≤ min(rating, 80 A) + 5 A          (a Gen2 TWC never delivers more than 80 A)
 *   ampsMax        ≤ min(rating, 80 A) + 5 A          (the echo of a limit; we never send more)
 *   voltage        every phase 0 (not measured) or 80 … 300 V; judged as one triple
 *   lifetimeKWh    ≤ 1 000 000 kWh, never decreasing, and rising at most what the unit can deliver
 *                  since the last plausible report (limit amps × 300 V × 3 phases × elapsed, + 1 kWh)
 *
 * A lifetime counter that is consistently "implausible" against an old baseline (three reports in a
 * row that agree with each other) becomes the new baseline, so one bad first value cannot lock the
 * counter out for ever.
 */

/** The reported fields that are checked. */
export type ReadingField = "ampsActual" | "ampsMax" | "voltage" | "lifetimeKWh";

/** Every checked field, in display order. */
export const READING_FIELDS: readonly ReadingField[] = ["ampsActual", "ampsMax", "voltage", "lifetimeKWh"];

/** Largest current any Gen2 TWC delivers (A). */
export const MAX_TWC_AMPS = 80;
/** Measurement slack above the rating (A). */
export const AMPS_MARGIN_A = 5;
/** Lowest plausible measured phase voltage (V); 0 means "not measured". */
export const MIN_PLAUSIBLE_VOLTS = 80;
/** Highest plausible phase voltage (V). */
export const MAX_PLAUSIBLE_VOLTS = 300;
/** Largest plausible lifetime counter (kWh). */
export const MAX_LIFETIME_KWH = 1_000_000;
/** Rounding slack of the integer kWh counter. */
export const KWH_SLACK = 1;
/** Consistent reports in a row that replace a lifetime baseline they contradict. */
export const KWH_REBASELINE_REPORTS = 3;

/** Per-slave bookkeeping of the lifetime counter check. */
export interface KwhTrack {
  /** Epoch ms of the last plausible lifetime report, null before the first. */
  readonly atMs: number | null;
  /** Reports in a row rejected against the baseline only for going backwards or jumping. */
  readonly candidate: { readonly kwh: number; readonly atMs: number; readonly count: number } | null;
}

/** A fresh KwhTrack. */
export const NO_KWH_TRACK: KwhTrack = { atMs: null, candidate: null };

/** Highest plausible reported current for this charger (A). */
export function ampsLimit(slave: { readonly maxAmps: number }): number {
  const rating = Number.isFinite(slave.maxAmps) && slave.maxAmps > 0 ? slave.maxAmps : MAX_TWC_AMPS;
  return Math.min(rating, MAX_TWC_AMPS) + AMPS_MARGIN_A;
}

/** True when a reported current (A) is believable for this charger. */
export function plausibleAmps(slave: { readonly maxAmps: number }, amps: number): boolean {
  return Number.isFinite(amps) && amps >= 0 && amps <= ampsLimit(slave);
}

/** True when a phase voltage triple is believable (each phase 0 or 80 … 300 V). */
export function plausibleVolts(volts: readonly [number, number, number]): boolean {
  return volts.every(
    (v) => v === 0 || (Number.isFinite(v) && v >= MIN_PLAUSIBLE_VOLTS && v <= MAX_PLAUSIBLE_VOLTS),
  );
}

/** Most energy (kWh) the charger can have delivered in `elapsedMs`, with the counter's rounding slack. */
export function maxKwhIncrease(slave: { readonly maxAmps: number }, elapsedMs: number): number {
  const hours = Math.max(0, elapsedMs) / 3_600_000;
  return (ampsLimit(slave) * MAX_PLAUSIBLE_VOLTS * 3 * hours) / 1000 + KWH_SLACK;
}

/** Verdict on one lifetime report. */
export interface KwhVerdict {
  /** Use the value (plausible, or a confirmed new baseline). */
  accept: boolean;
  /** The value replaces a baseline it contradicted (three consistent reports). */
  rebaseline: boolean;
  /** Why it was refused, for the alert ("" when accepted). */
  reason: string;
  track: KwhTrack;
}

/**
 * Checks a reported lifetime counter against the last plausible one (`slave.lifetimeKWh` when
 * `slave.lifetimeKnown`), `track.atMs` and the candidate run.
 */
export function checkLifetimeKwh(
  slave: { readonly maxAmps: number; readonly lifetimeKWh: number; readonly lifetimeKnown: boolean },
  kwh: number,
  track: KwhTrack,
  now: number,
): KwhVerdict {
  if (!Number.isFinite(kwh) || kwh < 0 || kwh > MAX_LIFETIME_KWH) {
    return { accept: false, rebaseline: false, reason: `above ${MAX_LIFETIME_KWH} kWh`, track };
  }
  if (!slave.lifetimeKnown || track.atMs === null) {
    return { accept: true, rebaseline: false, reason: "", track: { atMs: now, candidate: null } };
  }
  const bound = maxKwhIncrease(slave, now - track.atMs);
  const delta = kwh - slave.lifetimeKWh;
  if (delta >= 0 && delta <= bound) {
    return { accept: true, rebaseline: false, reason: "", track: { atMs: now, candidate: null } };
  }
  const reason =
    delta < 0
      ? `went back from ${slave.lifetimeKWh} kWh`
      : `rose ${delta} kWh since the last report (at most ${Math.floor(bound)} kWh possible)`;
  const c = track.candidate;
  const consistent = c !== null && kwh >= c.kwh && kwh - c.kwh <= maxKwhIncrease(slave, now - c.atMs);
  const candidate = { kwh, atMs: now, count: consistent ? c.count + 1 : 1 };
  if (candidate.count >= KWH_REBASELINE_REPORTS) {
    return { accept: true, rebaseline: true, reason, track: { atMs: now, candidate: null } };
  }
  return { accept: false, rebaseline: false, reason, track: { ...track, candidate } };
}
