/** The normalised, typed configuration handed to the rest of the product (all defaults applied). */
import type {
  CoreSection,
  HassSourceSection,
  HttpSection,
  MqttControlSection,
  MqttSourceSection,
  MqttStatusSection,
  UrlSourceSection,
} from "./schema.ts";
import type { SimSlaveInput } from "./schema-bus.ts";
import type { PolicyDefinition, PolicyRestriction, PolicyWebhooks } from "./schema-policy.ts";

/** pino level names used by the product (config.md §3.4). */
export type LogLevelName = "error" | "warn" | "info" | "debug" | "trace";

/** The `config` section without its ignored keys; unset optional numbers are null. */
export interface CoreConfig {
  settingsPath: string;
  wiringMaxAmpsAllTWCs: number;
  wiringMaxAmpsPerTWC: number;
  minAmpsPerTWC: number;
  maxAmpsAllowedFromGrid: number | null;
  startStopDelay: number;
  defaultVoltage: number;
  numberOfPhases: number;
  realPowerFactorMinAmps: number;
  realPowerFactorMaxAmps: number;
  greenEnergyFlexAmps: number;
  useFlexAmpsToStartCharge: boolean;
  greenEnergyLatch: number | null;
  greenEnergyAmpsOffset: number;
  subtractChargerLoad: boolean;
  treatGenerationAsGridDelivery: boolean;
  webhookMethod: CoreSection["webhookMethod"];
  fakeMaster: number;
  energyStaleAfterS: number;
  historyRetentionDays: number;
  chargeNowLimit: number | null;
  scheduledLimit: number | null;
  greenEnergyLimit: number | null;
  nonScheduledLimit: number | null;
  /** The whole validated section (including accepted-and-ignored keys), for `config.K` policy macros. */
  section: CoreSection;
}

/** The active bus interface (config.md §4.1). */
export type BusConfig =
  | { kind: "Dummy"; slaves: SimSlaveInput[]; seed: number | null; realisticTiming: boolean }
  | { kind: "RS485"; path: string; baud: number }
  | { kind: "TCP"; host: string; port: number; viaRs485Port: boolean }
  /** `interface.RS485.port: "rfc2217://host:port"` (issue 13 §4): RFC 2217 at `baud`. */
  | { kind: "RFC2217"; host: string; port: number; baud: number }
  /** `interface.TCP.listen: true` (issue 13 §4): a bridge connects to host:port. */
  | { kind: "TCPListen"; host: string; port: number };

/** control.HTTP when enabled. */
export interface HttpConfig {
  listenPort: number;
  listenAddress: string | null;
  tls: { certFile: string; keyFile: string; redirectFromPort: number | null } | null;
  auth: {
    tokens: string[];
    username: string | null;
    password: string | null;
    passwordHash: string | null;
    protectReads: boolean;
    sessionTtlHours: number;
  } | null;
  allowedOrigins: string[];
  allowedHosts: string[];
  maxBodyBytes: number;
}

/** MQTT protocol version (our extension; 3.1.1 is the default). */
export type MqttVersionName = "3.1.1" | "5";

/** How an MQTT section reaches its broker (control, status and the MQTT energy sources). */
export interface MqttConnectionConfig {
  brokerIP: string;
  /** 1883, or 8883 with TLS, when not given. */
  brokerPort: number;
  brokerTLS: boolean;
  brokerCAFile: string | null;
  username: string | null;
  password: string | null;
  mqttVersion: MqttVersionName;
}

/** Broker connection settings shared by MQTT control and status. */
export interface MqttBrokerConfig extends MqttConnectionConfig {
  topicPrefix: string;
}

/** status.MQTT when enabled. */
export interface MqttStatusConfig extends MqttBrokerConfig {
  ratelimit: number;
  homeassistantDiscovery: boolean;
  discoveryPrefix: string;
  deviceNamePrefix: string;
  /** Our extension: Home Assistant controls beside the sensors (default true). */
  homeassistantControls: boolean;
  /** Our extension: the web interface URL for Home Assistant; null = derived from control.HTTP. */
  configurationUrl: string | null;
}

