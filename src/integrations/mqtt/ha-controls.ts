/**
 * The Home Assistant controls (issue 10 item 3): the commands that come back on `<prefix>/ha/<key>/set`
 * become calls of the commands facade, like HTTP's. Charge Now keeps the amps and duration chosen in
 * Home Assistant (starting from the running Charge Now, else the wiring limit and one hour); changing
 * either while Charge Now runs applies it at once. The control states are a pure function of the state
 * document and those two choices.
 */
import type { StateDocument } from "../../state/types.ts";
import type { ControlCommands } from "./control.ts";
import type { RejectReason } from "./control-parse.ts";
import { MAX_CHARGE_NOW_S, showPayload } from "./control-parse.ts";
import { HA_CONTROL_KEYS, NON_SCHEDULED_ACTIONS, controlStateTopic, type HaControlKey } from "./discovery.ts";
import { formatNumber } from "./status-topics.ts";

/** A validated Home Assistant command. */
export type HaCommand =
  | { kind: "chargeNowAmps"; amps: number }
  | { kind: "chargeNowDuration"; seconds: number }
  | { kind: "chargeNowStart" }
  | { kind: "chargeNowCancel" }
  | { kind: "nonScheduledAction"; action: 1 | 2 | 3 }
  | { kind: "nonScheduledAmpsMax"; amps: number }
  | { kind: "startCharging"; twcId?: number }
  | { kind: "stopCharging"; twcId?: number };

/** Result of parsing a Home Assistant command. */
export type ParsedHa =
  { ok: true; command: HaCommand } | { ok: false; reason: RejectReason; message: string };

const NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/;

function numberIn(
  text: string,
  what: string,
  min: number,
  max: number,
  integer: boolean,
): { ok: true; value: number } | ParsedHa {
  if (!NUMBER.test(text))
    return {
      ok: false,
      reason: "malformed",
      message: `${what} must be a number (found ${showPayload(text)})`,
    };
  const n = Number(text);
  if (integer && !Number.isInteger(n))
    return {
      ok: false,
      reason: "malformed",
      message: `${what} must be a whole number (found ${showPayload(text)})`,
    };
  if (n < min || n > max)
    return {
      ok: false,
      reason: "outOfRange",
      message: `${what} must be between ${min} and ${max} (found ${n})`,
    };
  return { ok: true, value: n };
}

/** `<TWCID>/startCharging` or `<TWCID>/stopCharging` (a charger's own buttons). */
const CHARGER_KEY = /^([0-9A-F]{4})\/(startCharging|stopCharging)$/;

/** Parses the payload of `<prefix>/ha/<key>/set` (or `<prefix>/ha/<TWCID>/<key>/set`); amps are bounded by `wiringMaxAmpsAllTWCs` (S-1). */
export function parseHaCommand(key: string, payload: string, wiringMaxAmpsAllTWCs: number): ParsedHa {
  const maxAmps = Math.floor(wiringMaxAmpsAllTWCs);
  const perCharger = CHARGER_KEY.exec(key);
  if (perCharger) {
    const kind = perCharger[2] === "startCharging" ? "startCharging" : "stopCharging";
    return { ok: true, command: { kind, twcId: Number.parseInt(perCharger[1] ?? "", 16) } };
  }
  if (!(HA_CONTROL_KEYS as readonly string[]).includes(key))
    return { ok: false, reason: "unknownTopic", message: `unknown control ${showPayload(key)}` };
  const k = key as HaControlKey;
  switch (k) {
    case "chargeNowAmps": {
      const r = numberIn(payload, "Charge now amps", 1, maxAmps, true);
      return "value" in r ? { ok: true, command: { kind: k, amps: r.value } } : r;
    }
    case "chargeNowDuration": {
      const r = numberIn(payload, "Charge now duration (h)", 0.25, MAX_CHARGE_NOW_S / 3600, false);
      return "value" in r ? { ok: true, command: { kind: k, seconds: Math.round(r.value * 3600) } } : r;
    }
    case "nonScheduledAmpsMax": {
      const r = numberIn(payload, "Non scheduled amps", 0, maxAmps, true);
      return "value" in r ? { ok: true, command: { kind: k, amps: r.value } } : r;
    }
    case "nonScheduledAction": {
      const label = NON_SCHEDULED_ACTIONS.findIndex((l) => l === payload.trim());
      const digit = ["1", "2", "3"].indexOf(payload.trim());
      const i = label >= 0 ? label : digit;
      if (i < 0)
        return {
          ok: false,
          reason: "malformed",
          message: `Non scheduled action must be one of ${NON_SCHEDULED_ACTIONS.join(", ")} (found ${showPayload(payload)})`,
        };
      return { ok: true, command: { kind: k, action: (i + 1) as 1 | 2 | 3 } };
    }
    case "chargeNowStart":
    case "chargeNowCancel":
    case "startCharging":
    case "stopCharging":
      return { ok: true, command: { kind: k } };
  }
}

