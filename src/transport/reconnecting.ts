/**
 * Keeps a bus connection open (config.md §4, twc-protocol.md §11): wraps any BusBinding, reopens it
 * with exponential back-off after an open failure, a close, a write error or a stalled writer, and
 * never throws to the caller — the controller keeps running while the bus is down. Writes go through
 * a bounded WriteQueue (one write in the OS at a time, stale writes dropped). All timers run on the
 * injected Clock.
 *
 *   start() ─▶ open ─ok─▶ connected ──close / write error / write stalled 5 s / reset()──┐
 *                │                                  (stall, reset: port aborted, unsent bytes discarded)
 *                └─fail─▶ wait 250 ms · 2^n (≤ 5 s) ◀──────────────────────────────────┘
 *                                                                   stop() cancels everything
 */
import type { Clock, TimerHandle } from "../shared/clock.ts";
import { TwcError, isTwcError } from "../shared/errors.ts";
import type { BusBinding, BusPort } from "./port.ts";
import { WriteQueue, type WriteOutcome, type WriteQueueStats } from "./write-queue.ts";

/** The pino-compatible logger subset used by the transports. */
export interface TransportLogger {
  debug?(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Events of a ReconnectingPort. */
export interface ReconnectingPortEvents {
  /** A connection was (re)established. */
  open: () => void;
  /** The open connection went away (`error` unset when stop() closed it). */
  close: (error?: Error) => void;
  /** Bytes arrived. */
  data: (bytes: Uint8Array) => void;
}

/** Options of a ReconnectingPort. */
export interface ReconnectingPortOptions {
  binding: BusBinding;
  clock: Clock;
  logger: TransportLogger;
  /** First retry delay (ms), default 250. */
  initialDelayMs?: number;
  /** Longest delay between two tries (ms), default 5000. */
  maxDelayMs?: number;
  /** A connection that stayed up this long (ms) resets the back-off, default 5000. */
  stableAfterMs?: number;
  /** Bound of the bytes waiting to be written (default DEFAULT_MAX_QUEUED_BYTES). */
  maxQueuedBytes?: number;
  /** A write not taken by the OS within this long (ms) is a stall: reconnect (default 5000). */
  stallMs?: number;
}

/** Deadline of a write() without its own (ms): anything older comes from a stalled period. */
export const DEFAULT_WRITE_MAX_AGE_MS = 5000;

/** Transmit-side counters of a ReconnectingPort. */
export interface WriteStats extends WriteQueueStats {
  /** Connections dropped on purpose by reset() (not stalls). */
  resets: number;
  /** Clock time of the last stall or reset (epoch ms), null before any. */
  lastStallAt: number | null;
}

/** First retry delay (ms). */
export const INITIAL_RETRY_MS = 250;
/**
 * Cap of the retry delay (ms). Deliberately 5 s and not config.md §4's 30 s: the issue this product
 * answers requires a lost bus to be retried at least every 5 s, and a retry costs next to nothing.
 */
export const MAX_RETRY_MS = 5000;

/** How many further identical open failures are logged silently between two warnings. */
const QUIET_FAILURES = 20;

type Listeners = { [E in keyof ReconnectingPortEvents]: ReconnectingPortEvents[E][] };

function errorOf(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** A self-healing bus connection over any BusBinding. */
export class ReconnectingPort {
  readonly #binding: BusBinding;
  readonly #clock: Clock;
  readonly #log: TransportLogger;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #stableMs: number;
  readonly #listeners: Listeners = { open: [], close: [], data: [] };

  #port: BusPort | null = null;
  #timer: TimerHandle | null = null;
  #pending: Promise<void> | null = null;
  #running = false;
  #everOpened = false;
  #failures = 0;
  #failStreak = 0;
  #lastReason = "";
  #openedAt = 0;
  #reconnects = 0;
  #writeErrors = 0;
  #resets = 0;
  #lastStallAt: number | null = null;
  #lastError: Error | null = null;
  readonly #queue: WriteQueue;

  /** Creates the wrapper; nothing happens before start(). */
  constructor(opts: ReconnectingPortOptions) {
    this.#binding = opts.binding;
    this.#clock = opts.clock;
    this.#log = opts.logger;
    this.#initialMs = opts.initialDelayMs ?? INITIAL_RETRY_MS;
    this.#maxMs = opts.maxDelayMs ?? MAX_RETRY_MS;
    this.#stableMs = opts.stableAfterMs ?? MAX_RETRY_MS;
    this.#queue = new WriteQueue({
      clock: opts.clock,
      ...(opts.maxQueuedBytes !== undefined ? { maxBytes: opts.maxQueuedBytes } : {}),
      ...(opts.stallMs !== undefined ? { stallMs: opts.stallMs } : {}),
      onStall: (waitedMs) => this.#stalled(waitedMs),
    });
  }

  /** "RS485" | "TCP" | "Dummy". */
  get interfaceName(): BusBinding["interfaceName"] {
    return this.#binding.interfaceName;
  }

  /** Device path or host:port (null for the simulator). */
  get endpoint(): string | null {
    return this.#binding.endpoint;
  }

  /** True when the binding's OS buffers can hide a stalled writer (BusBinding.buffered). */
  get buffered(): boolean {
    return this.#binding.buffered === true;
  }

  /** True while a connection is open. */
  get connected(): boolean {
    return this.#port !== null;
  }

  /** Successful re-opens after the first open. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** Writes the underlying port rejected. */
  get writeErrors(): number {
    return this.#writeErrors;
  }

  /** The last open, close or write error (null before any). */
  get lastError(): Error | null {
    return this.#lastError;
  }

  /** Transmit-side counters: waiting bytes, dropped writes, stalls, resets. */
  get writeStats(): WriteStats {
    return { ...this.#queue.stats, resets: this.#resets, lastStallAt: this.#lastStallAt };
  }

  /** Registers a listener. */
  on<E extends keyof ReconnectingPortEvents>(event: E, listener: ReconnectingPortEvents[E]): void {
    (this.#listeners[event] as ReconnectingPortEvents[E][]).push(listener);
  }

  /** Starts connecting (the first try is immediate). Idempotent while running. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#failures = 0;
    this.#failStreak = 0;
    this.#attempt();
  }

  /** Stops retrying and closes the connection; resolves when closed. Never rejects. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    // A binding that waits in open() (TCP listen) is released first so the wait ends at once.
    const released = this.#pending ? this.#release() : null;
    if (this.#pending) await this.#pending; // an open in flight is closed by #opened
    const port = this.#port;
    if (port) {
      this.#port = null;
      this.#queue.detach();
      try {
        await port.close();
      } catch (err) {
        this.#log.warn({ code: "TRANSPORT_CLOSE_FAILED", err: errorOf(err) }, "closing the bus port failed");
      }
      this.#emit("close", undefined);
    }
    await (released ?? this.#release());
  }

  /** Releases the binding's own resources (BusBinding.close); never rejects. */
  async #release(): Promise<void> {
    try {
      await this.#binding.close?.();
    } catch (err) {
      this.#log.warn({ code: "TRANSPORT_CLOSE_FAILED", err: errorOf(err) }, "releasing the bus binding failed");
    }
  }

  /**
   * Writes bytes to the open connection within DEFAULT_WRITE_MAX_AGE_MS; rejects with TRANSPORT_CLOSED
   * when not connected (or the connection went away first), TRANSPORT_WRITE_FAILED when the port failed
   * or the bytes were dropped (context.dropped "stale" | "overflow").
   */
  async write(bytes: Uint8Array): Promise<void> {
    if (!this.#port) {
      throw new TwcError({ code: "TRANSPORT_CLOSED", message: "the bus is not connected" });
    }
    const outcome = await this.send(bytes, DEFAULT_WRITE_MAX_AGE_MS);
    if (outcome === "written") return;
    if (outcome === "closed") {
      throw new TwcError({ code: "TRANSPORT_CLOSED", message: "the bus connection closed before the write" });
    }
    throw new TwcError({
      code: "TRANSPORT_WRITE_FAILED",
      message: `bus write dropped (${outcome})`,
      context: { dropped: outcome },
    });
  }

  /**
   * Queues bytes that must reach the OS within `maxAgeMs` (older ones are dropped unwritten). Resolves
   * "written" or the drop reason ("closed" when not connected); rejects only on a port write error.
   */
  send(bytes: Uint8Array, maxAgeMs: number): Promise<WriteOutcome> {
    if (!this.#port) return Promise.resolve("closed");
    return this.#queue.push(bytes, maxAgeMs);
  }

  /**
   * Drops the open connection, discarding bytes not yet sent, and reconnects after the usual back-off
   * (used when the bus went silent while we transmit: a bridge that stopped forwarding). No-op when not
   * connected.
   */
  reset(reason: string): void {
    const port = this.#port;
    if (!port) return;
    this.#resets++;
    this.#lastStallAt = this.#clock.now();
    const error = new TwcError({
      code: "TRANSPORT_CLOSED",
      message: `bus connection reset: ${reason}`,
      context: { endpoint: this.endpoint, reason },
    });
    this.#log.warn({ code: "BUS_RESET", endpoint: this.endpoint, reason }, "resetting the bus connection");
    this.#abandon(port, error);
  }

  /** The port write behind the queue: a failure closes the port and reconnects. */
  #writePort(port: BusPort, bytes: Uint8Array): Promise<void> {
    return port.write(bytes).catch((err: unknown) => {
      this.#writeErrors++;
      const error = isTwcError(err)
        ? err
        : new TwcError({
            code: "TRANSPORT_WRITE_FAILED",
            message: `bus write failed: ${errorOf(err).message}`,
            cause: err,
          });
      if (this.#port === port) {
        this.#log.error(
          { code: error.code, err: error, endpoint: this.endpoint },
          "bus write failed; reconnecting",
        );
        this.#lost(port, error);
        void port.close().catch(() => undefined); // the port is abandoned either way
      }
      throw error;
    });
  }

  /** The OS took nothing for `waitedMs`: the port or the bridge behind it stopped reading. */
  #stalled(waitedMs: number): void {
    const port = this.#port;
    if (!port) return;
    this.#lastStallAt = this.#clock.now();
    const error = new TwcError({
      code: "TRANSPORT_WRITE_FAILED",
      message: `bus writer stalled: nothing written for ${Math.round(waitedMs / 1000)} s`,
      context: { endpoint: this.endpoint, stalledMs: waitedMs },
    });
    this.#log.error(
      { code: "BUS_WRITE_STALLED", endpoint: this.endpoint, stalledMs: waitedMs },
      "bus writer stalled; dropping unsent frames and reconnecting",
    );
    this.#abandon(port, error);
  }

  /** Forgets the port as lost and aborts it, so bytes the OS still holds are never sent late. */
  #abandon(port: BusPort, error: Error): void {
    this.#lost(port, error);
    const closing = port.abort ? port.abort() : port.close();
    void closing.catch(() => undefined);
  }

  #emit<E extends keyof ReconnectingPortEvents>(
    event: E,
    ...args: Parameters<ReconnectingPortEvents[E]>
  ): void {
    for (const l of [...this.#listeners[event]]) {
      try {
        (l as (...a: Parameters<ReconnectingPortEvents[E]>) => void)(...args);
      } catch (err) {
        this.#log.error(
          { code: "TRANSPORT_LISTENER_FAILED", event, err: errorOf(err) },
          "a bus listener threw",
        );
      }
    }
  }

  #attempt(): void {
    this.#timer = null;
    if (!this.#running) return;
    let opening: Promise<BusPort>;
    try {
      opening = this.#binding.open();
    } catch (err) {
      opening = Promise.reject(errorOf(err)); // a binding that throws instead of rejecting
    }
    const pending: Promise<void> = opening
      .then(
        (port) => this.#opened(port),
        (err: unknown) => this.#openFailed(err),
      )
      .catch((err: unknown) => {
        this.#log.error(
          { code: "TRANSPORT_OPEN_FAILED", err: errorOf(err) },
          "unexpected error while opening the bus",
        );
        this.#scheduleRetry();
      })
      .finally(() => {
        if (this.#pending === pending) this.#pending = null;
      });
    this.#pending = pending;
  }

  async #opened(port: BusPort): Promise<void> {
    if (!this.#running) {
      await port.close().catch(() => undefined); // stop() came first
      return;
    }
    port.on("data", (bytes) => {
      if (this.#port === port) this.#emit("data", bytes);
    });
    port.on("close", (error) => {
      if (this.#port !== port) return;
      this.#log.warn(
        { code: "BUS_DISCONNECTED", endpoint: this.endpoint, err: error },
        "bus connection closed; reconnecting",
      );
      this.#lost(port, error);
    });
    this.#port = port;
    this.#queue.attach((bytes) => this.#writePort(port, bytes));
    this.#openedAt = this.#clock.now();
    if (this.#everOpened) {
      this.#reconnects++;
      this.#log.info({ endpoint: this.endpoint, afterFailures: this.#failStreak }, "bus reconnected");
    } else {
      this.#log.info({ interface: this.interfaceName, endpoint: this.endpoint }, "bus opened");
    }
    this.#everOpened = true;
    this.#failStreak = 0;
    this.#lastReason = "";
    this.#emit("open");
  }

  #openFailed(err: unknown): void {
    const error = errorOf(err);
    this.#lastError = error;
    if (!this.#running) return;
    this.#failStreak++;
    const reason = error.message;
    if (reason !== this.#lastReason || this.#failStreak % QUIET_FAILURES === 1) {
      this.#log.warn(
        {
          code: isTwcError(error) ? error.code : "TRANSPORT_OPEN_FAILED",
          endpoint: this.endpoint,
          failures: this.#failStreak,
          err: error,
        },
        "cannot open the bus; retrying",
      );
    }
    this.#lastReason = reason;
    this.#scheduleRetry();
  }

  /** The current port failed or closed: forget it, tell the listeners, retry later. */
  #lost(port: BusPort, error: Error | undefined): void {
    if (this.#port !== port) return;
    this.#port = null;
    this.#queue.detach();
    if (error) this.#lastError = error;
    if (this.#clock.now() - this.#openedAt >= this.#stableMs) this.#failures = 0;
    this.#emit("close", error);
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (!this.#running || this.#timer) return;
    const delay = Math.min(this.#initialMs * 2 ** Math.min(this.#failures, 30), this.#maxMs);
    this.#failures++;
    this.#timer = this.#clock.setTimeout(() => this.#attempt(), delay);
  }
}
