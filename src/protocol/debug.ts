/** Checks on raw payloads requested through the debug interface (twc-protocol.md §5.4). */
import { COMMAND, DANGEROUS_TYPES, TYPE } from "./constants.ts";
import { typeOfPayload } from "./codec.ts";

/** True when a user-supplied payload must be refused: FC 19 / FC 1A / FB E8 prefixes, or a master heartbeat with command 02. */
export function isRefusedDebugPayload(payload: Uint8Array): boolean {
  if (payload.length < 2) return false;
  const type = typeOfPayload(payload);
  if ((DANGEROUS_TYPES as readonly number[]).includes(type)) return true;
  return type === TYPE.masterHeartbeat && payload[6] === COMMAND.error;
}
