/** Receive/transmit counters of the bus controller (twc-protocol.md §2.2, §7.2) and the recent heartbeat times. */
import type { DropReason } from "../protocol/frames.ts";
import type { ControllerStats, HeartbeatSent } from "./controller-types.ts";

/** The counters kept outside BusCounters (link state, bus-health watch), joined into the snapshot. */
export type BusHealthCounters = Pick<
  ControllerStats,
  "implausibleReadings" | "replyRate" | "repliesLowEvents" | "silenceResets"
>;

/** Heartbeat writes kept for `stats().heartbeatSendTimes`. */
export const HEARTBEAT_HISTORY = 64;

/** Monotonic counters; `snapshot` returns copies. */
export class BusCounters {
  private readonly received: Record<string, number> = {};
  private readonly sentByKind: Record<string, number> = {};
  private readonly dropped: Record<DropReason, number> = {
    checksum: 0,
    length: 0,
    escape: 0,
    timeout: 0,
    truncated: 0,
  };
  private readonly heartbeats: HeartbeatSent[] = [];
  echoFrames = 0;
  unknownFrames = 0;
  writeErrors = 0;
  handlerErrors = 0;
  /** Frames the wire guard refused to write (S-1). */
  unsafeFramesRefused = 0;

  /** A valid frame of this kind was received. */
  frameReceived(kind: string): void {
    this.received[kind] = (this.received[kind] ?? 0) + 1;
  }

  /** The receiver dropped a frame. */
  frameDropped(reason: DropReason): void {
    this.dropped[reason]++;
  }

  /** A frame of this kind was written. */
  frameSent(kind: string): void {
    this.sentByKind[kind] = (this.sentByKind[kind] ?? 0) + 1;
  }

  /** A heartbeat was written. */
  heartbeatSent(h: HeartbeatSent): void {
    this.heartbeats.push(h);
    if (this.heartbeats.length > HEARTBEAT_HISTORY) this.heartbeats.shift();
  }

  /** Frames dropped by the receiver, all reasons together. */
  droppedTotal(): number {
    return Object.values(this.dropped).reduce((a, b) => a + b, 0);
  }

  /** The counters as ControllerStats; `health` carries what other parts of the controller keep. */
  snapshot(noiseBytes: number, txQueueDropped: number, health: BusHealthCounters): ControllerStats {
    return {
      framesReceived: { ...this.received },
      framesDropped: { ...this.dropped },
      framesSent: { ...this.sentByKind },
      noiseBytes,
      echoFrames: this.echoFrames,
      unknownFrames: this.unknownFrames,
      txQueueDropped,
      writeErrors: this.writeErrors,
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
