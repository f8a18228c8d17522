/**
 * The vehicle and Tesla-account routes of vehicles.md §8.1: the login redirect, the paste-back and
 * callback exchanges (302 to `/teslaAccount/<result>`), the vehicle-group forms, the BLE pairing form
 * (409 without the BLE module), the home-location form, and `GET /api/v2/vehicles` for the pages. The
 * SPA pages themselves are pages.ts. Tokens never appear in an answer or a log line written here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { VehicleGroup } from "../config/settings-schema.ts";
import type { Commands } from "../engine/commands.ts";
import type { StateDocument, VehiclesDoc } from "../state/types.ts";
import { callbackParams } from "../integrations/tesla/urls.ts";
import { formError, formOf, formRedirect, wantsJson } from "./form.ts";
import { sendHtml, simplePage } from "./pages.ts";
import { sendJson } from "./reply.ts";
import { addGroup, checkVin, deleteGroup, editMembers, groupDocs, knownVehicles, type GroupEdit } from "./vehicle-groups.ts";

/** What the vehicle routes read. */
export interface VehicleRouteDeps {
  commands: Commands;
  /** The state document (the live vehicles). */
  state: { readonly snapshot: Readonly<StateDocument> };
}

/** The answer to a pasted URL without a `code` parameter (not the page Tesla redirected to). */
export const PASTE_NO_CODE =
  "url has no code parameter: paste the full address from the browser's address bar of the page Tesla opened after you approved the login (it contains ?code=…&state=…)";

/** A result page name safe to put in a path (Tesla's error codes are `[a-z_]`; anything else is `error`). */
export function resultPage(result: string): string {
  return `/teslaAccount/${/^[A-Za-z0-9_.-]{1,64}$/.test(result) ? result : "error"}`;
}

function queryString(request: FastifyRequest, key: string): string | null {
  const q = request.query as Record<string, unknown> | undefined;
  const v = q?.[key];
  return typeof v === "string" ? v : Array.isArray(v) && typeof v[0] === "string" ? v[0] : null;
}

const nonEmpty = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : undefined);

/** `lon,lat` of the home-location form (upstream's order); null when it is not two coordinates in range. */
export function parseLonLat(v: unknown): { lat: number; lon: number } | null {
  if (typeof v !== "string") return null;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(v);
  if (!m) return null;
  const lon = Number(m[1]);
  const lat = Number(m[2]);
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : null;
}

