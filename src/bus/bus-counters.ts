/**
 * The counters only the bus controller knows (echoes, unknown frames, handler errors, refused unsafe
 * frames) and the recent heartbeat times. Frames in and out, drops and write errors are counted once, by
 * the transport (`BusIo.counters`, the frame stream); the snapshot joins them in.
 */
import type { DropReason } from "../protocol/frames.ts";
import type { ControllerStats, HeartbeatSent, WireCounters } from "./controller-types.ts";

/** The counters kept outside BusCounters (link state, bus-health watch), joined into the snapshot. */
export type BusHealthCounters = Pick<
  ControllerStats,
  "implausibleReadings" | "replyRate" | "repliesLowEvents" | "silenceResets"
>;

/** Heartbeat writes kept for `stats().heartbeatSendTimes`. */
export const HEARTBEAT_HISTORY = 64;

const NO_DROPS: Readonly<Record<DropReason, number>> = { checksum: 0, length: 0, escape: 0, timeout: 0, truncated: 0 };

/** Wire counters of a transport that keeps none (a test double). */
export const NO_WIRE_COUNTERS: WireCounters = {
  framesReceived: {},
  framesDropped: NO_DROPS,
  framesSent: {},
  writeErrors: 0,
  noiseBytes: 0,
};

/** Frames dropped by the receiver, all reasons together. */
export function droppedTotal(wire: WireCounters): number {
  return Object.values(wire.framesDropped).reduce((a, b) => a + b, 0);
}

/** Monotonic counters; `snapshot` returns copies. */
export class BusCounters {
  private readonly heartbeats: HeartbeatSent[] = [];
  echoFrames = 0;
  unknownFrames = 0;
  handlerErrors = 0;
  /** Frames the wire guard refused to write (S-1). */
  unsafeFramesRefused = 0;

  /** A heartbeat was written. */
  heartbeatSent(h: HeartbeatSent): void {
    this.heartbeats.push(h);
    if (this.heartbeats.length > HEARTBEAT_HISTORY) this.heartbeats.shift();
  }

  /** The counters as ControllerStats: the transport's wire counters, ours, and what `health` carries. */
  snapshot(wire: WireCounters, txQueueDropped: number, health: BusHealthCounters): ControllerStats {
    return {
      framesReceived: { ...wire.framesReceived },
      framesDropped: { ...wire.framesDropped },
      framesSent: { ...wire.framesSent },
      noiseBytes: wire.noiseBytes,
      writeErrors: wire.writeErrors,
      echoFrames: this.echoFrames,
      unknownFrames: this.unknownFrames,
      txQueueDropped,
      handlerErrors: this.handlerErrors,
      unsafeFramesRefused: this.unsafeFramesRefused,
      heartbeatSendTimes: this.heartbeats.slice(),
      implausibleReadings: { ...health.implausibleReadings },
      replyRate: { ...health.replyRate },
      repliesLowEvents: health.repliesLowEvents,
      silenceResets: health.silenceResets,
    };
  }
}
