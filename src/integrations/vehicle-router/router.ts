/**
 * The command router and state merger (vehicles.md §1.2, §4.8, §4.9): one VehicleControl over every
 * running vehicle module. Commands go to the backends from the highest priority down (BLE 20, Home
 * Assistant 15, Fleet API 10), filtered by `commandPolicy`, each tried `priority div 10 + 1` times; the
 * first success wins, else the last result is returned. A command for a VIN goes only to backends that
 * serve that car (so the Fleet API never turns it into "every car"). Every provider's records merge into
 * one record per VIN, which carries the path the next command takes (`commandVia`) and the last routed
 * command with the path that served it (`lastCommand.via`). Calls never throw.
 */
import type { CommandPolicy } from "../../config/app-config.ts";
import type { Clock } from "../../shared/clock.ts";
import type {
  LimitCheck,
  Vehicle,
  VehicleCommandName,
  VehicleCommandResult,
  VehicleControl,
  VehicleLastCommand,
  VehicleOperationResult,
  VehicleProvider,
  VehicleSource,
  VehicleStatus,
} from "../capabilities.ts";
import type { ModuleLogger } from "../module.ts";
import type { TeslaAccountApi } from "../tesla/account.ts";
import { carOf, servesVin, type CommandBackend } from "./backend.ts";
import { commandBackends, fleetBackend } from "./backends.ts";
import { mergeAll } from "./merge.ts";
import { allowed, attemptsFor } from "./policy.ts";

/** What the router reads (the commands facade's registrations). */
export interface RouterDeps {
  clock: Clock;
  logger: ModuleLogger;
  teslaApi: () => TeslaAccountApi | null;
  providers: () => readonly VehicleProvider[];
  policy: () => CommandPolicy;
}

/** The Debug page's counters (§4.9) per backend. */
export interface RouterCounters {
  moduleDispatch: Record<string, number>;
  moduleSuccess: Record<string, number>;
  moduleFailures: Record<string, number>;
}

interface Outcome<T> {
  value: T;
  via: VehicleSource | null;
}

type ChangeSource = { on(event: "change", cb: () => void): () => void };

const noPath = (what: string, policy: CommandPolicy): VehicleCommandResult => ({
  ok: false,
  kind: "unavailable",
  reason: `no vehicle module may ${what} (commandPolicy ${policy}${policy === "ble_only" ? ": the Fleet API and Home Assistant are skipped" : policy === "api_only" ? ": BLE is skipped" : ""})`,
});

/** The router. */
export class VehicleRouter implements VehicleControl {
  private readonly fleet: CommandBackend;
  private readonly handles = new Map<string, Vehicle>();
  private readonly routed = new Map<string, VehicleLastCommand>();
  private readonly listeners = new Set<() => void>();
  private readonly subscribed = new Map<ChangeSource, () => void>();
  private links: readonly { twcId: string; currentVin: string | null; lastVin: string | null }[] = [];
  private readonly count: RouterCounters = { moduleDispatch: {}, moduleSuccess: {}, moduleFailures: {} };

  constructor(private readonly d: RouterDeps) {
    this.fleet = fleetBackend(() => d.teslaApi());
  }

  // ---- backends and policy ----

  /** The running backends, highest priority first. */
  backends(): CommandBackend[] {
    return commandBackends(this.d.teslaApi(), this.d.providers(), this.fleet);
  }

  /** The policy in force. */
  policy(): CommandPolicy {
    return this.d.policy();
  }

  /** Backends that may serve a command (or a read) for `vin` (every car when undefined), in order. */
  private route(command: boolean, vin?: string): CommandBackend[] {
    const policy = this.policy();
    return this.backends().filter((b) => b.usable() && allowed(b.kind, policy, command) && (vin === undefined || servesVin(b, vin)));
  }

  /** The §4.9 counters. */
  counters(): RouterCounters {
    return structuredClone(this.count);
  }

