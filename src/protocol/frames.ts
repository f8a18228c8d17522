/**
 * Frames as data (design.md §5): a discriminated union on `kind`, amps kept as integer hundredths.
 * Layouts are in twc-protocol.md §5.1; the codec table in codec.ts maps each kind to its bytes.
 */

/** 16-bit TWC identifier, 0x0000–0xFFFF. */
export type TwcId = number & { readonly __brand: "TwcId" };

/** Makes a TwcId from a number (masked to 16 bits). */
export function twcId(value: number): TwcId {
  return (value & 0xffff) as TwcId;
}

/** A TwcId shown as 4 upper-case hex digits, e.g. "4142". */
export function twcIdHex(id: TwcId): string {
  return id.toString(16).toUpperCase().padStart(4, "0");
}

/** Our fake master ID, 77 77 (twc-protocol.md §3). */
export const MASTER_ID: TwcId = twcId(0x7777);
/** Our master sign, 77. */
export const MASTER_SIGN = 0x77;

/** Master command block (9 data bytes); amps kept as integer hundredths. */
export type MasterCommand =
  | { code: 0x00 }
  | { code: 0x05 | 0x09; centiAmps: number }
  | { code: 0x02 | 0x06 | 0x07 | 0x08; data: Uint8Array };

/** Slave status block (7 bytes v1, 9 bytes v2). */
export interface SlaveStatus {
  state: number;
  reportedMaxCentiAmps: number;
  reportedActualCentiAmps: number;
  length: 7 | 9;
}

/** Every frame the product sends or understands (twc-protocol.md §5.1). */
export type Frame =
  | { kind: "masterLinkReady1"; sender: TwcId; sign: number }
  | { kind: "masterLinkReady2"; sender: TwcId; sign: number }
  | { kind: "slaveLinkReady"; sender: TwcId; sign: number; ratedCentiAmps: number; length: 14 | 16 | 20 }
  | { kind: "masterHeartbeat"; sender: TwcId; receiver: TwcId; command: MasterCommand }
  | { kind: "slaveHeartbeat"; sender: TwcId; receiver: TwcId; status: SlaveStatus }
  | { kind: "kwhRequest"; sender: TwcId; receiver: TwcId; length: 15 | 16 }
  | { kind: "kwhReport"; sender: TwcId; lifetimeKWh: number; volts: readonly [number, number, number] }
  | { kind: "vinRequest"; sender: TwcId; receiver: TwcId; part: 0 | 1 | 2 }
  | { kind: "vinReport"; sender: TwcId; part: 0 | 1 | 2; data: Uint8Array }
  | { kind: "startCharging"; sender: TwcId; receiver: TwcId }
  | { kind: "stopCharging"; sender: TwcId; receiver: TwcId }
  | { kind: "startAck"; sender: TwcId; length: 14 | 16 }
  | { kind: "stopAck"; sender: TwcId; length: 14 | 16 }
  | { kind: "firmwareRequest"; sender: TwcId; receiver: TwcId; length: 14 | 16 }
  | { kind: "idle" }
  | { kind: "unknown"; type: number; payload: Uint8Array };

/** The `kind` discriminator values. */
export type FrameKind = Frame["kind"];
/** The frame variant of kind K. */
export type FrameOf<K extends FrameKind> = Extract<Frame, { kind: K }>;

/** Why the receiver dropped a frame (twc-protocol.md §2.2). */
export type DropReason = "checksum" | "length" | "escape" | "timeout" | "truncated";

/** One deframer output: a decoded frame (with its unescaped bytes incl. checksum) or a dropped one. */
export type DeframeResult =
  | { ok: true; frame: Frame; raw: Uint8Array }
  | { ok: false; reason: DropReason; raw: Uint8Array };
