/**
 * Electrical values (controller.md §17.2): voltage and phase count from the chargers' kWh/voltage
 * reports, W↔A conversion, the real power factor and the chargers' load. Pure.
 */

/** The per-phase voltages a slave reported in its last kWh report (0 = not reported). */
export interface PhaseReport {
  voltsPhaseA: number;
  voltsPhaseB: number;
  voltsPhaseC: number;
}

/** Config keys used for the voltage/phase fallback (config.md §3.5). */
export interface VoltageConfig {
  /** Default 240. */
  defaultVoltage?: number;
  /** Default 1. */
  numberOfPhases?: number;
}

/** Voltage and phase count used for every W↔A conversion. */
export interface Electrical {
  voltage: number;
  phases: number;
  /** "chargers" when derived from reports, "config" when the configured defaults are used. */
  source: "chargers" | "config";
  /** True when reporting slaves disagree on the phase count (the caller logs {@link MIXED_PHASES_MESSAGE}). */
  mixedPhases: boolean;
}

/** Log message when reporting slaves disagree on their phase count. */
export const MIXED_PHASES_MESSAGE =
  "Mix of multi-phase configurations among the chargers: using config defaultVoltage and numberOfPhases";

/** Config keys of the real power factor (config.md §3.5). */
export interface PowerFactorConfig {
  minAmpsPerTWC: number;
  wiringMaxAmpsAllTWCs: number;
  /** Default 1. */
  realPowerFactorMinAmps?: number;
  /** Default 1. */
  realPowerFactorMaxAmps?: number;
}

/** The configured defaults (240 V, 1 phase unless configured). */
export function configElectrical(cfg: VoltageConfig): Electrical {
  return {
    voltage: cfg.defaultVoltage ?? 240,
    phases: cfg.numberOfPhases ?? 1,
    source: "config",
    mixedPhases: false,
  };
}

/**
 * §17.2: no slave reported a voltage → config defaults; else P = number of non-zero phases (all reporting
 * slaves must agree, else config defaults with `mixedPhases`), V = Σ voltages / (P × reporting slaves).
 */
export function voltageAndPhases(reports: readonly PhaseReport[], cfg: VoltageConfig): Electrical {
  let phases: number | null = null;
  let mixed = false;
  let sum = 0;
  let reporting = 0;
  for (const r of reports) {
    const volts = [r.voltsPhaseA, r.voltsPhaseB, r.voltsPhaseC].filter((v) => Number.isFinite(v) && v !== 0);
    if (volts.length === 0) continue;
    reporting++;
    if (phases === null) phases = volts.length;
    else if (phases !== volts.length) mixed = true;
    for (const v of volts) sum += v;
  }
  if (reporting === 0 || phases === null) return configElectrical(cfg);
  if (mixed) return { ...configElectrical(cfg), mixedPhases: true };
  return { voltage: sum / (phases * reporting), phases, source: "chargers", mixedPhases: false };
}

/** Watts → amps: `w / (P × V)`. */
export function wToA(w: number, e: Pick<Electrical, "voltage" | "phases">): number {
  const d = e.phases * e.voltage;
  return d > 0 ? w / d : 0;
}

/** Amps → watts: `a × P × V`. */
export function aToW(a: number, e: Pick<Electrical, "voltage" | "phases">): number {
  return a * e.phases * e.voltage;
}

/**
 * Real power factor at `amps`: linear from realPowerFactorMinAmps at minAmpsPerTWC to
 * realPowerFactorMaxAmps at wiringMaxAmpsAllTWCs, not clamped; the max value when both ends coincide.
 */
export function realPowerFactor(amps: number, cfg: PowerFactorConfig): number {
  const lo = cfg.realPowerFactorMinAmps ?? 1;
  const hi = cfg.realPowerFactorMaxAmps ?? 1;
  if (cfg.minAmpsPerTWC === cfg.wiringMaxAmpsAllTWCs) return hi;
  return lo + ((amps - cfg.minAmpsPerTWC) * (hi - lo)) / (cfg.wiringMaxAmpsAllTWCs - cfg.minAmpsPerTWC);
}

/** The chargers' load: `A→W(totalActual) × rpf(totalActual)`. */
export function chargerLoadW(
  totalActualA: number,
  e: Pick<Electrical, "voltage" | "phases">,
  cfg: PowerFactorConfig,
): number {
  return aToW(totalActualA, e) * realPowerFactor(totalActualA, cfg);
}
