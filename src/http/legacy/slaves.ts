/** GET /api/getSlaveTWCs (http-api.md §6.2): a pure renderer of the state document. */
import type { StateDocument } from "../../state/types.ts";
import { chargeTime, round2 } from "../fmt.ts";
import { OrderedObject, orderedStringify } from "../../shared/ordered-json.ts";

function ageSeconds(iso: string | null, nowMs: number): number {
  if (iso === null) return 0;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? Math.max(0, (nowMs - t) / 1000) : 0;
}

/** The getSlaveTWCs body, keys in link order then "total", rendered by the ordered serialiser. */
export function renderSlaveTWCs(doc: Readonly<StateDocument>, nowMs: number): string {
  const entries: [string, unknown][] = [];
  let carsCharging = 0;
  let offered = 0;
  let lifetime = 0;
  let actual = 0;
  let minRated: number | null = null;
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
