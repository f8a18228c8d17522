/**
 * Home Assistant energy source (config.md §5.4): `GET http[s]://serverIP:serverPort/api/states/<entity>`
 * with a bearer token; `state` parsed as a number, `kW` × 1000. A non-200 status or a non-numeric state
 * (`unavailable`, `unknown`) fails the poll, keeping the previous reading.
 */
import { parseNumberText } from "./parse.ts";
import {
  DEFAULT_POLL_INTERVAL_S,
  PollingSource,
  bothValues,
  REQUEST_TIMEOUT_MS,
  SourceFetchError,
  fetchWithTimeout,
} from "./polling-source.ts";
import type { FetchFn, PolledValues } from "./polling-source.ts";
import type { SourceDeps } from "./source.ts";

/** `sources.HASS` keys used here. */
export interface HassSourceConfig {
  serverIP: string;
  /** Number or numeric string, default 8123. */
  serverPort?: number | string;
  useHttps?: boolean;
  apiKey: string;
  hassEntityConsumption?: string;
  hassEntityGeneration?: string;
  /** Seconds, default 10. */
  pollIntervalS?: number;
}

/** Dependencies of the HASS source. */
export interface HassSourceDeps extends SourceDeps {
  fetchImpl?: FetchFn;
  /** Request timeout (ms), default 2000. */
  timeoutMs?: number;
}

/** The base URL `http[s]://host:port` (IPv6 literals bracketed). */
export function hassBaseUrl(cfg: Pick<HassSourceConfig, "serverIP" | "serverPort" | "useHttps">): string {
  const host =
    cfg.serverIP.includes(":") && !cfg.serverIP.startsWith("[") ? `[${cfg.serverIP}]` : cfg.serverIP;
  const port = String(cfg.serverPort ?? 8123).trim();
  return `${cfg.useHttps === true ? "https" : "http"}://${host}:${port}`;
}

/** Extracts the power in watts from a `/api/states/<entity>` JSON document, or null. */
export function hassStateWatts(doc: unknown): number | null {
  if (typeof doc !== "object" || doc === null) return null;
  const state = (doc as { state?: unknown }).state;
  const value = typeof state === "number" ? state : typeof state === "string" ? parseNumberText(state) : null;
  if (value === null || !Number.isFinite(value)) return null;
  const attributes = (doc as { attributes?: unknown }).attributes;
  const unit =
    typeof attributes === "object" && attributes !== null
      ? (attributes as { unit_of_measurement?: unknown }).unit_of_measurement
      : undefined;
  return unit === "kW" ? value * 1000 : value;
}

async function fetchEntity(
  base: string,
  entity: string,
  cfg: HassSourceConfig,
  deps: HassSourceDeps,
  signal: AbortSignal,
): Promise<number> {
  const url = `${base}/api/states/${encodeURIComponent(entity)}`;
  const { status, body } = await fetchWithTimeout(
    url,
    { method: "GET", headers: { Authorization: `Bearer ${cfg.apiKey}`, "Content-Type": "application/json" } },
    {
      clock: deps.clock,
      timeoutMs: deps.timeoutMs ?? REQUEST_TIMEOUT_MS,
      signal,
      ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
    },
  );
  if (status !== 200) throw new SourceFetchError(`${entity}: HTTP ${status}`);
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new SourceFetchError(`${entity}: response is not JSON`);
  }
  const watts = hassStateWatts(doc);
  if (watts === null) {
    const state = typeof doc === "object" && doc !== null ? (doc as { state?: unknown }).state : undefined;
    throw new SourceFetchError(`${entity}: non-numeric state ${JSON.stringify(state ?? null)}`);
  }
  return watts;
}

/** Creates the Home Assistant source (not started). */
export function createHassSource(cfg: HassSourceConfig, deps: HassSourceDeps): PollingSource {
  const base = hassBaseUrl(cfg);
  const gen = cfg.hassEntityGeneration?.trim() ?? "";
  const cons = cfg.hassEntityConsumption?.trim() ?? "";
  const poll = async (signal: AbortSignal): Promise<PolledValues> => {
    const [generationW, consumptionW] = await bothValues(
      gen === "" ? null : () => fetchEntity(base, gen, cfg, deps, signal),
      cons === "" ? null : () => fetchEntity(base, cons, cfg, deps, signal),
    );
    return { generationW, consumptionW };
  };
  return new PollingSource("HASS", deps, cfg.pollIntervalS ?? DEFAULT_POLL_INTERVAL_S, poll);
}
