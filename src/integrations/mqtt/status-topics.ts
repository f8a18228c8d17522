/**
 * The MQTT status topics (config.md §5.2) as a pure function of the state document, and the plan of
 * what to publish when it changes: which topics changed, and which of them bypass the rate limit
 * (`carsCharging` transitions, `ampsInUse` 0 when `carsCharging` goes 1→0, `carsCharging` and
 * `ampsInUse` 0 for a removed slave, `currentPolicy` changes); with a vehicle module, each car's state
 * of charge, limit, charging state, at-home flag and time to full under `<prefix>/vehicle/<VIN>/`. Pure.
 */
import { round2 } from "../../shared/numbers.ts";
import type { Charger, StateDocument, VehicleDoc } from "../../state/types.ts";

/** The per-slave topic keys, in the order of config.md §5.2. */
export const CHARGER_KEYS = [
  "ampsMax",
  "ampsInUse",
  "state",
  "ampsOffered",
  "ampsDesired",
  "carsCharging",
  "chargerLoadInW",
  "lifetimekWh",
  "voltagePhaseA",
  "voltagePhaseB",
  "voltagePhaseC",
  "currentVehicleVIN",
  "lastVehicleVIN",
] as const;

/** One per-slave topic key. */
export type ChargerKey = (typeof CHARGER_KEYS)[number];

/** The `all` topic keys. */
export const ALL_KEYS = ["totalAmpsInUse", "maxAmpsForSlaves", "currentPolicy"] as const;

/** The topic of the availability (our extension; `offline` is the last will). */
export function availabilityTopic(prefix: string): string {
  return `${prefix}/availability`;
}

/** The topic of the policy details (our extension: the attributes of the Home Assistant policy sensor). */
export function policyDetailsTopic(prefix: string): string {
  return `${prefix}/all/policyDetails`;
}

/** A number as JavaScript prints it after rounding to 2 decimals (`16.24`, `32`, `0`). */
export function formatNumber(n: number): string {
  return String(round2(n));
}

function chargerValue(c: Charger, key: ChargerKey): string | null {
  switch (key) {
    case "ampsMax":
      return formatNumber(c.reportedAmpsMax);
    case "ampsInUse":
      return formatNumber(c.reportedAmpsActual);
    case "state":
      return String(Math.trunc(c.state));
    case "ampsOffered":
      return c.ampsOffered === null ? null : formatNumber(c.ampsOffered);
    case "ampsDesired":
      return c.ampsDesired === null ? null : formatNumber(c.ampsDesired);
    case "carsCharging":
      return c.charging ? "1" : "0";
    case "chargerLoadInW":
      return String(Math.round(c.powerW));
    case "lifetimekWh":
      return c.lifetimeKWh === null ? null : formatNumber(c.lifetimeKWh);
    case "voltagePhaseA":
      return formatNumber(c.voltage.a);
    case "voltagePhaseB":
      return formatNumber(c.voltage.b);
    case "voltagePhaseC":
      return formatNumber(c.voltage.c);
    case "currentVehicleVIN":
      return c.vin.current ?? "";
    case "lastVehicleVIN":
      return c.vin.last ?? "";
  }
}

/** The per-car topic keys (our extension: `<prefix>/vehicle/<VIN>/<key>`), docs/decisions.md "MQTT vehicle topics". */
export const VEHICLE_KEYS = ["batteryLevel", "chargeLimit", "chargingState", "atHome", "timeToFullCharge"] as const;

/** One per-car topic key. */
export type VehicleKey = (typeof VEHICLE_KEYS)[number];

/** A car's topic base (the VIN is 17 characters of [A-HJ-NPR-Z0-9], safe in a topic). */
export function vehicleTopic(prefix: string, vin: string, key: VehicleKey): string {
  return `${prefix}/vehicle/${vin}/${key}`;
}

function vehicleValue(v: VehicleDoc, key: VehicleKey): string | null {
  switch (key) {
    case "batteryLevel":
      return v.batteryLevel === null ? null : formatNumber(v.batteryLevel);
    case "chargeLimit":
      return v.chargeLimit === null ? null : formatNumber(v.chargeLimit);
    case "chargingState":
      return v.chargingState;
    case "atHome":
      return v.atHome === null ? null : v.atHome ? "1" : "0";
    case "timeToFullCharge":
      return v.timeToFullChargeH === null ? null : formatNumber(v.timeToFullChargeH);
  }
}

