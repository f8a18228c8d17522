/** The set of raised alerts, keyed by code and TWC (idempotent raise keeps the original `since`). */
import { twcIdHex } from "../protocol/frames.ts";
import type { TwcId } from "../protocol/frames.ts";
import type { Alert, AlertCode } from "../state/types.ts";

/** Raised alerts in raise order. */
export class AlertBook {
  private readonly items = new Map<string, Alert>();

  private static key(code: AlertCode, twcId: TwcId | undefined): string {
    return twcId === undefined ? code : `${code}:${twcIdHex(twcId)}`;
  }

  /** Raises (or refreshes the message of) an alert; true when the set changed. */
  raise(
    code: AlertCode,
    severity: Alert["severity"],
    message: string,
    nowMs: number,
    twcId?: TwcId,
  ): boolean {
    const key = AlertBook.key(code, twcId);
    const prev = this.items.get(key);
    if (prev && prev.message === message && prev.severity === severity) return false;
    const alert: Alert = { code, severity, message, since: prev?.since ?? new Date(nowMs).toISOString() };
    if (twcId !== undefined) alert.twcId = twcIdHex(twcId);
    this.items.set(key, alert);
    return true;
  }

  /** Clears an alert; true when it was raised. */
  clear(code: AlertCode, twcId?: TwcId): boolean {
    return this.items.delete(AlertBook.key(code, twcId));
  }

  /** True when the alert is raised. */
  has(code: AlertCode, twcId?: TwcId): boolean {
    return this.items.has(AlertBook.key(code, twcId));
  }

  /** A snapshot of the raised alerts. */
  list(): readonly Alert[] {
    return [...this.items.values()].map((a) => ({ ...a }));
  }
}
