/**
 * The per-slave offer algorithm of the fake master (controller.md §6–§9): base share, flex rescue,
 * dampening, the below-minimum branch, whole amps, spike and reduction-hold rules, the wiring clamps
 * and the heartbeat command for the slave's next heartbeat. Pure: `computeOffer(slave, ctx)` returns a
 * `Step` — the updated slave record and effects (log lines, cancel a pending stop) that the bus runtime
 * runs.
 *
 * Safety additions beyond the spec text:
 * - invalid (NaN/±Infinity) budget or current readings → budget 0, no dampening: the offer is 0;
 * - the budget is clamped to 0…wiringMaxAmpsAllTWCs (§4 already guarantees this for real inputs);
 * - the shared-wiring floor (§7 step 2) never *raises* an offer (a stop stays a stop), and with
 *   `othersCommittedAmps` it counts drawing slaves with max(actual, offered);
 * - with `othersOfferedAmps`, an unchanged offer is re-clamped when it and the offers to the other
 *   drawing slaves sum above wiringMaxAmpsAllTWCs (otherwise offers made while no car drew, or rescued
 *   by flex to the minimum, could overload the shared circuit for as long as the cars charge);
 * - the per-TWC clamp is applied on every call (also when §7 "re-checks nothing"), uses
 *   min(wiringMaxAmps, rating), and a cap below `minOffer` means the slave is offered 0 (S-1, S-6);
 * - `minOffer` is rounded up to whole amps, and a spike (or spike − 2) never goes below it (S-6);
 * - the result is always a finite whole number of amps ≥ 0.
 *
 * With a vehicle module (issue 14, vehicles.md §3.2, §3.9): chargeRateControl 2/3 take D2 (the TWC is
 * offered its per-TWC cap, the car is asked for the share through `rate`), D3 asks for the car's own
 * limit to be raised once; API-only cars join the base share as extra participants. Nothing the car
 * reports enters the clamps: every offer stays within the per-TWC and shared wiring limits (S-1).
 */
import { ampsToCenti } from "../protocol/amps.ts";
import { twcIdHex } from "../protocol/frames.ts";
import type { MasterCommand } from "../protocol/frames.ts";
import { logEffect } from "./effects.ts";
import type { Effect, LogLevel, Step } from "./effects.ts";
import type { ClampTrace, OfferTrace, SpikeRule } from "./offer-trace.ts";
import type { SlaveState } from "./slave-state.ts";
import type { RateRequest } from "./vehicle-rate.ts";

/** Everything the offer algorithm needs besides the slave itself (controller.md §6). */
export interface OfferContext {
  /** Epoch seconds. */
  nowS: number;
  /** Effective budget M (§4). */
  budgetM: number;
  /** F, flex amps of the active policy. */
  allowedFlex: number;
  green: boolean;
  /** N, slaves currently flagged charging (§13). */
  numCharging: number;
  /** Σ reportedAmpsActual of all slaves (including this one). */
  allActualAmps: number;
  /** 21 or 16. */
  spikeAmps: number;
  minAmpsPerTWC: number;
  wiringMaxAmpsAllTWCs: number;
  spikeAmpsProactively: boolean;
  spikeAmpsReactively: boolean;
  /** Without a vehicle module 2 and 3 behave like 1 (§11). */
  chargeRateControl: 1 | 2 | 3;
  /**
   * Load of the *other* slaves as seen by the shared-wiring clamp (§7 step 2), from
   * `othersLoad()`: a drawing slave counts with max(actual, offered). When absent the clamp
   * uses their actual draw only (the spec text), which lets two slaves spike at the same time and
   * overload the shared circuit periodically (found by offer.property.test.ts).
   */
  othersCommittedAmps?: number;
  /**
   * Σ lastAmpsOffered of the *other* slaves drawing ≥ 1 A, from `othersLoad()`. When present, §7's
   * "nothing is re-checked" for an unchanged offer becomes a re-check against the shared limit.
   */
  othersOfferedAmps?: number;
  /** A vehicle module runs (§11): chargeRateControl 2/3 use D2 and D3 raises the car's limit. Absent/false: TWC control only. */
  vehicleModule?: boolean;
  /** vehicles.md §3.9: API-only cars drawing ≥ 1 A, counted in N. */
  extraCharging?: number;
  /** vehicles.md §3.9: Σ of the API-only cars' draw (A), counted in `others` of the base share (not in the wiring clamps). */
  extraActualAmps?: number;
}

