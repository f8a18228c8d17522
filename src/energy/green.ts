/**
 * The green budget and the grid limit (controller.md §17.2–§17.4). Pure: offsets, consumption and
 * generation, `getMaxAmpsForTargetGridUsage(T)` and the energy step of each policy evaluation.
 */
import type { Electrical, PowerFactorConfig, PhaseReport, VoltageConfig } from "./electrical.ts";
import {
  aToW,
  chargerLoadW as computeChargerLoadW,
  realPowerFactor,
  voltageAndPhases,
  wToA,
} from "./electrical.ts";

/** One named consumption offset of settings.consumptionOffset. */
export interface NamedOffset {
  value: number;
  /** "A" (amps at the current voltage) or "W". */
  unit: string;
}

/** The settings keys that carry offsets (config.md §2.2). */
export interface OffsetSettings {
  greenEnergyAmpsOffset?: number;
  consumptionOffset?: Readonly<Record<string, NamedOffset>>;
}

/** The config keys used by the energy computation (config.md §3.5). */
export interface EnergyConfig extends PowerFactorConfig, VoltageConfig {
  wiringMaxAmpsPerTWC?: number;
  maxAmpsAllowedFromGrid?: number;
  greenEnergyAmpsOffset?: number;
  subtractChargerLoad?: boolean;
  treatGenerationAsGridDelivery?: boolean;
}

/** One named offset with its value in watts. */
export interface OffsetView {
  name: string;
  value: number;
  unit: "A" | "W";
  watts: number;
}

/** All offsets at the current voltage. */
export interface Offsets {
  /** Legacy whole-house amps offset actually used. */
  legacyA: number;
  named: OffsetView[];
  /** `A→W(legacyA) + Σ named watts`. */
  totalW: number;
}

/** `settings.greenEnergyAmpsOffset` when present, else `config.greenEnergyAmpsOffset`, else 0. */
export function legacyAmpsOffset(
  settings: OffsetSettings,
  config: Pick<EnergyConfig, "greenEnergyAmpsOffset">,
): number {
  const v = settings.greenEnergyAmpsOffset ?? config.greenEnergyAmpsOffset ?? 0;
  return Number.isFinite(v) ? v : 0;
}

/** §17.2 offsets: the legacy amps offset plus the named ones ("A" converted at the current voltage; 0 contributes nothing). */
export function computeOffsets(
  settings: OffsetSettings,
  config: Pick<EnergyConfig, "greenEnergyAmpsOffset">,
  e: Electrical,
): Offsets {
  const legacyA = legacyAmpsOffset(settings, config);
  const named: OffsetView[] = [];
  let totalW = aToW(legacyA, e);
  for (const [name, o] of Object.entries(settings.consumptionOffset ?? {})) {
    const unit = String(o.unit).toUpperCase() === "A" ? "A" : "W";
    const value = Number.isFinite(o.value) ? o.value : 0;
    const watts = value === 0 ? 0 : unit === "A" ? aToW(value, e) : value;
    named.push({ name, value, unit, watts });
    totalW += watts;
  }
  return { legacyA, named, totalW };
}

/** Summed usable source readings (see staleness.ts). */
export interface SourceTotals {
  generationW: number;
  consumptionW: number;
  /** Σ consumption amps reported by the sources (0 when none). */
  consumptionA: number;
}

/** The derived energy quantities of §17.2. */
export interface EnergyValues {
  electrical: Electrical;
  generationW: number;
  consumptionW: number;
  /** `max(0, Σ sources' consumption amps)`. */
  consumptionAmpsEms: number;
  chargerLoadW: number;
  generationOffsetW: number;
  offsets: Offsets;
}

/** Inputs of {@link energyValues}. */
export interface EnergyValueInputs {
  sources: SourceTotals;
  electrical: Electrical;
  /** Σ slaves' reportedAmpsActual. */
  totalActualA: number;
  settings: OffsetSettings;
  config: EnergyConfig;
}

/** consumptionW, generationW, consumptionA_ems, chargerLoadW and generationOffsetW exactly as §17.2. */
export function energyValues(i: EnergyValueInputs): EnergyValues {
  const e = i.electrical;
  const offsets = computeOffsets(i.settings, i.config, e);
  const consumptionW = Math.max(0, i.sources.consumptionW) + (offsets.totalW > 0 ? offsets.totalW : 0);
  const generationW = Math.max(0, i.sources.generationW) + (offsets.totalW < 0 ? -offsets.totalW : 0);
  const consumptionAmpsEms = Math.max(0, i.sources.consumptionA);
  const chargerLoadW = computeChargerLoadW(i.totalActualA, e, i.config);
  let generationOffsetW = consumptionW - (i.config.subtractChargerLoad === true ? chargerLoadW : 0);
  if (i.config.treatGenerationAsGridDelivery !== true) generationOffsetW = Math.max(0, generationOffsetW);
  return {
    electrical: e,
    generationW,
    consumptionW,
    consumptionAmpsEms,
    chargerLoadW,
    generationOffsetW,
    offsets,
  };
}

/** Controller state used by the incremental estimate of §17.4. */
export interface BudgetState {
  /** Current effective budget M (A). */
  effectiveBudgetA: number;
  /** N = numCarsCharging(). */
  carsCharging: number;
}

/** Rounds to 2 decimals. */
import { round2 } from "../shared/numbers.ts";

