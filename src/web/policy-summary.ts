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

const TM_WORDS: Readonly<Record<string, string>> = {
  tm_hour: "the hour",
  tm_min: "the minute",
  tm_sec: "the second",
  tm_wday: "the weekday",
  tm_mday: "the day of the month",
  tm_mon: "the month",
  tm_year: "the year",
  tm_yday: "the day of the year",
  tm_isdst: "daylight saving time (1 = on)",
};

const SETTING_WORDS: Readonly<Record<string, string>> = {
  chargeNowAmps: "the Charge Now rate",
  chargeNowTimeEnd: "the end of Charge Now",
  sunrise: "the sunrise hour",
  sunset: "the sunset hour",
  hourResumeTrackGreenEnergy: "the hour solar tracking resumes",
  nonScheduledAction: "the non-scheduled action",
  nonScheduledAmpsMax: "the non-scheduled rate",
  scheduledAmpsMax: "the scheduled rate",
};

const MACRO_WORDS: Readonly<Record<string, string>> = {
  now: "now",
  "checkScheduledCharging()": "the charging schedule is active (1 = yes)",
  "nonScheduledAmps()": "the non-scheduled rate",
  "getMaxAmpsForTargetGridUsage()": "the solar budget",
  "getMaxAmpsToDivideGreenEnergy()": "the solar budget",
};

const OP_WORDS: Readonly<Record<string, string>> = {
  gt: "is above",
  gte: "is at least",
  lt: "is below",
  lte: "is at most",
  eq: "is",
  ne: "is not",
};

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const ACTIONS: Readonly<Record<number, string>> = { 1: "charge at a fixed rate", 2: "do not charge", 3: "track green energy" };

/** "batteryLevel" → "battery level". */
function attrWords(attr: string): string {
  return attr.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/_/g, " ").toLowerCase();
}

/** An operand in words: "the hour", "the battery level of Powerwall2", "the setting foo", "80". */
export function operandWords(x: unknown): string {
  if (typeof x !== "string") return typeof x === "number" ? String(x) : (JSON.stringify(x) ?? String(x));
  const known = TM_WORDS[x] ?? MACRO_WORDS[x];
  if (known !== undefined) return known;
  if (x.startsWith("settings.")) {
    const k = x.slice("settings.".length);
    return SETTING_WORDS[k] ?? `the setting ${k}`;
  }
  if (x.startsWith("config.")) return `the configured ${x.slice("config.".length)}`;
  const m = /^modules\.([^.]+)\.(.+)$/.exec(x);
  if (m) return `the ${attrWords(m[2] ?? "")} of ${m[1] ?? ""}`;
  return `“${x}”`;
}

/** A compared value in words, given what it is compared with: hours as "08:00", weekdays, actions, percent. */
export function valueWords(match: unknown, value: unknown, resolved: unknown): string {
  const v = typeof resolved === "number" ? resolved : null;
  const m = typeof match === "string" ? match : "";
  const own = typeof value === "string" && !/^-?\d/.test(value) ? ` (${operandWords(value)})` : "";
  if (v === null) return typeof value === "string" ? operandWords(value) : operandWords(resolved);
  if (m === "tm_hour" || m.endsWith("sunrise") || m.endsWith("sunset") || m.endsWith("hourResumeTrackGreenEnergy"))
    return `${Number.isInteger(v) && v >= 0 && v <= 24 ? hourLabel(v) : String(v)}${own}`;
  if (m === "tm_wday") return `${WEEKDAYS[v] ?? String(v)}${own}`;
  if (m.endsWith("nonScheduledAction")) return `“${ACTIONS[v] ?? String(v)}”${own}`;
  if (/battery|soc|percent/i.test(m)) return `${v} %${own}`;
  if (m.endsWith("chargeNowTimeEnd") || value === "now") return typeof value === "string" ? operandWords(value) : String(v);
  return `${Number.isInteger(v) ? String(v) : v.toFixed(2)}${own}`;
}

/** One condition in words: "the battery level of Powerwall2 is above 80 %", "the hour is at least 08:00 (the sunrise hour)". */
export function conditionSentence(match: unknown, condition: unknown, value: unknown, resolvedValue: unknown): string {
  if (condition === "none") return "always holds";
  if (condition === "false") return "never holds";
  if (match === "checkScheduledCharging()" && condition === "eq" && (value === 1 || value === true))
    return "the charging schedule is active";
  const op = typeof condition === "string" ? OP_WORDS[condition] : undefined;
  if (op === undefined) return `${operandWords(match)} — unknown condition ${JSON.stringify(condition)} (never holds)`;
  if (match === "settings.chargeNowTimeEnd" && condition === "gt" && value === 0) return "Charge Now has an end time";
  if (value === "tm_hour" && (condition === "lte" || condition === "lt"))
    return `${operandWords(match)} has ${condition === "lt" ? "passed" : "been reached"}`;
  const time = value === "now" || match === "now";
  const timeOp = condition === "gt" ? "is after" : condition === "lt" ? "is before" : op;
  return `${operandWords(match)} ${time ? timeOp : op} ${valueWords(match, value, resolvedValue)}`;
}

/** A leaf of an AND group as the "between" finder needs it. */
export interface HourLeaf {
  match: unknown;
  condition: unknown;
  /** The resolved value, when known. */
  value: unknown;
}

/** "it is between 08:00 and 16:00" when an AND group bounds tm_hour from below and above, else null. */
export function betweenSentence(leaves: readonly HourLeaf[]): string | null {
  const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const from = leaves.find((l) => l.match === "tm_hour" && (l.condition === "gte" || l.condition === "gt"));
  const to = leaves.find((l) => l.match === "tm_hour" && (l.condition === "lt" || l.condition === "lte"));
  const a = from ? num(from.value) : null;
  const b = to ? num(to.value) : null;
  if (a === null || b === null || !from || !to) return null;
  const start = from.condition === "gt" ? a + 1 : a;
  const end = to.condition === "lte" ? b + 1 : b;
  const label = (h: number): string => (Number.isInteger(h) && h >= 0 && h <= 24 ? hourLabel(h) : String(h));
  return `it is between ${label(start)} and ${label(end)}`;
}