/** Result of the §7 wiring clamps: the slave with the new offer, its log lines, the offer and which clamp applied. */
export type SetOfferStep = Step<SlaveState> & { readonly offered: number; readonly clamps: ClampTrace };

/**
 * The decision for one slave heartbeat: the slave (new offer and heartbeat command), the effects (log
 * lines; §6 H: an offer > 0 cancels a queued FC B2 for this slave), the desired and the offered amps.
 */
export type OfferStep = Step<SlaveState> & {
  /** The argument passed to setLastAmpsOffered (= slave.ampsDesired). */
  readonly desired: number;
  readonly offered: number;
  /** What each step did (also stored as `state.offerTrace`; explanation only). */
  readonly trace: OfferTrace;
  /** With a vehicle module: the car-side rate of D2 / D3.1 (vehicle-rate.ts); null otherwise. */
  readonly rate: RateRequest | null;
};

/** A reading or limit that may be NaN/±Infinity (a safety guard, not a coercion): the number or the fallback. */
function guardFinite(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}

/** A log effect of the offer for this slave (the engine used to log these with the slave's ID). */
function offerLog(slave: SlaveState, level: LogLevel, code: string, message: string): Effect {
  return logEffect(level, code, message, { twcId: twcIdHex(slave.id) });
}

/**
 * `minOffer` = max(config.minAmpsPerTWC, slave.minAmpsTWCSupports), rounded up to whole amps (offers
 * are whole amps, so "never less than 6.5 A" means at least 7 A).
 */
export function minOfferFor(slave: SlaveState, minAmpsPerTWC: number): number {
  return Math.ceil(Math.max(guardFinite(minAmpsPerTWC, 0), guardFinite(slave.minAmpsTWCSupports, 6)) - 1e-9);
}

/** The per-TWC cap: whole amps of min(wiringMaxAmps, rating), 0 when unknown or invalid. */
export function perTwcCap(slave: SlaveState): number {
  const cap = Math.min(slave.wiringMaxAmps, slave.maxAmps);
  return Number.isFinite(cap) && cap > 0 ? Math.floor(cap) : 0;
}

/**
 * The load of the slaves other than `selfId` for the shared-wiring clamp. Committed: a slave drawing
 * ≥ 1 A counts with max(reportedAmpsActual, lastAmpsOffered) (its car will follow the offer), an idle
 * one with its actual draw (S-3 a: idle slaves may all hold the whole budget). Offered: Σ
 * lastAmpsOffered of the drawing ones.
 */
export function othersLoad(
  slaves: readonly SlaveState[],
  selfId: SlaveState["id"],
): { othersCommittedAmps: number; othersOfferedAmps: number } {
  let committed = 0;
  let offered = 0;
  for (const y of slaves) {
    if (y.id === selfId) continue;
    const a = Number.isFinite(y.reportedAmpsActual) ? Math.max(0, y.reportedAmpsActual) : 0;
    const o = Number.isFinite(y.lastAmpsOffered) ? Math.max(0, y.lastAmpsOffered) : 0;
    committed += a >= 1 ? Math.max(a, o) : a;
    if (a >= 1) offered += o;
  }
  return { othersCommittedAmps: committed, othersOfferedAmps: offered };
}

