/**
 * Efergy Engage cloud (energy-sources.md §16): `GET https://engage.efergy.com/mobile_proxy/getCurrentValuesSummary?token=<token>`.
 * Consumption is the first value of `data[0]` of the `PWER` sensor (else of the first element);
 * generation is always 0.
 */
import { SourceFetchError } from "../polling-source.ts";
import type { EfergyConfig } from "./efergy-schema.ts";
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
export const EFERGY_TIMEOUT_MS = 10_000;
/** The upstream API host. */
export const EFERGY_BASE_URL = "https://engage.efergy.com";

/** Consumption (W) from a `getCurrentValuesSummary` answer; throws when the value is missing. */
export function efergyConsumptionW(doc: unknown): number {
  if (!Array.isArray(doc) || doc.length === 0)
    throw new SourceFetchError("getCurrentValuesSummary: no sensors in the answer");
  const sensors: unknown[] = doc;
  const sensor = sensors.find((e) => isObject(e) && e.cid === "PWER") ?? sensors[0];
  const data = isObject(sensor) ? sensor.data : undefined;
  const first: unknown = Array.isArray(data) ? data[0] : undefined;
  const value: unknown = isObject(first) ? Object.values(first)[0] : undefined;
  return requireNumber("sensor data", value);
}

/** Creates the Efergy source (not started). */
export function createEfergySource(
  cfg: EfergyConfig,
  deps: ModuleDeps,
): ReturnType<typeof createModuleSource> {
  const url = `${trimBase(deps.baseUrl ?? EFERGY_BASE_URL)}/mobile_proxy/getCurrentValuesSummary?token=${encodeURIComponent(cfg.token ?? "")}`;
  const what = "getCurrentValuesSummary";
  const poll = async (signal: AbortSignal): Promise<ModuleReading> => {
    const consumedW = efergyConsumptionW(
      parseJsonBody(what, await request(what, url, { method: "GET" }, deps, EFERGY_TIMEOUT_MS, signal)),
    );
    return { values: { generationW: 0, consumptionW: consumedW }, attributes: { consumedW } };
  };
  return createModuleSource("Efergy", deps, cfg.pollIntervalS, poll);
}
