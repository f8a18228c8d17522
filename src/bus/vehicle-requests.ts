/**
 * What the bus asks of the cars (issue 14, vehicles.md §3): the bus never calls a vehicle module. Its
 * pure steps return `vehicle` effects carrying one of these requests; the runtime hands them to its
 * listener (the engine), which runs them asynchronously through `VehicleControl` and never blocks the
 * bus. What the engine tells the bus about the cars comes back as a `BusVehicleInput`. Pure types.
 */
import type { TwcId } from "../protocol/frames.ts";

/** One request from the bus to the vehicle side. */
export type VehicleRequest =
  /** §3.1 start (true) or stop the car at this slave; `vin` is the slave's current VIN, null when unknown. */
  | { op: "charge"; start: boolean; twcId: TwcId; vin: string | null }
  /** §3.1 / controller.md §6 H: the slave is offered current again, a queued (not yet sent) stop is dropped. */
  | { op: "cancelStop"; twcId: TwcId }
  /**
   * §3.2 the car-side charge current: "limit" (D2, the car limits the draw) or "raise" (D3.1, lift a low
   * car-side limit to the TWC's wiring limit). `vin` is the slave's current or last VIN, null when unknown.
   */
  | { op: "setChargeRate"; amps: number; twcId: TwcId; vin: string | null; purpose: "limit" | "raise" }
  /** §3.1: the stop timeout expired while a car still charges at 0 A offered: set the limit override. */
  | { op: "limitOverride" }
  /** §3.1 / §3.5: a slave draws ≥ 1 A: clear `stopAskingToStartCharging` on every car. */
  | { op: "clearStopAsking" };

/** What the engine pushes about the cars (with `BusController.setVehicleInput`). */
export interface BusVehicleInput {
  /** A vehicle module runs (`Commands.vehicleControl()` is not null). False: behaviour exactly as without one. */
  readonly enabled: boolean;
  /**
   * §3.9 API-only cars (at home, wanting to charge, on no TWC) that draw ≥ 1 A: they count in the
   * sharing (`N`) and their draw in `others`. They only ever lower a slave's share.
   */
  readonly apiOnlyCharging: number;
  /** Σ `actualCurrent` of the API-only cars (A). */
  readonly apiOnlyActualAmps: number;
}

/** No vehicle module: the bus behaves as it always did. */
export const NO_VEHICLES: BusVehicleInput = { enabled: false, apiOnlyCharging: 0, apiOnlyActualAmps: 0 };
