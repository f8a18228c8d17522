/**
 * TypeBox schema of the state document (http-api.md §8.1): the one source of its shape. The TypeScript
 * types in state/types.ts are derived from it (`Static`), the OpenAPI document publishes it and tests
 * check the live snapshot against it. Pure (typebox only).
 */
import { Type, type TNull, type TNumber, type TString, type TUnion } from "typebox";
import { TeslaAccountDocSchema, VehicleDocSchema } from "./schema-vehicles.ts";

const Iso = (description = "ISO 8601 local time with milliseconds and offset"): TString =>
  Type.String({ description });
const IsoOrNull = (description?: string): TUnion<[TString, TNull]> =>
  Type.Union([Iso(description), Type.Null()]);
const NumOrNull = (description?: string): TUnion<[TNumber, TNull]> =>
  Type.Union([Type.Number(description === undefined ? {} : { description }), Type.Null()]);
const Action = Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)]);

/** Weekday flags. */
export const DaysSchema = Type.Object({
  monday: Type.Boolean(),
  tuesday: Type.Boolean(),
  wednesday: Type.Boolean(),
  thursday: Type.Boolean(),
  friday: Type.Boolean(),
  saturday: Type.Boolean(),
  sunday: Type.Boolean(),
});

/** Alert codes raised by the product, in documentation order: a new code is one more line here. */
export const AlertCodeSchema = Type.Union([
  Type.Literal("BUS_DISCONNECTED"),
  Type.Literal("BUS_OPEN_FAILED"),
  Type.Literal("NO_CHARGERS"),
  Type.Literal("ENERGY_DATA_STALE"),
  Type.Literal("SETTINGS_SAVE_FAILED"),
  Type.Literal("SETTINGS_RECOVERED"),
  Type.Literal("HISTORY_UNAVAILABLE"),
  Type.Literal("WIRING_ABOVE_RATING"),
  Type.Literal("MIN_ABOVE_WIRING"),
  Type.Literal("CHARGER_ERROR_STATE"),
  Type.Literal("FOREIGN_MASTER"),
  Type.Literal("TOO_MANY_SLAVES"),
  Type.Literal("STOP_NOT_POSSIBLE"),
  Type.Literal("HTTP_PUBLIC_WITHOUT_AUTH"),
  Type.Literal("FRAME_REFUSED_UNSAFE"),
  Type.Literal("BUS_WRITE_STALLED"),
  Type.Literal("BUS_REPLIES_LOW"),
  Type.Literal("IMPLAUSIBLE_READING"),
  Type.Literal("MODULE_FAILED"),
  Type.Literal("VEHICLE_AUTH_REQUIRED"),
  Type.Literal("VEHICLE_COMMAND_PROTOCOL_REQUIRED"),
  Type.Literal("VEHICLE_API_BACKOFF"),
  Type.Literal("VEHICLE_BLE_UNAVAILABLE"),
]);

/** A raised alert. */
export const AlertSchema = Type.Object({
  code: AlertCodeSchema,
  severity: Type.Union([Type.Literal("info"), Type.Literal("warning"), Type.Literal("error")]),
  message: Type.String(),
  since: Iso(),
  twcId: Type.Optional(Type.String({ pattern: "^[0-9A-F]{4}$" })),
});

/**
 * One plain sentence of why (issue 12 §5): a stable code, the numbers it was built from, and the English
 * sentence in the user's units (engine/explain.ts).
 */
export const WhySchema = Type.Object({
  code: Type.String({ description: "stable code, e.g. BELOW_MIN, GREEN, SHARED_WIRING" }),
  params: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()])),
  text: Type.String({ description: "the sentence in English" }),
});

/** The controller's clock: every time in the document and in policies is in this zone. */
export const ControllerClockSchema = Type.Object({
  timeZone: Type.String({ description: "IANA time zone of the controller, e.g. Europe/Amsterdam" }),
  utcOffset: Type.String({ description: "current UTC offset, e.g. +01:00" }),
  utcOffsetMinutes: Type.Integer(),
});

