/**
 * What the BLE module shows (vehicles.md §4.6, §8.4): per car its pairing state with the instructions
 * for the user, the last BLE command and the breaker; the module's alerts. Types only (the Vehicles
 * page and the router read these through `BleStatusApi`).
 */
import type { BleFailure } from "./output.ts";

/**
 * `settings.Vehicles[VIN].BLEPeeringStatus` as the page shows it: no_key (no key generated yet),
 * unpaired (never asked, or the car said the key is not paired), requested (the request was sent:
 * approve it at the car), peered (a signed command succeeded).
 */
export type BlePairingState = "no_key" | "unpaired" | "requested" | "peered";

/** The outcome of one BLE operation, for display. */
export interface BleOutcomeInfo {
  /** e.g. "charging-start", "charging-set-amps 8", "add-key-request". */
  operation: string;
  atMs: number;
  ok: boolean;
  /** tesla-control's last line, or why nothing was sent. */
  message: string;
  failure: BleFailure | "breaker_open" | "refused" | null;
}

/** One car as the BLE module knows it (every VIN of settings.Vehicles that can be a Tesla). */
export interface BleCarInfo {
  vin: string;
  pairing: BlePairingState;
  /** What the user must do now (for `unpaired` / `requested` / `no_key`); "" when peered. */
  instructions: string;
  lastPairing: BleOutcomeInfo | null;
  lastCommand: BleOutcomeInfo | null;
  /** Epoch ms until which the circuit breaker refuses commands, null when closed. */
  breakerOpenUntilMs: number | null;
  /** §4.4: a start answered "already satisfied"; start commands skip the car until a stop request. */
  stopAskingToStartCharging: boolean;
  /** Epoch ms of the last successful state read, null before. */
  lastStateReadMs: number | null;
}

/** The BLE module's alert codes. */
export type BleAlertCode = "VEHICLE_BLE_PROGRAM_MISSING" | "VEHICLE_BLE_ADAPTER_MISSING" | "VEHICLE_BLE_NOT_PAIRED";

/** A raised BLE alert (the message names the fix). */
export interface BleAlert {
  code: BleAlertCode;
  message: string;
  sinceMs: number;
}

/** The result of a pairing request. */
export interface BlePairResult {
  ok: boolean;
  message: string;
  /** What the user must do next. */
  instructions: string;
}

/** The BLE module as the Vehicles page uses it. */
export interface BleStatusApi {
  /** tesla-control was found and the module runs. */
  loaded(): boolean;
  /** The program's path, null when not found. */
  program(): string | null;
  cars(): readonly BleCarInfo[];
  alerts(): readonly BleAlert[];
  /** §4.6: sends the key request (30 s); the user then taps the key card in the car. */
  pair(vin: string): Promise<BlePairResult>;
}
