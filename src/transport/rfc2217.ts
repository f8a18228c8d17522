/**
 * `interface.RS485.port: "rfc2217://host:port"` (issue 13 §4): the serial port of a remote access
 * server (ser2net's `telnet(rfc2217)` accepter, or any RFC 2217 server) over telnet. Each open()
 * connects (5 s timeout), runs the RFC 2217 handshake of com-port.ts (the line set to the configured
 * baud, 8N1, no flow control; 5 s to complete) and then offers the plain bus bytes, telnet stripped and
 * escaped. Reconnects, back-off and stall detection are ReconnectingPort's, exactly as for the TCP bridge.
 */
import type { Socket } from "node:net";
import { systemClock, type Clock, type TimerHandle } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";
import { ComPortSession } from "./com-port.ts";
import { openFailed } from "./open-error.ts";
import type { BusBinding, BusPort } from "./port.ts";
import { connectSocket, SocketBusPort } from "./socket-port.ts";
import { CONNECT_TIMEOUT_MS, formatEndpoint, parseTcpServer, type TcpEndpoint } from "./tcp.ts";

/** Time the access server has to finish the RFC 2217 handshake after the connect (ms). */
export const HANDSHAKE_TIMEOUT_MS = 5000;

/** Options of the RFC 2217 binding. */
export interface Rfc2217BindingOptions extends TcpEndpoint {
  /** Baud rate asked of the access server (9600 on a TWC bus). */
  baud: number;
  /** Clock of the connect and handshake timeouts (default the system clock). */
  clock?: Clock;
  /** Connect timeout (ms), default 5000. */
  connectTimeoutMs?: number;
  /** Handshake timeout (ms), default 5000. */
  handshakeTimeoutMs?: number;
}

/** A parsed `rfc2217://host:port[?options]` URL; `options` are pyserial's query words (ignored here). */
export interface Rfc2217Url extends TcpEndpoint {
  options: string[];
}

function invalid(message: string, url: string): TwcError {
  return new TwcError({ code: "CONFIG_INVALID", message, context: { value: url } });
}

/**
 * Parses `rfc2217://host:port` (port required; `[v6]:port` allowed; a trailing `/` and pyserial's
 * `?option&…` query accepted). Throws TwcError CONFIG_INVALID otherwise.
 */
export function parseRfc2217Url(url: string): Rfc2217Url {
  const text = url.trim();
  if (!/^rfc2217:\/\//i.test(text)) throw invalid(`not an rfc2217:// URL: "${url}"`, url);
  const rest = text.slice("rfc2217://".length);
  const q = rest.indexOf("?");
  const hostPart = (q < 0 ? rest : rest.slice(0, q)).replace(/\/$/, "");
  const options = q < 0 ? [] : rest.slice(q + 1).split("&").filter((o) => o !== "");
  const endpoint = parseTcpServer(hostPart, 0);
  if (endpoint.port === 0) throw invalid(`rfc2217:// URL needs a port: "${url}"`, url);
  return { ...endpoint, options };
}

/** The endpoint text of an RFC 2217 link: `rfc2217://host:port`. */
export function rfc2217Endpoint(e: TcpEndpoint): string {
  return `rfc2217://${formatEndpoint(e)}`;
}

/** A BusBinding connecting to an RFC 2217 access server per open() (interfaceName "RS485"). */
export function createRfc2217Binding(opts: Rfc2217BindingOptions): BusBinding {
  const clock = opts.clock ?? systemClock;
  const endpoint = rfc2217Endpoint(opts);
  const connectTimeoutMs = opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  const handshakeMs = opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  return {
    interfaceName: "RS485",
    endpoint,
    buffered: true,
    async open(): Promise<BusPort> {
      const socket = await connectSocket({
        host: opts.host,
        port: opts.port,
        endpoint,
        clock,
        timeoutMs: connectTimeoutMs,
      });
      return handshake(socket, endpoint, opts.baud, clock, handshakeMs);
    },
  };
}

/** Runs the RFC 2217 handshake on a connected socket; resolves the bus port once the line is set. */
function handshake(
  socket: Socket,
  endpoint: string,
  baud: number,
  clock: Clock,
  timeoutMs: number,
): Promise<BusPort> {
  const session = new ComPortSession({ baud, dataBits: 8, parity: "none", stopBits: 1 });
  const send = (chunks: readonly Uint8Array[]): void => {
    for (const c of chunks) if (!socket.destroyed && socket.writable) socket.write(c);
  };
  return new Promise<BusPort>((resolve, reject) => {
    const early: Uint8Array[] = [];
    let timer: TimerHandle | null = null;
    const cleanup = (): void => {
      if (timer) clock.clearTimeout(timer);
      socket.off("data", onData);
      socket.off("close", onClose);
      socket.off("error", onError);
    };
    const fail = (cause: unknown, reason?: string): void => {
      cleanup();
      socket.on("error", () => undefined); // a late error of the abandoned socket must not crash the process
      socket.destroy();
      reject(openFailed(`open ${endpoint}`, { endpoint }, cause, reason));
    };
    const HUNG_UP = "the server closed the connection during the RFC 2217 handshake";
    const onError = (err: Error): void => fail(err, HUNG_UP);
    const onClose = (): void => fail(HUNG_UP);
    const onData = (chunk: Buffer): void => {
      const r = session.receive(new Uint8Array(chunk));
      send(r.reply);
      early.push(...r.data);
      if (session.status === "failed") fail(session.failure ?? "RFC 2217 handshake failed");
      else if (session.status === "ready") {
        cleanup();
        resolve(
          new SocketBusPort(socket, endpoint, {
            early,
            filter: {
              incoming: (bytes) => {
                const got = session.receive(bytes);
                send(got.reply);
                return got.data;
              },
              outgoing: (bytes) => session.encode(bytes),
            },
          }),
        );
      }
    };
    timer = clock.setTimeout(
      () =>
        fail(
          `no RFC 2217 answer within ${timeoutMs} ms: is the port served as telnet(rfc2217)? (use socket:// for a raw TCP bridge)`,
        ),
      timeoutMs,
    );
    socket.on("data", onData);
    socket.once("close", onClose);
    socket.once("error", onError);
    send(session.start());
  });
}