  private bump(k: keyof RouterCounters, b: CommandBackend): void {
    this.count[k][b.backend] = (this.count[k][b.backend] ?? 0) + 1;
  }

  /** Tries each backend `attemptsFor(priority)` times; a lacking method skips it; a throw is a failure. */
  private async dispatch<T>(name: string, backends: readonly CommandBackend[], call: (b: CommandBackend) => Promise<T> | undefined, ok: (v: T) => boolean, none: T): Promise<Outcome<T>> {
    let last: Outcome<T> = { value: none, via: null };
    for (const b of backends) {
      for (let i = 0; i < attemptsFor(b.priority); i++) {
        let p: Promise<T> | undefined;
        try {
          p = call(b);
        } catch (err) {
          p = Promise.reject(err instanceof Error ? err : new Error(String(err)));
        }
        if (p === undefined) break;
        this.bump("moduleDispatch", b);
        try {
          const v = await p;
          if (ok(v)) {
            this.bump("moduleSuccess", b);
            return { value: v, via: b.backend };
          }
          last = { value: v, via: b.backend };
        } catch (err) {
          this.d.logger.error({ code: "VEHICLE_CALL_FAILED", backend: b.backend, call: name, reason: err instanceof Error ? err.message : String(err) }, `${b.backend} ${name} threw`);
          last = { value: last.value, via: b.backend };
        }
        this.bump("moduleFailures", b);
      }
      if (backends.indexOf(b) < backends.length - 1) this.d.logger.info({ backend: b.backend, call: name }, `${name} through ${b.backend} failed; trying the next path`);
    }
    return last;
  }

  // ---- bookkeeping of routed commands ----

  private record(vin: string, name: VehicleCommandName, body: Readonly<Record<string, number>> | null, result: VehicleCommandResult, via: VehicleSource | null): void {
    this.routed.set(vin, { name, body, atMs: this.d.clock.now(), result, ...(via !== null ? { via } : {}) });
    this.emit();
  }

  /** The serving backend's own result of a start/stop sent at or after `sinceMs`, else a generic failure. */
  private operationResult(v: Outcome<VehicleOperationResult>, vin: string, sinceMs: number, what: string): VehicleCommandResult {
    if (v.value === "success") return { ok: true };
    const b = v.via === null ? null : this.backends().find((x) => x.backend === v.via);
    const own = b ? carOf(b, vin)?.status()?.lastCommand : undefined;
    if (own && own.atMs >= sinceMs && !own.result.ok) return own.result;
    return v.via === null ? noPath(what, this.policy()) : { ok: false, kind: "unavailable", reason: `${v.via} could not ${what}` };
  }

  // ---- VehicleControl ----

  /** §3.1 start/stop through the first backend that succeeds. */
  async charge(start: boolean, vin?: string): Promise<VehicleOperationResult> {
    const v = vin?.toUpperCase();
    const since = this.d.clock.now();
    const out = await this.dispatch(start ? "charge start" : "charge stop", this.route(true, v), (b) => b.charge?.(start, v), (r) => r === "success", "error");
    const what = start ? "start charging" : "stop charging";
    for (const target of v !== undefined ? [v] : this.vinsServedBy(out.via)) this.record(target, start ? "charge_start" : "charge_stop", null, this.operationResult(out, target, since, what), out.via);
    if (out.via === null) this.d.logger.warn({ policy: this.policy() }, `vehicle ${start ? "start" : "stop"} not sent: no vehicle module may send it (commandPolicy ${this.policy()})`);
    return out.value;
  }

  private vinsServedBy(via: VehicleSource | null): string[] {
    if (via === null) return [];
    const b = this.backends().find((x) => x.backend === via);
    return b ? this.mergedStatuses().map((s) => s.vin).filter((vin) => servesVin(b, vin)) : [];
  }