/** A short, human reason for the active policy (the attribute of the Home Assistant policy sensor). */
export function policyReason(doc: Readonly<StateDocument>): string {
  const p = doc.policy;
  if (p.active === null) return "no policy evaluated yet";
  if (p.forced !== null) return `forced until ${p.forced.until}`;
  if (p.active === "Charge Now" && doc.chargeNow.active)
    return `Charge Now at ${formatNumber(doc.chargeNow.amps)} A until ${doc.chargeNow.endsAt ?? "?"}`;
  if (p.latchedUntil !== null) return `latched until ${p.latchedUntil}`;
  return "its conditions matched";
}

/** Every status topic with its payload for `doc` (a value not known yet is left out). */
export function statusValues(
  doc: Readonly<StateDocument>,
  prefix: string,
  withPolicyDetails = false,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of doc.chargers) {
    for (const key of CHARGER_KEYS) {
      const v = chargerValue(c, key);
      if (v !== null) out.set(`${prefix}/${c.id}/${key}`, v);
    }
  }
  out.set(`${prefix}/all/totalAmpsInUse`, formatNumber(doc.totals.ampsActual));
  out.set(`${prefix}/all/maxAmpsForSlaves`, formatNumber(doc.budget.maxAmpsToDivide));
  if (doc.policy.active !== null) out.set(`${prefix}/all/currentPolicy`, doc.policy.active);
  out.set(`${prefix}/config/minAmpsPerTWC`, formatNumber(doc.budget.minAmpsPerTWC));
  for (const v of doc.vehicles ?? []) {
    if (!/^[A-HJ-NPR-Z0-9]{17}$/.test(v.vin)) continue; // never a topic level from an odd cloud answer
    for (const key of VEHICLE_KEYS) {
      const value = vehicleValue(v, key);
      if (value !== null) out.set(vehicleTopic(prefix, v.vin, key), value);
    }
  }
  if (withPolicyDetails) {
    const p = doc.policy;
    out.set(
      policyDetailsTopic(prefix),
      JSON.stringify({
        policy: p.active,
        reason: policyReason(doc),
        action: p.action,
        green: p.green,
        forcedUntil: p.forced?.until ?? null,
        latchedUntil: p.latchedUntil,
        lastEvaluatedAt: p.lastEvaluatedAt,
        chargeNowEndsAt: doc.chargeNow.endsAt,
      }),
    );
  }
  return out;
}

/** One publish the status module should make. */
export interface PlannedPublish {
  topic: string;
  payload: string;
  /** Published at once, whatever the rate limit. */
  bypass: boolean;
}

/**
 * What changed between two value maps: every topic whose payload differs, with the bypass flag; plus
 * `carsCharging` and `ampsInUse` `0` (bypassing) for each slave in `prevIds` missing from `nextIds`.
 */
export function planPublishes(
  prev: ReadonlyMap<string, string>,
  next: ReadonlyMap<string, string>,
  prevIds: readonly string[],
  nextIds: readonly string[],
  prefix: string,
): PlannedPublish[] {
  const out: PlannedPublish[] = [];
  const stopped = new Set<string>();
  for (const id of nextIds) {
    const t = `${prefix}/${id}/carsCharging`;
    if (prev.get(t) === "1" && next.get(t) === "0") stopped.add(id);
  }
  const policyTopic = `${prefix}/all/currentPolicy`;
  for (const [topic, payload] of next) {
    if (prev.get(topic) === payload) continue;
    const bypass = topic === policyTopic || topic.endsWith("/carsCharging");
    out.push({ topic, payload, bypass });
  }
  // `ampsInUse` 0 at once when charging stops; a non-zero reading after it follows the rate limit.
  for (const id of stopped) {
    const t = `${prefix}/${id}/ampsInUse`;
    const i = out.findIndex((p) => p.topic === t);
    if (i >= 0) out.splice(i, 1);
    out.unshift({ topic: t, payload: "0", bypass: true });
    const real = next.get(t);
    if (real !== undefined && real !== "0") out.push({ topic: t, payload: real, bypass: false });
  }
  for (const id of prevIds) {
    if (nextIds.includes(id)) continue;
    out.push({ topic: `${prefix}/${id}/carsCharging`, payload: "0", bypass: true });
    out.push({ topic: `${prefix}/${id}/ampsInUse`, payload: "0", bypass: true });
  }
  return out;
}
