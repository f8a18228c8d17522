/**
 * Validation of a parsed config.json (config.md §3.2–§3.9): every implemented section is checked against
 * the schema, every problem is collected as an Issue, and a normalised AppConfig is built when there is
 * no error. Pure.
 */
import type { AppConfig, CoreConfig, LogLevelName } from "./app-config.ts";
import { coerceInteger } from "./coerce.ts";
import {
  CoreSectionSchema,
  DsmrSourceSchema,
  HassSourceSchema,
  HassStatusSchema,
  MqttControlSchema,
  MqttSourceSchema,
  MqttStatusSchema,
  UrlSourceSchema,
  type CoreSection,
} from "./schema.ts";
import { addRaw, addWarning, checkSchema, isRecord, type Issue } from "./schema-walk.ts";
import { resolveBus } from "./validate-bus.ts";
import {
  broker,
  buildDsmrSource,
  buildHassStatus,
  buildHttp,
  buildLogging,
  buildMqttSource,
  buildMqttStatus,
  isOn,
  optionalModule,
  unsupportedModules,
} from "./validate-modules.ts";
import { validatePolicy } from "./validate-policy.ts";
import {
  buildCatalogueSources,
  knownSourceKeys,
  sourceKeyHints,
  warnModuleMacros,
  warnRefusedSources,
} from "./validate-sources.ts";
import { buildTeslaApi } from "./validate-vehicle.ts";
import { buildCommandPolicy, buildTeslaBle } from "./validate-vehicle-ble.ts";
import { buildFleetTelemetry, buildHassVehicle, buildTeslaMate } from "./validate-vehicle-state.ts";

export type { Issue } from "./schema-walk.ts";

/** Result of validate(): the normalised config (null when any issue is an error) and all issues. */
export interface ValidationResult {
  config: AppConfig | null;
  issues: Issue[];
}

const TOP_LEVEL = new Set([
  "config",
  "interface",
  "control",
  "policy",
  "logging",
  "sources",
  "status",
  "vehicle",
  "controller.Gen3TWCs",
  "controller",
]);

/** Maps an upstream numeric log level to a pino level name (config.md §3.4). */
export function logLevelName(level: number): LogLevelName {
  if (level >= 40) return "error";
  if (level >= 30) return "warn";
  if (level >= 20) return "info";
  if (level >= 13) return "debug";
  return "trace";
}

/** Maps the deprecated debugLevel 0–11 to a numeric log level: 0→40, 1→20, 2→19 … 9→12, 10→10, 11→9. */
export function debugLevelToLogLevel(debugLevel: number): number {
  if (debugLevel <= 0) return 40;
  if (debugLevel === 1) return 20;
  if (debugLevel <= 9) return 21 - debugLevel;
  return debugLevel === 10 ? 10 : 9;
}

function buildCore(c: CoreSection): CoreConfig {
  return {
    settingsPath: c.settingsPath,
    wiringMaxAmpsAllTWCs: c.wiringMaxAmpsAllTWCs,
    wiringMaxAmpsPerTWC: c.wiringMaxAmpsPerTWC,
    minAmpsPerTWC: c.minAmpsPerTWC,
    maxAmpsAllowedFromGrid: c.maxAmpsAllowedFromGrid ?? null,
    startStopDelay: c.startStopDelay,
    defaultVoltage: c.defaultVoltage,
    numberOfPhases: c.numberOfPhases,
    realPowerFactorMinAmps: c.realPowerFactorMinAmps,
    realPowerFactorMaxAmps: c.realPowerFactorMaxAmps,
    greenEnergyFlexAmps: c.greenEnergyFlexAmps,
    useFlexAmpsToStartCharge: c.useFlexAmpsToStartCharge,
    greenEnergyLatch: c.greenEnergyLatch ?? null,
    greenEnergyAmpsOffset: c.greenEnergyAmpsOffset,
    subtractChargerLoad: c.subtractChargerLoad,
    treatGenerationAsGridDelivery: c.treatGenerationAsGridDelivery,
    webhookMethod: c.webhookMethod,
    fakeMaster: c.fakeMaster,
    energyStaleAfterS: c.energyStaleAfterS,
    historyRetentionDays: c.historyRetentionDays,
    chargeNowLimit: c.chargeNowLimit ?? null,
    scheduledLimit: c.scheduledLimit ?? null,
    greenEnergyLimit: c.greenEnergyLimit ?? null,
    nonScheduledLimit: c.nonScheduledLimit ?? null,
    section: c,
  };
}

