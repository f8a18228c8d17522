/**
 * The Tesla Fleet API module `vehicle.teslaAPI` (vehicles.md §2): tokens (§2.3), login (§2.4), the
 * vehicle list (§2.7), availability and wake-up (§2.8), vehicle_data with the §2.9 deferral, errors and
 * back-off (§2.10), commands (§2.11) and at-home detection (§2.12). All work is async on one serial
 * queue with timeouts, so no cloud failure blocks the bus or another module. Tokens never reach a log.
 */
import { VehicleNotices } from "../vehicle-notices.ts";
import type { FleetAccess } from "../../energy/source.ts";
import type { TeslaApiConfig, TeslaApiRegion } from "../../config/app-config.ts";
import { every } from "../../shared/clock.ts";
import type { LimitCheck, Vehicle, VehicleCommandName, VehicleCommandResult, VehicleProvider, VehicleStatus } from "../capabilities.ts";
import type { Module, ModuleContext } from "../module.ts";
import type { AvailabilityPurpose, ChargeOperationResult, TeslaAccountApi, TeslaAccountStatus, TeslaLoginResult, VehicleAlert, VehicleAlertCode } from "./account.ts";
import { atHome, UNKNOWN_POSITION } from "./at-home.ts";
import { refreshRequest, type TokenAnswer } from "./auth.ts";
import { AUTH_FIX, commandReason, retryMins, VCP_FIX, type Classified } from "./classify.ts";
import { migrateIdKeys, planCar, raisesLimit, readEntry, withEntry, type LimitEntry } from "./charge-limits.ts";
import { fleetRequest, pause, type ClientDeps } from "./fleet-client.ts";
import { LoginFlow } from "./login.ts";
import { applyVehicleData, newRecord, onlineState, parseList, snapshotStatus, type CarRecord } from "./record.ts";
import { proxyFetch, systemFetch, type FetchFn } from "./tls-fetch.ts";
import { TokenState } from "./tokens.ts";
import { REGION_HOSTS, TESLA_AUTH, VEHICLE_DATA_QUERY, type AuthEndpoints } from "./urls.ts";

/** Injectable parts (tests point them at the fake). */
export interface TeslaModuleOptions {
  authEndpoints?: AuthEndpoints;
  regionHosts?: Readonly<Record<TeslaApiRegion, string>>;
  /** Vehicle requests (default: per `teslaProxyCert`). */
  fetch?: FetchFn;
  /** Token endpoint requests (default: Node's fetch). */
  authFetch?: FetchFn;
  /** The fixed pauses of upstream (5 s). */
  pauseMs?: number;
  /** Every request's timeout (30 s). */
  timeoutMs?: number;
}

const AWAKE_S = 120;
const START_STOP_GAP_S = 60;
const LIMIT_GAP_S = 300;
const LIMIT_PASS_GAP_S = 60;
const LIST_REFRESH_S = 24 * 3600;
/** §5.2: a synced token's expiry, "far future" (2100-01-01). */
const SYNCED_EXPIRY_S = 4_102_444_800;
const START_OK_REASONS = new Set(["complete", "charging", "is_charging", "disconnected", "requested"]);
const fail = (kind: Extract<VehicleCommandResult, { ok: false }>["kind"], reason: string, extra: Partial<Extract<VehicleCommandResult, { ok: false }>> = {}): VehicleCommandResult => ({ ok: false, kind, reason, ...extra });

/** The Fleet API module. */
export class TeslaApiModule implements Module, VehicleProvider, TeslaAccountApi {
  readonly name = "vehicle.teslaAPI";
  private readonly tokens = new TokenState();
  private readonly cars: CarRecord[] = [];
  private readonly handles = new Map<string, Vehicle>();
  private readonly notices: VehicleNotices<VehicleAlertCode>;
  private readonly login: LoginFlow;
  private readonly endpoints: AuthEndpoints;
  private readonly hosts: Readonly<Record<TeslaApiRegion, string>>;
  private readonly pauseMs: number;
  private readonly timeoutMs: number;
  private vehicleFetch: FetchFn = systemFetch;
  private globalErrors = 0;
  private globalLastErrorMs = 0;
  private listedAtMs = 0;
  private lastStartStopMs = 0;
  /** §2.11 with VIN targeting (§1.3): the 60 s start/stop gap per car, so a second charger's car is not held up by the first's. */
  private readonly carStartStopMs = new Map<string, number>();
  /** §3.4: the module's last applied limit (null before the first pass: the start's arrival pass is skipped). */
  private lastLimit: number | null = null;
  private lastPassMs = 0;
  /** §3.4: a start command waits until then after a limit change (a car may refuse a start right after it). */
  private startNotBeforeMs = 0;
  private refreshing: Promise<boolean> | null = null;
  /** §5.2: TeslaMate's token sync delivered the tokens (no refresh, no login, no other source). */
  private tokenSync = false;
  private regionLogged = false;
  private chain: Promise<unknown> = Promise.resolve();
  private timers: (() => void)[] = [];
  private readonly client: ClientDeps;

