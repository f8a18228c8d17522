/**
 * P1 Monitor (energy-sources.md §9): `GET http://<serverIP>/api/v1/phase?limit=<samples>&json=object&round=on`
 * on every read. Per phase, the 10 % trimmed mean of the last `samples` rows; consumption is the most
 * loaded phase × the phase count (from the voltages), generation the sum of the production means.
 */
import { SourceFetchError } from "../polling-source.ts";
import type { P1MonitorConfig } from "./p1monitor-schema.ts";
import { createModuleSource, isObject, parseJsonBody, request, requireNumber } from "./module-source.ts";
import type { ModuleDeps, ModuleReading } from "./module-source.ts";

/** Upstream request timeout (ms, §1.6). */
export const P1MONITOR_TIMEOUT_MS = 10_000;

const CONSUMPTION = ["CONSUMPTION_L1_W", "CONSUMPTION_L2_W", "CONSUMPTION_L3_W"] as const;
const PRODUCTION = ["PRODUCTION_L1_W", "PRODUCTION_L2_W", "PRODUCTION_L3_W"] as const;
const VOLTAGES = ["L1_V", "L2_V", "L3_V"] as const;

/** scipy's `trim_mean(values, 0.1)`: sort, drop ⌊0.1·n⌋ values at each end, average the rest. */
export function trimmedMean(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(0.1 * sorted.length);
  const kept = sorted.slice(cut, sorted.length - cut);
  return kept.reduce((s, v) => s + v, 0) / kept.length;
}

/** Phase count from three voltages (upstream rule): 3 if Σ > max; else 1 (Σ = max, min = 0, or an odd case). */
export function phaseCount(v: readonly [number, number, number]): 1 | 3 {
  const sum = v[0] + v[1] + v[2];
  return sum > Math.max(...v) ? 3 : 1;
}

/** Generation and consumption (W, integers ≥ 0) from the phase rows, using the first `samples` rows. */
export function p1Figures(rows: unknown, samples: number): { consumedW: number; generatedW: number } {
  if (!Array.isArray(rows) || rows.length < samples)
    throw new SourceFetchError(
      `phase: expected ${samples} row(s), got ${Array.isArray(rows) ? rows.length : "no list"}`,
    );
  const used: unknown[] = rows.slice(0, samples);
  const field = (row: unknown, i: number, key: string): number =>
    Math.trunc(requireNumber(`row ${i} ${key}`, isObject(row) ? row[key] : undefined));
  const mean = (key: string): number => trimmedMean(used.map((row, i) => field(row, i, key)));
  // Upstream takes the voltages from row 1; with a single row (samples 1) row 0 (spec recommendation).
  const vi = rows.length > 1 ? 1 : 0;
  const volts = VOLTAGES.map((k) => field(rows[vi], vi, k)) as [number, number, number];
  const consumed = Math.trunc(Math.max(...CONSUMPTION.map(mean))) * phaseCount(volts);
  const generated = Math.trunc(PRODUCTION.map(mean).reduce((s, v) => s + v, 0));
  return { consumedW: consumed > 0 ? consumed : 0, generatedW: generated > 0 ? generated : 0 };
}

/** Creates the P1Monitor source (not started). */
export function createP1MonitorSource(
  cfg: P1MonitorConfig,
  deps: ModuleDeps,
): ReturnType<typeof createModuleSource> {
  const url = `http://${(cfg.serverIP ?? "").trim()}/api/v1/phase?limit=${cfg.samples}&json=object&round=on`;
  const poll = async (signal: AbortSignal): Promise<ModuleReading> => {
    const body = await request("phase", url, { method: "GET" }, deps, P1MONITOR_TIMEOUT_MS, signal);
    const f = p1Figures(parseJsonBody("phase", body), cfg.samples);
    return {
      values: { generationW: f.generatedW, consumptionW: f.consumedW },
      attributes: { consumedW: f.consumedW, generatedW: f.generatedW, samples: cfg.samples },
    };
  };
  return createModuleSource("P1Monitor", deps, cfg.pollIntervalS, poll);
}
