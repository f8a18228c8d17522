/**
 * Test harness: the real engine stack (Engine + BusController + FrameStream + ReconnectingPort +
 * simulator binding + SimBus) on a FakeClock with in-memory settings and scripted energy readings.
 */
import pino from "pino";
import type { CoreConfig } from "../config/app-config.ts";
import { normaliseSettings } from "../config/settings-normalise.ts";
import type { Settings } from "../config/settings-schema.ts";
import type { EnergySource } from "../energy/source.ts";
import type { EnergyMeter } from "../integrations/capabilities.ts";
import { EnergyPoller } from "../energy/poller.ts";
import type { Reading } from "../energy/staleness.ts";
import { buildPolicyList } from "../policy/build-list.ts";
import { FakeClock } from "../shared/clock.ts";
import { SimBus } from "../sim/sim-bus.ts";
import type { SimSlaveDefInput } from "../sim/types.ts";
import { FrameStream } from "../transport/frame-stream.ts";
import { ReconnectingPort } from "../transport/reconnecting.ts";
import { createSimBinding } from "../transport/sim.ts";
import { Commands } from "./commands.ts";
import { Engine } from "./engine.ts";
import type { WebhookSender } from "./policy-webhooks.ts";
import type { MqttInput } from "./state-projection.ts";

/** In-memory settings with the SettingsAccess shape. */
export class MemorySettings {
  saveFailed = false;
  recovered = false;
  saves = 0;
  private s: Settings;
  constructor(initial: Record<string, unknown>, w: number) {
    this.s = normaliseSettings(initial, w).settings;
  }
  get(): Readonly<Settings> {
    return this.s;
  }
  update(patch: Readonly<Record<string, unknown>>): void {
    const next: Settings = { ...this.s };
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete next[k];
      else next[k] = v;
    }
    this.s = next;
  }
  saveNow(): Promise<void> {
    this.saves++;
    return Promise.resolve();
  }
  persist(): Promise<void> {
    return Promise.resolve();
  }
}

/** An energy source whose reading the test sets. */
export class ScriptedSource implements EnergySource {
  readonly name = "URL" as const;
  private reading: Reading | null = null;
  private readonly cbs = new Set<(r: Reading) => void>();
  constructor(private readonly clock: FakeClock) {}
  set(generationW: number, consumptionW: number): void {
    this.reading = { generationW, consumptionW, at: this.clock.now() };
    for (const cb of this.cbs) cb(this.reading);
  }
  start(): void {}
  stop(): Promise<void> {
    return Promise.resolve();
  }
  latest(): Reading | null {
    return this.reading;
  }
  lastError(): string | null {
    return null;
  }
  on(_event: "reading", cb: (r: Reading) => void): () => void {
    this.cbs.add(cb);
    return () => this.cbs.delete(cb);
  }
}

/** Options of the harness. */
export interface HarnessOptions {
  core?: Partial<CoreConfig>;
  slaves?: SimSlaveDefInput[];
  settings?: Record<string, unknown>;
  withSource?: boolean;
  /** More energy meters for the poller, built on the harness clock (e.g. a catalogue source on an in-memory fetch). */
  meters?: (clock: FakeClock) => readonly EnergyMeter[];
  policyCheckIntervalS?: number;
  webhook?: WebhookSender;
  policy?: { override?: unknown; extend?: unknown };
  /** Local-time zone for the policy engine (default UTC, so tests do not depend on the host). */
  timeZone?: string;
  /** Start time (epoch ms). */
  startMs?: number;
  /** The MQTT connections and topics the engine reads on each refresh (EngineOptions.mqtt). */
  mqtt?: () => MqttInput;
}

/** A running engine on a fake clock. */
export interface Harness {
  clock: FakeClock;
  engine: Engine;
  commands: Commands;
  sim: SimBus;
  settings: MemorySettings;
  source: ScriptedSource | null;
  /** Advances simulated time in 50 ms steps, letting promises settle. */
  run(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/** Default core config for tests. */
export function testCore(over: Partial<CoreConfig> = {}): CoreConfig {
  const core: CoreConfig = {
    settingsPath: "/nonexistent",
    wiringMaxAmpsAllTWCs: 32,
    wiringMaxAmpsPerTWC: 32,
    minAmpsPerTWC: 6,
    maxAmpsAllowedFromGrid: null,
    startStopDelay: 60,
    defaultVoltage: 240,
    numberOfPhases: 1,
    realPowerFactorMinAmps: 1,
    realPowerFactorMaxAmps: 1,
    greenEnergyFlexAmps: 0,
    useFlexAmpsToStartCharge: false,
    greenEnergyLatch: null,
    greenEnergyAmpsOffset: 0,
    subtractChargerLoad: false,
    treatGenerationAsGridDelivery: false,
    webhookMethod: "POST",
    fakeMaster: 1,
    energyStaleAfterS: 300,
    historyRetentionDays: 90,
    chargeNowLimit: null,
    scheduledLimit: null,
    greenEnergyLimit: null,
    nonScheduledLimit: null,
    section: {} as CoreConfig["section"],
    ...over,
  };
  core.section = { ...core } as unknown as CoreConfig["section"];
  return core;
}

/** Builds and starts the harness. */
export function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const clock = new FakeClock(o.startMs ?? Date.UTC(2026, 10, 23, 23, 0, 0));
  const core = testCore(o.core);
  const logger = pino({ level: "silent" });
  const sim = new SimBus({ clock, seed: 1, slaves: o.slaves ?? [{ twcID: "AB", maxAmps: 80, protocolVersion: 2, car: { behaviour: "follow" } }] });
  const port = new ReconnectingPort({ binding: createSimBinding(sim), clock, logger });
  const stream = new FrameStream({ port, clock, logger });
  const settings = new MemorySettings(o.settings ?? {}, core.wiringMaxAmpsAllTWCs);
  const source = o.withSource ? new ScriptedSource(clock) : null;
  const poller = new EnergyPoller({ clock, logger, sources: [...(source ? [source] : []), ...(o.meters?.(clock) ?? [])], staleAfterS: core.energyStaleAfterS });
  const list = buildPolicyList({ override: o.policy?.override, extend: o.policy?.extend, greenEnergyLatch: core.greenEnergyLatch ?? undefined });
  if (list.errors.length > 0) throw new Error(list.errors.join("\n"));
  const engine: Engine = new Engine({
    clock,
    logger,
    config: { core, slaveTimeoutS: 26, policyCheckIntervalS: o.policyCheckIntervalS ?? 30 },
    policies: list.policies,
    settings,
    io: stream,
    bus: { interfaceName: "Dummy", endpoint: null, connected: () => port.connected },
    poller,
    version: "test",
    timeZone: o.timeZone ?? "UTC",
    ...(o.mqtt ? { mqtt: o.mqtt } : {}),
    ...(o.webhook ? { webhook: o.webhook, statusBody: (): string => JSON.stringify({ currentPolicy: engine.policy.view().active?.name ?? "None" }) } : {}),
  });
  const commands = new Commands(engine, settings, () => clock.now());
  engine.start();
  port.start();
  const run = async (ms: number): Promise<void> => {
    await clock.advanceAsync(ms, 50);
  };
  return Promise.resolve({
    clock,
    engine,
    commands,
    sim,
    settings,
    source,
    run,
    stop: async () => {
      await engine.stop();
      stream.dispose();
      const stopping = port.stop();
      await clock.advanceAsync(100, 10);
      await stopping;
      sim.stop();
    },
  });
}
