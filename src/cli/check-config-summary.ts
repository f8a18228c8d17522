/**
 * What a configuration will run, in the words `twcmanager check-config` prints (issue 12 §2, issue 13
 * §5): the bus link, the web interface, and every configured module — will run, or will not and why
 * (the validation warning that says so). Pure.
 */
import type { AppConfig } from "../config/app-config.ts";
import { isOn } from "../config/validate-modules.ts";
import { webInterfaceLine } from "./web-url.ts";

/** One configured module and whether it will run. */
export interface ModuleVerdict {
  /** `sources.Fronius`, `logging.Console`, … */
  path: string;
  runs: boolean;
  /** Why it will not run (null when it runs). */
  why: string | null;
}

const MODULE_SECTIONS = ["control", "status", "sources", "logging", "vehicle"] as const;

/** Words of a warning that mean "this module is not started". */
const NOT_RUNNING = /not supported|ignored|not started|not running|disabled|incomplete|not part of/i;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The configured module paths of a raw config: control, status, sources, logging, vehicle (logging.Console first unless off). */
export function configuredModules(raw: Readonly<Record<string, unknown>>, config: AppConfig): string[] {
  const out: string[] = [];
  for (const section of MODULE_SECTIONS) {
    const s = raw[section];
    if (!isRecord(s)) continue;
    for (const [key, v] of Object.entries(s)) {
      const path = `${section}.${key}`;
      if (path === "control.HTTP" || path === "logging.Console") continue;
      if (isOn(v)) out.push(path);
    }
  }
  const controller = isRecord(raw.controller) ? raw.controller : {};
  if (isOn(raw["controller.Gen3TWCs"]) || isOn(controller.Gen3TWCs)) out.push("controller.Gen3TWCs");
  if (config.logging.console.enabled) out.unshift("logging.Console");
  return out;
}

/** Whether the normalised config runs a module it knows (undefined: it does not know this one). */
function knownRuns(path: string, config: AppConfig): boolean | undefined {
  const logging = config.logging as unknown as Record<string, unknown>;
  const [section, key = ""] = path.split(".", 2) as [string, string?];
  switch (path) {
    case "control.MQTT":
      return config.mqttControl !== null;
    case "status.MQTT":
      return config.mqttStatus !== null;
    case "status.HASS":
      return config.hassStatus !== null;
    case "sources.URL":
      return config.sources.url !== null;
    case "sources.HASS":
      return config.sources.hass !== null;
    case "sources.MQTT":
      return config.sources.mqtt !== null;
    case "sources.DSMRreader":
      return config.sources.dsmr !== null;
    case "logging.Console":
      return config.logging.console.enabled;
    case "logging.FileLogger":
      return config.logging.file !== null;
    case "logging.CSV":
    case "logging.MySQL":
    case "logging.SQLite":
      return logging[key.toLowerCase()] !== undefined && logging[key.toLowerCase()] !== null;
    case "logging.Sentry":
    case "control.OCPP":
    case "controller.Gen3TWCs":
      return false;
  }
  if (section === "vehicle") {
    const v = config.vehicle;
    const on = (m: unknown): boolean => m !== null && m !== undefined;
    switch (key) {
      case "teslaAPI":
      case "TeslaAPI":
        return on(v?.teslaApi);
      case "teslaBLE":
        return on(v?.teslaBle);
      case "TeslaMate":
        return on(v?.teslaMate);
      case "teslaFleetTelemetryMQTT":
        return on(v?.fleetTelemetry);
      case "HomeAssistant":
        return on(v?.homeAssistant);
      default:
        return undefined;
    }
  }
  if (section === "sources" && config.sources.catalogue.some((c) => c.key === key)) return true;
  return undefined;
}

