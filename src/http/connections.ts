/**
 * Connection limits of the HTTP servers (http-api.md §2.2 and docs/decisions.md): a cap on open
 * connections, an idle timeout, and a graceful drain when a server closes. The rule of the project holds
 * throughout: no connection is dropped without an answer while it can still carry one.
 *
 * * Cap: a connection above `maxConnections` gets `503 {"error":"Too many connections (limit N)"}` with
 *   `Retry-After` and `Connection: close`, to its first request (a fastify onRequest hook) or, when it
 *   sends none within `excessAnswerMs`, unprompted (as Node's own 408). Above twice the cap Node closes
 *   new connections at once: answering them would spend the descriptors the cap protects.
 * * Idle: a connection with no traffic either way for `idleTimeoutMs` is closed, unless a handler is still
 *   producing its answer (then the answer is awaited). Keep-alive (5 s) and header (10 s) timeouts stay.
 * * Drain (Node's `server.close()` calls `closeIdleConnections()`, which is replaced here): nothing is cut.
 *   In-flight requests are answered; requests still arriving get the shutdown 503 with
 *   `Connection: close` (wire-rules.ts); a keep-alive connection is closed once it has been idle for
 *   `drainIdleMs` (a request already on its way arrives well before); a connection that never sent a
 *   request gets the shutdown 503 unprompted.
 */
import type { FastifyInstance } from "fastify";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { Server as TlsServer } from "node:tls";
import { systemClock, type Clock, type TimerHandle } from "../shared/clock.ts";
import { ConnectionsCheck } from "./connections-check.ts";
import { sendError } from "./reply.ts";
import {
  answerAndClose,
  claimAnswer,
  HTTP_LIMITS,
  rawErrorResponse,
  SHUTDOWN_MESSAGE,
  type HttpLimits,
  type HttpSocket,
} from "./wire-rules.ts";

/** Seconds an excess client is asked to wait (`Retry-After`). */
export const EXCESS_RETRY_AFTER_S = 5;

/** The limits the guard uses (a subset of HttpLimits). */
export type ConnectionLimits = Pick<
  HttpLimits,
  "maxConnections" | "idleTimeoutMs" | "excessAnswerMs" | "drainIdleMs"
>;

/** The 503 message for a connection above the cap. */
export function excessMessage(maxConnections: number): string {
  return `Too many connections (limit ${maxConnections})`;
}

interface Conn {
  socket: HttpSocket;
  /** Opened while the cap was reached: every request gets the 503. */
  excess: boolean;
  /** Requests parsed on it so far. */
  requests: number;
  /** Responses not closed yet. */
  inFlight: number;
  /** When it last became idle (no response in flight), or was opened. */
  idleSince: number;
  timer: TimerHandle | null;
}

const guards = new WeakMap<object, ConnectionGuard>();

/** Tracks one server's connections and applies the cap, the idle timeout and the drain. */
export class ConnectionGuard {
  private readonly conns = new Map<Duplex, Conn>();
  private draining = false;
  private timeoutsCheck: ConnectionsCheck | null = null;

  constructor(
    private readonly server: Server,
    private limits: Readonly<ConnectionLimits>,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Runs Node's header/request timeout check only while this guard sees connections (connections-check.ts). */
  useTimeoutsCheck(check: ConnectionsCheck): void {
    this.timeoutsCheck = check;
    check.connections(this.conns.size);
  }

  /** True when Node's header/request timeout check runs only while connections are open. */
  get checksOnlyWhileOpen(): boolean {
    return this.timeoutsCheck?.active === true;
  }

  /** Open connections. */
  get size(): number {
    return this.conns.size;
  }

  /** The connection cap in force. */
  get maxConnections(): number {
    return this.limits.maxConnections;
  }

  /** True while the server drains (after `close()`). */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Replaces the limits (they apply to connections opened from now on, and to the drain). */
  setLimits(limits: Readonly<ConnectionLimits>): void {
    this.limits = limits;
    this.server.maxConnections = 2 * limits.maxConnections;
  }

  /** True when `socket` is one of this server's connections above the cap. */
  isExcess(socket: Duplex): boolean {
    return this.conns.get(socket)?.excess === true;
  }

  /** A new connection (the TLS socket after its handshake for HTTPS). */
  onConnection(socket: HttpSocket): void {
    const c: Conn = {
      socket,
      excess: this.conns.size >= this.limits.maxConnections,
      requests: 0,
      inFlight: 0,
      idleSince: this.clock.now(),
      timer: null,
    };
    this.conns.set(socket, c);
    this.timeoutsCheck?.connections(this.conns.size);
    socket.once("close", () => {
      this.clearTimer(c);
      this.conns.delete(socket);
      this.timeoutsCheck?.connections(this.conns.size);
    });
    if (this.draining) this.scheduleDrain(c);
    else if (c.excess) {
      c.timer = this.clock.setTimeout(() => {
        c.timer = null;
        if (c.requests === 0) this.answerUnprompted(c, excessMessage(this.limits.maxConnections));
      }, this.limits.excessAnswerMs);
    }
  }

  /** A request parsed on one of this server's connections (other sockets are ignored). */
  onRequest(req: IncomingMessage, res: ServerResponse): void {
    const c = this.conns.get(req.socket);
    if (!c) return;
    c.requests++;
    c.inFlight++;
    this.clearTimer(c);
    res.once("close", () => {
      c.inFlight--;
      if (c.inFlight > 0) return;
      c.idleSince = this.clock.now();
      if (this.draining) this.scheduleDrain(c);
    });
  }

  /**
   * Socket inactivity (Node's `timeout` event; also its keep-alive timeout): the connection is closed
   * unless a handler is still producing its answer.
   */
  onTimeout(socket: HttpSocket): void {
    const res = socket._httpMessage;
    if (res && !res.headersSent && !res.writableEnded) return;
    socket.destroy();
  }

  /** Starts the drain (replaces `server.closeIdleConnections()`, which `server.close()` calls). */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    for (const c of this.conns.values()) this.scheduleDrain(c);
  }

