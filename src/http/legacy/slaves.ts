/** GET /api/getSlaveTWCs (http-api.md §6.2): a pure renderer of the state document. */
import type { Charger, StateDocument, VehicleDoc } from "../../state/types.ts";
import { chargeTime, round2 } from "../fmt.ts";
import { OrderedObject, orderedStringify } from "../../shared/ordered-json.ts";

function ageSeconds(iso: string | null, nowMs: number): number {
  if (iso === null) return 0;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? Math.max(0, (nowMs - t) / 1000) : 0;
}

/**
 * The Fleet API car linked to a charger (vehicles.md §1.3): the one whose VIN is the charger's current
 * VIN, else its last VIN.
 */
export function linkedVehicle(c: Pick<Charger, "vin">, vehicles: readonly VehicleDoc[]): VehicleDoc | null {
  const fleet = vehicles.filter((v) => v.source === "TeslaAPI");
  const by = (vin: string | null): VehicleDoc | undefined => (vin === null ? undefined : fleet.find((v) => v.vin === vin));
  return by(c.vin.current) ?? by(c.vin.last) ?? null;
}

/**
 * The four keys a linked car adds after `chargeTime` (vehicles.md §2.13), with upstream's sentinels for
 * unknown values: SoC 10000, limit −1, time to full 0 (upstream 0.0), at home false.
 */
export function vehicleKeys(v: VehicleDoc): [string, unknown][] {
  return [
    ["lastAtHome", v.atHome === true],
    ["lastBatterySOC", v.batteryLevel === null ? 10000 : Math.round(v.batteryLevel)],
    ["lastChargeLimit", v.chargeLimit === null ? -1 : Math.round(v.chargeLimit)],
    ["lastTimeToFullCharge", v.timeToFullChargeH ?? 0],
  ];
}

/** The getSlaveTWCs body, keys in link order then "total", rendered by the ordered serialiser. */
export function renderSlaveTWCs(doc: Readonly<StateDocument>, nowMs: number): string {
  const entries: [string, unknown][] = [];
  let carsCharging = 0;
  let offered = 0;
  let lifetime = 0;
  let actual = 0;
  let minRated: number | null = null;
  const vehicles = doc.vehicles ?? [];
  const carKeys = (c: Charger): [string, unknown][] => {
    const v = linkedVehicle(c, vehicles);
    return v === null ? [] : vehicleKeys(v);
  };
  for (const c of doc.chargers) {
    if (c.charging) carsCharging++;
    offered += c.ampsOffered ?? -1;
    lifetime += c.lifetimeKWh ?? 0;
    actual += c.reportedAmpsActual;
    minRated = minRated === null ? c.ratedAmps : Math.min(minRated, c.ratedAmps);
    entries.push([
      c.id,
      new OrderedObject([
        ["carsCharging", c.charging],
        ["chargerLoadInW", c.powerW],
        ["currentVIN", c.vin.current ?? ""],
        ["lastAmpsOffered", c.ampsOffered === null ? -1 : round2(c.ampsOffered)],
        ["lastHeartbeat", round2(ageSeconds(c.lastHeartbeatAt ?? c.linkedAt, nowMs))],
        ["lastVIN", c.vin.last ?? ""],
        ["lifetimekWh", Math.trunc(c.lifetimeKWh ?? 0)],
        ["maxAmps", c.ratedAmps],
        ["reportedAmpsActual", c.reportedAmpsActual],
        ["state", c.state],
        ["version", c.protocolVersion],
        ["voltsPhaseA", Math.trunc(c.voltage.a)],
        ["voltsPhaseB", Math.trunc(c.voltage.b)],
        ["voltsPhaseC", Math.trunc(c.voltage.c)],
        ["TWCID", c.id],
        [
          "chargeTime",
          c.charging && c.chargingSince !== null ? chargeTime(ageSeconds(c.chargingSince, nowMs)) : "--:--:--",
        ],
        ...carKeys(c),
      ]),
    ]);
  }
  entries.push([
    "total",
    new OrderedObject([
      ["carsCharging", carsCharging],
      ["lastAmpsOffered", round2(offered)],
      ["lifetimekWh", lifetime],
      ["maxAmps", minRated ?? 0],
      ["reportedAmpsActual", round2(actual)],
      ["TWCID", "total"],
    ]),
  ]);
  return orderedStringify(new OrderedObject(entries));
}
