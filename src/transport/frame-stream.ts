/**
 * Joins a (reconnecting) bus port to the protocol codec and keeps the wire counters (design.md §6,
 * twc-protocol.md §2.2, §7): the one place where frames in and out, drops and write errors are counted
 * and each dropped frame is logged. The controller reads them through `counters()`.
 *
 * ```
 *                   ┌──────────────────────────── FrameStream ────────────────────────────┐
 *  port ──data────▶ │ Deframer.push(bytes, now) ──▶ DeframeResult[] ──count──▶ emit frame  │──▶ controller
 *                   │      ▲  lastByteAt                     (drops: debug log with hex)   │
 *                   │      └── clock timer: expire() 2 s after the last byte of a partial   │
 *                   │                                                                      │
 *  port ◀─send───── │ encodeFrame / encodeRawPayload ◀── lastTxAt, framesSent, writeErrors │◀── writeFrame / writeRaw
 *   (deadline by kind: a heartbeat or linkready not in the OS within its 1 s slot is dropped)
 *  port ──open/close──────────────────────────────────────────────────────▶ emit open/close │
 *                   └──────────────────────────────────────────────────────────────────────┘
 * ```
 *
 * It also implements the controller's `BusIo` seam structurally (onFrame, onOpen, onClose, writeFrame,
 * isReceiverQuiet, receiverQuietAtMs, counters, expirePartial, transportHealth, resetTransport). Create
 * it (and attach listeners) before starting the port, so the first `open` is not missed.
 */
import { encodeFrame, encodeRawPayload, kindOfType, toHex, typeOfPayload } from "../protocol/codec.ts";
import { Deframer, MASTER_LENGTHS, PARTIAL_TIMEOUT_MS } from "../protocol/deframer.ts";
import type { DeframeResult, DropReason, Frame, FrameKind } from "../protocol/frames.ts";
import type { Clock, TimerHandle } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";
import { DEFAULT_WRITE_MAX_AGE_MS } from "./reconnecting.ts";
import type { ReconnectingPortEvents, TransportLogger, WriteStats } from "./reconnecting.ts";
import type { WriteOutcome } from "./write-queue.ts";

/** Receiver quiet condition (twc-protocol.md §7.1): no write while a partial frame's last byte is this fresh. */
export const RECEIVER_QUIET_MS = 25;

/**
 * A heartbeat (or linkready) not handed to the OS within one heartbeat period (twc-protocol.md §7.1)
 * is superseded by the next one: it is dropped, never sent late.
 */
export const HEARTBEAT_SLOT_MS = 1000;

/** How long a frame of this kind may wait for the port before it is dropped as stale (ms). */
export function maxAgeFor(kind: FrameKind): number {
  return SLOT_KINDS.has(kind) ? HEARTBEAT_SLOT_MS : DEFAULT_WRITE_MAX_AGE_MS;
}

/** Frames that are superseded by the next heartbeat slot. */
const SLOT_KINDS: ReadonlySet<FrameKind> = new Set<FrameKind>([
  "masterHeartbeat",
  "masterLinkReady1",
  "masterLinkReady2",
]);

/** What FrameStream needs from its port: a ReconnectingPort or anything with the same events. */
export interface FrameStreamSource {
  on<E extends keyof ReconnectingPortEvents>(event: E, listener: ReconnectingPortEvents[E]): void;
  write(bytes: Uint8Array): Promise<void>;
  /** Bounded write with a deadline (a ReconnectingPort has it); `write` is used when absent. */
  send?(bytes: Uint8Array, maxAgeMs: number): Promise<WriteOutcome>;
  /** Successful re-opens (a ReconnectingPort has it). */
  readonly reconnects?: number;
  /** Transmit-side counters (a ReconnectingPort has them). */
  readonly writeStats?: WriteStats;
  /** True when OS buffers can hide a stalled writer (a ReconnectingPort has it). */
  readonly buffered?: boolean;
  /** Drops the connection, discarding unsent bytes, and reconnects (a ReconnectingPort has it). */
  reset?(reason: string): void;
}

