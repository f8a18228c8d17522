/**
 * Keeps a bus connection open (config.md §4, twc-protocol.md §11): wraps any BusBinding, reopens it
 * with exponential back-off after an open failure, a close or a write error, and never throws to the
 * caller — the controller keeps running while the bus is down. All timers run on the injected Clock.
 *
 *   start() ─▶ open ─ok─▶ connected ──close / write error──┐
 *                │                                          ▼
 *                └─fail─▶ wait 250 ms · 2^n (≤ 5 s) ◀───────┘   stop() cancels everything
 */
import type { Clock, TimerHandle } from "../shared/clock.ts";
import { TwcError, isTwcError } from "../shared/errors.ts";
import type { BusBinding, BusPort } from "./port.ts";

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
  #lastError: Error | null = null;

  /** Creates the wrapper; nothing happens before start(). */
  constructor(opts: ReconnectingPortOptions) {
    this.#binding = opts.binding;
    this.#clock = opts.clock;
    this.#log = opts.logger;
    this.#initialMs = opts.initialDelayMs ?? INITIAL_RETRY_MS;
    this.#maxMs = opts.maxDelayMs ?? MAX_RETRY_MS;
    this.#stableMs = opts.stableAfterMs ?? MAX_RETRY_MS;
  }

  /** "RS485" | "TCP" | "Dummy". */
  get interfaceName(): BusBinding["interfaceName"] {
    return this.#binding.interfaceName;
  }

  /** Device path or host:port (null for the simulator). */
  get endpoint(): string | null {
    return this.#binding.endpoint;
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
    if (this.#pending) await this.#pending; // an open in flight is closed by #opened
    const port = this.#port;
    if (!port) return;
    this.#port = null;
    try {
      await port.close();
    } catch (err) {
      this.#log.warn({ code: "TRANSPORT_CLOSE_FAILED", err: errorOf(err) }, "closing the bus port failed");
    }
    this.#emit("close", undefined);
  }

  /** Writes bytes to the open connection; rejects with TRANSPORT_CLOSED when not connected. */
  write(bytes: Uint8Array): Promise<void> {
    const port = this.#port;
    if (!port) {
      return Promise.reject(new TwcError({ code: "TRANSPORT_CLOSED", message: "the bus is not connected" }));
    }
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