/** The warning that says why `path` does not run, shortened to the reason; null when none does. */
export function notRunningReason(path: string, warnings: readonly string[]): string | null {
  const mention = new RegExp(`(^|\\s)${escape(path)}(:|\\s|$)`);
  const w = warnings.find((x) => mention.test(x) && NOT_RUNNING.test(x));
  if (w === undefined) return null;
  return w.startsWith(`${path} `) ? w.slice(path.length + 1) : w;
}

const DEFAULT_WHY: Readonly<Record<string, string>> = {
  "logging.Sentry": "no DSN, nothing to send",
  "control.OCPP": "accepted and ignored",
};

/** The verdict for every configured module. */
export function moduleVerdicts(raw: Readonly<Record<string, unknown>>, config: AppConfig, warnings: readonly string[]): ModuleVerdict[] {
  return configuredModules(raw, config).map((path) => {
    const reason = notRunningReason(path, warnings);
    const known = knownRuns(path, config);
    const runs = known ?? reason === null;
    if (runs) return { path, runs, why: null };
    return { path, runs, why: reason ?? DEFAULT_WHY[path] ?? "see the warnings above" };
  });
}

/** The one summary line (issue 13 §5): "modules: will run: a, b; will not run: c (why)". */
export function modulesLine(verdicts: readonly ModuleVerdict[]): string {
  if (verdicts.length === 0) return "modules: none configured";
  const run = verdicts.filter((v) => v.runs).map((v) => v.path);
  const not = verdicts.filter((v) => !v.runs).map((v) => `${v.path} (${v.why ?? "?"})`);
  const parts = [`will run: ${run.length > 0 ? run.join(", ") : "none"}`];
  if (not.length > 0) parts.push(`will not run: ${not.join("; ")}`);
  return `modules: ${parts.join("; ")}`;
}

/** One line for the bus link the controller opens. */
export function busLine(config: AppConfig): string {
  const bus = config.bus;
  const mode = config.core.fakeMaster === 2 ? "; monitor mode: listens only, never offers" : "";
  const timeout = `; a charger silent for ${config.slaveTimeoutS} s reads "not responding"`;
  switch (bus.kind) {
    case "Dummy":
      return `bus: the built-in simulator (interface.Dummy, ${bus.slaves.length} simulated charger${bus.slaves.length === 1 ? "" : "s"}, no hardware)${mode}`;
    case "RS485": {
      const stable = bus.path.startsWith("/dev/serial/by-id/") || !/^\/dev\/tty(USB|ACM)\d+$/.test(bus.path);
      const hint = stable ? "" : "; a /dev/serial/by-id/… path stays the same when USB devices are re-ordered (ls /dev/serial/by-id)";
      return `bus: RS-485 serial port ${bus.path} at ${bus.baud} baud (interface.RS485.port)${hint}${timeout}${mode}`;
    }
    case "TCP":
      return `bus: RS-485 bridge over TCP at ${bus.host}:${bus.port} (${bus.viaRs485Port ? "interface.RS485.port socket://" : "interface.TCP.server"})${timeout}${mode}`;
    case "RFC2217":
      return `bus: RS-485 over RFC 2217 (ser2net) at ${bus.host}:${bus.port}, ${bus.baud} baud (interface.RS485.port rfc2217://)${timeout}${mode}`;
    case "TCPListen":
      return `bus: waiting for an RS-485 bridge to connect to ${bus.host.includes(":") ? `[${bus.host}]` : bus.host}:${bus.port} (interface.TCP listen)${timeout}${mode}`;
  }
}

/** The summary lines of check-config: the bus link, the web interface, the modules. */
export interface ConfigSummary {
  bus: string;
  web: string;
  modules: string;
}

/** Everything check-config says after the warnings, before "<path>: OK". */
export function checkConfigSummary(raw: Readonly<Record<string, unknown>>, config: AppConfig, warnings: readonly string[]): ConfigSummary {
  return { bus: busLine(config), web: webInterfaceLine(config.http), modules: modulesLine(moduleVerdicts(raw, config, warnings)) };
}
