/**
 * Why a charger is offered what it is offered (issue 12 §5), in one plain sentence: from the trace the
 * offer algorithm recorded for its last heartbeat (bus/offer-trace.ts) — the budget and its share, flex,
 * the minimum a car needs, spike and hold rules, dampening and which wiring clamp applied. Pure; it
 * explains the decision and never changes it.
 */
import type { OfferTrace } from "../bus/offer-trace.ts";
import { amps, why } from "./explain-format.ts";
import type { Why } from "./explain-types.ts";

/** The charger facts the sentence uses. */
export interface ChargerFacts {
  id: string;
  /** The offer in the document (null before the first reply). */
  ampsOffered: number | null;
  reportedAmpsActual: number;
  wiringMaxAmps: number;
  ratedAmps: number;
}

/** The policy context of the sentence. */
export interface ChargerPolicy {
  policy: string | null;
  green: boolean;
  mode: "master" | "monitor" | "slave";
}

function budgetWords(p: ChargerPolicy, a: number): string {
  return `${p.green ? "the solar budget" : "the budget"} is ${amps(a)}`;
}

/** "the solar budget is 4.6 A" with no car charging, else "its share of the 4.6 A solar budget is 4 A". */
function shareIs(t: OfferTrace, p: ChargerPolicy): string {
  const share = Math.max(0, t.shareA);
  if (t.carsCharging === 0 || share === t.budgetA) return budgetWords(p, share);
  return `its share of the ${amps(t.budgetA)} ${p.green ? "solar " : ""}budget is ${amps(share)}`;
}

function tag(p: ChargerPolicy): string {
  return ` (${p.policy ?? "no policy active"})`;
}

/** The base share in words: "the whole 16 A budget", "its share of the 20 A budget with 2 cars charging". */
function shareWords(t: OfferTrace, p: ChargerPolicy): string {
  const b = `${p.green ? "solar " : ""}budget`;
  if (t.carsCharging === 0) return `the whole ${amps(t.budgetA)} ${b}; while no car charges, every charger is offered all of it`;
  const fair = Math.trunc(t.budgetA / t.carsCharging);
  if (t.budgetA - t.othersActualA < fair)
    return `the ${amps(t.budgetA)} ${b} minus the ${amps(t.othersActualA)} the other chargers draw`;
  return `its share of the ${amps(t.budgetA)} ${b} with ${t.carsCharging} car${t.carsCharging === 1 ? "" : "s"} charging`;
}

function belowMinimum(c: ChargerFacts, t: OfferTrace, p: ChargerPolicy, params: Why["params"]): Why {
  if (t.belowMin === "twcMin") {
    if (c.reportedAmpsActual < 1)
      return why(
        "TWC_MINIMUM",
        params,
        `Offered ${amps(t.offeredA)}, the charger's minimum, so that a car plugged in here can start: the other chargers use ${amps(t.othersActualA)} of the ${amps(t.budgetA)} budget and make room when it does${tag(p)}.`,
      );
    return why(
      "TWC_MINIMUM",
      params,
      `Offered ${amps(t.offeredA)}, the charger's minimum: the ${amps(t.budgetA)} budget is enough for every car, the other chargers still draw ${amps(t.othersActualA)} and are reduced at their next heartbeats${tag(p)}.`,
    );
  }
  if (t.budgetA <= 0)
    return why("NO_BUDGET", params, `Offered 0 A: ${budgetWords(p, 0)}, so nothing is offered${tag(p)}.`);
  let flex = "";
  if (t.flexPerCarA > 0) {
    flex =
      t.shareA + t.flexPerCarA >= t.minOfferA
        ? `; flex ${amps(t.flexPerCarA)} would reach it, but flex only keeps a car going that already charges (useFlexAmpsToStartCharge is off)`
        : `; flex ${amps(t.flexPerCarA)} is not enough`;
  }
  if (t.carsCharging > 0 && t.shareA < t.budgetA) {
    return why(
      "BELOW_MIN_SHARE",
      params,
      `Offered 0 A: its share is ${amps(Math.max(0, t.shareA))} (${shareWords(t, p)}), below the ${amps(t.minOfferA)} a car needs${flex}${tag(p)}.`,
    );
  }
  return why("BELOW_MIN", params, `Offered 0 A: ${budgetWords(p, t.budgetA)}, below the ${amps(t.minOfferA)} a car needs${flex}${tag(p)}.`);
}

