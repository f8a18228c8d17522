/**
 * The telemetry base (vehicles.md §7.1) shared by TeslaMate and Fleet Telemetry: the MQTT lease
 * (opened 30 s after start so the Fleet API list can load first, reconnecting by itself, renewed every
 * 24 h), one TelemetryCar per VIN offered as a VehicleProvider, the §7.1 staleness check, and a
 * read-only Vehicle per car (commands go through the Fleet API, BLE or Home Assistant; a telemetry
 * refresh is a no-op). Subclasses parse their topics and decide which VIN a message is for.
 */
import type { TelemetryMqttConfig } from "../../config/app-config.ts";
import { every, type TimerHandle } from "../../shared/clock.ts";
import type { Vehicle, VehicleCommandResult, VehicleProvider, VehicleSource, VehicleStatus } from "../capabilities.ts";
import type { Module, ModuleContext } from "../module.ts";
import type { MqttBrokerSettings } from "../mqtt/broker.ts";
import type { MqttConnections, MqttLease } from "../mqtt/connections.ts";
import { SYNC_TIMEOUT_S, TelemetryCar, type TelemetryUpdate } from "./telemetry-car.ts";

/** What a telemetry module needs besides its context. */
export interface TelemetryDeps {
  connections: MqttConnections;
  /** Delay before connecting (default 30 s, §7.1). */
  connectDelayMs?: number;
}

/** A provider that also says whether telemetry feeds a car now (the Fleet API does not poll such a car, §7.1). */
export interface TelemetryProvider extends VehicleProvider {
  /** True while this module is the car's `syncSource` (fresh, or silent while asleep). */
  telemetryActive(vin: string): boolean;
}

/** §7.1 forced reconnect. */
const RECONNECT_MS = 24 * 3600 * 1000;
/** How often the name mapping is retried (besides on every vehicle-list change). */
const REMAP_MS = 30_000;

const READ_ONLY = (module: string): VehicleCommandResult => ({ ok: false, kind: "unavailable", reason: `${module} only reads the car's state; commands go through the Fleet API, BLE or Home Assistant` });

/** The MQTT settings of a §7.1 section (port 1883 unless our `mqtt_port` says otherwise; MQTT 5). */
export function telemetryBroker(c: TelemetryMqttConfig): MqttBrokerSettings {
  return { host: c.host, port: c.port, tls: false, caFile: null, username: c.username, password: c.password, version: "5" };
}

class TelemetryVehicle implements Vehicle {
  constructor(
    private readonly car: TelemetryCar,
    private readonly module: string,
  ) {}
  get vin(): string {
    return this.car.status.vin;
  }
  status(): VehicleStatus {
    return { ...this.car.status, location: this.car.status.location ? { ...this.car.status.location } : null };
  }
  startCharging(): Promise<VehicleCommandResult> {
    return Promise.resolve(READ_ONLY(this.module));
  }
  stopCharging(): Promise<VehicleCommandResult> {
    return Promise.resolve(READ_ONLY(this.module));
  }
  setChargingAmps(): Promise<VehicleCommandResult> {
    return Promise.resolve(READ_ONLY(this.module));
  }
  setChargeLimit(): Promise<VehicleCommandResult> {
    return Promise.resolve(READ_ONLY(this.module));
  }
  wake(): Promise<VehicleCommandResult> {
    return Promise.resolve(READ_ONLY(this.module));
  }
  /** §7.1: while telemetry feeds the car, a charge refresh is a no-op. */
  refresh(): Promise<VehicleCommandResult> {
    return Promise.resolve({ ok: true });
  }
}

/** The base of the telemetry modules. */
export abstract class TelemetryModule implements Module, TelemetryProvider {
  abstract readonly name: string;
  private readonly cars = new Map<string, TelemetryCar>();
  private readonly handles = new Map<string, Vehicle>();
  private readonly listeners = new Set<() => void>();
  private lease: MqttLease | null = null;
  private connectTimer: TimerHandle | null = null;
  private stops: (() => void)[] = [];
  private unregister: (() => void) | null = null;
  private listUnsub: (() => void) | null = null;
  private listSource: object | null = null;

  protected constructor(
    protected readonly source: VehicleSource,
    private readonly broker: TelemetryMqttConfig | null,
    private readonly atHomeRadiusFt: number,
    protected readonly ctx: ModuleContext,
    private readonly deps: TelemetryDeps,
  ) {}

  /** The subscriptions (QoS 0 on the shared connection). */
  protected abstract filters(): string[];
  /** One message (payload as UTF-8); throws are logged as warnings. */
  protected abstract handle(topic: string, payload: string): void;
  /** Retries the name mapping (the vehicle list may have changed). */
  protected abstract remap(): void;

