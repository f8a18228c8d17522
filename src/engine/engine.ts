/**
 * The engine: the orchestration of one running controller. It builds the bus runtime and the policy
 * runtime, feeds the policy with the energy poller's readings and the settings, hands the policy's
 * decision to the bus, and publishes everything into the one state stream.
 *
 *   EnergyPoller ──readings──▶ PolicyRuntime (policy + sun timers) ──view──▶ Engine ──setInput──▶ BusController
 *        │                          ▲ triggers (commands, energy transitions)   (budget, limit, flex, │ change, session,
 *        │                          │                                            green, settings)     │ settingsPatch, …
 *        └──────────────┬───────────┴──────────── SettingsStore ◀── settingsPatch (applied, pushed back)┘
 *                       ▼
 *   refresh() ── only when an input changed (refresh-inputs.ts) ──▶ buildStateDocument (state-projection.ts)
 *                       ▼
 *   StateStore (document + exact energy figures) ──▶ HTTP (legacy + v2 + SSE), metrics, history, MQTT
 *
 * The bus runtime runs the per-heartbeat decision itself (offer, start/stop, charging) from the last
 * pushed input; nothing calls from the bus back up into the engine. Its requests to the cars (issue 14)
 * leave as vehicle requests, which the VehicleCoordinator runs asynchronously through the commands
 * facade's VehicleControl; without a vehicle module they change nothing.
 * Settings are read typed (SettingsAccess, Readonly<Settings>); time fields say their unit (…AtMs, …AtS).
 */
import type { CoreConfig } from "../config/app-config.ts";
import {
  energyComputation,
  getMaxAmpsForTargetGridUsage,
  energyValues,
  type EnergyComputation,
  type EnergyConfig,
} from "../energy/green.ts";
import { realPowerFactor, voltageAndPhases } from "../energy/electrical.ts";
import type { EnergyPoller } from "../energy/poller.ts";
import { toLocalTime, isoLocal } from "../policy/local-time.ts";
import { chargeNowExpired, cancelChargeNowPatch } from "../policy/charge-now.ts";
import type { Policy } from "../policy/types.ts";
import { stateName } from "../protocol/constants.ts";
import { twcIdHex } from "../protocol/frames.ts";
import type { Clock } from "../shared/clock.ts";
import { StateStore } from "../state/store.ts";
import type { StateDocument } from "../state/types.ts";
import { AlertSet } from "../bus/alerts.ts";
import { engineAlerts } from "./engine-alerts.ts";
import { firePolicyWebhook, type PolicyEvent, type WebhookSender } from "./policy-webhooks.ts";
import { BusController } from "../bus/controller.ts";
import type { BusIo, ControllerLogger } from "../bus/controller-types.ts";
import { PolicyRuntime } from "./policy-runtime.ts";
import { sameBesidesSlaves, silentSlaves, type RefreshInputs } from "./refresh-inputs.ts";
import { sameBesidesLiveness, withLiveness } from "./liveness-patch.ts";
import type { SettingsAccess } from "./settings-access.ts";
import type { VehicleControl } from "../integrations/capabilities.ts";
import { VehicleCoordinator } from "./vehicle-coordinator.ts";
import { VEHICLE_MACRO_MODULE, vehicleModuleAttr, type MacroCar } from "../policy/vehicle-macros.ts";
import {
  buildStateDocument,
  exactEnergyOf,
  initialStateDocument,
  type BuildInputs,
  type EngineConfig,
  type MqttInput,
  type VehicleInput,
} from "./state-projection.ts";

export type { EngineConfig } from "./state-projection.ts";
export type { SettingsAccess } from "./settings-access.ts";

/** The energy computation's view of the core config (no grid cap key when none is configured). */
function energyConfigOf(core: CoreConfig): EnergyConfig {
  const { maxAmpsAllowedFromGrid, ...rest } = core;
  return maxAmpsAllowedFromGrid === null ? rest : { ...rest, maxAmpsAllowedFromGrid };
}

/** Constructor options of the engine. */
export interface EngineOptions {
  clock: Clock;
  logger: ControllerLogger;
  config: EngineConfig;
  policies: readonly Policy[];
  settings: SettingsAccess;
  io: BusIo;
  bus: { interfaceName: "RS485" | "TCP" | "Dummy"; endpoint: string | null; connected(): boolean };
  poller: EnergyPoller;
  version: string;
  timeZone?: string;
  webhook?: WebhookSender;
  /** Renders the legacy status document for webhook bodies. */
  statusBody?: () => string;
  /** The MQTT connections and topics for the state document (read on every refresh; absent: none). */
  mqtt?: () => MqttInput;
  /** The vehicle modules' cars, account and alerts for the state document (read on every refresh; absent: none). */
  vehicles?: () => VehicleInput;
}

