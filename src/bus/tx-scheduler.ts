/**
 * The single transmit queue (twc-protocol.md §7.2). Deterministic and clock-free: every method takes
 * `now`; the runtime calls `take()` when `nextDueAt()` said something would be due and whenever
 * something is queued, writes what it gets, then reports the write with `recordWrite()`.
 *
 *   P0 burst (125 ms apart, blocks everything else) > P1 immediate heartbeat > P2 round-robin
 *   heartbeat when due (produced on demand) > P3 start/stop/debug > P4 kWh/VIN queries
 */
import { MASTER_ID, MASTER_SIGN } from "../protocol/frames.ts";
import type { Frame } from "../protocol/frames.ts";
import type { TxItem, TxPriority } from "./effects.ts";

/** A waiting queue entry. */
export interface TxEntry {
  readonly priority: TxPriority;
  /** De-duplication key; "" for burst frames. */
  readonly dedupKey: string;
  readonly item: TxItem;
  readonly enqueuedAtMs: number;
}

/** Outcome of `enqueue`: `refused` = P3 did not fit (HTTP 503), `dropped` = P4 did not fit (counted). */
export type EnqueueResult = "queued" | "merged" | "refused" | "dropped" | "monitor";

/** What to write now: a queue entry, or the round-robin heartbeat (P2). */
export type TxDecision = { type: "entry"; entry: TxEntry } | { type: "heartbeat" };

/** Conditions supplied by the runtime at each `take`. */
export interface TxContext {
  /** False while a partial frame's last byte arrived < 25 ms ago (twc-protocol §7.1). */
  receiverQuiet: boolean;
  /** At least one slave is linked (heartbeats are due only then). */
  slavesKnown: boolean;
}

/** Scheduler options; defaults are the twc-protocol §7.1 constants. */
export interface TxSchedulerOptions {
  mode: "master" | "monitor";
  minGapMs?: number;
  heartbeatIntervalMs?: number;
  burstSpacingMs?: number;
  burstCount?: number;
  /** Maximum entries waiting in P3 + P4 together. */
  maxQueued?: number;
}

/** Kinds of write reported back by the runtime. */
export type WriteKind = "burst" | "heartbeat" | "other";

/** The transmit queue. */
export class TxScheduler {
  readonly mode: "master" | "monitor";
  private readonly minGapMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly burstSpacingMs: number;
  private readonly burstCount: number;
  private readonly maxQueued: number;
  private burst: TxEntry[] = [];
  private readonly queues: Record<1 | 3 | 4, TxEntry[]> = { 1: [], 3: [], 4: [] };
  private lastWriteAtMs = Number.NEGATIVE_INFINITY;
  private lastBurstAtMs = Number.NEGATIVE_INFINITY;
  private prevHeartbeatAtMs = Number.NEGATIVE_INFINITY;
  private droppedCount = 0;

  constructor(options: TxSchedulerOptions) {
    this.mode = options.mode;
    this.minGapMs = options.minGapMs ?? 100;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 1000;
    this.burstSpacingMs = options.burstSpacingMs ?? 125;
    this.burstCount = options.burstCount ?? 5;
    this.maxQueued = options.maxQueued ?? 32;
  }

  /** True while linkready burst frames remain to be sent. */
  get burstInProgress(): boolean {
    return this.burst.length > 0;
  }

  /** P4 entries dropped because the queue was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Epoch ms of the previous heartbeat of any kind (−∞ before the first). */
  get lastHeartbeatAtMs(): number {
    return this.prevHeartbeatAtMs;
  }

  /** Entries waiting in P3 + P4. */
  get queuedLow(): number {
    return this.queues[3].length + this.queues[4].length;
  }

  /** Every waiting entry, highest priority first (for inspection and tests). */
  pending(): readonly TxEntry[] {
    return [...this.burst, ...this.queues[1], ...this.queues[3], ...this.queues[4]];
  }

  /** Queues the start-up burst: 5× linkready1 then 5× linkready2. False when one is in progress or in monitor mode. */
  startBurst(now: number): boolean {
    if (this.mode === "monitor" || this.burst.length > 0) return false;
    const lr1: Frame = { kind: "masterLinkReady1", sender: MASTER_ID, sign: MASTER_SIGN };
    const lr2: Frame = { kind: "masterLinkReady2", sender: MASTER_ID, sign: MASTER_SIGN };
    const mk = (frame: Frame): TxEntry => ({
      priority: 0,
      dedupKey: "",
      item: { kind: "frame", frame },
      enqueuedAtMs: now,
    });
    for (let i = 0; i < this.burstCount; i++) this.burst.push(mk(lr1));
    for (let i = 0; i < this.burstCount; i++) this.burst.push(mk(lr2));
    return true;
  }

