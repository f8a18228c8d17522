/** Number formatting of the legacy views (http-api.md §1): fmt2 and round2. Pure. */

/**
 * `x` with exactly two decimals as C's printf("%.2f") prints it: correctly rounded from the binary
 * value, exact ties to even, never "-0.00". Non-finite input prints "0.00".
 */
export function fmt2(x: number): string {
  if (!Number.isFinite(x)) return "0.00";
  const neg = x < 0;
  const a = Math.abs(x);
  let s: string;
  // An exact binary tie at the third decimal is only possible for multiples of 1/8 (…125, …375, …).
  if (Number.isInteger(a * 8) && !Number.isInteger(a * 4) && a < 2 ** 50) {
    const hundredths = Math.floor(a * 100); // exact: a*100 = k + 0.5
    const rounded = hundredths % 2 === 0 ? hundredths : hundredths + 1;
    s = (rounded / 100).toFixed(2);
  } else {
    s = a.toFixed(2);
  }
  if (neg && s !== "0.00") return "-" + s;
  return s;
}

export { round2 } from "../shared/numbers.ts";

/** Seconds as the legacy charge time: `H:MM:SS`, `1 day, H:MM:SS`, `N days, H:MM:SS`. */
export function chargeTime(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const days = Math.floor(total / 86400);
  const rest = total % 86400;
  const h = Math.floor(rest / 3600);
  const m = Math.floor((rest % 3600) / 60);
  const s = rest % 60;
  const hms = `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  if (days === 0) return hms;
  return `${days} ${days === 1 ? "day" : "days"}, ${hms}`;
}
