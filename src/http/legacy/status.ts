/** GET /api/getStatus (http-api.md §6.1): a pure renderer; also the body of policy webhooks. */
import type { StateDocument } from "../../state/types.ts";
import { fmt2, round2 } from "../fmt.ts";

/** Exact (unrounded) energy figures computed in the same step as the state document. */
export interface ExactEnergy {
  chargerLoadW: number;
  consumptionW: number;
  generationW: number;
  voltage: number;
  phases: number;
}

/** Local calendar fields used for currentServerTime. */
export interface LocalClock {
  year: number;
  mon: number;
  mday: number;
  hour: number;
  min: number;
}

/** Everything getStatus is rendered from. */
export interface StatusInputs {
  doc: Readonly<StateDocument>;
  exact: ExactEnergy;
  settings: Readonly<Record<string, unknown>>;
  /** The flex start window when flex start applies (controller.md §18), else null. */
  flex: { startHour: number; daysBitmap: number } | null;
  nowMs: number;
  local: LocalClock;
}

const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;

function num(v: unknown, fallback: number): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  return fallback;
}

function ampsView(watts: number, vp: number): string | [string] {
  return watts === 0 ? "0.00" : [fmt2(watts / vp)];
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** The getStatus document with keys in the exact legacy order. */
export function renderStatus(i: StatusInputs): Record<string, unknown> {
  const s = i.settings;
  const vp = i.exact.voltage * i.exact.phases || 240;
  const start = num(s.scheduledAmpsStartHour, -1);
  const end = num(s.scheduledAmpsEndHour, -1);
  const days = Math.trunc(num(s.scheduledAmpsDaysBitmap, 127));
  const amps = num(s.scheduledAmpsMax, 0);
  const flexStart = i.flex ? round2(i.flex.startHour) : start;
  const flexDays = i.flex ? i.flex.daysBitmap : days;
  const minute = (h: number): number => (h < 0 ? -1 : Math.round(h * 60));

  const scheduled: Record<string, unknown> = {
    enabled: start >= 0 && end >= 0 && days > 0 && amps > 0,
    amps: Math.trunc(amps),
    startingMinute: minute(start),
    endingMinute: minute(end),
  };
  DAYS.forEach((d, bit) => (scheduled[d] = (days & (1 << bit)) !== 0));
  scheduled.flexStartEnabled = num(s.scheduledAmpsFlexStart, 0) ? 1 : 0;
  scheduled.flexStartingMinute = start < 0 ? -1 : minute(flexStart);
  scheduled.flexEndingMinute = minute(end);
  DAYS.forEach((d, bit) => (scheduled[`flex${d[0]!.toUpperCase()}${d.slice(1)}`] = (flexDays & (1 << bit)) !== 0));
  scheduled.flexBatterySize = num(s.scheduledAmpsBatterySize, 100);

  const out: Record<string, unknown> = {
    carsCharging: i.doc.totals.carsCharging,
    chargerLoadWatts: fmt2(i.exact.chargerLoadW),
    chargerLoadAmps: [fmt2(i.exact.chargerLoadW / vp)],
    currentPolicy: i.doc.policy.active ?? "None",
    maxAmpsToDivideAmongSlaves: fmt2(i.doc.budget.maxAmpsToDivide),
  };
  if (s.sendServerTime === 1 || s.sendServerTime === true) {
    const l = i.local;
    out.currentServerTime = `${l.year}-${pad2(l.mon)}-${pad2(l.mday)}, ${pad2(l.hour)}:${pad2(l.min)}&nbsp;|&nbsp;`;
  }
  out.consumptionAmps = ampsView(i.exact.consumptionW, vp);
  out.consumptionWatts = fmt2(i.exact.consumptionW);
  out.generationAmps = ampsView(i.exact.generationW, vp);
  out.generationWatts = fmt2(i.exact.generationW);
  out.isGreenPolicy = i.doc.policy.active !== null && i.doc.policy.green ? "Yes" : "No";
  out.scheduledChargingStartHour = Math.trunc(start);
  out.scheduledChargingFlexStart = flexStart;
  out.scheduledChargingEndHour = end;
  out.ScheduledCharging = scheduled;
  const endAt = num(s.chargeNowTimeEnd, 0);
  if (endAt > i.nowMs / 1000) out.chargeNowTimeEnd = endAt;
  const cnAmps = num(s.chargeNowAmps, 0);
  if (cnAmps > 0) out.chargeNowAmps = cnAmps;
  return out;
}
