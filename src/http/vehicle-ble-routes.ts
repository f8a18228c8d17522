/**
 * The BLE routes of the Vehicles page (vehicles.md §4.6, §8.4 "BLE Control"): `GET /api/v2/vehicles/ble`
 * (is the module loaded, each car's pairing state with what the user must do at the car, the last BLE
 * command, the breaker, the BLE alerts naming their fix) and `POST /api/v2/vehicles/<VIN>/ble/pair`
 * (sends the key request, up to 30 s, then tells the user to tap the key card). No key material is
 * ever in an answer: only the VIN, states and tesla-control's last output line.
 */
import type { FastifyInstance } from "fastify";
import type { Commands } from "../engine/commands.ts";
import type { BleCarInfo, BleOutcomeInfo } from "../integrations/vehicle-ble/ble-types.ts";
import { sendError, sendJson } from "./reply.ts";
import { checkVin } from "./vehicle-groups.ts";

/** One BLE outcome as the page shows it (ISO time). */
export interface BleOutcomeDoc {
  operation: string;
  at: string;
  ok: boolean;
  message: string;
  failure: string | null;
}

/** One BLE car as the page shows it. */
export interface BleCarDoc {
  vin: string;
  pairing: BleCarInfo["pairing"];
  instructions: string;
  lastPairing: BleOutcomeDoc | null;
  lastCommand: BleOutcomeDoc | null;
  breakerOpenUntil: string | null;
  stopAskingToStartCharging: boolean;
  lastStateRead: string | null;
}

/** `GET /api/v2/vehicles/ble`. */
export interface BleDoc {
  loaded: boolean;
  program: string | null;
  cars: BleCarDoc[];
  alerts: { code: string; message: string; since: string }[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function outcomeDoc(o: BleOutcomeInfo | null): BleOutcomeDoc | null {
  return o === null ? null : { operation: o.operation, at: new Date(o.atMs).toISOString(), ok: o.ok, message: o.message, failure: o.failure };
}

/** The BLE document from the module (or the empty one without it). Pure apart from reading the module. */
export function bleDoc(commands: Pick<Commands, "bleControl">): BleDoc {
  const ble = commands.bleControl();
  if (ble === null) return { loaded: false, program: null, cars: [], alerts: [] };
  return {
    loaded: ble.loaded(),
    program: ble.program(),
    cars: ble.cars().map((c) => ({
      vin: c.vin,
      pairing: c.pairing,
      instructions: c.instructions,
      lastPairing: outcomeDoc(c.lastPairing),
      lastCommand: outcomeDoc(c.lastCommand),
      breakerOpenUntil: iso(c.breakerOpenUntilMs),
      stopAskingToStartCharging: c.stopAskingToStartCharging,
      lastStateRead: iso(c.lastStateReadMs),
    })),
    alerts: ble.alerts().map((a) => ({ code: a.code, message: a.message, since: new Date(a.sinceMs).toISOString() })),
  };
}

/** Registers the BLE routes. */
export function registerVehicleBleRoutes(app: FastifyInstance, deps: { commands: Commands }): void {
  const { commands } = deps;
  app.get("/api/v2/vehicles/ble", async (_q, reply) => sendJson(reply, 200, bleDoc(commands)));
  app.post<{ Params: { vin: string } }>("/api/v2/vehicles/:vin/ble/pair", async (request, reply) => {
    const vin = checkVin(request.params.vin);
    if (typeof vin !== "string") return sendError(reply, 400, vin.error);
    const ble = commands.bleControl();
    if (ble === null || !ble.loaded()) {
      const why = ble?.alerts().find((a) => a.code === "VEHICLE_BLE_PROGRAM_MISSING")?.message;
      return sendError(reply, 409, why ?? "BLE pairing needs the Tesla BLE module (vehicle.teslaBLE), which is not configured");
    }
    if (!ble.cars().some((c) => c.vin === vin)) return sendError(reply, 404, `Vehicle '${vin}' is not one of the cars the chargers reported (settings.Vehicles)`);
    const r = await ble.pair(vin);
    request.log.info({ vin, ok: r.ok }, `BLE pairing request for ${vin}: ${r.ok ? "sent" : "failed"}`);
    if (!r.ok) return sendJson(reply, 502, { error: `the pairing request failed: ${r.message}`, instructions: r.instructions });
    return sendJson(reply, 200, { status: "requested", message: r.message, instructions: r.instructions });
  });
}
