/**
 * The BLE Control block of the vehicle page (vehicles.md §4.6, §8.4) in words: GET /api/v2/vehicles/ble
 * read defensively, each pairing state as the user would say it, and the button's label. Pure.
 */

/** A car's BLE pairing state (vehicles.md §4.6: BLEPeeringStatus, plus "no key yet"). */
export type BlePairing = "no_key" | "unpaired" | "requested" | "peered";

/** One BLE outcome (a command or the pairing request). */
export interface BleOutcomeView {
  operation: string;
  at: string;
  ok: boolean;
  message: string;
}

/** One car as the BLE module knows it. */
export interface BleCarView {
  vin: string;
  pairing: BlePairing;
  /** What the user must do now ("" when paired). */
  instructions: string;
  lastPairing: BleOutcomeView | null;
  lastCommand: BleOutcomeView | null;
  breakerOpenUntil: string | null;
}

/** GET /api/v2/vehicles/ble. */
export interface BleView {
  loaded: boolean;
  cars: BleCarView[];
  alerts: { code: string; message: string }[];
}

const PAIRINGS: readonly BlePairing[] = ["no_key", "unpaired", "requested", "peered"];

const str = (v: unknown): string => (typeof v === "string" ? v : "");

function outcome(v: unknown): BleOutcomeView | null {
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  return { operation: str(o.operation), at: str(o.at), ok: o.ok === true, message: str(o.message) };
}

/** Reads the BLE document; null when it is not that shape (a server without the route). */
export function parseBle(body: unknown): BleView | null {
  if (typeof body !== "object" || body === null) return null;
  const b = body as Record<string, unknown>;
  if (typeof b.loaded !== "boolean" || !Array.isArray(b.cars)) return null;
  const cars = (b.cars as unknown[]).flatMap((c): BleCarView[] => {
    if (typeof c !== "object" || c === null) return [];
    const r = c as Record<string, unknown>;
    const pairing = PAIRINGS.find((p) => p === r.pairing) ?? "unpaired";
    return [{ vin: str(r.vin), pairing, instructions: str(r.instructions), lastPairing: outcome(r.lastPairing), lastCommand: outcome(r.lastCommand), breakerOpenUntil: typeof r.breakerOpenUntil === "string" ? r.breakerOpenUntil : null }];
  });
  const alerts = Array.isArray(b.alerts)
    ? (b.alerts as unknown[]).flatMap((a) => (typeof a === "object" && a !== null ? [{ code: str((a as Record<string, unknown>).code), message: str((a as Record<string, unknown>).message) }] : []))
    : [];
  return { loaded: b.loaded, cars, alerts };
}

/** The pairing state in words. */
export function pairingText(p: BlePairing): string {
  switch (p) {
    case "no_key":
      return "No Bluetooth key for this car yet.";
    case "unpaired":
      return "Not paired.";
    case "requested":
      return "Key request sent: waiting for it to be approved in the car.";
    case "peered":
      return "Paired: commands can go over Bluetooth.";
  }
}

/** The button's label (upstream's words). */
export function pairButton(p: BlePairing): string {
  return p === "peered" ? "Re-pair with Vehicle" : "Pair with Vehicle";
}
