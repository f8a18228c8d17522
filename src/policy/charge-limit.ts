/**
 * The charge limit of one enforcement (controller.md §16.8 step 6, vehicles.md §3.4): the policy's
 * limit, lowered by the stop-limit override while the budget is 0 so a car that would not stop ends at a
 * limit below its state of charge. Pure.
 */

/** Unknown `minBatteryLevelAtHome` (no car at home with a known SoC), upstream's sentinel. */
export const UNKNOWN_BATTERY_LEVEL = 10000;

/** Inputs of `enforcedChargeLimit`. */
export interface ChargeLimitInput {
  /** `resolve(charge_limit or −1)` of the active policy (50–100, else −1). */
  policyLimit: number;
  /** The stop-limit override is set (vehicles.md §3.1). */
  override: boolean;
  /** Effective budget M (A). */
  budgetM: number;
  /** Lowest state of charge of the cars at home, 10000 when none is known. */
  minBatteryLevelAtHome: number;
}

/** The limit L to apply (50–100, or −1 = restore the cars' own limits) and whether the override is cleared (M > 0). */
export function enforcedChargeLimit(i: ChargeLimitInput): { limit: number; clearOverride: boolean } {
  let limit = Number.isFinite(i.policyLimit) ? i.policyLimit : -1;
  let clearOverride = false;
  if (i.override) {
    if (Number.isFinite(i.budgetM) && i.budgetM > 0) clearOverride = true;
    else {
      const soc = Number.isFinite(i.minBatteryLevelAtHome) ? i.minBatteryLevelAtHome : UNKNOWN_BATTERY_LEVEL;
      const c = Math.max(50, soc - 1);
      limit = limit === -1 ? c : Math.min(limit, c);
    }
  }
  if (!(limit >= 50 && limit <= 100)) limit = -1;
  return { limit: Math.trunc(limit), clearOverride };
}

/** `modules.TeslaAPI.minBatteryLevelAtHome`: the lowest known SoC (0–100) of the cars at home, 10000 when none. */
export function minBatteryLevelAtHome(cars: readonly { atHome: boolean | null; socPercent: number | null }[]): number {
  let min = UNKNOWN_BATTERY_LEVEL;
  for (const c of cars) {
    if (c.atHome !== true || c.socPercent === null || !Number.isFinite(c.socPercent)) continue;
    if (c.socPercent < 0 || c.socPercent > 100) continue;
    min = Math.min(min, c.socPercent);
  }
  return min;
}
