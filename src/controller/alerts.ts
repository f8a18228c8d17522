/** Engine-level alerts (those not owned by the bus controller), with stable `since` times. */
import type { Alert, AlertCode } from "../state/types.ts";

const SEVERITY: Record<AlertCode, Alert["severity"]> = {
  BUS_DISCONNECTED: "error",
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
};

/** A set of raised alerts keyed by code (and charger). */
export class AlertSet {
  private readonly raised = new Map<string, Alert>();

  /** Raises or clears an alert; `since` stays the time it was first raised. */
  set(code: AlertCode, on: boolean, message: string, sinceIso: string, twcId?: string): void {
    const key = twcId === undefined ? code : `${code}:${twcId}`;
    if (!on) {
      this.raised.delete(key);
      return;
    }
    const prev = this.raised.get(key);
    const alert: Alert = { code, severity: SEVERITY[code], message, since: prev?.since ?? sinceIso };
    if (twcId !== undefined) alert.twcId = twcId;
    this.raised.set(key, alert);
  }

  /** True when the alert is raised. */
  has(code: AlertCode): boolean {
    for (const a of this.raised.values()) if (a.code === code) return true;
    return false;
  }

  /** All raised alerts in the order they were raised. */
  list(): Alert[] {
    return [...this.raised.values()];
  }
}