/** §4: effective budget M from the requested budget and the limit; NaN anywhere or ≤ 0 → 0. */
export function effectiveBudget(maxAmpsToDivide: number, limitAmps: number): number {
  if (Number.isNaN(maxAmpsToDivide) || Number.isNaN(limitAmps)) return 0;
  const m = maxAmpsToDivide > limitAmps ? limitAmps : maxAmpsToDivide;
  return Number.isFinite(m) && m > 0 ? m : 0;
}

/** §7 `setLastAmpsOffered(desired)`: shared-wiring clamp (only on change), then the per-TWC clamp. */
export function setLastAmpsOffered(slave: SlaveState, desired: number, ctx: OfferContext): SetOfferStep {
  const effects: Effect[] = [];
  const prev = slave.lastAmpsOffered;
  let amps = desired;
  let shared: ClampTrace["shared"] = null;
  let perTwc: ClampTrace["perTwc"] = null;
  let minAboveWiring: ClampTrace["minAboveWiring"] = null;
  const wiringAll = Math.max(0, guardFinite(ctx.wiringMaxAmpsAllTWCs, 0));
  const offeredOthers = ctx.othersOfferedAmps;
  const recheck = offeredOthers !== undefined && !(guardFinite(offeredOthers, Infinity) + amps <= wiringAll);
  if (desired !== prev || recheck) {
    // Unknown readings count as a full circuit: only the TWC minimum can be offered.
    const actualOthers = guardFinite(ctx.allActualAmps - slave.reportedAmpsActual, wiringAll);
    const committed = ctx.othersCommittedAmps;
    const others = Math.max(
      0,
      actualOthers,
      committed !== undefined && Number.isFinite(committed) ? committed : 0,
    );
    if (others + amps > wiringAll) {
      // Use what is left on the shared circuit, but at least the TWC minimum (S-3 d); never raise.
      const fit = Math.max(Math.trunc(wiringAll - others), slave.minAmpsTWCSupports);
      const clamped = Math.min(amps, fit);
      if (clamped !== amps) {
        shared = { fromA: amps, toA: clamped, othersA: others, wiringA: wiringAll };
        effects.push(
          offerLog(
            slave,
            "info",
            "WIRING_SHARED_CLAMP",
            `offering ${clamped} A instead of ${amps} A to avoid overloading wiring shared by all TWCs`,
          ),
        );
      }
      amps = clamped;
    }
  }
  const cap = perTwcCap(slave);
  if (!(amps <= cap)) {
    perTwc = { fromA: amps, capA: cap };
    if (Number.isFinite(amps)) {
      effects.push(offerLog(slave, "debug", "WIRING_TWC_CLAMP", `offering ${cap} A instead of ${amps} A (per-TWC wiring)`));
    }
    amps = cap;
  }
  amps = Number.isFinite(amps) && amps > 0 ? Math.floor(amps + 1e-9) : 0;
  if (amps > 0 && cap < minOfferFor(slave, ctx.minAmpsPerTWC)) {
    minAboveWiring = { capA: cap, minOfferA: minOfferFor(slave, ctx.minAmpsPerTWC) };
    // S-1 / S-6: the wiring cannot carry the minimum offer, so charging can never start.
    effects.push(
      offerLog(slave, "debug", "MIN_ABOVE_WIRING", `per-TWC wiring limit ${cap} A is below the minimum offer; offering 0 A`),
    );
    amps = 0;
  }
  const s: SlaveState = { ...slave, ampsDesired: desired, lastAmpsOffered: amps };
  if (amps !== prev) s.ampsOfferedChangedAtS = ctx.nowS;
  return { state: s, effects, offered: amps, clamps: { shared, perTwc, minAboveWiring } };
}

/**
 * §8: the limit command (09 for v2, 05 for v1) when the slave's reported max differs or the offer is 0,
 * else "no change" (00). On the wire: `[09|05, hi, lo, 0…]` or 9 zeros.
 */
