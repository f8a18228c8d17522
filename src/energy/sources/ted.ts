/**
 * The Energy Detective (energy-sources.md §15), as upstream intended (its code never worked):
 * `GET http://<serverIP>:<serverPort>/history/export.csv?T=1&D=0&M=1&C=1`; the first `Solar,<time>,<kW>,…`
 * line gives generation = int(|kW| × 1000). Consumption is always 0; no `Solar` line fails the read.
 */
import { SourceFetchError } from "../polling-source.ts";
import type { TedConfig } from "./ted-schema.ts";
import { createModuleSource, hostPort, request, toNumber } from "./module-source.ts";
import type { ModuleDeps, ModuleReading } from "./module-source.ts";

/** Upstream request timeout (ms, §1.6). */
export const TED_TIMEOUT_MS = 10_000;

/** Generation (W, integer) from the history CSV's first `Solar` line, or throws. */
export function tedGenerationW(csv: string): number {
  const m = /^Solar,[^,]+,-?([^, ]+),/m.exec(csv);
  const kw = m?.[1] !== undefined ? toNumber(m[1]) : null;
  if (kw === null) throw new SourceFetchError("export.csv: no Solar line with a power value");
  return Math.trunc(kw * 1000);
}

/** Creates the TED source (not started). */
export function createTedSource(cfg: TedConfig, deps: ModuleDeps): ReturnType<typeof createModuleSource> {
  const url = `http://${hostPort(cfg.serverIP ?? "", cfg.serverPort)}/history/export.csv?T=1&D=0&M=1&C=1`;
  const poll = async (signal: AbortSignal): Promise<ModuleReading> => {
    const generatedW = tedGenerationW(
      await request("export.csv", url, { method: "GET" }, deps, TED_TIMEOUT_MS, signal),
    );
    return {
      values: { generationW: generatedW, consumptionW: 0 },
      attributes: { generatedW, voltage: 0, importW: 0, exportW: 0 },
    };
  };
  return createModuleSource("TED", deps, cfg.pollIntervalS, poll);
}
