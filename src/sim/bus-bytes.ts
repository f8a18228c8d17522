/**
 * Byte-level helpers of the simulated bus: the seeded PRNG, reply encoding through the production
 * codec, checksum corruption and noise generation. Pure (the PRNG is a closure over its seed).
 */
import type { Frame } from "../protocol/frames.ts";
import { encodeFrame } from "../protocol/codec.ts";
import { escape, unescape } from "../protocol/slip.ts";
import { mulberry32 } from "../shared/random.ts";

export { mulberry32 };

/** The wire bytes of a reply (C0 … C0, without the trailing FE). */
export function encodeReply(frame: Frame): Uint8Array {
  return encodeFrame(frame);
}

/** The same wire frame with a wrong checksum (still correctly escaped, so only the checksum fails). */
export function corruptChecksum(wire: Uint8Array): Uint8Array {
  const inner = unescape(wire.subarray(1, wire.length - 1));
  if (!inner.ok || inner.body.length === 0) return wire;
  const body = inner.body.slice();
  const last = body.length - 1;
  body[last] = ((body[last] ?? 0) + 1) & 0xff;
  const esc = escape(body);
  const out = new Uint8Array(esc.length + 2);
  out[0] = 0xc0;
  out.set(esc, 1);
  out[out.length - 1] = 0xc0;
  return out;
}

/** `count` random bytes, none of them C0 (so noise never opens a frame). */
export function noise(rng: () => number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let b = Math.floor(rng() * 255); // 0..254
    if (b >= 0xc0) b++; // skip C0: 0..BF, C1..FF
    out[i] = b;
  }
  return out;
}
