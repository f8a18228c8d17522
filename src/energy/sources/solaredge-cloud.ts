/**
 * SolarEdge monitoring API (energy-sources.md §5.3, §5.4, §5.6): `GET <base>/site/<siteID>/<request>
 * ?api_key=<key>` with `currentPowerFlow` (generation and consumption) or `overview` (generation only),
 * chosen by the poll mode: 0 reads currentPowerFlow four times and then settles on 2 when any
 * consumption was reported, else on 1. HTTP 429 (daily quota) pauses requests for an hour.
 */
import type { Clock } from "../../shared/clock.ts";
import { SourceFetchError, fetchWithTimeout } from "../polling-source.ts";
import type { SourceDeps } from "../source.ts";
import type { SolarEdgeConfig } from "./solaredge-schema.ts";
import { isObject, parseJsonBody, requireNumber, trimBase } from "./module-source.ts";
import type { Attributes, ModuleDeps, ModuleReading } from "./module-source.ts";

/** The fixed cloud host (tests inject `baseUrl`). */
export const SOLAREDGE_CLOUD_URL = "https://monitoringapi.solaredge.com";
/** Upstream request timeout (ms, §1.6). */
export const SOLAREDGE_CLOUD_TIMEOUT_MS = 10_000;
/** Recommended and smallest cloud poll intervals (s, §5.6: 300 requests a day). */
export const SOLAREDGE_CLOUD_POLL_S = 300;
/** The smallest cloud poll interval (s). */
export const SOLAREDGE_CLOUD_MIN_POLL_S = 90;
/** How long requests pause after a quota answer (ms). */
export const SOLAREDGE_QUOTA_PAUSE_MS = 3_600_000;
/** currentPowerFlow reads before mode 0 decides (§5.3). */
export const DETECT_READS = 4;

/** Poll mode (§5.3). */
export type PollMode = 0 | 1 | 2;

/** Values of a `currentPowerFlow` answer (W, truncated as upstream's `int()`). */
export interface PowerFlow {
  generatedW: number;
  consumedW: number;
}

/** One `currentPower` of a flow element in W; an absent element is 0 (not metered). */
function flowWatts(flow: Record<string, unknown>, key: string, factor: number): number {
  const el = flow[key];
  if (el === undefined || el === null) return 0;
  const v = requireNumber(`currentPowerFlow ${key}.currentPower`, isObject(el) ? el.currentPower : undefined);
  return Math.trunc(v * factor) || 0;
}

/** Parses `currentPowerFlow`: unit W or kW (× 1000), PV and LOAD magnitudes; throws on anything else. */
export function parsePowerFlow(doc: unknown): PowerFlow {
  const flow = isObject(doc) ? doc.siteCurrentPowerFlow : undefined;
  if (!isObject(flow)) throw new SourceFetchError("currentPowerFlow: no siteCurrentPowerFlow in the answer");
  const unit = flow.unit;
  const factor = unit === "W" ? 1 : unit === "kW" ? 1000 : null;
  if (factor === null)
    throw new SourceFetchError(`currentPowerFlow: unit ${JSON.stringify(unit ?? null)} not supported`);
  return { generatedW: flowWatts(flow, "PV", factor), consumedW: flowWatts(flow, "LOAD", factor) };
}

/** Parses `overview`: generation W = int(overview.currentPower.power). */
export function parseOverview(doc: unknown): number {
  const ov = isObject(doc) ? doc.overview : undefined;
  const cp = isObject(ov) ? ov.currentPower : undefined;
  return Math.trunc(requireNumber("overview currentPower.power", isObject(cp) ? cp.power : undefined)) || 0;
}

/** The detection state of the cloud poll modes. */
export interface CloudModeState {
  mode: PollMode;
  /** currentPowerFlow reads counted in mode 0. */
  detectReads: number;
  /** Σ consumption over those reads. */
  detectSum: number;
}

