/**
 * Composition root of the running product (controller.md §2): settings, bus, engine, HTTP, signals.
 * Used by main.ts and by the process integration tests.
 */
import { basename } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { AppConfig } from "../config/app-config.ts";
import { installationNodeId } from "../config/node-id.ts";
import { acquireSettingsLock } from "../config/settings-lock.ts";
import { SettingsStore } from "../config/settings-store.ts";
import { chargerLoadW } from "../energy/electrical.ts";
import { EnergyPoller } from "../energy/poller.ts";
import { createSourceTester } from "../energy/source-test.ts";
import { Commands } from "../engine/commands.ts";
import { Engine } from "../engine/engine.ts";
import { policyAction } from "../engine/state-projection.ts";
import { NO_VEHICLES, type VehicleInput } from "../engine/state-projection-vehicles.ts";
import { HistoryRecorder, importLegacySettingsHistory } from "../history/history-recorder.ts";
import { historyUnavailableMessage, openSupervisedHistoryDb, type HistoryDbStatus } from "../history/history-supervisor.ts";
import { createLegacyViews } from "../http/legacy/views.ts";
import { moduleContext } from "../integrations/context.ts";
import { ModuleHost } from "../integrations/host.ts";
import { MqttHub } from "../integrations/mqtt/hub.ts";
import { createModules } from "../integrations/registry.ts";
import { buildPolicyList } from "../policy/build-list.ts";
import type { Policy } from "../policy/types.ts";
import { systemClock, type Clock } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";
import type { SimBus } from "../sim/sim-bus.ts";
import { FrameStream } from "../transport/frame-stream.ts";
import { ReconnectingPort } from "../transport/reconnecting.ts";
import { busBinding } from "./bus-binding.ts";
import { logSourceOf } from "./logger.ts";
import { busLinkTarget, watchBusOpen, type OpenAlertSink } from "./bus-open-watch.ts";
import { VERSION } from "./version.ts";
import { sendWebhook } from "./webhook.ts";

export { VERSION } from "./version.ts";

/** Options of startProduct. */
export interface StartOptions {
  config: AppConfig;
  raw: Record<string, unknown>;
  logger: Logger;
  clock?: Clock;
  /** Adds the simulated sunny day as an energy source (demo mode). */
  demoEnergy?: boolean;
  /** Asks the process for a graceful shutdown (MQTT `<prefix>/control/stop`, config.md §5.1). */
  requestShutdown?: () => void;
}

/** A running product. */
export interface RunningProduct {
  engine: Engine;
  commands: Commands;
  settings: SettingsStore;
  httpPort: number | null;
  /** The web interface's URL to open on this machine (null without control.HTTP). */
  httpUrl: string | null;
  simBus: SimBus | null;
  /** The integration modules (history, energy sources, …) and their status. */
  modules: ModuleHost;
  /** Graceful shutdown (controller.md §2). */
  stop(): Promise<void>;
}

/**
 * Starts everything; rejects with TwcError (HTTP_LISTEN_FAILED, STORE_SETTINGS_WRITE,
 * STORE_SETTINGS_LOCKED when another instance uses the settings directory…) on a start-up failure.
 */
