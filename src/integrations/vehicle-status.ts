/** The one empty vehicle record every vehicle module starts a car from (vehicles.md §1.2). Pure. */
import type { VehicleSource, VehicleStatus } from "./capabilities.ts";

/** A car nothing is known of yet: `name` falls back to the VIN; `over` sets what the module knows. */
export function emptyVehicleStatus(vin: string, source: VehicleSource, over: Partial<VehicleStatus> = {}): VehicleStatus {
  return {
    vin,
    id: null,
    name: vin,
    source,
    socPercent: null,
    chargeLimitPercent: null,
    chargingState: "Unknown",
    timeToFullChargeH: null,
    chargeCurrentRequestA: null,
    availableCurrentA: null,
    actualCurrentA: null,
    phases: null,
    voltage: null,
    scheduledChargingPending: false,
    atHome: null,
    location: null,
    onlineState: "unknown",
    lastSeenMs: null,
    updatedAtMs: null,
    backoffUntilMs: null,
    lastCommand: null,
    twcId: null,
    stopAskingToStartCharging: false,
    stopTryingToApplyLimit: false,
    ...over,
  };
}
