/**
 * The Home Assistant vehicle module `vehicle.HomeAssistant` (vehicles.md §6): checks HA at start
 * (`GET /api/config`), discovers the Tesla cars once over the WebSocket, reads their state over REST
 * (cached 30 s) and commands them through HA's services (`switch.turn_on/turn_off`, `number.set_value`).
 * Each car is a Vehicle; the module also offers the §6.3 operations over every car for the router.
 * A car is commanded only at home and linked to a TWC; amps are clamped to 1–32 and never touch what
 * a TWC offers.
 */
import type { HassVehicleConfig } from "../../config/app-config.ts";
import type { LimitCheck, Vehicle, VehicleCommandName, VehicleCommandResult, VehicleOperationResult, VehicleProvider, VehicleStatus } from "../capabilities.ts";
import { redactText } from "../../shared/redact.ts";
import type { Module, ModuleContext } from "../module.ts";
import type { BackendKind, CommandBackend } from "../vehicle-router/backend.ts";
import { chargingStateOf, hassAtHome, HassCar, isCharging, stateNumber, trackerPosition } from "./hass-car.ts";
import { fetchRegistries, HassClient, type HassFetch } from "./hass-client.ts";
import { discoverCars } from "./hass-discovery.ts";

/** Injectable parts (tests). */
export interface HassVehicleOptions {
  fetch?: HassFetch;
}

/** §6.2 discovery's WebSocket timeout (ms): with the 5 s config check, inside the host's start timeout. */
const DISCOVERY_TIMEOUT_MS = 4000;
/** §6.3 read cache (s). */
const CACHE_S = 30;
/** §6.3 gap between start/stop commands (s). */
const CHARGE_GAP_S = 10;
/** §6.3 amps clamp. */
const MIN_AMPS = 1;
const MAX_AMPS = 32;

const fail = (kind: Extract<VehicleCommandResult, { ok: false }>["kind"], reason: string): VehicleCommandResult => ({ ok: false, kind, reason });

class HassVehicle implements Vehicle {
  constructor(
    private readonly car: HassCar,
    private readonly m: HassVehicleModule,
  ) {}
  get vin(): string {
    return this.car.def.vin;
  }
  status(): VehicleStatus {
    return { ...this.car.status, location: this.car.status.location ? { ...this.car.status.location } : null };
  }
  startCharging(): Promise<VehicleCommandResult> {
    return this.m.chargeOne(this.car, true);
  }
  stopCharging(): Promise<VehicleCommandResult> {
    return this.m.chargeOne(this.car, false);
  }
  setChargingAmps(amps: number): Promise<VehicleCommandResult> {
    return this.m.rateOne(this.car, amps);
  }
  setChargeLimit(percent: number): Promise<VehicleCommandResult> {
    return this.m.limitOne(this.car, percent);
  }
  wake(): Promise<VehicleCommandResult> {
    return Promise.resolve(fail("unavailable", "Home Assistant's Tesla integration wakes the car by itself; no wake command is sent"));
  }
  refresh(maxAgeS = CACHE_S): Promise<VehicleCommandResult> {
    return this.m.read(this.car, maxAgeS);
  }
}

/** The module: a vehicle provider and, for the router, a command backend of priority 15 (§6.5). */
export class HassVehicleModule implements Module, VehicleProvider, CommandBackend {
  readonly name = "vehicle.HomeAssistant";
  readonly backend = "HomeAssistant" as const;
  /** §6.5 decision: between BLE (20) and the Fleet API (10). */
  readonly priority = 15;
  /** A cloud path: `ble_only` skips it like the Fleet API (§6.5). */
  readonly kind: BackendKind = "api";
  private readonly client: HassClient;
  private cars: HassCar[] = [];
  private handles: Vehicle[] = [];
  private readonly listeners = new Set<() => void>();
  private unregister: (() => void) | null = null;
  private lastChargeMs = Number.NEGATIVE_INFINITY;
  /** Why the module is off (start check, discovery), null while it runs. */
  disabledReason: string | null = "not started";

  constructor(
    private readonly config: HassVehicleConfig,
    private readonly ctx: ModuleContext,
    opts: HassVehicleOptions = {},
  ) {
    this.client = new HassClient(config.url, config.token, opts.fetch);
  }

