/**
 * The state merger (vehicles.md §1.2, §7.1): the records every vehicle module keeps of one car become
 * one record per VIN. Each live value comes from the freshest record that knows it (`updatedAtMs`,
 * ties by the module order given: Fleet API first), so a value one module lacks keeps another's; the
 * identity (Tesla id, display name), the back-off and the limit-pass flag come from the Fleet API
 * record when there is one; "stop asking to start" is set when any module set it. `source` is the
 * module whose record is freshest (upstream's `syncSource`); the last command is the newest of any
 * module's, with that module as its path. Pure.
 */
import type { VehicleStatus } from "../capabilities.ts";

/** The fields taken from the freshest record that knows them. */
const LIVE_FIELDS = [
  "socPercent",
  "chargeLimitPercent",
  "timeToFullChargeH",
  "chargeCurrentRequestA",
  "availableCurrentA",
  "actualCurrentA",
  "phases",
  "voltage",
  "atHome",
  "location",
] as const;

function known(s: VehicleStatus, k: (typeof LIVE_FIELDS)[number]): boolean {
  const v = s[k];
  return v !== null && v !== undefined && (typeof v !== "number" || Number.isFinite(v));
}

/** Records newest first (`updatedAtMs`, then `lastSeenMs`); equal times keep the given order. */
function byFreshness(records: readonly VehicleStatus[]): VehicleStatus[] {
  const t = (s: VehicleStatus): number => s.updatedAtMs ?? s.lastSeenMs ?? Number.NEGATIVE_INFINITY;
  return records.map((s, i) => ({ s, i })).sort((a, b) => t(b.s) - t(a.s) || a.i - b.i).map((x) => x.s);
}

function maxOrNull(values: readonly (number | null)[]): number | null {
  let best: number | null = null;
  for (const v of values) if (v !== null && Number.isFinite(v) && (best === null || v > best)) best = v;
  return best;
}

/**
 * One record from the records of the same VIN, given in module order (the Fleet API's first, when it
 * has one). Returns null for an empty list.
 */
export function mergeRecords(records: readonly VehicleStatus[]): VehicleStatus | null {
  const first = records[0];
  if (first === undefined) return null;
  if (records.length === 1) return { ...first };
  const api = records.find((r) => r.source === "TeslaAPI") ?? null;
  const fresh = byFreshness(records);
  const out: VehicleStatus = { ...(api ?? first) };
  out.source = fresh[0]!.source;
  out.id = api?.id ?? records.find((r) => r.id !== null)?.id ?? null;
  out.name = api?.name ?? records.find((r) => r.name !== r.vin)?.name ?? first.vin;
  for (const k of LIVE_FIELDS) {
    const hit = fresh.find((r) => known(r, k));
    (out as unknown as Record<string, unknown>)[k] = hit ? hit[k] : null;
  }
  if (out.location) out.location = { ...out.location };
  out.chargingState = fresh.find((r) => r.chargingState !== "Unknown" && r.chargingState !== "")?.chargingState ?? "Unknown";
  out.onlineState = fresh.find((r) => r.onlineState !== "unknown")?.onlineState ?? "unknown";
  out.scheduledChargingPending = (fresh.find((r) => r.updatedAtMs !== null) ?? first).scheduledChargingPending;
  out.lastSeenMs = maxOrNull(records.map((r) => r.lastSeenMs));
  out.updatedAtMs = maxOrNull(records.map((r) => r.updatedAtMs));
  out.backoffUntilMs = api?.backoffUntilMs ?? null;
  out.twcId = records.find((r) => r.twcId !== null)?.twcId ?? null;
  out.stopAskingToStartCharging = records.some((r) => r.stopAskingToStartCharging);
  out.stopTryingToApplyLimit = api?.stopTryingToApplyLimit ?? false;
  const commands = records.flatMap((r) => (r.lastCommand ? [{ ...r.lastCommand, via: r.lastCommand.via ?? r.source }] : []));
  out.lastCommand = commands.reduce<VehicleStatus["lastCommand"]>((a, c) => (a === null || c.atMs > a.atMs ? c : a), null);
  return out;
}

/** Groups records by VIN (upper case) and merges each group; sorted by VIN. */
export function mergeAll(records: readonly VehicleStatus[]): VehicleStatus[] {
  const groups = new Map<string, VehicleStatus[]>();
  for (const r of records) {
    const vin = r.vin.toUpperCase();
    const g = groups.get(vin);
    if (g) g.push(r);
    else groups.set(vin, [r]);
  }
  return [...groups.keys()].sort().flatMap((vin) => {
    const m = mergeRecords(groups.get(vin)!);
    return m ? [{ ...m, vin }] : [];
  });
}