  private scheduleDrain(c: Conn): void {
    this.clearTimer(c);
    if (c.inFlight > 0) return; // answered first; its close schedules again
    const wait = Math.max(0, c.idleSince + this.limits.drainIdleMs - this.clock.now());
    c.timer = this.clock.setTimeout(() => {
      c.timer = null;
      if (c.inFlight > 0 || c.socket.destroyed) return;
      if (c.requests === 0) this.answerUnprompted(c, SHUTDOWN_MESSAGE);
      else this.closeQuietly(c);
    }, wait);
  }

  /** The 503 on a connection that sent no request (yet), then closed. */
  private answerUnprompted(c: Conn, message: string): void {
    if (!claimAnswer(c.socket)) return;
    const extra = { "Retry-After": String(EXCESS_RETRY_AFTER_S) };
    answerAndClose(c.socket, rawErrorResponse(503, message, extra));
  }

  /** Ends an idle keep-alive connection: FIN first, the socket goes when the client has closed too. */
  private closeQuietly(c: Conn): void {
    c.socket.end();
    c.timer = this.clock.setTimeout(() => {
      c.timer = null;
      c.socket.destroy();
    }, this.limits.drainIdleMs);
  }

  private clearTimer(c: Conn): void {
    if (c.timer !== null) this.clock.clearTimeout(c.timer);
    c.timer = null;
  }
}

/** The guard of a server (undefined: none installed). */
export function guardOf(server: unknown): ConnectionGuard | undefined {
  return typeof server === "object" && server !== null ? guards.get(server) : undefined;
}

/**
 * Installs a ConnectionGuard on `server` (an HTTP server, or an HTTPS server whose connections count
 * from their handshake). Installing twice only updates the limits.
 */
export function installConnectionGuard(
  server: Server,
  limits: Readonly<ConnectionLimits> = HTTP_LIMITS,
  clock: Clock = systemClock,
): ConnectionGuard {
  const existing = guards.get(server);
  if (existing) {
    existing.setLimits(limits);
    return existing;
  }
  const guard = new ConnectionGuard(server, limits, clock);
  guard.useTimeoutsCheck(new ConnectionsCheck(server, clock));
  guards.set(server, guard);
  guard.setLimits(limits);
  server.on(server instanceof TlsServer ? "secureConnection" : "connection", (s: HttpSocket) => guard.onConnection(s));
  // The HTTPS server also gets the app server's request listeners; each guard ignores other sockets.
  server.on("request", (req: IncomingMessage, res: ServerResponse) => guard.onRequest(req, res));
  server.on("timeout", (socket: HttpSocket) => guard.onTimeout(socket));
  server.closeIdleConnections = () => guard.drain();
  return guard;
}

/** The guard of the server a socket belongs to (Node sets `socket.server`). */
export function guardOfSocket(socket: Duplex): ConnectionGuard | undefined {
  return guardOf((socket as Duplex & { server?: unknown }).server);
}

/**
 * Installs the guard on the app's server and the onRequest hook answering a connection above the cap
 * with 503 (register it first: it comes before every other check, http-api.md §4.1 step 1).
 */
export function installConnectionLimits(app: FastifyInstance, limits: Readonly<ConnectionLimits> = HTTP_LIMITS): void {
  installConnectionGuard(app.server, limits);
  app.addHook("onRequest", (request, reply, done) => {
    const guard = guardOfSocket(request.raw.socket);
    if (!guard?.isExcess(request.raw.socket)) {
      done();
      return;
    }
    void reply.header("Connection", "close").header("Retry-After", String(EXCESS_RETRY_AFTER_S));
    void sendError(reply, 503, excessMessage(guard.maxConnections));
  });
}
