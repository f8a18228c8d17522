/**
 * Fronius Solar API V1 source (energy-sources.md §4): per listed inverter, PowerFlow
 * (`GetPowerFlowRealtimeData.fcgi?Scope=System`) gives `P_PV` and `P_Load`, CommonInverterData gives
 * `UAC` (voltage attribute only). Generation Σ P_PV, consumption |Σ P_Load|. A read fails when any
 * inverter's PowerFlow request fails (§1.5); a failed CommonInverterData request only loses `voltage`.
 */
import { SourceFetchError } from "../polling-source.ts";
import type { Attributes, ModuleDeps, ModuleReading } from "./module-source.ts";
import { createModuleSource, hostPort, isObject, parseJsonBody, request, toNumber } from "./module-source.ts";
import type { FroniusConfig } from "./fronius-schema.ts";

/** Upstream request timeout (§1.6). */
export const FRONIUS_TIMEOUT_MS = 10_000;

/** The `Site` figures of one PowerFlow answer (null = absent/null, contributes nothing). */
export interface FroniusSite {
  pv: number | null;
  load: number | null;
}

/** The listed inverter hosts (null/empty entries dropped, §4.2). */
export function froniusHosts(serverIP: FroniusConfig["serverIP"]): string[] {
  const list = Array.isArray(serverIP) ? serverIP : [serverIP];
  return list.filter((h): h is string => typeof h === "string" && h.trim() !== "").map((h) => h.trim());
}

/** Parses a PowerFlow document's `Body.Data.Site`; throws a SourceFetchError when it is not there. */
export function parsePowerFlow(doc: unknown): FroniusSite {
  const body = isObject(doc) ? doc.Body : undefined;
  const data = isObject(body) ? body.Data : undefined;
  const site = isObject(data) ? data.Site : undefined;
  if (!isObject(site)) throw new SourceFetchError("PowerFlow: Body.Data.Site missing");
  return { pv: toNumber(site.P_PV), load: toNumber(site.P_Load) };
}

/** Parses `Body.Data.UAC.Value` of a CommonInverterData document, or null. */
export function parseInverterVoltage(doc: unknown): number | null {
  const body = isObject(doc) ? doc.Body : undefined;
  const data = isObject(body) ? body.Data : undefined;
  const uac = isObject(data) ? data.UAC : undefined;
  return isObject(uac) ? toNumber(uac.Value) : null;
}

/** Combines the inverters' figures into the reading and attributes (§4.4, §4.5). */
export function froniusReading(sites: readonly FroniusSite[], voltage: number | null): ModuleReading {
  const generatedW = sites.reduce((s, x) => s + (x.pv ?? 0), 0);
  const consumedW = sites.reduce((s, x) => s + (x.load ?? 0), 0);
  const attributes: Attributes = { generatedW, consumedW, voltage, importW: 0, exportW: 0 };
  return { values: { generationW: generatedW, consumptionW: Math.abs(consumedW) }, attributes };
}

/** Creates the Fronius source (not started). */
export function createFroniusSource(cfg: FroniusConfig, deps: ModuleDeps): ReturnType<typeof createModuleSource> {
  const hosts = froniusHosts(cfg.serverIP);
  let warnedPositiveLoad = false;
  const poll = async (signal: AbortSignal): Promise<ModuleReading> => {
    if (hosts.length === 0) throw new SourceFetchError("no inverter configured (serverIP)");
    const sites: FroniusSite[] = [];
    let voltage: number | null = null;
    for (const host of hosts) {
      const base = `http://${hostPort(host, cfg.serverPort)}/solar_api/v1`;
      const flowUrl = `${base}/GetPowerFlowRealtimeData.fcgi?Scope=System`;
      const invUrl = `${base}/GetInverterRealtimeData.cgi?Scope=Device&DeviceId=1&DataCollection=CommonInverterData`;
      const [flow, inv] = await Promise.allSettled([
        request(`${host} PowerFlow`, flowUrl, { method: "GET" }, deps, FRONIUS_TIMEOUT_MS, signal),
        request(`${host} CommonInverterData`, invUrl, { method: "GET" }, deps, FRONIUS_TIMEOUT_MS, signal),
      ]);
      if (flow.status === "rejected") throw flow.reason;
      const site = parsePowerFlow(parseJsonBody(`${host} PowerFlow`, flow.value));
      sites.push(site);
      if (inv.status === "fulfilled") {
        try {
          voltage = parseInverterVoltage(JSON.parse(inv.value)) ?? voltage;
        } catch {
          // The voltage is an attribute only; a bad CommonInverterData answer does not fail the read.
        }
      }
      if (site.load !== null && site.load > 0 && !warnedPositiveLoad) {
        warnedPositiveLoad = true;
        deps.logger.info({ source: "Fronius", host, P_Load: site.load }, "Fronius reports P_Load > 0; using its magnitude as consumption");
      }
    }
    return froniusReading(sites, voltage);
  };
  return createModuleSource("Fronius", deps, cfg.pollIntervalS, poll);
}
