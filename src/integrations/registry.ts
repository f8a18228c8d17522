/**
 * The one list of integration modules (issue 9 §5): from the AppConfig it creates the configured ones,
 * in start order, for the module host. Each line loads its files with a dynamic import only when its
 * section is configured (issue 9 §7), so an installation pays for what it uses. A new module is a new
 * file and one line here.
 */
import type { AppConfig } from "../config/app-config.ts";
import type { DemoOptions } from "../energy/demo-source.ts";
import type { SourceDescriptor } from "../energy/catalogue.ts";
import type { EnergyLogger, EnergySource, SourceDeps } from "../energy/source.ts";
import { SOURCE_CATALOGUE } from "../energy/source-list.ts";
import { deferredModule } from "./deferred-module.ts";
import { failureReason } from "./guard.ts";
import { meterModule, type MeterSink } from "./meter-module.ts";
import type { Module, ModuleContext } from "./module.ts";
import type { MqttHub } from "./mqtt/hub.ts";

/** What the built-in modules need from the composition root. */
export interface RegistryDeps {
  config: AppConfig;
  /** The context of the module called `name` (ModuleHost.context). */
  context(name: string): ModuleContext;
  /** The history recorder (created before HTTP, which reads it). */
  history: Module;
  /** The energy poller: every energy source is announced to it. */
  meters: MeterSink;
  /** The energy sources' logger (`{ module: "energy" }`, as their lines always were). */
  energyLogger: EnergyLogger;
  /** The simulated sunny day (demo mode): options, true for the defaults, false or absent for none. */
  demo?: DemoOptions | boolean;
  /** Graceful shutdown, asked for by MQTT `<prefix>/control/stop` (absent: that command is refused). */
  requestShutdown?: () => void;
  /** The one MQTT connection manager with the one MQTT logger, and the MQTT modules' counters. */
  mqtt: MqttHub;
}

/** One configurable module. */
export interface RegistryLine {
  readonly name: string;
  /** Creates the module when its section is configured (loading its files then), else null. */
  create(deps: RegistryDeps): Promise<Module> | null;
}

/** A line: `section` picks the config (null = not configured), `create` loads and builds the module. */
export function line<C>(
  name: string,
  section: (deps: RegistryDeps) => C | null,
  create: (config: C, ctx: ModuleContext, deps: RegistryDeps) => Promise<Module>,
): RegistryLine {
  return {
    name,
    create(deps) {
      const config = section(deps);
      return config === null ? null : create(config, deps.context(name), deps);
    },
  };
}

/** A line for an energy source: `load` imports its factory, the module announces it to the poller. */
export function meterLine<C>(
  name: string,
  section: (deps: RegistryDeps) => C | null,
  load: () => Promise<(config: C, deps: SourceDeps) => EnergySource>,
): RegistryLine {
  return line(name, section, async (config, ctx, deps) => {
    const factory = await load();
    // With vehicle.teslaAPI, a source may read the Fleet API with its token (Powerwall2 Storm Watch).
    const tesla = deps.config.vehicle?.teslaApi ?? null;
    const fleet = tesla ? { fleet: ctx.commands.fleetAccess(), cloudUpdateIntervalMs: tesla.cloudUpdateIntervalS * 1000 } : {};
    return meterModule(name, factory(config, { clock: ctx.clock, logger: deps.energyLogger, ...fleet }), deps.meters);
  });
}

/** A line for a catalogued source (energy/source-list.ts): configured when `sources.<Key>` is enabled and complete. */
export function catalogueLine(d: SourceDescriptor): RegistryLine {
  return meterLine(`sources.${d.key}`, (deps) => deps.config.sources.catalogue.find((c) => c.key === d.key)?.config ?? null, () => d.load());
}

/** True when a vehicle module is configured (the router then runs: vehicles.md §1.1). */
export function anyVehicleModule(config: AppConfig): boolean {
  const v = config.vehicle;
  return v !== undefined && [v.teslaApi, v.teslaBle, v.homeAssistant, v.teslaMate, v.fleetTelemetry].some((m) => m !== null && m !== undefined);
}

