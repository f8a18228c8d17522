/**
 * TypeBox schema of the state document (http-api.md §8.1; TypeScript type in state/types.ts), used by
 * the OpenAPI document and by tests that check the live snapshot against it.
 */
import { Type } from "typebox";

const Iso = (
  description = "ISO 8601 local time with milliseconds and offset",
): ReturnType<typeof Type.String> => Type.String({ description });
const IsoOrNull = (description?: string): ReturnType<typeof Type.Union> =>
  Type.Union([Iso(description), Type.Null()]);
const NumOrNull = (description?: string): ReturnType<typeof Type.Union> =>
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

/** A raised alert. */
export const AlertSchema = Type.Object({
  code: Type.Union(
    [
      "BUS_DISCONNECTED",
      "NO_CHARGERS",
      "ENERGY_DATA_STALE",
      "SETTINGS_SAVE_FAILED",
      "SETTINGS_RECOVERED",
      "HISTORY_UNAVAILABLE",
      "WIRING_ABOVE_RATING",
      "MIN_ABOVE_WIRING",
      "CHARGER_ERROR_STATE",
      "FOREIGN_MASTER",
      "TOO_MANY_SLAVES",
      "STOP_NOT_POSSIBLE",
      "HTTP_PUBLIC_WITHOUT_AUTH",
      "FRAME_REFUSED_UNSAFE",
      "BUS_WRITE_STALLED",
      "BUS_REPLIES_LOW",
      "IMPLAUSIBLE_READING",
    ].map((c) => Type.Literal(c)),
  ),
  severity: Type.Union([Type.Literal("info"), Type.Literal("warning"), Type.Literal("error")]),
  message: Type.String(),
  since: Iso(),
  twcId: Type.Optional(Type.String({ pattern: "^[0-9A-F]{4}$" })),
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
});

/** Status of one energy source. */
export const EnergySourceSchema = Type.Object({
  name: Type.Union([Type.Literal("URL"), Type.Literal("HASS"), Type.Literal("MQTT"), Type.Literal("Demo")]),
  ok: Type.Boolean(),
  stale: Type.Boolean(),
  updatedAt: IsoOrNull(),
  generationW: NumOrNull(),
  consumptionW: NumOrNull(),
  consumptionA: NumOrNull(),
  error: Type.Union([Type.String(), Type.Null()], { description: "last fetch error, null after a success" }),
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
});