/** The running controller. */
export class Engine {
  readonly controller: BusController;
  readonly policy: PolicyRuntime;
  readonly state: StateStore;
  /** The vehicle side of the charging logic (issue 14); idle while no vehicle module runs. */
  readonly vehicles: VehicleCoordinator;
  /** Where the VehicleControl comes from (the commands facade registers it), null before. */
  private vehicleSource: (() => VehicleControl | null) | null = null;
  /** `iso` as a function value (made once: every refresh hands it on). */
  private readonly isoOf = (ms: number): string => this.iso(ms);
  /** Engine-level alerts; the bus controller keeps its own set with the same formatter. */
  readonly alerts = new AlertSet(this.isoOf);
  private readonly startedAtMs: number;
  private readonly energyConfig: EnergyConfig;
  private stopTimers: (() => void)[] = [];
  /** When the bus counters were last copied into the document (epoch ms; 0 = never). */
  private busStatsAtMs = 0;
  /** The inputs of the last rebuild of the document. */
  private lastInputs: RefreshInputs | null = null;
  /** What the current document was built from (its unchanged sections are reused). */
  private lastBuild: BuildInputs | null = null;

  /** config.wiringMaxAmpsAllTWCs: the shared circuit's limit. */
  get wiringMaxAmpsAllTWCs(): number {
    return this.o.config.core.wiringMaxAmpsAllTWCs;
  }

  constructor(private readonly o: EngineOptions) {
    this.startedAtMs = o.clock.now();
    const core = o.config.core;
    this.energyConfig = energyConfigOf(core);
    this.controller = new BusController({
      clock: o.clock,
      io: o.io,
      logger: o.logger,
      config: {
        mode: core.fakeMaster === 2 ? "monitor" : "master",
        slaveTimeoutS: o.config.slaveTimeoutS,
        wiringMaxAmpsPerTWC: core.wiringMaxAmpsPerTWC,
        wiringMaxAmpsAllTWCs: core.wiringMaxAmpsAllTWCs,
        useFlexAmpsToStartCharge: core.useFlexAmpsToStartCharge,
        startStopDelayS: core.startStopDelay,
        minAmpsPerTWC: core.minAmpsPerTWC,
      },
      iso: this.isoOf,
    });
    this.policy = new PolicyRuntime({
      clock: o.clock,
      logger: o.logger,
      policies: o.policies,
      configSection: core.section,
      wiringMaxAmpsAllTWCs: core.wiringMaxAmpsAllTWCs,
      gridCapAmps: core.maxAmpsAllowedFromGrid,
      intervalS: o.config.policyCheckIntervalS,
      settings: o.settings,
      energy: (green, m) => {
        const e = this.computeEnergy(green, m);
        return { maxAmpsToDivide: e.maxAmpsToDivide, limitAmps: e.limitAmps };
      },
      greenAmps: (m) => this.greenAmps(m),
      moduleAttr: (module, attr) =>
        module === VEHICLE_MACRO_MODULE ? vehicleModuleAttr(attr, this.macroCars()) : o.poller.moduleAttribute(module, attr, o.clock.now()),
      flexVehicle: () => this.vehicles.flexVehicle(),
      onPolicyEvent: (event, p) => this.fireWebhook(p, event),
      onEvaluated: () => {
        this.vehicles.afterEvaluation();
        this.pushBusInput();
        this.refresh();
      },
      ...(o.timeZone !== undefined ? { timeZone: o.timeZone } : {}),
    });
    this.vehicles = new VehicleCoordinator({
      clock: o.clock,
      logger: o.logger,
      control: () => this.vehicleSource?.() ?? null,
      controller: this.controller,
      policyView: () => this.policy.view(),
      wiringMaxAmpsPerTWC: core.wiringMaxAmpsPerTWC,
      electrical: () => {
        const e = voltageAndPhases(this.controller.slaves(), core);
        return { voltage: e.voltage, phases: e.phases, realPowerFactor: realPowerFactor(o.settings.get().scheduledAmpsMax, core) };
      },
    });
    this.state = new StateStore(
      initialStateDocument({
        config: o.config,
        version: o.version,
        startedAtIso: this.iso(this.startedAtMs),
        bus: { interfaceName: o.bus.interfaceName, endpoint: o.bus.endpoint },
        nowIso: this.iso(this.startedAtMs),
        ...(o.timeZone !== undefined ? { timeZone: o.timeZone } : {}),
      }),
      exactEnergyOf(this.computeEnergy(false, 0)),
    );
    this.pushBusInput();
    // Settings the bus asks for (stop-responding mode, VIN/session bookkeeping) go to the store, and the
    // bus gets the new snapshot at once (no call runs from the bus back up into the engine).
    this.controller.on("settingsPatch", (patch) => {
      o.settings.update(patch);
      this.pushBusInput();
    });
    this.controller.on("change", () => this.refresh());
    this.controller.on("drawing", (ev) => {
      const p = this.policy.view().activePolicy;
      if (p) this.fireWebhook(p, ev.drawing ? "start" : "stop");
    });
    this.controller.on("session", (ev) => {
      o.logger.info(
        {
          code: ev.op === "open" ? "SESSION_START" : ev.op === "close" ? "SESSION_STOP" : "SESSION_VIN",
          twcId: twcIdHex(ev.twcId),
        },
        `charging session ${ev.op}`,
      );
    });
  }

