/**
 * The codec table (design.md §5, twc-protocol.md §5.1): per frame kind the 16-bit types, the accepted
 * unescaped lengths (incl. checksum) and a decode/encode pair on byte cursors. Encoders throw
 * TwcError("PROTOCOL_ENCODE_INVALID") or RangeError (from ByteWriter) on invalid frames.
 */
import type { ByteReader, ByteWriter } from "./bytes.ts";
import { TYPE, VIN_REPORT_TYPES, VIN_REQUEST_TYPES } from "./constants.ts";
import { TwcError } from "./errors.ts";
import { twcId } from "./frames.ts";
import type { FrameKind, FrameOf, MasterCommand } from "./frames.ts";

/** Every frame kind with a fixed layout. */
export type KnownKind = Exclude<FrameKind, "unknown">;

/** Codec of one frame kind. */
export interface Codec<K extends KnownKind> {
  /** 16-bit types decoded to this kind (class byte << 8 | type byte); the first is used for encoding unless the frame selects one. */
  readonly types: readonly number[];
  /** Accepted unescaped lengths including the checksum byte. */
  readonly lengths: readonly number[];
  /** Decodes the payload after the two type bytes; null when the content does not fit this kind. */
  decode(r: ByteReader, length: number, type: number): FrameOf<K> | null;
  /** Writes the whole payload (type bytes included, checksum excluded). */
  encode(frame: FrameOf<K>, w: ByteWriter): void;
}

/** The codec table type: one codec per known kind. */
export type CodecTable = { readonly [K in KnownKind]: Codec<K> };

/** Data bytes of a firmware request after `M S` (twc-protocol.md §5.1 #13). */
const FIRMWARE_BODY = [0x00, 0x00, 0xa0, 0x00, 0x00, 0x00, 0x00];

/** Throws TwcError("PROTOCOL_ENCODE_INVALID"). */
export function invalid(message: string, context?: Record<string, unknown>): never {
  throw new TwcError({ code: "PROTOCOL_ENCODE_INVALID", message, ...(context ? { context } : {}) });
}

function oneOf<T extends number>(value: number, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly number[]).includes(value))
    invalid(`${what} ${value} not one of ${allowed.join("/")}`);
  return value as T;
}

/** Decodes a 9-byte master command block; null for an unassigned code. */
export function decodeCommand(block: Uint8Array): MasterCommand | null {
  const code = block[0] ?? 0;
  switch (code) {
    case 0x00:
      return { code };
    case 0x05:
    case 0x09:
      return { code, centiAmps: ((block[1] ?? 0) << 8) | (block[2] ?? 0) };
    case 0x02:
    case 0x06:
    case 0x07:
    case 0x08: {
      const data = new Uint8Array(8);
      data.set(block.subarray(1, 9));
      return { code, data };
    }
    default:
      return null;
  }
}

function encodeCommand(cmd: MasterCommand, w: ByteWriter): void {
  switch (cmd.code) {
    case 0x00:
      w.u8(0).zeros(8);
      return;
    case 0x05:
    case 0x09:
      w.u8(cmd.code).u16(cmd.centiAmps).zeros(6);
      return;
    case 0x02:
    case 0x06:
    case 0x07:
    case 0x08:
      if (!(cmd.data instanceof Uint8Array) || cmd.data.length !== 8) invalid("command data must be 8 bytes");
      w.u8(cmd.code).bytes(cmd.data);
      return;
    default:
      invalid(`unknown command code ${String((cmd as { code: unknown }).code)}`);
  }
}

/** Codec of a "master linkready" (FC E1 / FB E2 M sign 0×8). */
function linkReadyCodec<K extends "masterLinkReady1" | "masterLinkReady2">(
  kind: K,
  types: number[],
): Codec<K> {
  return {
    types,
    lengths: [14, 16, 20],
    decode: (r) => ({ kind, sender: twcId(r.u16()), sign: r.u8() }) as FrameOf<K>,
    encode: (frame, w) => {
      const f = frame as FrameOf<"masterLinkReady1" | "masterLinkReady2">;
      w.u16(types[0] ?? 0)
        .u16(f.sender)
        .u8(f.sign)
        .zeros(8);
    },
  };
}

/** Codec of a master→slave frame `T M S` + zeros (start/stop charging). */
function addressedCodec<K extends "startCharging" | "stopCharging">(kind: K, type: number): Codec<K> {
  return {
    types: [type],
    lengths: [16],
    decode: (r) => ({ kind, sender: twcId(r.u16()), receiver: twcId(r.u16()) }) as FrameOf<K>,
    encode: (frame, w) => {
      const f = frame as FrameOf<"startCharging" | "stopCharging">;
      w.u16(type).u16(f.sender).u16(f.receiver).zeros(9);
    },
  };
}

/** Codec of a slave ack `FD B1/B2 S 00 00 …` (14 or 16). */
function ackCodec<K extends "startAck" | "stopAck">(kind: K, type: number): Codec<K> {
  return {
    types: [type],
    lengths: [14, 16],
    decode: (r, length) => ({ kind, sender: twcId(r.u16()), length: length as 14 | 16 }) as FrameOf<K>,
    encode: (frame, w) => {
      const f = frame as FrameOf<"startAck" | "stopAck">;
      w.u16(type)
        .u16(f.sender)
        .padTo(oneOf(f.length, [14, 16], "ack length") - 1);
    },
  };
}

