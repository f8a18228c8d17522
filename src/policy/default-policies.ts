/**
 * The default policy list (controller.md §16.2). Key order matters: `GET /api/getPolicy` renders these
 * objects with JSON.stringify and must match http-api.md §6.4 byte for byte.
 */
import type { Policy } from "./types.ts";

const GREEN_ACTIONS = {
  background_task: "checkGreenEnergy",
  allowed_flex: "config.greenEnergyFlexAmps",
  charge_limit: "config.greenEnergyLimit",
} as const;

/** Index of the daytime "Track Green Energy" entry in the default list (receives `greenEnergyLatch`). */
export const DAYTIME_GREEN_INDEX = 2;

/** A fresh, mutable copy of the five default policies (order matters; first match wins). */
export function defaultPolicies(): Policy[] {
  return [
    {
      name: "Charge Now",
      match: ["settings.chargeNowAmps", "settings.chargeNowTimeEnd", "settings.chargeNowTimeEnd"],
      condition: ["gt", "gt", "gt"],
      value: [0, 0, "now"],
      charge_amps: "settings.chargeNowAmps",
      charge_limit: "config.chargeNowLimit",
    },
    {
      name: "Scheduled Charging",
      match: ["checkScheduledCharging()"],
      condition: ["eq"],
      value: [1],
      charge_amps: "settings.scheduledAmpsMax",
      charge_limit: "config.scheduledLimit",
    },
    {
      name: "Track Green Energy",
      match: ["tm_hour", "tm_hour", "settings.hourResumeTrackGreenEnergy", "settings.nonScheduledAction"],
      condition: ["gte", "lt", "lte", "ne"],
      value: ["settings.sunrise", "settings.sunset", "tm_hour", 2],
      ...GREEN_ACTIONS,
    },
    {
      name: "Non Scheduled Charging",
      match: ["settings.nonScheduledAction"],
      condition: ["lt"],
      value: [3],
      charge_amps: "nonScheduledAmps()",
      charge_limit: "config.nonScheduledLimit",
    },
    {
      name: "Track Green Energy",
      match: ["settings.nonScheduledAction"],
      condition: ["eq"],
      value: [3],
      ...GREEN_ACTIONS,
    },
  ];
}
