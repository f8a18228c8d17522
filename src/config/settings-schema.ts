/**
 * The typed keys of settings.json (config.md §2.2, http-api.md §7.9): type, range (some depend on
 * W = wiringMaxAmpsAllTWCs), default, whether setSetting may change them, and the wording of the
 * `value for '<k>' must be <description>` message. Drives settings normalisation and setSetting. Pure.
 */
import { coerceBooleanLike, coerceInteger, coerceNumber, type Coerced } from "./coerce.ts";

/** One typed settings key. */
export interface SettingSpec {
  key: string;
  /** Coerces (http-api.md §4.4) and range-checks a value; the result is what gets stored. */
  check(value: unknown, w: number): Coerced<unknown>;
  /** What a valid value is, e.g. "1, 2 or 3". */
  describe(w: number): string;
  /** Default value; undefined = the key is absent by default. */
  default: unknown;
  /** May POST /api/setSetting change it? */
  setSetting: boolean;
  /** Human description of the key. */
  meaning: string;
}

/** A consumption offset (config.md §2.2). */
export interface ConsumptionOffset {
  value: number;
  unit: "A" | "W";
}

/** A vehicle group. */
export interface VehicleGroup {
  Description: string;
  "Built-in": number;
  Members: string[];
  [key: string]: unknown;
}

/** settings.json after normalisation: typed keys plus any preserved or custom key. */
export interface Settings {
  chargeNowAmps: number;
  chargeNowTimeEnd: number;
  chargeStopMode: number;
  chargeRateControl: number;
  chargeAuthorizationMode: number;
  homeLat: number;
  homeLon: number;
  hourResumeTrackGreenEnergy: number;
  kWhDelivered: number;
  nonScheduledAction: number;
  nonScheduledAmpsMax: number;
  respondToSlaves: number;
  respondToSlavesExpiry: number;
  scheduledAmpsMax: number;
  scheduledAmpsStartHour: number;
  scheduledAmpsEndHour: number;
  scheduledAmpsDaysBitmap: number;
  scheduledAmpsFlexStart: number;
  scheduledAmpsBatterySize: number;
  sendServerTime: number;
  spikeAmpsProactively: number;
  spikeAmpsReactively: number;
  sunrise: number;
  sunset: number;
  greenEnergyAmpsOffset?: number;
  enableDebugCommands: boolean;
  webControlTheme?: string;
  commandPolicy?: "prefer_ble" | "ble_only" | "api_only";
  consumptionOffset: Record<string, ConsumptionOffset>;
  VehicleGroups: Record<string, VehicleGroup>;
  Vehicles: Record<string, unknown>;
  SlaveTWCs: Record<string, unknown>;
  installationNodeId?: string;
  [key: string]: unknown;
}

/** Keys that setSetting must refuse (http-api.md §7.9). */
export const PROTECTED_SETTING_KEYS: readonly string[] = [
  "consumptionOffset",
  "VehicleGroups",
  "Vehicles",
  "SlaveTWCs",
  "history",
  "installationNodeId",
  "respondToSlavesExpiry",
  "carApiBearerToken",
  "carApiRefreshToken",
  "carApiTokenExpireTime",
  "chargeLimits",
  "Schedule",
  "schedulePerDay",
  "Graphs",
];

const NO: { ok: false } = { ok: false };
const yes = <T>(value: T): Coerced<T> => ({ ok: true, value });

function numberSpec(
  key: string,
  meaning: string,
  dflt: number | undefined,
  range: (w: number) => [number, number] | null,
  setSetting = true,
): SettingSpec {
  return {
    key,
    meaning,
    default: dflt,
    setSetting,
    check(v, w) {
      const c = coerceNumber(v);
      if (!c.ok) return NO;
      const r = range(w);
      return r === null || (c.value >= r[0] && c.value <= r[1]) ? c : NO;
    },
    describe(w) {
      const r = range(w);
      if (r === null) return "a number";
      if (r[1] === Infinity) return `a number ≥ ${String(r[0])}`;
      return `a number between ${String(r[0])} and ${String(r[1])}`;
    },
  };
}

