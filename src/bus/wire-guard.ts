/**
 * The last line of S-1 (controller.md §18): every frame the controller is about to write, whatever its
 * origin (the offer algorithm, a debug command, a future module), is checked here. A master heartbeat
 * may only carry a limit to a linked slave, never above min(wiringMaxAmps, rating), and never the
 * unbounded "raise by 2 A" command 06 or the error command 02. Pure.
 */
import { centiToAmps } from "../protocol/amps.ts";
import { COMMAND, TYPE } from "../protocol/constants.ts";
import { twcIdHex } from "../protocol/frames.ts";
import type { Frame, MasterCommand, TwcId } from "../protocol/frames.ts";
import { decodeCommand } from "../protocol/codec-table.ts";
import { othersLoad, perTwcCap } from "./offer.ts";
import type { SlaveState } from "./slave-state.ts";

/** The command a master heartbeat carries: its receiver, code and, for limit codes, the amps. */
export interface HeartbeatCommand {
  receiver: TwcId;
  code: number;
  /** Amps of a limit command (05/08/09), null for the others. */
  amps: number | null;
}

/** The verdict on one outgoing frame: allowed, or refused with the rule it breaks. */
export type WireVerdict = { ok: true } | { ok: false; rule: string; message: string };

const LIMIT_CODES: readonly number[] = [COMMAND.limitV1, COMMAND.stopAcknowledged, COMMAND.limitV2];
const SAFE_CODES: readonly number[] = [COMMAND.noChange, COMMAND.lower];

/** The amps a command limits the slave to (05/09, and 08 which carries them too), null for the others. */
function limitAmps(c: MasterCommand): number | null {
  if ("centiAmps" in c) return centiToAmps(c.centiAmps);
  return c.code === COMMAND.stopAcknowledged ? centiToAmps(((c.data[0] ?? 0) << 8) | (c.data[1] ?? 0)) : null;
}

/** The heartbeat command of a frame (decoded, or raw bytes through the codec's command decoder), null when the frame is no master heartbeat; "malformed" for a raw FB E0 too short to carry one. */
export function heartbeatCommandOf(frame: Frame): HeartbeatCommand | "malformed" | null {
  if (frame.kind === "masterHeartbeat") return { receiver: frame.receiver, code: frame.command.code, amps: limitAmps(frame.command) };
  if (frame.kind !== "unknown" || frame.type !== TYPE.masterHeartbeat) return null;
  const p = frame.payload;
  if (p.length < 9) return "malformed";
  const receiver = (((p[4] ?? 0) << 8) | (p[5] ?? 0)) as TwcId;
  const command = decodeCommand(p.subarray(6));
  return { receiver, code: command?.code ?? p[6] ?? 0, amps: command ? limitAmps(command) : null };
}

function refuse(rule: string, message: string): WireVerdict {
  return { ok: false, rule, message };
}

/**
 * S-1 for one outgoing frame: a master heartbeat's limit is addressed to a linked slave and within that
 * slave's per-TWC cap; commands other than 00, 07 and a bounded limit are refused.
 */
export function checkOutgoingFrame(frame: Frame, slaves: readonly SlaveState[]): WireVerdict {
  const hb = heartbeatCommandOf(frame);
  if (hb === null) return { ok: true };
  if (hb === "malformed") return refuse("heartbeat-length", "a master heartbeat (FB E0) needs at least 9 bytes");
  if (SAFE_CODES.includes(hb.code)) return { ok: true };
  if (hb.code === COMMAND.raise) return refuse("raise-command", "command 06 raises the current by 2 A without a bound and is never sent");
  if (hb.code === COMMAND.error) return refuse("error-command", "command 02 may disable a TWC and is never sent");
  if (!LIMIT_CODES.includes(hb.code) || hb.amps === null)
    return refuse("unknown-command", `heartbeat command ${hb.code.toString(16).padStart(2, "0").toUpperCase()} is not part of the protocol`);
  const slave = slaves.find((s) => s.id === hb.receiver);
  if (!slave)
    return refuse("receiver", `a current limit may only be sent to a linked TWC, not to ${twcIdHex(hb.receiver)}`);
  const cap = perTwcCap(slave);
  if (hb.amps > cap)
    return refuse(
      "per-twc-limit",
      `${hb.amps.toFixed(2)} A exceeds the ${cap} A TWC ${twcIdHex(slave.id)} may be offered (min of wiringMaxAmpsPerTWC ${slave.wiringMaxAmps} A and its rating ${slave.maxAmps} A)`,
    );
  return { ok: true };
}

/**
 * The debug path's stricter check (the same clamps as the offer algorithm, controller.md §7): S-1 as
 * above, and a limit no higher than what the shared wiring has left beside the other slaves' load.
 */
export function checkDebugFrame(frame: Frame, slaves: readonly SlaveState[], wiringMaxAmpsAllTWCs: number): WireVerdict {
  const verdict = checkOutgoingFrame(frame, slaves);
  if (!verdict.ok) return verdict;
  const hb = heartbeatCommandOf(frame);
  if (hb === null || hb === "malformed" || hb.amps === null) return verdict;
  const others = othersLoad(slaves, hb.receiver).othersCommittedAmps;
  const left = Math.max(0, Math.floor(wiringMaxAmpsAllTWCs - others));
  if (hb.amps > left)
    return refuse(
      "shared-wiring-limit",
      `${hb.amps.toFixed(2)} A exceeds the ${left} A left on the shared wiring (wiringMaxAmpsAllTWCs ${wiringMaxAmpsAllTWCs} A, other TWCs ${Math.round(others * 100) / 100} A)`,
    );
  return verdict;
}
