/**
 * The engine's side of the charging decisions that need a car (issue 14, vehicles.md §3): it runs the
 * bus's vehicle requests (stop/start, car-side rate, limit override, stop-asking) through
 * `VehicleControl` on a serial coalescing queue, computes the charge limit at every enforcement and
 * queues the charge-limit pass, runs the arrival and departure checks (current edges, real timers at 5,
 * 20 and 45 min), shares the budget with API-only cars (§3.9), tells the backends which TWC reports which
 * VIN, and gives the policy the flex-start data (§3.6). Without a vehicle module (`control()` null)
 * every hook does nothing, so the product behaves as it always did. Nothing here blocks or throws.
 */
import type { BusController } from "../bus/controller.ts";
import type { ControllerLogger } from "../bus/controller-types.ts";
import type { SlaveState } from "../bus/slave-state.ts";
import { initialRateState, repeatRule } from "../bus/vehicle-rate.ts";
import type { VehicleRateState } from "../bus/vehicle-rate.ts";
import type { BusVehicleInput, VehicleRequest } from "../bus/vehicle-requests.ts";
import type { LimitCheck, VehicleControl, VehicleStatus } from "../integrations/capabilities.ts";
import { enforcedChargeLimit, minBatteryLevelAtHome } from "../policy/charge-limit.ts";
import type { FlexVehicleData } from "../policy/types.ts";
import { twcIdHex } from "../protocol/frames.ts";
import type { TwcId } from "../protocol/frames.ts";
import type { Clock, TimerHandle } from "../shared/clock.ts";
import type { PolicyView } from "./policy-runtime.ts";
import { VehicleJobs } from "./vehicle-jobs.ts";
import { apiOnlyCars, apiOnlyTargets, busVehicleInput, flexVehicleOf, slaveLinks } from "./vehicle-share.ts";

/** Departure checks after the current falls below 2 A (vehicles.md §3.4), ms. */
export const DEPARTURE_CHECKS_MS: readonly number[] = [5 * 60_000, 20 * 60_000, 45 * 60_000];

/** Options of the coordinator. */
export interface VehicleCoordinatorOptions {
  clock: Clock;
  logger: ControllerLogger;
  /** What the charging logic commands cars through; null when no vehicle module runs. */
  control: () => VehicleControl | null;
  controller: BusController;
  /** The policy's last decision (budget M, charge limit, active policy). */
  policyView: () => PolicyView;
  /** config.wiringMaxAmpsPerTWC: an API-only car's maximum while its available current is unknown. */
  wiringMaxAmpsPerTWC: number;
  /** Voltage, phases and power factor for the flex start's kW (controller.md §18). */
  electrical: () => { voltage: number; phases: number; realPowerFactor: number };
}

/** Runs the vehicle side of the charging logic. */
export class VehicleCoordinator {
  private readonly jobs: VehicleJobs;
  private readonly log: ControllerLogger;
  private override = false;
  /** The master's last limit (vehicles.md §3.4): −1 before the first enforcement. */
  private lastLimitPercent = -1;
  private lastPolicyName: string | null | undefined = undefined;
  private readonly departures = new Map<TwcId, TimerHandle[]>();
  private readonly carRates = new Map<string, VehicleRateState>();
  private linkedSignature = "";
  private linkedControl: VehicleControl | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly startedAtS: number;
  private running = false;

  constructor(private readonly o: VehicleCoordinatorOptions) {
    this.log = o.logger.child({ module: "vehicles" });
    this.jobs = new VehicleJobs(this.log);
    this.startedAtS = o.clock.now() / 1000;
  }

  /** Subscribes to the bus's vehicle requests and current edges. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe.push(this.o.controller.onVehicleRequest((r) => this.onRequest(r)));
    const onDrawing = (ev: { twcId: TwcId; drawing: boolean }): void => this.onDrawing(ev.twcId, ev.drawing);
    this.o.controller.on("drawing", onDrawing);
    this.unsubscribe.push(() => this.o.controller.off("drawing", onDrawing));
  }

  /** Unsubscribes, cancels the departure timers and drops waiting jobs. */
  stop(): void {
    this.running = false;
    for (const u of this.unsubscribe.splice(0)) u();
    for (const id of [...this.departures.keys()]) this.cancelDepartures(id);
    this.jobs.stop();
  }

  /** Resolves once no vehicle job waits or runs (tests). */
  idle(): Promise<void> {
    return this.jobs.idle();
  }

  /** The stop-limit override (vehicles.md §3.1, §3.4). */
  get limitOverride(): boolean {
    return this.override;
  }

  /** The master's last limit (50–100, or −1). */
  get lastLimit(): number {
    return this.lastLimitPercent;
  }

