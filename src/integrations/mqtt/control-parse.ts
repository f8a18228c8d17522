/**
 * Parsing of MQTT control messages (config.md §5.1, controller.md §19): topic and payload to a command,
 * or the reason it is refused. Pure.
 */

/** Longest Charge Now (s): 366 days, as HTTP `chargeNow`. */
export const MAX_CHARGE_NOW_S = 31_622_400;

/** A validated control command. */
export type ControlCommand =
  | { kind: "chargeNow"; amps: number; seconds: number }
  | { kind: "chargeNowEnd" }
  | { kind: "stop" }
  | { kind: "nonScheduledAmpsMax"; amps: number }
  | { kind: "nonScheduledAction"; action: 1 | 2 | 3 };

/** Why a message was refused (the counter label). */
export type RejectReason = "retained" | "unknownTopic" | "malformed" | "outOfRange" | "failed";

/** Result of parsing one message. */
export type ParsedControl =
  { ok: true; command: ControlCommand } | { ok: false; reason: RejectReason; message: string };

/** The control topic names, in the order of config.md §5.1. */
export const CONTROL_TOPICS = [
  "chargeNow",
  "chargeNowEnd",
  "stop",
  "nonScheduledAmpsMax",
  "nonScheduledAction",
] as const;

/** One of {@link CONTROL_TOPICS}. */
export type ControlTopic = (typeof CONTROL_TOPICS)[number];

const INT = /^\s*\+?(\d{1,12})\s*$/;

const refuse = (reason: RejectReason, message: string): ParsedControl => ({ ok: false, reason, message });

/** A short, printable rendering of a payload for logs. */
export function showPayload(payload: string): string {
  return JSON.stringify(payload.length > 40 ? `${payload.slice(0, 40)}…` : payload);
}

function integerIn(
  text: string,
  what: string,
  min: number,
  max: number,
): { ok: true; value: number } | ParsedControl {
  const m = INT.exec(text);
  if (!m?.[1]) return refuse("malformed", `${what} must be an integer (found ${showPayload(text)})`);
  const n = Number(m[1]);
  if (n < min || n > max)
    return refuse("outOfRange", `${what} must be between ${min} and ${max} (found ${n})`);
  return { ok: true, value: n };
}

/**
 * Parses the message of `<prefix>/control/<name>`; `wiringMaxAmpsAllTWCs` bounds the amps (S-1: Charge
 * Now above the wiring is refused).
 */
export function parseControl(name: string, payload: string, wiringMaxAmpsAllTWCs: number): ParsedControl {
  const maxAmps = Math.floor(wiringMaxAmpsAllTWCs);
  switch (name) {
    case "chargeNow": {
      const parts = payload.split(",");
      if (parts.length !== 2)
        return refuse("malformed", `chargeNow expects "<amps>,<seconds>" (found ${showPayload(payload)})`);
      const amps = integerIn(parts[0] ?? "", "chargeNow amps", 1, maxAmps);
      if (!("value" in amps)) return amps;
      const seconds = integerIn(parts[1] ?? "", "chargeNow seconds", 1, MAX_CHARGE_NOW_S);
      if (!("value" in seconds)) return seconds;
      return { ok: true, command: { kind: "chargeNow", amps: amps.value, seconds: seconds.value } };
    }
    case "chargeNowEnd":
      return { ok: true, command: { kind: "chargeNowEnd" } };
    case "stop":
      return { ok: true, command: { kind: "stop" } };
    case "nonScheduledAmpsMax": {
      const amps = integerIn(payload, "nonScheduledAmpsMax", 0, maxAmps);
      if (!("value" in amps)) return amps;
      return { ok: true, command: { kind: "nonScheduledAmpsMax", amps: amps.value } };
    }
    case "nonScheduledAction": {
      const a = integerIn(payload, "nonScheduledAction", 1, 3);
      if (!("value" in a)) return a;
      return { ok: true, command: { kind: "nonScheduledAction", action: a.value as 1 | 2 | 3 } };
    }
    default:
      return refuse("unknownTopic", `unknown control topic ${showPayload(name)}`);
  }
}
