/**
 * The config checks of the modules with two transports (energy-sources.md §5.2, §6.2): which keys select
 * which one, a warning naming what is missing when neither is complete (the module is then not started,
 * as upstream unloads it), and a warning for keys the chosen transport ignores. Pure; the descriptors'
 * `check` hooks.
 */
import type { SourceCheck } from "../catalogue.ts";
import type { EnphaseConfig } from "./enphase-schema.ts";
import type { SolarEdgeConfig } from "./solaredge-schema.ts";

const set = (v: string | number | undefined): boolean => v !== undefined && String(v).trim() !== "";
const list = (keys: readonly string[]): string => keys.join(", ").replace(/, ([^,]*)$/, " and $1");

/** The SolarEdge cloud's smallest poll interval (s, §5.6); mirrors solaredge-cloud.ts. */
const SOLAREDGE_CLOUD_MIN_POLL_S = 90;

/** `sources.SolarEdge`: Modbus TCP with `inverterHost`, else the cloud with `apiKey` and `siteID` (§5.2). */
export function checkSolarEdge(cfg: SolarEdgeConfig): SourceCheck[] {
  const cloudMissing = (["apiKey", "siteID"] as const).filter((k) => !set(cfg[k]));
  const cloudAny = cloudMissing.length < 2;
  if (set(cfg.inverterHost)) {
    const out: SourceCheck[] = [];
    if (cloudAny)
      out.push({ message: "apiKey and siteID are ignored: inverterHost is set, so the inverter is read over Modbus TCP" });
    const names = cfg.smartMeters.map((m) => m.name);
    for (const n of new Set(names.filter((n, i) => names.indexOf(n) !== i)))
      out.push({ key: "smartMeters", message: `${n} is listed more than once; its power would be counted twice` });
    return out;
  }
  const [absent] = cloudMissing;
  if (absent !== undefined) {
    if (!cloudAny)
      return [{ message: "needs inverterHost (local inverter over Modbus TCP) or apiKey and siteID (monitoring cloud)", blocking: true }];
    const other = absent === "apiKey" ? "siteID" : "apiKey";
    return [{ key: absent, message: `is required with ${other} for the SolarEdge cloud (or set inverterHost for Modbus TCP)`, blocking: true }];
  }
  const out: SourceCheck[] = [];
  if (cfg.smartMeters.length > 0)
    out.push({ key: "smartMeters", message: "is ignored by the cloud API (it is read over Modbus TCP only, with inverterHost)" });
  if (cfg.pollIntervalS !== undefined && cfg.pollIntervalS < SOLAREDGE_CLOUD_MIN_POLL_S)
    out.push({ key: "pollIntervalS", message: `${cfg.pollIntervalS} is below ${SOLAREDGE_CLOUD_MIN_POLL_S} s, too often for the cloud API's daily quota; ${SOLAREDGE_CLOUD_MIN_POLL_S} is used` });
  return out;
}

/** `sources.Enphase`: the cloud when `apiKey`, `userID` and `systemID` are all set (it wins), else the local Envoy at `serverIP` (§6.2). */
export function checkEnphase(cfg: EnphaseConfig): SourceCheck[] {
  const cloudKeys = ["apiKey", "userID", "systemID"] as const;
  const missing = cloudKeys.filter((k) => !set(cfg[k]));
  const local = set(cfg.serverIP);
  if (missing.length === 0)
    return local || set(cfg.token)
      ? [{ message: "serverIP and token are ignored: apiKey, userID and systemID are set, so the Enphase cloud is used (as in TWCManager)" }]
      : [];
  if (local)
    return missing.length < cloudKeys.length
      ? [{ message: `the cloud keys are incomplete (${list(missing)} missing), so the local Envoy at serverIP is read` }]
      : [];
  if (missing.length < cloudKeys.length)
    return [{ message: `${list(missing)} ${missing.length === 1 ? "is" : "are"} required for the Enphase cloud (or set serverIP for the local Envoy)`, blocking: true }];
  return [{ message: "needs serverIP (local Envoy) or apiKey, userID and systemID (Enphase cloud)", blocking: true }];
}