  /** Queues an entry at P1, P3 or P4 (P0 only via startBurst); a waiting entry with the same key is replaced in place. */
  enqueue(priority: 1 | 3 | 4, dedupKey: string, item: TxItem, now: number): EnqueueResult {
    if (this.mode === "monitor") return "monitor";
    for (const p of [1, 3, 4] as const) {
      const q = this.queues[p];
      const idx = q.findIndex((e) => e.dedupKey === dedupKey);
      const existing = q[idx];
      if (existing) {
        q[idx] = { ...existing, item };
        return "merged";
      }
    }
    if (priority !== 1 && this.queuedLow >= this.maxQueued) {
      if (priority === 3) return "refused";
      this.droppedCount++;
      return "dropped";
    }
    this.queues[priority].push({ priority, dedupKey, item, enqueuedAtMs: now });
    return "queued";
  }

  /** Removes the waiting entry with this key (e.g. a pending stop); true when one was removed. */
  cancel(dedupKey: string): boolean {
    for (const p of [1, 3, 4] as const) {
      const q = this.queues[p];
      const idx = q.findIndex((e) => e.dedupKey === dedupKey);
      if (idx >= 0) {
        q.splice(idx, 1);
        return true;
      }
    }
    return false;
  }

  /** True when the round-robin heartbeat is due (≥ 1.0 s since the previous heartbeat, a slave known, no burst). */
  heartbeatDue(now: number, slavesKnown: boolean): boolean {
    return slavesKnown && this.burst.length === 0 && now - this.prevHeartbeatAtMs >= this.heartbeatIntervalMs;
  }

  /**
   * The next thing to write now, removed from the queue, or null. Rules (twc-protocol §7.2): never in
   * monitor mode; only after the 100 ms gap and while the receiver is quiet; the burst blocks everything
   * else; then P1, the due heartbeat, P3, P4. A P3/P4 write that would push the next heartbeat past its
   * due time waits, so heartbeats keep their cadence under any load (S-11).
   */
  take(now: number, ctx: TxContext): TxDecision | null {
    if (this.mode === "monitor" || !ctx.receiverQuiet) return null;
    if (now - this.lastWriteAtMs < this.minGapMs) return null;
    if (this.burst.length > 0) {
      if (now - this.lastBurstAtMs < this.burstSpacingMs) return null;
      const entry = this.burst.shift();
      return entry ? { type: "entry", entry } : null;
    }
    const p1 = this.queues[1].shift();
    if (p1) return { type: "entry", entry: p1 };
    if (this.heartbeatDue(now, ctx.slavesKnown)) return { type: "heartbeat" };
    if (ctx.slavesKnown && now + this.minGapMs > this.prevHeartbeatAtMs + this.heartbeatIntervalMs) return null;
    const low = this.queues[3].shift() ?? this.queues[4].shift();
    return low ? { type: "entry", entry: low } : null;
  }

  /**
   * The earliest time ≥ `now` at which `take` can return something, provided the receiver is quiet then
   * (the runtime's one wake-up timer); null when nothing will be due (monitor mode, or nothing queued
   * and no slave to heartbeat). Mirrors the rules of `take`.
   */
  nextDueAt(now: number, slavesKnown: boolean): number | null {
    if (this.mode === "monitor") return null;
    const gapAt = this.lastWriteAtMs + this.minGapMs;
    if (this.burst.length > 0) return Math.max(now, gapAt, this.lastBurstAtMs + this.burstSpacingMs);
    if (this.queues[1].length > 0) return Math.max(now, gapAt);
    const heartbeatAt = this.prevHeartbeatAtMs + this.heartbeatIntervalMs;
    let due = slavesKnown ? Math.max(gapAt, heartbeatAt) : Number.POSITIVE_INFINITY;
    // P3/P4 go at the gap unless that would push the next heartbeat past its slot (then after it).
    const lowAt = Math.max(now, gapAt);
    if (this.queuedLow > 0 && (!slavesKnown || lowAt + this.minGapMs <= heartbeatAt)) due = Math.min(due, lowAt);
    return Number.isFinite(due) || due === Number.NEGATIVE_INFINITY ? Math.max(now, due) : null;
  }

  /** Records the start of a write (`heartbeat` covers P1 and P2 heartbeats). */
  recordWrite(now: number, kind: WriteKind): void {
    this.lastWriteAtMs = now;
    if (kind === "burst") this.lastBurstAtMs = now;
    if (kind === "heartbeat") this.prevHeartbeatAtMs = now;
  }

  /** A due heartbeat whose turn was consumed without writing (stop-responding mode, controller.md §12 step 0). */
  skipHeartbeat(now: number): void {
    this.prevHeartbeatAtMs = now;
  }
}
