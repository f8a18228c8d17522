/**
 * Module-level helpers of config validation: enabled flags, unsupported-module warnings, and the
 * builders of control.HTTP, the MQTT sections (control, status, sources.MQTT, sources.DSMRreader),
 * status.HASS and logging. Pure.
 */
import type { Static, TSchema } from "typebox";
import type {
  DsmrSourceConfig,
  HassStatusConfig,
  HttpConfig,
  LoggingConfig,
  MqttBrokerConfig,
  MqttConnectionConfig,
  MqttSourceConfig,
  MqttStatusConfig,
} from "./app-config.ts";
import { coerceBooleanLike } from "./coerce.ts";
import {
  ConsoleLogSchema,
  FileLogSchema,
  HttpSchema,
  type DsmrSourceSection,
  type HassStatusSection,
  type MqttControlSchema,
  type HttpSection,
  type MqttSourceSection,
  type MqttStatusSection,
} from "./schema.ts";
import { addError, addRaw, addWarning, checkSchema, isRecord, show, type Issue } from "./schema-walk.ts";
import { readEnabled } from "./validate-bus.ts";
import { buildLoggingModules, LOGGING_MODULE_KEYS } from "./validate-logging-modules.ts";

/** True when a module section says enabled (boolean-like true). */
export function isOn(v: unknown): boolean {
  if (!isRecord(v)) return false;
  const b = coerceBooleanLike(v.enabled);
  return b.ok && b.value;
}

/** Warns once for every enabled module of `section` that is not in `implemented`. */
export function unsupportedModules(
  section: string,
  raw: unknown,
  implemented: readonly string[],
  issues: Issue[],
  hints: Record<string, string> = {},
): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) {
    addError(issues, section, `must be an object (found ${show(raw)})`);
    return {};
  }
  for (const [key, v] of Object.entries(raw)) {
    if (implemented.includes(key)) continue;
    if (isOn(v))
      addRaw(
        issues,
        "warning",
        `${section}.${key}`,
        `${section}.${key} is not supported by this version and is ignored${hints[key] ?? ""}`,
      );
  }
  return raw;
}

/** Validates an optional module: null when disabled, "error" on an error, else the normalised section. */
export function optionalModule<S extends TSchema>(
  schema: S,
  raw: unknown,
  path: string,
  dflt: boolean,
  issues: Issue[],
): Static<S> | null | "error" {
  const before = issues.length;
  if (!readEnabled(raw, path, dflt, issues))
    return issues.slice(before).some((i) => i.severity === "error") ? "error" : null;
  return checkSchema(schema, { ...(isRecord(raw) ? raw : {}), enabled: true }, path, issues) ?? "error";
}

/** Builds control.HTTP: null when absent or disabled, "error" on an error (http-api.md §2.1, §3.1). */
export function buildHttp(raw: unknown, issues: Issue[]): HttpConfig | null | "error" {
  if (raw === undefined || raw === null) return null;
  if (isRecord(raw) && (raw.enabled === undefined || raw.enabled === null)) {
    addError(issues, "control.HTTP.enabled", "is required");
    return "error";
  }
  const h: HttpSection | null | "error" = optionalModule(HttpSchema, raw, "control.HTTP", false, issues);
  if (h === null || h === "error") return h;
  const a = h.auth;
  if (a) {
    const before = issues.length;
    const tokens = a.tokens ?? [];
    const secret = a.password !== undefined || a.passwordHash !== undefined;
    if (a.password !== undefined && a.passwordHash !== undefined)
      addError(issues, "control.HTTP.auth", "set either password or passwordHash, not both");
    if (a.username !== undefined && !secret)
      addError(issues, "control.HTTP.auth.username", "needs a password or passwordHash");
    if (a.username === undefined && secret)
      addError(issues, "control.HTTP.auth.username", "is required with a password or passwordHash");
    if (tokens.length === 0 && a.username === undefined && !secret) {
      addError(
        issues,
        "control.HTTP.auth",
        "configures neither tokens nor a username with a password or passwordHash",
      );
    }
    if (issues.length > before) return "error";
  }
  return {
    listenPort: h.listenPort,
    listenAddress: h.listenAddress ?? null,
    tls: h.tls
      ? { certFile: h.tls.certFile, keyFile: h.tls.keyFile, redirectFromPort: h.tls.redirectFromPort ?? null }
      : null,
    auth: a
      ? {
          tokens: a.tokens ?? [],
          username: a.username ?? null,
          password: a.password ?? null,
          passwordHash: a.passwordHash ?? null,
          protectReads: a.protectReads,
          sessionTtlHours: a.sessionTtlHours,
        }
      : null,
    allowedOrigins: h.allowedOrigins,
    allowedHosts: h.allowedHosts,
    maxBodyBytes: h.maxBodyBytes,
  };
}

