/** Why the active policy is active, in words (dashboard). Pure function of the state document. */
import type { StateDocument } from "../state/types.ts";
import { fmtClock, fmtDuration, hourLabel, isoMs, minuteToHHMM } from "./format.ts";

/** Kind of the active policy's action. */
export type PolicyKind = "green" | "fixed" | "stop" | "none";

/** Headline and explanation of the active policy. */
export interface PolicySummary {
  kind: PolicyKind;
  /** "Solar tracking", "Charging at a fixed rate", … */
  kindWords: string;
  name: string;
  reasons: string[];
}

/** Kind of the active policy (http-api.md §6.5 action codes). */
export function policyKind(s: StateDocument): PolicyKind {
  if (s.policy.active === null) return "none";
  if (s.policy.green || s.policy.action === 3) return "green";
  return s.policy.action === 1 ? "fixed" : "stop";
}

const KIND_WORDS: Record<PolicyKind, string> = {
  green: "Solar tracking (green energy)",
  fixed: "Charging at a fixed rate",
  stop: "Not charging",
  none: "No policy active",
};

/** Builds the summary shown on the dashboard. */
export function summarisePolicy(s: StateDocument, nowMs: number): PolicySummary {
  const kind = policyKind(s);
  const name = s.policy.active ?? "None";
  const reasons: string[] = [];
  const sc = s.schedule;
  if (s.policy.forced) {
    reasons.push(
      `Forced from the Policy page until ${fmtClock(s.policy.forced.until)}; normal selection resumes then.`,
    );
  } else if (name === "Charge Now" && s.chargeNow.active) {
    const ends = isoMs(s.chargeNow.endsAt);
    const left = Number.isFinite(ends) ? ` (${fmtDuration(ends - nowMs)} left)` : "";
    reasons.push(`Charge Now at ${s.chargeNow.amps} A until ${fmtClock(s.chargeNow.endsAt)}${left}.`);
  } else if (name === "Scheduled Charging") {
    reasons.push(
      `Inside the charging schedule (${minuteToHHMM(sc.startMinute)}–${minuteToHHMM(sc.endMinute)}) at ${sc.amps} A.`,
    );
  } else if (name === "Track Green Energy") {
    if (sc.nonScheduledAction === 3)
      reasons.push(
        "The non-scheduled action is “track green energy”, so solar surplus is followed at all hours.",
      );
    else
      reasons.push(
        `Daytime: between ${hourLabel(Math.max(sc.sunriseHour, sc.resumeGreenEnergyHour))} and sunset (${hourLabel(sc.sunsetHour)}) the chargers follow the solar surplus.`,
      );
  } else if (name === "Non Scheduled Charging") {
    reasons.push(
      sc.nonScheduledAction === 2
        ? "Outside the schedule and solar hours; the non-scheduled action is “do not charge”."
        : sc.nonScheduledAmps > 0
          ? `Outside the schedule and solar hours; the non-scheduled action charges at ${sc.nonScheduledAmps} A.`
          : "Outside the schedule and solar hours; the non-scheduled rate is 0 A, so nothing is offered (set it on the Settings page).",
    );
  } else if (s.policy.active === null) {
    reasons.push("No policy has matched yet, so nothing is offered to the chargers.");
  } else {
    reasons.push("The conditions of this custom policy match.");
  }
  if (s.policy.latchedUntil)
    reasons.push(
      `Latched: held until ${fmtClock(s.policy.latchedUntil)} even if its conditions stop matching.`,
    );
  if (kind === "green" && s.energy.stale)
    reasons.push("Energy data is stale: stale sources count as 0 W, so the solar budget drops.");
  return { kind, kindWords: KIND_WORDS[kind], name, reasons };
}
