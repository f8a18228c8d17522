/**
 * What the command router (vehicles.md §4.9) dispatches to: a backend with a priority and the command
 * methods it has. The BLE module and the Fleet API adapter are backends; another module (Home
 * Assistant, priority 15) becomes one by registering a VehicleProvider that also has these members.
 * Types and one type guard only.
 */
import type { LimitCheck, Vehicle, VehicleCommandResult, VehicleOperationResult, VehicleSource } from "../capabilities.ts";

/** Which policy filter a backend falls under: BLE (skipped by api_only), the Fleet API (skipped by ble_only), other (never skipped). */
export type BackendKind = "ble" | "api" | "other";

/** A command backend. A method it lacks is skipped by the router. Calls never throw (a throw counts as a failure). */
export interface CommandBackend {
  /** The source name shown as the path that served a command. */
  readonly backend: VehicleSource;
  /** BLE 20, Home Assistant 15, Fleet API 10: tried from the highest down. */
  readonly priority: number;
  readonly kind: BackendKind;
  /** False while unloaded (program missing, disabled): never called then. */
  usable(): boolean;
  /** True when the backend can command the car with this VIN (a command for a VIN it does not serve skips it). Absent: `vehicleFor`, else the provider's list, decides. */
  serves?(vin: string): boolean;
  /** The backend's own handle of the car (per-car commands: limit, wake, refresh), null when it has none. Absent: the provider's list is searched. */
  vehicleFor?(vin: string): Vehicle | null;
  /** §3.1 start/stop (every car, or the VIN's). */
  charge?(start: boolean, vin?: string): Promise<VehicleOperationResult>;
  /** §3.2 car-side current. */
  setChargeRate?(amps: number, vin?: string): Promise<VehicleCommandResult>;
  /** §3.4 charge-limit pass. */
  applyLimit?(limitPercent: number, check: LimitCheck): Promise<VehicleOperationResult>;
  /** Wakes one car. */
  wake?(vin: string): Promise<VehicleCommandResult>;
  /** §4.8 a state read of one car (true when it updated the car's state). */
  refreshState?(vin: string): Promise<boolean>;
}

/** The backend's handle of the car: `vehicleFor`, else its provider list (`vehicles()`), else null. */
export function carOf(b: CommandBackend, vin: string): Vehicle | null {
  if (b.vehicleFor) return b.vehicleFor(vin);
  const list = (b as Partial<{ vehicles: () => readonly Vehicle[] }>).vehicles;
  return typeof list === "function" ? (list.call(b).find((v) => v.vin === vin) ?? null) : null;
}

/** Does the backend serve the car with this VIN: `serves`, else it has a handle of the car. */
export function servesVin(b: CommandBackend, vin: string): boolean {
  return b.serves ? b.serves(vin) : carOf(b, vin) !== null;
}

/** True for an object (a registered VehicleProvider) that is also a command backend. */
export function isCommandBackend(p: unknown): p is CommandBackend {
  if (typeof p !== "object" || p === null) return false;
  const o = p as Record<string, unknown>;
  return typeof o.backend === "string" && typeof o.priority === "number" && typeof o.kind === "string" && typeof o.usable === "function";
}