/** Registers the routes. */
export function registerVehicleRoutes(app: FastifyInstance, deps: VehicleRouteDeps): void {
  const { commands } = deps;
  const groups = (): Readonly<Record<string, VehicleGroup>> => commands.vehicleSettings().VehicleGroups;

  /** Applies a group edit: stores it (and re-checks the VIN's charger), or answers the error. */
  const applyGroups = async (request: FastifyRequest, reply: FastifyReply, edit: GroupEdit, location: (vin: string | null) => string): Promise<FastifyReply> => {
    if (!edit.ok) return formError(request, reply, edit.status, edit.message);
    const stopped = commands.setVehicleGroups(edit.groups, edit.vin);
    if (stopped.length > 0) request.log.info({ code: "VIN_NOT_ENTITLED", vin: edit.vin, twcIds: stopped }, `VIN ${edit.vin ?? ""} may no longer charge: stopping TWC ${stopped.join(", ")}`);
    try {
      await commands.saved();
    } catch {
      return formError(request, reply, 500, "Failed to save settings (the change is in effect but not on disk; saving is retried)");
    }
    return formRedirect(request, reply, location(edit.vin));
  };

  // §2.4 step 1: the only GET that changes state (a new pending login).
  app.get("/teslaAccount/login", async (request, reply) =>
    reply.code(302).header("Location", commands.teslaLoginUrl(queryString(request, "region") ?? undefined)).header("Cache-Control", "no-store").send(),
  );
  app.get("/teslaAccount/callback", async (request, reply) => {
    const result = await commands.teslaCallback(queryString(request, "code"), queryString(request, "state"));
    if (result === "success") request.log.info({ code: "VEHICLE_LOGIN" }, "Tesla login (callback): tokens stored");
    else request.log.warn({ code: "VEHICLE_LOGIN_FAILED", result }, `Tesla login (callback) failed: ${result}`);
    return reply.code(302).header("Location", resultPage(result)).header("Cache-Control", "no-store").send();
  });
  // §2.4 step 2 paste-back (field `url`), or our manual entry (`accessToken` / `refreshToken`). The URL
  // and the tokens are secrets (the code is a one-time credential): never logged, never echoed.
  app.post("/teslaAccount/saveToken", async (request, reply) => {
    const f = formOf(request);
    const form = f.ok ? f.value : {};
    const url = nonEmpty(form.url);
    const access = nonEmpty(form.accessToken);
    const refresh = nonEmpty(form.refreshToken);
    const refused = (message: string): FastifyReply => {
      request.log.warn({ code: "VEHICLE_LOGIN_FAILED" }, `Tesla login: ${message}`);
      // Upstream answers 302 /teslaAccount/error; the SPA (JSON) gets the reason naming the field.
      return wantsJson(request) ? formError(request, reply, 400, message) : formRedirect(request, reply, resultPage("error"));
    };
    let result: string;
    if (url !== undefined) {
      if (callbackParams(url).code === null) return refused(PASTE_NO_CODE);
      result = await commands.teslaSaveToken(url.trim());
    } else if (access !== undefined || refresh !== undefined) {
      result = (await commands.teslaSetTokens(access, refresh)) ? "success" : "error";
    } else return refused("url is required: paste the address of the page Tesla opened after you approved the login");
    if (result === "success") request.log.info({ code: "VEHICLE_LOGIN" }, url !== undefined ? "Tesla login: tokens stored" : "Tesla tokens entered by hand: stored");
    else request.log.warn({ code: "VEHICLE_LOGIN_FAILED", result }, `Tesla login failed: ${result}`);
    return formRedirect(request, reply, resultPage(result));
  });
  app.get("/teslaAccount/saveToken", async (_q, reply) =>
    sendHtml(reply.header("Allow", "POST"), 405, simplePage("Method not allowed", "<h1>Method not allowed</h1><p>Tokens are saved only via POST.</p>")),
  );

  app.post("/vehicle/group", async (request, reply) => {
    const f = formOf(request);
    if (!f.ok) return formError(request, reply, 400, f.message);
    return applyGroups(request, reply, addGroup(groups(), f.value), () => "/vehicles");
  });
  app.post<{ Params: { name: string } }>("/vehicles/deleteGroup/:name", async (request, reply) =>
    applyGroups(request, reply, deleteGroup(groups(), request.params.name), () => "/vehicles"),
  );
  app.post("/vehicle/groupMgmt", async (request, reply) => {
    const f = formOf(request);
    if (!f.ok) return formError(request, reply, 400, f.message);
    return applyGroups(request, reply, editMembers(groups(), f.value), (vin) => `/vehicleDetail/${vin ?? ""}`);
  });
  app.post("/vehicle/localMgmt", async (request, reply) => {
    const f = formOf(request);
    if (!f.ok) return formError(request, reply, 400, f.message);
    if (f.value.operation !== "pair") return formError(request, reply, 400, "operation must be pair");
    const vin = checkVin(f.value.vin);
    if (typeof vin !== "string") return formError(request, reply, 400, vin.error);
    const ble = commands.bleControl();
    if (ble === null || !ble.loaded()) return formError(request, reply, 409, "BLE pairing needs the Tesla BLE module (vehicle.teslaBLE), which is not loaded");
    if (!ble.cars().some((c) => c.vin === vin)) return formError(request, reply, 404, `Vehicle '${vin}' is not one of the cars the chargers reported (settings.Vehicles)`);
    // §4.6: the user must then be in the car and tap a key card; the detail page shows the pairing state.
    const r = await ble.pair(vin);
    request.log.info({ vin, ok: r.ok }, `BLE pairing request for ${vin}: ${r.ok ? "sent" : "failed"}`);
    if (!r.ok) return formError(request, reply, 502, `The pairing request failed: ${r.message}`);
    return formRedirect(request, reply, `/vehicleDetail/${vin}`);
  });
  app.post("/settings/homeLocation", async (request, reply) => {
    const f = formOf(request);
    if (!f.ok) return formError(request, reply, 400, f.message);
    if (f.value.unset !== undefined) commands.unsetHomeLocation();
    else if (f.value.learn !== undefined) {
      const at = parseLonLat(f.value.vehicle);
      if (at === null) return formError(request, reply, 400, "vehicle must be '<lon>,<lat>' with lat between -90 and 90 and lon between -180 and 180");
      commands.setLatLon(at.lat, at.lon);
    } else return formError(request, reply, 400, "unset or learn is required");
    try {
      await commands.saved();
    } catch {
      return formError(request, reply, 500, "Failed to save settings (the change is in effect but not on disk; saving is retried)");
    }
    return formRedirect(request, reply, "/");
  });

  app.get("/api/v2/vehicles", async (_q, reply) => {
    const s = commands.vehicleSettings();
    const doc: VehiclesDoc = {
      known: knownVehicles(s.Vehicles),
      groups: groupDocs(s.VehicleGroups),
      live: [...deps.state.snapshot.vehicles],
      ble: commands.bleControl()?.loaded() ?? false,
    };
    return sendJson(reply, 200, doc);
  });
}
