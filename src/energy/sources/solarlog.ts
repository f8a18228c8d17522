/**
 * Solar-Log data logger (energy-sources.md §7): `POST http://<serverIP>/getjp` with the `801` query
 * (170: totals, 175: smart-energy switch states) and, only when devices are excluded, a second POST for
 * `782` (power per device). Consumption is 801.170.110 minus the excluded devices that are switched on.
 */
import { SourceFetchError } from "../polling-source.ts";
import type { SolarLogConfig } from "./solarlog-schema.ts";
import { createModuleSource, isObject, parseJsonBody, request, requireNumber } from "./module-source.ts";
import type { ModuleDeps, ModuleReading } from "./module-source.ts";

/** Upstream request timeout (ms, §1.6). */
export const SOLARLOG_TIMEOUT_MS = 2000;
/** The exact body of the first request (upstream). */
export const SOLARLOG_QUERY_801 = '{"801":{"170":null, "175":null}}';
/** The body of the per-device power request. */
export const SOLARLOG_QUERY_782 = '{"782":null}';

/** Totals of an `801` answer: generation (101), raw consumption (110) and the switch states (175). */
export interface SolarLog801 {
  generatedW: number;
  consumedW: number;
  switches: Record<string, unknown>;
}

/** Parses the `801` answer; throws a SourceFetchError on a missing or non-numeric field. */
export function parseSolarLog801(doc: unknown): SolarLog801 {
  const d801 = isObject(doc) ? doc["801"] : undefined;
  const d170 = isObject(d801) ? d801["170"] : undefined;
  if (!isObject(d170)) throw new SourceFetchError("getjp: no 801.170 in the answer");
  const d175 = isObject(d801) ? d801["175"] : undefined;
  return {
    generatedW: requireNumber("801.170.101", d170["101"]),
    consumedW: requireNumber("801.170.110", d170["110"]),
    switches: isObject(d175) ? d175 : {},
  };
}

/**
 * The exclusions still active: the entry at list position i with index idx > 0 is dropped when
 * `175["<i>"].101` is 0 (switched off). 175 is indexed by list position, not by idx (upstream quirk).
 */
export function activeExclusions(list: readonly number[], switches: Record<string, unknown>): number[] {
  return list.filter((idx, i) => {
    if (idx <= 0) return true;
    const sw = switches[String(i)];
    const state = requireNumber(`801.175.${i}.101`, isObject(sw) ? sw["101"] : undefined);
    return Math.trunc(state) !== 0;
  });
}

/** Σ of the `782` per-device power over `indices`; throws when a device is missing. */
export function excludedPower(doc: unknown, indices: readonly number[]): number {
  const d782 = isObject(doc) ? doc["782"] : undefined;
  if (!isObject(d782)) throw new SourceFetchError("getjp: no 782 in the answer");
  return indices.reduce((sum, idx) => sum + requireNumber(`782.${idx}`, d782[String(idx)]), 0);
}

/** Creates the SolarLog source (not started). */
export function createSolarLogSource(
  cfg: SolarLogConfig,
  deps: ModuleDeps,
): ReturnType<typeof createModuleSource> {
  const url = `http://${(cfg.serverIP ?? "").trim()}/getjp`;
  const post = async (body: string, signal: AbortSignal): Promise<unknown> =>
    parseJsonBody(
      "getjp",
      await request(
        "getjp",
        url,
        { method: "POST", headers: { "content-type": "application/json" }, body },
        deps,
        SOLARLOG_TIMEOUT_MS,
        signal,
      ),
    );
  const poll = async (signal: AbortSignal): Promise<ModuleReading> => {
    const totals = parseSolarLog801(await post(SOLARLOG_QUERY_801, signal));
    const active = activeExclusions(cfg.excludeConsumptionInverters, totals.switches);
    const excluded =
      cfg.excludeConsumptionInverters.length === 0
        ? 0
        : excludedPower(await post(SOLARLOG_QUERY_782, signal), active);
    return {
      values: { generationW: totals.generatedW, consumptionW: totals.consumedW - excluded },
      attributes: {
        generatedW: totals.generatedW,
        consumedW: totals.consumedW,
        excludeConsumedW: excluded,
        smartEnergyInvertersActive: active.join(","),
      },
    };
  };
  return createModuleSource("SolarLog", deps, cfg.pollIntervalS, poll);
}
