/** Client-side form checks that mirror the server's (pure; the server stays the authority). */
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
  if (!Number.isInteger(d.amps) || d.amps < 0 || d.amps > maxAmps)
    e.amps = `amps must be between 0 and ${maxAmps}`;
  else if (d.amps > 0 && d.amps < minAmps)
    e.amps = `Use 0 (off) or at least ${minAmps} A, the minimum a car accepts`;
  if (!d.enabled) return e;
  const s = hhmmToMinute(d.start);
  const en = hhmmToMinute(d.end);
  if (s < 0) e.startingMinute = "Enter a start time";
  if (en < 0) e.endingMinute = "Enter an end time";
  if (s >= 0 && s === en) e.startingMinute = "Start and end times must differ";
  if (!DAY_KEYS.some((k) => d.days[k])) e.days = "Choose at least one day";
  if (d.amps === 0 && !e.amps) e.amps = `Enter the charging rate (${minAmps}–${maxAmps} A)`;
  return e;
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