export async function startProduct(o: StartOptions): Promise<RunningProduct> {
  // docs/decisions.md "Settings directory lock": one instance per settingsPath, taken before anything is read.
  const lock = await acquireSettingsLock(o.config.core.settingsPath);
  if (lock.tookOverFrom !== null) {
    o.logger.warn({ module: "settings", code: "SETTINGS_LOCK_STALE", pid: lock.tookOverFrom, path: lock.path }, `took over the stale lock ${lock.path} of PID ${lock.tookOverFrom}`);
  }
  try {
    const product = await startLocked(o);
    return { ...product, stop: () => product.stop().finally(() => lock.release()) };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function startLocked(o: StartOptions): Promise<RunningProduct> {
  const clock = o.clock ?? systemClock;
  const config = o.config;
  const log = o.logger;
  const settings = await SettingsStore.open({
    dir: config.core.settingsPath,
    clock,
    logger: log.child({ module: "settings" }),
    wiringMaxAmpsAllTWCs: config.core.wiringMaxAmpsAllTWCs,
  });
  for (const w of settings.loadWarnings) log.warn({ module: "settings", code: "SETTINGS_WARNING" }, w);
  const nodeId = installationNodeId(settings.get());
  if (settings.get().installationNodeId !== nodeId) settings.update({ installationNodeId: nodeId });

  const list = buildPolicyList({
    override: config.policy.override,
    extend: config.policy.extend,
    greenEnergyLatch: config.core.greenEnergyLatch ?? undefined,
  });
  for (const w of list.warnings) log.warn({ module: "policy", code: "POLICY_CONFIG" }, w);
  if (list.errors.length > 0) throw new TwcError({ code: "CONFIG_INVALID", message: list.errors.join("\n") });
  const policies: readonly Policy[] = list.policies;

  // controller.md §2 step 4 and config.md §2.3 step 5: the history/session store and the legacy import.
  const historyLog = log.child({ module: "history" });
  // docs/decisions.md "History database on a full disk": an unusable database never stops the product.
  const historyDb = openSupervisedHistoryDb(config.core.settingsPath, historyLog, clock);
  importLegacySettingsHistory(historyDb, settings, historyLog);

  const { binding: configured, sim } = await busBinding(config, clock, log.child({ module: "bus" }));
  // issue 12 §1: an open failure raises BUS_OPEN_FAILED with its reason and fix (the engine is the sink once built).
  let openAlerts: OpenAlertSink | null = null;
  const linkTarget = busLinkTarget(config.bus);
  const binding = linkTarget === null ? configured : watchBusOpen(configured, linkTarget, { sink: () => openAlerts, clock, logger: log.child({ module: "bus" }) });
  const port = new ReconnectingPort({ binding, clock, logger: log.child({ module: "bus" }) });
  const stream = new FrameStream({ port, clock, logger: log.child({ module: "bus" }) });
  const energyLog = log.child({ module: "energy" });
  // The energy sources are announced to the poller by the registry below, before the engine starts.
  const poller = new EnergyPoller({ clock, logger: energyLog, staleAfterS: config.core.energyStaleAfterS });

  let statusBody = (): string => "{}";
  // The cars, the Tesla account and the vehicle alerts, read through the commands facade once it exists.
  let vehicleInput = (): VehicleInput => NO_VEHICLES;
  // One MQTT connection manager and logger for every MQTT module (loaded only when one is configured).
  const mqtt = new MqttHub({ logger: log.child({ module: "mqtt" }), clock });
  const engine = new Engine({
    clock,
    logger: log.child({ module: "controller" }),
    config: { core: config.core, slaveTimeoutS: config.slaveTimeoutS, policyCheckIntervalS: config.policy.policyCheckIntervalS },
    policies,
    settings,
    io: stream,
    bus: { interfaceName: binding.interfaceName, endpoint: binding.endpoint, connected: () => port.connected },
    poller,
    version: VERSION,
    webhook: (url, method, body) => sendWebhook(url, method, body, clock),
    statusBody: () => statusBody(),
    mqtt: () => ({
      connections: mqtt.states(),
      controlTopicPrefix: config.mqttControl?.topicPrefix ?? null,
      statusTopicPrefix: config.mqttStatus?.topicPrefix ?? null,
      homeAssistantControls: (config.mqttStatus?.homeassistantDiscovery ?? false) && (config.mqttStatus?.homeassistantControls ?? false),
    }),
    vehicles: () => vehicleInput(),
  });
  openAlerts = { alerts: engine.alerts, refresh: () => engine.refresh() };
  const commands = new Commands(engine, settings, () => clock.now());
  vehicleInput = () => commands.vehicleInput();
  const showHistoryStatus = (s: HistoryDbStatus): void => {
    engine.alerts.set("HISTORY_UNAVAILABLE", !s.available, s.available ? "" : historyUnavailableMessage(s.reason), s.available ? clock.now() : s.sinceMs);
  };
  showHistoryStatus(historyDb.status());
  historyDb.onStatus(showHistoryStatus);
  const recorder = new HistoryRecorder({
    clock,
    store: historyDb,
    source: engine.controller,
    toWatts: (amps) => chargerLoadW(amps, engine.state.exact, config.core),
    energy: () =>
      poller.readings(clock.now()).health.some((h) => h.usable)
        ? { generationW: engine.state.exact.generationW, consumptionW: engine.state.exact.consumptionW }
        : null,
    retentionDays: config.core.historyRetentionDays,
    logger: historyLog,
  });
  commands.onUserStop = (via, id) => recorder.noteUserStop(via, id);

  // issue 9 §5: the integration modules, created from the config (their files loaded only when configured).
  const host = new ModuleHost({
    clock,
    logger: log, // every line names its module
    alert: (on, message, atMs) => {
      if (engine.alerts.set("MODULE_FAILED", on, message, atMs)) engine.refresh();
    },
  });
  const contextDeps = { clock, logger: log, state: engine.state, commands, fail: (name: string, err: unknown) => host.fail(name, err) };
  const modules = await createModules({
    config,
    context: (name) => moduleContext(name, contextDeps),
    history: recorder,
    meters: poller,
    energyLogger: energyLog,
    demo: o.demoEnergy === true,
    mqtt,
    ...(o.requestShutdown ? { requestShutdown: o.requestShutdown } : {}),
  });

  const views = createLegacyViews({
    clock,
    state: engine.state,
    settings,
    policies,
    latches: () => engine.policy.latchMap(),
    activePolicyAction: () => policyAction(engine.policy.view()),
    nodeId,
    wiringMaxAmpsAllTWCs: config.core.wiringMaxAmpsAllTWCs,
    // issue 12 §10: the API's rate rule is the web's (at least minAmpsPerTWC).
    minAmpsPerTWC: config.core.minAmpsPerTWC,
    rawConfig: o.raw,
    history: recorder,
  });
  statusBody = () => JSON.stringify(views.status());

  // controller.md §2: HTTP first (a bind failure is fatal), then the policy, then the bus.
  let httpPort: number | null = null;
  let httpUrl: string | null = null;
  let app: FastifyInstance | null = null;
  if (config.http) {
    try {
      const { startHttp } = await import("./http-start.ts");
      const http = await startHttp(
        {
          views,
          commands,
          maxBodyBytes: config.http.maxBodyBytes,
          state: engine.state,
          rawConfig: o.raw,
          tls: config.http.tls !== null,
          clock,
          history: recorder,
          logs: logSourceOf(log), // the Logs page (issue 13 §2)
          sourceTests: createSourceTester({ sources: config.sources, clock, logger: energyLog }),
          metrics: {
            controllerStats: () => engine.controller.stats(),
            busStats: () => stream.stats(),
            settingsSaveFailures: () => settings.failureCount,
            policyNames: () => policies.map((p) => p.name),
            mqttModules: () => mqtt.reports(),
          },
        },
        config.http,
        log,
      );
      app = http.app;
      httpPort = http.port;
      httpUrl = http.url;
      if (http.publicWarning !== null) engine.alerts.set("HTTP_PUBLIC_WITHOUT_AUTH", true, http.publicWarning, clock.now());
    } catch (err) {
      await settings.close();
      historyDb.close();
      throw err;
    }
  }
  engine.start();
  // After the engine (the history recorder listens before the bus delivers a frame); never awaited:
  // a module that hangs delays nothing.
  void host.start(modules);
  port.start();
  log.info(
    { module: "controller", interface: binding.interfaceName, endpoint: binding.endpoint, version: VERSION },
    `TWCManager ${VERSION} started (${binding.interfaceName}${binding.endpoint ? ` ${binding.endpoint}` : ""})`,
  );

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      log.info({ module: "controller" }, "shutting down");
      if (app) {
        const { closeHttp } = await import("./http-start.ts");
        await closeHttp(app, clock, log);
      }
      await engine.stop();
      await host.stop(); // the history recorder last: after the controller closed its sessions (reason shutdown)
      historyDb.close();
      await settings.close().catch((err: unknown) => log.error({ err, code: "STORE_SETTINGS_WRITE" }, "saving settings at shutdown failed"));
      stream.dispose();
      await port.stop();
      sim?.stop();
    })();
    return stopping;
  };
  return { engine, commands, settings, httpPort, httpUrl, simBus: sim, modules: host, stop };
}

/** A short name for logs. */
export function configName(path: string): string {
  return basename(path);
}
