/**
 * TypeBox schemas of the HTTP contract (http-api.md §4–§9): legacy request bodies (coercible fields as
 * `oneOf` number/string, §4.4), response bodies, the error body and the v2 documents. The OpenAPI
 * document is generated from them; validators can share them later. The bodies are documentation of
 * what is accepted: the exact rules and messages are applied by legacy/validate.ts. The schemas of the
 * state, history and sessions documents live beside their types in state/ and are re-exported here.
 */
import { Type } from "typebox";

export {
  StateDocumentSchema,
  ChargerSchema,
  AlertSchema,
  DaysSchema,
  EnergySourceSchema,
} from "../../state/schema.ts";
export { HistoryDocSchema, SessionsDocSchema } from "../../state/schema-history.ts";

/** §4.4 numeric strings. */
export const NUMERIC_STRING =
  "^[\\t\\n\\v\\f\\r ]*[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?[\\t\\n\\v\\f\\r ]*$";

/** A §4.4 number: a finite JSON number or a numeric string. */
export function Coercible(
  description: string,
  range?: { minimum?: number; maximum?: number },
): ReturnType<typeof Type.Unsafe<number | string>> {
  return Type.Unsafe<number | string>({
    description,
    oneOf: [Type.Number({ ...range }), Type.String({ pattern: NUMERIC_STRING })],
  });
}

const BOOLEAN_WORDS = ["true", "false", "1", "0", "on", "off", "yes", "no"];
const anyCase = (w: string): string =>
  [...w].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c)).join("");

/** A §4.4 boolean-like value. */
export function BooleanLike(description: string): ReturnType<typeof Type.Unsafe<boolean | number | string>> {
  return Type.Unsafe<boolean | number | string>({
    description,
    oneOf: [
      Type.Boolean(),
      Type.Number({ enum: [0, 1] }),
      Type.String({
        pattern: `^[\\t\\n\\v\\f\\r ]*(${BOOLEAN_WORDS.map(anyCase).join("|")})[\\t\\n\\v\\f\\r ]*$`,
      }),
    ],
  });
}

/** `{"error": "<message>"}` (§4.2). */
export const ErrorBodySchema = Type.Object({
  error: Type.String({ description: "human-readable message naming the field" }),
});

// ---- legacy request bodies (§7) ----

/** chargeNow. */
export const ChargeNowBody = Type.Object({
  chargeNowRate: Coercible("amps, integer (truncated), minAmpsPerTWC…wiringMaxAmpsAllTWCs", { minimum: 1 }),
  chargeNowDuration: Coercible("seconds, integer (truncated)", { minimum: 1, maximum: 31622400 }),
});
/** addConsumptionOffset. */
export const AddOffsetBody = Type.Object({
  offsetName: Type.String({
    minLength: 1,
    maxLength: 31,
    description: "no @#$%^&*\"+<>;/'()=\\ or control characters",
  }),
  offsetValue: Coercible("A or W; 0 disables the offset", { minimum: -1000000, maximum: 1000000 }),
  offsetUnit: Type.Union([Type.Literal("A"), Type.Literal("W")]),
});
/** deleteConsumptionOffset. */
export const DeleteOffsetBody = Type.Object({ offsetName: Type.String({ minLength: 1 }) });
/** setConsumptionOffset. */
export const SetLegacyOffsetBody = Type.Object({
  offset: Coercible("legacy whole-house amps offset", { minimum: -1000, maximum: 1000 }),
});
/** setSetting. */
export const SetSettingBody = Type.Object({
  setting: Type.String({ pattern: "^[A-Za-z][A-Za-z0-9_.-]{0,63}$" }),
  value: Type.Unknown({ description: "any JSON value except null; typed keys are coerced (config.md §2.2)" }),
});
const minute = (d: string): ReturnType<typeof Coercible> =>
  Coercible(`${d}: integer, −1 or 0…1439`, { minimum: -1, maximum: 1439 });
/** setScheduledChargingSettings (every field optional). */
export const ScheduleBody = Type.Object({
  enabled: Type.Optional(BooleanLike("default false")),
  startingMinute: Type.Optional(minute("start")),
  endingMinute: Type.Optional(minute("end")),
  amps: Type.Optional(Coercible("integer, 0…wiringMaxAmpsAllTWCs", { minimum: 0 })),
  monday: Type.Optional(BooleanLike("weekday")),
  tuesday: Type.Optional(BooleanLike("weekday")),
  wednesday: Type.Optional(BooleanLike("weekday")),
  thursday: Type.Optional(BooleanLike("weekday")),
  friday: Type.Optional(BooleanLike("weekday")),
  saturday: Type.Optional(BooleanLike("weekday")),
  sunday: Type.Optional(BooleanLike("weekday")),
  flexStartEnabled: Type.Optional(BooleanLike("default false")),
  flexBatterySize: Type.Optional(Coercible("kWh, > 0 and ≤ 1000, default 100", { maximum: 1000 })),
});
/** setLatLon. */
export const LatLonBody = Type.Object({
  lat: Coercible("latitude", { minimum: -90, maximum: 90 }),
  lon: Coercible("longitude", { minimum: -180, maximum: 180 }),
});
/** setPolicy. */
export const SetPolicyBody = Type.Object({
  policy: Type.String({ minLength: 1, description: "exact policy name" }),
});
/** sendDebugCommand. */
export const DebugCommandBody = Type.Object({
  commandName: Type.Union([Type.Literal("GetFirmwareVersion"), Type.Literal("Custom")]),
  customCommand: Type.Optional(
    Type.String({ description: "Custom: 2…32 hex bytes; spaces and colons ignored" }),
  ),
  twcID: Type.Optional(Type.String({ pattern: "^[0-9A-Fa-f]{4}$" })),
});
/** sendTeslaAPICommand with the Fleet API module (vehicles.md §8.5). */
export const TeslaApiCommandBody = Type.Object({
  commandName: Type.Union([Type.Literal("setChargeRate"), Type.Literal("wakeVehicle")]),
  vehicleID: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: "^\\s*\\d{1,16}\\s*$" })], {
    description: "Tesla product id (state.vehicles[].id), a number or a string of digits",
  }),
  parameters: Type.Optional(
    Type.Union([Type.String(), Type.Object({ charge_rate: Type.Optional(Type.Unknown()) })], {
      description: 'JSON text or an object; setChargeRate: {"charge_rate": 1…wiringMaxAmpsAllTWCs}; unparsable text counts as {}',
    }),
  ),
});

