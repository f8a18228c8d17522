/**
 * One car's telemetry record (vehicles.md §7.1): the §1.2 fields a telemetry message sets, the sync
 * fields (`syncState`, `syncTimestamp`, `syncSource`, `syncLat/Lon`) and the staleness rule. Pure: the
 * caller passes the time and the home position.
 */
import type { VehicleOnlineState, VehicleSource, VehicleStatus } from "../capabilities.ts";
import { atHome, homeKnown } from "../tesla/at-home.ts";
import { emptyVehicleStatus } from "../vehicle-status.ts";

/** A record field a telemetry message can set (names of vehicles.md §1.2). */
export type TelemetryField =
  | "name"
  | "batteryLevel"
  | "chargeLimit"
  | "syncLat"
  | "syncLon"
  | "syncState"
  | "timeToFullCharge"
  | "availableCurrent"
  | "actualCurrent"
  | "phases"
  | "voltage"
  | "chargingState";

/** One parsed value for one field. */
export interface TelemetryUpdate {
  field: TelemetryField;
  value: number | string;
}

/** §7.1: a source silent this long (s) while the car is awake hands the car back to polling. */
export const SYNC_TIMEOUT_S = 3600;

/** `syncState` values of an awake car (TeslaMate's states and the Fleet Telemetry derived ones). */
const AWAKE = new Set(["online", "charging", "driving", "updating", "starting"]);

/** The connection state of the common model for a `syncState`. */
export function onlineStateOf(syncState: string): VehicleOnlineState {
  if (AWAKE.has(syncState)) return "online";
  if (syncState === "asleep" || syncState === "suspended") return "asleep";
  if (syncState === "offline") return "offline";
  return "unknown";
}

/** Lenient number (§5.3 *Ours*): `trunc(float)` for integers; null for empty or not a number. */
export function lenientNumber(raw: unknown, integer: boolean): number | null {
  const text = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim() : "";
  if (text === "") return null;
  const n = Number(text);
  if (!Number.isFinite(n)) return null;
  return integer ? Math.trunc(n) : n;
}

/** The record of one car fed by one telemetry module. */
export class TelemetryCar {
  readonly status: VehicleStatus;
  /** `syncState` (online, asleep, offline, charging, driving, updating, …); "asleep" initially (§1.2). */
  syncState = "asleep";
  /** Epoch ms of the last applied message, 0 before. */
  syncTimestampMs = 0;
  /** Whether this module feeds the car now (false after §7.1 staleness: the Fleet API polls it again). */
  active = false;
  syncLat: number | null = null;
  syncLon: number | null = null;

  constructor(vin: string, source: VehicleSource) {
    this.status = emptyVehicleStatus(vin, source);
  }

  /**
   * Applies one value (§7.1): the field, `syncTimestamp` = now, the module becomes the car's source.
   * Returns true when the source switched back to this module ("telemetry resumed").
   */
  apply(u: TelemetryUpdate, nowMs: number): boolean {
    const s = this.status;
    const num = typeof u.value === "number" ? u.value : Number(u.value);
    switch (u.field) {
      case "name":
        s.name = String(u.value);
        break;
      case "batteryLevel":
        s.socPercent = num;
        break;
      case "chargeLimit":
        s.chargeLimitPercent = num;
        break;
      case "syncLat":
        this.syncLat = num;
        break;
      case "syncLon":
        this.syncLon = num;
        break;
      case "syncState":
        this.syncState = String(u.value);
        s.onlineState = onlineStateOf(this.syncState);
        break;
      case "timeToFullCharge":
        s.timeToFullChargeH = num;
        break;
      case "availableCurrent":
        s.availableCurrentA = num;
        break;
      case "actualCurrent":
        s.actualCurrentA = num;
        break;
      case "phases":
        s.phases = num;
        break;
      case "voltage":
        s.voltage = num;
        break;
      case "chargingState":
        s.chargingState = String(u.value);
        break;
    }
    if ((u.field === "syncLat" || u.field === "syncLon") && this.syncLat !== null && this.syncLon !== null)
      s.location = { lat: this.syncLat, lon: this.syncLon, gpsAsOfMs: nowMs };
    this.syncTimestampMs = nowMs;
    s.updatedAtMs = nowMs;
    s.lastSeenMs = nowMs;
    const resumed = !this.active;
    this.active = true;
    return resumed;
  }

  /** §2.12 on the telemetry position; null while the position or home is unknown (telemetry never adopts a home). */
  locate(home: { lat: number; lon: number }, atHomeRadiusFt: number): void {
    const loc = this.status.location;
    if (loc === null || !homeKnown(home.lat, home.lon)) {
      this.status.atHome = null;
      return;
    }
    this.status.atHome = atHome({ home, car: { lat: loc.lat, lon: loc.lon }, atHomeRadiusFt, fixAgeS: 0 }).atHome;
  }

  /**
   * §7.1 staleness check (run every `syncTimeout`): an awake car silent for more than 3600 s goes back to
   * polling. Returns true when it did (the caller logs the error). A car silent while asleep stays.
   */
  checkStale(nowMs: number): boolean {
    if (!this.active) return false;
    if (nowMs - this.syncTimestampMs <= SYNC_TIMEOUT_S * 1000) return false;
    if (!AWAKE.has(this.syncState)) return false;
    this.active = false;
    return true;
  }
}
