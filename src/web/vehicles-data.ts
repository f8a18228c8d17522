/** Reads GET /api/v2/vehicles (cars a charger reported, groups, BLE) for the Vehicles pages. */
import { getJson } from "./api.ts";
import { parseVehiclesData, type VehiclesData } from "./vehicles-model.ts";

/** The data, or the reason it could not be read (the server's words). */
export type VehiclesLoad = { ok: true; data: VehiclesData } | { ok: false; error: string; status: number };

/** Fetches the Vehicles page's data. */
export async function loadVehicles(): Promise<VehiclesLoad> {
  const r = await getJson("/api/v2/vehicles");
  if (!r.ok) return { ok: false, error: r.status === 404 ? "This server does not list vehicles." : r.error, status: r.status };
  const data = parseVehiclesData(r.data);
  return data ? { ok: true, data } : { ok: false, error: "The server sent an unreadable vehicle list", status: r.status };
}
