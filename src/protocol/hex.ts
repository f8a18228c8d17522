/** Hex rendering and parsing of byte strings for logs, tests and debug commands. */

/** Bytes as upper-case hex pairs separated by single spaces, e.g. "FD 1B 41 42". */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += (s === "" ? "" : " ") + b.toString(16).toUpperCase().padStart(2, "0");
  return s;
}

/** Parses hex pairs, ignoring spaces, ':' and '-' separators; null when not an even number of hex digits. */
export function fromHex(text: string): Uint8Array | null {
  const clean = text.replace(/[\s:-]/g, "");
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return null;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}
