/**
 * The one alert class: raised alerts keyed by code (and charger), used by the bus controller and by
 * the engine. Severities come from the table below only; `since` is the time an alert was first raised,
 * written by the injected formatter (ISO 8601 local time with offset, http-api §1).
 */
import { isoLocal } from "../policy/local-time.ts";
import type { Alert, AlertCode } from "../state/types.ts";

/** The severity of every alert code (the single place severities are defined). */
const SEVERITY: Readonly<Record<AlertCode, Alert["severity"]>> = {
  BUS_DISCONNECTED: "error",
  BUS_OPEN_FAILED: "error",
  NO_CHARGERS: "info",
  ENERGY_DATA_STALE: "warning",
  SETTINGS_SAVE_FAILED: "error",
  SETTINGS_RECOVERED: "warning",
  HISTORY_UNAVAILABLE: "warning",
  WIRING_ABOVE_RATING: "error",
  MIN_ABOVE_WIRING: "warning",
  CHARGER_ERROR_STATE: "warning",
  FOREIGN_MASTER: "error",
  TOO_MANY_SLAVES: "warning",
  STOP_NOT_POSSIBLE: "warning",
  HTTP_PUBLIC_WITHOUT_AUTH: "warning",
  FRAME_REFUSED_UNSAFE: "error",
  BUS_WRITE_STALLED: "error",
  BUS_REPLIES_LOW: "warning",
  IMPLAUSIBLE_READING: "warning",
  MODULE_FAILED: "warning",
  VEHICLE_AUTH_REQUIRED: "error",
  VEHICLE_COMMAND_PROTOCOL_REQUIRED: "error",
  VEHICLE_API_BACKOFF: "warning",
  VEHICLE_BLE_UNAVAILABLE: "warning",
};

/** The severity of an alert code (for alerts raised outside an AlertSet, e.g. by the vehicle modules). */
export function alertSeverity(code: AlertCode): Alert["severity"] {
  return SEVERITY[code];
}

/** Formats epoch milliseconds as the `since` string of an alert. */
export type AlertTimeFormat = (ms: number) => string;

/** Raised alerts in raise order, keyed by code and charger (`twcId` as 4 hex digits). */
export class AlertSet {
  private readonly raised = new Map<string, Alert>();

  /** `iso` formats `since`; the default is local time with offset in the process's time zone. */
  constructor(private readonly iso: AlertTimeFormat = (ms) => isoLocal(ms)) {}

  private static key(code: AlertCode, twcId: string | undefined): string {
    return twcId === undefined ? code : `${code}:${twcId}`;
  }

  /** Raises (or refreshes the message of) an alert, keeping the first `since`; true when the set changed. */
  raise(code: AlertCode, message: string, atMs: number, twcId?: string): boolean {
    const key = AlertSet.key(code, twcId);
    const prev = this.raised.get(key);
    if (prev && prev.message === message) return false;
    const alert: Alert = { code, severity: SEVERITY[code], message, since: prev?.since ?? this.iso(atMs) };
    if (twcId !== undefined) alert.twcId = twcId;
    this.raised.set(key, alert);
    return true;
  }

  /** Clears an alert; true when it was raised. */
  clear(code: AlertCode, twcId?: string): boolean {
    return this.raised.delete(AlertSet.key(code, twcId));
  }

  /** Raises (`on`) or clears an alert; true when the set changed. */
  set(code: AlertCode, on: boolean, message: string, atMs: number, twcId?: string): boolean {
    return on ? this.raise(code, message, atMs, twcId) : this.clear(code, twcId);
  }

  /** True when the alert is raised (for any charger when `twcId` is omitted). */
  has(code: AlertCode, twcId?: string): boolean {
    if (twcId !== undefined) return this.raised.has(AlertSet.key(code, twcId));
    for (const a of this.raised.values()) if (a.code === code) return true;
    return false;
  }

  /** A snapshot of the raised alerts in the order they were first raised. */
  list(): Alert[] {
    return [...this.raised.values()].map((a) => ({ ...a }));
  }
}