/** One linked charger. */
export const ChargerSchema = Type.Object({
  id: Type.String({ pattern: "^[0-9A-F]{4}$", description: "TWCID, 4 upper-case hex digits" }),
  protocolVersion: Type.Union([Type.Literal(1), Type.Literal(2)]),
  ratedAmps: Type.Number(),
  wiringMaxAmps: Type.Number(),
  minAmps: Type.Number({ description: "minAmpsTWCSupports" }),
  state: Type.Integer({ description: "raw state code (twc-protocol.md §4.3)" }),
  stateName: Type.String(),
  reportedAmpsMax: Type.Number(),
  reportedAmpsActual: Type.Number(),
  ampsOffered: NumOrNull("null before the first reply"),
  ampsDesired: NumOrNull(),
  charging: Type.Boolean(),
  chargingSince: IsoOrNull(),
  powerW: Type.Integer(),
  lifetimeKWh: NumOrNull("null until reported"),
  voltage: Type.Object({ a: Type.Number(), b: Type.Number(), c: Type.Number() }),
  phases: Type.Integer(),
  vin: Type.Object({
    current: Type.Union([Type.String(), Type.Null()]),
    last: Type.Union([Type.String(), Type.Null()]),
  }),
  linkedAt: Iso(),
  lastHeartbeatAt: IsoOrNull(),
  responding: Type.Optional(Type.Boolean({ description: "false once the charger has been silent longer than the link timeout (slaveTimeout)" })),
  lastAnswerAt: Type.Optional(IsoOrNull("the charger's last answer on the bus (its last heartbeat, else its link-ready); null before any")),
  why: Type.Optional(WhySchema),
});

/** Status of one energy source. */
export const EnergySourceSchema = Type.Object({
  name: Type.String({ description: "URL, HASS, MQTT, DSMRreader, Demo, or the `sources.<Key>` of a catalogue module (Fronius, Powerwall2, …)" }),
  ok: Type.Boolean(),
  stale: Type.Boolean(),
  updatedAt: IsoOrNull(),
  generationW: NumOrNull(),
  consumptionW: NumOrNull(),
  consumptionA: NumOrNull(),
  error: Type.Union([Type.String(), Type.Null()], { description: "last fetch error, null after a success" }),
  readsOk: Type.Optional(Type.Integer({ minimum: 0, description: "successful reads since start (polled sources only)" })),
  readsFailed: Type.Optional(Type.Integer({ minimum: 0, description: "failed reads since start (polled sources only)" })),
});

/** One MQTT broker connection (issue 10 item 4), shared by the modules in `users`. */
export const MqttConnectionSchema = Type.Object({
  broker: Type.String({ description: "mqtt://host:port or mqtts://host:port (no credentials)" }),
  version: Type.Union([Type.Literal("3.1.1"), Type.Literal("5")]),
  connected: Type.Boolean(),
  since: IsoOrNull("when the current connection came up; null while down"),
  lastError: Type.Union([Type.String(), Type.Null()], { description: "the last error (redacted), null after a successful connect" }),
  users: Type.Array(Type.String(), { description: "the modules using it (control.MQTT, status.MQTT, sources.MQTT, …)" }),
  connects: Type.Integer({ description: "successful connects so far" }),
});

/** The MQTT part: the connections and the topics a user can publish to. */
export const MqttStateSchema = Type.Object({
  connections: Type.Array(MqttConnectionSchema),
  controlTopicPrefix: Type.Union([Type.String(), Type.Null()], { description: "control.MQTT's topicPrefix, null when it is off" }),
  statusTopicPrefix: Type.Union([Type.String(), Type.Null()], { description: "status.MQTT's topicPrefix, null when it is off" }),
  homeAssistantControls: Type.Boolean({ description: "status.MQTT publishes the Home Assistant controls (<statusTopicPrefix>/ha/…/set)" }),
});

