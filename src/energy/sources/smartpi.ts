/**
 * SmartPi (energy-sources.md §14): `GET http://<serverIP>:<serverPort>/api/all/power/now`; per phase of
 * `datasets[0].phases`, a negative power adds to the export N, a positive one to the import P.
 * generation = −N; consumption = P only with `showConsumption`. A missing phase value fails the read.
 */
import { SourceFetchError } from "../polling-source.ts";
import type { SmartPiConfig } from "./smartpi-schema.ts";
import {
  createModuleSource,
  hostPort,
  isObject,
  parseJsonBody,
  request,
  requireNumber,
} from "./module-source.ts";
import type { ModuleDeps, ModuleReading } from "./module-source.ts";

/** Upstream request timeout (ms, §1.6). */
export const SMARTPI_TIMEOUT_MS = 2000;

/** Σ of the importing (P ≥ 0) and exporting (N < 0) phase powers of a `/api/all/power/now` answer. */
export function smartPiSums(doc: unknown): { importW: number; exportW: number } {
  const datasets = isObject(doc) ? doc.datasets : undefined;
  const first: unknown = Array.isArray(datasets) ? datasets[0] : undefined;
  const phases = isObject(first) ? first.phases : undefined;
  if (!Array.isArray(phases)) throw new SourceFetchError("power/now: no datasets[0].phases in the answer");
  let importW = 0;
  let exportW = 0;
  phases.forEach((phase: unknown, i) => {
    const values = isObject(phase) ? phase.values : undefined;
    const v: unknown = Array.isArray(values) ? values[0] : undefined;
    const d = requireNumber(`phase ${i + 1} power`, isObject(v) ? v.data : undefined);
    if (d < 0) exportW += d;
    else importW += d;
  });
  return { importW, exportW };
}

/** Creates the SmartPi source (not started). */
export function createSmartPiSource(
  cfg: SmartPiConfig,
  deps: ModuleDeps,
): ReturnType<typeof createModuleSource> {
  const url = `http://${hostPort(cfg.serverIP ?? "", cfg.serverPort)}/api/all/power/now`;
  const poll = async (signal: AbortSignal): Promise<ModuleReading> => {
    const init = { method: "GET", headers: { "content-type": "application/json" } };
    const sums = smartPiSums(
      parseJsonBody("power/now", await request("power/now", url, init, deps, SMARTPI_TIMEOUT_MS, signal)),
    );
    const generatedW = -sums.exportW > 0 ? -sums.exportW : 0;
    const consumedW = cfg.showConsumption ? sums.importW : 0;
    return {
      values: { generationW: generatedW, consumptionW: consumedW },
      attributes: { consumedW, generatedW, showConsumption: cfg.showConsumption },
    };
  };
  return createModuleSource("SmartPi", deps, cfg.pollIntervalS, poll);
}
