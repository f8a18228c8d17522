/**
 * `sources.SolarEdge` (energy-sources.md §5): the local inverter over Modbus TCP when `inverterHost` is
 * set, else the monitoring cloud with `apiKey` and `siteID`. Without either the source reports that as
 * its error at every poll (it never reads anything).
 */
import { SourceFetchError } from "../polling-source.ts";
import { createModuleSource } from "./module-source.ts";
import type { ModuleDeps, ModuleReading } from "./module-source.ts";
import { SOLAREDGE_CLOUD_MIN_POLL_S, SOLAREDGE_CLOUD_POLL_S, solarEdgeCloudPoll } from "./solaredge-cloud.ts";
import type { SolarEdgeConfig } from "./solaredge-schema.ts";
import { solarEdgeModbusPoll } from "./solaredge-modbus.ts";

/** Recommended Modbus poll interval (s, §1.6). */
export const SOLAREDGE_MODBUS_POLL_S = 10;

/** Which transport a section selects (§5.2), or why none. */
export function solarEdgeTransport(cfg: SolarEdgeConfig): "modbus" | "cloud" | { missing: string } {
  if ((cfg.inverterHost ?? "").trim() !== "") return "modbus";
  if ((cfg.apiKey ?? "").trim() !== "" && String(cfg.siteID ?? "").trim() !== "") return "cloud";
  return { missing: "sources.SolarEdge needs inverterHost (Modbus TCP) or apiKey and siteID (cloud)" };
}

/** Creates the SolarEdge source (not started). */
export function createSolarEdgeSource(
  cfg: SolarEdgeConfig,
  deps: ModuleDeps,
): ReturnType<typeof createModuleSource> {
  const transport = solarEdgeTransport(cfg);
  if (transport === "modbus")
    return createModuleSource(
      "SolarEdge",
      deps,
      cfg.pollIntervalS ?? SOLAREDGE_MODBUS_POLL_S,
      solarEdgeModbusPoll(cfg, deps),
    );
  if (transport === "cloud") {
    const wanted = cfg.pollIntervalS ?? SOLAREDGE_CLOUD_POLL_S;
    if (wanted < SOLAREDGE_CLOUD_MIN_POLL_S)
      deps.logger.warn(
        { source: "SolarEdge", pollIntervalS: wanted },
        `SolarEdge cloud: pollIntervalS ${wanted} is below ${SOLAREDGE_CLOUD_MIN_POLL_S} s (API quota); using ${SOLAREDGE_CLOUD_MIN_POLL_S}`,
      );
    return createModuleSource(
      "SolarEdge",
      deps,
      Math.max(SOLAREDGE_CLOUD_MIN_POLL_S, wanted),
      solarEdgeCloudPoll(cfg, deps),
    );
  }
  const never = (): Promise<ModuleReading> => Promise.reject(new SourceFetchError(transport.missing));
  return createModuleSource("SolarEdge", deps, SOLAREDGE_CLOUD_POLL_S, never);
}
