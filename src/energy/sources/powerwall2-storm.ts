/**
 * The Powerwall's Storm Watch flag (energy-sources.md §3.5, §3.6) from the Tesla Fleet API: without a
 * `cloudID`, `GET <fleet>/api/1/products` finds the one `ac_powerwall` energy site; then
 * `GET <fleet>/api/1/energy_sites/<id>/live_status` → `response.storm_mode_active`. It needs the Fleet
 * API token of a vehicle module (FleetAccess); without one nothing is requested and `stormWatch` stays
 * unavailable (the macro compares its own text). Read during the Powerwall's poll, at most once per
 * `config.cloudUpdateInterval` (1800 s; the time is taken even when the call failed, as upstream), never
 * at resolve time; a failure only blanks `stormWatch`, never the reading.
 */
import type { EnergyLogger, FleetAccess } from "../source.ts";
import { SourceFetchError, fetchWithTimeout } from "../polling-source.ts";
import type { FetchFn } from "../polling-source.ts";
import type { Clock } from "../../shared/clock.ts";
import { isObject, parseJsonBody, trimBase } from "./module-source.ts";

/** Storm Watch cache (ms): upstream `config.cloudUpdateInterval` default. */
export const STORM_WATCH_INTERVAL_MS = 1_800_000;
/** Timeout of each Fleet API request (ms; upstream sets none). */
export const FLEET_TIMEOUT_MS = 10_000;

export type { FleetAccess } from "../source.ts";

/** Dependencies of the Storm Watch reader. */
export interface StormWatchDeps {
  clock: Clock;
  logger: EnergyLogger;
  fleet: FleetAccess;
  fetchImpl?: FetchFn;
  intervalMs?: number;
}

/** The energy site ID of the one `ac_powerwall` among `/api/1/products`, or null (none, or several). */
export function powerwallSiteId(doc: unknown): string | null {
  const list = isObject(doc) && Array.isArray(doc.response) ? doc.response.filter(isObject) : [];
  const walls = list.filter((p) => p.battery_type === "ac_powerwall" && p.energy_site_id !== undefined);
  return walls.length === 1 ? String(walls[0]?.energy_site_id) : null;
}

/** `live_status` → `response.storm_mode_active` (a boolean), or null when absent. */
export function stormModeActive(doc: unknown): boolean | null {
  const r = isObject(doc) ? doc.response : undefined;
  return isObject(r) && typeof r.storm_mode_active === "boolean" ? r.storm_mode_active : null;
}

/** Keeps the Storm Watch flag of one Powerwall; `refresh` runs inside the source's poll. */
export class StormWatch {
  private value: boolean | null = null;
  private nextAt = -Infinity;
  private siteId: string | null;

  constructor(
    private readonly deps: StormWatchDeps,
    cloudID: string | number | undefined,
  ) {
    this.siteId = cloudID === undefined || String(cloudID).trim() === "" ? null : String(cloudID).trim();
  }

  /** The latest flag, null when unknown. */
  current(): boolean | null {
    return this.value;
  }

  /** Reads the flag when the interval has passed and a token is there; never throws. */
  async refresh(signal: AbortSignal): Promise<void> {
    const now = this.deps.clock.now();
    const token = this.deps.fleet.token();
    const base = this.deps.fleet.baseUrl();
    if (now < this.nextAt || token === null || base === null) return;
    this.nextAt = now + (this.deps.intervalMs ?? STORM_WATCH_INTERVAL_MS);
    try {
      if (this.siteId === null) {
        this.siteId = powerwallSiteId(await this.get(base, "/api/1/products", token, signal));
        if (this.siteId === null) throw new SourceFetchError("no single ac_powerwall among the Fleet API products; set cloudID");
      }
      this.value = stormModeActive(await this.get(base, `/api/1/energy_sites/${encodeURIComponent(this.siteId)}/live_status`, token, signal));
    } catch (err) {
      this.value = null;
      if (!signal.aborted)
        this.deps.logger.warn({ source: "Powerwall2", error: (err as Error).message }, "Powerwall2 Storm Watch: Fleet API read failed");
    }
  }

  private async get(base: string, path: string, token: string, signal: AbortSignal): Promise<unknown> {
    const url = `${trimBase(base)}${path}`;
    const init = { method: "GET", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" } };
    const o = { clock: this.deps.clock, timeoutMs: FLEET_TIMEOUT_MS, signal, ...(this.deps.fetchImpl ? { fetchImpl: this.deps.fetchImpl } : this.deps.fleet.fetch ? { fetchImpl: this.deps.fleet.fetch } : {}) };
    const { status, body } = await fetchWithTimeout(url, init, o);
    if (status === 403) throw new SourceFetchError(`${path}: HTTP 403 (the token lacks the energy_device_data scope?)`);
    if (status < 200 || status > 299) throw new SourceFetchError(`${path}: HTTP ${status}`);
    return parseJsonBody(path, body);
  }
}
