/**
 * The engine: joins the bus controller, the charging decision, the policy runtime, the energy poller
 * and the settings into one running controller, and publishes everything into the one state stream.
 *
 *   EnergyPoller ──readings──▶ PolicyRuntime ──budget M, flex──▶ offer hook ──▶ BusController
 *        │                          ▲ triggers (commands, timers, transitions)        │
 *        └───────────────┬──────────┴──────────────── SettingsStore ◀── patches ──────┘
 *                        ▼
 *                  StateStore (doc) ──▶ HTTP (legacy + v2 + SSE), metrics, MQTT
 */
import {
  energyComputation,
  getMaxAmpsForTargetGridUsage,
  energyValues,
  type EnergyComputation,
} from "../energy/green.ts";
import { realPowerFactor, voltageAndPhases } from "../energy/electrical.ts";
import type { EnergyPoller } from "../energy/poller.ts";
import { toLocalTime, isoLocal } from "../policy/local-time.ts";
import { chargeNowExpired, cancelChargeNowPatch } from "../policy/charge-now.ts";
import { sunHoursAt } from "../policy/sun.ts";
import { finiteOr as num } from "../policy/numbers.ts";
import type { Policy } from "../policy/types.ts";
import { stateName } from "../protocol/constants.ts";
import { twcIdHex } from "../protocol/frames.ts";
import { every, type Clock, type TimerHandle } from "../shared/clock.ts";
import { StateStore } from "../state/store.ts";
import type { StateDocument } from "../state/types.ts";
import { AlertSet } from "../bus/alerts.ts";
import { engineAlerts } from "./engine-alerts.ts";
import { firePolicyWebhook, type PolicyEvent, type WebhookSender } from "./policy-webhooks.ts";
import { BusController } from "../bus/controller.ts";
import type { BusIo, ControllerLogger } from "../bus/controller-types.ts";
import { computeOffer, othersLoad } from "../bus/offer.ts";
import { PolicyRuntime } from "./policy-runtime.ts";
import { projectChargers, type ElectricalView } from "./project-state.ts";
import type { SlaveState } from "../bus/slave-state.ts";
import { beforeHeartbeat } from "../bus/start-stop.ts";
import { buildStateDocument, initialStateDocument, type EngineConfig } from "./engine-state.ts";

export type { EngineConfig } from "./engine-state.ts";

/** Settings access the engine needs (implemented by config/settings-store.ts). */
export interface SettingsAccess {
  get(): Readonly<Record<string, unknown>>;
  update(patch: Readonly<Record<string, unknown>>): void;
  readonly saveFailed: boolean;
  readonly recovered: boolean;
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
}

/** The running controller. */
export class Engine {
  readonly controller: BusController;
  readonly policy: PolicyRuntime;
  readonly state: StateStore;
  /** Engine-level alerts; the bus controller keeps its own set with the same formatter. */
  readonly alerts = new AlertSet((ms) => this.iso(ms));
  /** The exact energy figures of the latest refresh (for legacy views). */
  energy: EnergyComputation;
  private readonly startedAtMs: number;
  private stopWarnedAtS: number | null = null;
  private stopTimers: (() => void)[] = [];
  private sunTimer: TimerHandle | null = null;
  private busStatsAt = 0;
  private running = false;

  /** config.wiringMaxAmpsAllTWCs: the shared circuit's limit. */
  get wiringMaxAmpsAllTWCs(): number {
    return this.o.config.core.wiringMaxAmpsAllTWCs;
  }

