/**
 * The common body of the TWCManager logging modules (CSV, MySQL, SQLite; issue 13 §3): follows the
 * state stream (on every patch and a 10 s tick), turns it into events (events.ts), drops the muted
 * ones and queues the rest for its sink, which writes them one at a time off the state callback — the
 * bus and the state stream never wait for a file or a database.
 *
 * A sink that cannot write (the database went away, the disk is gone) makes the module fail
 * (`ctx.fail`): the host logs it, raises MODULE_FAILED and restarts it with back-off. The queue and the
 * tracker live in the module object, so they survive the restart: what was not written is written
 * after it, and a session that started or ended meanwhile is seen in the document then. The queue is
 * bounded (MAX_QUEUED_EVENTS): beyond it the oldest events are dropped and counted. A row the sink
 * refuses for itself (RowRejectedError: a constraint) is dropped and counted, never retried forever.
 */
import type { LogMute } from "../../config/app-config.ts";
import { every } from "../../shared/clock.ts";
import { redactText } from "../../shared/redact.ts";
import type { Module, ModuleContext } from "../module.ts";
import { DEFAULT_RATES, EMPTY_TRACKER, extractEvents, isMuted, type ExtractRates, type LogEvent, type TrackerState } from "./events.ts";

/** Events kept while the sink cannot write; beyond it the oldest are dropped. */
export const MAX_QUEUED_EVENTS = 1000;
/** How often the state is looked at when no patch came (the periodic rows). */
export const TICK_MS = 10_000;
/** At most one warning about dropped or refused rows per this interval. */
export const WARN_INTERVAL_MS = 60_000;

/** A sink's refusal of one row (it is dropped; the module carries on). */
export class RowRejectedError extends Error {
  override readonly name = "RowRejectedError";
}

/** Where a logging module writes. */
export interface LogSink {
  /** Opens the file or connection; rejects when it cannot (the host retries with back-off). `lost` reports a later loss. */
  open(lost: (err: unknown) => void): Promise<void>;
  /** Writes one event; throws RowRejectedError for a row it refuses, anything else for a failure of the sink. */
  write(ev: LogEvent): Promise<void>;
  /** Releases the file or connection; must not throw. */
  close(): Promise<void>;
}

/** Options of a logging module. */
export interface LoggingModuleOptions {
  name: string;
  mute: LogMute;
  sink: LogSink;
  rates?: ExtractRates;
  maxQueued?: number;
}

/** Counters of a logging module. */
export interface LoggingCounts {
  written: number;
  /** Dropped because the queue was full. */
  dropped: number;
  /** Refused by the sink. */
  rejected: number;
  queued: number;
}

/** One logging module: state stream → events → queue → sink. */
export class LoggingModule implements Module {
  readonly name: string;
  private tracker: TrackerState = EMPTY_TRACKER;
  private readonly queue: LogEvent[] = [];
  private counts = { written: 0, dropped: 0, rejected: 0 };
  private unsubscribe: (() => void) | null = null;
  private stopTick: (() => void) | null = null;
  private open = false;
  /** Incremented at every start and stop: a pump of an older run stops. */
  private run = 0;
  private pumping: Promise<void> | null = null;
  /** The event the sink is writing (it stays at the head of the queue until written). */
  private writing: LogEvent | null = null;
  private lastWarnAtMs: number | null = null;
  private unreported = { dropped: 0, rejected: 0 };

  constructor(
    private readonly o: LoggingModuleOptions,
    private readonly ctx: ModuleContext,
  ) {
    this.name = o.name;
  }

  /** Opens the sink, then follows the state stream. */
  async start(): Promise<void> {
    const run = ++this.run;
    await this.o.sink.open((err) => {
      if (this.run === run && this.open) this.lose(err);
    });
    if (this.run !== run) {
      await this.o.sink.close();
      return;
    }
    this.open = true;
    this.unsubscribe = this.ctx.state.onPatch(() => this.observe());
    this.stopTick = every(this.ctx.clock, TICK_MS, () => this.observe());
    this.observe();
  }

