/**
 * Field validation of the legacy POST bodies (http-api.md §4.4, §7), in the order the spec lists the
 * checks; the first failure is reported. Pure: returns values or the error status and message.
 */
import { coerceBooleanLike, coerceInteger, coerceNumber } from "../../config/coerce.ts";
import {
  ampsAllowed,
  ampsRuleMessage,
  chargeNowRateRule,
  scheduleAmpsRule,
  type AmpsRule,
} from "../../shared/amps-rules.ts";

/** A validated value or an error to send. */
export type Checked<T> = { ok: true; value: T } | { ok: false; status: number; message: string };

const fail = (message: string, status = 400): { ok: false; status: number; message: string } => ({
  ok: false,
  status,
  message,
});

const absent = (v: unknown): boolean => v === undefined || v === null;

function integerInRange(body: Record<string, unknown>, f: string, min: number, max: number): Checked<number> {
  const v = body[f];
  if (absent(v)) return fail(`${f} is required`);
  const c = coerceInteger(v);
  if (!c.ok) return fail(`${f} must be a number`);
  if (c.value < min || c.value > max) return fail(`${f} must be between ${min} and ${max}`);
  return { ok: true, value: c.value };
}

function numberInRange(body: Record<string, unknown>, f: string, min: number, max: number): Checked<number> {
  const v = body[f];
  if (absent(v)) return fail(`${f} is required`);
  const c = coerceNumber(v);
  if (!c.ok) return fail(`${f} must be a number`);
  if (c.value < min || c.value > max) return fail(`${f} must be between ${min} and ${max}`);
  return { ok: true, value: c.value };
}

/** An integer amps field under the shared rule (shared/amps-rules.ts); absent → `dflt` when given. */
function ampsField(body: Record<string, unknown>, f: string, rule: AmpsRule, dflt?: number): Checked<number> {
  const v = body[f];
  if (absent(v)) return dflt === undefined ? fail(`${f} is required`) : { ok: true, value: dflt };
  const c = coerceInteger(v);
  if (!c.ok) return fail(`${f} must be a number`);
  if (!ampsAllowed(rule, c.value)) return fail(ampsRuleMessage(rule, f));
  return { ok: true, value: c.value };
}

/**
 * POST chargeNow (§7.1). The rate follows the rule the web uses (shared/amps-rules.ts): `minAmps`
 * (config.minAmpsPerTWC) to `wiringMaxAll`; `minAmps` 1 is TWCManager's rule.
 */
export function checkChargeNow(
  body: Record<string, unknown>,
  wiringMaxAll: number,
  minAmps = 1,
): Checked<{ rate: number; duration: number }> {
  const rate = ampsField(body, "chargeNowRate", chargeNowRateRule(minAmps, wiringMaxAll));
  if (!rate.ok) return rate;
  const duration = integerInRange(body, "chargeNowDuration", 1, 31622400);
  if (!duration.ok) return duration;
  return { ok: true, value: { rate: rate.value, duration: duration.value } };
}

const FORBIDDEN_NAME_CHARS = `@#$%^&*"+<>;/'()=\\`;

/** POST addConsumptionOffset (§7.5); `existing` are the current offset names. */
export function checkAddOffset(
  body: Record<string, unknown>,
  existing: readonly string[],
): Checked<{ name: string; value: number; unit: "A" | "W" }> {
  const name = body.offsetName;
  if (absent(name)) return fail("offsetName is required");
  if (typeof name !== "string") return fail("offsetName must be a string");
  if (name.trim() === "") return fail("offsetName must not be empty");
  if ([...name].length > 31) return fail("offsetName must be at most 31 characters");
  for (const ch of name) {
    const code = ch.codePointAt(0) ?? 0;
    if (FORBIDDEN_NAME_CHARS.includes(ch) || code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
      return fail(`offsetName contains a forbidden character '${ch}'`);
    }
  }
  const value = numberInRange(body, "offsetValue", -1000000, 1000000);
  if (!value.ok) return value;
  const unit = body.offsetUnit;
  if (absent(unit)) return fail("offsetUnit is required");
  if (unit !== "A" && unit !== "W") return fail('offsetUnit must be "A" or "W"');
  if (!existing.includes(name) && existing.length >= 64)
    return fail("Too many consumption offsets (maximum 64)");
  return { ok: true, value: { name, value: value.value, unit } };
}

/** POST deleteConsumptionOffset (§7.6). */
export function checkDeleteOffset(
  body: Record<string, unknown>,
  existing: readonly string[],
): Checked<string> {
  const name = body.offsetName;
  if (typeof name !== "string" || name === "") return fail("offsetName is required and must be a string");
  if (!existing.includes(name)) return fail("Offset not found", 404);
  return { ok: true, value: name };
}

/** POST setConsumptionOffset (§7.7). */
export function checkSetLegacyOffset(body: Record<string, unknown>): Checked<number> {
  return numberInRange(body, "offset", -1000, 1000);
}

/** POST setLatLon (§7.11). */
export function checkLatLon(body: Record<string, unknown>): Checked<{ lat: number; lon: number }> {
  const lat = numberInRange(body, "lat", -90, 90);
  if (!lat.ok) return lat;
  const lon = numberInRange(body, "lon", -180, 180);
  if (!lon.ok) return lon;
  return { ok: true, value: { lat: lat.value, lon: lon.value } };
}