export function heartbeatCommandFor(slave: SlaveState, offered: number): MasterCommand {
  const h = ampsToCenti(offered);
  if (ampsToCenti(slave.reportedAmpsMax) !== h || h === 0) {
    return { code: slave.protocolVersion === 2 ? 0x09 : 0x05, centiAmps: h & 0xffff };
  }
  return { code: 0x00 };
}

/**
 * §9 spike and reduction-hold rules, applied in D3 after truncation. A spike (or spike − 2) never goes
 * below `minOffer` (S-6; only matters when minAmpsPerTWC is configured above 19 A). Returns the amps
 * and the rule that set them.
 */
function spikeAndHold(
  s: SlaveState,
  desired: number,
  ctx: OfferContext,
  spike: number,
  minOffer: number,
): { amps: number; rule: SpikeRule } {
  const nowS = ctx.nowS;
  const sinceChange = nowS - s.ampsOfferedChangedAtS;
  const proactive = desired < spike && desired > s.reportedAmpsMax && ctx.spikeAmpsProactively;
  const actual = s.reportedAmpsActual;
  const reactive =
    actual > 2.0 &&
    actual <= spike &&
    s.lastAmpsOffered - actual > 2.0 &&
    nowS - s.ampsMonitorChangedAtS > 10 &&
    ctx.spikeAmpsReactively;
  if (proactive || reactive) {
    if (s.lastAmpsOffered === spike && sinceChange > 10) return { amps: Math.max(spike - 2, minOffer), rule: "spikeMinus2" };
    if (sinceChange > 5) return { amps: Math.max(spike, minOffer), rule: "spike" };
    return { amps: s.lastAmpsOffered, rule: "holdSpike" };
  }
  if (desired < s.lastAmpsOffered && sinceChange < 5) return { amps: s.lastAmpsOffered, rule: "holdReduction" };
  return { amps: desired, rule: "none" };
}