function listText(items: readonly (string | number)[]): string {
  const s = items.map(String);
  return s.length <= 1 ? s.join("") : `${s.slice(0, -1).join(", ")} or ${s[s.length - 1] ?? ""}`;
}

function special(
  key: string,
  meaning: string,
  dflt: unknown,
  describe: string,
  check: (v: unknown) => Coerced<unknown>,
): SettingSpec {
  return { key, meaning, default: dflt, setSetting: true, check, describe: () => describe };
}

function choiceSpec(key: string, meaning: string, dflt: number, choices: readonly number[]): SettingSpec {
  return special(key, meaning, dflt, listText(choices), (v) => {
    const c = coerceInteger(v);
    return c.ok && choices.includes(c.value) ? c : NO;
  });
}

function intSpec(key: string, meaning: string, dflt: number, min: number, max: number): SettingSpec {
  return special(key, meaning, dflt, `an integer between ${String(min)} and ${String(max)}`, (v) => {
    const c = coerceInteger(v);
    return c.ok && c.value >= min && c.value <= max ? c : NO;
  });
}

function flagSpec(key: string, meaning: string, dflt: 0 | 1): SettingSpec {
  return special(key, meaning, dflt, "0 or 1", (v) => {
    const b = coerceBooleanLike(v);
    return b.ok ? yes(b.value ? 1 : 0) : NO;
  });
}

const upToW = (w: number): [number, number] => [0, w];
const coord =
  (limit: number) =>
  (v: unknown): Coerced<unknown> => {
    const c = coerceNumber(v);
    return c.ok && ((c.value >= -limit && c.value <= limit) || c.value === 10000) ? c : NO;
  };
const hour = (v: unknown): Coerced<unknown> => {
  const c = coerceNumber(v);
  return c.ok && (c.value === -1 || (c.value >= 0 && c.value < 24)) ? c : NO;
};

/** Every typed settings key, in the order of config.md §2.2. */
export const SETTING_SPECS: readonly SettingSpec[] = [
  numberSpec("chargeNowAmps", "Charge Now amps", 0, upToW),
  numberSpec("chargeNowTimeEnd", "Charge Now end (epoch seconds)", 0, () => [0, Infinity]),
  choiceSpec(
    "chargeStopMode",
    "1 vehicle API / 2 stop responding to slaves / 3 TWC stop command",
    1,
    [1, 2, 3],
  ),
  choiceSpec("chargeRateControl", "1 TWC / 2 vehicle API / 3 mixed", 1, [1, 2, 3]),
  choiceSpec(
    "chargeAuthorizationMode",
    "1 allow unless in Deny Charging / 2 only if in Allow Charging",
    1,
    [1, 2],
  ),
  special(
    "homeLat",
    "home latitude (10000 = unknown)",
    10000,
    "a number between -90 and 90, or 10000",
    coord(90),
  ),
  special(
    "homeLon",
    "home longitude (10000 = unknown)",
    10000,
    "a number between -180 and 180, or 10000",
    coord(180),
  ),
  intSpec("hourResumeTrackGreenEnergy", "green tracking allowed from this hour", -1, -1, 23),
  numberSpec("kWhDelivered", "fake-slave energy counter", 119, () => [0, Infinity]),
  choiceSpec(
    "nonScheduledAction",
    "1 charge at nonScheduledAmpsMax / 2 do not charge / 3 track green all day",
    1,
    [1, 2, 3],
  ),
  numberSpec("nonScheduledAmpsMax", "Non Scheduled Charging amps", 0, upToW),
  flagSpec("respondToSlaves", "0 = heartbeats suppressed until respondToSlavesExpiry", 1),
  numberSpec("respondToSlavesExpiry", "end of stop-responding mode (epoch seconds)", 0, () => null, false),
  numberSpec("scheduledAmpsMax", "scheduled amps", 0, upToW),
  special(
    "scheduledAmpsStartHour",
    "schedule start (fractional hours)",
    -1,
    "-1 or a number ≥ 0 and < 24",
    hour,
  ),
  special("scheduledAmpsEndHour", "schedule end (fractional hours)", -1, "-1 or a number ≥ 0 and < 24", hour),
  intSpec("scheduledAmpsDaysBitmap", "bit 0 Monday … bit 6 Sunday", 127, 0, 127),
  flagSpec("scheduledAmpsFlexStart", "flex start enabled", 0),
  special(
    "scheduledAmpsBatterySize",
    "flex start battery size (kWh)",
    100,
    "a number > 0 and ≤ 1000",
    (v) => {
      const c = coerceNumber(v);
      return c.ok && c.value > 0 && c.value <= 1000 ? c : NO;
    },
  ),
  flagSpec("sendServerTime", "include currentServerTime in getStatus", 0),
  flagSpec("spikeAmpsProactively", "spike amps proactively", 1),
  flagSpec("spikeAmpsReactively", "spike amps reactively", 1),
  intSpec("sunrise", "sunrise hour", 6, 0, 23),
  intSpec("sunset", "sunset hour", 20, 0, 23),
  numberSpec(
    "greenEnergyAmpsOffset",
    "legacy amps offset (overrides config.greenEnergyAmpsOffset)",
    undefined,
    () => [-1000, 1000],
  ),
  special("enableDebugCommands", "allows sendDebugCommand", false, "a boolean", (v) => coerceBooleanLike(v)),
  special(
    "webControlTheme",
    "accepted for compatibility, unused",
    undefined,
    "a string of at most 32 characters",
    (v) => (typeof v === "string" && v.length <= 32 ? yes(v) : NO),
  ),
  special("commandPolicy", "vehicle modules only", undefined, "prefer_ble, ble_only or api_only", (v) =>
    v === "prefer_ble" || v === "ble_only" || v === "api_only" ? yes(v) : NO,
  ),
];

