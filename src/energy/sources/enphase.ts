/**
 * `sources.Enphase` (energy-sources.md §6): the cloud API v2 when `apiKey`, `userID` and `systemID` are
 * all set (it wins, as upstream), else the local Envoy at `serverIP`. Without either the source reports
 * that as its error at every poll (it never reads anything).
 */
import { SourceFetchError } from "../polling-source.ts";
import { enphaseCloudPoll } from "./enphase-cloud.ts";
import type { EnphaseConfig } from "./enphase-schema.ts";
import { enphaseLocalPoll } from "./enphase-local.ts";
import { createModuleSource } from "./module-source.ts";
import type { ModuleDeps, ModuleReading } from "./module-source.ts";

/** Recommended poll intervals (s, §1.6). */
export const ENPHASE_CLOUD_POLL_S = 60;
/** Recommended local poll interval (s). */
export const ENPHASE_LOCAL_POLL_S = 10;

const set = (v: string | number | undefined): boolean => String(v ?? "").trim() !== "";

/** Which mode a section selects (§6.2), or why none. */
export function enphaseMode(cfg: EnphaseConfig): "cloud" | "local" | { missing: string } {
  if (set(cfg.apiKey) && set(cfg.userID) && set(cfg.systemID)) return "cloud";
  if (set(cfg.serverIP)) return "local";
  return { missing: "sources.Enphase needs serverIP (local Envoy) or apiKey, userID and systemID (cloud)" };
}

/** Creates the Enphase source (not started). */
export function createEnphaseSource(
  cfg: EnphaseConfig,
  deps: ModuleDeps,
): ReturnType<typeof createModuleSource> {
  const mode = enphaseMode(cfg);
  if (mode === "cloud")
    return createModuleSource(
      "Enphase",
      deps,
      cfg.pollIntervalS ?? ENPHASE_CLOUD_POLL_S,
      enphaseCloudPoll(cfg, deps),
    );
  if (mode === "local")
    return createModuleSource(
      "Enphase",
      deps,
      cfg.pollIntervalS ?? ENPHASE_LOCAL_POLL_S,
      enphaseLocalPoll(cfg, deps),
    );
  const never = (): Promise<ModuleReading> => Promise.reject(new SourceFetchError(mode.missing));
  return createModuleSource("Enphase", deps, ENPHASE_CLOUD_POLL_S, never);
}