/** The whole state document. */
export const StateDocumentSchema = Type.Object({
  schemaVersion: Type.Literal(1),
  revision: Type.Integer({ minimum: 1, description: "increments on every change; the SSE event id uses it" }),
  startedAt: Iso(),
  version: Type.String(),
  mode: Type.Union([Type.Literal("master"), Type.Literal("monitor"), Type.Literal("slave")]),
  bus: Type.Object({
    interface: Type.Union([Type.Literal("RS485"), Type.Literal("TCP"), Type.Literal("Dummy")]),
    endpoint: Type.Union([Type.String(), Type.Null()]),
    connected: Type.Boolean(),
    stats: Type.Object({
      framesReceived: Type.Integer(),
      framesSent: Type.Integer(),
      framesDropped: Type.Integer(),
      checksumErrors: Type.Integer(),
      noiseBytes: Type.Integer(),
      updatedAt: Iso(),
    }),
  }),
  chargers: Type.Array(ChargerSchema, { description: "link (round-robin) order" }),
  totals: Type.Object({
    chargers: Type.Integer(),
    carsCharging: Type.Integer(),
    ampsActual: Type.Number(),
    ampsOffered: Type.Number(),
    powerW: Type.Integer(),
    lifetimeKWh: Type.Number(),
    minRatedAmps: NumOrNull("null with no chargers"),
    offeredWhy: Type.Optional(Type.Union([WhySchema, Type.Null()], { description: "why the offers sum above the budget; null when they do not" })),
  }),
  energy: Type.Object({
    voltage: Type.Number(),
    phases: Type.Integer(),
    voltageSource: Type.Union([Type.Literal("chargers"), Type.Literal("config")]),
    generationW: Type.Number(),
    consumptionW: Type.Number(),
    generationA: Type.Number(),
    consumptionA: Type.Number(),
    chargerLoadW: Type.Number(),
    chargerLoadA: Type.Number(),
    surplusW: Type.Number(),
    offsetsW: Type.Number(),
    stale: Type.Boolean(),
    sources: Type.Array(EnergySourceSchema),
    greenSurplusW: Type.Optional(NumOrNull("the surplus the green computation uses (generation − consumption, + the chargers' draw with subtractChargerLoad); null without a usable reading")),
    why: Type.Optional(WhySchema),
  }),
  budget: Type.Object({
    maxAmpsToDivide: Type.Number(),
    policyAmps: Type.Number(),
    limitAmps: Type.Number(),
    gridCapAmps: NumOrNull(),
    wiringMaxAmpsAllTWCs: Type.Number(),
    wiringMaxAmpsPerTWC: Type.Number(),
    minAmpsPerTWC: Type.Number(),
    allowedFlexAmps: Type.Number(),
    spikeAmps: Type.Number(),
    why: Type.Optional(WhySchema),
  }),
  policy: Type.Object({
    active: Type.Union([Type.String(), Type.Null()]),
    action: Type.Union([Action, Type.Null()]),
    green: Type.Boolean(),
    forced: Type.Union([Type.Object({ name: Type.String(), until: Iso() }), Type.Null()]),
    latchedUntil: IsoOrNull(),
    lastEvaluatedAt: IsoOrNull(),
    chargeLimit: Type.Number({ description: "−1 = none" }),
  }),
  schedule: Type.Object({
    enabled: Type.Boolean(),
    amps: Type.Number(),
    startMinute: Type.Integer({ minimum: -1, maximum: 1439 }),
    endMinute: Type.Integer({ minimum: -1, maximum: 1439 }),
    days: DaysSchema,
    flexStart: Type.Object({
      enabled: Type.Boolean(),
      batteryKWh: Type.Number(),
      startMinute: Type.Union([Type.Integer(), Type.Null()]),
      days: DaysSchema,
    }),
    activeNow: Type.Boolean(),
    resumeGreenEnergyHour: Type.Integer({ minimum: -1, maximum: 23 }),
    nonScheduledAction: Action,
    nonScheduledAmps: Type.Number(),
    sunriseHour: Type.Number(),
    sunsetHour: Type.Number(),
  }),
  chargeNow: Type.Object({ active: Type.Boolean(), amps: Type.Number(), endsAt: IsoOrNull() }),
  offsets: Type.Array(
    Type.Object({
      name: Type.String(),
      value: Type.Number(),
      unit: Type.Union([Type.Literal("A"), Type.Literal("W")]),
      watts: Type.Number(),
    }),
  ),
  legacyAmpsOffset: Type.Number(),
  settingsSaveFailed: Type.Boolean(),
  alerts: Type.Array(AlertSchema),
  mqtt: MqttStateSchema,
  clock: Type.Optional(ControllerClockSchema),
  vehicles: Type.Array(VehicleDocSchema, { description: "the cars of the vehicle modules, sorted by VIN; [] without one (vehicles.md §2.13)" }),
  teslaAccount: Type.Union([TeslaAccountDocSchema, Type.Null()], { description: "the Tesla account; null when the Fleet API module is not running" }),
});
