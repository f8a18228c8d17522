/**
 * The bounded transmit buffer between the frame stream and an open BusPort (issue "the bus", item 7).
 * At most one write is in the OS at a time; the rest wait here, bounded in bytes, each with a deadline.
 *
 *   push(bytes, maxAgeMs) ─▶ waiting (≤ maxBytes; overflow drops the oldest) ─▶ sink (one at a time)
 *                                 │ deadline passed: dropped, counted, never written   │
 *                                 ▼                                                    ▼ not done after stallMs
 *                        resolve(reason)                                          onStall() once
 *
 * A push resolves "written" once its bytes were handed to the OS, or the reason they were dropped
 * ("stale", "overflow", "closed"); it rejects only with the sink's own write error.
 * All timers run on the injected Clock.
 */
import type { Clock, TimerHandle } from "../shared/clock.ts";

/** Bytes that may wait for the port (a lone larger write is still accepted): ~0.5 s of a 9600-baud bus. */
export const DEFAULT_MAX_QUEUED_BYTES = 512;
/** A write the OS has not taken after this long means the port (or the bridge behind it) stopped reading. */
export const DEFAULT_STALL_MS = 5000;

/** Writes bytes to the OS; resolves when they were handed over. */
export type WriteSink = (bytes: Uint8Array) => Promise<void>;

/** Why waiting bytes were not written. */
export type WriteDropReason = "stale" | "overflow" | "closed";

/** What became of one push. */
export type WriteOutcome = "written" | WriteDropReason;

/** Counters of a WriteQueue (monotonic, except `queuedBytes`). */
export interface WriteQueueStats {
  /** Bytes waiting now (not yet handed to the OS). */
  queuedBytes: number;
  /** Writes dropped because they waited past their deadline. */
  staleDropped: number;
  /** Writes dropped to keep the buffer within its bound. */
  overflowDropped: number;
  /** Writes still waiting when their connection closed. */
  closedDropped: number;
  /** Writes the OS did not take within the stall time. */
  stalls: number;
}

/** Options of a WriteQueue. */
export interface WriteQueueOptions {
  clock: Clock;
  /** Default DEFAULT_MAX_QUEUED_BYTES. */
  maxBytes?: number;
  /** Default DEFAULT_STALL_MS. */
  stallMs?: number;
  /** Called once per write that has not completed after `stallMs`. */
  onStall: (waitedMs: number) => void;
  /** Called for each dropped write. */
  onDrop?: (reason: WriteDropReason, ageMs: number) => void;
}

interface Entry {
  readonly bytes: Uint8Array;
  readonly at: number;
  readonly deadline: number;
  readonly resolve: (outcome: WriteOutcome) => void;
  readonly reject: (err: unknown) => void;
}

/** One connection's transmit buffer; `attach` binds it to a new connection, `detach` drops what waits. */
export class WriteQueue {
  readonly #clock: Clock;
  readonly #maxBytes: number;
  readonly #stallMs: number;
  readonly #onStall: WriteQueueOptions["onStall"];
  readonly #onDrop: NonNullable<WriteQueueOptions["onDrop"]>;
  readonly #waiting: Entry[] = [];
  #sink: WriteSink | null = null;
  /** Bumped by attach/detach, so a late completion of an old connection's write changes nothing. */
  #generation = 0;
  #busy = false;
  #stallTimer: TimerHandle | null = null;
  #queuedBytes = 0;
  #staleDropped = 0;
  #overflowDropped = 0;
  #closedDropped = 0;
  #stalls = 0;

  /** Creates an unattached queue (pushes resolve "closed" until `attach`). */
  constructor(opts: WriteQueueOptions) {
    this.#clock = opts.clock;
    this.#maxBytes = opts.maxBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.#stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
    this.#onStall = opts.onStall;
    this.#onDrop = opts.onDrop ?? (() => undefined);
  }

  /** Counter snapshot. */
  get stats(): WriteQueueStats {
    return {
      queuedBytes: this.#queuedBytes,
      staleDropped: this.#staleDropped,
      overflowDropped: this.#overflowDropped,
      closedDropped: this.#closedDropped,
      stalls: this.#stalls,
    };
  }

  /** Starts writing to a new connection (anything still waiting is dropped first). */
  attach(sink: WriteSink): void {
    this.detach();
    this.#sink = sink;
  }

  /** The connection went away: waiting writes resolve "closed" (heartbeats are not replayed). */
  detach(): void {
    this.#generation++;
    this.#sink = null;
    this.#busy = false;
    this.#clearStall();
    const now = this.#clock.now();
    for (const e of this.#waiting.splice(0)) this.#drop(e, "closed", now);
    this.#queuedBytes = 0;
  }

  /** Queues bytes that must reach the OS within `maxAgeMs`; see the file comment for the result. */
  push(bytes: Uint8Array, maxAgeMs: number): Promise<WriteOutcome> {
    if (!this.#sink) return Promise.resolve("closed");
    return new Promise<WriteOutcome>((resolve, reject) => {
      const now = this.#clock.now();
      this.#dropStale(now);
      this.#waiting.push({ bytes, at: now, deadline: now + Math.max(0, maxAgeMs), resolve, reject });
      this.#queuedBytes += bytes.length;
      while (this.#queuedBytes > this.#maxBytes && this.#waiting.length > 1) {
        const oldest = this.#waiting.shift();
        if (oldest) this.#drop(oldest, "overflow", now);
      }
      this.#next();
    });
  }

  #drop(e: Entry, reason: WriteDropReason, now: number): void {
    if (reason === "stale") this.#staleDropped++;
    else if (reason === "overflow") this.#overflowDropped++;
    else this.#closedDropped++;
    if (reason !== "closed") this.#queuedBytes -= e.bytes.length;
    this.#onDrop(reason, now - e.at);
    e.resolve(reason);
  }

  /** Drops every waiting entry whose deadline has passed (they would never be written anyway). */
  #dropStale(now: number): void {
    for (let i = 0; i < this.#waiting.length;) {
      const e = this.#waiting[i];
      if (e && now > e.deadline) {
        this.#waiting.splice(i, 1);
        this.#drop(e, "stale", now);
      } else i++;
    }
  }

  /** Hands the next fresh entry to the sink (synchronously, so an idle port writes at once). */
  #next(): void {
    const sink = this.#sink;
    if (!sink || this.#busy) return;
    const now = this.#clock.now();
    this.#dropStale(now);
    const entry = this.#waiting.shift();
    if (!entry) return;
    this.#queuedBytes -= entry.bytes.length;
    this.#busy = true;
    const generation = this.#generation;
    this.#stallTimer = this.#clock.setTimeout(() => {
      this.#stallTimer = null;
      if (generation !== this.#generation) return;
      this.#stalls++;
      this.#onStall(this.#clock.now() - now);
    }, this.#stallMs);
    let written: Promise<void>;
    try {
      written = sink(entry.bytes);
    } catch (err) {
      written = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    written.then(
      () => {
        entry.resolve("written");
        this.#done(generation);
      },
      (err: unknown) => {
        entry.reject(err);
        this.#done(generation);
      },
    );
  }

  #done(generation: number): void {
    if (generation !== this.#generation) return;
    this.#busy = false;
    this.#clearStall();
    this.#next();
  }

  #clearStall(): void {
    if (this.#stallTimer) this.#clock.clearTimeout(this.#stallTimer);
    this.#stallTimer = null;
  }
}
