/**
 * smart-me cloud (energy-sources.md §13): `GET https://smart-me.com/api/DeviceBySerial?serial=<serialNumber>`
 * with HTTP Basic authentication. One signed power value: g = −ActivePower (× 1000 for kW); g > 0 is
 * generation (export), g < 0 consumption (import). Both come from the same read.
 */
import { SourceFetchError } from "../polling-source.ts";
import type { SmartMeConfig } from "./smartme-schema.ts";
import {
  createModuleSource,
  isObject,
  parseJsonBody,
  request,
  requireNumber,
  trimBase,
} from "./module-source.ts";
import type { ModuleDeps, ModuleReading } from "./module-source.ts";

/** Upstream request timeout (ms, §1.6). */
export const SMARTME_TIMEOUT_MS = 2000;
/** The upstream API host. */
export const SMARTME_BASE_URL = "https://smart-me.com";

/** The signed generation g = −ActivePower in W (missing → 0, kW × 1000); throws on a non-numeric value. */
export function smartMeSignedW(doc: unknown): number {
  if (!isObject(doc)) throw new SourceFetchError("DeviceBySerial: answer is not an object");
  const raw = doc.ActivePower;
  const p = raw === undefined || raw === null ? 0 : requireNumber("ActivePower", raw);
  const g = -p * (doc.ActivePowerUnit === "kW" ? 1000 : 1);
  return g === 0 ? 0 : g;
}

/** Creates the SmartMe source (not started). */
export function createSmartMeSource(
  cfg: SmartMeConfig,
  deps: ModuleDeps,
): ReturnType<typeof createModuleSource> {
  const serial = cfg.serialNumber === undefined ? "" : String(cfg.serialNumber).trim();
  const url = `${trimBase(deps.baseUrl ?? SMARTME_BASE_URL)}/api/DeviceBySerial?serial=${encodeURIComponent(serial)}`;
  const auth = `Basic ${Buffer.from(`${cfg.username ?? ""}:${cfg.password ?? ""}`).toString("base64")}`;
  const poll = async (signal: AbortSignal): Promise<ModuleReading> => {
    const init = { method: "GET", headers: { Authorization: auth, "content-type": "application/json" } };
    const g = smartMeSignedW(
      parseJsonBody(
        "DeviceBySerial",
        await request("DeviceBySerial", url, init, deps, SMARTME_TIMEOUT_MS, signal),
      ),
    );
    return {
      values: { generationW: g > 0 ? g : 0, consumptionW: g < 0 ? -g : 0 },
      attributes: { generatedW: g },
    };
  };
  return createModuleSource("SmartMe", deps, cfg.pollIntervalS, poll);
}
