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

/** Where a car's state came from (vehicles.md §1.2 `syncSource`). */
export type VehicleSource = "TeslaAPI" | "TeslaBLE" | "TeslaMate" | "FleetTelemetry" | "HomeAssistant";

/** The car's connection state (Fleet API `state`): online = awake; unknown before the first answer. */
export type VehicleOnlineState = "online" | "asleep" | "offline" | "waking" | "unknown";

/** The commands of vehicles.md §2.11 (and the Debug page's wake). */
export type VehicleCommandName = "charge_start" | "charge_stop" | "set_charging_amps" | "set_charge_limit" | "wake_up";

/** A car's position (kept in memory only; never in the state document). */
export interface VehicleLocation {
  lat: number;
  lon: number;
  /** Epoch ms of the fix (`drive_state.gps_as_of`), null when the car did not say. */
  gpsAsOfMs: number | null;
}

/** The last command sent to a car and what came of it. */
export interface VehicleLastCommand {
  name: VehicleCommandName;
  /** The request body sent (e.g. `{ charging_amps: 8 }`), null for none. */
  body: Readonly<Record<string, number>> | null;
  atMs: number;
  result: VehicleCommandResult;
  /** The module that served (or last tried) it: the command router's path; absent when not known. */
  via?: VehicleSource;
}

/**
 * What a car reports (vehicles.md §1.2): the record every backend feeds. Unknown values are null here
 * (upstream's sentinels 10000 / −1 / 0.0 are for the legacy outputs only: see `legacySentinels`).
 * A field missing from a cloud answer keeps its previous value.
 */
export interface VehicleStatus {
  /** 17 characters: the key that links a car to a TWC (vehicles.md §1.3). */
  vin: string;
  /** Tesla product id from the vehicle list (Debug page, upstream `chargeLimits` key); null when unknown. */
  id: number | null;
  /** `display_name`, later `vehicle_state.vehicle_name`; else the VIN. */
  name: string;
  /** The backend that fed this record. */
  source: VehicleSource;
  /** Battery state of charge, % (`charge_state.battery_level`). */
  socPercent: number | null;
  /** The car's charge limit, % (`charge_state.charge_limit_soc`). */
  chargeLimitPercent: number | null;
  /** `charge_state.charging_state`: Charging, Complete, Disconnected, Stopped, NoPower, Starting; "Unknown" initially. */
  chargingState: string;
  /** Hours to full (`charge_state.time_to_full_charge`). */
  timeToFullChargeH: number | null;
  /** The current the car asks for, A (`charge_state.charge_current_request`). */
  chargeCurrentRequestA: number | null;
  /** The pilot current the car sees, A (`charger_pilot_current`). */
  availableCurrentA: number | null;
  /** The current the car draws, A (`charger_actual_current`). */
  actualCurrentA: number | null;
  /** `charger_phases`, `charger_voltage`. */
  phases: number | null;
  voltage: number | null;
  /** The car waits for its own schedule (`scheduled_charging_pending`). */
  scheduledChargingPending: boolean;
  /** At home (vehicles.md §2.12); null when the position is unknown. */
  atHome: boolean | null;
  /** The last position, null when unknown. */
  location: VehicleLocation | null;
  /** Awake, asleep, … as last answered. */
  onlineState: VehicleOnlineState;
  /** Epoch ms of the last successful cloud access to this car (`lastAPIAccessTime`), null before. */
  lastSeenMs: number | null;
  /** Epoch ms of the charge data, null before the first. */
  updatedAtMs: number | null;
  /** While the car is in back-off (§2.10, rate limit): epoch ms when requests resume; else null. */
  backoffUntilMs: number | null;
  /** The last command sent and its result, null before the first. */
  lastCommand: VehicleLastCommand | null;
  /** The TWC (4 hex digits) whose current or last VIN is this car, null when not linked or not known. */
  twcId: string | null;
  /** §3.5: start commands skip the car until cleared. */
  stopAskingToStartCharging: boolean;
  /** §3.4: the current charge-limit pass is done for this car. */
  stopTryingToApplyLimit: boolean;
  /** The command router's path for this car now (the first backend that may command it under commandPolicy), null when none may; absent without the router. */
  commandVia?: VehicleSource | null;
}

