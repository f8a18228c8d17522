/**
 * TypeBox schema of config.json (config.md §3–§5, http-api.md §2.1): the single source of truth for
 * types, defaults, ranges and descriptions (design.md §11). See schema-walk.ts for the conventions
 * (a non-Optional key with a `default` is filled when absent). Interfaces: schema-bus.ts; policy:
 * schema-policy.ts.
 */
import { Type, type Static } from "typebox";

const ignored = (what: string): ReturnType<typeof Type.Optional<ReturnType<typeof Type.Unknown>>> =>
  Type.Optional(Type.Unknown({ description: `${what}: accepted and ignored` }));

const port = (description: string, dflt?: number): ReturnType<typeof Type.Integer> =>
  Type.Integer({ minimum: 1, maximum: 65535, description, ...(dflt === undefined ? {} : { default: dflt }) });

/** The `config` section (config.md §3.5). */
export const CoreSectionSchema = Type.Object(
  {
    settingsPath: Type.String({
      minLength: 1,
      description:
        "Directory of settings.json and the database (relative paths: against the working directory)",
    }),
    wiringMaxAmpsAllTWCs: Type.Number({
      exclusiveMinimum: 0,
      description: "Breaker rating × 0.8 of the circuit feeding all TWCs; hard cap on the total budget (A)",
    }),
    wiringMaxAmpsPerTWC: Type.Number({
      exclusiveMinimum: 0,
      default: 6,
      description: "Per-TWC wiring cap (A)",
    }),
    minAmpsPerTWC: Type.Number({ minimum: 0, description: "Never offer a car less than this (A)" }),
    maxAmpsAllowedFromGrid: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: "Grid import cap (A); unset = no cap" }),
    ),
    startStopDelay: Type.Number({ minimum: 0, default: 60, description: "Start/stop hysteresis (s)" }),
    defaultVoltage: Type.Number({
      exclusiveMinimum: 0,
      default: 240,
      description: "Voltage used until TWCs report voltages (V)",
    }),
    numberOfPhases: Type.Integer({
      minimum: 1,
      maximum: 3,
      default: 1,
      description: "Phases used until TWCs report voltages",
    }),
    realPowerFactorMinAmps: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: 1,
      description: "Real power factor at minAmpsPerTWC",
    }),
    realPowerFactorMaxAmps: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: 1,
      description: "Real power factor at wiringMaxAmpsAllTWCs",
    }),
    greenEnergyFlexAmps: Type.Number({
      minimum: 0,
      default: 0,
      description: "Flex amps of the green policies (A)",
    }),
    useFlexAmpsToStartCharge: Type.Boolean({
      default: false,
      description: "Allow flex amps to start charging",
    }),
    greenEnergyLatch: Type.Optional(
      Type.Number({ minimum: 0, description: "Latch of the daytime Track Green Energy policy (minutes)" }),
    ),
    greenEnergyAmpsOffset: Type.Number({
      default: 0,
      description: "Legacy whole-house amps offset (overridden by the setting of the same name)",
    }),
    subtractChargerLoad: Type.Boolean({
      default: false,
      description: "The energy meter's consumption includes the chargers",
    }),
    treatGenerationAsGridDelivery: Type.Boolean({
      default: false,
      description: "The meter's generation is actually grid export",
    }),
    webhookMethod: Type.Union([Type.Literal("POST"), Type.Literal("GET")], {
      default: "POST",
      description: "HTTP method of policy webhooks",
    }),
    fakeMaster: Type.Integer({
      minimum: 0,
      maximum: 2,
      default: 1,
      description: "Bus mode: 1 fake master, 2 passive monitor (0 fake slave is not supported)",
    }),
    logLevel: Type.Optional(
      Type.Integer({
        description: "Upstream numeric log level (≥40 error, 30–39 warn, 20–29 info, 13–19 debug, ≤12 trace)",
      }),
    ),
    debugLevel: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 11, description: "Deprecated: use logLevel" }),
    ),
    displayMilliseconds: Type.Boolean({
      default: false,
      description: "Accepted; timestamps always carry milliseconds",
    }),
    rs485adapter: Type.Optional(
      Type.String({ description: "Legacy location of the serial port (interface.RS485.port wins)" }),
    ),
    baud: Type.Optional(
      Type.Integer({
        exclusiveMinimum: 0,
        description: "Legacy location of the baud rate (interface.RS485.baud wins)",
      }),
    ),
    energyStaleAfterS: Type.Number({
      minimum: 30,
      maximum: 86400,
      default: 300,
      description: "Energy readings older than this are unavailable (s)",
    }),
    historyRetentionDays: Type.Integer({
      minimum: 1,
      maximum: 3650,
      default: 90,
      description: "History retention in the database (days)",
    }),
    chargeNowLimit: Type.Optional(
      Type.Number({ description: "State-of-charge limit of Charge Now (vehicle modules only)" }),
    ),
    scheduledLimit: Type.Optional(
      Type.Number({ description: "State-of-charge limit of Scheduled Charging (vehicle modules only)" }),
    ),
    greenEnergyLimit: Type.Optional(
      Type.Number({ description: "State-of-charge limit of Track Green Energy (vehicle modules only)" }),
    ),
    nonScheduledLimit: Type.Optional(
      Type.Number({ description: "State-of-charge limit of Non Scheduled Charging (vehicle modules only)" }),
    ),
    minChargeLevel: ignored("vehicle-module key"),
    respectVehicleSchedule: ignored("vehicle-module key"),
    atHomeRadius: ignored("vehicle-module key"),
    cloudUpdateInterval: ignored("vehicle-module key"),
    wakeDelayMins: ignored("vehicle-module key"),
    teslaApiClientID: ignored("vehicle-module key"),
    teslaApiRedirectUri: ignored("vehicle-module key"),
    teslaApiClientSecret: ignored("vehicle-module key"),
    teslaApiRegion: ignored("vehicle-module key"),
    teslaApiScope: ignored("vehicle-module key"),
    teslaProxy: ignored("vehicle-module key"),
    teslaProxyCert: ignored("vehicle-module key"),
    onlyChargeMultiCarsAtHome: ignored("upstream vehicle-module key"),
    teslaControlPath: ignored("vehicle.teslaBLE key (checked by the BLE module's validation)"),
    moduleConfiguration: ignored("vehicle-module key (TeslaBLE's settings are checked by its validation)"),
    maxAmpsPerTWC: ignored("legacy key (MQTT Charge Now is validated against wiringMaxAmpsAllTWCs)"),
    debugOutputToFile: ignored("legacy key"),
  },
  { description: "General configuration (config.md §3.5)" },
);

