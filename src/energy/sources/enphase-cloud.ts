/**
 * Enphase cloud API v2 (energy-sources.md §6.3, §6.4): `GET <base>/api/v2/systems/<systemID>/summary
 * ?key=<apiKey>&user_id=<userID>`; generation = int(current_power), consumption is never reported (0).
 * The certificate is verified (upstream did not).
 */
import { SourceFetchError, fetchWithTimeout } from "../polling-source.ts";
import type { SourceDeps } from "../source.ts";
import type { EnphaseConfig } from "./enphase-schema.ts";
import { isObject, parseJsonBody, requireNumber, trimBase } from "./module-source.ts";
import type { ModuleDeps, ModuleReading } from "./module-source.ts";

/** The fixed cloud host (tests inject `baseUrl`). */
export const ENPHASE_CLOUD_URL = "https://api.enphaseenergy.com";
/** Upstream request timeout (ms, §1.6). */
export const ENPHASE_CLOUD_TIMEOUT_MS = 10_000;

/** Generation W of a summary answer (int(current_power)). */
export function parseSummary(doc: unknown): number {
  return (
    Math.trunc(requireNumber("summary current_power", isObject(doc) ? doc.current_power : undefined)) || 0
  );
}

/** The cloud poll: returns the poll function of a module source. */
export function enphaseCloudPoll(
  cfg: EnphaseConfig,
  deps: ModuleDeps & SourceDeps,
): (signal: AbortSignal) => Promise<ModuleReading> {
  const base = trimBase(deps.baseUrl ?? ENPHASE_CLOUD_URL);
  const q = new URLSearchParams({ key: (cfg.apiKey ?? "").trim(), user_id: String(cfg.userID ?? "").trim() });
  const url = `${base}/api/v2/systems/${encodeURIComponent(String(cfg.systemID ?? "").trim())}/summary?${q.toString()}`;
  return async (signal) => {
    const { status, body } = await fetchWithTimeout(
      url,
      { method: "GET" },
      {
        clock: deps.clock,
        timeoutMs: deps.timeoutMs ?? ENPHASE_CLOUD_TIMEOUT_MS,
        signal,
        ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
      },
    );
    if (status === 401) throw new SourceFetchError("summary: HTTP 401, the API key or user ID was refused");
    if (status !== 200) throw new SourceFetchError(`summary: HTTP ${status}`);
    const generatedW = parseSummary(parseJsonBody("summary", body));
    return {
      values: { generationW: generatedW, consumptionW: 0 },
      attributes: { generatedW, consumedW: 0, voltage: 0, importW: 0, exportW: 0 },
    };
  };
}