/** Validates a parsed config.json object; all problems are returned, the config only when there is no error. */
export function validate(raw: Record<string, unknown>): ValidationResult {
  const issues: Issue[] = [];
  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL.has(key)) addWarning(issues, key, "unknown section, ignored");
  }

  const core = checkSchema(CoreSectionSchema, raw.config ?? {}, "config", issues);
  const rawCore = isRecord(raw.config) ? raw.config : {};
  const fakeMaster = coerceInteger(rawCore.fakeMaster);
  if (fakeMaster.ok && fakeMaster.value === 0)
    addRaw(issues, "error", "config.fakeMaster", "fakeMaster 0 (fake slave) is not supported");
  if (rawCore.debugLevel !== undefined && rawCore.debugLevel !== null)
    addWarning(issues, "config.debugLevel", "is deprecated; use config.logLevel");
  const numericLevel =
    core?.logLevel ?? (core?.debugLevel !== undefined ? debugLevelToLogLevel(core.debugLevel) : 20);

  const busKeys = core ?? {
    rs485adapter: typeof rawCore.rs485adapter === "string" ? rawCore.rs485adapter : undefined,
    baud: typeof rawCore.baud === "number" ? rawCore.baud : undefined,
  };
  const bus = resolveBus(raw.interface, busKeys, issues);

  const control = unsupportedModules("control", raw.control, ["HTTP", "MQTT"], issues);
  const http = buildHttp(control.HTTP, issues);
  const mqttControl = optionalModule(MqttControlSchema, control.MQTT, "control.MQTT", false, issues);

  const status = unsupportedModules("status", raw.status, ["MQTT", "HASS"], issues);
  const mqttStatus = optionalModule(MqttStatusSchema, status.MQTT, "status.MQTT", false, issues);
  const hassStatus = optionalModule(HassStatusSchema, status.HASS, "status.HASS", false, issues);

  const sources = unsupportedModules("sources", raw.sources, knownSourceKeys(), issues, sourceKeyHints());
  warnRefusedSources(sources, issues);
  const catalogue = buildCatalogueSources(sources, issues);
  const url = optionalModule(UrlSourceSchema, sources.URL, "sources.URL", false, issues);
  const hass = optionalModule(HassSourceSchema, sources.HASS, "sources.HASS", false, issues);
  const mqttSource = optionalModule(MqttSourceSchema, sources.MQTT, "sources.MQTT", false, issues);
  const dsmrSource = optionalModule(DsmrSourceSchema, sources.DSMRreader, "sources.DSMRreader", false, issues);
  const mqttSourceConfig = mqttSource && mqttSource !== "error" ? buildMqttSource(mqttSource, issues) : null;

  const vehicle = unsupportedModules("vehicle", raw.vehicle, ["teslaAPI", "TeslaAPI", "TeslaMate", "teslaFleetTelemetryMQTT", "HomeAssistant", "teslaBLE"], issues);
  const teslaBle = buildTeslaBle(vehicle.teslaBLE, raw.config, issues);
  const commandPolicy = buildCommandPolicy(vehicle.commandPolicy, issues);
  // `vehicle.TeslaAPI` (the module's class name, as TWCManager's own test config writes it) is read as teslaAPI.
  const teslaApi = buildTeslaApi(vehicle.teslaAPI ?? vehicle.TeslaAPI, raw.config, issues);
  const teslaMate = buildTeslaMate(vehicle.TeslaMate, raw.config, issues);
  const fleetTelemetry = buildFleetTelemetry(vehicle.teslaFleetTelemetryMQTT, raw.config, issues);
  const homeAssistant = buildHassVehicle(vehicle.HomeAssistant, raw.config, issues);
  const controllerSection = isRecord(raw.controller) ? raw.controller : {};
  if (isOn(raw["controller.Gen3TWCs"]) || isOn(controllerSection.Gen3TWCs)) {
    addRaw(
      issues,
      "warning",
      "controller.Gen3TWCs",
      "controller.Gen3TWCs is not supported by this version and is ignored (Gen3 Wall Connectors are not supported)",
    );
  }

  const logging = buildLogging(raw.logging, issues);
  const policy = validatePolicy(raw.policy, core?.greenEnergyLatch ?? null, issues);
  const on = (m: unknown): boolean => m !== null && m !== undefined && m !== "error";
  const vehicleModules = { teslaApi: on(teslaApi), any: [teslaApi, teslaBle, teslaMate, fleetTelemetry, homeAssistant].some(on) };
  if (catalogue !== "error") warnModuleMacros(raw.policy, catalogue, issues, undefined, vehicleModules);

  if (issues.some((i) => i.severity === "error")) return { config: null, issues };
  if (
    !core ||
    !bus ||
    !policy ||
    http === "error" ||
    mqttControl === "error" ||
    mqttStatus === "error" ||
    hassStatus === "error" ||
    url === "error" ||
    hass === "error" ||
    mqttSource === "error" ||
    dsmrSource === "error" ||
    catalogue === "error" ||
    teslaApi === "error" ||
    teslaBle === "error" ||
    teslaMate === "error" ||
    fleetTelemetry === "error" ||
    homeAssistant === "error" ||
    logging === "error"
  ) {
    return { config: null, issues };
  }
  const config: AppConfig = {
    core: buildCore(core),
    logLevel: logLevelName(numericLevel),
    bus: bus.bus,
    slaveTimeoutS: bus.slaveTimeoutS,
    http,
    mqttControl: mqttControl ? broker(mqttControl) : null,
    mqttStatus: mqttStatus ? buildMqttStatus(mqttStatus) : null,
    hassStatus: hassStatus ? buildHassStatus(hassStatus) : null,
    sources: {
      url: url
        ? {
            url: url.url,
            consumptionItem: url.consumptionItem,
            generationItem: url.generationItem,
            pollIntervalS: url.pollIntervalS,
          }
        : null,
      hass: hass
        ? {
            serverIP: hass.serverIP,
            serverPort: hass.serverPort,
            useHttps: hass.useHttps,
            apiKey: hass.apiKey,
            hassEntityConsumption: hass.hassEntityConsumption,
            hassEntityGeneration: hass.hassEntityGeneration,
            pollIntervalS: hass.pollIntervalS,
          }
        : null,
      mqtt: mqttSourceConfig,
      dsmr: dsmrSource ? buildDsmrSource(dsmrSource) : null,
      catalogue,
    },
    policy,
    logging,
    vehicle: { teslaApi, teslaMate, fleetTelemetry, homeAssistant, teslaBle, commandPolicy },
  };
  return { config, issues };
}
