/**
 * `interface.TCP.listen: true` (issue 13 §4): we are the server and an RS-485 bridge connects to us.
 * The first open() binds host:port (a bind failure — address in use, permission — is the open error);
 * each open() then hands out the bridge connection, waiting up to 30 s for one (no bridge connected is
 * an open failure, so the link state and alerts are the TCP client's when its bridge is down). One
 * bridge at a time: a new connection REPLACES the current one, which closes with the reason (a bridge
 * that reconnects after a network blip is served at once instead of waiting for the dead connection to
 * time out; ser2net's `kickolduser` does the same). close() releases the listening socket.
 */
import { createServer, type Server, type Socket } from "node:net";
import { systemClock, type Clock, type TimerHandle } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";
import { openFailed } from "./open-error.ts";
import type { BusBinding, BusPort } from "./port.ts";
import type { TransportLogger } from "./reconnecting.ts";
import { SocketBusPort, tuneSocket } from "./socket-port.ts";
import { formatEndpoint, type TcpEndpoint } from "./tcp.ts";

/** How long one open() waits for a bridge to connect (ms). */
export const LISTEN_WAIT_MS = 30_000;

/** Options of the listening binding. */
export interface TcpListenBindingOptions extends TcpEndpoint {
  /** Clock of the wait (default the system clock). */
  clock?: Clock;
  /** How long one open() waits for a bridge (ms), default 30000. */
  waitMs?: number;
  /** Receives "bridge connected" / "replaced" lines (optional). */
  logger?: TransportLogger;
}

/** A listening binding: a BusBinding with the bound port and close(). */
export interface TcpListenBinding extends BusBinding {
  /** The port actually bound (useful with port 0), null while not listening. */
  readonly boundPort: number | null;
  /** Stops listening and drops a connection not yet handed out; a later open() listens again. */
  close(): Promise<void>;
}

interface Waiter {
  resolve(port: BusPort): void;
  reject(err: Error): void;
  timer: TimerHandle;
}

function peerOf(socket: Socket): string {
  const { remoteAddress: a, remotePort: p } = socket;
  if (a === undefined) return "unknown";
  return a.includes(":") ? `[${a}]:${p}` : `${a}:${p}`;
}

/** Creates the listening binding (interfaceName "TCP", endpoint "listening on host:port"). */
export function createTcpListenBinding(opts: TcpListenBindingOptions): TcpListenBinding {
  const clock = opts.clock ?? systemClock;
  const waitMs = opts.waitMs ?? LISTEN_WAIT_MS;
  const address = formatEndpoint(opts);
  const endpoint = `listening on ${address}`;
  const log = opts.logger;
  let server: Server | null = null;
  let listening: Promise<void> | null = null;
  let held: Socket | null = null;
  let waiter: Waiter | null = null;
  let current: SocketBusPort | null = null;

  const wrap = (socket: Socket): SocketBusPort => {
    const peer = peerOf(socket);
    const port = new SocketBusPort(socket, endpoint, {
      remoteCloseMessage: `the bridge ${peer} closed the connection`,
    });
    port.on("close", () => {
      if (current === port) current = null;
    });
    current = port;
    log?.info({ endpoint, peer }, "bus bridge connected");
    return port;
  };

  const forgetHeld = (): void => {
    if (held) held.off("close", forgetHeld);
    held = null;
  };

  const takeHeld = (): Socket | null => {
    const socket = held;
    forgetHeld();
    return socket;
  };

  const accept = (socket: Socket): void => {
    tuneSocket(socket);
    socket.on("error", () => undefined); // errors before the hand-out: the close below forgets it
    const peer = peerOf(socket);
    if (current) {
      log?.warn({ endpoint, peer }, "a new bus bridge connected; it replaces the current one");
      current.kill(
        new TwcError({
          code: "TRANSPORT_CLOSED",
          message: `replaced by a new bridge connection from ${peer}`,
          context: { endpoint, peer },
        }),
      );
      current = null;
    }
    takeHeld()?.destroy(); // an older connection nobody took yet
    if (waiter) {
      const w = waiter;
      waiter = null;
      clock.clearTimeout(w.timer);
      w.resolve(wrap(socket));
      return;
    }
    held = socket;
    socket.once("close", forgetHeld); // the bridge gave up before an open() took it
  };

  const listen = (): Promise<void> => {
    listening ??= new Promise<void>((resolve, reject) => {
      const s = createServer(accept);
      const onError = (err: Error): void => {
        listening = null;
        server = null;
        s.close();
        reject(openFailed(`listen on ${address}`, { endpoint }, err));
      };
      s.once("error", onError);
      s.listen(opts.port, opts.host, () => {
        s.off("error", onError);
        s.on("error", () => undefined); // accept errors (EMFILE…) leave the listener as it is
        server = s;
        resolve();
      });
    });
    return listening;
  };

  return {
    interfaceName: "TCP",
    endpoint,
    buffered: true,
    get boundPort(): number | null {
      const a = server?.address();
      return a && typeof a === "object" ? a.port : null;
    },
    async open(): Promise<BusPort> {
      await listen();
      const socket = takeHeld();
      if (socket) return wrap(socket);
      if (waiter) throw new TwcError({ code: "TRANSPORT_OPEN_FAILED", message: `${endpoint}: an open() is already waiting` });
      return new Promise<BusPort>((resolve, reject) => {
        const timer = clock.setTimeout(() => {
          if (waiter?.timer !== timer) return;
          waiter = null;
          reject(
            openFailed(`accept a bridge on ${address}`, { endpoint }, `no bridge has connected (waited ${Math.round(waitMs / 1000)} s)`),
          );
        }, waitMs);
        waiter = { resolve, reject, timer };
      });
    },
    async close(): Promise<void> {
      if (waiter) {
        const w = waiter;
        waiter = null;
        clock.clearTimeout(w.timer);
        w.reject(new TwcError({ code: "TRANSPORT_CLOSED", message: `${endpoint}: the listener was closed` }));
      }
      takeHeld()?.destroy();
      const pending = listening;
      listening = null;
      if (pending) await pending.catch(() => undefined);
      const s = server;
      server = null;
      if (!s) return;
      // A connection still handed out is the ReconnectingPort's to close; do not wait for it forever.
      current?.kill(new TwcError({ code: "TRANSPORT_CLOSED", message: `${endpoint}: the listener was closed` }));
      current = null;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