/** The Charge Now amps and duration chosen in Home Assistant (null = not chosen yet). */
export interface ChargeNowChoice {
  amps: number | null;
  seconds: number | null;
}

/** Default Charge Now duration: one hour. */
export const DEFAULT_CHARGE_NOW_S = 3600;

/** The amps and seconds a Charge Now start would use now. */
export function chargeNowValues(
  doc: Readonly<StateDocument>,
  choice: ChargeNowChoice,
): { amps: number; seconds: number } {
  const w = Math.max(1, Math.floor(doc.budget.wiringMaxAmpsAllTWCs));
  const amps = choice.amps ?? (doc.chargeNow.active ? doc.chargeNow.amps : w);
  return {
    amps: Math.min(w, Math.max(1, Math.round(amps))),
    seconds: choice.seconds ?? DEFAULT_CHARGE_NOW_S,
  };
}

/** The retained states of the controls (topic → payload). */
export function controlStates(
  doc: Readonly<StateDocument>,
  prefix: string,
  choice: ChargeNowChoice,
): Map<string, string> {
  const v = chargeNowValues(doc, choice);
  const action = doc.schedule.nonScheduledAction;
  return new Map([
    [controlStateTopic(prefix, "chargeNowAmps"), formatNumber(v.amps)],
    [controlStateTopic(prefix, "chargeNowDuration"), formatNumber(v.seconds / 3600)],
    [
      controlStateTopic(prefix, "nonScheduledAction"),
      NON_SCHEDULED_ACTIONS[action - 1] ?? NON_SCHEDULED_ACTIONS[0],
    ],
    [controlStateTopic(prefix, "nonScheduledAmpsMax"), formatNumber(doc.schedule.nonScheduledAmps)],
  ]);
}

/**
 * Runs a Home Assistant command through the facade, updating `choice`; returns an error message when the
 * facade refused it. `nowMs` gives the time left of a running Charge Now.
 */
export function runHaCommand(
  cmd: HaCommand,
  doc: Readonly<StateDocument>,
  choice: ChargeNowChoice,
  commands: ControlCommands,
  nowMs: number,
): string | null {
  try {
    switch (cmd.kind) {
      case "chargeNowAmps":
      case "chargeNowDuration": {
        if (cmd.kind === "chargeNowAmps") choice.amps = cmd.amps;
        else choice.seconds = cmd.seconds;
        if (doc.chargeNow.active) {
          const v = chargeNowValues(doc, choice);
          const endsAt = doc.chargeNow.endsAt === null ? nowMs : Date.parse(doc.chargeNow.endsAt);
          const left = Math.max(1, Math.min(MAX_CHARGE_NOW_S, Math.ceil((endsAt - nowMs) / 1000)));
          commands.chargeNow(v.amps, cmd.kind === "chargeNowDuration" ? v.seconds : left);
        }
        return null;
      }
      case "chargeNowStart": {
        const v = chargeNowValues(doc, choice);
        commands.chargeNow(v.amps, v.seconds);
        return null;
      }
      case "chargeNowCancel":
        commands.cancelChargeNow();
        return null;
      case "nonScheduledAction":
        commands.setSetting("nonScheduledAction", cmd.action);
        return null;
      case "nonScheduledAmpsMax":
        commands.setSetting("nonScheduledAmpsMax", cmd.amps);
        return null;
      case "startCharging":
        if (cmd.twcId === undefined) commands.sendStartCommand();
        else commands.sendStartCommand(cmd.twcId);
        return null;
      case "stopCharging":
        if (cmd.twcId === undefined) commands.sendStopCommand(undefined, "mqtt");
        else commands.sendStopCommand(cmd.twcId, "mqtt");
        return null;
    }
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
