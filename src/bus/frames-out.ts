/** Frames the controller builds for transmission: heartbeat commands, start/stop, debug payloads. */
import { encodePayload, typeOfPayload } from "../protocol/codec.ts";
import { MASTER_ID } from "../protocol/frames.ts";
import type { Frame, MasterCommand, TwcId } from "../protocol/frames.ts";
import { isRefusedDebugPayload as isDangerousPayload } from "../protocol/debug.ts";
import { TwcError } from "../shared/errors.ts";

/** Offset of the 9 command bytes in a master heartbeat payload (`FB E0 M M S S` before them). */
const COMMAND_OFFSET = 6;

/**
 * The command a stored heartbeat command is sent as (controller.md §8): itself, or null for command
 * 02, which we never send (twc-protocol §4.2, S-7).
 */
export function sendableCommand(command: MasterCommand): MasterCommand | null {
  return command.code === 0x02 ? null : command;
}

/** The master heartbeat from us carrying `command` to `receiver`. */
export function heartbeatFrame(receiver: TwcId, command: MasterCommand): Frame {
  return { kind: "masterHeartbeat", sender: MASTER_ID, receiver, command };
}

/** The 9 bytes of a heartbeat command as they go on the wire (for views and logs that show them). */
export function commandBytes(command: MasterCommand): Uint8Array {
  return encodePayload(heartbeatFrame(MASTER_ID, command)).slice(COMMAND_OFFSET);
}

/** FC B1 (start) or FC B2 (stop) from us to one slave. */
export function startStopFrame(op: "start" | "stop", receiver: TwcId): Frame {
  return { kind: op === "start" ? "startCharging" : "stopCharging", sender: MASTER_ID, receiver };
}

/** True when a user payload may never be sent (twc-protocol §5.4). */
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