function rateRules(t: OfferTrace, p: ChargerPolicy, params: Why["params"]): Why {
  const target = Math.trunc(Math.max(0, t.shareA));
  const o = amps(t.offeredA);
  switch (t.spikeRule) {
    case "spike":
      return why(
        "SPIKE",
        params,
        `Offered ${o} for about 5 s (a spike): raising the limit through ${amps(t.spikeA)} keeps Tesla cars from falling back to 6 A; then ${amps(target)}${tag(p)}.`,
      );
    case "spikeMinus2":
      return why("SPIKE_MINUS_2", params, `Offered ${o}, 2 A below the ${amps(t.spikeA)} spike, because the car did not follow the spike; then ${amps(target)}${tag(p)}.`);
    case "holdSpike":
      return why("SPIKE_HOLD", params, `Offered ${o} for a few more seconds while a spike settles; then ${amps(target)}${tag(p)}.`);
    case "holdReduction":
      return why("HOLD", params, `Offered ${o}: it goes down to ${amps(target)} within 5 s (an offer is lowered at most once every 5 s)${tag(p)}.`);
    case "none":
      break;
  }
  if (t.flexRescued)
    return why(
      "FLEX",
      params,
      `Offered ${o}: ${shareIs(t, p)} and flex ${amps(t.flexPerCarA)} lifts it to the ${amps(t.minOfferA)} a car needs${tag(p)}.`,
    );
  return why(t.carsCharging === 0 ? "WHOLE_BUDGET" : "SHARE", params, `Offered ${o}: ${shareWords(t, p)}${tag(p)}.`);
}

/** The charger card's sentence, from its offer trace (null trace: no offer computed yet). */
export function explainCharger(c: ChargerFacts, trace: OfferTrace | undefined, p: ChargerPolicy): Why {
  if (p.mode !== "master")
    return why("NOT_MASTER", { mode: p.mode }, "This controller only listens (monitor mode) and offers nothing.");
  if (trace === undefined) {
    return c.ampsOffered === null
      ? why("NO_OFFER_YET", {}, "No offer yet: the charger has not answered a heartbeat.")
      : why("NO_OFFER_YET", { offeredA: c.ampsOffered }, `Offered ${amps(c.ampsOffered)}: the charger's own setting until its next heartbeat.`);
  }
  const t = trace;
  const params: Why["params"] = {
    offeredA: t.offeredA,
    budgetA: t.budgetA,
    shareA: t.shareA,
    minA: t.minOfferA,
    flexA: t.flexPerCarA,
    carsCharging: t.carsCharging,
    policy: p.policy,
  };
  if (t.invalidInput)
    return why("INVALID_INPUT", params, "Offered 0 A: the budget or a current reading was not a valid number.");
  const cl = t.clamps;
  if (cl.minAboveWiring) {
    params.capA = cl.minAboveWiring.capA;
    return why(
      "MIN_ABOVE_WIRING",
      params,
      `Offered 0 A: this charger's wiring limit of ${amps(cl.minAboveWiring.capA)} is below the ${amps(cl.minAboveWiring.minOfferA)} a car needs, so it cannot charge (check wiringMaxAmpsPerTWC and minAmpsPerTWC).`,
    );
  }
  if (t.branch === "belowMin" && !t.dampened) return belowMinimum(c, t, p, params);
  if (cl.shared) {
    Object.assign(params, { fromA: cl.shared.fromA, othersA: cl.shared.othersA, wiringA: cl.shared.wiringA });
    return why(
      "SHARED_WIRING",
      params,
      `Offered ${amps(t.offeredA)} instead of ${amps(cl.shared.fromA)}: the other chargers use ${amps(cl.shared.othersA)} of the ${amps(cl.shared.wiringA)} wiring shared by all chargers${tag(p)}.`,
    );
  }
  if (cl.perTwc) {
    const byRating = c.ratedAmps < c.wiringMaxAmps;
    Object.assign(params, { fromA: cl.perTwc.fromA, capA: cl.perTwc.capA });
    return why(
      "TWC_WIRING",
      params,
      `Offered ${amps(t.offeredA)} instead of ${amps(cl.perTwc.fromA)}: ${byRating ? "the charger's rating" : "this charger's wiring limit"} is ${amps(cl.perTwc.capA)}${tag(p)}.`,
    );
  }
  if (t.dampened)
    return why(
      "DAMPENED",
      params,
      `Offered ${amps(t.offeredA)}, the charger's minimum, although ${shareIs(t, p)}: after a start or stop the solar policy waits for the start/stop delay before it stops the car${tag(p)}.`,
    );
  return rateRules(t, p, params);
}
