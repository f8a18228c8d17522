/**
 * Raw-TCP bus interface (config.md §4.3): a client to an RS-485-to-Ethernet bridge or to the simulator
 * server; also used for `interface.RS485.port: "socket://host:port"` (config.md §4.2). Keep-alive on,
 * no Nagle delay, 5 s connect timeout on the injected clock. Buffers become Uint8Arrays here.
 */
import { createConnection, isIPv6, type Socket } from "node:net";
import { systemClock, type Clock, type TimerHandle } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";
import type { BusBinding, BusPort, BusPortEvents } from "./port.ts";

/** Default port of `interface.TCP.server` when it has none (config.md §4.3). */
export const DEFAULT_TCP_PORT = 6000;
/** Connect timeout (ms). */
export const CONNECT_TIMEOUT_MS = 5000;
/** Idle time before the first keep-alive probe (ms). */
const KEEPALIVE_DELAY_MS = 10_000;

/** A TCP endpoint. */
export interface TcpEndpoint {
  host: string;
  port: number;
}

/** Options of the TCP binding. */
export interface TcpBindingOptions extends TcpEndpoint {
  /** "TCP" for interface.TCP, "RS485" for an RS485 `socket://` port. Default "TCP". */
  interfaceName?: "TCP" | "RS485";
  /** Clock for the connect timeout (default the system clock). */
  clock?: Clock;
  /** Connect timeout in ms (default 5000). */
  connectTimeoutMs?: number;
}

function configInvalid(message: string, value: string): TwcError {
  return new TwcError({ code: "CONFIG_INVALID", message, context: { value } });
}

function parsePort(text: string, original: string): number {
  if (!/^\d{1,5}$/.test(text)) throw configInvalid(`invalid TCP port in "${original}"`, original);
  const port = Number(text);
  if (port < 1 || port > 65535)
    throw configInvalid(`TCP port out of range (1-65535) in "${original}"`, original);
  return port;
}

/**
 * Parses `"host"`, `"host:port"`, `"[v6addr]"`, `"[v6addr]:port"` or a bare IPv6 address (then without
 * port). Throws TwcError CONFIG_INVALID on anything else.
 */
export function parseTcpServer(server: string, defaultPort: number = DEFAULT_TCP_PORT): TcpEndpoint {
  const text = server.trim();
  if (text.startsWith("[")) {
    const m = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
    if (!m?.[1]) throw configInvalid(`invalid TCP server "${server}"`, server);
    return { host: m[1], port: m[2] === undefined ? defaultPort : parsePort(m[2], server) };
  }
  if (isIPv6(text)) return { host: text, port: defaultPort };
  const parts = text.split(":");
  const host = parts[0] ?? "";
  if (host === "" || parts.length > 2 || /\s|\//.test(host))
    throw configInvalid(`invalid TCP server "${server}"`, server);
  return { host, port: parts[1] === undefined ? defaultPort : parsePort(parts[1], server) };
}

/** True when a serial `port` setting is a URL (`scheme://…`) rather than a device path. */
export function isPortUrl(port: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(port.trim());
}

/**
 * Parses `socket://host:port` (the port is required). `rfc2217://` and any other scheme are
 * TwcError CONFIG_INVALID (config.md §4.2).
 */
export function parseSocketUrl(url: string): TcpEndpoint {
  const text = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === "rfc2217") throw configInvalid("rfc2217:// is not supported; use socket://host:port", url);
  if (scheme !== "socket") throw configInvalid(`unsupported port URL "${url}"; use socket://host:port`, url);
  const rest = text.slice("socket://".length).replace(/\/$/, "");
  const endpoint = parseTcpServer(rest, 0);
  if (endpoint.port === 0) throw configInvalid(`socket:// URL needs a port: "${url}"`, url);
  return endpoint;
}

/** "host:port", with IPv6 hosts in brackets. */
export function formatEndpoint({ host, port }: TcpEndpoint): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A BusBinding opening a TCP connection per open(). */
export function createTcpBinding(opts: TcpBindingOptions): BusBinding {
  const clock = opts.clock ?? systemClock;
  const timeoutMs = opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  const endpoint = formatEndpoint(opts);
  return {
    interfaceName: opts.interfaceName ?? "TCP",
    endpoint,
    buffered: true,
    open(): Promise<BusPort> {
      return new Promise<BusPort>((resolve, reject) => {
        const socket = createConnection({ host: opts.host, port: opts.port });
        let timer: TimerHandle | null = null;
        const fail = (reason: string, cause?: unknown): void => {
          if (timer) clock.clearTimeout(timer);
          socket.removeListener("connect", onConnect);
          socket.on("error", () => undefined); // a late error of the abandoned socket must not crash the process
          socket.destroy();
          reject(
            new TwcError({
              code: "TRANSPORT_OPEN_FAILED",
              message: `cannot connect to ${endpoint}: ${reason}`,
              context: { endpoint, reason },
              cause,
            }),
          );
        };
        const onError = (err: Error): void => fail(err.message, err);
        const onConnect = (): void => {
          if (timer) clock.clearTimeout(timer);
          socket.removeListener("error", onError);
          socket.setKeepAlive(true, KEEPALIVE_DELAY_MS);
          socket.setNoDelay(true);
          resolve(new TcpBusPort(socket, endpoint));
        };
        timer = clock.setTimeout(() => fail(`connect timeout after ${timeoutMs} ms`), timeoutMs);
        socket.once("error", onError);
        socket.once("connect", onConnect);
      });
    },
  };
}

/** A connected socket as a BusPort. */
class TcpBusPort implements BusPort {
  readonly #dataListeners: BusPortEvents["data"][] = [];
  readonly #closeListeners: BusPortEvents["close"][] = [];
  #closed = false;
  #error: Error | undefined;
  #closing = false;

  constructor(
    private readonly socket: Socket,
    private readonly endpoint: string,
  ) {
    socket.on("data", (chunk: Buffer) => {
      if (this.#closed) return;
      const bytes = new Uint8Array(chunk);
      for (const l of [...this.#dataListeners]) l(bytes);
    });
    socket.on("error", (err: Error) => {
      this.#error ??= err;
    });
    socket.on("close", () => {
      let error = this.#error;
      if (!error && !this.#closing) {
        error = new TwcError({
          code: "TRANSPORT_CLOSED",
          message: `connection to ${endpoint} closed by the remote end`,
        });
      }
      this.#finish(error);
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed || this.socket.destroyed || !this.socket.writable) {
      return Promise.reject(
        new TwcError({ code: "TRANSPORT_CLOSED", message: `connection to ${this.endpoint} is closed` }),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.socket.write(bytes, (err) => {
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

  close(): Promise<void> {
    return this.#end(() => this.socket.destroy());
  }

  /** Closes with a TCP reset: the kernel discards what it still holds for sending (a stalled bridge). */
  abort(): Promise<void> {
    return this.#end(() => {
      if (this.socket.destroyed) return;
      try {
        this.socket.resetAndDestroy();
      } catch {
        this.socket.destroy(); // not connected any more: nothing left to discard
      }
    });
  }

  #end(destroy: () => void): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closing = true;
    return new Promise<void>((resolve) => {
      this.socket.once("close", () => resolve());
      destroy();
    });
  }

  on<E extends keyof BusPortEvents>(event: E, listener: BusPortEvents[E]): void {
    if (event === "data") this.#dataListeners.push(listener as BusPortEvents["data"]);
    else this.#closeListeners.push(listener as BusPortEvents["close"]);
  }

  #finish(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const l of [...this.#closeListeners]) l(error);
  }
}
