/**
 * Tesla Powerwall 2 source (energy-sources.md §3): local HTTPS (self-signed, not verified — only for
 * this gateway — unless `verifyCertificate` or `caFile` say otherwise, device-tls.ts), a cookie session from `POST /api/login/Basic` valid 3600 s and renewed on a 401/403,
 * then aggregates + state of energy (both needed for a reading) and grid status + operation (attributes
 * only). Generation is gated by `minBatteryLevel` with ±5 % hysteresis.
 */
import { SourceFetchError, fetchWithTimeout } from "../polling-source.ts";
import type { FetchFn } from "../polling-source.ts";
import type { Attributes, ModuleDeps, ModuleReading } from "./module-source.ts";
import { createModuleSource, hostPort, isObject, parseJsonBody, requireNumber, toNumber } from "./module-source.ts";
import type { Powerwall2Config } from "./powerwall2-schema.ts";
import { deviceTls } from "./device-tls.ts";
import { deviceFetch } from "./powerwall2-tls.ts";
import { StormWatch } from "./powerwall2-storm.ts";

/** Upstream request timeout (§1.6). */
export const POWERWALL_TIMEOUT_MS = 10_000;
/** How long a login is used before logging in again (§3.3). */
export const LOGIN_VALID_MS = 3_600_000;

/** The `instant_*` figures of `/api/meters/aggregates` (null = absent). */
export interface PowerwallAggregates {
  site: number | null;
  voltage: number | null;
  load: number | null;
  solar: number | null;
}

/** `/api/operation`: the mode (`""` if absent) and the raw backup reserve. */
export interface PowerwallOperation {
  mode: string;
  backupReserve: number | null;
}

function instant(doc: Record<string, unknown>, meter: string, key = "instant_power"): number | null {
  const m = doc[meter];
  return isObject(m) ? toNumber(m[key]) : null;
}

/** Parses `/api/meters/aggregates`; throws when the answer is not an object. */
export function parseAggregates(doc: unknown): PowerwallAggregates {
  if (!isObject(doc)) throw new SourceFetchError("/api/meters/aggregates: not an object");
  return {
    site: instant(doc, "site"),
    voltage: instant(doc, "site", "instant_average_voltage"),
    load: instant(doc, "load"),
    solar: instant(doc, "solar"),
  };
}

/** Parses `/api/system_status/soe` → the raw percentage; throws when missing. */
export function parseSoe(doc: unknown): number {
  return requireNumber("/api/system_status/soe percentage", isObject(doc) ? doc.percentage : undefined);
}

/** Parses `/api/system_status/grid_status` → connected or not; null when the field is missing. */
export function parseGridStatus(doc: unknown): boolean | null {
  const s = isObject(doc) ? doc.grid_status : undefined;
  return typeof s === "string" ? s === "SystemGridConnected" : null;
}

/** Parses `/api/operation`. */
export function parseOperation(doc: unknown): PowerwallOperation {
  const mode = isObject(doc) && typeof doc.real_mode === "string" ? doc.real_mode : "";
  return { mode, backupReserve: isObject(doc) ? toNumber(doc.backup_reserve_percent) : null };
}

/** The app-scale battery level from the API percentage: (p − 5) / 0.95 (§3.4). */
export function appBatteryLevel(percentage: number): number {
  return (percentage - 5) / 0.95;
}

/** The generation gate with hysteresis (§3.4): release above min × 1.05, suppress below min × 0.95. */
export function nextSuppression(suppressed: boolean, batteryLevel: number, minBatteryLevel: number): boolean {
  if (batteryLevel > minBatteryLevel * 1.05) return false;
  if (batteryLevel < minBatteryLevel * 0.95) return true;
  return suppressed;
}

/** The reserve attribute: 96 in backup mode, else the app-scale reserve (§3.5). */
export function reservePercent(op: PowerwallOperation): number | null {
  if (op.mode === "backup") return 96;
  return op.backupReserve === null ? null : appBatteryLevel(op.backupReserve);
}

/** The reading and attributes of one complete read (§3.4, §3.5); `grid`/`op` null when their GET failed. */
export function powerwallReading(
  agg: PowerwallAggregates,
  batteryLevel: number,
  grid: boolean | null,
  op: PowerwallOperation | null,
  minBatteryLevel: number,
  suppressed: boolean,
): ModuleReading {
  const solar = agg.solar ?? 0;
  const load = agg.load ?? 0;
  const site = agg.site ?? 0;
  const attributes: Attributes = {
    generatedW: solar,
    consumedW: load,
    importW: site > 0 ? site : 0,
    exportW: site < 0 ? -site : 0,
    voltage: agg.voltage === null ? null : Math.trunc(agg.voltage),
    gridStatus: grid,
    batteryLevel,
    operatingMode: op === null ? null : op.mode,
    reservePercent: op === null ? null : reservePercent(op),
    minSOE: minBatteryLevel,
    suppressGeneration: suppressed,
  };
  return { values: { generationW: suppressed ? 0 : solar, consumptionW: load }, attributes };
}