  /** Keys of the waiting jobs (tests, debugging). */
  pendingJobs(): string[] {
    return this.jobs.pending();
  }

  private get control(): VehicleControl | null {
    try {
      return this.o.control();
    } catch {
      return null;
    }
  }

  private statuses(vc: VehicleControl): VehicleStatus[] {
    const out: VehicleStatus[] = [];
    for (const v of vc.vehicles()) {
      const s = v.status();
      if (s) out.push(s);
    }
    return out;
  }

  /** What the bus should know about the cars now (pushed by the engine with every input). */
  busInput(): BusVehicleInput {
    const vc = this.control;
    if (!vc) return busVehicleInput(false, []);
    return busVehicleInput(true, apiOnlyCars(this.statuses(vc), this.o.controller.slaves()));
  }

  /** §3.6: the flex-start data for the policy, null without a vehicle module or a valid single car. */
  flexVehicle(): FlexVehicleData | null {
    const vc = this.control;
    if (!vc) return null;
    try {
      return flexVehicleOf(this.o.controller.slaves(), (vin) => vc.byVin(vin)?.status() ?? null, this.o.electrical());
    } catch (err) {
      this.log.error({ code: "VEHICLE_CALL_FAILED", call: "flexVehicle", err }, "reading the car for the flex start failed");
      return null;
    }
  }

  /** §1.3: tells the backends which TWC reports which VIN when that changed (or the module is new). */
  linkSlaves(slaves: readonly SlaveState[] = this.o.controller.slaves()): void {
    const vc = this.control;
    if (!vc) {
      this.linkedControl = null;
      return;
    }
    const links = slaveLinks(slaves);
    const sig = JSON.stringify(links);
    if (sig === this.linkedSignature && vc === this.linkedControl) return;
    this.linkedSignature = sig;
    this.linkedControl = vc;
    this.guard("linkSlaves", () => vc.linkSlaves(links));
  }

  /**
   * Every enforcement (controller.md §16.8 steps 1 and 6, vehicles.md §3.4, §3.9): a policy change clears
   * the override and "stop asking"; the limit L is computed and a charge-limit pass queued; the API-only
   * cars get their share.
   */
  afterEvaluation(): void {
    const view = this.o.policyView();
    const name = view.active?.name ?? null;
    const changed = name !== this.lastPolicyName;
    this.lastPolicyName = name;
    const vc = this.control;
    if (!vc) return;
    if (changed) {
      this.setOverride(false, "the policy changed");
      this.guard("clearStopAsking", () => vc.clearStopAsking());
    }
    const cars = this.statuses(vc);
    const r = enforcedChargeLimit({
      policyLimit: view.chargeLimit,
      override: this.override,
      budgetM: view.maxAmpsToDivide,
      minBatteryLevelAtHome: minBatteryLevelAtHome(cars),
    });
    if (r.clearOverride) this.setOverride(false, "the budget is above 0 again");
    this.lastLimitPercent = r.limit;
    this.queueLimit(r.limit, "none");
    this.shareWithApiOnlyCars(vc, cars, view.maxAmpsToDivide);
    this.linkSlaves();
  }

  /** `POST /api/checkArrival` / `checkDeparture`: the pass with the master's last limit (no-op without a module). */
  check(check: "arrival" | "departure"): void {
    if (!this.control) return;
    this.queueLimit(this.lastLimitPercent, check);
  }

  private queueLimit(limit: number, check: LimitCheck): void {
    this.jobs.enqueue(`limit:${check}`, check, async () => {
      const vc = this.control;
      if (!vc) return;
      const result = await vc.applyLimit(limit, check);
      this.log.debug({ limit, check, result }, `charge-limit pass (${check}) ${limit} %: ${result}`);
    });
  }

  /** §3.9: each API-only car's share through setChargeRate under §11's repeat rule (≥ 15 s apart). */
  private shareWithApiOnlyCars(vc: VehicleControl, cars: readonly VehicleStatus[], budgetM: number): void {
    const slaves = this.o.controller.slaves();
    const apiOnly = apiOnlyCars(cars, slaves);
    const nowS = this.o.clock.now() / 1000;
    const targets = apiOnlyTargets(budgetM, slaves, apiOnly, this.o.wiringMaxAmpsPerTWC);
    for (const t of targets) {
      const r = repeatRule(this.carRates.get(t.vin) ?? initialRateState(this.startedAtS), t.amps, nowS);
      this.carRates.set(t.vin, r.state);
      if (!r.call) continue;
      this.jobs.enqueue(`rate:car:${t.vin}`, "rate", async () => {
        const res = await vc.setChargeRate(t.amps, t.vin);
        if (!res.ok) this.log.info({ vin: t.vin, amps: t.amps, kind: res.kind }, `charge rate for an API-only car not set: ${res.reason}`);
      });
    }
  }