  /**
   * §6.1 check, §6.2 discovery, then registers with the commands facade. A failure leaves the module off
   * and rejects with the reason, so the host raises MODULE_FAILED (the state document's alert names the
   * fix) and tries again with back-off (HA may start after TWCManager). Both steps together stay within
   * the host's 10 s start timeout (5 s + 4 s).
   */
  async start(): Promise<void> {
    this.disabledReason = "starting";
    const problem = await this.client.checkConfig();
    if (problem !== null) throw this.disable(problem);
    let found;
    try {
      const r = await fetchRegistries(this.config.url, this.config.token, this.ctx.clock, DISCOVERY_TIMEOUT_MS);
      found = discoverCars(r.devices, r.entities);
    } catch (err) {
      throw this.disable(`car discovery failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const p of found.problems) this.ctx.logger.warn({}, `${this.name}: ${p}; the car is not used`);
    this.cars = found.cars.map((d) => new HassCar(d));
    this.handles = this.cars.map((c) => new HassVehicle(c, this));
    if (this.cars.length === 0) this.ctx.logger.warn({}, `${this.name}: no Tesla car found in Home Assistant (Tesla Fleet integration); a car added later needs a restart`);
    else this.ctx.logger.info({ vins: this.cars.map((c) => c.def.vin) }, `${this.name}: ${String(this.cars.length)} car(s) found: ${this.cars.map((c) => c.def.name).join(", ")}`);
    this.disabledReason = null;
    this.unregister = this.ctx.commands.registerVehicleProvider(this);
    for (const c of this.cars) void this.read(c, 0);
  }

  /** Marks the module off and logs why; returns the error start() rejects with. */
  private disable(why: string): Error {
    const reason = redactText(why);
    this.disabledReason = reason;
    this.ctx.logger.error({ code: "VEHICLE_HASS_UNAVAILABLE", reason }, `${this.name} is off: ${reason}`);
    return new Error(reason);
  }

  /** Running with at least one car (the router calls it only then). */
  usable(): boolean {
    return this.disabledReason === null && this.cars.length > 0;
  }

  /** §4.8 for the router: reads the VIN's car now; true when it answered. */
  async refreshState(vin: string): Promise<boolean> {
    const car = this.cars.find((c) => c.def.vin === vin);
    return car !== undefined && (await this.read(car, 0)).ok;
  }

  /** Unregisters. */
  stop(): void {
    this.unregister?.();
    this.unregister = null;
    this.disabledReason = "stopped";
  }

  /** The cars found at start. */
  vehicles(): readonly Vehicle[] {
    return this.disabledReason === null ? this.handles : [];
  }

  /** Subscribes to changes. */
  on(_event: "change", cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private changed(): void {
    for (const cb of this.listeners) {
      try {
        cb();
      } catch (err) {
        this.ctx.logger.error({ reason: err instanceof Error ? err.message : String(err) }, `${this.name}: a vehicle change listener threw`);
      }
    }
  }

  private byVin(vin: string | undefined): HassCar | null {
    if (vin === undefined) return this.cars[0] ?? null;
    return this.cars.find((c) => c.def.vin === vin) ?? null;
  }

  /** §1.3: the TWC whose current (else last) VIN is the car's, and whether it is the current one. */
  private link(car: HassCar): { twcId: string | null; current: boolean } {
    const chargers = this.ctx.state.snapshot.chargers;
    const cur = chargers.find((c) => c.vin.current === car.def.vin);
    if (cur) return { twcId: cur.id, current: true };
    return { twcId: chargers.find((c) => c.vin.last === car.def.vin)?.id ?? null, current: false };
  }

  // ---- state (§6.3) ----

  /** Reads the car's entities unless read within `maxAgeS` s. The SoC entity must answer. */
  async read(car: HassCar, maxAgeS = CACHE_S): Promise<VehicleCommandResult> {
    if (this.disabledReason !== null) return fail("unavailable", `${this.name} is off: ${this.disabledReason}`);
    const nowMs = this.ctx.clock.now();
    if (car.readAtMs > 0 && nowMs - car.readAtMs < maxAgeS * 1000) return { ok: true };
    const e = car.def.entities;
    const soc = await this.client.state(e.soc);
    if (!soc.ok) return fail(soc.missing ? "malformed" : "network", soc.reason);
    const s = car.status;
    const level = stateNumber(soc.state);
    if (level === null) return fail("asleep", `${e.soc} is "${soc.state.state}"`);
    s.socPercent = level;
    const charging = await this.client.state(e.charging ?? e.chargeSwitch);
    if (charging.ok) {
      car.charging = isCharging(charging.state);
      if (e.charging !== null) s.chargingState = chargingStateOf(charging.state);
    }
    if (e.location !== null) {
      const t = await this.client.state(e.location);
      if (t.ok) {
        const pos = trackerPosition(t.state);
        if (pos) s.location = { lat: pos.lat, lon: pos.lon, gpsAsOfMs: nowMs };
        const settings = this.ctx.commands.vehicleSettings();
        const v = hassAtHome(t.state, pos, { lat: Number(settings.homeLat), lon: Number(settings.homeLon) }, this.config.atHomeRadiusFt);
        s.atHome = v.atHome;
        if (v.adopt) {
          this.ctx.logger.info({ vin: s.vin }, "home location set from the car's position (Home Assistant)");
          this.ctx.commands.setLatLon(v.adopt.lat, v.adopt.lon);
        }
      }
    }
    for (const [entity, apply] of [
      [e.chargeLimit, (n: number) => (s.chargeLimitPercent = n)],
      [e.chargeCurrent, (n: number) => ((s.availableCurrentA = n), (s.chargeCurrentRequestA = n))],
    ] as const) {
      if (entity === null) continue;
      const r = await this.client.state(entity);
      const n = r.ok ? stateNumber(r.state) : null;
      if (n !== null) apply(n);
    }
    s.twcId = this.link(car).twcId;
    s.onlineState = "online";
    s.updatedAtMs = nowMs;
    s.lastSeenMs = nowMs;
    car.readAtMs = nowMs;
    this.changed();
    return { ok: true };
  }

  /** §6.3 availability: running, ≥ 1 car, and the first car's SoC entity reads. */
  async available(): Promise<boolean> {
    const first = this.cars[0];
    if (this.disabledReason !== null || first === undefined) return false;
    return (await this.client.state(first.def.entities.soc)).ok;
  }

  /** §6.3: cars at home (every car refreshed, 30 s cache). */
  async numCarsAtHome(): Promise<number> {
    for (const c of this.cars) await this.read(c);
    return this.cars.filter((c) => c.status.atHome === true).length;
  }

  /** §6.3: the lowest SoC of the cars at home, 10000 when none. */
  async minBatteryLevelAtHome(): Promise<number> {
    for (const c of this.cars) await this.read(c);
    const levels = this.cars.filter((c) => c.status.atHome === true && c.status.socPercent !== null).map((c) => c.status.socPercent!);
    return levels.length === 0 ? 10000 : Math.min(...levels);
  }

  // ---- commands (§6.3) ----

  private async send(car: HassCar, name: VehicleCommandName, domain: string, service: string, body: Record<string, unknown>, recorded: Record<string, number> | null): Promise<VehicleCommandResult> {
    const result = await this.client.service(domain, service, body);
    car.status.lastCommand = { name, body: recorded, atMs: this.ctx.clock.now(), result };
    car.readAtMs = 0;
    if (!result.ok) this.ctx.logger.warn({ vin: car.def.vin, reason: result.reason }, `${this.name}: ${domain}.${service} for ${car.def.name} failed: ${result.reason}`);
    this.changed();
    return result;
  }

  /** Start/stop one car without the gap check: "skip" when §6.3 says not to send. */
  private async chargeCar(car: HassCar, start: boolean): Promise<VehicleCommandResult | "skip"> {
    const r = await this.read(car, 0);
    if (!r.ok) return r;
    if (car.status.atHome !== true) return "skip";
    if (!this.link(car).current) return "skip";
    if (car.charging === start) return { ok: true, reason: start ? "already charging" : "not charging" };
    return this.send(car, start ? "charge_start" : "charge_stop", "switch", start ? "turn_on" : "turn_off", { entity_id: car.def.entities.chargeSwitch }, null);
  }

  /** A car's start/stop (Vehicle): the 10 s gap per car, then §6.3. */
  async chargeOne(car: HassCar, start: boolean): Promise<VehicleCommandResult> {
    const nowMs = this.ctx.clock.now();
    if (nowMs - car.lastChargeCommandMs < CHARGE_GAP_S * 1000) return fail("unavailable", `another start/stop was sent less than ${String(CHARGE_GAP_S)} s ago`);
    car.lastChargeCommandMs = nowMs;
    const r = await this.chargeCar(car, start);
    if (r !== "skip") return r;
    return car.status.atHome !== true ? fail("away", `${car.def.name} is not at home`) : fail("unavailable", `${car.def.name} is not connected to a TWC`);
  }

  /** §6.3 charge(start) over every car (or the VIN's car): "error" within 10 s of the last one or when a call failed. */
  async charge(start: boolean, vin?: string): Promise<VehicleOperationResult> {
    const nowMs = this.ctx.clock.now();
    if (this.disabledReason !== null || nowMs - this.lastChargeMs < CHARGE_GAP_S * 1000) return "error";
    this.lastChargeMs = nowMs;
    const targets = vin !== undefined && this.byVin(vin) ? [this.byVin(vin)!] : this.cars;
    let ok = true;
    for (const car of targets) {
      car.lastChargeCommandMs = nowMs;
      const r = await this.chargeCar(car, start);
      if (r !== "skip" && !r.ok) ok = false;
    }
    return ok ? "success" : "error";
  }

  /** A car's charge limit (Vehicle): at home, with the entity, linked to a TWC, not already at `percent`. */
  async limitOne(car: HassCar, percent: number): Promise<VehicleCommandResult> {
    if (!Number.isFinite(percent) || percent < 50 || percent > 100) return fail("unavailable", `charge limit ${String(percent)} is outside 50–100 %`);
    const entity = car.def.entities.chargeLimit;
    if (entity === null) return fail("unavailable", `${car.def.name} has no charge-limit entity in Home Assistant`);
    const r = await this.read(car, 0);
    if (!r.ok) return r;
    if (car.status.atHome !== true) return fail("away", `${car.def.name} is not at home`);
    if (this.link(car).twcId === null) return fail("unavailable", `${car.def.name} is not connected to a TWC`);
    if (car.status.chargeLimitPercent === percent) return { ok: true, reason: "already_set" };
    return this.send(car, "set_charge_limit", "number", "set_value", { entity_id: entity, value: percent }, { percent });
  }

  /** §6.3 applyLimit: −1 sends nothing ("leave unchanged"); else every car at home linked to a TWC. */
  async applyLimit(limitPercent: number, _check: LimitCheck = "none"): Promise<VehicleOperationResult> {
    if (limitPercent === -1) return "success";
    if (this.disabledReason !== null) return "error";
    let ok = true;
    for (const car of this.cars) {
      if (car.def.entities.chargeLimit === null) continue;
      const r = await this.limitOne(car, limitPercent);
      if (!r.ok && r.kind !== "away" && r.kind !== "unavailable") ok = false;
    }
    return ok ? "success" : "error";
  }

  /** A car's charge current (Vehicle): clamped to 1–32 A; a car not linked to a TWC or already at it → success without a call. */
  async rateOne(car: HassCar, amps: number): Promise<VehicleCommandResult> {
    const entity = car.def.entities.chargeCurrent;
    if (entity === null) return fail("unavailable", `${car.def.name} has no charge-current entity in Home Assistant`);
    if (!Number.isFinite(amps)) return fail("unavailable", "the charge current must be a number");
    const a = Math.min(MAX_AMPS, Math.max(MIN_AMPS, amps));
    if (this.link(car).twcId === null) return { ok: true, reason: "not connected to a TWC" };
    const r = await this.read(car);
    if (!r.ok) return r;
    const current = car.status.chargeCurrentRequestA;
    if (current !== null && Math.round(current * 10) === Math.round(a * 10)) return { ok: true, reason: "already_set" };
    const result = await this.send(car, "set_charging_amps", "number", "set_value", { entity_id: entity, value: a }, { charging_amps: a });
    if (result.ok) car.status.chargeCurrentRequestA = a;
    return result;
  }

  /** §6.3 setChargeRate: the VIN's car (default the first). */
  setChargeRate(amps: number, vin?: string): Promise<VehicleCommandResult> {
    const car = this.byVin(vin);
    if (this.disabledReason !== null || car === null) return Promise.resolve(fail("unavailable", vin === undefined ? "no Home Assistant car" : `${vin} is not a Home Assistant car`));
    return this.rateOne(car, amps);
  }
}

/** Creates the module (registry). */
export function createHassVehicleModule(config: HassVehicleConfig, ctx: ModuleContext, opts: HassVehicleOptions = {}): HassVehicleModule {
  return new HassVehicleModule(config, ctx, opts);
}
