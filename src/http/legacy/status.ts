/**
 * GET /api/getStatus (http-api.md §6.1): a pure renderer of the state snapshot (the document and the
 * exact energy figures published with it) and the settings; also the body of policy webhooks.
 */
import type { Settings } from "../../config/settings-schema.ts";
import type { ExactEnergy } from "../../state/store.ts";
import type { StateDocument } from "../../state/types.ts";
import { scheduleView } from "../../policy/schedule.ts";
import { fmt2 } from "../fmt.ts";

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
  exact: Readonly<ExactEnergy>;
  settings: Readonly<Settings>;
  nowMs: number;
  local: LocalClock;
}

function ampsView(watts: number, vp: number): string | [string] {
  return watts === 0 ? "0.00" : [fmt2(watts / vp)];
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** The getStatus document with keys in the exact legacy order. */
export function renderStatus(i: StatusInputs): Record<string, unknown> {
  const s = i.settings;
  const vp = i.exact.voltage * i.exact.phases || 240;
  const schedule = scheduleView(s);
  const out: Record<string, unknown> = {
    carsCharging: i.doc.totals.carsCharging,
    chargerLoadWatts: fmt2(i.exact.chargerLoadW),
    chargerLoadAmps: [fmt2(i.exact.chargerLoadW / vp)],
    currentPolicy: i.doc.policy.active ?? "None",
    maxAmpsToDivideAmongSlaves: fmt2(i.doc.budget.maxAmpsToDivide),
  };
  if (s.sendServerTime === 1) {
    const l = i.local;
    out.currentServerTime = `${l.year}-${pad2(l.mon)}-${pad2(l.mday)}, ${pad2(l.hour)}:${pad2(l.min)}&nbsp;|&nbsp;`;
  }
  out.consumptionAmps = ampsView(i.exact.consumptionW, vp);
  out.consumptionWatts = fmt2(i.exact.consumptionW);
  out.generationAmps = ampsView(i.exact.generationW, vp);
  out.generationWatts = fmt2(i.exact.generationW);
  out.isGreenPolicy = i.doc.policy.active !== null && i.doc.policy.green ? "Yes" : "No";
  out.scheduledChargingStartHour = schedule.scheduledChargingStartHour;
  out.scheduledChargingFlexStart = schedule.scheduledChargingFlexStart;
  out.scheduledChargingEndHour = schedule.scheduledChargingEndHour;
  out.ScheduledCharging = schedule.ScheduledCharging;
  if (s.chargeNowTimeEnd > i.nowMs / 1000) out.chargeNowTimeEnd = s.chargeNowTimeEnd;
  if (s.chargeNowAmps > 0) out.chargeNowAmps = s.chargeNowAmps;
  return out;
}