/** The codec table (twc-protocol.md §5.1). */
export const CODECS: CodecTable = {
  masterLinkReady1: linkReadyCodec("masterLinkReady1", [TYPE.masterLinkReady1]),
  masterLinkReady2: linkReadyCodec("masterLinkReady2", [TYPE.masterLinkReady2, TYPE.masterLinkReady2Alt]),
  slaveLinkReady: {
    types: [TYPE.slaveLinkReady],
    lengths: [14, 16, 20],
    decode: (r, length) => ({
      kind: "slaveLinkReady",
      sender: twcId(r.u16()),
      sign: r.u8(),
      ratedCentiAmps: r.u16(),
      length: length as 14 | 16 | 20,
    }),
    encode: (f, w) => {
      const length = oneOf(f.length, [14, 16, 20], "linkready length");
      w.u16(TYPE.slaveLinkReady)
        .u16(f.sender)
        .u8(f.sign)
        .u16(f.ratedCentiAmps)
        .padTo(length - 1);
    },
  },
  masterHeartbeat: {
    types: [TYPE.masterHeartbeat],
    lengths: [14, 16],
    decode: (r) => {
      const sender = twcId(r.u16());
      const receiver = twcId(r.u16());
      const command = decodeCommand(r.rest());
      return command === null ? null : { kind: "masterHeartbeat", sender, receiver, command };
    },
    encode: (f, w) => {
      w.u16(TYPE.masterHeartbeat).u16(f.sender).u16(f.receiver);
      encodeCommand(f.command, w);
    },
  },
  slaveHeartbeat: {
    types: [TYPE.slaveHeartbeat],
    lengths: [14, 16],
    decode: (r, length) => ({
      kind: "slaveHeartbeat",
      sender: twcId(r.u16()),
      receiver: twcId(r.u16()),
      status: {
        state: r.u8(),
        reportedMaxCentiAmps: r.u16(),
        reportedActualCentiAmps: r.u16(),
        length: length === 14 ? 7 : 9,
      },
    }),
    encode: (f, w) => {
      const s = f.status;
      const len = oneOf(s.length, [7, 9], "status length");
      w.u16(TYPE.slaveHeartbeat).u16(f.sender).u16(f.receiver);
      w.u8(s.state)
        .u16(s.reportedMaxCentiAmps)
        .u16(s.reportedActualCentiAmps)
        .zeros(len - 5);
    },
  },
  kwhRequest: {
    types: [TYPE.kwhRequest],
    lengths: [15, 16],
    decode: (r, length) => ({
      kind: "kwhRequest",
      sender: twcId(r.u16()),
      receiver: twcId(r.u16()),
      length: length as 15 | 16,
    }),
    encode: (f, w) => {
      const length = oneOf(f.length, [15, 16], "kwhRequest length");
      w.u16(TYPE.kwhRequest)
        .u16(f.sender)
        .u16(f.receiver)
        .padTo(length - 1);
    },
  },
  kwhReport: {
    types: [TYPE.kwhReport],
    lengths: [16, 17, 18, 19, 20],
    decode: (r) => ({
      kind: "kwhReport",
      sender: twcId(r.u16()),
      lifetimeKWh: r.u32(),
      volts: [r.u16(), r.u16(), r.u16()] as const,
    }),
    encode: (f, w) => {
      const volts: readonly number[] = f.volts;
      if (volts.length !== 3) invalid("kwhReport needs 3 volts");
      w.u16(TYPE.kwhReport).u16(f.sender).u32(f.lifetimeKWh);
      for (const v of volts) w.u16(v);
      w.zeros(1);
    },
  },
  vinRequest: {
    types: [...VIN_REQUEST_TYPES],
    lengths: [15, 16],
    decode: (r, _length, type) => ({
      kind: "vinRequest",
      sender: twcId(r.u16()),
      receiver: twcId(r.u16()),
      part: VIN_REQUEST_TYPES.indexOf(type as (typeof VIN_REQUEST_TYPES)[number]) as 0 | 1 | 2,
    }),
    encode: (f, w) => {
      const type = VIN_REQUEST_TYPES[oneOf(f.part, [0, 1, 2], "VIN part")];
      w.u16(type).u16(f.sender).u16(f.receiver).zeros(8);
    },
  },
  vinReport: {
    types: [...VIN_REPORT_TYPES],
    lengths: [16],
    decode: (r, _length, type) => ({
      kind: "vinReport",
      sender: twcId(r.u16()),
      part: VIN_REPORT_TYPES.indexOf(type as (typeof VIN_REPORT_TYPES)[number]) as 0 | 1 | 2,
      data: r.bytes(11),
    }),
    encode: (f, w) => {
      const type = VIN_REPORT_TYPES[oneOf(f.part, [0, 1, 2], "VIN part")];
      if (!(f.data instanceof Uint8Array) || f.data.length !== 11) invalid("vinReport data must be 11 bytes");
      w.u16(type).u16(f.sender).bytes(f.data);
    },
  },
  startCharging: addressedCodec("startCharging", TYPE.startCharging),
  stopCharging: addressedCodec("stopCharging", TYPE.stopCharging),
  startAck: ackCodec("startAck", TYPE.startAck),
  stopAck: ackCodec("stopAck", TYPE.stopAck),
  firmwareRequest: {
    types: [TYPE.firmwareRequest],
    lengths: [14, 16],
    decode: (r, length) => ({
      kind: "firmwareRequest",
      sender: twcId(r.u16()),
      receiver: twcId(r.u16()),
      length: length as 14 | 16,
    }),
    encode: (f, w) => {
      const length = oneOf(f.length, [14, 16], "firmwareRequest length");
      w.u16(TYPE.firmwareRequest)
        .u16(f.sender)
        .u16(f.receiver)
        .bytes(Uint8Array.from(FIRMWARE_BODY))
        .padTo(length - 1);
    },
  },
  idle: {
    types: [TYPE.idle],
    lengths: [14],
    decode: () => ({ kind: "idle" }),
    encode: (_f, w) => void w.u16(TYPE.idle).zeros(11),
  },
};