/** The wire counters as the controller reads them (`BusIo.counters`). */
export interface WireCountersView {
  framesReceived: Partial<Record<FrameKind, number>>;
  framesDropped: Record<DropReason, number>;
  framesSent: Partial<Record<FrameKind, number>>;
  writeErrors: number;
  noiseBytes: number;
}

/** Transmit-side health as the controller sees it (`BusIo.transportHealth`). */
export interface TransportHealthView {
  writeStalls: number;
  resets: number;
  staleDropped: number;
  overflowDropped: number;
  lastStallAt: number | null;
  /** True when OS buffers can hide a stalled writer (TCP). */
  buffered: boolean;
}

/** Events of a FrameStream. */
export interface FrameStreamEvents {
  /** Every deframer result in order: decoded frames and dropped ones. */
  frame: (result: DeframeResult) => void;
  open: () => void;
  close: (error?: Error) => void;
}

/** Options of a FrameStream. */
export interface FrameStreamOptions {
  port: FrameStreamSource;
  clock: Clock;
  logger: TransportLogger & { trace?(obj: object, msg?: string): void };
  /** Accepted unescaped lengths, default MASTER_LENGTHS. */
  acceptedLengths?: readonly number[];
  /** Partial-frame timeout (ms), default 2000. */
  partialTimeoutMs?: number;
  /** Receiver quiet window (ms), default 25. */
  quietMs?: number;
}

/** A snapshot of the bus counters (all monotonically increasing except `connected` and the times). */
export interface FrameStreamStats {
  connected: boolean;
  bytesReceived: number;
  noiseBytes: number;
  framesReceived: Partial<Record<FrameKind, number>>;
  framesDropped: Record<DropReason, number>;
  framesSent: Partial<Record<FrameKind, number>>;
  writeErrors: number;
  reconnects: number;
  /** Start of the last write (epoch ms), null before the first. */
  lastTxAt: number | null;
  /** Frames dropped unwritten because they waited past their deadline (a stalled port). */
  txStaleDropped: number;
  /** Frames dropped unwritten to keep the transmit buffer bounded. */
  txOverflowDropped: number;
  /** Writes the OS did not take within the stall time (each forced a reconnect). */
  writeStalls: number;
  /** Connections reset because the bus went silent while we transmitted. */
  busResets: number;
  /** Bytes waiting for the port now. */
  txQueuedBytes: number;
}

type Listeners = { [E in keyof FrameStreamEvents]: FrameStreamEvents[E][] };

function bump<K extends string>(counts: Partial<Record<K, number>>, key: K): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Bytes ⇄ frames over a bus port, with counters and the receiver-quiet check. */
export class FrameStream {
  readonly #port: FrameStreamSource;
  readonly #clock: Clock;
  readonly #log: FrameStreamOptions["logger"];
  readonly #deframer: Deframer;
  readonly #timeoutMs: number;
  readonly #quietMs: number;
  readonly #listeners: Listeners = { frame: [], open: [], close: [] };
  readonly #received: Partial<Record<FrameKind, number>> = {};
  readonly #sent: Partial<Record<FrameKind, number>> = {};
  #timer: TimerHandle | null = null;
  #connected = false;
  #disposed = false;
  #writeErrors = 0;
  #lastTxAt: number | null = null;

