/**
 * Composition root of the running product (controller.md §2): settings, bus, engine, HTTP, signals.
 * Used by main.ts and by the process integration tests.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import type { AppConfig } from "../config/app-config.ts";
import { installationNodeId } from "../config/node-id.ts";
import { acquireSettingsLock } from "../config/settings-lock.ts";
import { SettingsStore } from "../config/settings-store.ts";
import { Commands } from "../engine/commands.ts";
import { Engine } from "../engine/engine.ts";
import { HistoryRecorder, importLegacySettingsHistory } from "../history/history-recorder.ts";
import { chargerLoadW } from "../energy/electrical.ts";
import { historyUnavailableMessage, openSupervisedHistoryDb, type HistoryDbStatus } from "../history/history-supervisor.ts";
import { policyAction } from "../engine/engine-state.ts";
import { createSources } from "../energy/poller.ts";
import { EnergyPoller } from "../energy/poller.ts";
import { createApp } from "../http/app.ts";
import { createLegacyViews } from "../http/legacy/views.ts";
import { listen } from "../http/server.ts";
import { PUBLIC_WITHOUT_AUTH_MESSAGE, publicWithoutAuth } from "../http/security/listeners.ts";
import { buildPolicyList } from "../policy/build-list.ts";
import type { Policy } from "../policy/types.ts";
import { systemClock, type Clock } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";
import { parseSlaveDefInput } from "../sim/def-parse.ts";
import { SimBus } from "../sim/sim-bus.ts";
import { FrameStream } from "../transport/frame-stream.ts";
import type { BusBinding } from "../transport/port.ts";
import { ReconnectingPort } from "../transport/reconnecting.ts";
import { createSerialBinding } from "../transport/serial.ts";
import { createSimBinding } from "../transport/sim.ts";
import { createTcpBinding } from "../transport/tcp.ts";
import { sendWebhook } from "./webhook.ts";

/** The product's version (package.json). */
export const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../../package.json", import.meta.url)), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
})();

/** Options of startProduct. */
export interface StartOptions {
  config: AppConfig;
  raw: Record<string, unknown>;
  logger: Logger;
  clock?: Clock;
  /** Adds the simulated sunny day as an energy source (demo mode). */
  demoEnergy?: boolean;
}

/** A running product. */
export interface RunningProduct {
  engine: Engine;
  commands: Commands;
  settings: SettingsStore;
  httpPort: number | null;
  simBus: SimBus | null;
  /** Graceful shutdown (controller.md §2). */
  stop(): Promise<void>;
}

