/**
 * `POST /api/sendTeslaAPICommand`, the Debug page's Tesla API command (vehicles.md §8.5, filling
 * http-api.md §7.15): validation in the spec's order, then the command straight to the Fleet API module
 * (bypassing the router and its commandPolicy, as upstream). The check is pure; the handler sends.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { coerceInteger } from "../../config/coerce.ts";
import type { Commands } from "../../engine/commands.ts";
import type { VehicleCommandResult } from "../../integrations/capabilities.ts";
import { parseJsonBody } from "../body.ts";
import { sendError } from "../reply.ts";
import type { Checked } from "./validate.ts";

/** A validated Tesla API command. */
export type TeslaCommand = { name: "setChargeRate"; vehicleId: number; amps: number } | { name: "wakeVehicle"; vehicleId: number };

/** The 501 answer without the Fleet API module (http-api.md §7.15, verbatim). */
export const NO_VEHICLE_MODULE = "No vehicle API module is configured";

const fail = (message: string, status = 400): Checked<never> => ({ ok: false, status, message });

/** `parameters`: a JSON string (upstream) or an object; anything unparsable is `{}`. */
export function parseParameters(p: unknown): Record<string, unknown> {
  let v: unknown = p;
  if (typeof p === "string") {
    try {
      v = JSON.parse(p);
    } catch {
      return {};
    }
  }
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The vehicle id: a JSON integer or a string of digits. */
function vehicleIdOf(v: unknown): number | null {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === "string" && /^\s*\d{1,16}\s*$/.test(v)) {
    const n = Number(v.trim());
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

/**
 * The checks of §8.5 after the body parsed and the module exists: commandName, vehicleID (format; the
 * lookup is the caller's 404), and for setChargeRate `charge_rate` an integer 1…`wiringMaxAmpsAllTWCs`.
 */
export function checkTeslaCommand(b: Readonly<Record<string, unknown>>, wiringMaxAmpsAllTWCs: number): Checked<TeslaCommand> {
  const name = b.commandName;
  if (name === undefined || name === null) return fail("commandName is required");
  if (typeof name !== "string") return fail("commandName must be a string");
  if (name !== "setChargeRate" && name !== "wakeVehicle") return fail(`Unknown commandName '${name}'`);
  if (b.vehicleID === undefined || b.vehicleID === null) return fail("vehicleID is required");
  const vehicleId = vehicleIdOf(b.vehicleID);
  if (vehicleId === null) return fail("vehicleID must be a number");
  if (name === "wakeVehicle") return { ok: true, value: { name, vehicleId } };
  const params = parseParameters(b.parameters);
  const rate = params.charge_rate;
  if (rate === undefined || rate === null) return fail("charge_rate is required");
  const c = coerceInteger(rate);
  if (!c.ok) return fail("charge_rate must be a number");
  const max = Math.max(1, Math.trunc(wiringMaxAmpsAllTWCs));
  if (c.value < 1 || c.value > max) return fail(`charge_rate must be between 1 and ${max}`);
  return { ok: true, value: { name, vehicleId, amps: c.value } };
}

/** The message of a failed command (secret-free: the module's reason and fix). */
function failureText(r: Extract<VehicleCommandResult, { ok: false }>): string {
  return r.fix !== undefined && !r.reason.includes(r.fix) ? `${r.reason} (${r.fix})` : r.reason;
}

/**
 * The handler. Without the Fleet API module: 501 whatever the body (http-api.md §7.15 applies unchanged
 * without a vehicle module, vehicles.md intro). With it, §8.5: 400 (body, fields), 404 (unknown id: the
 * vehicle list is loaded first when no car is known yet), 200 (empty) when the cloud accepted the
 * command, 409 with the secret-free reason when it could not be sent or the car refused it.
 */
export async function sendTeslaApiCommand(request: FastifyRequest, reply: FastifyReply, commands: Commands, wiringMaxAmpsAllTWCs: number): Promise<FastifyReply> {
  const api = commands.teslaApi();
  if (!api) return sendError(reply, 501, NO_VEHICLE_MODULE);
  const raw = request.body;
  const b = parseJsonBody(raw instanceof Uint8Array || typeof raw === "string" ? raw : undefined);
  if (!b.ok) return sendError(reply, 400, b.message);
  const c = checkTeslaCommand(b.value, wiringMaxAmpsAllTWCs);
  if (!c.ok) return sendError(reply, c.status, c.message);
  let car = api.byId(c.value.vehicleId);
  if (!car && api.statuses().length === 0) {
    await api.available("none"); // §2.7: the list is read lazily, at the first vehicle operation
    car = api.byId(c.value.vehicleId);
  }
  if (!car) return sendError(reply, 404, `Vehicle '${String(c.value.vehicleId)}' not found`);
  const r = c.value.name === "setChargeRate" ? await car.setChargingAmps(c.value.amps) : await car.wake();
  if (r.ok) return reply.code(200).send();
  return sendError(reply, 409, failureText(r));
}