/** How a section reaches its broker: the default port is 1883, or 8883 with TLS. */
export function brokerConnection(m: Omit<Static<typeof MqttControlSchema>, "enabled" | "topicPrefix">): MqttConnectionConfig {
  return {
    brokerIP: m.brokerIP,
    brokerPort: m.brokerPort ?? (m.brokerTLS ? 8883 : 1883),
    brokerTLS: m.brokerTLS,
    brokerCAFile: m.brokerCAFile ?? null,
    username: m.username ?? null,
    password: m.password ?? null,
    mqttVersion: m.mqttVersion,
  };
}

/** Broker settings with the default port (1883, or 8883 with TLS). */
export function broker(m: Static<typeof MqttControlSchema>): MqttBrokerConfig {
  return { ...brokerConnection(m), topicPrefix: m.topicPrefix };
}

/** status.MQTT with its defaults. */
export function buildMqttStatus(m: MqttStatusSection): MqttStatusConfig {
  return {
    ...broker(m),
    ratelimit: m.ratelimit,
    homeassistantDiscovery: m.homeassistantDiscovery,
    discoveryPrefix: m.discoveryPrefix,
    deviceNamePrefix: m.deviceNamePrefix,
    homeassistantControls: m.homeassistantControls,
    configurationUrl: m.configurationUrl ?? null,
  };
}

/** One topic from the upstream key or our alias (the upstream key wins; a conflict is warned). */
function topicOf(upstream: string | undefined, alias: string | undefined, path: string, names: [string, string], issues: Issue[]): string {
  if (upstream !== undefined && alias !== undefined && upstream.trim() !== alias.trim())
    addWarning(issues, `${path}.${names[1]}`, `conflicts with ${names[0]}; using ${names[0]}`);
  return (upstream ?? alias ?? "").trim();
}

/** sources.MQTT: upstream's `topicGeneration` / `topicConsumption`, ours as aliases (energy-sources.md §2). */
export function buildMqttSource(m: MqttSourceSection, issues: Issue[]): MqttSourceConfig {
  const path = "sources.MQTT";
  return {
    ...brokerConnection(m),
    generationTopic: topicOf(m.topicGeneration, m.generationTopic, path, ["topicGeneration", "generationTopic"], issues),
    consumptionTopic: topicOf(m.topicConsumption, m.consumptionTopic, path, ["topicConsumption", "consumptionTopic"], issues),
  };
}

/** sources.DSMRreader (energy-sources.md §18). */
export function buildDsmrSource(m: DsmrSourceSection): DsmrSourceConfig {
  return { ...brokerConnection(m), topic: m.topic };
}

/** status.HASS (upstream HASSStatus). */
export function buildHassStatus(m: HassStatusSection): HassStatusConfig {
  return {
    serverIP: m.serverIP,
    serverPort: m.serverPort,
    useHttps: m.useHttps,
    apiKey: m.apiKey,
    msgRateInSeconds: m.msgRateInSeconds,
    resendRateInSeconds: m.resendRateInSeconds,
    retryRateInSeconds: m.retryRateInSeconds,
  };
}

/** `o` without its undefined values (the normalised config carries only what the file says). */
function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * logging.Sentry (issue 13 §3): upstream's sample config says `"enabled": true` with an empty `DSN`, so
 * that is silent; a DSN gets the one warning (without the DSN, a secret).
 */
export function checkSentry(raw: unknown, issues: Issue[]): void {
  if (!isOn(raw) || !isRecord(raw)) return;
  const dsn = raw.DSN ?? raw.dsn;
  if (dsn === undefined || dsn === null || (typeof dsn === "string" && dsn.trim() === "")) return;
  addRaw(
    issues,
    "warning",
    "logging.Sentry",
    "logging.Sentry is not supported by this version and is ignored: nothing is sent to Sentry (errors are in the log and on the Logs page)",
  );
}

/** Builds the logger sinks (config.md §3.8). */
export function buildLogging(raw: unknown, issues: Issue[]): LoggingConfig | "error" {
  const l = unsupportedModules("logging", raw, ["Console", "FileLogger", "Sentry", ...LOGGING_MODULE_KEYS], issues);
  checkSentry(l.Sentry, issues);
  const consoleOn = readEnabled(l.Console, "logging.Console", true, issues);
  const c = consoleOn
    ? checkSchema(
        ConsoleLogSchema,
        { ...(isRecord(l.Console) ? l.Console : {}), enabled: true },
        "logging.Console",
        issues,
      )
    : { enabled: false, simple: false };
  const f = optionalModule(FileLogSchema, l.FileLogger, "logging.FileLogger", false, issues);
  const modules = buildLoggingModules(l, issues);
  if (c === null || f === "error" || modules === "error") return "error";
  return {
    console: { enabled: c.enabled, simple: c.simple, ...(c.format !== undefined ? { format: c.format } : {}) },
    file: f ? { enabled: true, path: f.path, ...definedOnly({ format: f.format, when: f.when, backupCount: f.backupCount }) } : null,
    ...modules,
  };
}