/** `control.HTTP.tls`. */
export const HttpTlsSchema = Type.Object({
  certFile: Type.String({ minLength: 1, description: "PEM certificate file" }),
  keyFile: Type.String({ minLength: 1, description: "PEM private key file" }),
  redirectFromPort: Type.Optional(port("Plain-HTTP port answering 308 redirects to HTTPS")),
});

/** `control.HTTP.auth` (http-api.md §3.1). */
export const HttpAuthSchema = Type.Object({
  tokens: Type.Optional(
    Type.Array(Type.String({ minLength: 16, "x-secret": true, description: "API bearer token" }), {
      description: "API bearer tokens (≥ 16 characters each)",
    }),
  ),
  username: Type.Optional(
    Type.String({ minLength: 1, description: "Username for Basic auth and the login page" }),
  ),
  password: Type.Optional(
    Type.String({
      minLength: 1,
      "x-secret": true,
      description: "Plain-text password (discouraged; prefer passwordHash)",
    }),
  ),
  passwordHash: Type.Optional(
    Type.String({
      pattern: "^scrypt:\\d+:\\d+:\\d+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$",
      "x-secret": true,
      "x-expected": "a hash of the form scrypt:<N>:<r>:<p>:<salt>:<hash> (from `twcmanager hash-password`)",
      description: "Password hash from `twcmanager hash-password`",
    }),
  ),
  protectReads: Type.Boolean({
    default: false,
    description: "Also require authentication for reads and pages",
  }),
  sessionTtlHours: Type.Number({
    exclusiveMinimum: 0,
    maximum: 87600,
    default: 168,
    description: "Login session lifetime (hours)",
  }),
});