/** A cookie jar in front of a fetch function (the gateway's session, like upstream's requests.Session). */
export class CookieSession {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly inner: FetchFn) {}

  /** Forgets the session cookies. */
  clear(): void {
    this.cookies.clear();
  }

  /** The fetch function carrying and collecting the cookies. */
  readonly fetch: FetchFn = async (input, init) => {
    const headers = new Headers(init?.headers);
    if (this.cookies.size > 0) headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await this.inner(input, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(";")[0] ?? "";
      const eq = pair.indexOf("=");
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return res;
  };
}

/** Dependencies of the Powerwall: the module deps; `fleet` (absent: no vehicle module, `stormWatch` unavailable) and `cloudUpdateIntervalMs` come with them. */
export type Powerwall2Deps = ModuleDeps;

/** Creates the Powerwall 2 source (not started). */
export function createPowerwall2Source(cfg: Powerwall2Config, deps: Powerwall2Deps): ReturnType<typeof createModuleSource> {
  const base = `https://${hostPort(cfg.serverIP ?? "", cfg.serverPort)}`;
  const session = new CookieSession(deps.fetchImpl ?? deviceFetch(deviceTls(cfg, "Powerwall2")));
  const password = cfg.password ?? "";
  let loginValidUntilMs = -Infinity;
  let suppressed = false;
  const storm = deps.fleet
    ? new StormWatch(
        {
          clock: deps.clock,
          logger: deps.logger,
          fleet: deps.fleet,
          ...(deps.cloudUpdateIntervalMs !== undefined ? { intervalMs: deps.cloudUpdateIntervalMs } : {}),
        },
        cfg.cloudID,
      )
    : null;

  const call = (path: string, init: RequestInit, signal: AbortSignal): Promise<{ status: number; body: string }> =>
    fetchWithTimeout(`${base}${path}`, init, {
      clock: deps.clock,
      timeoutMs: deps.timeoutMs ?? POWERWALL_TIMEOUT_MS,
      signal,
      fetchImpl: session.fetch,
    });

  const ensureLogin = async (signal: AbortSignal): Promise<void> => {
    if (password === "" || deps.clock.now() < loginValidUntilMs) return;
    session.clear();
    const body = JSON.stringify({ username: "customer", password, force_sm_off: false });
    const r = await call("/api/login/Basic", { method: "POST", headers: { "Content-Type": "application/json" }, body }, signal);
    if (r.status < 200 || r.status > 299) throw new SourceFetchError(`login: HTTP ${r.status}`);
    loginValidUntilMs = deps.clock.now() + LOGIN_VALID_MS;
    try {
      await call("/api/sitemaster/run", { method: "GET" }, signal);
    } catch {
      // Upstream ignores this request's result (needed by firmware ≥ 1.15 to restart the site master).
    }
  };

  const get = async (path: string, signal: AbortSignal, retried = false): Promise<unknown> => {
    await ensureLogin(signal);
    const r = await call(path, { method: "GET" }, signal);
    if ((r.status === 401 || r.status === 403) && password !== "") {
      loginValidUntilMs = -Infinity; // log in again (once) at the next request
      if (!retried) return get(path, signal, true);
    }
    if (r.status < 200 || r.status > 299) throw new SourceFetchError(`${path}: HTTP ${r.status}`);
    return parseJsonBody(path, r.body);
  };

  const optional = async <T>(path: string, parse: (doc: unknown) => T, signal: AbortSignal): Promise<T | null> => {
    try {
      return parse(await get(path, signal));
    } catch (err) {
      if (signal.aborted) throw err;
      return null;
    }
  };

  const poll = async (signal: AbortSignal): Promise<ModuleReading> => {
    const agg = parseAggregates(await get("/api/meters/aggregates", signal));
    const level = appBatteryLevel(parseSoe(await get("/api/system_status/soe", signal)));
    const grid = await optional("/api/system_status/grid_status", parseGridStatus, signal);
    const op = await optional("/api/operation", parseOperation, signal);
    suppressed = nextSuppression(suppressed, level, cfg.minBatteryLevel);
    const r = powerwallReading(agg, level, grid, op, cfg.minBatteryLevel, suppressed);
    if (!storm) return r;
    await storm.refresh(signal);
    return { ...r, attributes: { ...r.attributes, stormWatch: storm.current() } };
  };
  return createModuleSource("Powerwall2", deps, cfg.pollIntervalS, poll);
}
