/**
 * Per-source energy readings and staleness (controller.md §17.1, S-13, S-15). Pure: every function takes
 * `nowMs`. A source is *usable* while its latest reading is at most `energyStaleAfterS` old; only usable
 * readings contribute. It is *stale* (alert, `energy.stale`) when its reading is too old, or when it never
 * delivered and `energyStaleAfterS` has passed since start-up.
 */

/** One reading of an energy source; `at` is epoch ms of when it was obtained. */
export interface Reading {
  generationW: number;
  consumptionW: number;
  /** Consumption in amps when the source reports it. */
  consumptionA?: number;
  at: number;
}

/** Default `config.energyStaleAfterS`. */
export const DEFAULT_STALE_AFTER_S = 300;

/** Staleness parameters. */
export interface StalenessOptions {
  /** Seconds; default 300. */
  staleAfterS?: number;
  /** Epoch ms of start-up (for sources that never delivered). */
  startedAt: number;
}

/** Usability of one source at one instant. */
export interface SourceHealth {
  name: string;
  /** Has a reading no older than energyStaleAfterS. */
  usable: boolean;
  /** Reading too old, or none yet and energyStaleAfterS passed since start-up. */
  stale: boolean;
}

/** A source's name with its latest reading (null before the first). */
export interface SourceReading {
  name: string;
  reading: Reading | null;
}

/** Sum of the usable readings plus the aggregate flags. */
export interface SummedReadings {
  generationW: number;
  consumptionW: number;
  /** Σ consumption amps of usable sources that report amps (0 when none). */
  consumptionA: number;
  /** Every configured source is usable (true when none is configured). */
  allUsable: boolean;
  /** Any configured source is stale (→ alert ENERGY_DATA_STALE). */
  anyStale: boolean;
  health: SourceHealth[];
}

function staleAfterMs(opts: StalenessOptions): number {
  return (opts.staleAfterS ?? DEFAULT_STALE_AFTER_S) * 1000;
}

/** True when `reading` exists and is at most energyStaleAfterS old (300 s old is fresh, 301 s is not). */
export function isUsable(reading: Reading | null, nowMs: number, opts: StalenessOptions): boolean {
  return reading !== null && nowMs - reading.at <= staleAfterMs(opts);
}

/** True when the reading is too old, or absent and energyStaleAfterS has passed since start-up. */
export function isStale(reading: Reading | null, nowMs: number, opts: StalenessOptions): boolean {
  if (reading === null) return nowMs - opts.startedAt > staleAfterMs(opts);
  return nowMs - reading.at > staleAfterMs(opts);
}

/** Health of every source. */
export function assess(
  sources: readonly SourceReading[],
  nowMs: number,
  opts: StalenessOptions,
): SourceHealth[] {
  return sources.map((s) => ({
    name: s.name,
    usable: isUsable(s.reading, nowMs, opts),
    stale: isStale(s.reading, nowMs, opts),
  }));
}

/** Sums the usable readings; unusable sources contribute 0 W and no amps. */
export function sumUsable(
  sources: readonly SourceReading[],
  nowMs: number,
  opts: StalenessOptions,
): SummedReadings {
  const health = assess(sources, nowMs, opts);
  let generationW = 0;
  let consumptionW = 0;
  let consumptionA = 0;
  sources.forEach((s, i) => {
    if (!health[i]?.usable || s.reading === null) return;
    generationW += finite(s.reading.generationW);
    consumptionW += finite(s.reading.consumptionW);
    if (s.reading.consumptionA !== undefined) consumptionA += finite(s.reading.consumptionA);
  });
  return {
    generationW,
    consumptionW,
    consumptionA,
    allUsable: health.every((h) => h.usable),
    anyStale: health.some((h) => h.stale),
    health,
  };
}

function finite(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

/** One source whose usability or staleness changed. */
export interface HealthTransition {
  name: string;
  from: SourceHealth | null;
  to: SourceHealth;
  /** The usable flag changed (each such change triggers an immediate policy evaluation). */
  usableChanged: boolean;
}

/** Sources whose `usable` or `stale` flag differs between two assessments (matched by name; new names count as coming from unusable). */
export function transitions(
  prev: readonly SourceHealth[],
  next: readonly SourceHealth[],
): HealthTransition[] {
  const before = new Map(prev.map((h) => [h.name, h]));
  const out: HealthTransition[] = [];
  for (const to of next) {
    const from = before.get(to.name) ?? null;
    const wasUsable = from?.usable ?? false;
    const wasStale = from?.stale ?? false;
    if (wasUsable !== to.usable || wasStale !== to.stale) {
      out.push({ name: to.name, from, to, usableChanged: wasUsable !== to.usable });
    }
  }
  return out;
}

/**
 * The next instant (epoch ms) at which some source's health can change without a new reading, or null:
 * a reading turns unusable 1 ms after `at + staleAfter`; a silent source turns stale after start-up + staleAfter.
 */
export function nextHealthChangeAt(
  sources: readonly SourceReading[],
  nowMs: number,
  opts: StalenessOptions,
): number | null {
  let next: number | null = null;
  const limit = staleAfterMs(opts);
  for (const s of sources) {
    const t = (s.reading === null ? opts.startedAt : s.reading.at) + limit + 1;
    if (t > nowMs && (next === null || t < next)) next = t;
  }
  return next;
}