  /** Stops following the state, writes what is queued while the sink works, closes it. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.stopTick?.();
    this.stopTick = null;
    if (this.open) {
      this.pump();
      await this.pumping;
    }
    this.run++;
    this.open = false;
    await this.o.sink.close();
  }

  /** Counters so far. */
  stats(): LoggingCounts {
    return { ...this.counts, queued: this.queue.length };
  }

  private observe(): void {
    const now = this.ctx.clock.now();
    const r = extractEvents(this.tracker, this.ctx.state.snapshot, now, this.o.rates ?? DEFAULT_RATES);
    this.tracker = r.state;
    for (const ev of r.events) if (!isMuted(ev, this.o.mute)) this.enqueue(ev);
    this.pump();
  }

  private enqueue(ev: LogEvent): void {
    const max = this.o.maxQueued ?? MAX_QUEUED_EVENTS;
    this.queue.push(ev);
    while (this.queue.length > Math.max(1, max)) {
      // The oldest waiting one; never the row being written.
      this.queue.splice(this.writing !== null && this.queue[0] === this.writing ? 1 : 0, 1);
      this.counts.dropped++;
      this.unreported.dropped++;
    }
    this.warnIfDue();
  }

  private pump(): void {
    if (this.pumping || !this.open || this.queue.length === 0) return;
    const run = this.run;
    this.pumping = this.drain(run).finally(() => {
      this.pumping = null;
    });
  }

  private async drain(run: number): Promise<void> {
    while (this.open && this.run === run && this.queue.length > 0) {
      // Off the state callback, and back to the event loop between rows (a synchronous sink such as
      // SQLite never holds it for a whole backlog).
      await yieldToEventLoop();
      if (!this.open || this.run !== run) return;
      const ev = this.queue[0]!;
      this.writing = ev;
      try {
        await this.o.sink.write(ev);
        if (this.queue[0] === ev) this.queue.shift();
        this.counts.written++;
      } catch (err) {
        if (err instanceof RowRejectedError) {
          if (this.queue[0] === ev) this.queue.shift();
          this.counts.rejected++;
          this.unreported.rejected++;
          this.ctx.logger.debug({ kind: ev.kind, reason: redactText(err.message) }, `${this.name}: a ${ev.kind} row was refused: ${redactText(err.message)}`);
          this.warnIfDue();
          continue;
        }
        if (this.run === run) this.lose(err);
        return;
      } finally {
        this.writing = null;
      }
    }
  }

  /** The sink failed: stop writing (the event stays queued) and hand the failure to the host. */
  private lose(err: unknown): void {
    this.open = false;
    this.ctx.fail(err);
  }

  private warnIfDue(): void {
    const { dropped, rejected } = this.unreported;
    if (dropped === 0 && rejected === 0) return;
    const now = this.ctx.clock.now();
    if (this.lastWarnAtMs !== null && now - this.lastWarnAtMs < WARN_INTERVAL_MS) return;
    this.lastWarnAtMs = now;
    this.unreported = { dropped: 0, rejected: 0 };
    const parts = [
      ...(dropped > 0 ? [`${dropped} event(s) dropped (more than ${this.o.maxQueued ?? MAX_QUEUED_EVENTS} waiting)`] : []),
      ...(rejected > 0 ? [`${rejected} row(s) refused by the ${this.name.replace(/^logging\./, "")} sink`] : []),
    ];
    this.ctx.logger.warn(
      { code: "LOGGING_EVENTS_DROPPED", dropped, rejected, totalDropped: this.counts.dropped, totalRejected: this.counts.rejected },
      `${this.name}: ${parts.join(", ")}`,
    );
  }
}

/** Resolves after the event loop ran once (not a timer: no time passes). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