/** `control.HTTP` (http-api.md §2.1). */
export const HttpSchema = Type.Object({
  enabled: Type.Boolean({ description: "Run the HTTP server (required when the section exists)" }),
  listenPort: port("HTTP (or HTTPS) port", 8080),
  listenAddress: Type.Optional(
    Type.String({ minLength: 1, description: "Address to bind; default :: dual-stack, else 0.0.0.0" }),
  ),
  tls: Type.Optional(HttpTlsSchema),
  auth: Type.Optional(HttpAuthSchema),
  allowedOrigins: Type.Array(Type.String({ minLength: 1 }), {
    default: [],
    description: "Extra origins allowed to send state-changing requests",
  }),
  allowedHosts: Type.Array(Type.String({ minLength: 1 }), {
    default: [],
    description: "Host-header allow-list (empty = no check); entries may start with *.",
  }),
  maxBodyBytes: Type.Integer({
    minimum: 1024,
    maximum: 10485760,
    default: 65536,
    description: "Request body limit (bytes)",
  }),
});

/** Connection keys of every MQTT section (config.md §5.1; `brokerCAFile` and `mqttVersion` are our extensions). */
const brokerConnectionKeys = {
  brokerIP: Type.String({ minLength: 1, description: "Broker host" }),
  brokerPort: Type.Optional(port("Broker port (default 1883, or 8883 with TLS)")),
  brokerTLS: Type.Boolean({ default: false, description: "Connect with TLS (system CAs, or brokerCAFile)" }),
  brokerCAFile: Type.Optional(Type.String({ minLength: 1, description: "Our extension: PEM CA bundle" })),
  username: Type.Optional(Type.String()),
  password: Type.Optional(Type.String({ "x-secret": true })),
  mqttVersion: Type.Union([Type.Literal("3.1.1"), Type.Literal("5")], {
    default: "3.1.1",
    description: "Our extension: MQTT protocol version, \"3.1.1\" or \"5\"",
  }),
};

const brokerKeys = {
  enabled: Type.Boolean({ default: false }),
  ...brokerConnectionKeys,
  topicPrefix: Type.String({ minLength: 1, description: "Topic prefix, e.g. TWC" }),
};

/** `control.MQTT` (config.md §5.1). */
export const MqttControlSchema = Type.Object(brokerKeys, { description: "MQTT control (config.md §5.1)" });

/** `status.MQTT` (config.md §5.2). */
export const MqttStatusSchema = Type.Object(
  {
    ...brokerKeys,
    ratelimit: Type.Number({
      minimum: 0,
      default: 60,
      description: "Per-topic minimum seconds between publishes; 0 disables",
    }),
    homeassistantDiscovery: Type.Boolean({
      default: false,
      description: "Publish Home Assistant discovery configs",
    }),
    discoveryPrefix: Type.String({ minLength: 1, default: "homeassistant" }),
    deviceNamePrefix: Type.String({ minLength: 1, default: "TWC" }),
    homeassistantControls: Type.Boolean({
      default: true,
      description:
        "Our extension: with discovery, also publish Home Assistant controls (Charge Now, non-scheduled action and amps, start/stop)",
    }),
    configurationUrl: Type.Optional(
      Type.String({
        pattern: "^https?://\\S+$",
        "x-expected": "an http:// or https:// URL",
        description: "Our extension: the web interface URL shown in Home Assistant (default: from control.HTTP)",
      }),
    ),
  },
  { description: "MQTT status publishing (config.md §5.2)" },
);

const pollIntervalS = Type.Number({
  minimum: 2,
  maximum: 3600,
  default: 10,
  description: "Our extension: poll interval (s)",
});

/** `sources.URL` (config.md §5.4). */
export const UrlSourceSchema = Type.Object({
  enabled: Type.Boolean({ default: false }),
  url: Type.String({
    pattern: "^https?://\\S+$",
    "x-expected": "an http:// or https:// URL",
    description: "Base URL; items are fetched as <url>/<item>",
  }),
  consumptionItem: Type.String({ default: "", description: "Consumption item; empty = not fetched (0)" }),
  generationItem: Type.String({ default: "", description: "Generation item; empty = not fetched (0)" }),
  pollIntervalS,
});

