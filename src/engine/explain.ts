/**
 * Why the controller does what it does, in one plain sentence each (issue 12 §5–§7): the budget (the
 * active policy, how the solar or grid-capped budget was computed, the wiring cap), the energy the green
 * computation uses (issue 12 §7), and why the offers can sum above the budget (issue 12 §6). Pure: from
 * the policy decision, the energy computation and the chargers' offer traces to a `Why` {code, params,
 * text}. It explains decisions and never makes one; the per-charger sentence is in explain-charger.ts.
 */
import {
  getMaxAmpsForTargetGridUsage,
  type EnergyComputation,
  type EnergyConfig,
  type EnergyValues,
} from "../energy/green.ts";
import { realPowerFactor } from "../energy/electrical.ts";
import { amps, signedWatts, volts, watts, wholeWatts, why } from "./explain-format.ts";
import type { Why } from "./explain-types.ts";

export type { Why } from "./explain-types.ts";

/** What is known about the energy readings (from the sources' status). */
export interface ReadingState {
  /** Configured energy sources. */
  configured: number;
  /** Sources with a usable (fresh) reading. */
  usable: number;
  /** Names of the sources without a usable reading. */
  missing: readonly string[];
}

/** The policy decision and the budget it produced (the PolicyView and the state document's policy part). */
export interface BudgetDecision {
  /** Active policy name, null for none. */
  policy: string | null;
  green: boolean;
  forced: boolean;
  /** maxAmpsToDivideAmongSlaves as requested (after the wiring clamp). */
  policyAmps: number;
  /** limitAmpsToDivideAmongSlaves. */
  limitAmps: number;
  /** Effective budget M. */
  budgetA: number;
  allowedFlexA: number;
  /** What the policy asked for before the wiring clamp when known (Charge Now, schedule, non-scheduled rate), else null. */
  requestedA: number | null;
  /** settings.nonScheduledAction (1 charge at a rate, 2 do not charge, 3 track green). */
  nonScheduledAction: number;
  /** ISO local time of the last evaluation, null before the first. */
  lastEvaluatedAt: string | null;
  /** Cars charging now (N). */
  carsCharging: number;
}

/** Everything the budget and energy explanations read. */
export interface ExplainInputs {
  decision: BudgetDecision;
  /** The energy computation of this refresh (current readings). */
  energy: EnergyComputation;
  readings: ReadingState;
  config: EnergyConfig & { subtractChargerLoad: boolean; maxAmpsAllowedFromGrid?: number };
}

/** The EnergyValues of green.ts rebuilt from a computation (the same numbers, for the §17.4 estimate). */
function valuesOf(e: EnergyComputation): EnergyValues {
  return {
    electrical: { voltage: e.voltage, phases: e.phases, source: e.voltageSource, mixedPhases: e.mixedPhases },
    generationW: e.generationW,
    consumptionW: e.consumptionW,
    consumptionAmpsEms: e.consumptionAmpsEms,
    chargerLoadW: e.chargerLoadW,
    generationOffsetW: e.generationOffsetW,
    offsets: { legacyA: e.legacyAmpsOffset, named: e.offsets, totalW: e.offsetsW },
  };
}

/** True when the energy computation has something to work with (a usable reading, or offsets). */
export function hasEnergyInput(i: Pick<ExplainInputs, "energy" | "readings">): boolean {
  return i.readings.usable > 0 || i.energy.offsetsW !== 0;
}

/** The surplus the green computation uses (generation − its consumption offset), null without any input. */
export function greenSurplusW(i: Pick<ExplainInputs, "energy" | "readings">): number | null {
  return hasEnergyInput(i) ? Math.round(i.energy.surplusW) : null;
}

/** "÷ 240 V", "÷ (230 V × 3 phases)", with the power factor when it is not 1. */
function divisor(e: EnergyComputation, config: ExplainInputs["config"], atA: number): string {
  const v = e.phases > 1 ? `(${volts(e.voltage)} × ${e.phases} phases)` : volts(e.voltage);
  const rpf = realPowerFactor(atA, config);
  return `÷ ${v}${Math.abs(rpf - 1) > 1e-9 ? ` ÷ power factor ${Number(rpf.toFixed(3))}` : ""}`;
}

/** "generation 2.40 kW − consumption 1.30 kW + 3.70 kW the chargers draw (added back)", offsets included. */
function surplusTerms(e: EnergyComputation, config: ExplainInputs["config"]): string {
  const parts = [`generation ${watts(e.generationW)}`, `− consumption ${watts(e.consumptionW)}`];
  if (config.subtractChargerLoad && e.chargerLoadW > 0) parts.push(`+ ${watts(e.chargerLoadW)} the chargers draw, added back`);
  let s = parts.join(" ");
  if (e.offsetsW > 0) s += `; consumption includes ${watts(e.offsetsW)} of offsets`;
  else if (e.offsetsW < 0) s += `; generation includes ${watts(-e.offsetsW)} of negative offsets`;
  return s;
}