/** Typed keys by name. */
export const SETTING_SPEC_BY_KEY: ReadonlyMap<string, SettingSpec> = new Map(
  SETTING_SPECS.map((s) => [s.key, s]),
);

/** The built-in vehicle groups created when missing. */
export function builtInVehicleGroups(): Record<string, VehicleGroup> {
  return {
    "Allow Charging": {
      Description: "Built-in Group - Vehicles in this Group can charge on managed TWCs",
      "Built-in": 1,
      Members: [],
    },
    "Deny Charging": {
      Description: "Built-in Group - Vehicles in this Group cannot charge on managed TWCs",
      "Built-in": 1,
      Members: [],
    },
  };
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** http-api.md §7.9 name rule for setSetting keys: the error message, or null when the name is valid. */
export function checkSettingName(name: string): string | null {
  if (!NAME_RE.test(name) || name === "constructor" || name === "prototype") {
    return "setting must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter";
  }
  return null;
}

/** Maximum serialised size of a custom (unknown-key) value. */
export const MAX_CUSTOM_VALUE_BYTES = 4096;

/**
 * setSetting value validation (http-api.md §7.9): protected keys are refused, typed keys are coerced and
 * range-checked (value stored with its proper type), unknown keys are accepted as given up to 4096 bytes.
 */
export function validateSettingValue(
  key: string,
  value: unknown,
  w: number,
): { ok: true; value: unknown } | { ok: false; message: string } {
  if (PROTECTED_SETTING_KEYS.includes(key))
    return { ok: false, message: `setting '${key}' cannot be changed with setSetting` };
  const spec = SETTING_SPEC_BY_KEY.get(key);
  if (spec) {
    const r = spec.check(value, w);
    return r.ok
      ? { ok: true, value: r.value }
      : { ok: false, message: `value for '${key}' must be ${spec.describe(w)}` };
  }
  const size = new TextEncoder().encode(JSON.stringify(value) ?? "").length;
  if (size > MAX_CUSTOM_VALUE_BYTES)
    return { ok: false, message: `value is too large (maximum ${MAX_CUSTOM_VALUE_BYTES} bytes)` };
  return { ok: true, value };
}