/** The modules in start order (the host stops them in reverse). */
export const REGISTRY: readonly RegistryLine[] = [
  // First, so it listens to the controller before any session opens; stopped last, after the engine closed them.
  line("history", (d) => d.history, (history) => Promise.resolve(history)),
  meterLine("sources.URL", (d) => d.config.sources.url, async () => (await import("../energy/url-source.ts")).createUrlSource),
  meterLine("sources.HASS", (d) => d.config.sources.hass, async () => (await import("../energy/hass-source.ts")).createHassSource),
  line("sources.MQTT", (d) => d.config.sources.mqtt, async (c, ctx, d) => {
    const [m, connections] = await Promise.all([import("../energy/mqtt-source.ts"), d.mqtt.connections()]);
    return meterModule("sources.MQTT", m.createMqttSource(c, { clock: ctx.clock, logger: d.energyLogger, connections }), d.meters);
  }),
  line("sources.DSMRreader", (d) => d.config.sources.dsmr, async (c, ctx, d) => {
    const [m, connections] = await Promise.all([import("../energy/dsmr-source.ts"), d.mqtt.connections()]);
    return meterModule("sources.DSMRreader", m.createDsmrSource(c, { clock: ctx.clock, logger: d.energyLogger, connections }), d.meters);
  }),
  ...SOURCE_CATALOGUE.map(catalogueLine),
  line("control.MQTT", (d) => d.config.mqttControl, async (c, ctx, d) => {
    const [m, connections] = await Promise.all([import("./mqtt/control.ts"), d.mqtt.connections()]);
    const module = new m.MqttControlModule(c, ctx, { connections, ...(d.requestShutdown ? { requestShutdown: d.requestShutdown } : {}) });
    d.mqtt.track(module);
    return module;
  }),
  line("status.MQTT", (d) => d.config.mqttStatus, async (c, ctx, d) => {
    const [m, connections] = await Promise.all([import("./mqtt/status.ts"), d.mqtt.connections()]);
    const module = new m.MqttStatusModule(c, ctx, { connections, configurationUrl: m.localWebInterfaceUrl(d.config.http) });
    d.mqtt.track(module);
    return module;
  }),
  line("status.HASS", (d) => d.config.hassStatus, async (c, ctx) => (await import("./hass-status/hass-push.ts")).hassStatusFactory()(c, ctx)),
  // TWCManager's logging modules (issue 13 §3); mysql2 is loaded only with logging.MySQL.
  line("logging.CSV", (d) => d.config.logging.csv ?? null, async (c, ctx) => (await import("./logging/csv.ts")).createCsvLogger(c, ctx)),
  line("logging.MySQL", (d) => d.config.logging.mysql ?? null, async (c, ctx) => (await import("./logging/mysql.ts")).createMySqlLogger(c, ctx)),
  line("logging.SQLite", (d) => d.config.logging.sqlite ?? null, async (c, ctx, d) => (await import("./logging/sqlite.ts")).createSqliteLogger(c, d.config.core.settingsPath, ctx)),
  // The command router and state merger (vehicles.md §4.9): whenever any vehicle module is configured, first
  // (so it is attached before the modules start, and detached after they stopped).
  line("vehicle.router", (d) => (anyVehicleModule(d.config) ? { policy: d.config.vehicle?.commandPolicy ?? null } : null), async (c, ctx) =>
    (await import("./vehicle-router/router-module.ts")).createVehicleRouterModule(c.policy, ctx),
  ),
  // The Tesla Fleet API (vehicles.md §2); loaded only with vehicle.teslaAPI.
  line("vehicle.teslaAPI", (d) => d.config.vehicle?.teslaApi ?? null, async (c, ctx) => (await import("./tesla/tesla-module.ts")).createTeslaApiModule(c, ctx)),
  // Vehicle-state modules (vehicles.md §5–§7), after the Fleet API module whose tokens and car names they use.
  line("vehicle.TeslaMate", (d) => d.config.vehicle?.teslaMate ?? null, async (c, ctx, d) => {
    const [m, connections] = await Promise.all([import("./vehicle-teslamate/teslamate-module.ts"), d.mqtt.connections()]);
    return m.createTeslaMateModule(c, ctx, { connections });
  }),
  line("vehicle.teslaFleetTelemetryMQTT", (d) => d.config.vehicle?.fleetTelemetry ?? null, async (c, ctx, d) => {
    const [m, connections] = await Promise.all([import("./vehicle-telemetry/fleet-telemetry.ts"), d.mqtt.connections()]);
    return m.createFleetTelemetryModule(c, ctx, { connections });
  }),
  // Tesla BLE through tesla-control (vehicles.md §4); it unloads itself (with an alert) when the program is missing.
  line("vehicle.teslaBLE", (d) => d.config.vehicle?.teslaBle ?? null, async (c, ctx) => (await import("./vehicle-ble/ble-module.ts")).createTeslaBleModule(c, ctx)),
  line("vehicle.HomeAssistant", (d) => d.config.vehicle?.homeAssistant ?? null, async (c, ctx) => (await import("./vehicle-hass/hass-module.ts")).createHassVehicleModule(c, ctx)),
  meterLine("demo", (d) => (d.demo === undefined || d.demo === false ? null : d.demo === true ? {} : d.demo), async () => (await import("../energy/demo-source.ts")).createDemoSource),
];

/**
 * Creates the configured modules of `lines` (default: REGISTRY). A module whose creation fails is
 * replaced by a stand-in that retries it at each start (deferred-module.ts), so the host isolates it.
 */
export async function createModules(deps: RegistryDeps, lines: readonly RegistryLine[] = REGISTRY): Promise<Module[]> {
  const out: Module[] = [];
  for (const l of lines) {
    let pending: Promise<Module> | null;
    try {
      pending = l.create(deps);
    } catch (err) {
      pending = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    if (pending === null) continue;
    try {
      out.push(await pending);
    } catch (err) {
      deps.context(l.name).logger.error({ code: "MODULE_FAILED", reason: failureReason(err) }, `module ${l.name} could not be created (${failureReason(err)}); retrying at its restarts`);
      out.push(
        deferredModule(l.name, async () => {
          const m = l.create(deps);
          if (m === null) throw new Error("no longer configured");
          return m;
        }),
      );
    }
  }
  return out;
}
