/** Counters of the MQTT command paths (control.MQTT and the Home Assistant controls), for `/metrics`. */
import type { RejectReason } from "./control-parse.ts";

/** A read-only copy of the counters. */
export interface ControlCounts {
  /** Messages received on command topics. */
  received: number;
  /** Accepted commands by name (chargeNow, chargeNowEnd, …). */
  accepted: Record<string, number>;
  /** Refused messages by reason. */
  rejected: Record<RejectReason, number>;
}

/** Mutable counters with a snapshot read. */
export class ControlCounters {
  private received = 0;
  private readonly accepted = new Map<string, number>();
  private readonly rejected: Record<RejectReason, number> = {
    retained: 0,
    unknownTopic: 0,
    malformed: 0,
    outOfRange: 0,
    failed: 0,
  };

  /** Counts one received message. */
  receive(): void {
    this.received++;
  }

  /** Counts an accepted command. */
  accept(name: string): void {
    this.accepted.set(name, (this.accepted.get(name) ?? 0) + 1);
  }

  /** Counts a refused message. */
  reject(reason: RejectReason): void {
    this.rejected[reason]++;
  }

  /** A copy of the counters. */
  read(): ControlCounts {
    return {
      received: this.received,
      accepted: Object.fromEntries(this.accepted),
      rejected: { ...this.rejected },
    };
  }
}
