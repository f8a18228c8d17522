/**
 * Number words for the explanations (explain.ts): amps, watts and volts as the dashboard writes them
 * ("4.6 A", "1,104 W", "3.70 kW", "240 V"), in English, locale-independent. Pure.
 */
import type { Why } from "./explain-types.ts";

/** Whole numbers with thousands separators: 1104 → "1,104". */
function grouped(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  const g = s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return n < 0 && Math.round(Math.abs(n)) !== 0 ? `−${g}` : g;
}

/** Amps with at most two decimals, trailing zeros dropped: "4.6 A", "16 A". */
export function amps(a: number): string {
  if (!Number.isFinite(a)) return "—";
  const r = Math.round(a * 100) / 100;
  const t = Object.is(r, -0) ? "0" : String(Number(r.toFixed(2)));
  return `${t.replace("-", "−")} A`;
}

/** Watts like the web's fmtW: "850 W" below 1 kW, "3.70 kW" from 1 kW on. */
export function watts(w: number): string {
  if (!Number.isFinite(w)) return "—";
  if (Math.abs(w) >= 1000) return `${(w / 1000).toFixed(2).replace("-", "−")} kW`;
  return `${grouped(w)} W`;
}

/** Whole watts with separators, for a calculation: "1,104 W". */
export function wholeWatts(w: number): string {
  return Number.isFinite(w) ? `${grouped(w)} W` : "—";
}

/** Signed watts: "+1.10 kW", "−500 W", "0 W". */
export function signedWatts(w: number): string {
  if (!Number.isFinite(w)) return "—";
  const s = watts(Math.abs(w));
  return Math.round(w) > 0 ? `+${s}` : Math.round(w) < 0 ? `−${s}` : s;
}

/** Volts: "240 V", "230.5 V". */
export function volts(v: number): string {
  return `${Number((Math.round(v * 10) / 10).toFixed(1))} V`;
}

/** A `Why` from a code, its params and the sentence. */
export function why(code: string, params: Why["params"], text: string): Why {
  return { code, params, text };
}
