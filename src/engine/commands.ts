/**
 * The one entry point for HTTP and MQTT (design.md §6): each command applies an already-validated
 * change, runs the synchronous policy evaluation where specified, and returns once the state is
 * consistent, so a response never races the controller. A settings change asked for by a user is
 * written at once (no debounce); a caller that acknowledges it (an HTTP 2xx) first awaits `saved()`
 * (docs/decisions.md "Save before answering").
 */
import { cancelChargeNowPatch, chargeNowPatch } from "../policy/charge-now.ts";
import { encodePayload } from "../protocol/codec.ts";
import { MASTER_ID, twcId, twcIdHex } from "../protocol/frames.ts";
import { TwcError } from "../shared/errors.ts";
import type { ConsumptionOffset, Settings, VehicleGroup } from "../config/settings-schema.ts";
import { isEntitled } from "../bus/charging.ts";
import type { VehicleControl, VehicleProvider } from "../integrations/capabilities.ts";
import type { TeslaAccountApi, TeslaLoginResult, VehicleAlert } from "../integrations/tesla/account.ts";
import type { BleStatusApi } from "../integrations/vehicle-ble/ble-types.ts";
import type { FleetAccess } from "../energy/source.ts";
import type { Engine } from "./engine.ts";
import { NO_VEHICLES, type VehicleInput } from "./state-projection-vehicles.ts";
import type { SettingsAccess } from "./settings-access.ts";
import { debugFrame } from "../bus/frames-out.ts";
import { checkDebugFrame } from "../bus/wire-guard.ts";

/** True for a registered provider that is the BLE module (it has the pairing API). */
function isBleStatusApi(p: unknown): p is BleStatusApi {
  const o = p as Partial<Record<keyof BleStatusApi, unknown>> | null;
  return typeof o?.pair === "function" && typeof o.cars === "function" && typeof o.loaded === "function" && typeof o.alerts === "function";
}

/** The BLE module's alerts as the state document's VEHICLE_BLE_UNAVAILABLE (one alert; each message names its fix). */
function bleAlerts(ble: BleStatusApi | null): VehicleAlert[] {
  const raised = ble?.alerts() ?? [];
  if (raised.length === 0) return [];
  return [{ code: "VEHICLE_BLE_UNAVAILABLE", message: raised.map((a) => a.message).join(" "), sinceMs: Math.min(...raised.map((a) => a.sinceMs)) }];
}

/** The alerts of the other vehicle-state providers that raise some (TeslaMate's token sync); BLE's are bleAlerts'. */
function providerAlerts(providers: Iterable<VehicleProvider>): VehicleAlert[] {
  const out: VehicleAlert[] = [];
  for (const p of providers) {
    const f = (p as { alerts?: unknown }).alerts;
    if (isBleStatusApi(p) || typeof f !== "function") continue;
    try {
      const raised = (f as () => unknown).call(p);
      if (Array.isArray(raised)) out.push(...(raised as VehicleAlert[]));
    } catch {
      // A provider's alert list is a display aid: a throw there shows nothing.
    }
  }
  return out;
}

/** One alert per code: the messages of the same code joined, the earliest time kept. */
function oneAlertPerCode(alerts: readonly VehicleAlert[]): VehicleAlert[] {
  const byCode = new Map<string, VehicleAlert>();
  for (const a of alerts) {
    const prev = byCode.get(a.code);
    byCode.set(a.code, prev ? { code: a.code, message: `${prev.message} ${a.message}`, sinceMs: Math.min(prev.sinceMs, a.sinceMs) } : a);
  }
  return [...byCode.values()];
}

/** Settings access with an immediate save. */
export interface CommandSettings extends SettingsAccess {
  saveNow(): Promise<void>;
  /** Resolves once every change so far is on disk (coalesced immediate write); rejects STORE_SETTINGS_WRITE. */
  persist(): Promise<void>;
}

/** Validated debug command (http-api.md §7.13). */
export type DebugRequest = { name: "GetFirmwareVersion"; twcId: number | null } | { name: "Custom"; payload: Uint8Array; twcId: number | null };

/** The command facade. */
export class Commands {
  constructor(
    private readonly engine: Engine,
    private readonly settings: CommandSettings,
    private readonly nowMs: () => number,
  ) {
    // The charging logic commands cars through this facade's VehicleControl (issue 14).
    engine.useVehicleControl(() => this.vehicleControl());
  }

  /** Starts writing the user's change now; the outcome reaches whoever awaits saved(). */
  private save(): void {
    this.settings.persist().catch(() => undefined);
  }

