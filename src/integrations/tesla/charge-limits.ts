/**
 * settings.chargeLimits (vehicles.md §2.2, §3.4): per car `[outside, lastApplied]` — the limit the car
 * had before we changed it and the limit we last applied (−1 = none). Keyed by VIN (upstream's Fleet
 * API module keyed it by the Tesla id; such keys are renamed when the list is loaded). A bare number
 * means `[value, 0]`, null parts mean 0. And the per-car decision of a charge-limit pass (§3.4 step 5).
 * Pure.
 */

/** One car's entry. */
export interface LimitEntry {
  outside: number;
  lastApplied: number;
}

const part = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : 0);

/** The entry under `key` of a raw chargeLimits value, null when absent (the car was not at home). */
export function readEntry(raw: unknown, key: string): LimitEntry | null {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || !Object.hasOwn(raw, key)) return null;
  const v = (raw as Record<string, unknown>)[key];
  if (Array.isArray(v)) return { outside: part(v[0]), lastApplied: part(v[1]) };
  return { outside: part(v), lastApplied: 0 };
}

/** A copy of the raw table with `key` set to the entry (null deletes it); other keys (BLE's, unknown) are kept. */
export function withEntry(raw: unknown, key: string, entry: LimitEntry | null): Record<string, unknown> {
  const out: Record<string, unknown> = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>) } : {};
  if (entry === null) delete out[key];
  else out[key] = [entry.outside, entry.lastApplied];
  return out;
}

/** Renames entries keyed by a listed car's Tesla id to its VIN (an existing VIN entry wins); null when nothing changed. */
export function migrateIdKeys(raw: unknown, cars: readonly { id: number | null; vin: string }[]): Record<string, unknown> | null {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  let changed = false;
  for (const c of cars) {
    if (c.id === null) continue;
    const idKey = String(c.id);
    if (!Object.hasOwn(out, idKey)) continue;
    if (!Object.hasOwn(out, c.vin)) out[c.vin] = out[idKey];
    delete out[idKey];
    changed = true;
  }
  return changed ? out : null;
}

/** True when a pass to `limit` must wake the car (§3.4 step 2): it raises the limit above what we left. */
export function raisesLimit(limit: number, entry: LimitEntry | null): boolean {
  if (entry === null) return false;
  return limit > (entry.lastApplied !== -1 ? entry.lastApplied : entry.outside);
}

/** What a pass does with one car (§3.4 step 5). */
export interface CarLimitPlan {
  /** The car was not at home before and is now: `outside` is taken from its current limit. */
  arrived: boolean;
  /** The car was at home and is not now: its entry goes once it is done. */
  departed: boolean;
  /** The limit to send (null: nothing to send). */
  send: number | null;
  /** What to store once the car is done (after `send` succeeded, or now when nothing is sent); null = delete. */
  store: LimitEntry | null;
  /** Nothing to do at all (not at home, never was; or the car's limit is unknown). */
  skip: boolean;
}

/** The decision for one car: `limit` (−1 = restore), its entry (null = not at home before), where it is and its limit now. */
export function planCar(limit: number, entry: LimitEntry | null, atHome: boolean, carLimit: number | null): CarLimitPlan {
  const none: CarLimitPlan = { arrived: false, departed: false, send: null, store: null, skip: true };
  if (carLimit === null) return none;
  const wasAtHome = entry !== null;
  if (!wasAtHome && !atHome) return none;
  const arrived = !wasAtHome && atHome;
  const departed = wasAtHome && !atHome;
  const outside = entry === null ? carLimit : entry.outside;
  if (limit === -1 || !atHome) {
    // Restore: only a limit we set and the owner has not changed since is put back.
    if (entry !== null && carLimit === entry.lastApplied && carLimit !== outside)
      return { arrived, departed, send: outside, store: departed ? null : { outside, lastApplied: -1 }, skip: false };
    return { arrived, departed, send: null, store: departed ? null : { outside: carLimit, lastApplied: -1 }, skip: false };
  }
  return { arrived, departed, send: carLimit !== limit ? limit : null, store: { outside, lastApplied: limit }, skip: false };
}