function busBinding(config: AppConfig, clock: Clock): { binding: BusBinding; sim: SimBus | null } {
  const bus = config.bus;
  switch (bus.kind) {
    case "Dummy": {
      const sim = new SimBus({
        clock,
        slaves: bus.slaves.map((d, i) => parseSlaveDefInput(d, `interface.Dummy.slaves[${i}]`)),
        ...(bus.seed !== null ? { seed: bus.seed } : {}),
        realisticTiming: bus.realisticTiming,
      });
      return { binding: createSimBinding(sim), sim };
    }
    case "RS485":
      return { binding: createSerialBinding({ path: bus.path, baud: bus.baud }), sim: null };
    case "TCP":
      return {
        binding: createTcpBinding({ host: bus.host, port: bus.port, interfaceName: bus.viaRs485Port ? "RS485" : "TCP", clock }),
        sim: null,
      };
  }
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

  const { binding, sim } = busBinding(config, clock);
  const port = new ReconnectingPort({ binding, clock, logger: log.child({ module: "bus" }) });
  const stream = new FrameStream({ port, clock, logger: log.child({ module: "bus" }) });
  const energyLog = log.child({ module: "energy" });
  const sources = createSources(
    {
      ...(config.sources.url ? { URL: { ...config.sources.url, enabled: true } } : {}),
      ...(config.sources.hass ? { HASS: { ...config.sources.hass, enabled: true } } : {}),
      ...(config.sources.mqtt ? { MQTT: { ...config.sources.mqtt, enabled: true } } : {}),
    } as never,
    { clock, logger: energyLog, ...(o.demoEnergy ? { demo: true } : {}) },
  );
  const poller = new EnergyPoller({ clock, logger: energyLog, sources, staleAfterS: config.core.energyStaleAfterS });

  let statusBody = (): string => "{}";
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
  });
  const commands = new Commands(engine, settings, () => clock.now());
  const showHistoryStatus = (s: HistoryDbStatus): void => {
    engine.alerts.set("HISTORY_UNAVAILABLE", !s.available, s.available ? "" : historyUnavailableMessage(s.reason), s.available ? clock.now() : s.sinceMs);
  };
  showHistoryStatus(historyDb.status());
  historyDb.onStatus(showHistoryStatus);
  const recorder = new HistoryRecorder({
    clock,
    store: historyDb,
    source: engine.controller,
    toWatts: (amps) => chargerLoadW(amps, engine.energy, config.core),
    energy: () =>
      poller.readings(clock.now()).health.some((h) => h.usable)
        ? { generationW: engine.energy.generationW, consumptionW: engine.energy.consumptionW }
        : null,
    retentionDays: config.core.historyRetentionDays,
    logger: historyLog,
  });
  const views = createLegacyViews({
    clock,
    state: engine.state,
    energy: () => engine.energy,
    settings,
    policies,
    latches: () => engine.policy.latchMap(),
    activePolicyAction: () => policyAction(engine.policy.view()),
    nodeId,
    wiringMaxAmpsAllTWCs: config.core.wiringMaxAmpsAllTWCs,
    rawConfig: o.raw,
    history: recorder,
  });
  statusBody = () => JSON.stringify(views.status());

  // controller.md §2: HTTP first (a bind failure is fatal), then the policy, then the bus.
  let httpPort: number | null = null;
  const app = config.http ? createApp({
        logger: log.child({ module: "http" }),
        views,
        commands,
        maxBodyBytes: config.http.maxBodyBytes,
        state: engine.state,
        httpConfig: config.http,
        rawConfig: o.raw,
        tls: config.http.tls !== null,
        clock,
        history: recorder,
        metrics: {
          controllerStats: () => engine.controller.stats(),
          busStats: () => stream.stats(),
          settingsSaveFailures: () => settings.failureCount,
          policyNames: () => policies.map((p) => p.name),
        },
      }) : null;
  if (app && config.http) {
    try {
      const r = await listen(app, {
        port: config.http.listenPort,
        address: config.http.listenAddress ?? undefined,
        tls: config.http.tls,
      });
      httpPort = r.port;
      const scheme = config.http.tls ? "HTTPS" : "HTTP";
      log.info({ module: "http", port: r.port, address: r.address }, `${scheme} control listening on ${r.address}:${r.port}`);
      if (r.redirectPort !== null) {
        log.info({ module: "http", port: r.redirectPort }, `HTTP on port ${r.redirectPort} redirects to HTTPS`);
      }
      // http-api §2.1: reachable from the network without authentication → warning and alert.
      if (publicWithoutAuth(config.http)) {
        log.warn({ module: "http", code: "HTTP_PUBLIC_WITHOUT_AUTH" }, PUBLIC_WITHOUT_AUTH_MESSAGE);
        engine.alerts.set("HTTP_PUBLIC_WITHOUT_AUTH", true, PUBLIC_WITHOUT_AUTH_MESSAGE, clock.now());
      }
    } catch (err) {
      await settings.close();
      historyDb.close();
      throw err;
    }
  }
  recorder.start();
  engine.start();
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
        // A connection still busy at shutdown must not hang the exit: wait 3 s, then cut what is left.
        let timer: ReturnType<Clock["setTimeout"]> | null = null;
        const grace = new Promise<void>((r) => (timer = clock.setTimeout(r, 3000)));
        await Promise.race([app.close().catch((err: unknown) => log.warn({ err }, "closing HTTP failed")), grace]);
        if (timer) clock.clearTimeout(timer);
        app.server.closeAllConnections();
      }
      await engine.stop();
      recorder.stop(); // after the controller closed its sessions (reason shutdown)
      historyDb.close();
      await settings.close().catch((err: unknown) => log.error({ err, code: "STORE_SETTINGS_WRITE" }, "saving settings at shutdown failed"));
      stream.dispose();
      await port.stop();
      sim?.stop();
    })();
    return stopping;
  };
  return { engine, commands, settings, httpPort, simBus: sim, stop };
}

/** A short name for logs. */
export function configName(path: string): string {
  return basename(path);
}
