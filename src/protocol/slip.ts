/** SLIP-style escaping of frame bodies (twc-protocol.md §2). */
import { C0, DB, DC, DD } from "./constants.ts";

/** Escapes a body (payload ‖ checksum): C0 → DB DC, DB → DB DD. Delimiters are not added. */
export function escape(body: Uint8Array): Uint8Array {
  let extra = 0;
  for (const b of body) if (b === C0 || b === DB) extra++;
  const out = new Uint8Array(body.length + extra);
  let j = 0;
  for (const b of body) {
    if (b === C0) {
      out[j++] = DB;
      out[j++] = DC;
    } else if (b === DB) {
      out[j++] = DB;
      out[j++] = DD;
    } else {
      out[j++] = b;
    }
  }
  return out;
}

/** Result of unescape: the body, or not ok on an escape error. */
export type UnescapeResult = { ok: true; body: Uint8Array } | { ok: false };

/** Reverses escape(); DB followed by anything but DC/DD, or a trailing DB, is an escape error. */
export function unescape(bytes: Uint8Array): UnescapeResult {
  const out = new Uint8Array(bytes.length);
  let j = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== DB) {
      out[j++] = b ?? 0;
      continue;
    }
    const next = bytes[++i];
    if (next === DC) out[j++] = C0;
    else if (next === DD) out[j++] = DB;
    else return { ok: false };
  }
  return { ok: true, body: out.slice(0, j) };
}