/** `sources.HASS` (config.md §5.4). */
export const HassSourceSchema = Type.Object({
  enabled: Type.Boolean({ default: false }),
  serverIP: Type.String({ minLength: 1, description: "Home Assistant host" }),
  serverPort: Type.Integer({
    minimum: 1,
    maximum: 65535,
    default: 8123,
    "x-quiet": true,
    description: "Port (number or numeric string)",
  }),
  useHttps: Type.Boolean({ default: false }),
  apiKey: Type.String({ minLength: 1, "x-secret": true, description: "Long-lived access token" }),
  hassEntityConsumption: Type.String({
    default: "",
    description: "Consumption entity ID; empty = not queried",
  }),
  hassEntityGeneration: Type.String({
    default: "",
    description: "Generation entity ID; empty = not queried",
  }),
  pollIntervalS,
});

/** `sources.MQTT` (energy-sources.md §2): readings subscribed from MQTT topics (W, or with a W/kW unit). */
export const MqttSourceSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false }),
    ...brokerConnectionKeys,
    topicConsumption: Type.Optional(
      Type.String({ description: "Topic carrying the consumption in W (upstream key); empty = none" }),
    ),
    topicGeneration: Type.Optional(
      Type.String({ description: "Topic carrying the generation in W (upstream key); empty = none" }),
    ),
    generationTopic: Type.Optional(Type.String({ description: "Alias of topicGeneration" })),
    consumptionTopic: Type.Optional(Type.String({ description: "Alias of topicConsumption" })),
    pollIntervalS: ignored("the MQTT source is push-based; pollIntervalS"),
  },
  { description: "Energy readings subscribed from an MQTT broker (energy-sources.md §2)" },
);

/** `sources.DSMRreader` (energy-sources.md §18): DSMR-reader's JSON telegram over MQTT. */
export const DsmrSourceSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false }),
    ...brokerConnectionKeys,
    topic: Type.String({ minLength: 1, default: "dsmr/json", description: "DSMR-reader's JSON telegram topic" }),
    pollIntervalS: ignored("the DSMRreader source is push-based; pollIntervalS"),
  },
  { description: "DSMR-reader P1 telegrams over MQTT (energy-sources.md §18)" },
);

const rateS = (description: string, dflt: number): ReturnType<typeof Type.Number> =>
  Type.Number({ minimum: 0, maximum: 86400, default: dflt, "x-quiet": true, description });

/** `status.HASS`: TWCManager's push of the status values to Home Assistant's REST API. */
export const HassStatusSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false }),
    serverIP: Type.String({ minLength: 1, description: "Home Assistant host" }),
    serverPort: Type.Integer({
      minimum: 1,
      maximum: 65535,
      default: 8123,
      "x-quiet": true,
      description: "Port (number or numeric string)",
    }),
    useHttps: Type.Boolean({ default: false }),
    apiKey: Type.String({ minLength: 1, "x-secret": true, description: "Long-lived access token" }),
    msgRateInSeconds: rateS("Per-sensor minimum seconds between pushes (a change waits for the window)", 60),
    resendRateInSeconds: rateS("An unchanged value is pushed again after this many seconds", 3600),
    retryRateInSeconds: rateS("A failed push is retried after this many seconds", 60),
  },
  { description: "Push of the status values to Home Assistant's REST API (upstream HASSStatus)" },
);

const muteKeys = { use_icons: ignored("use_icons"), mute: ignored("mute") };
/** Absent: the readable line (cli/main.ts); the normalised config carries only what the file says. */
const logFormat = (description: string) =>
  Type.Optional(Type.Union([Type.Literal("text"), Type.Literal("json")], { description: `${description} (default text)` }));

/** `logging.Console` (config.md §3.8). */
export const ConsoleLogSchema = Type.Object({
  enabled: Type.Boolean({ default: true }),
  simple: Type.Boolean({ default: false, description: "The readable line without its timestamp (journald and docker add their own)" }),
  format: logFormat("text: one readable line per record (time, level, module, message, key=value); json: JSON lines"),
  ...muteKeys,
});

