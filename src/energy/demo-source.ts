/**
 * Demo energy source for `npm start`: a simulated sunny day (smooth bell curve from sunrise to sunset,
 * peak ~6 kW at solar noon, light deterministic cloud noise) and a house load (~400 W base plus occasional
 * appliance bumps). `demoReading()` is pure and deterministic for a given time; the source polls it.
 */
import { every } from "../shared/clock.ts";
import type { EnergySource, Reading, SourceDeps } from "./source.ts";
import { ReadingSource } from "./source.ts";
import { mulberry32 } from "../shared/random.ts";

export { mulberry32 };

/** Options of the simulated day. */
export interface DemoOptions {
  /** Shifts the simulated day (hours added to the local clock time); default 0. */
  timeOffsetHours?: number;
  /** Offset of local time from UTC in minutes; default: the host's local time zone. */
  utcOffsetMinutes?: number;
  /** Local hours, defaults 6.5 and 19.5 (solar noon halfway). */
  sunriseHour?: number;
  sunsetHour?: number;
  /** Default 6000 W. */
  peakW?: number;
  /** Default 400 W. */
  baseLoadW?: number;
  /** PRNG seed, default 1. */
  seed?: number;
  /** Seconds between readings, default 10. */
  pollIntervalS?: number;
}

const HOUR_MS = 3_600_000;

/** A deterministic random value in [0, 1) for (seed, stream, slot). */
function noise(seed: number, stream: number, slot: number): number {
  return mulberry32(
    Math.imul(seed, 0x9e3779b1) ^ Math.imul(stream, 0x85ebca6b) ^ Math.imul(slot, 0xc2b2ae35),
  )();
}

/** The local simulated time of `atMs` (ms since the local epoch, shifted by timeOffsetHours). */
function simulatedLocalMs(atMs: number, o: DemoOptions): number {
  const offsetMin = o.utcOffsetMinutes ?? -new Date(atMs).getTimezoneOffset();
  return atMs + offsetMin * 60_000 + (o.timeOffsetHours ?? 0) * HOUR_MS;
}

/** Cloud factor in [0.8, 1]: random per 10-minute slot, interpolated with a cosine for smoothness. */
function cloudFactor(localMs: number, seed: number): number {
  const slotMs = 10 * 60_000;
  const slot = Math.floor(localMs / slotMs);
  const frac = (localMs - slot * slotMs) / slotMs;
  const a = noise(seed, 1, slot);
  const b = noise(seed, 1, slot + 1);
  const w = (1 - Math.cos(Math.PI * frac)) / 2;
  return 1 - 0.2 * (a * (1 - w) + b * w) ** 2;
}

/** Appliance load: per 15-minute slot a 15 % chance of a 1–2.5 kW appliance running for 5–15 minutes. */
function applianceW(localMs: number, seed: number): number {
  const slotMs = 15 * 60_000;
  const slot = Math.floor(localMs / slotMs);
  if (noise(seed, 2, slot) >= 0.15) return 0;
  const within = localMs - slot * slotMs;
  const duration = (5 + 10 * noise(seed, 3, slot)) * 60_000;
  return within < duration ? Math.round(1000 + 1500 * noise(seed, 4, slot)) : 0;
}

/** The simulated reading at `atMs` (pure and deterministic). */
export function demoReading(atMs: number, o: DemoOptions = {}): Reading {
  const seed = o.seed ?? 1;
  const local = simulatedLocalMs(atMs, o);
  const hour = (((local % (24 * HOUR_MS)) + 24 * HOUR_MS) % (24 * HOUR_MS)) / HOUR_MS;
  const sunrise = o.sunriseHour ?? 6.5;
  const sunset = o.sunsetHour ?? 19.5;
  let generationW = 0;
  if (hour > sunrise && hour < sunset) {
    const x = (hour - sunrise) / (sunset - sunrise);
    generationW = Math.round((o.peakW ?? 6000) * Math.sin(Math.PI * x) ** 2 * cloudFactor(local, seed));
  }
  const base = o.baseLoadW ?? 400;
  const wobble = Math.round(60 * (noise(seed, 5, Math.floor(local / 60_000)) - 0.5));
  return { generationW, consumptionW: base + wobble + applianceW(local, seed), at: atMs };
}

/** The demo source: a new {@link demoReading} at start and every pollIntervalS. */
export class DemoEnergySource extends ReadingSource implements EnergySource {
  readonly name = "Demo" as const;
  private stopTimer: (() => void) | null = null;

  constructor(
    private readonly deps: SourceDeps,
    private readonly options: DemoOptions = {},
  ) {
    super(deps.logger);
  }

  start(): void {
    if (this.stopTimer) return;
    this.stopTimer = every(this.deps.clock, (this.options.pollIntervalS ?? 10) * 1000, () => this.tick());
    this.tick();
  }

  stop(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = null;
    return Promise.resolve();
  }

  private tick(): void {
    this.publish(demoReading(this.deps.clock.now(), this.options));
  }
}

/** Creates the demo source (not started). */
export function createDemoSource(options: DemoOptions, deps: SourceDeps): DemoEnergySource {
  return new DemoEnergySource(deps, options);
}
