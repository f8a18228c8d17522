/**
 * TeslaMate's MQTT topics (vehicles.md §5.3): `teslamate/[<namespace>/]cars/<id>/<field>`, one
 * subscription per field, lenient values (numbers as `trunc(float)`, empty payloads ignored). Pure.
 */
import { lenientNumber, type TelemetryField, type TelemetryUpdate } from "../vehicle-telemetry/telemetry-car.ts";

type Kind = "int" | "float" | "string" | "phases";

/** Topic field → record field and conversion (§5.3 table). */
export const TESLAMATE_FIELDS: Readonly<Record<string, { field: TelemetryField; kind: Kind }>> = {
  display_name: { field: "name", kind: "string" },
  battery_level: { field: "batteryLevel", kind: "int" },
  charge_limit_soc: { field: "chargeLimit", kind: "int" },
  latitude: { field: "syncLat", kind: "float" },
  longitude: { field: "syncLon", kind: "float" },
  state: { field: "syncState", kind: "string" },
  time_to_full_charge: { field: "timeToFullCharge", kind: "float" },
  charger_pilot_current: { field: "availableCurrent", kind: "int" },
  charger_actual_current: { field: "actualCurrent", kind: "int" },
  charger_phases: { field: "phases", kind: "phases" },
  charger_voltage: { field: "voltage", kind: "int" },
  charging_state: { field: "chargingState", kind: "string" },
};

/** The subscriptions for namespace `prefix` ("" = none). */
export function teslaMateFilters(prefix: string): string[] {
  const base = prefix === "" ? "teslamate/cars" : `teslamate/${prefix}/cars`;
  return Object.keys(TESLAMATE_FIELDS).map((f) => `${base}/+/${f}`);
}

/** The car id and topic field of a topic in namespace `prefix`, null for another namespace or topic. */
export function parseTeslaMateTopic(prefix: string, topic: string): { carId: string; field: string } | null {
  const parts = topic.split("/");
  const n = parts.length;
  if (n < 4 || parts[0] !== "teslamate" || parts[n - 3] !== "cars") return null;
  if (parts.slice(1, n - 3).join("/") !== prefix) return null;
  const carId = parts[n - 2] ?? "";
  const field = parts[n - 1] ?? "";
  return carId !== "" && field in TESLAMATE_FIELDS ? { carId, field } : null;
}

/** The update of one payload; null for an empty or unparsable one. */
export function teslaMateValue(field: string, payload: string): TelemetryUpdate | null {
  const spec = TESLAMATE_FIELDS[field];
  const text = payload.trim();
  if (spec === undefined) return null;
  if (text === "") return spec.kind === "phases" ? { field: spec.field, value: 0 } : null;
  switch (spec.kind) {
    case "string":
      return { field: spec.field, value: text };
    case "phases":
    case "int": {
      const v = lenientNumber(text, true);
      return v === null ? null : { field: spec.field, value: v };
    }
    case "float": {
      const v = lenientNumber(text, false);
      return v === null ? null : { field: spec.field, value: v };
    }
  }
}
