/** VIN parts and check digit (twc-protocol.md §5.1 #9, controller.md §13). */

/** Characters per VIN part: 1–7, 8–14, 15–17. */
const PART_RANGES = [
  [0, 7],
  [7, 14],
  [14, 17],
] as const;

const TRANSLIT: Readonly<Record<string, number>> = {
  A: 1,
  B: 2,
  C: 3,
  D: 4,
  E: 5,
  F: 6,
  G: 7,
  H: 8,
  J: 1,
  K: 2,
  L: 3,
  M: 4,
  N: 5,
  P: 7,
  R: 9,
  S: 2,
  T: 3,
  U: 4,
  V: 5,
  W: 6,
  X: 7,
  Y: 8,
  Z: 9,
};
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2] as const;

/** Characters of a vinReport data block up to the first 00; null if any of them is not printable ASCII (20–7E). */
export function vinPartChars(data: Uint8Array): string | null {
  let s = "";
  for (const b of data) {
    if (b === 0) break;
    if (b < 0x20 || b > 0x7e) return null;
    s += String.fromCharCode(b);
  }
  return s;
}

/** Joins the three VIN parts. */
export function joinVin(parts: readonly string[]): string {
  return parts.join("");
}

function charValue(c: string): number | null {
  if (c >= "0" && c <= "9") return c.charCodeAt(0) - 48;
  return TRANSLIT[c] ?? null;
}

/** True for a 17-character VIN (upper-cased first) whose 9th character is the correct check digit (X = 10). */
export function isValidVin(vin: string): boolean {
  if (vin.length !== 17) return false;
  const v = vin.toUpperCase();
  const check = v[8] === "X" ? 10 : v[8] !== undefined && v[8] >= "0" && v[8] <= "9" ? Number(v[8]) : null;
  if (check === null) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = charValue(v[i] ?? "");
    if (value === null) return false;
    sum += value * (WEIGHTS[i] ?? 0);
  }
  return sum % 11 === check;
}

/** The 11 data bytes of vinReport part `part` for `vin` (its characters of that part, zero padded). */
export function vinPartData(vin: string, part: 0 | 1 | 2): Uint8Array {
  const [from, to] = PART_RANGES[part];
  const out = new Uint8Array(11);
  const chars = vin.slice(from, to);
  for (let i = 0; i < chars.length; i++) out[i] = chars.charCodeAt(i) & 0xff;
  return out;
}