/** Why a vehicle command (or read) failed (vehicles.md §2.10). */
export type VehicleErrorKind =
  /** The car is asleep or offline (not sent, or the cloud said so). */
  | "asleep"
  /** 408: the car did not answer in time (device offline or asleep). */
  | "timeout"
  /** 429 (or the module's own back-off): `retryAtMs` says when requests resume. */
  | "rate_limited"
  /** 403 "Tesla Vehicle Command Protocol required": configure `teslaProxy` or TeslaBLE (`fix`). */
  | "command_protocol_required"
  /** 401 / no valid token: log in again (Tesla account page). */
  | "unauthorized"
  /** 403 for another reason (missing scopes …). */
  | "forbidden"
  /** Transport failure or our own 30 s timeout. */
  | "network"
  /** An answer that is not the documented shape. */
  | "malformed"
  /** The car refused (`result: false` with `reason`, e.g. `not_charging`, `disconnected`). */
  | "refused"
  /** The car is away from home: commands are not sent (§2.11). */
  | "away"
  /** Not possible now (no token, no region, in back-off, invalid argument, another start/stop < 60 s ago). */
  | "unavailable"
  /** 5xx or another unexpected status. */
  | "server";

/** The outcome of a vehicle command: done (with the car's `reason` if any), or failed with a class. */
export type VehicleCommandResult =
  | { ok: true; reason?: string }
  | {
      ok: false;
      kind: VehicleErrorKind;
      /** Human-readable, secret-free, for the log and the UI. */
      reason: string;
      /** HTTP status when the cloud answered. */
      status?: number;
      /** rate_limited: epoch ms when the car may be asked again. */
      retryAtMs?: number;
      /** command_protocol_required / unauthorized: what the user must do. */
      fix?: string;
    };

/** One car a vehicle module can read and command (vehicles.md §2.11). Commands never throw. */
export interface Vehicle {
  readonly vin: string;
  /** The latest status, null before the first. */
  status(): VehicleStatus | null;
  /** Starts charging (charge_start; the §2.11 skips apply: away, complete, schedule pending …). */
  startCharging(): Promise<VehicleCommandResult>;
  /** Stops charging (charge_stop; skipped below `minChargeLevel`, §3.3). */
  stopCharging(): Promise<VehicleCommandResult>;
  /** Sets the car's charge current (A, ≥ 1). It never raises what the TWC offers: S-1 stays with the bus. */
  setChargingAmps(amps: number): Promise<VehicleCommandResult>;
  /** Sets the car's charge limit (%, 50–100). */
  setChargeLimit(percent: number): Promise<VehicleCommandResult>;
  /** Sends wake_up (billed; the module's own wake schedule is §2.8). */
  wake(): Promise<VehicleCommandResult>;
  /** Fetches vehicle_data now unless accessed within `maxAgeS` s (default: the §2.9 deferral). */
  refresh(maxAgeS?: number): Promise<VehicleCommandResult>;
}

/** A module that offers vehicles (the Tesla API issue): the cars it knows, and a change notification. */
export interface VehicleProvider {
  /** The cars known now. */
  vehicles(): readonly Vehicle[];
  /** Subscribes to changes of the list or of a car's status; returns an unsubscribe function. */
  on(event: "change", cb: () => void): () => void;
}

/** Which check a charge-limit pass runs (vehicles.md §3.4): none (policy enforcement), arrival or departure. */
export type LimitCheck = "none" | "arrival" | "departure";

/** The outcome of a start/stop or a charge-limit pass over the cars (vehicles.md §2.11): upstream's strings. */
export type VehicleOperationResult = "success" | "error";

/**
 * What the charging logic asks of the cars (vehicles.md §3, §4.9). The Fleet API module implements it;
 * the command router of the BLE issue wraps every backend behind the same interface. Calls never throw.
 */
export interface VehicleControl {
  /** The cars known now (every backend merged, one per VIN). */
  vehicles(): readonly Vehicle[];
  /** The car with this VIN, null when unknown. */
  byVin(vin: string): Vehicle | null;
  /** §3.1 start (true) or stop over every car at home, or only the VIN's car when it is known. */
  charge(start: boolean, vin?: string): Promise<VehicleOperationResult>;
  /** §3.2 car-side charge current on the VIN's car (or the backend's default car). Never raises a TWC offer. */
  setChargeRate(amps: number, vin?: string): Promise<VehicleCommandResult>;
  /** §3.4 charge-limit pass: `limitPercent` (−1 = restore the cars' own limits) with the arrival / departure check. */
  applyLimit(limitPercent: number, check: LimitCheck): Promise<VehicleOperationResult>;
  /** §3.5: clears `stopAskingToStartCharging` on every car (a stop request, a slave drawing ≥ 1 A, a policy change). */
  clearStopAsking(): void;
  /** §3.4 current drop on a slave: its car (by VIN, else every car) Charging with ≤ 5 min to full is an expected completion. */
  noteCurrentDrop(vin: string | null): void;
  /** Tells the backends which TWC reports which VIN (§1.3). */
  linkSlaves(slaves: readonly { twcId: string; currentVin: string | null; lastVin: string | null }[]): void;
  /** Subscribes to changes of cars or alerts; returns an unsubscribe function. */
  on(event: "change", cb: () => void): () => void;
}