/** §6 A–I: the offer for this slave's next heartbeat, with the heartbeat command stored in the slave. */
export function computeOffer(slave: SlaveState, ctx: OfferContext): OfferStep {
  const effects: Effect[] = [];
  let s: SlaveState = { ...slave };
  if (s.lastAmpsOffered < 0) s.lastAmpsOffered = guardFinite(s.reportedAmpsMax, 0); // §5 step 5
  const nowS = ctx.nowS;
  const wiringAll = Math.max(0, guardFinite(ctx.wiringMaxAmpsAllTWCs, 0));
  const ownActual = s.reportedAmpsActual;
  const valid =
    Number.isFinite(ctx.budgetM) && Number.isFinite(ctx.allActualAmps) && Number.isFinite(ownActual);
  if (!valid) {
    effects.push(
      offerLog(
        s,
        "warn",
        "OFFER_INVALID_INPUT",
        `invalid budget or current reading (budget ${ctx.budgetM}, total ${ctx.allActualAmps}, actual ${ownActual}); offering 0 A`,
      ),
    );
  }
  const M = valid ? Math.min(Math.max(ctx.budgetM, 0), wiringAll) : 0;
  const F = valid && Number.isFinite(ctx.allowedFlex) && ctx.allowedFlex > 0 ? ctx.allowedFlex : 0;
  const extraN = ctx.extraCharging !== undefined && Number.isFinite(ctx.extraCharging) && ctx.extraCharging > 0 ? Math.floor(ctx.extraCharging) : 0;
  const extraA = ctx.extraActualAmps !== undefined && Number.isFinite(ctx.extraActualAmps) && ctx.extraActualAmps > 0 ? ctx.extraActualAmps : 0;
  const N = (Number.isFinite(ctx.numCharging) && ctx.numCharging > 0 ? Math.floor(ctx.numCharging) : 0) + extraN;
  const others = valid ? Math.max(0, ctx.allActualAmps - ownActual) + extraA : 0;
  const minOffer = minOfferFor(s, ctx.minAmpsPerTWC);
  const minTwc = guardFinite(s.minAmpsTWCSupports, 6);
  const spike = Number.isFinite(ctx.spikeAmps) && ctx.spikeAmps > 0 ? ctx.spikeAmps : 16;

  // A. Base share: the whole budget while no car charges (S-3 a), else what is left, at most a fair share.
  let desired = M;
  let flex = F;
  if (N > 0) {
    flex = F / N;
    desired = Math.min(M - others, Math.trunc(M / N));
  }
  const shareA = desired;
  // B. Flex rescue.
  let flexRescued = false;
  if (desired < minOffer && desired + flex >= minOffer && (s.useFlexAmpsToStartCharge || ownActual >= 1.0)) {
    desired = minOffer;
    flexRescued = true;
  }
  // C. Dampening flag, computed before step E updates the flip time.
  let dampen = false;
  if (ctx.green) dampen = nowS - s.ampsDesiredFlippedAtS < s.startStopDelayS;
  else s.ampsDesiredFlippedAtS = 0;
  if (!valid) dampen = false;
  // D. Main branch. Without a vehicle module chargeRateControl 2/3 behave like 1 (§11), so D2 is skipped.
  const branch = desired < minOffer ? "belowMin" : "rate";
  let belowMin: OfferTrace["belowMin"] = null;
  let spikeRule: SpikeRule = "none";
  let rate: RateRequest | null = null;
  const vehicle = ctx.vehicleModule === true && valid;
  const cap = perTwcCap(s);
  if (desired < minOffer) {
    belowMin = N > 0 && M / N > minOffer ? "twcMin" : "stop";
    desired = belowMin === "twcMin" ? minTwc : 0; // D1
  } else if (vehicle && (ctx.chargeRateControl === 2 || (ctx.chargeRateControl === 3 && desired < 6))) {
    // D2: the car limits its draw; the TWC is offered its per-TWC cap (the clamps of G still apply).
    if (cap >= minOffer) rate = { mode: "api", amps: Math.min(Math.trunc(desired), cap) };
    desired = cap;
  } else {
    if (vehicle && cap >= minOffer) rate = { mode: "twc", wiringMaxAmps: cap }; // D3.1
    const d3 = spikeAndHold(s, Math.trunc(desired), ctx, spike, minOffer); // D3
    desired = d3.amps;
    spikeRule = d3.rule;
  }
  // E. Flip tracking.
  if (
    (s.lastAmpsDesired < minOffer && desired >= minOffer) ||
    (s.lastAmpsDesired >= minOffer && desired < minOffer)
  ) {
    s.lastAmpsDesired = desired;
    s.ampsDesiredFlippedAtS = nowS;
  }
  // F. Dampening: keep a drawing car at ≥ the TWC minimum for startStopDelayS after a flip (green only).
  const dampened = dampen && ownActual > 0 && minTwc > desired;
  if (dampen && ownActual > 0) desired = Math.max(minTwc, desired);
  // G. Wiring clamps.
  const set = setLastAmpsOffered(s, desired, ctx);
  const trace: OfferTrace = {
    invalidInput: !valid,
    budgetA: M,
    flexA: F,
    flexPerCarA: flex,
    carsCharging: N,
    othersActualA: others,
    shareA,
    minOfferA: minOffer,
    minTwcA: minTwc,
    flexRescued,
    branch,
    belowMin,
    spikeRule,
    spikeA: spike,
    dampened,
    desiredA: desired,
    clamps: set.clamps,
    offeredA: set.offered,
  };
  s = { ...set.state, heartbeatCommand: heartbeatCommandFor(set.state, set.offered), offerTrace: trace }; // I.
  effects.push(...set.effects);
  // H. An offer above 0 cancels a stop still waiting in the queue.
  if (set.offered > 0) effects.push({ type: "cancelStop", twcId: s.id });
  return { state: s, effects, desired, offered: set.offered, trace, rate };
}