/** Mode 0 after four reads becomes 2 (consumption seen) or 1 (never); other states stay. */
export function settleMode(s: CloudModeState): CloudModeState {
  if (s.mode !== 0 || s.detectReads < DETECT_READS) return s;
  return { ...s, mode: s.detectSum !== 0 ? 2 : 1 };
}

/** Counts a successful currentPowerFlow read in mode 0. */
export function countRead(s: CloudModeState, consumedW: number): CloudModeState {
  return s.mode === 0 ? { ...s, detectReads: s.detectReads + 1, detectSum: s.detectSum + consumedW } : s;
}

/** The user-facing text of a failed cloud answer (quota and key errors spelled out). */
export function cloudStatusMessage(what: string, status: number): string {
  if (status === 429)
    return `${what}: HTTP 429, the daily API quota (300 requests) is used up; requests pause for 1 h`;
  if (status === 403)
    return `${what}: HTTP 403, the API key or site ID was refused (or the quota is exceeded)`;
  return `${what}: HTTP ${status}`;
}

/** The cloud poll: returns the poll function of a module source. */
export function solarEdgeCloudPoll(
  cfg: SolarEdgeConfig,
  deps: ModuleDeps & SourceDeps,
): (signal: AbortSignal) => Promise<ModuleReading> {
  const base = trimBase(deps.baseUrl ?? SOLAREDGE_CLOUD_URL);
  const site = encodeURIComponent(String(cfg.siteID ?? "").trim());
  const key = encodeURIComponent((cfg.apiKey ?? "").trim());
  let state: CloudModeState = {
    mode: cfg.pollMode === 1 || cfg.pollMode === 2 ? cfg.pollMode : 0,
    detectReads: 0,
    detectSum: 0,
  };
  let consumedW = 0;
  let pausedUntil: number | null = null;
  const clock: Clock = deps.clock;

  const get = async (what: string, signal: AbortSignal): Promise<unknown> => {
    if (pausedUntil !== null && clock.now() < pausedUntil)
      throw new SourceFetchError(
        `${what}: API quota used up; next request at ${new Date(pausedUntil).toISOString()}`,
      );
    pausedUntil = null;
    if (cfg.debugMode !== undefined && cfg.debugMode !== false && cfg.debugMode !== 0)
      deps.logger.debug(
        { source: "SolarEdge", request: `${base}/site/${site}/${what}` },
        "SolarEdge request",
      );
    const { status, body } = await fetchWithTimeout(
      `${base}/site/${site}/${what}?api_key=${key}`,
      { method: "GET" },
      {
        clock,
        timeoutMs: deps.timeoutMs ?? SOLAREDGE_CLOUD_TIMEOUT_MS,
        signal,
        ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
      },
    );
    if (status < 200 || status > 299) {
      if (status === 429) pausedUntil = clock.now() + SOLAREDGE_QUOTA_PAUSE_MS;
      throw new SourceFetchError(cloudStatusMessage(what, status));
    }
    return parseJsonBody(what, body);
  };

  return async (signal) => {
    const settled = settleMode(state);
    if (settled.mode !== state.mode)
      deps.logger.info(
        { source: "SolarEdge", pollMode: settled.mode },
        `SolarEdge: poll mode ${settled.mode} (${settled.mode === 2 ? "consumption reported" : "no consumption meter"})`,
      );
    state = settled;
    let generatedW: number;
    if (state.mode === 1) {
      generatedW = parseOverview(await get("overview", signal));
    } else {
      const flow = parsePowerFlow(await get("currentPowerFlow", signal));
      generatedW = flow.generatedW;
      consumedW = flow.consumedW;
      state = countRead(state, flow.consumedW);
    }
    const attributes: Attributes = {
      generatedW,
      consumedW,
      pollMode: state.mode,
      importW: 0,
      exportW: 0,
      voltage: 0,
    };
    return { values: { generationW: generatedW, consumptionW: consumedW }, attributes };
  };
}
