/**
 * The per-car record of the Fleet API module (vehicles.md §1.2) with its bookkeeping (§2.8–§2.10), and
 * the pure readers of the vehicle list and of `vehicle_data`. A field missing from an answer keeps its
 * previous value; an answer of the wrong shape is an error for that car (never a throw).
 */
import type { VehicleLastCommand, VehicleOnlineState, VehicleStatus } from "../capabilities.ts";
import { emptyVehicleStatus } from "../vehicle-status.ts";

/** The record plus what the module keeps about the car. */
export interface CarRecord {
  status: VehicleStatus;
  errorCount: number;
  lastErrorMs: number;
  /** 429 / Retry-After: no request to this car before this time. */
  rateLimitedUntilMs: number;
  firstChargeNeededMs: number;
  firstWakeAttemptMs: number;
  /** s */
  delayNextWakeS: number;
  lastAPIAccessMs: number;
  /** §2.8 online-check cache: last answer and its time. */
  awakeCheckedMs: number;
  awake: boolean;
  statusDeferralMs: number;
  lastLimitAttemptMs: number;
  /** Logged "failed to wake for > 1 h" already. */
  wakeErrorLogged: boolean;
}

/** A fresh record for a listed car. */
export function newRecord(vin: string, id: number | null, name: string): CarRecord {
  return {
    status: emptyVehicleStatus(vin, "TeslaAPI", { id, name: name !== "" ? name : vin }),
    errorCount: 0,
    lastErrorMs: 0,
    rateLimitedUntilMs: 0,
    firstChargeNeededMs: 0,
    firstWakeAttemptMs: 0,
    delayNextWakeS: 0,
    lastAPIAccessMs: 0,
    awakeCheckedMs: 0,
    awake: false,
    statusDeferralMs: 0,
    lastLimitAttemptMs: 0,
    wakeErrorLogged: false,
  };
}

/** One entry of the vehicle list. */
export interface ListedCar {
  id: number | null;
  vin: string;
  name: string;
  state: VehicleOnlineState;
}

/** The online state from a `state` string. */
export function onlineState(v: unknown): VehicleOnlineState {
  return v === "online" || v === "asleep" || v === "offline" || v === "waking" ? v : "unknown";
}

/** §2.6/§2.7: the list; entries without a VIN are skipped; null when the shape is wrong. */
export function parseList(body: unknown): ListedCar[] | null {
  if (typeof body !== "object" || body === null) return null;
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.response) || b.count === undefined) return null;
  const out: ListedCar[] = [];
  for (const e of b.response as unknown[]) {
    if (typeof e !== "object" || e === null) continue;
    const r = e as Record<string, unknown>;
    if (typeof r.vin !== "string" || r.vin.trim() === "") continue;
    const id = typeof r.id === "number" && Number.isSafeInteger(r.id) ? r.id : typeof r.id === "string" && /^\d+$/.test(r.id) ? Number(r.id) : null;
    const name = typeof r.display_name === "string" && r.display_name.trim() !== "" ? r.display_name.trim() : r.vin.trim();
    out.push({ id, vin: r.vin.trim().toUpperCase(), name, state: onlineState(r.state) });
  }
  return out;
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | null => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** What a vehicle_data answer changed: the position read (for the at-home check) and shift state. */
export interface DataRead {
  /** lat/lon both present. */
  position: { lat: number; lon: number; gpsAsOfMs: number | null } | null;
  shiftState: string | null;
}

/** Applies `vehicle_data`'s response to the status (missing fields keep their values); null when it is not an object. */
export function applyVehicleData(s: VehicleStatus, response: unknown, nowMs: number): DataRead | null {
  const r = obj(response);
  if (r === null) return null;
  const cs = obj(r.charge_state);
  if (cs) {
    const soc = num(cs.battery_level);
    if (soc !== undefined && soc >= 0 && soc <= 100) s.socPercent = Math.round(soc);
    const lim = num(cs.charge_limit_soc);
    if (lim !== undefined && lim >= 0 && lim <= 100) s.chargeLimitPercent = Math.round(lim);
    if (typeof cs.charging_state === "string" && cs.charging_state !== "") s.chargingState = cs.charging_state;
    const ttf = num(cs.time_to_full_charge);
    if (ttf !== undefined && ttf >= 0) s.timeToFullChargeH = ttf;
    const set = (k: "chargeCurrentRequestA" | "availableCurrentA" | "actualCurrentA" | "phases" | "voltage", v: unknown): void => {
      const n = num(v);
      if (n !== undefined && n >= 0) s[k] = n;
    };
    set("chargeCurrentRequestA", cs.charge_current_request);
    set("availableCurrentA", cs.charger_pilot_current);
    set("actualCurrentA", cs.charger_actual_current);
    set("phases", cs.charger_phases);
    set("voltage", cs.charger_voltage);
    if (typeof cs.scheduled_charging_pending === "boolean") s.scheduledChargingPending = cs.scheduled_charging_pending;
    s.updatedAtMs = nowMs;
  }
  const vs = obj(r.vehicle_state);
  if (vs && typeof vs.vehicle_name === "string" && vs.vehicle_name.trim() !== "") s.name = vs.vehicle_name.trim();
  const ds = obj(r.drive_state);
  let position: DataRead["position"] = null;
  let shiftState: string | null = null;
  if (ds) {
    const lat = num(ds.latitude);
    const lon = num(ds.longitude);
    const asOf = num(ds.gps_as_of);
    if (lat !== undefined && lon !== undefined && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
      position = { lat, lon, gpsAsOfMs: asOf !== undefined ? asOf * 1000 : null };
      s.location = position;
    }
    shiftState = typeof ds.shift_state === "string" ? ds.shift_state : null;
  }
  if (typeof r.state === "string") s.onlineState = onlineState(r.state);
  return { position, shiftState };
}

/** A copy of the status for readers (they must not change the module's record). */
export function snapshotStatus(s: VehicleStatus): VehicleStatus {
  return { ...s, location: s.location ? { ...s.location } : null, lastCommand: s.lastCommand ? copyCommand(s.lastCommand) : null };
}

function copyCommand(c: VehicleLastCommand): VehicleLastCommand {
  return { ...c, body: c.body ? { ...c.body } : null, result: { ...c.result } };
}