  /** Resolves once every settings change made so far is on disk; rejects with TwcError STORE_SETTINGS_WRITE. */
  saved(): Promise<void> {
    return this.settings.persist();
  }

  private get monitor(): boolean {
    return this.engine.state.snapshot.mode === "monitor";
  }

  /** Charge Now at `rate` A for `duration` s (controller.md §19). */
  chargeNow(rate: number, duration: number): void {
    this.settings.update({ ...chargeNowPatch(rate, duration, this.nowMs() / 1000) });
    this.engine.policy.clearForced();
    this.engine.evaluate("chargeNow");
    this.save();
  }

  /** Ends Charge Now. */
  cancelChargeNow(): void {
    this.settings.update({ ...cancelChargeNowPatch() });
    this.engine.policy.clearForced();
    this.engine.evaluate("cancelChargeNow");
    this.save();
  }

  /** True when a policy with exactly this name exists. */
  policyExists(name: string): boolean {
    return this.engine.policy.policies.some((p) => p.name === name);
  }

  /** Forces a policy for one check interval (controller.md §16.6). */
  setPolicy(name: string): void {
    this.engine.policy.force(name);
  }

  /** Current named consumption offsets. */
  offsetNames(): string[] {
    return Object.keys(this.settings.get().consumptionOffset);
  }

  /** Adds or replaces a named offset. */
  addOffset(name: string, value: number, unit: "A" | "W"): void {
    const current = this.settings.get().consumptionOffset;
    const next: Record<string, ConsumptionOffset> = {};
    for (const [k, v] of Object.entries(current)) Object.defineProperty(next, k, { value: v, enumerable: true, writable: true, configurable: true });
    Object.defineProperty(next, name, { value: { value, unit }, enumerable: true, writable: true, configurable: true });
    this.settings.update({ consumptionOffset: next });
    this.engine.evaluate("addConsumptionOffset");
    this.save();
  }