  constructor(private readonly o: EngineOptions) {
    this.startedAtMs = o.clock.now();
    const core = o.config.core;
    this.controller = new BusController({
      clock: o.clock,
      io: o.io,
      logger: o.logger,
      config: {
        mode: core.fakeMaster === 2 ? "monitor" : "master",
        slaveTimeoutS: o.config.slaveTimeoutS,
        wiringMaxAmpsPerTWC: core.wiringMaxAmpsPerTWC,
        useFlexAmpsToStartCharge: core.useFlexAmpsToStartCharge,
        startStopDelay: core.startStopDelay,
        minAmpsPerTWC: core.minAmpsPerTWC,
      },
      getSettings: () => o.settings.get(),
      onSettingsPatch: (patch) => o.settings.update(patch),
      offer: (slave, all, nowMs) => this.offer(slave, all, nowMs),
      beforeSend: (slave, nowMs) => this.beforeSend(slave, nowMs),
      iso: (ms) => this.iso(ms),
    });
    this.policy = new PolicyRuntime({
      clock: o.clock,
      logger: o.logger,
      policies: o.policies,
      configSection: core.section,
      wiringMaxAmpsAllTWCs: core.wiringMaxAmpsAllTWCs,
      gridCapAmps: core.maxAmpsAllowedFromGrid,
      intervalS: o.config.policyCheckIntervalS,
      settings: () => o.settings.get(),
      energy: (green, m) => {
        const e = this.computeEnergy(green, m);
        return { maxAmpsToDivide: e.maxAmpsToDivide, limitAmps: e.limitAmps };
      },
      greenAmps: (m) => this.greenAmps(m),
      onPolicyEvent: (event, p) => this.fireWebhook(p, event),
      onEvaluated: () => this.refresh(),
      ...(o.timeZone !== undefined ? { timeZone: o.timeZone } : {}),
    });
    this.energy = this.computeEnergy(false, 0);
    this.state = new StateStore(
      initialStateDocument({
        config: o.config,
        version: o.version,
        startedAtIso: this.iso(this.startedAtMs),
        bus: { interfaceName: o.bus.interfaceName, endpoint: o.bus.endpoint },
        nowIso: this.iso(this.startedAtMs),
      }),
    );
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

  /** Starts the policy engine, the energy poller and the bus (controller.md §2 steps 8–9). */
  start(): void {
    this.running = true;
    this.refreshSun(false);
    this.o.poller.on("transition", () => this.evaluate("energy"));
    this.o.poller.start();
    this.policy.start();
    this.controller.start();
    this.stopTimers.push(every(this.o.clock, 1000, () => this.housekeeping()));
    this.scheduleSun();
    this.refresh();
  }

  /** Stops timers, closes sessions (reason shutdown) and the energy sources. */
  async stop(): Promise<void> {
    this.running = false;
    for (const s of this.stopTimers) s();
    this.stopTimers = [];
    if (this.sunTimer) this.o.clock.clearTimeout(this.sunTimer);
    this.policy.stop();
    this.controller.stop();
    await this.o.poller.stop();
  }

  /** Synchronous policy evaluation (controller.md §16.5); the state is consistent when it returns. */
  evaluate(reason: string): void {
    this.policy.evaluate(reason);
  }

  /** Recomputes sunrise/sunset from the home location; a change triggers an evaluation. */
  refreshSun(evaluate = true): void {
    const s = this.o.settings.get();
    const hours = sunHoursAt(s.homeLat, s.homeLon, this.o.clock.now(), this.o.timeZone);
    if (hours.sunrise !== s.sunrise || hours.sunset !== s.sunset) {
      this.o.settings.update({ sunrise: hours.sunrise, sunset: hours.sunset });
      if (evaluate && this.running) this.evaluate("sun");
    }
  }

  private scheduleSun(): void {
    const nowMs = this.o.clock.now();
    const l = toLocalTime(nowMs, this.o.timeZone);
    const hoursAhead = (25 - l.hour) % 24 || 24;
    const ms = (hoursAhead * 3600 - l.min * 60 - l.sec) * 1000;
    this.sunTimer = this.o.clock.setTimeout(
      () => {
        this.refreshSun(true);
        this.scheduleSun();
      },
      Math.max(60_000, ms),
    );
  }

  private housekeeping(): void {
    const nowS = this.o.clock.now() / 1000;
    if (chargeNowExpired(this.o.settings.get(), nowS)) {
      this.o.settings.update({ ...cancelChargeNowPatch() });
      this.o.logger.info({ code: "CHARGE_NOW_EXPIRED" }, "Charge Now expired");
      this.evaluate("chargeNowExpired");
    }
    this.refresh();
  }

  private electrical(): ElectricalView {
    const core = this.o.config.core;
    const e = voltageAndPhases(this.controller.slaves(), core);
    return { voltage: e.voltage, phases: e.phases, rpf: (a) => realPowerFactor(a, core) };
  }

  private computeEnergy(green: boolean, m: number): EnergyComputation {
    const core = this.o.config.core;
    const slaves = this.controller?.slaves() ?? [];
    const readings = this.o.poller.readings(this.o.clock.now());
    return energyComputation({
      green,
      sources: readings,
      allSourcesUsable: readings.allUsable,
      chargers: slaves,
      state: { effectiveBudgetA: m, carsCharging: slaves.filter((s) => s.isCharging).length },
      settings: this.o.settings.get(),
      config: {
        ...core,
        maxAmpsAllowedFromGrid: core.maxAmpsAllowedFromGrid ?? undefined,
      } as never,
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
      config: core as never,
    });
    return getMaxAmpsForTargetGridUsage(
      0,
      v,
      { effectiveBudgetA: m, carsCharging: slaves.filter((s) => s.isCharging).length },
      core as never,
    );
  }

  private offer(slave: SlaveState, all: readonly SlaveState[], nowMs: number): SlaveState {
    const s = this.o.settings.get();
    const view = this.policy.view();
    const core = this.o.config.core;
    const crc = num(s.chargeRateControl, 1);
    const r = computeOffer(slave, {
      nowS: nowMs / 1000,
      budgetM: view.maxAmpsToDivide,
      allowedFlex: view.allowedFlex,
      green: view.active?.green ?? false,
      numCharging: all.filter((x) => x.isCharging).length,
      allActualAmps: all.reduce((a, x) => a + x.reportedAmpsActual, 0),
      // Safety beyond controller.md §7: count what drawing slaves were offered, not only their draw,
      // and re-check unchanged offers (docs/decisions.md), so the shared circuit is not overloaded by
      // cars spiking together or by offers made while no car drew.
      ...othersLoad(all, slave.id),
      spikeAmps: this.controller.spikeAmps,
      minAmpsPerTWC: core.minAmpsPerTWC,
      wiringMaxAmpsAllTWCs: core.wiringMaxAmpsAllTWCs,
      spikeAmpsProactively: num(s.spikeAmpsProactively, 1) !== 0,
      spikeAmpsReactively: num(s.spikeAmpsReactively, 1) !== 0,
      chargeRateControl: crc === 2 ? 2 : crc === 3 ? 3 : 1,
    });
    for (const l of r.logs) this.o.logger[l.level]({ code: l.code, twcId: twcIdHex(slave.id) }, l.message);
    if (r.cancelPendingStop) queueMicrotask(() => this.controller.cancelPendingStop(slave.id));
    return r.slave;
  }

  private beforeSend(
    slave: SlaveState,
    nowMs: number,
  ): { slave: SlaveState; send: boolean; commands: ("start" | "stop")[] } {
    const s = this.o.settings.get();
    const mode = num(s.chargeStopMode, 1);
    const r = beforeHeartbeat(slave, {
      nowS: nowMs / 1000,
      chargeStopMode: mode === 2 ? 2 : mode === 3 ? 3 : 1,
      respondToSlaves: num(s.respondToSlaves, 1),
      respondToSlavesExpiry: num(s.respondToSlavesExpiry, 0),
      minAmpsPerTWC: this.o.config.core.minAmpsPerTWC,
      hasVehicleModule: false,
      stopWarnedAtS: this.stopWarnedAtS,
    });
    this.stopWarnedAtS = r.stopWarnedAtS;
    for (const l of r.logs) this.o.logger[l.level]({ code: l.code, twcId: twcIdHex(slave.id) }, l.message);
    for (const a of r.alerts)
      this.alerts.set(
        a,
        true,
        "The car cannot be stopped without a vehicle module (chargeStopMode 1); use chargeStopMode 2 or 3",
        nowMs,
      );
    if (r.settingsPatch) this.o.settings.update(r.settingsPatch);
    return { slave: r.slave, send: r.send, commands: r.commands };
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

  /** Recomputes the state document from every part (cheap; runs on every change and every second). */
  refresh(): void {
    if (!this.state) return;
    const nowMs = this.o.clock.now();
    const view = this.policy.view();
    this.energy = this.computeEnergy(false, view.maxAmpsToDivide);
    const slaves = this.controller.slaves();
    const e = this.electrical();
    const projected = projectChargers(
      slaves,
      { ...e, voltage: this.energy.voltage, phases: this.energy.phases },
      (ms) => this.iso(ms),
      stateName,
    );
    const settings = this.o.settings.get();
    const readings = this.o.poller.readings(nowMs);
    const core = this.o.config.core;
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
    let stats: StateDocument["bus"]["stats"] | null = null;
    if (nowMs - this.busStatsAt >= 10_000 || this.busStatsAt === 0) {
      this.busStatsAt = nowMs;
      const st = this.controller.stats();
      const sum = (r: Readonly<Record<string, number>>): number =>
        Object.values(r).reduce((a, b) => a + b, 0);
      stats = {
        framesReceived: sum(st.framesReceived),
        framesSent: sum(st.framesSent),
        framesDropped: sum(st.framesDropped),
        checksumErrors: st.framesDropped.checksum,
        noiseBytes: st.noiseBytes,
        updatedAt: this.iso(nowMs),
      };
    }
    this.state.update((doc) =>
      buildStateDocument(doc, {
        nowMs,
        iso: (ms) => this.iso(ms),
        config: this.o.config,
        policy: view,
        energy: this.energy,
        sources: this.o.poller.status(nowMs),
        anyStale: readings.anyStale,
        chargers: projected,
        settings,
        spikeAmps: this.controller.spikeAmps,
        alerts: [...this.controller.alerts(), ...this.alerts.list()],
        busConnected: this.o.bus.connected(),
        busStats: stats,
        settingsSaveFailed: this.o.settings.saveFailed,
        local: toLocalTime(nowMs, this.o.timeZone),
      }),
    );
  }
}