  /** Registers with the commands facade, schedules the connection and the timers. */
  start(): void {
    this.unregister = this.ctx.commands.registerVehicleProvider(this);
    this.stops.push(every(this.ctx.clock, SYNC_TIMEOUT_S * 1000, () => this.checkStale()));
    this.stops.push(every(this.ctx.clock, REMAP_MS, () => this.onListMaybeChanged()));
    this.started();
    if (this.broker === null) {
      this.ctx.logger.info({}, `${this.name}: syncTelemetry is off (no MQTT)`);
      return;
    }
    this.connectTimer = this.ctx.clock.setTimeout(() => {
      this.connectTimer = null;
      this.connect();
    }, this.deps.connectDelayMs ?? 30_000);
    this.stops.push(every(this.ctx.clock, RECONNECT_MS, () => void this.reconnect()));
  }

  /** Hook for subclasses (token sync); called at start. */
  protected started(): void {}

  /** Releases the lease, the timers and the registration. */
  async stop(): Promise<void> {
    if (this.connectTimer) this.ctx.clock.clearTimeout(this.connectTimer);
    this.connectTimer = null;
    for (const s of this.stops) s();
    this.stops = [];
    this.listUnsub?.();
    this.listUnsub = null;
    this.listSource = null;
    this.unregister?.();
    this.unregister = null;
    const lease = this.lease;
    this.lease = null;
    await lease?.release();
  }

  private connect(): void {
    if (this.broker === null) return;
    const b = this.broker;
    this.lease = this.deps.connections.acquire({
      owner: this.name,
      broker: telemetryBroker(b),
      handlers: {
        onConnect: () => this.ctx.logger.info({ broker: `${b.host}:${String(b.port)}` }, `${this.name}: connected to the MQTT broker`),
        onError: (message) => this.ctx.logger.warn({ reason: message }, `${this.name}: MQTT connection failed (${message}); retrying`),
        onMessage: (topic, payload) => this.onMessage(topic, payload),
      },
    });
    this.lease.subscribe(this.filters());
  }

  private async reconnect(): Promise<void> {
    const old = this.lease;
    this.lease = null;
    await old?.release();
    this.connect();
  }

  private onMessage(topic: string, payload: Buffer): void {
    try {
      this.handle(topic, payload.toString("utf8"));
    } catch (err) {
      this.ctx.logger.warn({ topic, reason: err instanceof Error ? err.message : String(err) }, `${this.name}: message on ${topic} ignored`);
    }
  }

  /** Subscribes to the Fleet API module's changes (when it runs) and retries the mapping. */
  private onListMaybeChanged(): void {
    const api = this.ctx.commands.teslaApi();
    if (api !== this.listSource) {
      this.listUnsub?.();
      this.listUnsub = api ? api.on("change", () => this.remap()) : null;
      this.listSource = api;
    }
    this.remap();
  }

  /** Applies values to the car with this VIN (created on first use), locates it and notifies. */
  protected feed(vin: string, updates: readonly TelemetryUpdate[]): void {
    if (updates.length === 0) return;
    let car = this.cars.get(vin);
    if (!car) {
      car = new TelemetryCar(vin, this.source);
      this.cars.set(vin, car);
      this.handles.set(vin, new TelemetryVehicle(car, this.name));
    }
    const nowMs = this.ctx.clock.now();
    const wasStale = car.syncTimestampMs > 0 && !car.active;
    for (const u of updates) car.apply(u, nowMs);
    if (wasStale) this.ctx.logger.info({ vin }, `${this.name}: telemetry resumed for ${car.status.name}`);
    const s = this.ctx.commands.vehicleSettings();
    car.locate({ lat: Number(s.homeLat), lon: Number(s.homeLon) }, this.atHomeRadiusFt);
    this.changed();
  }

  private checkStale(): void {
    const nowMs = this.ctx.clock.now();
    let any = false;
    for (const car of this.cars.values()) {
      if (!car.checkStale(nowMs)) continue;
      any = true;
      this.ctx.logger.error({ vin: car.status.vin }, `${this.name}: no telemetry for ${car.status.name} for over ${String(SYNC_TIMEOUT_S / 60)} min while it is awake; the Fleet API polls it again`);
    }
    if (any) this.changed();
  }

  /** Notifies the change listeners (the router, the state document). */
  protected changed(): void {
    for (const cb of this.listeners) {
      try {
        cb();
      } catch (err) {
        this.ctx.logger.error({ reason: err instanceof Error ? err.message : String(err) }, `${this.name}: a vehicle change listener threw`);
      }
    }
  }

  /** The cars this module feeds now (stale ones are left to the Fleet API, §7.1). */
  vehicles(): readonly Vehicle[] {
    return [...this.cars.values()].filter((c) => c.active).map((c) => this.handles.get(c.status.vin)!);
  }

  /** §7.1: true while this module is the car's sync source. */
  telemetryActive(vin: string): boolean {
    return this.cars.get(vin)?.active === true;
  }

  /** The record of a car (tests, the Vehicles page), null when unknown. */
  record(vin: string): TelemetryCar | null {
    return this.cars.get(vin) ?? null;
  }

  /** Subscribes to changes of the list or of a car. */
  on(_event: "change", cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
}