/** `logging.FileLogger` (config.md §3.8). */
export const FileLogSchema = Type.Object({
  enabled: Type.Boolean({ default: false }),
  path: Type.String({ minLength: 1, description: "Directory of twcmanager.log" }),
  format: logFormat("text: the readable line; json: JSON lines"),
  when: Type.Optional(
    Type.Union([Type.Literal("H"), Type.Literal("midnight"), Type.Literal("never")], {
      description: "Rotation as upstream's TimedRotatingFileHandler: H hourly (twcmanager.log.YYYY-MM-DD_HH, the default), midnight daily (twcmanager.log.YYYY-MM-DD), never (rotate externally; SIGHUP reopens)",
    }),
  ),
  backupCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, description: "Rotated files kept, the oldest beyond are deleted (default 24)" })),
  ...muteKeys,
});

/** `mute` of the TWCManager logging modules (CSV, MySQL, SQLite): a true category is not written. */
export const LogMuteSchema = Type.Object({
  ChargeSessions: Type.Boolean({ default: false, description: "Do not write charge sessions" }),
  GreenEnergy: Type.Boolean({ default: false, description: "Do not write green energy readings" }),
  SlavePower: Type.Boolean({ default: false, description: "Accepted (upstream writes nothing under it either)" }),
  SlaveStatus: Type.Boolean({ default: false, description: "Do not write slave status (kWh, voltages)" }),
  DebugLogLevelGreaterThan: ignored("DebugLogLevelGreaterThan (these modules write no debug lines)"),
});

const loggingModuleKeys = {
  mute: Type.Optional(LogMuteSchema),
  use_icons: ignored("use_icons"),
};

/** `logging.CSV` (issue 13 §3): TWCManager's CSV files in `path`. */
export const CsvLogSchema = Type.Object({
  enabled: Type.Boolean({ default: false }),
  path: Type.String({ minLength: 1, description: "Directory of chargesessions.csv, greenenergy.csv and slavestatus.csv" }),
  ...loggingModuleKeys,
});

/** `logging.MySQL` (issue 13 §3): TWCManager's tables in a MySQL/MariaDB database. */
export const MySqlLogSchema = Type.Object({
  enabled: Type.Boolean({ default: false }),
  host: Type.String({ minLength: 1, description: "Database server host" }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 3306, "x-quiet": true, description: "Database server port" }),
  database: Type.String({ minLength: 1, description: "Database holding charge_sessions, green_energy and slave_status" }),
  username: Type.String({ minLength: 1, description: "Database user" }),
  password: Type.String({ default: "", "x-secret": true, description: "Password of the database user" }),
  ...loggingModuleKeys,
});

/** `logging.SQLite` (issue 13 §3): TWCManager's tables in an SQLite file (not our history database). */
export const SqliteLogSchema = Type.Object({
  enabled: Type.Boolean({ default: false }),
  path: Type.Optional(
    Type.String({ minLength: 1, description: "Database file (or a directory for twcmanager.sqlite); default <settingsPath>/twcmanager.sqlite" }),
  ),
  ...loggingModuleKeys,
});

/** Normalised `config` section. */
export type CoreSection = Static<typeof CoreSectionSchema>;
/** Normalised `control.HTTP` section. */
export type HttpSection = Static<typeof HttpSchema>;
/** Normalised `control.MQTT` section. */
export type MqttControlSection = Static<typeof MqttControlSchema>;
/** Normalised `status.MQTT` section. */
export type MqttStatusSection = Static<typeof MqttStatusSchema>;
/** Normalised `sources.URL` section. */
export type UrlSourceSection = Static<typeof UrlSourceSchema>;
/** Normalised `sources.HASS` section. */
export type HassSourceSection = Static<typeof HassSourceSchema>;
/** Normalised `sources.MQTT` section. */
export type MqttSourceSection = Static<typeof MqttSourceSchema>;
/** Normalised `sources.DSMRreader` section. */
export type DsmrSourceSection = Static<typeof DsmrSourceSchema>;
/** Normalised `status.HASS` section. */
export type HassStatusSection = Static<typeof HassStatusSchema>;