  private setOverride(on: boolean, why: string): void {
    if (this.override === on) return;
    this.override = on;
    this.log.info({ code: on ? "LIMIT_OVERRIDE_SET" : "LIMIT_OVERRIDE_CLEARED" }, `charge-limit override ${on ? "set" : "cleared"}: ${why}`);
  }

  /** Runs a synchronous VehicleControl call; errors are logged, never thrown. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ code: "VEHICLE_CALL_FAILED", call: what, err }, `vehicle ${what} failed`);
    }
  }

  /** A request from the bus (synchronous part only; commands go to the queue). */
  private onRequest(r: VehicleRequest): void {
    const vc = this.control;
    if (!vc) return;
    switch (r.op) {
      case "charge": {
        if (r.start) this.setOverride(false, "a car is asked to start charging");
        const key = `charge:${twcIdHex(r.twcId)}`;
        this.jobs.enqueue(key, r.start ? "start" : "stop", async () => {
          const c = this.control;
          if (!c) return;
          const result = await c.charge(r.start, this.knownVin(c, r.vin));
          this.log.info({ twcId: twcIdHex(r.twcId), result }, `vehicle ${r.start ? "start" : "stop"} for TWC ${twcIdHex(r.twcId)}: ${result}`);
        });
        return;
      }
      case "cancelStop":
        if (this.jobs.cancel(`charge:${twcIdHex(r.twcId)}`, "stop")) {
          this.log.info({ twcId: twcIdHex(r.twcId) }, "queued vehicle stop cancelled: the TWC is offered current again");
        }
        return;
      case "setChargeRate":
        this.jobs.enqueue(`rate:${twcIdHex(r.twcId)}`, r.purpose, async () => {
          const c = this.control;
          if (!c) return;
          const vin = this.rateTarget(c, r.vin);
          if (vin === null) return;
          const res = await c.setChargeRate(r.amps, vin);
          if (r.purpose === "raise") this.o.controller.vehicleRateAnswered(r.twcId, res.ok);
          if (!res.ok) this.log.info({ twcId: twcIdHex(r.twcId), amps: r.amps, kind: res.kind }, `car charge rate not set: ${res.reason}`);
        });
        return;
      case "limitOverride":
        this.setOverride(true, "a car still charges 10 s after the stop request");
        return;
      case "clearStopAsking":
        this.guard("clearStopAsking", () => vc.clearStopAsking());
        return;
    }
  }

  /** The VIN when a backend knows that car; otherwise undefined (the backend's default rule applies). */
  private knownVin(vc: VehicleControl, vin: string | null): string | undefined {
    if (vin === null) return undefined;
    return vc.byVin(vin) ? vin : undefined;
  }

  /**
   * The car a slave's setChargeRate goes to: its VIN when a backend knows it; otherwise the first listed
   * car that is not an API-only car (§3.9 owns those cars' rate: a TWC without a car must not send its
   * D3.1 raise to a car charging elsewhere); null when there is none (nothing is sent).
   */
  private rateTarget(vc: VehicleControl, vin: string | null): string | null {
    const known = this.knownVin(vc, vin);
    if (known !== undefined) return known;
    const apiOnly = new Set(apiOnlyCars(this.statuses(vc), this.o.controller.slaves()).map((c) => c.vin));
    return vc.vehicles().find((v) => !apiOnly.has(v.vin))?.vin ?? null;
  }

  /** §3.4 current edges: arrival (> 3 A) queues the arrival check; the drop (< 2 A) notes it and arms the departure checks. */
  private onDrawing(id: TwcId, drawing: boolean): void {
    const vc = this.control;
    if (!vc) return;
    this.cancelDepartures(id);
    if (drawing) {
      this.queueLimit(this.lastLimitPercent, "arrival");
      return;
    }
    const slave = this.o.controller.slaves().find((s) => s.id === id);
    const vin = slave ? (slave.currentVIN !== "" ? slave.currentVIN : slave.lastVIN !== "" ? slave.lastVIN : null) : null;
    this.guard("noteCurrentDrop", () => vc.noteCurrentDrop(vin));
    const timers = DEPARTURE_CHECKS_MS.map((ms) =>
      this.o.clock.setTimeout(() => {
        if (this.running) this.check("departure");
      }, ms),
    );
    this.departures.set(id, timers);
  }

  private cancelDepartures(id: TwcId): void {
    for (const t of this.departures.get(id) ?? []) this.o.clock.clearTimeout(t);
    this.departures.delete(id);
  }
}