/** status.HASS when enabled (upstream HASSStatus: the REST push). */
export interface HassStatusConfig {
  serverIP: string;
  serverPort: number;
  useHttps: boolean;
  apiKey: string;
  msgRateInSeconds: number;
  resendRateInSeconds: number;
  retryRateInSeconds: number;
}

/** sources.URL when enabled. */
export type UrlSourceConfig = Omit<UrlSourceSection, "enabled">;
/** sources.HASS when enabled. */
export type HassSourceConfig = Omit<HassSourceSection, "enabled">;
/** sources.MQTT when enabled; the topics from `topicGeneration` / `topicConsumption` or their aliases. */
export interface MqttSourceConfig extends MqttConnectionConfig {
  generationTopic: string;
  consumptionTopic: string;
}

/** sources.DSMRreader when enabled. */
export interface DsmrSourceConfig extends MqttConnectionConfig {
  topic: string;
}

/** One enabled catalogue source (energy/source-list.ts): its key and its validated section (defaults applied). */
export interface CatalogueSourceConfig {
  /** The `sources.<Key>` name, e.g. "Fronius". */
  readonly key: string;
  /** The section as its descriptor's schema normalised it (`enabled` included). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** The policy customisation (controller.md §16.3). */
export interface PolicyConfig {
  /** Non-empty → replaces the whole list. */
  override: PolicyDefinition[];
  extend: {
    emergency: PolicyDefinition[];
    before: PolicyDefinition[];
    after: PolicyDefinition[];
    restrictions: Record<string, PolicyRestriction>;
    webhooks: Record<string, PolicyWebhooks>;
  };
  policyCheckIntervalS: number;
}

/** Logger sinks (config.md §3.8). */
export interface LoggingConfig {
  /** `format` only when the file names it (absent: the readable line). */
  console: { enabled: boolean; simple: boolean; format?: "text" | "json" };
  /** `format`, `when`, `backupCount` only when the file names them (absent: text, hourly, 24). */
  file: { enabled: boolean; path: string; format?: "text" | "json"; when?: "H" | "midnight" | "never"; backupCount?: number } | null;
  /** logging.CSV when enabled (issue 13 §3). */
  csv?: CsvLogConfig;
  /** logging.MySQL when enabled. */
  mysql?: MySqlLogConfig;
  /** logging.SQLite when enabled. */
  sqlite?: SqliteLogConfig;
}

/** Upstream's `mute` of a logging module: a true category is not written. */
export interface LogMute {
  chargeSessions: boolean;
  greenEnergy: boolean;
  slavePower: boolean;
  slaveStatus: boolean;
}

/** logging.CSV: the directory of TWCManager's CSV files. */
export interface CsvLogConfig {
  path: string;
  mute: LogMute;
}

/** logging.MySQL: where TWCManager's tables are. */
export interface MySqlLogConfig {
  host: string;
  port: number;
  database: string;
  username: string;
  password: string;
  mute: LogMute;
}

/** logging.SQLite: the database file (null: `<settingsPath>/twcmanager.sqlite`). */
export interface SqliteLogConfig {
  path: string | null;
  mute: LogMute;
}

/** Fleet API region (vehicles.md §2.1). */
export type TeslaApiRegion = "NA" | "EU" | "CN";

/** vehicle.teslaAPI when enabled, with its `config` keys (vehicles.md §2.1). Secrets: clientSecret. */
export interface TeslaApiConfig {
  clientId: string;
  redirectUri: string;
  /** Empty: PKCE login; set: the confidential-client flow. */
  clientSecret: string;
  region: TeslaApiRegion;
  scope: string;
  /** Base URL of the vehicle-command proxy without a trailing slash, null for none. */
  proxy: string | null;
  /** TLS verification of vehicle requests: true (system CAs), false (none) or a PEM bundle's path. */
  proxyCert: boolean | string;
  cloudUpdateIntervalS: number;
  wakeDelayMins: number;
  atHomeRadiusFt: number;
  /** −1 = off. */
  minChargeLevel: number;
  respectVehicleSchedule: boolean;
}

/** The MQTT broker of a telemetry module (vehicles.md §7.1): credentials only when both are set. */
export interface TelemetryMqttConfig {
  host: string;
  /** 1883 (upstream's fixed port); `mqtt_port` is our extension. */
  port: number;
  username: string | null;
  password: string | null;
  /** `mqtt_prefix`: TeslaMate's namespace / Fleet Telemetry's topic base ("" for none). */
  prefix: string;
}

/** vehicle.TeslaMate when enabled (vehicles.md §5.1). Secrets: db password, encryptionKey, mqtt password. */
export interface TeslaMateConfig {
  /** Token sync's database; null when sync is off or a key is missing. */
  db: { host: string; port: number; database: string; user: string; password: string } | null;
  encryptionKey: string;
  /** Telemetry's broker; null when `syncTelemetry` is off or `mqtt_host` is missing. */
  telemetry: TelemetryMqttConfig | null;
  atHomeRadiusFt: number;
}

/** vehicle.teslaFleetTelemetryMQTT when enabled (vehicles.md §7.2). */
export interface FleetTelemetryConfig {
  /** null when `syncTelemetry` is off or `mqtt_host` is missing. */
  telemetry: TelemetryMqttConfig | null;
  atHomeRadiusFt: number;
}

/** vehicle.HomeAssistant when enabled (vehicles.md §6.1). Secret: token. */
export interface HassVehicleConfig {
  /** Base URL without a trailing slash. */
  url: string;
  /** The long-lived access token (≥ 20 characters). */
  token: string;
  atHomeRadiusFt: number;
}

/** vehicle.commandPolicy (vehicles.md §4.9): which backends carry commands. */
export type CommandPolicy = "prefer_ble" | "ble_only" | "api_only";

/** vehicle.teslaBLE when enabled, with its `config` keys (vehicles.md §4.1). */
export interface TeslaBleConfig {
  /** `config.teslaControlPath` as written (`~` expanded at start; PATH is searched when it is not a file). */
  controlPath: string;
  /** s per invocation (pairing: 30 s). */
  commandTimeoutS: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** s; back-off min(2^attempt × retryDelay, 30). */
  retryDelayS: number;
  circuitBreakerThreshold: number;
  circuitBreakerTimeoutS: number;
  /** −1 = off (§3.3: a car below it is not stopped). */
  minChargeLevel: number;
  respectVehicleSchedule: boolean;
}

/** The whole normalised configuration. */
export interface AppConfig {
  core: CoreConfig;
  logLevel: LogLevelName;
  bus: BusConfig;
  slaveTimeoutS: number;
  http: HttpConfig | null;
  mqttControl: MqttBrokerConfig | null;
  mqttStatus: MqttStatusConfig | null;
  hassStatus: HassStatusConfig | null;
  sources: {
    url: UrlSourceConfig | null;
    hass: HassSourceConfig | null;
    mqtt: MqttSourceConfig | null;
    dsmr: DsmrSourceConfig | null;
    /** The enabled, complete catalogue sources, in catalogue order. */
    catalogue: readonly CatalogueSourceConfig[];
  };
  policy: PolicyConfig;
  logging: LoggingConfig;
  /** The vehicle modules (vehicles.md); absent in configs built before them = none. */
  vehicle?: { teslaApi: TeslaApiConfig | null; teslaMate?: TeslaMateConfig | null; fleetTelemetry?: FleetTelemetryConfig | null; homeAssistant?: HassVehicleConfig | null; teslaBle?: TeslaBleConfig | null; commandPolicy?: CommandPolicy | null };
}

/** Internal helper types re-exported for the builders. */
export type { HttpSection, MqttControlSection, MqttStatusSection, MqttSourceSection };
