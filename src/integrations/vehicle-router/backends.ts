/**
 * The modules as command backends of the router (vehicles.md §4.9): the Fleet API module (priority 10,
 * a cloud path: skipped by `ble_only`) and the Home Assistant vehicle module (decision §6.5: priority 15,
 * also a cloud path). The BLE module is a backend itself (priority 20). A registered provider that is
 * none of these (TeslaMate, Fleet Telemetry) only feeds state.
 */
import type { LimitCheck, Vehicle, VehicleCommandResult, VehicleOperationResult, VehicleProvider } from "../capabilities.ts";
import type { TeslaAccountApi } from "../tesla/account.ts";
import { isCommandBackend, type CommandBackend } from "./backend.ts";

const unavailable = (reason: string): VehicleCommandResult => ({ ok: false, kind: "unavailable", reason });

/**
 * The Fleet API module as a backend, read through `api()` (it attaches and detaches itself). Before its
 * vehicle list is loaded it may serve any VIN; a command for a VIN then loads the list first and is
 * refused when the car is not on it (the module would otherwise act on every car, §1.3).
 */
export function fleetBackend(api: () => TeslaAccountApi | null): CommandBackend {
  const known = async (vin: string | undefined): Promise<TeslaAccountApi | null> => {
    const a = api();
    if (a === null || vin === undefined || a.byVin(vin) !== null) return a;
    if (a.vehicles().length === 0) await a.available("none");
    return a.byVin(vin) !== null ? a : null;
  };
  const notListed = (vin: string | undefined): VehicleCommandResult => unavailable(`the Fleet API does not list ${vin ?? "this car"}`);
  return {
    backend: "TeslaAPI",
    priority: 10,
    kind: "api",
    usable: () => api() !== null,
    serves: (vin) => {
      const a = api();
      return a !== null && (a.byVin(vin) !== null || a.vehicles().length === 0);
    },
    vehicleFor: (vin) => api()?.byVin(vin) ?? null,
    charge: async (start, vin) => (await known(vin))?.charge(start, vin) ?? "error",
    setChargeRate: async (amps, vin) => (await known(vin))?.setChargeRate(amps, vin) ?? notListed(vin),
    applyLimit: (limit, check) => api()?.applyLimit(limit, check) ?? Promise.resolve("error"),
    wake: async (vin) => (await known(vin))?.byVin(vin)?.wake() ?? notListed(vin),
    refreshState: async (vin) => {
      const v = (await known(vin))?.byVin(vin);
      return v ? (await v.refresh()).ok : false;
    },
  };
}

/** What the Home Assistant vehicle module offers besides the provider (hass-module.ts). */
interface HassLike extends VehicleProvider {
  readonly name: string;
  charge(start: boolean, vin?: string): Promise<VehicleOperationResult>;
  setChargeRate(amps: number, vin?: string): Promise<VehicleCommandResult>;
  applyLimit(limitPercent: number, check?: LimitCheck): Promise<VehicleOperationResult>;
}

function isHass(p: VehicleProvider): p is HassLike {
  const o = p as unknown as Record<string, unknown>;
  return o.name === "vehicle.HomeAssistant" && typeof o.charge === "function" && typeof o.setChargeRate === "function" && typeof o.applyLimit === "function";
}

/** The Home Assistant module as a backend (priority 15); usable while it runs with at least one car. */
export function hassBackend(p: HassLike): CommandBackend {
  const car = (vin: string): Vehicle | null => p.vehicles().find((v) => v.vin === vin) ?? null;
  return {
    backend: "HomeAssistant",
    priority: 15,
    kind: "api",
    usable: () => p.vehicles().length > 0,
    serves: (vin) => car(vin) !== null,
    vehicleFor: car,
    charge: (start, vin) => p.charge(start, vin),
    setChargeRate: (amps, vin) => p.setChargeRate(amps, vin),
    applyLimit: (limit, check) => p.applyLimit(limit, check),
  };
}

/** The backends among the running modules, highest priority first (equal priorities keep their order). */
export function commandBackends(api: TeslaAccountApi | null, providers: readonly VehicleProvider[], fleet: CommandBackend): CommandBackend[] {
  const out: CommandBackend[] = [];
  for (const p of providers) {
    if (isCommandBackend(p)) out.push(p);
    else if (isHass(p)) out.push(hassBackend(p));
  }
  if (api !== null) out.push(fleet);
  return out.map((b, i) => ({ b, i })).sort((x, y) => y.b.priority - x.b.priority || x.i - y.i).map((x) => x.b);
}
