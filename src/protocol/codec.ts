/**
 * The frame codec (design.md §5, twc-protocol.md §2.1, §5.1): frames ⇄ payloads ⇄ wire bytes, driven by
 * the CODECS table. Decoding never throws (anything unmatched is `unknown`); encoding an invalid frame
 * throws TwcError("PROTOCOL_ENCODE_INVALID").
 */
import { ByteReader, ByteWriter } from "./bytes.ts";
import { checksum } from "./checksum.ts";
import { CODECS, invalid } from "./codec-table.ts";
import type { Codec, KnownKind } from "./codec-table.ts";
import { C0 } from "./constants.ts";
import type { Frame } from "./frames.ts";
import { escape } from "./slip.ts";

export { CODECS } from "./codec-table.ts";
export type { Codec, CodecTable, KnownKind } from "./codec-table.ts";
export { toHex } from "./hex.ts";

/** Kind by 16-bit type, built from CODECS. */
const KIND_BY_TYPE: ReadonlyMap<number, KnownKind> = new Map(
  (Object.keys(CODECS) as KnownKind[]).flatMap((kind) => CODECS[kind].types.map((t) => [t, kind] as const)),
);

/** The known kind of a 16-bit type, if any. */
export function kindOfType(type: number): KnownKind | undefined {
  return KIND_BY_TYPE.get(type);
}

function codecOf<K extends KnownKind>(kind: K): Codec<K> {
  return CODECS[kind];
}

/** Unescaped payload of a frame, WITHOUT checksum; `unknown` frames give their payload as is. */
export function encodePayload(frame: Frame): Uint8Array {
  if (frame.kind === "unknown") {
    if (!(frame.payload instanceof Uint8Array)) invalid("unknown frame needs a Uint8Array payload");
    return frame.payload.slice();
  }
  const codec: Codec<KnownKind> | undefined = codecOf(frame.kind);
  if (codec === undefined) invalid(`unknown frame kind ${String(frame.kind)}`);
  const w = new ByteWriter(20);
  try {
    codec.encode(frame, w);
  } catch (err) {
    if (err instanceof RangeError)
      invalid(`invalid ${frame.kind} frame: ${err.message}`, { kind: frame.kind });
    throw err;
  }
  return w.finish();
}

/** Wire bytes of an arbitrary payload: `C0 escape(payload ‖ checksum) C0`. */
export function encodeRawPayload(payload: Uint8Array): Uint8Array {
  const body = new Uint8Array(payload.length + 1);
  body.set(payload);
  body[payload.length] = checksum(payload);
  const esc = escape(body);
  const out = new Uint8Array(esc.length + 2);
  out[0] = C0;
  out.set(esc, 1);
  out[out.length - 1] = C0;
  return out;
}

/** Wire bytes of a frame: `C0 escape(payload ‖ checksum) C0` (no trailing FE). */
export function encodeFrame(frame: Frame): Uint8Array {
  return encodeRawPayload(encodePayload(frame));
}

/** The 16-bit type of a payload (missing bytes count as 0). */
export function typeOfPayload(payload: Uint8Array): number {
  return ((payload[0] ?? 0) << 8) | (payload[1] ?? 0);
}

/**
 * Decodes an unescaped body (payload ‖ checksum) that was already length- and checksum-verified.
 * Never throws: an unmatched type or length gives `{kind: "unknown", type, payload}` (payload without checksum).
 */
export function decodeBody(body: Uint8Array): Frame {
  const payload = body.slice(0, Math.max(0, body.length - 1));
  const type = typeOfPayload(payload);
  const unknown: Frame = { kind: "unknown", type, payload };
  if (payload.length < 2) return unknown;
  const kind = KIND_BY_TYPE.get(type);
  if (kind === undefined) return unknown;
  const codec = codecOf(kind);
  if (!codec.lengths.includes(body.length)) return unknown;
  try {
    return codec.decode(new ByteReader(payload, 2), body.length, type) ?? unknown;
  } catch {
    return unknown;
  }
}