/** "no energy source is configured" / "Fronius has no fresh reading". */
function missingWords(r: ReadingState): string {
  if (r.configured === 0) return "no energy source is configured";
  const names = r.missing.length > 0 ? r.missing.join(", ") : "the energy sources";
  return `${names} ${r.missing.length > 1 ? "have" : "has"} no fresh reading`;
}

/** The time of an ISO local string, "18:10:05" (the controller's own clock). */
function timeOf(iso: string | null): string | null {
  const m = iso === null ? null : /T(\d\d:\d\d:\d\d)/.exec(iso);
  return m ? (m[1] ?? null) : null;
}

function greenBudget(i: ExplainInputs): Why {
  const d = i.decision;
  const e = i.energy;
  const M = d.budgetA;
  const params: Why["params"] = {
    budgetA: M,
    policy: d.policy,
    surplusW: Math.round(e.surplusW),
    generationW: Math.round(e.generationW),
    consumptionW: Math.round(e.consumptionW),
    chargerLoadW: Math.round(e.chargerLoadW),
    chargerLoadAddedBack: i.config.subtractChargerLoad,
    offsetsW: Math.round(e.offsetsW),
    voltage: e.voltage,
    phases: e.phases,
    minAmpsPerTWC: i.config.minAmpsPerTWC,
    flexA: d.allowedFlexA,
  };
  const tail = (): string => {
    let t = "";
    if (M < i.config.minAmpsPerTWC) {
      t += `, below the ${amps(i.config.minAmpsPerTWC)} a car needs`;
      if (d.allowedFlexA > 0)
        t += `; flex ${amps(d.allowedFlexA)} lets a car that already charges go on down to ${amps(Math.max(0, i.config.minAmpsPerTWC - d.allowedFlexA))}`;
    } else if (d.allowedFlexA > 0) {
      t += `; flex ${amps(d.allowedFlexA)} keeps a charging car going when it drops below ${amps(i.config.minAmpsPerTWC)}`;
    }
    const now = getMaxAmpsForTargetGridUsage(0, valuesOf(e), { effectiveBudgetA: M, carsCharging: d.carsCharging }, i.config);
    const at = timeOf(d.lastEvaluatedAt);
    if (Math.abs(now - M) >= 0.01 && at !== null) {
      params.greenNowA = now;
      t += ` (worked out at the policy check at ${at}; the readings now give ${amps(now)}, used from the next check)`;
    }
    return t;
  };
  if (!hasEnergyInput(i)) {
    params.reading = false;
    return why(
      "GREEN_NO_READING",
      params,
      `Solar budget ${amps(M)} (${d.policy ?? "green policy"}): ${missingWords(i.readings)}, so generation counts as 0 W${tail()}.`,
    );
  }
  const calc = `${wholeWatts(e.surplusW)} ${divisor(e, i.config, M)}`;
  const head =
    e.surplusW > 0
      ? `Solar budget ${amps(M)} (${d.policy ?? "green policy"}): ${calc} surplus`
      : `Solar budget ${amps(M)} (${d.policy ?? "green policy"}): no surplus (${signedWatts(e.surplusW)})`;
  return why("GREEN", params, `${head} — ${surplusTerms(e, i.config)}${tail()}.`);
}

/** What a fixed-rate policy sets, in words. */
function fixedWords(d: BudgetDecision): string {
  const name = d.policy ?? "";
  if (name === "Charge Now") return `Charge Now at ${amps(d.policyAmps)}`;
  if (name === "Scheduled Charging") return `the charging schedule at ${amps(d.policyAmps)}`;
  if (name === "Non Scheduled Charging") {
    if (d.policyAmps > 0) return `the non-scheduled rate of ${amps(d.policyAmps)} (Non Scheduled Charging)`;
    return d.nonScheduledAction === 2
      ? "Non Scheduled Charging: the non-scheduled action is “do not charge”"
      : "Non Scheduled Charging: the non-scheduled rate is 0 A";
  }
  return `${name} at ${amps(d.policyAmps)}`;
}

function fixedBudget(i: ExplainInputs): Why {
  const d = i.decision;
  const e = i.energy;
  const cap = i.config.maxAmpsAllowedFromGrid;
  const forced = d.forced ? " (forced from the Policy page)" : "";
  const params: Why["params"] = { budgetA: d.budgetA, policy: d.policy, policyAmps: d.policyAmps, limitAmps: d.limitAmps, forced: d.forced };
  const wiring =
    d.requestedA !== null && d.requestedA > i.config.wiringMaxAmpsAllTWCs
      ? `, capped at the ${amps(i.config.wiringMaxAmpsAllTWCs)} wiring limit shared by all chargers`
      : "";
  if (d.policyAmps <= 0)
    return why("FIXED_ZERO", params, `Budget 0 A: ${fixedWords(d)}${forced}, so nothing is offered.`);
  if (cap !== undefined && d.limitAmps < d.policyAmps) {
    params.gridCapA = cap;
    if (i.readings.usable < i.readings.configured) {
      return why(
        "GRID_CAP_NO_READING",
        params,
        `Budget ${amps(d.budgetA)}: ${fixedWords(d)}${forced}, but with the ${amps(cap)} grid cap nothing is offered while ${missingWords(i.readings)}.`,
      );
    }
    const consA = e.consumptionAmpsEms > 0 ? e.consumptionAmpsEms : e.consumptionA;
    const houseA = i.config.subtractChargerLoad ? Math.max(0, consA - e.chargerLoadA) : consA;
    params.houseA = Math.round(houseA * 100) / 100;
    params.generationA = Math.round(e.generationA * 100) / 100;
    return why(
      "GRID_CAP",
      params,
      `Budget ${amps(d.budgetA)}: ${fixedWords(d)}${forced}, but the ${amps(cap)} grid cap leaves ${amps(d.limitAmps)} (grid cap + generation ${amps(e.generationA)} − consumption ${amps(houseA)}).`,
    );
  }
  return why("FIXED", params, `Budget ${amps(d.budgetA)}: ${fixedWords(d)}${forced}, shared by all chargers${wiring}.`);
}

