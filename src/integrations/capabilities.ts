/**
 * Capability interfaces beside the module (issue 9 §5, like evcc's meter and vehicle): what a module
 * offers the core. A module's lifecycle is `Module` (module.ts); a capability is what the core reads or
 * asks once it runs. The energy poller reads energy meters; the vehicle modules of the Tesla API issue
 * will offer vehicles. Types only.
 */
import type { Reading } from "../energy/staleness.ts";
import type { EnergySourceStatus } from "../state/types.ts";

/**
 * A source of generation and consumption figures (URL, HASS, MQTT, the demo's sunny day, and the
 * energy sources to come). The poller combines the latest readings of every meter and judges their age.
 */
export interface EnergyMeter {
  /** The name shown in the state document's `energy.sources` (a new meter adds its name to the schema). */
  readonly name: EnergySourceStatus["name"];
  /** The latest successful reading (kept across failures), null before the first. */
  latest(): Reading | null;
  /** The error of the last attempt, null after a success. */
  lastError(): string | null;
  /** Subscribes to new readings; returns an unsubscribe function. */
  on(event: "reading", cb: (reading: Reading) => void): () => void;
}

/** What a car reports (vehicles.md §1.2); null where the backend does not know yet. */
export interface VehicleStatus {
  /** 17 characters: the key that links a car to a TWC (vehicles.md §1.3). */
  vin: string;
  /** Battery state of charge, %. */
  socPercent: number | null;
  /** The car's charge limit, %. */
  chargeLimitPercent: number | null;
  /** At home (vehicles.md §2.12); null when the position is unknown. */
  atHome: boolean | null;
  /** Epoch ms of the data, null before the first. */
  updatedAtMs: number | null;
}

/** The outcome of a vehicle command: done, or refused/failed with a reason for the log. */
export type VehicleCommandResult = { ok: true } | { ok: false; reason: string };

/** One car a vehicle module can read and command (vehicles.md: start, stop, charge current, charge limit). */
export interface Vehicle {
  readonly vin: string;
  /** The latest status, null before the first. */
  status(): VehicleStatus | null;
  /** Starts charging. */
  startCharging(): Promise<VehicleCommandResult>;
  /** Stops charging. */
  stopCharging(): Promise<VehicleCommandResult>;
  /** Sets the car's charge current (A, ≥ 1). It never raises what the TWC offers: S-1 stays with the bus. */
  setChargingAmps(amps: number): Promise<VehicleCommandResult>;
  /** Sets the car's charge limit (%, 50–100). */
  setChargeLimit(percent: number): Promise<VehicleCommandResult>;
}

/** A module that offers vehicles (the Tesla API issue): the cars it knows, and a change notification. */
export interface VehicleProvider {
  /** The cars known now. */
  vehicles(): readonly Vehicle[];
  /** Subscribes to changes of the list or of a car's status; returns an unsubscribe function. */
  on(event: "change", cb: () => void): () => void;
}