  /** §3.2 car-side current. Never raises what a TWC offers. */
  async setChargeRate(amps: number, vin?: string): Promise<VehicleCommandResult> {
    const v = vin?.toUpperCase();
    const out = await this.dispatch("setChargeRate", this.route(true, v), (b) => b.setChargeRate?.(amps, v), (r) => r.ok, noPath("set the charge current", this.policy()));
    const body = { charging_amps: Number.isFinite(amps) ? Math.max(1, Math.trunc(amps)) : 0 };
    for (const target of v !== undefined ? [v] : this.vinsServedBy(out.via)) this.record(target, "set_charging_amps", body, out.value, out.via);
    return out.value;
  }

  /** §3.4 charge-limit pass. */
  async applyLimit(limitPercent: number, check: LimitCheck): Promise<VehicleOperationResult> {
    return (await this.dispatch("applyLimit", this.route(true), (b) => b.applyLimit?.(limitPercent, check), (r) => r === "success", "error")).value;
  }

  /** §3.5 on every module that keeps the flag. */
  clearStopAsking(): void {
    const targets: unknown[] = [this.d.teslaApi(), ...this.d.providers()];
    for (const t of targets) {
      const f = (t as { clearStopAsking?: unknown } | null)?.clearStopAsking;
      if (typeof f === "function") {
        try {
          (f as () => void).call(t);
        } catch (err) {
          this.d.logger.error({ code: "VEHICLE_CALL_FAILED", reason: err instanceof Error ? err.message : String(err) }, "clearStopAsking threw");
        }
      }
    }
  }

  /** §3.4 expected completion (the Fleet API module keeps the flag). */
  noteCurrentDrop(vin: string | null): void {
    this.d.teslaApi()?.noteCurrentDrop(vin);
  }

  /** §1.3 which TWC reports which VIN (the Fleet API module, and the merged records' twcId). */
  linkSlaves(slaves: readonly { twcId: string; currentVin: string | null; lastVin: string | null }[]): void {
    this.links = slaves.map((s) => ({ ...s }));
    this.d.teslaApi()?.linkSlaves(slaves);
    this.emit();
  }

  // ---- the merged model ----

  private sources(): { api: TeslaAccountApi | null; providers: readonly VehicleProvider[] } {
    return { api: this.d.teslaApi(), providers: this.d.providers() };
  }

  /** Every module's records merged per VIN, with the router's path and last routed command. */
  mergedStatuses(): VehicleStatus[] {
    this.subscribe();
    const { api, providers } = this.sources();
    const records: VehicleStatus[] = [];
    const collect = (p: VehicleProvider): void => {
      for (const v of p.vehicles()) {
        const s = v.status();
        if (s) records.push(s);
      }
    };
    if (api) collect(api);
    const order = [...providers].sort((a, b) => ((b as Partial<CommandBackend>).priority ?? 0) - ((a as Partial<CommandBackend>).priority ?? 0));
    for (const p of order) if (p !== api) collect(p);
    return mergeAll(records).map((s) => this.decorate(s));
  }

  private decorate(s: VehicleStatus): VehicleStatus {
    const mine = this.routed.get(s.vin);
    const theirs = s.lastCommand;
    const lastCommand = mine && (!theirs || mine.atMs >= theirs.atMs) ? mine : theirs;
    const link = this.links.find((l) => l.currentVin === s.vin) ?? this.links.find((l) => l.lastVin === s.vin);
    return {
      ...s,
      lastCommand: lastCommand ? { ...lastCommand } : null,
      twcId: s.twcId ?? link?.twcId ?? null,
      commandVia: this.route(true, s.vin)[0]?.backend ?? null,
    };
  }

  /** The merged cars. */
  vehicles(): readonly Vehicle[] {
    return this.mergedStatuses().map((s) => this.handle(s.vin));
  }

  /** The merged car with this VIN, null when no module knows it. */
  byVin(vin: string): Vehicle | null {
    const v = vin.toUpperCase();
    return this.mergedStatuses().some((s) => s.vin === v) ? this.handle(v) : null;
  }

