/**
 * `GET /api/v2/events` (http-api.md §8.2, design.md §12): Server-Sent Events over `reply.hijack()`.
 * First `retry: 5000` and a full `state` event (or, with a valid Last-Event-ID, the missing patches),
 * then `patch` events coalesced to at most one per 250 ms, `: ping` every 15 s. A client whose unsent
 * buffer exceeds 1 MiB is disconnected; at most 32 streams. Beyond the spec (docs/decisions.md): at
 * most 4 unauthenticated streams per client address (429; loopback exempt); an unauthenticated stream
 * ends cleanly after 1 h (the client reconnects and Last-Event-ID replays what it missed); when every
 * slot is taken, an authenticated client takes the slot of the oldest unauthenticated stream. A request
 * pipelined behind a stream ends it (http/wire-rules.ts). Every timer runs on the injected clock and is
 * cleared when the stream closes.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { FastifyReply, FastifyRequest } from "fastify";
import { every, type Clock, type TimerHandle } from "../../shared/clock.ts";
import { sendError } from "../reply.ts";
import { registerEndableStream } from "../wire-rules.ts";
import type { Authenticator } from "../security/auth.ts";
import { isLoopbackAddress } from "../security/listeners.ts";
import type { StatePatch, StateStore } from "../../state/store.ts";

/** Random per process start; the first part of every event id. */
export const BOOT_ID: string = randomBytes(4).toString("hex");

/** Limits and intervals of the stream. */
export const SSE_LIMITS = {
  maxClients: 32,
  /** Unauthenticated streams per client address. */
  maxPerAddress: 4,
  /** Lifetime of an unauthenticated stream. */
  unauthenticatedLifetimeMs: 3_600_000,
  coalesceMs: 250,
  pingMs: 15_000,
  retryMs: 5000,
  maxBufferBytes: 1024 * 1024,
} as const;

/** Options of the hub. */
export interface SseHubOptions {
  store: StateStore;
  clock: Clock;
  bootId?: string;
  maxClients?: number;
  maxBufferBytes?: number;
  maxPerAddress?: number;
  /**
   * Addresses the per-address limit does not apply to (default: loopback, where a reverse proxy on the
   * same host makes every client look alike).
   */
  perAddressExempt?: (address: string) => boolean;
  unauthenticatedLifetimeMs?: number;
}

/** Who opens a stream: the client address and whether the request carried valid credentials. */
export interface StreamOpener {
  address: string;
  authenticated: boolean;
}

interface Client {
  res: ServerResponse;
  address: string;
  authenticated: boolean;
  /** Ends an unauthenticated stream at the end of its lifetime. */
  lifetime: TimerHandle | null;
  rev: number;
  lastFlushAt: number;
  timer: TimerHandle | null;
  stopPing: () => void;
  closed: boolean;
}

const HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-store",
  "X-Accel-Buffering": "no",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
} as const;

/**
 * Who opens a stream. It is authenticated when authentication is on and the request carries valid
 * credentials (a live session cookie, a bearer token or Basic, http-api.md §3.1), whether or not reads
 * are protected; with authentication off every stream is unauthenticated.
 */
export async function streamOpener(auth: Authenticator | null, request: FastifyRequest): Promise<StreamOpener> {
  const address = request.ip;
  const { authorization, cookie } = request.headers;
  if (!auth || (authorization === undefined && cookie === undefined)) return { address, authenticated: false };
  const outcome = await auth.check({ authorization, cookie, address });
  return { address, authenticated: outcome.kind === "ok" };
}

/** Parses `<bootId>:<revision>`; null when malformed. */
export function parseEventId(id: unknown): { bootId: string; revision: number } | null {
  if (typeof id !== "string") return null;
  const m = /^([^:\s]+):(\d{1,15})$/.exec(id.trim());
  if (!m?.[1] || !m[2]) return null;
  return { bootId: m[1], revision: Number(m[2]) };
}

/** The set of open event streams. */
export class SseHub {
  readonly bootId: string;
  private readonly clients = new Set<Client>();
  private unsubscribe: (() => void) | null = null;
  private readonly maxClients: number;
  private readonly maxBuffer: number;
  private readonly maxPerAddress: number;
  private readonly lifetimeMs: number;

  constructor(private readonly o: SseHubOptions) {
    this.bootId = o.bootId ?? BOOT_ID;
    this.maxClients = o.maxClients ?? SSE_LIMITS.maxClients;
    this.maxBuffer = o.maxBufferBytes ?? SSE_LIMITS.maxBufferBytes;
    this.maxPerAddress = o.maxPerAddress ?? SSE_LIMITS.maxPerAddress;
    this.lifetimeMs = o.unauthenticatedLifetimeMs ?? SSE_LIMITS.unauthenticatedLifetimeMs;
  }

  /** Open streams. */
  get size(): number {
    return this.clients.size;
  }