/** POST setPolicy (§7.12); `exists` tells whether a policy with that exact name exists. */
export function checkSetPolicy(
  body: Record<string, unknown>,
  exists: (name: string) => boolean,
): Checked<string> {
  const p = body.policy;
  if (absent(p)) return fail("policy field is required");
  if (typeof p !== "string") return fail("policy must be a string");
  if (p.trim() === "") return fail("policy cannot be empty");
  if (!exists(p)) return fail(`Policy '${p}' not found`, 400); // 400 like TWCManager and its test suite (issue 9)
  return { ok: true, value: p };
}

/** The schedule as stored in settings. */
export interface ScheduleSettings {
  scheduledAmpsMax: number;
  scheduledAmpsStartHour: number;
  scheduledAmpsEndHour: number;
  scheduledAmpsDaysBitmap: number;
  scheduledAmpsBatterySize: number;
  scheduledAmpsFlexStart: 0 | 1;
}

const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;

/**
 * POST setScheduledChargingSettings (§7.10): validated and converted to the settings patch. `amps` is 0
 * (off) or `minAmps`…`wiringMaxAll` (shared/amps-rules.ts; `minAmps` 1: TWCManager's 0…W).
 */
export function checkSchedule(
  body: Record<string, unknown>,
  wiringMaxAll: number,
  minAmps = 1,
): Checked<ScheduleSettings> {
  const bool = (f: string): Checked<boolean> => {
    const v = body[f];
    if (absent(v)) return { ok: true, value: false };
    const c = coerceBooleanLike(v);
    return c.ok ? { ok: true, value: c.value } : fail(`${f} must be a boolean`);
  };
  const int = (f: string, min: number, max: number, dflt: number): Checked<number> => {
    const v = body[f];
    if (absent(v)) return { ok: true, value: dflt };
    const c = coerceInteger(v);
    if (!c.ok) return fail(`${f} must be a number`);
    if (c.value < min || c.value > max) return fail(`${f} must be between ${min} and ${max}`);
    return { ok: true, value: c.value };
  };
  const enabled = bool("enabled");
  if (!enabled.ok) return enabled;
  const start = int("startingMinute", -1, 1439, -1);
  if (!start.ok) return start;
  const end = int("endingMinute", -1, 1439, -1);
  if (!end.ok) return end;
  const amps = ampsField(body, "amps", scheduleAmpsRule(minAmps, wiringMaxAll), 0);
  if (!amps.ok) return amps;
  let bitmap = 0;
  for (let i = 0; i < WEEKDAYS.length; i++) {
    const d = bool(WEEKDAYS[i]!);
    if (!d.ok) return d;
    if (d.value) bitmap |= 1 << i;
  }
  const flex = bool("flexStartEnabled");
  if (!flex.ok) return flex;
  let battery = 100;
  if (!absent(body.flexBatterySize)) {
    const c = coerceNumber(body.flexBatterySize);
    if (!c.ok) return fail("flexBatterySize must be a number");
    if (!(c.value > 0 && c.value <= 1000))
      return fail("flexBatterySize must be greater than 0 and at most 1000");
    battery = c.value;
  }
  if (enabled.value && start.value >= 0 && end.value >= 0 && start.value === end.value) {
    return fail("startingMinute and endingMinute must differ");
  }
  const off = !enabled.value || start.value < 0 || end.value < 0 || amps.value === 0 || bitmap === 0;
  return {
    ok: true,
    value: {
      scheduledAmpsMax: off ? 0 : amps.value,
      scheduledAmpsStartHour: off ? -1 : start.value / 60,
      scheduledAmpsEndHour: off ? -1 : end.value / 60,
      scheduledAmpsDaysBitmap: off ? 0 : bitmap,
      scheduledAmpsBatterySize: battery,
      scheduledAmpsFlexStart: flex.value ? 1 : 0,
    },
  };
}

/** A validated debug command (§7.13 checks 1–5; the caller does checks 6–10). */
export type DebugCommand =
  | { name: "GetFirmwareVersion"; twcId: number | null }
  | { name: "Custom"; payload: Uint8Array; twcId: number | null };

/** POST sendDebugCommand checks 1–5 (§7.13). */
export function checkDebugCommand(body: Record<string, unknown>): Checked<DebugCommand> {
  const name = body.commandName;
  if (typeof name !== "string" || name === "") return fail("commandName is required and must be a string");
  if (name !== "GetFirmwareVersion" && name !== "Custom") return fail(`Unknown commandName '${name}'`);
  let payload: Uint8Array | null = null;
  if (name === "Custom") {
    const cc = body.customCommand;
    if (typeof cc !== "string" || cc === "")
      return fail("customCommand is required when commandName is Custom");
    const hex = cc.replace(/[ :]/g, "");
    if (!/^([0-9a-fA-F]{2}){2,32}$/.test(hex))
      return fail("customCommand must be hexadecimal bytes (2 to 32)");
    payload = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  }
  let twcId: number | null = null;
  if (!absent(body.twcID)) {
    const t = body.twcID;
    if (typeof t !== "string" || !/^[0-9a-fA-F]{4}$/.test(t))
      return fail("twcID must be 4 hexadecimal digits");
    twcId = parseInt(t, 16);
  }
  return payload === null
    ? { ok: true, value: { name: "GetFirmwareVersion", twcId } }
    : { ok: true, value: { name: "Custom", payload, twcId } };
}

/** True when a raw payload may disable or crash a TWC (twc-protocol.md §5.4). */
export { isRefusedDebugPayload as isDangerousPayload } from "../../protocol/debug.ts";
