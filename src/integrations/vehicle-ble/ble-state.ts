/**
 * A car's record from BLE state reads (vehicles.md §4.8): the `state charge` / `state location`
 * fields put into the common VehicleStatus (source TeslaBLE). A field the read lacks keeps its value.
 * Pure.
 */
import type { VehicleStatus } from "../capabilities.ts";
import type { BleState } from "./output.ts";
import { emptyVehicleStatus } from "../vehicle-status.ts";

/** A record with nothing known yet. */
export function emptyBleStatus(vin: string): VehicleStatus {
  return emptyVehicleStatus(vin, "TeslaBLE");
}

/** The record after a read at `nowMs` (a new object). */
export function applyBleState(s: VehicleStatus, st: BleState, nowMs: number): VehicleStatus {
  // A car that answers over Bluetooth is within a few metres of the adapter at the TWC: at home.
  const out: VehicleStatus = { ...s, lastSeenMs: nowMs, updatedAtMs: nowMs, onlineState: "online", atHome: true };
  if (st.batteryLevel !== undefined) out.socPercent = st.batteryLevel;
  if (st.chargeLimitSoc !== undefined) out.chargeLimitPercent = st.chargeLimitSoc;
  if (st.chargingState !== undefined) out.chargingState = st.chargingState;
  if (st.timeToFullCharge !== undefined) out.timeToFullChargeH = st.timeToFullCharge;
  if (st.chargerPilotCurrent !== undefined) out.availableCurrentA = st.chargerPilotCurrent;
  if (st.chargerActualCurrent !== undefined) out.actualCurrentA = st.chargerActualCurrent;
  if (st.chargerPhases !== undefined) out.phases = st.chargerPhases;
  if (st.chargerVoltage !== undefined) out.voltage = st.chargerVoltage;
  if (st.scheduledChargingPending !== undefined) out.scheduledChargingPending = st.scheduledChargingPending;
  if (st.latitude !== undefined && st.longitude !== undefined)
    out.location = { lat: st.latitude, lon: st.longitude, gpsAsOfMs: st.gpsAsOf !== undefined ? st.gpsAsOf * 1000 : null };
  return out;
}

/** `chargeLimits[vin]` → [outside, lastApplied] (a bare integer means [value, 0]; null entries 0). */
export function limitEntry(v: unknown): [number, number] | null {
  if (v === undefined) return null;
  if (typeof v === "number") return [v, 0];
  if (Array.isArray(v)) {
    const n = (x: unknown): number => (typeof x === "number" && Number.isFinite(x) ? x : 0);
    return [n(v[0]), n(v[1])];
  }
  return v === null ? [0, 0] : null;
}
