/**
 * One Home Assistant car's record (vehicles.md §6.3): the common VehicleStatus filled from the
 * entities' states, and the pure conversions (charging words, numbers, at-home). Pure.
 */
import type { VehicleStatus } from "../capabilities.ts";
import { atHome } from "../tesla/at-home.ts";
import type { HassState } from "./hass-client.ts";
import type { HassCarDef } from "./hass-discovery.ts";
import { emptyVehicleStatus } from "../vehicle-status.ts";

/** States of the charging sensor (or the charge switch) that mean "charging" (§6.3). */
const CHARGING_WORDS = new Set(["charging", "starting", "on"]);

/** Tesla's `charging_state` words for the integration's lower-case sensor values. */
const CHARGING_STATE: Readonly<Record<string, string>> = {
  charging: "Charging",
  starting: "Starting",
  stopped: "Stopped",
  complete: "Complete",
  disconnected: "Disconnected",
  no_power: "NoPower",
  nopower: "NoPower",
};

/** A number state, null for `unavailable`, `unknown` or not a number. */
export function stateNumber(s: HassState): number | null {
  const t = s.state.trim();
  if (t === "") return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** True when the state means the car charges. */
export function isCharging(s: HassState): boolean {
  return CHARGING_WORDS.has(s.state.trim().toLowerCase());
}

/** The `chargingState` word of a charging-sensor state ("Unknown" for what the integration does not document). */
export function chargingStateOf(s: HassState): string {
  return CHARGING_STATE[s.state.trim().toLowerCase()] ?? "Unknown";
}

/** The car's position from a tracker's attributes, null when absent. */
export function trackerPosition(s: HassState): { lat: number; lon: number } | null {
  const lat = Number(s.attributes.latitude);
  const lon = Number(s.attributes.longitude);
  return s.attributes.latitude !== undefined && s.attributes.longitude !== undefined && Number.isFinite(lat) && Number.isFinite(lon) ? { lat, lon } : null;
}

/** §6.3 at home: tracker state `home`, else the §2.12 square (an unknown home adopts this position). */
export function hassAtHome(tracker: HassState, pos: { lat: number; lon: number } | null, home: { lat: number; lon: number }, radiusFt: number): { atHome: boolean | null; adopt: { lat: number; lon: number } | null } {
  if (tracker.state.trim().toLowerCase() === "home") return { atHome: true, adopt: null };
  if (pos === null) return { atHome: false, adopt: null };
  const v = atHome({ home, car: pos, atHomeRadiusFt: radiusFt, fixAgeS: 0 });
  return { atHome: v.atHome, adopt: v.adoptHome };
}

/** A car as the module keeps it. */
export class HassCar {
  readonly status: VehicleStatus;
  /** Whether it charges now (§6.3), null before the first read. */
  charging: boolean | null = null;
  /** Epoch ms of the last full read, 0 before. */
  readAtMs = 0;
  /** Epoch ms of the last start/stop sent to this car (10 s gap), −∞ before. */
  lastChargeCommandMs = Number.NEGATIVE_INFINITY;

  constructor(readonly def: HassCarDef) {
    this.status = emptyVehicleStatus(def.vin, "HomeAssistant", { name: def.name });
  }
}
