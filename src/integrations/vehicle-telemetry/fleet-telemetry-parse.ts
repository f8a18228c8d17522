/**
 * Fleet Telemetry's MQTT datastore topics (vehicles.md §7.2): `<prefix>/<VIN>/v/<Field>` with a JSON
 * value, `<prefix>/<VIN>/connectivity`; the record fields they set and the derived `syncState`. Pure.
 */
import { lenientNumber, type TelemetryUpdate } from "./telemetry-car.ts";

/** A VIN as Tesla writes it. */
const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;

/** What a topic is about: a field value, a connectivity event, or nothing we read. */
export type FleetTopic = { kind: "field"; vin: string; field: string } | { kind: "connectivity"; vin: string } | null;

/** Splits a topic under `prefix` (one or more segments; "" = none). */
export function parseFleetTopic(prefix: string, topic: string): FleetTopic {
  const head = prefix === "" ? "" : `${prefix}/`;
  if (!topic.startsWith(head)) return null;
  const parts = topic.slice(head.length).split("/");
  const vin = parts[0] ?? "";
  if (!VIN.test(vin)) return null;
  if (parts.length === 3 && parts[1] === "v" && parts[2] !== "") return { kind: "field", vin, field: parts[2]! };
  if (parts.length === 2 && parts[1] === "connectivity") return { kind: "connectivity", vin };
  return null;
}

/** Gears that mean driving. */
const DRIVING_GEARS = new Set(["R", "N", "D", "ShiftStateR", "ShiftStateN", "ShiftStateD"]);

const PREFIX = "DetailedChargeState";

/** The state a message implies: a new state, or the end of driving / charging. */
export type StateEvent = "online" | "offline" | "driving" | "charging" | "end-driving" | "end-charging";

/** §7.2 derived `syncState`: applied only when it differs; `online` never replaces `driving` or `charging`. */
export function nextSyncState(current: string, e: StateEvent): string {
  switch (e) {
    case "online":
      return current === "driving" || current === "charging" ? current : "online";
    case "end-driving":
      return current === "driving" ? "online" : current;
    case "end-charging":
      return current === "charging" ? "online" : current;
    case "offline":
    case "driving":
    case "charging":
      return e;
  }
}

/** What one field message gives: record updates and the state events it implies (besides `online`). */
export interface FieldResult {
  updates: TelemetryUpdate[];
  events: StateEvent[];
}

const asText = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : "");

/** One `v/<Field>` value (already JSON-decoded). Unknown fields give nothing but `online`. */
export function fleetField(field: string, value: unknown): FieldResult {
  const out: FieldResult = { updates: [], events: ["online"] };
  const put = (f: TelemetryUpdate["field"], v: number | string | null): void => {
    if (v !== null) out.updates.push({ field: f, value: v });
  };
  switch (field) {
    case "VehicleName":
      if (asText(value).trim() !== "") put("name", asText(value).trim());
      break;
    case "BatteryLevel":
      put("batteryLevel", lenientNumber(value, true));
      break;
    case "ChargeLimitSoc":
      put("chargeLimit", lenientNumber(value, true));
      break;
    case "Location": {
      if (value !== null && typeof value === "object") {
        const o = value as Record<string, unknown>;
        const lat = lenientNumber(o.latitude, false);
        const lon = lenientNumber(o.longitude, false);
        if (lat !== null && lon !== null && lat !== 0 && lon !== 0) {
          put("syncLat", lat);
          put("syncLon", lon);
        }
      }
      break;
    }
    case "TimeToFullCharge":
      put("timeToFullCharge", lenientNumber(value, false));
      break;
    case "ChargeCurrentRequest":
      put("availableCurrent", lenientNumber(value, true));
      break;
    case "ChargeAmps":
      put("actualCurrent", lenientNumber(value, false));
      break;
    case "ChargerPhases":
      put("phases", asText(value).trim() === "" ? 0 : lenientNumber(value, true));
      break;
    case "ChargerVoltage":
      put("voltage", lenientNumber(value, false));
      break;
    case "DetailedChargeState": {
      const t = asText(value).trim();
      if (t === "") break;
      put("chargingState", t.startsWith(PREFIX) ? t.slice(PREFIX.length) : t);
      out.events.push(t === `${PREFIX}Charging` ? "charging" : "end-charging");
      break;
    }
    case "Gear": {
      const t = asText(value).trim();
      out.events.push(DRIVING_GEARS.has(t) ? "driving" : "end-driving");
      break;
    }
  }
  return out;
}

/** A `connectivity` payload's event: CONNECTED → online, DISCONNECTED → offline, else none. */
export function connectivityEvent(value: unknown): StateEvent | null {
  const status = value !== null && typeof value === "object" ? asText((value as Record<string, unknown>).Status).toUpperCase() : "";
  if (status === "CONNECTED") return "online";
  if (status === "DISCONNECTED") return "offline";
  return null;
}