/** The budget card's sentence: the active policy, and how the budget was computed. */
export function explainBudget(i: ExplainInputs): Why {
  const d = i.decision;
  if (d.policy === null)
    return why("NO_POLICY", { budgetA: 0 }, "Budget 0 A: no policy is active yet, so nothing is offered.");
  return d.green ? greenBudget(i) : fixedBudget(i);
}

/** The surplus card's sentence: what the green computation uses (issue 12 §7). */
export function explainEnergy(i: ExplainInputs): Why {
  const e = i.energy;
  const r = i.readings;
  const params: Why["params"] = {
    surplusW: greenSurplusW(i),
    generationW: Math.round(e.generationW),
    consumptionW: Math.round(e.consumptionW),
    chargerLoadW: Math.round(e.chargerLoadW),
    chargerLoadAddedBack: i.config.subtractChargerLoad,
    sources: r.configured,
    usable: r.usable,
  };
  if (!hasEnergyInput(i)) {
    const code = r.configured === 0 ? "NO_SOURCE" : "NO_READING";
    const rest = r.configured === 0 ? "add one on the energy sources card to track solar" : "stale sources count as 0 W";
    return why(code, params, `No reading: ${missingWords(r)}; ${rest}.`);
  }
  let t = `${signedWatts(e.surplusW)} for charging: ${surplusTerms(e, i.config)}`;
  if (!i.config.subtractChargerLoad && e.chargerLoadW > 0)
    t += ` (the chargers' ${watts(e.chargerLoadW)} is not added back: with config.subtractChargerLoad off, a meter that includes the car counts it as house use)`;
  if (r.usable < r.configured) t += `; ${missingWords(r)} and counts as 0 W`;
  return why("SURPLUS", params, `${t}.`);
}

/** One charger as the total explanation needs it. */
export interface OfferedCharger {
  id: string;
  offeredA: number;
  actualA: number;
  /** The offer was the TWC minimum to let a car start (D1), from its trace. */
  idleMinimum: boolean;
}

/** Why the offers sum above the budget (issue 12 §6), or null when they do not. */
export function explainOfferedTotal(o: {
  chargers: readonly OfferedCharger[];
  budgetA: number;
  carsCharging: number;
  wiringMaxAmpsAllTWCs: number;
}): Why | null {
  const total = o.chargers.reduce((a, c) => a + c.offeredA, 0);
  if (!(total > o.budgetA + 0.005) || o.chargers.length === 0) return null;
  const drawing = o.chargers.reduce((a, c) => a + c.actualA, 0);
  const params: Why["params"] = {
    offeredA: Math.round(total * 100) / 100,
    budgetA: o.budgetA,
    drawingA: Math.round(drawing * 100) / 100,
    wiringA: o.wiringMaxAmpsAllTWCs,
  };
  const head = `Offered ${amps(total)} in total, above the ${amps(o.budgetA)} budget`;
  const safe = ` The ${amps(o.wiringMaxAmpsAllTWCs)} wiring limit is never at stake: only chargers that draw count against it, and their offers are cut so the cars drawing (${amps(drawing)} now) stay within it.`;
  const idle = o.chargers.filter((c) => c.idleMinimum && c.actualA < 1);
  if (o.carsCharging === 0 && o.chargers.length > 1)
    return why("TOTAL_WHOLE_BUDGET_EACH", params, `${head}: while no car charges, every charger is offered the whole budget so that whichever car starts can use it.${safe}`);
  if (idle.length > 0) {
    const ids = idle.map((c) => c.id).join(", ");
    const minA = idle[0]?.offeredA ?? 0;
    params.idle = ids;
    return why(
      "TOTAL_IDLE_MINIMUM",
      params,
      `${head}: idle charger ${ids} is offered its ${amps(minA)} minimum so that a car plugged in there can start; it draws nothing until then.${safe}`,
    );
  }
  return why("TOTAL_ADJUSTING", params, `${head} for a few seconds while the offers adjust (a reduction waits up to 5 s, a spike briefly raises an offer).${safe}`);
}
