/**
 * The vehicle module's policy attributes (vehicles.md §2.13): `modules.TeslaAPI.numCarsAtHome` and
 * `modules.TeslaAPI.minBatteryLevelAtHome`, from the cars the vehicle modules know. Pure.
 */
import { minBatteryLevelAtHome } from "./charge-limit.ts";

/** The module name policies use for the vehicle attributes (upstream's registered name). */
export const VEHICLE_MACRO_MODULE = "TeslaAPI";

/** The attributes `modules.TeslaAPI.<attr>` resolves. */
export const VEHICLE_MACRO_ATTRIBUTES: readonly string[] = ["numCarsAtHome", "minBatteryLevelAtHome"];

/** One car as the attributes need it. */
export interface MacroCar {
  atHome: boolean | null;
  socPercent: number | null;
}

/** The value of `modules.TeslaAPI.<attr>`, or undefined (unknown attribute, or no vehicle module: the macro text). */
export function vehicleModuleAttr(attr: string, cars: readonly MacroCar[] | null): { value: number } | undefined {
  if (cars === null) return undefined;
  if (attr === "numCarsAtHome") return { value: cars.filter((c) => c.atHome === true).length };
  if (attr === "minBatteryLevelAtHome") return { value: minBatteryLevelAtHome(cars) };
  return undefined;
}
