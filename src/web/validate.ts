/**
 * Client-side form checks that mirror the server's (pure; the server stays the authority). The
 * charging-rate rule is the server's own (shared/amps-rules.ts), said in the form's words.
 */
import { ampsAllowed, ampsRuleMessage, chargeNowRateRule, scheduleAmpsRule } from "../shared/amps-rules.ts";
import type { Days } from "../state/types.ts";
import { hhmmToMinute } from "./format.ts";
import { DAY_KEYS } from "./schedule-model.ts";

/** The schedule form as edited. */
export interface Draft {
  enabled: boolean;
  start: string;
  end: string;
  days: Days;
  amps: number;
  flexEnabled: boolean;
  battery: number;
}

/** Schedule checks with friendlier words; returns messages by field ("days" for the weekday group). */
export function checkDraft(d: Draft, minAmps: number, maxAmps: number): Record<string, string> {
  const e: Record<string, string> = {};
  const rule = scheduleAmpsRule(minAmps, maxAmps);
  if (!ampsAllowed(rule, d.amps)) e.amps = ampsRuleMessage(rule, "Charging rate", " A");
  if (!d.enabled) return e;
  const s = hhmmToMinute(d.start);
  const en = hhmmToMinute(d.end);
  if (s < 0) e.startingMinute = "Enter a start time";
  if (en < 0) e.endingMinute = "Enter an end time";
  if (s >= 0 && s === en) e.startingMinute = "Start and end times must differ";
  if (!DAY_KEYS.some((k) => d.days[k])) e.days = "Choose at least one day";
  if (d.amps === 0 && !e.amps) e.amps = `Enter the charging rate (${rule.min}–${rule.max} A)`;
  return e;
}

/** Charge Now's rate under the server's rule, in the form's words; null when allowed. */
export function checkChargeNowRate(rate: number, minAmps: number, maxAmps: number): string | null {
  const rule = chargeNowRateRule(minAmps, maxAmps);
  return ampsAllowed(rule, rate) ? null : ampsRuleMessage(rule, "Rate", " A");
}

/**
 * A server message in the form's words: the API field name it starts with (or quotes) replaced by the
 * form's label, e.g. "offsetValue must be a number" → "Value must be a number". Pure.
 */
export function inFormWords(message: string, labels: Readonly<Record<string, string>>): string {
  for (const [field, label] of Object.entries(labels)) {
    if (message === field) return label;
    if (message.startsWith(`${field} `)) return label + message.slice(field.length);
    const quoted = `value for '${field}' `;
    if (message.startsWith(quoted)) return `${label} ${message.slice(quoted.length)}`;
    if (message.includes(`'${field}'`)) return message.replace(`'${field}'`, label);
  }
  return message;
}

const HEX_MESSAGE = "customCommand must be hexadecimal bytes (2 to 32)";

/** A custom debug frame as the server checks it (spaces and colons ignored); null when valid. */
export function checkHex(s: string): string | null {
  const hex = s.replace(/[\s:]/g, "");
  if (hex === "") return "customCommand is required when commandName is Custom";
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0 || hex.length < 4 || hex.length > 64)
    return HEX_MESSAGE;
  return null;
}