  /** Deletes a named offset (the caller checked it exists). */
  deleteOffset(name: string): void {
    const current = this.settings.get().consumptionOffset;
    const next: Record<string, ConsumptionOffset> = {};
    for (const [k, v] of Object.entries(current)) {
      if (k !== name) Object.defineProperty(next, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    this.settings.update({ consumptionOffset: next });
    this.engine.evaluate("deleteConsumptionOffset");
    this.save();
  }

  /** Sets the legacy whole-house amps offset (Q-17: it takes effect). */
  setLegacyOffset(amps: number): void {
    this.settings.update({ greenEnergyAmpsOffset: amps });
    this.engine.evaluate("setConsumptionOffset");
    this.save();
  }

  /** Stores one validated setting; home location changes recompute sunrise/sunset. */
  setSetting(key: string, value: unknown): void {
    this.settings.update({ [key]: value });
    if (key === "homeLat" || key === "homeLon") this.engine.policy.refreshSun(false);
    this.engine.evaluate("setSetting");
    this.save();
  }

  /** Stores the schedule (already converted to settings keys). */
  setSchedule(patch: Readonly<Record<string, unknown>>): void {
    this.settings.update(patch);
    this.engine.evaluate("setScheduledChargingSettings");
    this.save();
  }

  /** Sets the home location and recomputes sunrise/sunset. */
  setLatLon(lat: number, lon: number): void {
    this.settings.update({ homeLat: lat, homeLon: lon });
    this.engine.policy.refreshSun(false);
    this.engine.evaluate("setLatLon");
    this.save();
  }

  /** Writes settings.json now. */
  saveSettings(): Promise<void> {
    return this.settings.saveNow();
  }

  /** FC B1 to every linked slave, or only to `id` (throws HTTP_NOT_FOUND when that one is not linked). */
  sendStartCommand(id?: number): void {
    this.startStop("start", id);
  }

  /** Told of every user stop command (the history recorder records who stopped a session). */
  onUserStop: ((via: "http" | "mqtt", id: number | null) => void) | null = null;

  /** FC B2 to every linked slave, or only to `id` (throws HTTP_NOT_FOUND when that one is not linked); `via` says who asked. */
  sendStopCommand(id?: number, via: "http" | "mqtt" = "http"): void {
    this.startStop("stop", id);
    this.onUserStop?.(via, id ?? null);
  }

  private startStop(op: "start" | "stop", id: number | undefined): void {
    if (this.monitor) throw new TwcError({ code: "CONTROLLER_MONITOR_MODE", message: "Commands cannot be sent in passive monitor mode" });
    if (id === undefined) {
      if (op === "start") this.engine.controller.sendStartToAll();
      else this.engine.controller.sendStopToAll();
      return;
    }
    const target = twcId(id);
    if (!this.engine.controller.sendStartStopTo(op, target)) {
      throw new TwcError({ code: "HTTP_NOT_FOUND", message: `TWC '${twcIdHex(target)}' not found` });
    }
  }

  /** POST /api/checkArrival / checkDeparture (http-api.md §7.14): queues the charge-limit check; nothing without a vehicle module. */
  checkVehicles(check: "arrival" | "departure"): void {
    this.engine.vehicles.check(check);
  }

  /** Debug commands enabled in settings. */
  debugEnabled(): boolean {
    return this.settings.get().enableDebugCommands;
  }

  /** Queues a debug frame (http-api.md §7.13 checks 8–10). */
  sendDebug(req: DebugRequest): void {
    if (this.monitor) throw new TwcError({ code: "CONTROLLER_MONITOR_MODE", message: "Commands cannot be sent in passive monitor mode" });
    let payload: Uint8Array;
    if (req.name === "Custom") {
      payload = req.payload;
      // S-1: a heartbeat or limit command typed by hand goes through the offer algorithm's clamps.
      const verdict = checkDebugFrame(debugFrame(payload), this.engine.controller.slaves(), this.engine.wiringMaxAmpsAllTWCs);
      if (!verdict.ok) throw new TwcError({ code: "HTTP_VALIDATION", message: `customCommand refused (${verdict.rule}): ${verdict.message}` });
    } else {
      const slaves = this.engine.controller.slaves();
      const target = req.twcId === null ? slaves[0] : slaves.find((s) => s.id === req.twcId);
      if (!target) {
        if (req.twcId !== null) throw new TwcError({ code: "HTTP_NOT_FOUND", message: `TWC '${twcIdHex(twcId(req.twcId))}' not found` });
        throw new TwcError({ code: "CONTROLLER_NO_SLAVE", message: "No TWC is linked" });
      }
      payload = encodePayload({
        kind: "firmwareRequest",
        sender: MASTER_ID,
        receiver: target.id,
        length: target.protocolVersion === 2 ? 16 : 14,
      });
    }
    this.engine.controller.sendDebugPayload(payload);
  }

  /** The last captured unusual bus message. */
  lastTwcResponse(): Uint8Array | null {
    return this.engine.controller.lastTwcResponse();
  }

  private tesla: TeslaAccountApi | null = null;
  private teslaUnsubscribe: (() => void) | null = null;

  /** The Tesla Fleet API module registers itself when it starts (null when it stops); its changes refresh the state document. */
  attachTeslaApi(api: TeslaAccountApi | null): void {
    this.teslaUnsubscribe?.();
    this.teslaUnsubscribe = null;
    this.tesla = api;
    if (api) this.teslaUnsubscribe = api.on("change", () => this.engine.refresh());
    this.engine.refresh();
  }

  /**
   * The Tesla module's Fleet API for an energy source (Powerwall2 Storm Watch), read at each use: the
   * module may start after the source, and nothing is there while it does not run.
   */
  fleetAccess(): FleetAccess {
    return {
      baseUrl: () => this.tesla?.fleetAccess().baseUrl() ?? null,
      token: () => this.tesla?.fleetAccess().token() ?? null,
      fetch: (input, init) => {
        const f = this.tesla?.fleetAccess().fetch ?? fetch;
        return f(input, init);
      },
    };
  }

  /** What the state document shows of the cars, the Tesla account and the vehicle alerts (no coordinates, no token). */
  vehicleInput(): VehicleInput {
    const control = this.vehicleControl();
    if (!control) return NO_VEHICLES;
    const statuses = control.vehicles().flatMap((v) => {
      const s = v.status();
      return s ? [s] : [];
    });
    return { statuses, account: this.tesla?.account() ?? null, alerts: oneAlertPerCode([...(this.tesla?.alerts() ?? []), ...bleAlerts(this.bleControl()), ...providerAlerts(this.providers)]) };
  }

  private router: VehicleControl | null = null;
  private routerUnsubscribe: (() => void) | null = null;

  /** The command router (vehicles.md §4.9) registers itself here; without one the Fleet API module is the control. Its changes refresh the state document. */
  attachVehicleControl(control: VehicleControl | null): void {
    this.routerUnsubscribe?.();
    this.routerUnsubscribe = null;
    this.router = control;
    if (control) this.routerUnsubscribe = control.on("change", () => this.engine.refresh());
    this.engine.refresh();
  }

  /** The running Tesla BLE module (pairing, status for the Vehicles page), null when none is registered. */
  bleControl(): BleStatusApi | null {
    for (const p of this.providers) if (isBleStatusApi(p)) return p;
    return null;
  }

  private readonly providerWatchers = new Set<() => void>();

  /** Called whenever a vehicle provider registers or unregisters (the router follows them); returns the unsubscribe function. */
  onVehicleProviders(cb: () => void): () => void {
    this.providerWatchers.add(cb);
    return () => this.providerWatchers.delete(cb);
  }

  private providersChanged(): void {
    for (const cb of this.providerWatchers) cb();
    this.engine.refresh();
  }

  /** What the charging logic commands cars through (router, else the Fleet API module), null when no vehicle module runs. */
  vehicleControl(): VehicleControl | null {
    return this.router ?? this.tesla;
  }

  private readonly providers = new Set<VehicleProvider>();

  /** A vehicle-state module (TeslaMate, Fleet Telemetry, Home Assistant, BLE …) registers itself when it starts; returns the unregister function. */
  registerVehicleProvider(provider: VehicleProvider): () => void {
    this.providers.add(provider);
    this.providersChanged();
    return () => {
      this.providers.delete(provider);
      this.providersChanged();
    };
  }

  /** The vehicle-state modules running now (the router's state merger reads them; the Fleet API module is `teslaApi()`). */
  vehicleProviders(): readonly VehicleProvider[] {
    return [...this.providers];
  }

  /** The running Tesla Fleet API module, null when none (sendTeslaAPICommand → 501). */
  teslaApi(): TeslaAccountApi | null {
    return this.tesla;
  }

  /** The settings the vehicle modules read (tokens, home location, chargeLimits); do not mutate. */
  vehicleSettings(): Readonly<Settings> {
    return this.settings.get();
  }

  /** Stores vehicle-module keys (carApi* tokens, chargeLimits only) and writes settings.json now. */
  saveVehicleSettings(patch: Readonly<Record<string, unknown>>): Promise<void> {
    const allowed = Object.fromEntries(Object.entries(patch).filter(([k]) => k.startsWith("carApi") || k === "chargeLimits"));
    this.settings.update(allowed);
    return this.settings.persist();
  }

  /**
   * Stores new vehicle groups (the vehicle pages, vehicles.md §8.4) and, after a membership change,
   * re-checks the entitlement of the charger whose current VIN is `recheckVin` (§3.7): when that car
   * may no longer charge, FC B2 to that charger only. Returns the chargers stopped (4 hex digits).
   */
  setVehicleGroups(groups: Readonly<Record<string, VehicleGroup>>, recheckVin: string | null): string[] {
    this.settings.update({ VehicleGroups: groups });
    this.engine.evaluate("vehicleGroups");
    this.save();
    if (recheckVin === null || this.monitor) return [];
    const settings = this.settings.get();
    const stopped: string[] = [];
    for (const s of this.engine.controller.slaves()) {
      if (s.currentVIN !== recheckVin || isEntitled(recheckVin, settings)) continue;
      if (this.engine.controller.sendStartStopTo("stop", s.id)) stopped.push(twcIdHex(s.id));
    }
    return stopped;
  }

  /** "Unset Home Location" (vehicles.md §8.1 `/settings/homeLocation`): home unknown (10000), sunrise/sunset recomputed. */
  unsetHomeLocation(): void {
    this.setLatLon(10000, 10000);
  }

  /** GET /teslaAccount/login: where to redirect (Tesla's authorize URL, or /teslaAccount/not_configured). */
  teslaLoginUrl(region?: string): string {
    return this.tesla?.loginUrl(region) ?? "/teslaAccount/not_configured";
  }

  /** POST /teslaAccount/saveToken `url`: the result page name (vehicles.md §2.4). */
  teslaSaveToken(url: string): Promise<TeslaLoginResult> {
    return this.tesla ? this.tesla.saveTokenFromUrl(url) : Promise.resolve("error");
  }

  /** GET /teslaAccount/callback: the result page name. */
  teslaCallback(code: string | null, state: string | null): Promise<TeslaLoginResult> {
    return this.tesla ? this.tesla.callback(code, state) : Promise.resolve("not_configured");
  }

  /** Manual token entry (empty values change nothing); false without the module. */
  async teslaSetTokens(accessToken: string | undefined, refreshToken: string | undefined): Promise<boolean> {
    if (!this.tesla) return false;
    await this.tesla.setTokens(accessToken, refreshToken);
    return true;
  }
}
