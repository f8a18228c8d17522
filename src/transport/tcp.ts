/**
 * Raw-TCP bus interface (config.md §4.3): a client to an RS-485-to-Ethernet bridge or to the simulator
 * server; also used for `interface.RS485.port: "socket://host:port"` (config.md §4.2). Keep-alive on,
 * no Nagle delay, 5 s connect timeout on the injected clock. Buffers become Uint8Arrays here.
 */
import { isIPv6 } from "node:net";
import { systemClock, type Clock } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";
import type { BusBinding, BusPort } from "./port.ts";
import { connectSocket, SocketBusPort } from "./socket-port.ts";

/** Default port of `interface.TCP.server` when it has none (config.md §4.3). */
export const DEFAULT_TCP_PORT = 6000;
/** Connect timeout (ms). */
export const CONNECT_TIMEOUT_MS = 5000;

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
 * Parses `socket://host:port` (the port is required). Any other scheme is TwcError CONFIG_INVALID;
 * `rfc2217://` URLs are parsed by rfc2217.ts's parseRfc2217Url instead (config validation routes them).
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
    async open(): Promise<BusPort> {
      const socket = await connectSocket({ host: opts.host, port: opts.port, endpoint, clock, timeoutMs });
      return new SocketBusPort(socket, endpoint);
    },
  };
}