  /**
   * Why a stream for `who` cannot open now (status and message), or null. When every slot is taken, an
   * authenticated client frees the slot of the oldest unauthenticated stream (which ends cleanly).
   */
  private admit(who: StreamOpener): { status: number; message: string } | null {
    if (!who.authenticated && !(this.o.perAddressExempt ?? isLoopbackAddress)(who.address)) {
      let fromAddress = 0;
      for (const c of this.clients) if (!c.authenticated && c.address === who.address) fromAddress++;
      if (fromAddress >= this.maxPerAddress) {
        return {
          status: 429,
          message: `Too many event streams from this address (limit ${this.maxPerAddress})`,
        };
      }
    }
    if (this.clients.size < this.maxClients) return null;
    const oldest = who.authenticated ? [...this.clients].find((c) => !c.authenticated) : undefined;
    if (!oldest) return { status: 503, message: "Too many event streams" };
    this.end(oldest);
    return null;
  }

  /** Route handler; `who` defaults to an unauthenticated client at the request's address. */
  handle(
    request: FastifyRequest,
    reply: FastifyReply,
    who: StreamOpener = { address: request.ip, authenticated: false },
  ): FastifyReply | undefined {
    if (request.method === "HEAD") return reply.code(200).headers(HEADERS).send();
    const refused = this.admit(who);
    if (refused) {
      if (refused.status === 429) void reply.header("Retry-After", String(SSE_LIMITS.retryMs / 1000));
      return sendError(reply, refused.status, refused.message);
    }
    const query = request.query as Record<string, unknown> | undefined;
    const lastId = parseEventId(request.headers["last-event-id"] ?? query?.lastEventId);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, HEADERS);
    const client: Client = {
      res,
      address: who.address,
      authenticated: who.authenticated,
      lifetime: null,
      rev: 0,
      lastFlushAt: this.o.clock.now(),
      timer: null,
      stopPing: () => undefined,
      closed: false,
    };
    this.clients.add(client);
    this.subscribe();
    const cleanup = (): void => this.drop(client);
    res.on("close", cleanup);
    res.on("error", cleanup);
    // The server allows half-open connections (http/wire-rules.ts), so a client that goes away is only
    // seen as the end of its socket's readable side: an event-stream client never half-closes, so the
    // stream ends then instead of lingering until the next write fails.
    request.raw.socket.once("end", () => {
      cleanup();
      res.end();
    });
    client.stopPing = every(this.o.clock, SSE_LIMITS.pingMs, () => this.write(client, ": ping\n\n"));
    if (!who.authenticated) client.lifetime = this.o.clock.setTimeout(() => this.end(client), this.lifetimeMs);
    this.write(client, `retry: ${SSE_LIMITS.retryMs}\n\n`);
    const replay =
      lastId && lastId.bootId === this.bootId ? this.o.store.patchesSince(lastId.revision) : null;
    if (lastId && replay) {
      client.rev = lastId.revision;
      for (const p of replay) this.sendPatch(client, [p]);
    } else {
      this.sendState(client);
    }
    registerEndableStream(res, () => this.end(client));
    return undefined;
  }

  /** Ends every stream (server shutdown). */
  closeAll(): void {
    for (const c of [...this.clients]) this.end(c);
  }

  /** Ends a stream cleanly (the complete response; the client's EventSource reconnects). */
  private end(c: Client): void {
    this.drop(c);
    c.res.end();
  }

  private subscribe(): void {
    this.unsubscribe ??= this.o.store.onPatch(() => this.onPatch());
  }

  private onPatch(): void {
    const now = this.o.clock.now();
    for (const c of this.clients) {
      if (c.timer !== null || c.closed) continue;
      c.timer = this.o.clock.setTimeout(
        () => this.flush(c),
        Math.max(0, c.lastFlushAt + SSE_LIMITS.coalesceMs - now),
      );
    }
  }

  private flush(c: Client): void {
    c.timer = null;
    if (c.closed) return;
    c.lastFlushAt = this.o.clock.now();
    const patches = this.o.store.patchesSince(c.rev);
    if (patches === null) this.sendState(c);
    else if (patches.length > 0) this.sendPatch(c, patches);
  }

  private sendState(c: Client): void {
    const doc = this.o.store.snapshot;
    c.rev = doc.revision;
    this.write(c, `id: ${this.bootId}:${doc.revision}\nevent: state\ndata: ${JSON.stringify(doc)}\n\n`);
  }

  private sendPatch(c: Client, patches: readonly StatePatch[]): void {
    const last = patches[patches.length - 1];
    if (!last) return;
    const body = { from: c.rev, to: last.to, ops: patches.flatMap((p) => p.ops) };
    c.rev = last.to;
    this.write(c, `id: ${this.bootId}:${last.to}\nevent: patch\ndata: ${JSON.stringify(body)}\n\n`);
  }

  private write(c: Client, chunk: string): void {
    if (c.closed) return;
    try {
      c.res.write(chunk);
    } catch {
      this.drop(c);
      c.res.destroy();
      return;
    }
    if (c.res.writableLength > this.maxBuffer) {
      this.drop(c);
      c.res.destroy();
    }
  }

  private drop(c: Client): void {
    if (c.closed) return;
    c.closed = true;
    c.stopPing();
    if (c.timer !== null) this.o.clock.clearTimeout(c.timer);
    c.timer = null;
    if (c.lifetime !== null) this.o.clock.clearTimeout(c.lifetime);
    c.lifetime = null;
    this.clients.delete(c);
    if (this.clients.size === 0 && this.unsubscribe) {
      this.unsubscribe();
      this.unsubscribe = null;
    }
  }
}
