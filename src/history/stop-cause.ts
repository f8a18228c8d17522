/**
 * Who ended a charge session (issue 12 §9): the car, a user (web/API or MQTT stop command), the policy
 * (no current offered: the budget or the green energy ended), TWCManager stopping, or the lost link to
 * the charger. Pure: decided at the close from what the controller knew then.
 */

/** Who or what ended a session. */
export type StoppedBy = "car" | "userHttp" | "userMqtt" | "policy" | "controller" | "busLost";

/** Every StoppedBy value (the database keeps them as text). */
export const STOPPED_BY: readonly StoppedBy[] = [
  "car",
  "userHttp",
  "userMqtt",
  "policy",
  "controller",
  "busLost",
];

/** Where a user's stop command came from. */
export type StopVia = "http" | "mqtt";

/** A user's stop command is taken as the cause of a session ending this long after it (ms). */
export const USER_STOP_WINDOW_MS = 120_000;

/** What the controller knew when the session closed. */
export interface StopFacts {
  /** The controller's close reason. */
  reason: "stopped" | "linkLost" | "shutdown";
  startedAtMs: number;
  closedAtMs: number;
  /** The last offer to this charger (A; −1 unknown). */
  lastAmpsOffered: number;
  /** The lowest offer a car accepts on this charger (A). */
  minAmps: number;
  /** The controller sent this charger a stop command of its own (start-stop.ts). */
  stoppedByUs: boolean;
  /** The last user stop command for this charger (or for all), if any. */
  userStop: { atMs: number; via: StopVia } | null;
}

/** Decides who ended the session. */
export function stopCause(f: StopFacts): StoppedBy {
  if (f.reason === "linkLost") return "busLost";
  if (f.reason === "shutdown") return "controller";
  const u = f.userStop;
  if (u && u.atMs >= f.startedAtMs && u.atMs <= f.closedAtMs && f.closedAtMs - u.atMs <= USER_STOP_WINDOW_MS)
    return u.via === "mqtt" ? "userMqtt" : "userHttp";
  if (f.stoppedByUs || (f.lastAmpsOffered >= 0 && f.lastAmpsOffered < f.minAmps)) return "policy";
  return "car";
}

/** True for a StoppedBy value read back from storage. */
export function isStoppedBy(v: unknown): v is StoppedBy {
  return typeof v === "string" && (STOPPED_BY as readonly string[]).includes(v);
}
