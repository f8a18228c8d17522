/** Frames the controller builds for transmission: heartbeat commands, start/stop, debug payloads. */
import { typeOfPayload } from "../protocol/codec.ts";
import { MASTER_ID } from "../protocol/frames.ts";
import type { Frame, MasterCommand, TwcId } from "../protocol/frames.ts";
import { TwcError } from "../shared/errors.ts";
import { decodeCommand } from "../protocol/codec-table.ts";

/**
 * The MasterCommand of a stored 9-byte command block (controller.md §8). Null for command 02, which
 * we never send (twc-protocol §4.2, S-7), and for codes outside the protocol.
 */
export function blockToCommand(block: Uint8Array): MasterCommand | null {
  const command = decodeCommand(block);
  return command === null || command.code === 0x02 ? null : command;
}

/** FC B1 (start) or FC B2 (stop) from us to one slave. */
export function startStopFrame(op: "start" | "stop", receiver: TwcId): Frame {
  return { kind: op === "start" ? "startCharging" : "stopCharging", sender: MASTER_ID, receiver };
}

/** True when a user payload may never be sent (twc-protocol §5.4). */
import { isRefusedDebugPayload as isDangerousPayload } from "../protocol/debug.ts";

export { isDangerousPayload };

/** A user's raw payload (without checksum) as a frame sent byte for byte; throws on dangerous or too short payloads. */
export function debugFrame(payload: Uint8Array): Frame {
  if (payload.length < 2) {
    throw new TwcError({
      code: "PROTOCOL_ENCODE_INVALID",
      message: "a debug payload needs at least 2 bytes",
    });
  }
  if (isDangerousPayload(payload)) {
    throw new TwcError({
      code: "HTTP_FORBIDDEN",
      message: "this message type may damage a TWC and is never sent",
    });
  }
  return { kind: "unknown", type: typeOfPayload(payload), payload: payload.slice() };
}
