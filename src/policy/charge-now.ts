/** Charge Now settings changes (controller.md §19); the runtime saves them and evaluates at once. */
import { finiteOr } from "./numbers.ts";
import type { PolicySettings } from "./types.ts";

/** The settings written by Charge Now start, cancel and expiry. */
export interface ChargeNowPatch {
  chargeNowAmps: number;
  chargeNowTimeEnd: number;
}

/** `chargeNow {rate, duration}` at `nowS` (epoch seconds): amps = rate, end = now + duration. */
export function chargeNowPatch(rate: number, duration: number, nowS: number): ChargeNowPatch {
  return { chargeNowAmps: rate, chargeNowTimeEnd: nowS + duration };
}

/** `cancelChargeNow` and expiry: both values 0. */
export function cancelChargeNowPatch(): ChargeNowPatch {
  return { chargeNowAmps: 0, chargeNowTimeEnd: 0 };
}

/**
 * Active expiry (checked every second): true once a set `chargeNowTimeEnd` has passed (end ≤ now), so
 * the runtime applies `cancelChargeNowPatch()`, saves and evaluates immediately.
 */
export function chargeNowExpired(settings: PolicySettings, nowS: number): boolean {
  const end = finiteOr(settings["chargeNowTimeEnd"], 0);
  return end > 0 && end <= nowS;
}