// ---- legacy responses (§6, §7) ----

const Fmt2 = Type.String({ pattern: "^-?\\d+\\.\\d\\d$", description: "fmt2: two decimals" });
const AmpsField = Type.Union([Type.Literal("0.00"), Type.Array(Fmt2, { minItems: 1, maxItems: 1 })]);
const dayFlags = (prefix: string): Record<string, ReturnType<typeof Type.Boolean>> =>
  Object.fromEntries(
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"].map((d) => [
      prefix === "" ? d.toLowerCase() : `${prefix}${d}`,
      Type.Boolean(),
    ]),
  );

/** getStatus (§6.1; keys in this order). */
export const StatusSchema = Type.Object({
  carsCharging: Type.Integer(),
  chargerLoadWatts: Fmt2,
  chargerLoadAmps: Type.Array(Fmt2, { minItems: 1, maxItems: 1 }),
  currentPolicy: Type.String({ description: '"None" when no policy is active' }),
  maxAmpsToDivideAmongSlaves: Fmt2,
  currentServerTime: Type.Optional(Type.String({ description: "only with settings.sendServerTime" })),
  consumptionAmps: AmpsField,
  consumptionWatts: Fmt2,
  generationAmps: AmpsField,
  generationWatts: Fmt2,
  isGreenPolicy: Type.Union([Type.Literal("Yes"), Type.Literal("No")]),
  scheduledChargingStartHour: Type.Integer(),
  scheduledChargingFlexStart: Type.Number(),
  scheduledChargingEndHour: Type.Number(),
  ScheduledCharging: Type.Object({
    enabled: Type.Boolean(),
    amps: Type.Integer(),
    startingMinute: Type.Integer(),
    endingMinute: Type.Integer(),
    ...dayFlags(""),
    flexStartEnabled: Type.Union([Type.Literal(0), Type.Literal(1)]),
    flexStartingMinute: Type.Integer(),
    flexEndingMinute: Type.Integer(),
    ...dayFlags("flex"),
    flexBatterySize: Type.Number(),
  }),
  chargeNowTimeEnd: Type.Optional(Type.Number({ description: "epoch seconds, only while in the future" })),
  chargeNowAmps: Type.Optional(Type.Number({ description: "only when > 0" })),
});

/** One getSlaveTWCs entry. */
export const SlaveTwcSchema = Type.Object({
  carsCharging: Type.Boolean(),
  chargerLoadInW: Type.Integer(),
  currentVIN: Type.String(),
  lastAmpsOffered: Type.Number(),
  lastHeartbeat: Type.Number(),
  lastVIN: Type.String(),
  lifetimekWh: Type.Integer(),
  maxAmps: Type.Number(),
  reportedAmpsActual: Type.Number(),
  state: Type.Integer(),
  version: Type.Integer(),
  voltsPhaseA: Type.Integer(),
  voltsPhaseB: Type.Integer(),
  voltsPhaseC: Type.Integer(),
  TWCID: Type.String(),
  chargeTime: Type.String({ description: '"H:MM:SS", "N days, H:MM:SS" or "--:--:--"' }),
});
/** getSlaveTWCs: per TWCID (link order) plus `total`. */
export const SlaveTwcsSchema = Type.Object(
  {
    total: Type.Object({
      carsCharging: Type.Integer(),
      lastAmpsOffered: Type.Number(),
      lifetimekWh: Type.Number(),
      maxAmps: Type.Number(),
      reportedAmpsActual: Type.Number(),
      TWCID: Type.Literal("total"),
    }),
  },
  { additionalProperties: SlaveTwcSchema },
);
/** getPolicy entries. */
export const PolicyEntrySchema = Type.Object(
  {
    name: Type.String(),
    match: Type.Array(Type.Unknown()),
    condition: Type.Array(Type.String()),
    value: Type.Array(Type.Unknown()),
  },
  { additionalProperties: true },
);
/** getConsumptionOffsets. */
export const OffsetsSchema = Type.Record(
  Type.String(),
  Type.Object({ value: Type.Number(), unit: Type.Union([Type.Literal("A"), Type.Literal("W")]) }),
);
/** getHistory (576 entries). */
export const LegacyHistorySchema = Type.Array(
  Type.Object({
    timestamp: Type.String({ pattern: "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[+-]\\d\\d:\\d\\d$" }),
    charger_power: Type.Integer({ minimum: 0, description: "W" }),
  }),
  { minItems: 576, maxItems: 576 },
);
/** `{"status":"success", …}` bodies. */
export const SuccessSchema = (
  extra: Parameters<typeof Type.Object>[0] = {},
): ReturnType<typeof Type.Object> => Type.Object({ status: Type.Literal("success"), ...extra });

// ---- v2 queries (§8.3, §8.4) ----

/** `hours` query of /api/v2/history. */
export const HoursQuery = Type.Integer({ minimum: 1, maximum: 2160, default: 48 });
/** `limit` query of /api/v2/sessions. */
export const LimitQuery = Type.Integer({ minimum: 1, maximum: 1000, default: 50 });