  constructor(
    private readonly config: TeslaApiConfig,
    private readonly ctx: ModuleContext,
    private readonly opts: TeslaModuleOptions = {},
  ) {
    this.notices = new VehicleNotices(ctx.logger, () => ctx.clock.now());
    this.endpoints = opts.authEndpoints ?? TESLA_AUTH;
    this.hosts = opts.regionHosts ?? REGION_HOSTS;
    this.pauseMs = opts.pauseMs ?? 5000;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.login = new LoginFlow({
      config,
      endpoints: this.endpoints,
      hosts: this.hosts,
      fetch: opts.authFetch ?? systemFetch,
      timeoutMs: this.timeoutMs,
      store: (t) => this.storeTokens(t),
      log: (reason) => this.ctx.logger.error({ code: "VEHICLE_AUTH_REQUIRED" }, `Tesla login failed: ${reason}`),
    });
    this.client = {
      clock: ctx.clock,
      fetch: () => this.vehicleFetch,
      base: () => this.base(),
      accessToken: () => this.tokens.access,
      refreshExpired: () => this.refreshTokens(true),
      timeoutMs: this.timeoutMs,
      pauseMs: this.pauseMs,
    };
  }

  private get nowMs(): number {
    return this.ctx.clock.now();
  }

  // ---- lifecycle ----

  /** Loads the tokens, attaches to the commands facade, starts the 300 s token check. */
  async start(): Promise<void> {
    this.vehicleFetch = this.opts.fetch ?? (await proxyFetch(this.config.proxyCert));
    this.tokens.load(this.ctx.commands.vehicleSettings(), this.nowMs / 1000);
    if (this.tokens.undecodable) this.ctx.logger.error({ code: "VEHICLE_AUTH_REQUIRED" }, "the stored Tesla access token is not a JWT: expiry now + 8 h, region unknown");
    this.ctx.commands.attachTeslaApi(this);
    this.timers.push(every(this.ctx.clock, 300_000, () => void this.refreshTokens(false)));
    this.ctx.logger.info({ proxy: this.config.proxy !== null, loggedIn: this.tokens.access !== "" }, "Tesla Fleet API module started");
  }