export { round2 };

/**
 * §17.4 `getMaxAmpsForTargetGridUsage(T)`: T = amps allowed from the grid (0 = pure green).
 * Result = `round(max(0, min(newOffer, avail / rpf(avail))), 2)`.
 */
export function getMaxAmpsForTargetGridUsage(
  targetA: number,
  v: EnergyValues,
  state: BudgetState,
  config: EnergyConfig,
): number {
  const e = v.electrical;
  const genA = wToA(v.generationW, e);
  let consA = v.consumptionAmpsEms;
  if (targetA === 0 || consA === 0) consA = wToA(v.consumptionW, e);
  if (config.subtractChargerLoad === true) consA = Math.max(0, consA - wToA(v.chargerLoadW, e));
  const newOffer =
    Math.max(Math.trunc(state.effectiveBudgetA), state.carsCharging * config.minAmpsPerTWC) +
    (genA + targetA - consA);
  const avail = genA + targetA - wToA(v.generationOffsetW, e);
  const rpf = realPowerFactor(avail, config);
  // rpf can only be ≤ 0 by extrapolating an unusual config far outside its range; never divide by it then.
  const fromScratch = rpf > 0 ? avail / rpf : avail;
  return round2(Math.max(0, Math.min(newOffer, fromScratch)));
}

/** Everything one energy step (§17.3) needs. */
export interface EnergyComputationInputs {
  /** Whether the active policy is green. */
  green: boolean;
  /** Summed usable readings. */
  sources: SourceTotals;
  /** Every configured source has a usable reading (true when none is configured). */
  allSourcesUsable: boolean;
  /** Chargers: their voltage reports and actual amps. */
  chargers: readonly (PhaseReport & { reportedAmpsActual: number })[];
  state: BudgetState;
  settings: OffsetSettings;
  config: EnergyConfig;
}

/** Result of the energy step plus the values the status views show. */
export interface EnergyComputation {
  /** Green: `getMaxAmpsForTargetGridUsage(0)`; null when the policy is not green (the policy sets the budget). */
  maxAmpsToDivide: number | null;
  /** Green or no grid cap: wiringMaxAmpsAllTWCs; grid cap: grid-derived value, 0 while any source is unusable. */
  limitAmps: number;
  /** The configured grid cap, null when unset. */
  gridCapAmps: number | null;
  /** Warn and raise MIN_ABOVE_WIRING: charging could never start. */
  minAboveWiring: boolean;
  voltage: number;
  phases: number;
  voltageSource: "chargers" | "config";
  /** Reporting chargers disagree on phases (log MIXED_PHASES_MESSAGE). */
  mixedPhases: boolean;
  generationW: number;
  consumptionW: number;
  generationA: number;
  /** `W→A(consumptionW)`. */
  consumptionA: number;
  consumptionAmpsEms: number;
  chargerLoadW: number;
  chargerLoadA: number;
  generationOffsetW: number;
  /** `generationW − generationOffsetW`: what the chargers could use without grid import. */
  surplusW: number;
  offsetsW: number;
  legacyAmpsOffset: number;
  offsets: OffsetView[];
}

/** §17.3 steps 1–2 (green → budget; grid cap → limit, 0 while any source is stale or has no reading yet). */
export function energyComputation(i: EnergyComputationInputs): EnergyComputation {
  const electrical = voltageAndPhases(i.chargers, i.config);
  const totalActualA = i.chargers.reduce(
    (s, c) => s + (Number.isFinite(c.reportedAmpsActual) ? c.reportedAmpsActual : 0),
    0,
  );
  const v = energyValues({
    sources: i.sources,
    electrical,
    totalActualA,
    settings: i.settings,
    config: i.config,
  });
  const cap = i.config.maxAmpsAllowedFromGrid;
  const gridCapAmps = cap !== undefined && cap > 0 ? cap : null;
  let maxAmpsToDivide: number | null = null;
  let limitAmps = i.config.wiringMaxAmpsAllTWCs;
  if (i.green) {
    maxAmpsToDivide = getMaxAmpsForTargetGridUsage(0, v, i.state, i.config);
  } else if (gridCapAmps !== null) {
    limitAmps = i.allSourcesUsable ? getMaxAmpsForTargetGridUsage(gridCapAmps, v, i.state, i.config) : 0;
  }
  return {
    maxAmpsToDivide,
    limitAmps,
    gridCapAmps,
    minAboveWiring: i.config.minAmpsPerTWC > (i.config.wiringMaxAmpsPerTWC ?? 6),
    voltage: electrical.voltage,
    phases: electrical.phases,
    voltageSource: electrical.source,
    mixedPhases: electrical.mixedPhases,
    generationW: v.generationW,
    consumptionW: v.consumptionW,
    generationA: wToA(v.generationW, electrical),
    consumptionA: wToA(v.consumptionW, electrical),
    consumptionAmpsEms: v.consumptionAmpsEms,
    chargerLoadW: v.chargerLoadW,
    chargerLoadA: wToA(v.chargerLoadW, electrical),
    generationOffsetW: v.generationOffsetW,
    surplusW: v.generationW - v.generationOffsetW,
    offsetsW: v.offsets.totalW,
    legacyAmpsOffset: v.offsets.legacyA,
    offsets: v.offsets.named,
  };
}
