/**
 * A connected TCP socket as a BusPort, shared by the TCP client, the TCP listener and RFC 2217: bytes
 * in and out (through an optional filter, e.g. the telnet layer), close events with the reason, a
 * reset-close that discards what the kernel still holds. Also the outgoing connect with its timeout
 * and the open-failure shape of open-error.ts. Buffers become Uint8Arrays here.
 */
import { createConnection, type Socket } from "node:net";
import type { Clock, TimerHandle } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";
import { openFailed } from "./open-error.ts";
import type { BusPort, BusPortEvents } from "./port.ts";

/** Idle time before the first keep-alive probe (ms). */
export const KEEPALIVE_DELAY_MS = 10_000;
/** Received bytes kept while nobody listens yet (the moment between open and the first listener). */
const MAX_EARLY_BYTES = 64 * 1024;

/** Translates between the wire and the bus bytes (the telnet layer of RFC 2217). */
export interface SocketFilter {
  /** Received wire bytes → bus data chunks (the filter sends any replies itself). */
  incoming(chunk: Uint8Array): Uint8Array[];
  /** Bus bytes → wire bytes. */
  outgoing(bytes: Uint8Array): Uint8Array;
}

/** Sets keep-alive and no Nagle delay on a bus socket. */
export function tuneSocket(socket: Socket): void {
  socket.setKeepAlive(true, KEEPALIVE_DELAY_MS);
  socket.setNoDelay(true);
}

/**
 * Connects to host:port within `timeoutMs` on the clock; rejects with TRANSPORT_OPEN_FAILED
 * "cannot connect to <endpoint>: <reason>" (context endpoint, reason, errno).
 */
export function connectSocket(opts: {
  host: string;
  port: number;
  endpoint: string;
  clock: Clock;
  timeoutMs: number;
}): Promise<Socket> {
  const { clock, endpoint, timeoutMs } = opts;
  return new Promise<Socket>((resolve, reject) => {
    const socket = createConnection({ host: opts.host, port: opts.port });
    let timer: TimerHandle | null = null;
    const fail = (cause: unknown): void => {
      if (timer) clock.clearTimeout(timer);
      socket.removeListener("connect", onConnect);
      socket.on("error", () => undefined); // a late error of the abandoned socket must not crash the process
      socket.destroy();
      reject(openFailed(`connect to ${endpoint}`, { endpoint }, cause));
    };
    const onError = (err: Error): void => fail(err);
    const onConnect = (): void => {
      if (timer) clock.clearTimeout(timer);
      socket.removeListener("error", onError);
      tuneSocket(socket);
      resolve(socket);
    };
    timer = clock.setTimeout(() => fail(`no answer within ${timeoutMs} ms (connect timeout)`), timeoutMs);
    socket.once("error", onError);
    socket.once("connect", onConnect);
  });
}

/** Options of a SocketBusPort. */
export interface SocketBusPortOptions {
  /** Wire translation (default none: raw bytes). */
  filter?: SocketFilter;
  /** Data received before the port existed (RFC 2217: with the handshake), delivered first. */
  early?: readonly Uint8Array[];
  /** Message of the error when the remote end closes (default "connection to <endpoint> closed by the remote end"). */
  remoteCloseMessage?: string;
}

/** A connected socket as a BusPort. */
export class SocketBusPort implements BusPort {
  readonly #dataListeners: BusPortEvents["data"][] = [];
  readonly #closeListeners: BusPortEvents["close"][] = [];
  readonly #filter: SocketFilter | undefined;
  #early: Uint8Array[] = [];
  #earlyBytes = 0;
  #closed = false;
  #error: Error | undefined;
  #closing = false;
  #closeReason: Error | undefined;

  /** Wraps an open socket; its data flows from now on. */
  constructor(
    private readonly socket: Socket,
    private readonly endpoint: string,
    opts: SocketBusPortOptions = {},
  ) {
    this.#filter = opts.filter;
    for (const chunk of opts.early ?? []) this.#deliver(chunk);
    socket.on("data", (chunk: Buffer) => {
      if (this.#closed) return;
      const bytes = new Uint8Array(chunk);
      if (!this.#filter) this.#deliver(bytes);
      else for (const data of this.#filter.incoming(bytes)) this.#deliver(data);
    });
    socket.on("error", (err: Error) => {
      this.#error ??= err;
    });
    socket.on("close", () => {
      let error = this.#closeReason ?? this.#error;
      if (!error && !this.#closing) {
        error = new TwcError({
          code: "TRANSPORT_CLOSED",
          message: opts.remoteCloseMessage ?? `connection to ${endpoint} closed by the remote end`,
        });
      }
      this.#finish(error);
    });
  }

  /** Writes bus bytes (through the filter); resolves when the kernel took them. */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed || this.socket.destroyed || !this.socket.writable) {
      return Promise.reject(
        new TwcError({ code: "TRANSPORT_CLOSED", message: `connection to ${this.endpoint} is closed` }),
      );
    }
    const wire = this.#filter ? this.#filter.outgoing(bytes) : bytes;
    return new Promise<void>((resolve, reject) => {
      this.socket.write(wire, (err) => {
        if (err) {
          reject(
            new TwcError({
              code: "TRANSPORT_WRITE_FAILED",
              message: `write to ${this.endpoint} failed: ${err.message}`,
              context: { endpoint: this.endpoint },
              cause: err,
            }),
          );
        } else resolve();
      });
    });
  }

  /** Closes gracefully; resolves when closed. */
  close(): Promise<void> {
    return this.#end(() => this.socket.destroy());
  }

  /** Closes with a TCP reset: the kernel discards what it still holds for sending (a stalled bridge). */
  abort(): Promise<void> {
    return this.#end(() => this.#reset());
  }

  /** Drops the connection with a reset, reporting `error` to the close listeners (not a local close). */
  kill(error: Error): void {
    if (this.#closed) return;
    this.#closeReason = error;
    this.#reset();
  }

  /** Registers a listener; bytes received before the first data listener are handed to it first. */
  on<E extends keyof BusPortEvents>(event: E, listener: BusPortEvents[E]): void {
    if (event === "close") {
      this.#closeListeners.push(listener as BusPortEvents["close"]);
      return;
    }
    this.#dataListeners.push(listener as BusPortEvents["data"]);
    if (this.#dataListeners.length !== 1 || this.#early.length === 0) return;
    const early = this.#early;
    this.#early = [];
    this.#earlyBytes = 0;
    queueMicrotask(() => {
      if (this.#closed) return;
      for (const bytes of early) for (const l of [...this.#dataListeners]) l(bytes);
    });
  }

  #deliver(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.#dataListeners.length > 0) {
      for (const l of [...this.#dataListeners]) l(bytes);
      return;
    }
    if (this.#earlyBytes + bytes.length > MAX_EARLY_BYTES) return;
    this.#early.push(bytes);
    this.#earlyBytes += bytes.length;
  }

  #reset(): void {
    if (this.socket.destroyed) return;
    try {
      this.socket.resetAndDestroy();
    } catch {
      this.socket.destroy(); // not connected any more: nothing left to discard
    }
  }

  #end(destroy: () => void): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closing = true;
    return new Promise<void>((resolve) => {
      this.socket.once("close", () => resolve());
      destroy();
    });
  }

  #finish(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const l of [...this.#closeListeners]) l(error);
  }
}