  /** Stops the timers and detaches. */
  stop(): void {
    for (const t of this.timers) t();
    this.timers = [];
    this.ctx.commands.attachTeslaApi(null);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private changed(): void {
    this.notices.changed();
  }

  /** Subscribes to changes of cars, account or alerts. */
  on(_event: "change", cb: () => void): () => void {
    return this.notices.on(cb);
  }

  // ---- alerts ----

  private alert(code: VehicleAlertCode, on: boolean, message = ""): void {
    this.notices.alert(code, on, message);
  }

  /** Raised alerts. */
  alerts(): readonly VehicleAlert[] {
    return this.notices.alerts();
  }

  // ---- tokens and login ----

  private base(): string | null {
    if (this.config.proxy === null && this.tokens.region === null && this.tokens.access !== "" && !this.regionLogged) {
      this.regionLogged = true;
      this.ctx.logger.error({ code: "VEHICLE_AUTH_REQUIRED" }, "unable to determine Fleet API region from the access token; set teslaProxy or log in again");
    }
    return this.config.proxy !== null ? `${this.config.proxy}/api/1/vehicles` : this.tokens.region === null ? null : `${this.hosts[this.tokens.region]}/api/1/vehicles`;
  }

  private async saveTokens(): Promise<void> {
    try {
      await this.ctx.commands.saveVehicleSettings({ ...this.tokens.settings() });
    } catch (err) {
      this.ctx.logger.error({ code: "SETTINGS_SAVE_FAILED", reason: err instanceof Error ? err.message : String(err) }, "saving the Tesla tokens failed");
    }
  }

  private async storeTokens(t: TokenAnswer): Promise<void> {
    if (this.tokenSync) {
      this.ctx.logger.warn({}, "Tesla login not stored: TeslaMate's token sync provides the tokens (vehicle.TeslaMate.syncTokens)");
      return;
    }
    this.tokens.store(t.access, t.refresh, t.expiresInS, this.nowMs / 1000);
    this.regionLogged = false;
    this.listedAtMs = 0;
    this.alert("VEHICLE_AUTH_REQUIRED", false);
    await this.saveTokens();
    this.ctx.logger.info({ expiresAt: new Date(this.tokens.expiresAtS * 1000).toISOString() }, "Tesla tokens stored");
    this.changed();
  }

  /** §2.3: refreshes when due (or `force` after a 401 "expired"); one refresh at a time; true when a token is held after it. */
  private refreshTokens(force: boolean): Promise<boolean> {
    if (this.refreshing) return this.refreshing;
    // §5.2: while TeslaMate syncs the tokens it alone refreshes them (Tesla rotates refresh tokens).
    if (this.tokenSync) return Promise.resolve(this.tokens.access !== "");
    if (!(force ? this.tokens.refresh !== "" : this.tokens.needsRefresh(this.nowMs / 1000))) return Promise.resolve(this.tokens.access !== "");
    if (this.config.clientId === "") {
      this.ctx.logger.error({ code: "VEHICLE_AUTH_REQUIRED" }, "cannot refresh the Tesla token: no teslaApiClientID");
      return Promise.resolve(this.tokens.access !== "");
    }
    this.refreshing = (async () => {
      const out = await refreshRequest(this.opts.authFetch ?? systemFetch, `${this.endpoints.fleetAuth}/token`, this.config.clientId, this.tokens.refresh, this.timeoutMs);
      if (out.ok) {
        await this.storeTokens(out.tokens);
        this.ctx.logger.info({}, "Tesla access token refreshed");
        return true;
      }
      this.globalError();
      if (out.status === 401 || out.code === "invalid_grant") {
        this.tokens.clear();
        this.ctx.logger.error({ code: "VEHICLE_AUTH_REQUIRED", reason: out.reason }, `the Tesla refresh token was refused; ${AUTH_FIX}`);
        this.alert("VEHICLE_AUTH_REQUIRED", true, `Tesla login expired: ${AUTH_FIX}`);
        await this.saveTokens();
        this.changed();
        return false;
      }
      this.ctx.logger.warn({ reason: out.reason }, "refreshing the Tesla token failed; will try again");
      await this.saveTokens();
      return this.tokens.access !== "";
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** The Fleet API as the Powerwall's Storm Watch reads it: `/api/1/vehicles` replaced by the site paths. */
  fleetAccess(): FleetAccess {
    return {
      baseUrl: () => this.base()?.replace(/\/api\/1\/vehicles$/, "") ?? null,
      token: () => (this.tokens.access === "" ? null : this.tokens.access),
      // Storm Watch sends GETs with string URLs and plain header records (powerwall2-storm.ts).
      fetch: (input, init) =>
        this.vehicleFetch(typeof input === "string" ? input : input instanceof URL ? input.href : input.url, {
          method: init?.method ?? "GET",
          headers: (init?.headers ?? {}) as Record<string, string>,
          signal: init?.signal ?? new AbortController().signal,
        }),
    };
  }

  /** Account status (no token). */
  account(): TeslaAccountStatus {
    return {
      configured: this.login.configured,
      pkce: this.login.pkce,
      loggedIn: this.tokens.access !== "",
      tokenExpiresAt: this.tokens.access !== "" ? this.tokens.expiresAtS * 1000 : null,
      tokenSync: this.tokenSync,
      proxy: this.config.proxy !== null,
      region: this.config.region,
    };
  }

  /** §2.4 step 1. */
  loginUrl(region?: string): string | null {
    return this.login.start(region);
  }

  /** §2.4 paste-back. */
  saveTokenFromUrl(url: string): Promise<TeslaLoginResult> {
    return this.login.fromUrl(url);
  }

  /** §2.4 auto-capture. */
  callback(code: string | null, state: string | null): Promise<TeslaLoginResult> {
    return this.login.exchange(code, state);
  }

  /** §5.2 tokens from TeslaMate: expiry far in the future, never refreshed here, no login prompt. */
  async setSyncedTokens(accessToken: string, refreshToken: string): Promise<void> {
    this.tokenSync = true;
    this.tokens.setAccess(accessToken.trim(), this.nowMs / 1000);
    this.tokens.expiresAtS = SYNCED_EXPIRY_S;
    if (refreshToken.trim() !== "") this.tokens.refresh = refreshToken.trim();
    this.regionLogged = false;
    this.listedAtMs = 0;
    this.alert("VEHICLE_AUTH_REQUIRED", false);
    await this.saveTokens();
    this.changed();
  }

  /** §2.3 manual entry (refused while TeslaMate's token sync owns the tokens, §5.2). */
  async setTokens(accessToken: string | undefined, refreshToken: string | undefined): Promise<void> {
    if (this.tokenSync) {
      this.ctx.logger.warn({}, "Tesla tokens not changed: TeslaMate's token sync provides them (vehicle.TeslaMate.syncTokens)");
      return;
    }
    const nowS = this.nowMs / 1000;
    if (accessToken !== undefined && accessToken.trim() !== "") this.tokens.setAccess(accessToken.trim(), nowS);
    if (refreshToken !== undefined && refreshToken.trim() !== "") this.tokens.refresh = refreshToken.trim();
    this.regionLogged = false;
    this.alert("VEHICLE_AUTH_REQUIRED", false);
    await this.saveTokens();
    this.changed();
    void this.refreshTokens(false);
  }

  // ---- back-off ----

  private globalError(): void {
    this.globalErrors++;
    this.globalLastErrorMs = this.nowMs;
  }

  private globalBackoff(): boolean {
    return this.nowMs - this.globalLastErrorMs < retryMins(0, this.globalErrors) * 60_000;
  }

  private backoffUntil(car: CarRecord): number {
    const last = Math.max(car.lastErrorMs, this.globalLastErrorMs);
    return Math.max(car.rateLimitedUntilMs, last + retryMins(car.errorCount, this.globalErrors) * 60_000);
  }

  private inBackoff(car: CarRecord): boolean {
    return this.nowMs < this.backoffUntil(car);
  }

  private success(car: CarRecord): void {
    car.errorCount = 0;
    car.lastErrorMs = 0;
    this.globalErrors = 0;
    this.globalLastErrorMs = 0;
    car.status.backoffUntilMs = null;
    if (car.rateLimitedUntilMs <= this.nowMs && [...this.cars].every((c) => c.rateLimitedUntilMs <= this.nowMs)) this.alert("VEHICLE_API_BACKOFF", false);
  }

  /** Books an error answer on the car; the result for callers. */
  private failed(car: CarRecord, c: Extract<Classified, { kind: "error" }>, what: string): VehicleCommandResult {
    if (c.countCar) {
      car.errorCount++;
      car.lastErrorMs = this.nowMs;
    }
    if (c.error === "timeout") {
      car.awake = false;
      car.awakeCheckedMs = 0;
      car.status.onlineState = "asleep";
    }
    if (c.error === "rate_limited" && c.retryAtMs !== undefined) {
      car.errorCount = Math.max(car.errorCount, 30);
      car.rateLimitedUntilMs = Math.max(car.rateLimitedUntilMs, c.retryAtMs);
      this.alert("VEHICLE_API_BACKOFF", true, `Tesla Fleet API rate limit (429): no requests to ${car.status.name} until ${new Date(car.rateLimitedUntilMs).toISOString()}; they resume by themselves then (if it repeats, poll less: a longer policy interval, or Fleet Telemetry)`);
    }
    if (c.error === "command_protocol_required") {
      this.alert("VEHICLE_COMMAND_PROTOCOL_REQUIRED", true, `Tesla refused a command to ${car.status.name}: ${VCP_FIX}`);
      this.ctx.logger.error({ code: "VEHICLE_COMMAND_PROTOCOL_REQUIRED", vin: car.status.vin }, `${what}: ${c.reason}`);
    } else if (c.error === "unauthorized") {
      this.alert("VEHICLE_AUTH_REQUIRED", true, `Tesla refused the access token: ${AUTH_FIX}`);
      this.ctx.logger.error({ code: "VEHICLE_AUTH_REQUIRED", vin: car.status.vin }, `${what}: ${c.reason}`);
    } else {
      this.ctx.logger.warn({ vin: car.status.vin, kind: c.error, status: c.status }, `${what}: ${c.reason}`);
    }
    const until = this.backoffUntil(car);
    car.status.backoffUntilMs = until > this.nowMs ? until : null;
    this.changed();
    return fail(c.error, c.reason, {
      ...(c.status > 0 ? { status: c.status } : {}),
      ...(c.retryAtMs !== undefined ? { retryAtMs: c.retryAtMs } : {}),
      ...(c.fix !== undefined ? { fix: c.fix } : {}),
    });
  }

  // ---- list, awake, data ----

  private async fetchList(): Promise<boolean> {
    const c = await fleetRequest(this.client, "GET", "");
    const list = c.kind === "ok" ? parseList(c.body) : null;
    if (list === null) {
      this.globalError();
      const mins = retryMins(0, this.globalErrors);
      this.ctx.logger.warn({ reason: c.kind === "error" ? c.reason : "the list has no response/count" }, `reading the Tesla vehicle list failed; will try again in ${String(mins)} minutes`);
      return false;
    }
    this.globalErrors = 0;
    this.globalLastErrorMs = 0;
    this.listedAtMs = this.nowMs;
    for (const e of list) {
      let car = this.cars.find((x) => x.status.vin === e.vin);
      if (!car) {
        car = newRecord(e.vin, e.id, e.name);
        this.cars.push(car);
      } else if (e.id !== null) car.status.id = e.id;
      if (e.state !== "unknown") car.status.onlineState = e.state;
    }
    this.ctx.logger.info({ count: list.length }, `Tesla vehicle list: ${String(list.length)} car(s)`);
    const migrated = migrateIdKeys(this.limitsRaw(), this.cars.map((c) => ({ id: c.status.id, vin: c.status.vin })));
    if (migrated !== null) {
      this.ctx.logger.info({}, "chargeLimits: entries keyed by Tesla id renamed to the VIN");
      try {
        await this.ctx.commands.saveVehicleSettings({ chargeLimits: migrated });
      } catch (err) {
        this.ctx.logger.error({ code: "SETTINGS_SAVE_FAILED", reason: err instanceof Error ? err.message : String(err) }, "saving chargeLimits failed");
      }
    }
    this.changed();
    return true;
  }

  private async isAwake(car: CarRecord): Promise<boolean> {
    if (this.nowMs - car.awakeCheckedMs < AWAKE_S * 1000) return car.awake;
    const c = await fleetRequest(this.client, "GET", `/${car.status.vin}`);
    if (c.kind !== "ok") {
      this.failed(car, c as Extract<Classified, { kind: "error" }>, "online check");
      return false;
    }
    const state = onlineState((c.response as Record<string, unknown>).state);
    car.status.onlineState = state;
    car.awake = state === "online";
    car.awakeCheckedMs = this.nowMs;
    return car.awake;
  }

  private async ready(car: CarRecord): Promise<boolean> {
    if (this.inBackoff(car)) return false;
    // §7.1: the awake state of a telemetry-fed car comes from its telemetry (no online check).
    const fed = this.telemetryRecord(car.status.vin);
    if (fed && fed.onlineState !== "unknown") return fed.onlineState === "online";
    if (car.firstWakeAttemptMs === 0 && this.nowMs - car.lastAPIAccessMs < AWAKE_S * 1000 && car.lastAPIAccessMs > 0) return true;
    const awake = await this.isAwake(car);
    if (awake) car.firstWakeAttemptMs = 0;
    return awake;
  }

  /**
   * §7.1: the record a telemetry module (TeslaMate, Fleet Telemetry) feeds for this car now, or null;
   * while there is one the car is not polled: its values are taken from that record.
   */
  private telemetryRecord(vin: string): VehicleStatus | null {
    for (const p of this.ctx.commands.vehicleProviders()) {
      const t = p as Partial<{ telemetryActive(vin: string): boolean }>;
      if (typeof t.telemetryActive !== "function" || !t.telemetryActive(vin)) continue;
      const v = p.vehicles().find((x) => x.vin === vin)?.status() ?? null;
      if (v) return v;
    }
    return null;
  }

  /** vehicle_data unless deferred (§2.9), accessed within `maxAgeS`, or fed by telemetry (§7.1). */
  private async fetchData(car: CarRecord, maxAgeS?: number): Promise<VehicleCommandResult> {
    const fed = this.telemetryRecord(car.status.vin);
    if (fed) {
      // In place: callers hold car.status across this call.
      const s = car.status;
      Object.assign(s, {
        socPercent: fed.socPercent ?? s.socPercent,
        chargeLimitPercent: fed.chargeLimitPercent ?? s.chargeLimitPercent,
        chargingState: fed.chargingState !== "Unknown" ? fed.chargingState : s.chargingState,
        timeToFullChargeH: fed.timeToFullChargeH ?? s.timeToFullChargeH,
        atHome: fed.atHome ?? s.atHome,
        location: fed.location ?? s.location,
        onlineState: fed.onlineState !== "unknown" ? fed.onlineState : s.onlineState,
      });
      return { ok: true, reason: "telemetry" };
    }
    if (maxAgeS !== undefined ? this.nowMs - car.lastAPIAccessMs < maxAgeS * 1000 : this.nowMs < car.statusDeferralMs) return { ok: true, reason: "cached" };
    if (this.inBackoff(car)) return fail("rate_limited", "the car is in back-off", { retryAtMs: this.backoffUntil(car) });
    const c = await fleetRequest(this.client, "GET", `/${car.status.vin}/vehicle_data?${VEHICLE_DATA_QUERY}`);
    if (c.kind !== "ok") return this.failed(car, c as Extract<Classified, { kind: "error" }>, "reading vehicle_data");
    const read = applyVehicleData(car.status, c.response, this.nowMs);
    if (read === null) return this.failed(car, { kind: "error", error: "malformed", reason: "vehicle_data is not an object", status: 200, countCar: true, expired: false }, "reading vehicle_data");
    car.lastAPIAccessMs = this.nowMs;
    car.status.lastSeenMs = this.nowMs;
    car.status.onlineState = "online";
    car.awake = true;
    car.awakeCheckedMs = this.nowMs;
    this.success(car);
    let far = false;
    if (read.position) far = this.locate(car, read.position.gpsAsOfMs, false);
    const away = car.status.atHome === false;
    const parked = read.shiftState === null || read.shiftState === "P";
    car.statusDeferralMs = this.nowMs + (!away ? 300 : far ? 3600 : parked ? 1800 : 300) * 1000;
    this.changed();
    return { ok: true };
  }

  /** §2.12 on the car's position; `definitelyHome` for a VIN reported on a TWC. True when far. */
  private locate(car: CarRecord, gpsAsOfMs: number | null, definitelyHome: boolean): boolean {
    const loc = car.status.location;
    if (!loc) return false;
    const s = this.ctx.commands.vehicleSettings();
    const fixAgeS = gpsAsOfMs === null ? null : (this.nowMs - gpsAsOfMs) / 1000;
    const v = atHome({ home: { lat: Number(s.homeLat), lon: Number(s.homeLon) }, car: loc, atHomeRadiusFt: this.config.atHomeRadiusFt, fixAgeS });
    car.status.atHome = v.atHome || definitelyHome;
    const adopt = v.adoptHome ?? (definitelyHome && !v.atHome && (fixAgeS === null || fixAgeS <= 600) ? { lat: loc.lat, lon: loc.lon } : null);
    if (adopt) {
      this.ctx.logger.info({ vin: car.status.vin }, "home location set from the car's position");
      this.ctx.commands.setLatLon(adopt.lat, adopt.lon);
    }
    return v.far;
  }

  private async wakeCar(car: CarRecord): Promise<VehicleCommandResult> {
    const c = await fleetRequest(this.client, "POST", `/${car.status.vin}/wake_up`);
    if (c.kind !== "ok") {
      const r = this.failed(car, c as Extract<Classified, { kind: "error" }>, "wake_up");
      if (c.kind === "error" && c.error === "rate_limited") this.globalErrors = Math.max(this.globalErrors, 30);
      return r;
    }
    const state = onlineState((c.response as Record<string, unknown>).state);
    car.status.onlineState = state;
    this.record(car, "wake_up", null, { ok: true, reason: state });
    return { ok: true, reason: state };
  }

  // ---- availability (§2.8) ----

  /** §2.8 availability check. */
  available(purpose: AvailabilityPurpose): Promise<boolean> {
    return this.serial(() => this.availableNow(purpose));
  }

  private async availableNow(purpose: AvailabilityPurpose): Promise<boolean> {
    if (this.globalBackoff()) return false;
    await this.refreshTokens(false);
    if (this.tokens.access === "") return false;
    if ((this.cars.length === 0 || this.nowMs - this.listedAtMs > LIST_REFRESH_S * 1000) && !(await this.fetchList()) && this.cars.length === 0) return false;
    if (purpose !== "none") {
      for (const car of this.cars) {
        if (purpose === "start" && car.status.stopAskingToStartCharging) continue;
        if (purpose === "limit" && car.status.stopTryingToApplyLimit) continue;
        if (this.inBackoff(car)) continue;
        if (car.status.atHome === false && car.status.location !== null && car.status.location.lat !== UNKNOWN_POSITION) continue;
        if (car.firstChargeNeededMs === 0) {
          if (await this.ready(car)) continue;
          car.firstChargeNeededMs = this.nowMs;
          this.ctx.logger.info({ vin: car.status.vin }, `car asleep; deferring wake for ${String(this.config.wakeDelayMins)} minutes`);
          return false;
        }
        if (this.nowMs - car.firstChargeNeededMs < this.config.wakeDelayMins * 60_000) return false;
        if (this.nowMs - car.lastAPIAccessMs <= car.delayNextWakeS * 1000) return false;
        if (await this.ready(car)) {
          car.firstChargeNeededMs = 0;
          continue;
        }
        const w = await this.wakeCar(car);
        car.lastAPIAccessMs = this.nowMs;
        if (w.ok && w.reason === "online") {
          car.firstChargeNeededMs = 0;
          car.firstWakeAttemptMs = 0;
          car.delayNextWakeS = 0;
          car.awake = true;
          car.awakeCheckedMs = this.nowMs;
          await pause(this.ctx.clock, this.pauseMs);
        } else {
          if (car.firstWakeAttemptMs === 0) car.firstWakeAttemptMs = this.nowMs;
          if (w.ok) this.globalLastErrorMs = 0;
          else this.globalError();
          car.delayNextWakeS = 1800;
          if (this.nowMs - car.firstWakeAttemptMs > 3600_000 && !car.wakeErrorLogged) {
            car.wakeErrorLogged = true;
            this.ctx.logger.error({ vin: car.status.vin }, "the car failed to wake for more than an hour; if it is online, please report an issue");
          }
        }
      }
    }
    return !this.globalBackoff() && this.tokens.access !== "";
  }

  // ---- commands (§2.11) ----

  private record(car: CarRecord, name: VehicleCommandName, body: Readonly<Record<string, number>> | null, result: VehicleCommandResult): void {
    car.status.lastCommand = { name, body, atMs: this.nowMs, result };
    this.changed();
  }

  /** POSTs a command (≤ 3 attempts on could_not_wake_buses) and evaluates `result`/`reason`. */
  private async command(car: CarRecord, name: Exclude<VehicleCommandName, "wake_up">, body?: Readonly<Record<string, number>>): Promise<VehicleCommandResult> {
    const c = await fleetRequest(this.client, "POST", `/${car.status.vin}/command/${name}`, body);
    let result: VehicleCommandResult;
    if (c.kind !== "ok") result = this.failed(car, c as Extract<Classified, { kind: "error" }>, name);
    else {
      const r = typeof c.response === "object" && c.response !== null && !Array.isArray(c.response) ? (c.response) : {};
      const reason = commandReason(r);
      car.lastAPIAccessMs = this.nowMs;
      car.status.lastSeenMs = this.nowMs;
      if (r.result === true || (name === "set_charge_limit" && reason === "already_set")) {
        this.success(car);
        result = reason !== "" ? { ok: true, reason } : { ok: true };
      } else {
        result = fail("refused", reason !== "" ? reason : "the car refused", { status: 200 });
      }
    }
    this.record(car, name, body ?? null, result);
    return result;
  }

  private target(vin?: string): CarRecord[] {
    const one = vin === undefined ? undefined : this.cars.find((c) => c.status.vin === vin.toUpperCase());
    return one ? [one] : [...this.cars];
  }

  /** §2.11 start/stop. */
  charge(start: boolean, vin?: string): Promise<ChargeOperationResult> {
    return this.serial(() => this.chargeNow(start, vin));
  }

  private async chargeNow(start: boolean, vin?: string): Promise<ChargeOperationResult> {
    if (!start) {
      for (const c of this.cars) {
        c.status.stopAskingToStartCharging = false;
        c.firstChargeNeededMs = 0;
        c.firstWakeAttemptMs = 0;
        c.delayNextWakeS = 0;
      }
    }
    const one = vin === undefined ? undefined : this.cars.find((c) => c.status.vin === vin.toUpperCase());
    const lastMs = one ? (this.carStartStopMs.get(one.status.vin) ?? 0) : this.lastStartStopMs;
    if (lastMs > 0 && this.nowMs - lastMs < START_STOP_GAP_S * 1000) return "error";
    if (!(await this.availableNow(start ? "start" : "none"))) return "error";
    let result: ChargeOperationResult = "success";
    for (const car of this.target(vin)) {
      const s = car.status;
      if (start && s.stopAskingToStartCharging) continue;
      if (!(await this.ready(car))) continue;
      const data = await this.fetchData(car, 0);
      if (!data.ok) {
        result = "error";
        continue;
      }
      if (!start && s.socPercent !== null && s.socPercent < this.config.minChargeLevel) {
        this.ctx.logger.info({ vin: s.vin, soc: s.socPercent }, `not stopping: state of charge below minChargeLevel ${String(this.config.minChargeLevel)} %`);
        continue;
      }
      this.lastStartStopMs = this.nowMs;
      this.carStartStopMs.set(s.vin, this.nowMs);
      if (s.atHome !== true) {
        if (start) s.stopAskingToStartCharging = true;
        continue;
      }
      if (s.chargingState === "Disconnected" || s.chargingState === "Complete") {
        s.stopAskingToStartCharging = true;
        continue;
      }
      if (start && s.chargeLimitPercent !== null && s.socPercent !== null && s.chargeLimitPercent > 0 && s.chargeLimitPercent <= s.socPercent) {
        s.stopAskingToStartCharging = true;
        continue;
      }
      if (start && s.chargingState === "Charging") {
        s.stopAskingToStartCharging = true;
        continue;
      }
      if (start && s.scheduledChargingPending && this.config.respectVehicleSchedule) continue;
      await pause(this.ctx.clock, this.pauseMs);
      if (start && this.lastLimit !== null) {
        await this.applyLimitNow(this.lastLimit, "arrival");
        if (this.nowMs < this.startNotBeforeMs) await pause(this.ctx.clock, this.startNotBeforeMs - this.nowMs);
      }
      const r = await this.command(car, start ? "charge_start" : "charge_stop");
      if (r.ok) continue;
      if (r.kind === "command_protocol_required") {
        s.stopAskingToStartCharging = true;
        return "error";
      }
      if (start && r.kind === "refused" && START_OK_REASONS.has(r.reason)) {
        s.stopAskingToStartCharging = true;
        this.success(car);
        continue;
      }
      if (r.kind === "refused") {
        car.errorCount++;
        car.lastErrorMs = this.nowMs;
      }
      result = "error";
    }
    return result;
  }

  private async carCommand(car: CarRecord, fn: () => Promise<VehicleCommandResult>): Promise<VehicleCommandResult> {
    if (this.tokens.access === "") return fail("unauthorized", "no Tesla access token: log in on the Tesla account page", { fix: AUTH_FIX });
    if (this.inBackoff(car)) return fail("rate_limited", "the car is in back-off", { retryAtMs: this.backoffUntil(car) });
    return fn();
  }

  /** §2.11 charge current (not sent to a car in back-off or known asleep). */
  setChargeRate(amps: number, vin?: string): Promise<VehicleCommandResult> {
    const car = vin === undefined ? this.cars[0] : this.cars.find((c) => c.status.vin === vin.toUpperCase());
    if (!car) return Promise.resolve(fail("unavailable", "no such vehicle"));
    return this.serial(() => this.rateNow(car, amps));
  }

  private rateNow(car: CarRecord, amps: number): Promise<VehicleCommandResult> {
    return this.carCommand(car, async () => {
      if (car.status.onlineState === "asleep" || car.status.onlineState === "offline") return fail("asleep", "the car is asleep");
      if (!Number.isFinite(amps)) return fail("unavailable", "charging amps must be a number");
      const a = Math.max(1, Math.trunc(amps));
      let r = await this.command(car, "set_charging_amps", { charging_amps: a });
      if (r.ok && a < 5) {
        await pause(this.ctx.clock, this.pauseMs);
        r = await this.command(car, "set_charging_amps", { charging_amps: a });
      }
      return r;
    });
  }

  private limitNow(car: CarRecord, percent: number): Promise<VehicleCommandResult> {
    return this.carCommand(car, async () => {
      if (!Number.isInteger(percent) || percent < 50 || percent > 100) return fail("unavailable", "the charge limit must be an integer 50–100");
      if (car.lastLimitAttemptMs > 0 && this.nowMs - car.lastLimitAttemptMs < LIMIT_GAP_S * 1000) return fail("unavailable", "a charge limit was tried less than 300 s ago");
      if (!(await this.ready(car))) return fail("asleep", "the car is asleep");
      car.lastLimitAttemptMs = this.nowMs;
      const r = await this.command(car, "set_charge_limit", { percent });
      if (r.ok) {
        car.status.chargeLimitPercent = percent;
        car.status.stopTryingToApplyLimit = true;
      } else if (r.kind === "refused") {
        car.errorCount++;
        car.lastErrorMs = this.nowMs;
      }
      return r;
    });
  }

  // ---- VIN links (§1.3, §2.12 definitely home) ----

  /** Which TWC reports which VIN. */
  linkSlaves(slaves: readonly { twcId: string; currentVin: string | null; lastVin: string | null }[]): void {
    for (const car of this.cars) {
      const by = slaves.find((s) => s.currentVin === car.status.vin) ?? slaves.find((s) => s.lastVin === car.status.vin);
      const twcId = by?.twcId ?? null;
      if (twcId === car.status.twcId) continue;
      car.status.twcId = twcId;
      if (by?.currentVin === car.status.vin && car.status.atHome === false) {
        car.statusDeferralMs = 0;
        void this.serial(async () => {
          const r = await this.fetchData(car, 0);
          if (r.ok && car.status.atHome === false) this.locate(car, car.status.location?.gpsAsOfMs ?? null, true);
          this.changed();
        });
      }
      this.changed();
    }
  }

  // ---- charging-logic hooks (§3.4, §3.5) ----

  /** §3.4 charge-limit pass: `limitPercent` (−1 = restore the cars' own limits) with the arrival / departure check. */
  applyLimit(limitPercent: number, check: LimitCheck): Promise<ChargeOperationResult> {
    return this.serial(() => this.applyLimitNow(limitPercent, check));
  }

  private limitsRaw(): unknown {
    return this.ctx.commands.vehicleSettings().chargeLimits;
  }

  private async saveLimit(vin: string, entry: LimitEntry | null): Promise<void> {
    try {
      await this.ctx.commands.saveVehicleSettings({ chargeLimits: withEntry(this.limitsRaw(), vin, entry) });
    } catch (err) {
      this.ctx.logger.error({ code: "SETTINGS_SAVE_FAILED", reason: err instanceof Error ? err.message : String(err) }, "saving chargeLimits failed");
    }
  }

  /** §3.4 step 2: a location refresh that succeeds and shows the car away (never wakes it). */
  private async seenAway(car: CarRecord): Promise<boolean> {
    if (!(await this.ready(car))) return false;
    return (await this.fetchData(car)).ok && car.status.atHome === false;
  }

  private async applyLimitNow(limit: number, check: LimitCheck): Promise<ChargeOperationResult> {
    const arrival = check === "arrival";
    const departure = check === "departure";
    if (limit !== -1 && (!Number.isInteger(limit) || limit < 50 || limit > 100)) return "error";
    if (!(await this.availableNow("none"))) return "error";
    if (check === "none" && this.lastPassMs > 0 && this.nowMs - this.lastPassMs < LIMIT_PASS_GAP_S * 1000) return "error";
    let wake = false;
    const entries = new Map<CarRecord, LimitEntry | null>();
    for (const car of this.cars) {
      const entry = readEntry(this.limitsRaw(), car.status.vin);
      entries.set(car, entry);
      if (raisesLimit(limit, entry)) {
        wake = true;
        car.status.stopAskingToStartCharging = false;
      }
      if ((entry !== null && (limit !== entry.lastApplied || departure || (await this.seenAway(car)))) || (entry === null && arrival)) {
        car.status.stopTryingToApplyLimit = false;
        car.status.stopAskingToStartCharging = false;
      }
    }
    if (wake && !(await this.availableNow("limit"))) return "error";
    this.lastLimit = limit;
    this.lastPassMs = this.nowMs;
    this.ctx.logger.info({ limit, check }, limit === -1 ? "restoring charge limits" : `applying ${String(limit)} % to all vehicles at home`);
    let result: ChargeOperationResult = "success";
    for (const car of this.cars) {
      const s = car.status;
      if (s.stopTryingToApplyLimit || !(await this.ready(car))) continue;
      if (!(await this.fetchData(car, 60)).ok) continue;
      const plan = planCar(limit, entries.get(car) ?? null, s.atHome === true, s.chargeLimitPercent);
      if (plan.skip) continue;
      if (plan.arrived) {
        s.stopAskingToStartCharging = false;
        this.ctx.logger.info({ vin: s.vin }, `${s.name} arrived home with a charge limit of ${String(s.chargeLimitPercent)} %`);
      }
      if (plan.departed) {
        s.stopAskingToStartCharging = true;
        this.ctx.logger.info({ vin: s.vin }, `${s.name} left home`);
      }
      if (plan.send !== null) {
        const before = s.chargeLimitPercent;
        const r = await this.limitNow(car, plan.send);
        if (!r.ok) {
          result = "error";
          continue;
        }
        // §3.5: a pass that raises the car's limit (also a restore after the stop override) lets it be started again.
        if (!plan.departed && before !== null && plan.send > before) s.stopAskingToStartCharging = false;
      }
      s.stopTryingToApplyLimit = true;
      await this.saveLimit(s.vin, plan.store);
      if (s.atHome === true) this.startNotBeforeMs = this.nowMs + this.pauseMs;
      this.changed();
    }
    if (arrival) for (const car of this.cars) if (car.status.atHome === true && (await this.ready(car))) await this.fetchData(car, 60);
    return result;
  }

  /** §3.5: clears `stopAskingToStartCharging` on every car. */
  clearStopAsking(): void {
    for (const car of this.cars) car.status.stopAskingToStartCharging = false;
  }

  /** §3.4 expected completion at a current drop: a Charging car with ≤ 5 min to full is not restarted. */
  noteCurrentDrop(vin: string | null): void {
    for (const car of this.cars) {
      if (vin !== null && car.status.vin !== vin) continue;
      const h = car.status.timeToFullChargeH;
      if (car.status.chargingState === "Charging" && h !== null && h * 60 <= 5) car.status.stopAskingToStartCharging = true;
    }
  }

  // ---- the capability ----

  private handle(car: CarRecord): Vehicle {
    let h = this.handles.get(car.status.vin);
    if (!h) {
      h = {
        vin: car.status.vin,
        status: () => snapshotStatus(car.status),
        startCharging: () => this.serial(async () => ((await this.chargeNow(true, car.status.vin)) === "success" ? { ok: true } : this.lastOr(car, "charge_start"))),
        stopCharging: () => this.serial(async () => ((await this.chargeNow(false, car.status.vin)) === "success" ? { ok: true } : this.lastOr(car, "charge_stop"))),
        setChargingAmps: (amps) => this.serial(() => this.rateNow(car, amps)),
        setChargeLimit: (percent) => this.serial(() => this.limitNow(car, percent)),
        wake: () => this.serial(() => this.carCommand(car, () => this.wakeCar(car))),
        refresh: (maxAgeS) => this.serial(() => this.fetchData(car, maxAgeS)),
      };
      this.handles.set(car.status.vin, h);
    }
    return h;
  }

  private lastOr(car: CarRecord, name: VehicleCommandName): VehicleCommandResult {
    const last = car.status.lastCommand;
    if (last && last.name === name && !last.result.ok && last.atMs === this.nowMs) return last.result;
    return fail("unavailable", "not sent (asleep, away, in back-off, or another start/stop less than 60 s ago)");
  }

  /** The cars known now. */
  vehicles(): readonly Vehicle[] {
    return this.cars.map((c) => this.handle(c));
  }

  /** Their records. */
  statuses(): readonly VehicleStatus[] {
    return this.cars.map((c) => snapshotStatus(c.status));
  }

  /** By Tesla id. */
  byId(id: number): Vehicle | null {
    const c = this.cars.find((x) => x.status.id === id);
    return c ? this.handle(c) : null;
  }

  /** By VIN. */
  byVin(vin: string): Vehicle | null {
    const c = this.cars.find((x) => x.status.vin === vin.toUpperCase());
    return c ? this.handle(c) : null;
  }
}

/** The registry's factory. */
export function createTeslaApiModule(config: TeslaApiConfig, ctx: ModuleContext, opts: TeslaModuleOptions = {}): TeslaApiModule {
  return new TeslaApiModule(config, ctx, opts);
}