  /** ISO local time. */
  iso(ms: number): string {
    return isoLocal(ms, this.o.timeZone);
  }

  /** The cars for `modules.TeslaAPI.*` (vehicles.md §2.13), null while no vehicle module runs. */
  private macroCars(): MacroCar[] | null {
    const control = this.vehicleSource?.() ?? null;
    if (!control) return null;
    return control.vehicles().flatMap((v) => {
      const s = v.status();
      return s ? [{ atHome: s.atHome, socPercent: s.socPercent }] : [];
    });
  }

  /**
   * Where the charging logic finds the cars: the commands facade registers `vehicleControl()` here
   * (null while no vehicle module runs).
   */
  useVehicleControl(source: () => VehicleControl | null): void {
    this.vehicleSource = source;
  }

  /** Starts the policy engine, the energy poller and the bus (controller.md §2 steps 8–9). */
  start(): void {
    this.vehicles.start();
    this.o.poller.on("transition", () => this.evaluate("energy"));
    this.o.poller.start();
    this.policy.start();
    this.pushBusInput();
    this.controller.start();
    // The engine's second runs in the bus's housekeeping wake-up (one timer, not two: issue 9 §7).
    const tick = (): void => this.housekeeping();
    this.controller.on("tick", tick);
    this.stopTimers.push(() => this.controller.off("tick", tick));
    this.refresh();
  }

  /** Stops timers, closes sessions (reason shutdown) and the energy sources. */
  async stop(): Promise<void> {
    for (const s of this.stopTimers) s();
    this.stopTimers = [];
    this.vehicles.stop();
    this.policy.stop();
    this.controller.stop();
    await this.o.poller.stop();
  }

  /** Synchronous policy evaluation (controller.md §16.5); the state is consistent when it returns. */
  evaluate(reason: string): void {
    this.policy.evaluate(reason);
    this.pushBusInput(); // also when the evaluation failed: the settings a command changed reach the bus
  }

  /** Pushes the last policy decision and the current settings to the bus runtime (issue 9 §1). */
  private pushBusInput(): void {
    const view = this.policy.view();
    this.controller.setInput({
      maxAmpsToDivide: view.maxAmpsToDivide,
      limitAmps: view.limitAmps,
      allowedFlex: view.allowedFlex,
      green: view.active?.green ?? false,
      settings: this.o.settings.get(),
    });
    this.controller.setVehicleInput(this.vehicles.busInput());
  }

  private housekeeping(): void {
    const nowS = this.o.clock.now() / 1000;
    if (chargeNowExpired(this.o.settings.get(), nowS)) {
      this.o.settings.update({ ...cancelChargeNowPatch() });
      this.o.logger.info({ code: "CHARGE_NOW_EXPIRED" }, "Charge Now expired");
      this.evaluate("chargeNowExpired");
    }
    // A vehicle module may have started or stopped; the slaves' VINs may have changed.
    this.controller.setVehicleInput(this.vehicles.busInput());
    this.vehicles.linkSlaves();
    this.refresh();
  }

  private computeEnergy(green: boolean, m: number): EnergyComputation {
    const slaves = this.controller?.slaves() ?? [];
    const readings = this.o.poller.readings(this.o.clock.now());
    return energyComputation({
      green,
      sources: readings,
      allSourcesUsable: readings.allUsable,
      chargers: slaves,
      state: { effectiveBudgetA: m, carsCharging: slaves.filter((s) => s.isCharging).length },
      settings: this.o.settings.get(),
      config: this.energyConfig,
    });
  }

  private greenAmps(m: number): number {
    const core = this.o.config.core;
    const slaves = this.controller.slaves();
    const readings = this.o.poller.readings(this.o.clock.now());
    const e = voltageAndPhases(slaves, core);
    const v = energyValues({
      sources: readings,
      electrical: e,
      totalActualA: slaves.reduce((a, s) => a + s.reportedAmpsActual, 0),
      settings: this.o.settings.get(),
      config: this.energyConfig,
    });
    return getMaxAmpsForTargetGridUsage(
      0,
      v,
      { effectiveBudgetA: m, carsCharging: slaves.filter((s) => s.isCharging).length },
      this.energyConfig,
    );
  }

