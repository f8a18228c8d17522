/**
 * Pure decoding of Modbus register words (16-bit unsigned values as the client returns them): signed
 * int16, SunSpec scale factors with their "not implemented" markers (energy-sources.md §5.5), 32-bit
 * IEEE-754 floats in either word order and ASCII strings (Kostal, §17).
 */

/** SunSpec "not implemented" marker of int16 values and scale factors. */
export const SUNSPEC_INT16_NA = 0x8000;
/** SunSpec "not implemented" marker of uint16 values. */
export const SUNSPEC_UINT16_NA = 0xffff;

/** Word order of 32-bit values: "ABCD" big-endian (high word first), "CDAB" little-endian (low word first). */
export type WordOrder = "ABCD" | "CDAB";

/** A register word as a signed 16-bit integer. */
export function int16(word: number): number {
  const w = word & 0xffff;
  return w >= 0x8000 ? w - 0x10000 : w;
}

/** A SunSpec int16 value, or null for the "not implemented" marker. */
export function sunspecInt16(word: number): number | null {
  return (word & 0xffff) === SUNSPEC_INT16_NA ? null : int16(word);
}

/** A SunSpec uint16 value, or null for the "not implemented" marker. */
export function sunspecUint16(word: number): number | null {
  const w = word & 0xffff;
  return w === SUNSPEC_UINT16_NA ? null : w;
}

/** `value × 10^scale` truncated to an integer, as upstream's `int(value * 10 ** scale)`. */
export function scaledInt(value: number, scale: number): number {
  const v = value * 10 ** scale;
  // Round away binary noise (e.g. 23510 × 10^-1 = 2350.9999…) before truncating.
  const cleaned = Math.round(v * 1e6) / 1e6;
  return Math.trunc(cleaned) === 0 ? 0 : Math.trunc(cleaned);
}

/** A 32-bit IEEE-754 float from two register words in the given word order. */
export function float32(words: readonly number[], order: WordOrder): number {
  const [a = 0, b = 0] = words;
  const hi = order === "ABCD" ? a : b;
  const lo = order === "ABCD" ? b : a;
  const buf = new DataView(new ArrayBuffer(4));
  buf.setUint16(0, hi & 0xffff);
  buf.setUint16(2, lo & 0xffff);
  return buf.getFloat32(0);
}

/** The two register words of `value` as a 32-bit float in the given word order (tests and fakes). */
export function float32Words(value: number, order: WordOrder): [number, number] {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setFloat32(0, value);
  const hi = buf.getUint16(0);
  const lo = buf.getUint16(2);
  return order === "ABCD" ? [hi, lo] : [lo, hi];
}

/** An ASCII string packed two characters per register (high byte first), NULs and padding trimmed. */
export function registerString(words: readonly number[]): string {
  let s = "";
  for (const w of words) s += String.fromCharCode((w >> 8) & 0xff, w & 0xff);
  // eslint-disable-next-line no-control-regex -- NUL padding is what the device sends after the text
  return s.replace(/\u0000.*$/s, "").trim();
}

/** The registers of an ASCII string (tests and fakes), padded with NULs to `length` words. */
export function stringWords(text: string, length: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < length; i++)
    out.push(((text.charCodeAt(2 * i) || 0) << 8) | (text.charCodeAt(2 * i + 1) || 0));
  return out;
}