  /** One car's command through its backends (limit, wake). */
  private async perCar(vin: string, name: VehicleCommandName, body: Readonly<Record<string, number>> | null, call: (b: CommandBackend) => Promise<VehicleCommandResult> | undefined, what: string): Promise<VehicleCommandResult> {
    const out = await this.dispatch(name, this.route(true, vin), call, (r) => r.ok, noPath(what, this.policy()));
    this.record(vin, name, body, out.value, out.via);
    return out.value;
  }

  /** §4.8: a state read over BLE first (unless api_only), then the other modules; one attempt each. */
  private async refreshCar(vin: string, maxAgeS?: number): Promise<VehicleCommandResult> {
    let last: VehicleCommandResult = { ok: false, kind: "unavailable", reason: "no vehicle module can read this car" };
    for (const b of this.route(false, vin)) {
      try {
        if (b.kind === "ble") {
          if (b.refreshState && (await b.refreshState(vin))) return { ok: true };
          last = { ok: false, kind: "timeout", reason: "no BLE state read" };
          continue;
        }
        const car = carOf(b, vin);
        if (!car) {
          if (b.refreshState && (await b.refreshState(vin))) return { ok: true };
          continue;
        }
        const r = await car.refresh(maxAgeS);
        if (r.ok) return r;
        last = r;
      } catch (err) {
        last = { ok: false, kind: "unavailable", reason: err instanceof Error ? err.message : String(err) };
      }
    }
    return last;
  }

  private handle(vin: string): Vehicle {
    let h = this.handles.get(vin);
    if (!h) {
      h = {
        vin,
        status: () => this.mergedStatuses().find((s) => s.vin === vin) ?? null,
        startCharging: async () => {
          const since = this.d.clock.now();
          await this.charge(true, vin);
          return this.routed.get(vin)?.atMs !== undefined && this.routed.get(vin)!.atMs >= since ? this.routed.get(vin)!.result : { ok: false, kind: "unavailable", reason: "not sent" };
        },
        stopCharging: async () => {
          const since = this.d.clock.now();
          await this.charge(false, vin);
          return this.routed.get(vin)?.atMs !== undefined && this.routed.get(vin)!.atMs >= since ? this.routed.get(vin)!.result : { ok: false, kind: "unavailable", reason: "not sent" };
        },
        setChargingAmps: (amps) => this.setChargeRate(amps, vin),
        setChargeLimit: (percent) => this.perCar(vin, "set_charge_limit", { percent }, (b) => carOf(b, vin)?.setChargeLimit(percent), "set the charge limit"),
        wake: () => this.perCar(vin, "wake_up", null, (b) => b.wake?.(vin), "wake the car"),
        refresh: (maxAgeS) => this.refreshCar(vin, maxAgeS),
      };
      this.handles.set(vin, h);
    }
    return h;
  }

  // ---- change notification ----

  /** Subscribes to changes of any module's cars and of routed commands. */
  on(_event: "change", cb: () => void): () => void {
    this.listeners.add(cb);
    this.subscribe();
    return () => this.listeners.delete(cb);
  }

  private emit(): void {
    for (const cb of this.listeners) {
      try {
        cb();
      } catch (err) {
        this.d.logger.error({ reason: err instanceof Error ? err.message : String(err) }, "a vehicle change listener threw");
      }
    }
  }

  /** Follows the running modules (called on reads and when the facade's registrations change). */
  subscribe(): void {
    const { api, providers } = this.sources();
    const now = new Set<ChangeSource>([...(api ? [api] : []), ...providers]);
    for (const [s, off] of this.subscribed) {
      if (now.has(s)) continue;
      off();
      this.subscribed.delete(s);
    }
    for (const s of now) if (!this.subscribed.has(s)) this.subscribed.set(s, s.on("change", () => this.emit()));
  }

  /** Drops every subscription. */
  close(): void {
    for (const off of this.subscribed.values()) off();
    this.subscribed.clear();
    this.listeners.clear();
  }
}