  private fireWebhook(policy: Policy, event: PolicyEvent): void {
    firePolicyWebhook(
      {
        send: this.o.webhook,
        method: this.o.config.core.webhookMethod === "GET" ? "GET" : "POST",
        body: () => (this.o.statusBody ? this.o.statusBody() : "{}"),
        logger: this.o.logger,
      },
      policy,
      event,
    );
  }

  /** The bus counters for the document when their 10 s refresh is due, else null. */
  private busStatsDue(nowMs: number): StateDocument["bus"]["stats"] | null {
    if (nowMs - this.busStatsAtMs < 10_000 && this.busStatsAtMs !== 0) return null;
    this.busStatsAtMs = nowMs;
    const st = this.controller.stats();
    const sum = (r: Readonly<Record<string, number>>): number => Object.values(r).reduce((a, b) => a + b, 0);
    return {
      framesReceived: sum(st.framesReceived),
      framesSent: sum(st.framesSent),
      framesDropped: sum(st.framesDropped),
      checksumErrors: st.framesDropped.checksum,
      noiseBytes: st.noiseBytes,
      updatedAt: this.iso(nowMs),
    };
  }

  /**
   * Publishes the state document and the exact energy figures; runs on every bus change, after every
   * evaluation and every second, but rebuilds (and the store diffs) only when an input changed.
   */
  refresh(): void {
    if (!this.state) return;
    const nowMs = this.o.clock.now();
    const core = this.o.config.core;
    const slaves = this.controller.slaves();
    const readings = this.o.poller.readings(nowMs);
    const verdicts = engineAlerts({
      anyStale: readings.anyStale,
      settingsSaveFailed: this.o.settings.saveFailed,
      settingsRecovered: this.o.settings.recovered,
      minAmpsPerTWC: core.minAmpsPerTWC,
      wiringMaxAmpsPerTWC: core.wiringMaxAmpsPerTWC,
      linkedChargers: slaves.length,
      runningForMs: nowMs - this.startedAtMs,
    });
    for (const v of verdicts) this.alerts.set(v.code, v.on, v.message, nowMs);
    const busStats = this.busStatsDue(nowMs);
    const settings = this.o.settings.get();
    const inputs: RefreshInputs = {
      slaves,
      policy: this.policy.view(),
      settings,
      readings,
      sources: this.o.poller.status(nowMs),
      spikeAmps: this.controller.spikeAmps,
      alerts: [...this.controller.alerts(), ...this.alerts.list()],
      busConnected: this.o.bus.connected(),
      settingsSaveFailed: this.o.settings.saveFailed,
      minute: Math.floor(nowMs / 60_000),
      chargeNowAhead: settings.chargeNowTimeEnd > nowMs / 1000,
      silentSlaves: silentSlaves(slaves, nowMs, this.o.config.slaveTimeoutS * 1000),
      ...(this.o.mqtt ? { mqtt: this.o.mqtt() } : {}),
      ...(this.o.vehicles ? { vehicles: this.o.vehicles() } : {}),
    };
    const last = this.lastInputs;
    if (busStats === null && last !== null && sameBesidesSlaves(last, inputs)) {
      if (last.slaves === inputs.slaves) return;
      if (sameBesidesLiveness(last.slaves, slaves)) {
        // The heartbeat answers of an idle bus: patch the chargers' liveness, rebuild nothing.
        this.lastInputs = inputs;
        const liveness = { nowMs, timeoutMs: this.o.config.slaveTimeoutS * 1000 };
        this.state.publish(withLiveness(this.state.snapshot, slaves, this.isoOf, liveness), this.state.exact);
        return;
      }
    }
    this.lastInputs = inputs;
    const energy = this.computeEnergy(false, inputs.policy.maxAmpsToDivide);
    const build: BuildInputs = {
      nowMs,
      iso: this.isoOf,
      config: this.o.config,
      policy: inputs.policy,
      energy,
      sources: inputs.sources,
      anyStale: readings.anyStale,
      slaves,
      rpf: (a) => realPowerFactor(a, core),
      stateName,
      settings,
      spikeAmps: inputs.spikeAmps,
      alerts: inputs.alerts,
      busConnected: inputs.busConnected,
      busStats,
      settingsSaveFailed: inputs.settingsSaveFailed,
      local: () => toLocalTime(nowMs, this.o.timeZone),
      ...(this.o.timeZone !== undefined ? { timeZone: this.o.timeZone } : {}),
      ...(inputs.mqtt ? { mqtt: inputs.mqtt } : {}),
      ...(inputs.vehicles ? { vehicles: inputs.vehicles } : {}),
    };
    this.state.publish(buildStateDocument(this.state.snapshot, build, this.lastBuild), exactEnergyOf(energy));
    this.lastBuild = build;
  }
}