  /** Subscribes to the port's events. */
  constructor(opts: FrameStreamOptions) {
    this.#port = opts.port;
    this.#clock = opts.clock;
    this.#log = opts.logger;
    this.#timeoutMs = opts.partialTimeoutMs ?? PARTIAL_TIMEOUT_MS;
    this.#quietMs = opts.quietMs ?? RECEIVER_QUIET_MS;
    this.#deframer = new Deframer({
      acceptedLengths: opts.acceptedLengths ?? MASTER_LENGTHS,
      partialTimeoutMs: this.#timeoutMs,
    });
    this.#port.on("data", (bytes) => this.#onData(bytes));
    this.#port.on("open", () => {
      if (this.#disposed) return;
      this.#connected = true;
      this.#emit("open");
    });
    this.#port.on("close", (error) => {
      if (this.#disposed) return;
      this.#connected = false;
      this.#emit("close", error);
    });
  }

  /** Registers a listener. */
  on<E extends keyof FrameStreamEvents>(event: E, listener: FrameStreamEvents[E]): void {
    (this.#listeners[event] as FrameStreamEvents[E][]).push(listener);
  }

  /** True while the port is open. */
  get connected(): boolean {
    return this.#connected;
  }

  /** True while a partial frame is buffered. */
  get receiving(): boolean {
    return this.#deframer.receiving;
  }

  /** Start of the last write (epoch ms), null before the first. */
  get lastTxAt(): number | null {
    return this.#lastTxAt;
  }

  /**
   * Encodes and writes one frame within its deadline (`maxAgeFor`); resolves also when the frame was
   * dropped unwritten as stale or to bound the buffer (counted in `stats()`). Rejects with
   * PROTOCOL_ENCODE_INVALID, TRANSPORT_CLOSED (not connected, or the connection went away first) or the
   * transport's write error.
   */
  writeFrame(frame: Frame): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame(frame);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return this.#write(bytes, frame.kind);
  }

  /** Frames and writes an arbitrary payload (checksum added); counted under the kind of its type bytes. */
  writeRaw(payload: Uint8Array): Promise<void> {
    return this.#write(encodeRawPayload(payload), kindOfType(typeOfPayload(payload)) ?? "unknown");
  }

  /**
   * True when a write may start at `nowMs` as far as the receiver is concerned (twc-protocol.md §7.1):
   * no partial frame is buffered, or its last byte arrived at least 25 ms ago.
   */
  isReceiverQuiet(nowMs: number): boolean {
    return !this.#deframer.receiving || nowMs - this.#deframer.lastByteAt >= this.#quietMs;
  }

  /**
   * When the receiver becomes quiet if no further byte arrives: `nowMs` when it is quiet now, else 25 ms
   * after the last byte of the partial frame (the controller's wake-up re-checks then).
   */
  receiverQuietAtMs(nowMs: number): number {
    return this.isReceiverQuiet(nowMs) ? nowMs : this.#deframer.lastByteAt + this.#quietMs;
  }

  /** Drops a partial frame older than the timeout now (the internal timer does this on its own too). */
  expirePartial(nowMs: number): void {
    this.#handle(this.#deframer.expire(nowMs));
    this.#armTimer();
  }

  /** Counter snapshot. */
  stats(): FrameStreamStats {
    const d = this.#deframer.stats;
    const w = this.#port.writeStats;
    return {
      connected: this.#connected,
      bytesReceived: d.bytesReceived,
      noiseBytes: d.noiseBytes,
      framesReceived: { ...this.#received },
      framesDropped: { ...d.dropped },
      framesSent: { ...this.#sent },
      writeErrors: this.#writeErrors,
      reconnects: this.#port.reconnects ?? 0,
      lastTxAt: this.#lastTxAt,
      txStaleDropped: w?.staleDropped ?? 0,
      txOverflowDropped: w?.overflowDropped ?? 0,
      writeStalls: w?.stalls ?? 0,
      busResets: w?.resets ?? 0,
      txQueuedBytes: w?.queuedBytes ?? 0,
    };
  }

  /** Controller BusIo: the wire counters (a subset of `stats()`, without copying the transport's). */
  counters(): WireCountersView {
    const d = this.#deframer.stats;
    return {
      framesReceived: { ...this.#received },
      framesDropped: d.dropped,
      framesSent: { ...this.#sent },
      writeErrors: this.#writeErrors,
      noiseBytes: d.noiseBytes,
    };
  }

  /** Controller BusIo: transmit-side health (stalls, resets, dropped frames). */
  transportHealth(): TransportHealthView {
    const w = this.#port.writeStats;
    return {
      writeStalls: w?.stalls ?? 0,
      resets: w?.resets ?? 0,
      staleDropped: w?.staleDropped ?? 0,
      overflowDropped: w?.overflowDropped ?? 0,
      lastStallAt: w?.lastStallAt ?? null,
      buffered: this.#port.buffered ?? false,
    };
  }

  /** Controller BusIo: drops the connection (unsent bytes discarded) and reconnects. */
  resetTransport(reason: string): void {
    this.#port.reset?.(reason);
  }

  /** Controller BusIo: every deframer result. */
  onFrame(cb: (result: DeframeResult) => void): void {
    this.on("frame", cb);
  }

  /** Controller BusIo: the port (re)opened. */
  onOpen(cb: () => void): void {
    this.on("open", cb);
  }

  /** Controller BusIo: the port closed. */
  onClose(cb: () => void): void {
    this.on("close", () => cb());
  }

  /** Stops the expiry timer and ignores further port events (the port itself is not closed). */
  dispose(): void {
    this.#disposed = true;
    this.#clearTimer();
  }

  #write(bytes: Uint8Array, kind: FrameKind): Promise<void> {
    this.#lastTxAt = this.#clock.now();
    this.#log.trace?.({ kind, hex: toHex(bytes) }, "bus tx");
    const port = this.#port;
    const sent: Promise<WriteOutcome> = port.send
      ? port.send(bytes, maxAgeFor(kind))
      : port.write(bytes).then(() => "written" as const);
    return sent.then(
      (outcome) => {
        if (outcome === "written") bump(this.#sent, kind);
        else if (outcome === "closed") {
          this.#writeErrors++;
          this.#log.warn({ code: "TRANSPORT_CLOSED", kind }, "bus write failed: the bus is not connected");
          throw new TwcError({ code: "TRANSPORT_CLOSED", message: "the bus is not connected" });
        } else
          this.#log.debug?.({ code: "BUS_TX_DROPPED", kind, reason: outcome }, "frame dropped unwritten");
      },
      (err: unknown) => {
        // Counted here; logged by a ReconnectingPort (which reconnects), or here for a plain port.
        this.#writeErrors++;
        if (!port.send) this.#log.warn({ code: "TRANSPORT_WRITE_FAILED", kind, err }, "bus write failed");
        throw err instanceof Error ? err : new Error(String(err));
      },
    );
  }

  #onData(bytes: Uint8Array): void {
    if (this.#disposed) return;
    this.#handle(this.#deframer.push(bytes, this.#clock.now()));
    this.#armTimer();
  }

  #handle(results: readonly DeframeResult[]): void {
    for (const r of results) {
      if (r.ok) {
        bump(this.#received, r.frame.kind);
        this.#log.trace?.({ kind: r.frame.kind, hex: toHex(r.raw) }, "bus rx");
      } else {
        this.#log.debug?.(
          { code: "BUS_FRAME_DROPPED", reason: r.reason, hex: toHex(r.raw) },
          "frame dropped",
        );
      }
      this.#emit("frame", r);
    }
  }

  /** Schedules the partial-frame timeout just after it becomes due (Deframer drops when age > timeout). */
  #armTimer(): void {
    this.#clearTimer();
    if (this.#disposed || !this.#deframer.receiving) return;
    const due = this.#deframer.lastByteAt + this.#timeoutMs + 1;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = null;
        this.expirePartial(this.#clock.now());
      },
      Math.max(0, due - this.#clock.now()),
    );
  }

  #clearTimer(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #emit<E extends keyof FrameStreamEvents>(event: E, ...args: Parameters<FrameStreamEvents[E]>): void {
    for (const l of [...this.#listeners[event]]) {
      try {
        (l as (...a: Parameters<FrameStreamEvents[E]>) => void)(...args);
      } catch (err) {
        this.#log.error({ code: "BUS_LISTENER_FAILED", event, err }, "a bus frame listener threw");
      }
    }
  }
}
