/**
 * The recent log records over HTTP (issue 13 §2, the Logs page): `GET /api/v2/logs` (JSON, or the
 * readable lines as a text download with `format=text`) and `GET /api/v2/logs/stream` (Server-Sent
 * Events in the style of v2/events.ts: `retry`, a `log` event per new record with id
 * `<bootId>:<seq>`, a valid Last-Event-ID replays what the ring still has, `: ping` every 15 s, at most
 * 8 streams, a stream whose unsent buffer exceeds 1 MiB is cut). Both filter by `level` (lowest) and
 * `module`. The log may hold private details (addresses, names, VINs; secrets are redacted at the
 * source), so both need what enabling debug commands needs (docs/decisions.md): credentials whenever
 * authentication is on, even when reads are open; without authentication, a client on this machine.
 */
import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { levelNumber, textLine, type LogRecord } from "../../log/format.ts";
import { matches, type LogFilter, type LogSource, type RingEntry } from "../../log/ring.ts";
import { isoLocal } from "../../policy/local-time.ts";
import { every, systemClock, type Clock } from "../../shared/clock.ts";
import { sendError, sendJson } from "../reply.ts";
import type { Authenticator } from "../security/auth.ts";
import { isLoopbackAddress } from "../security/listeners.ts";
import { registerEndableStream } from "../wire-rules.ts";
import { BOOT_ID, parseEventId } from "./events.ts";
import { queryInt } from "./history.ts";

/** Limits of the log endpoints. */
export const LOG_LIMITS = {
  maxStreams: 8,
  pingMs: 15_000,
  retryMs: 5000,
  maxBufferBytes: 1024 * 1024,
  /** Most records one GET returns. */
  maxLimit: 10_000,
  defaultLimit: 1000,
} as const;

/** The answer to a client on the network when authentication is off. */
export const LOGS_REFUSED =
  "The log can only be read by an authenticated request (configure control.HTTP.auth) or, without authentication, from this machine (127.0.0.1 or ::1)";

/** One record as the endpoints send it: its number, level name, module, the readable line and the record. */
export interface LogEntryDoc {
  seq: number;
  level: string;
  module: string | null;
  line: string;
  record: LogRecord;
}

/** The document of `GET /api/v2/logs`. */
export interface LogsDoc {
  /** The first part of the stream's event ids: `lastEventId=<bootId>:<seq>` continues after this answer. */
  bootId: string;
  capacity: number;
  modules: string[];
  records: LogEntryDoc[];
}

/** An entry of the ring as sent, its line in `timeZone`. */
export function entryDoc(e: RingEntry, timeZone?: string): LogEntryDoc {
  const m = e.record.module;
  return {
    seq: e.seq,
    level: levelNameOf(e.record.level),
    module: typeof m === "string" && m !== "" ? m : null,
    line: textLine(e.record, timeZone !== undefined ? { timeZone } : {}),
    record: e.record,
  };
}

function levelNameOf(level: number): string {
  const names: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };
  return names[level] ?? String(level);
}

/** The filter of a query (`level`, `module`, `limit`), or the message naming the bad parameter. */
export function logFilter(query: unknown, withLimit: boolean): { ok: true; filter: LogFilter } | { ok: false; message: string } {
  const q = typeof query === "object" && query !== null ? (query as Record<string, unknown>) : {};
  const filter: LogFilter = {};
  if (q.level !== undefined && q.level !== "") {
    const n = typeof q.level === "string" ? levelNumber(q.level) : null;
    if (n === null || n < 1 || n > 100) return { ok: false, message: "level must be one of trace, debug, info, warn, error, fatal" };
    filter.minLevel = n;
  }
  if (q.module !== undefined && q.module !== "") {
    if (typeof q.module !== "string" || q.module.length > 64) return { ok: false, message: "module must be a module name (at most 64 characters)" };
    filter.module = q.module;
  }
  if (withLimit) {
    const limit = queryInt(q, "limit", 1, LOG_LIMITS.maxLimit, LOG_LIMITS.defaultLimit);
    if (!limit.ok) return limit;
    filter.limit = limit.value;
  }
  return { ok: true, filter };
}

/** Why `request` may not read the log (status, message, extra headers), or null when it may. */
export async function logsRefusal(
  auth: Authenticator | null,
  request: FastifyRequest,
): Promise<{ status: number; message: string; headers: Record<string, string> } | null> {
  if (!auth) return isLoopbackAddress(request.ip) ? null : { status: 403, message: LOGS_REFUSED, headers: {} };
  const outcome = await auth.check({ authorization: request.headers.authorization, cookie: request.headers.cookie, address: request.ip });
  switch (outcome.kind) {
    case "ok":
      return null;
    case "throttled":
      return { status: 429, message: "Too many failed attempts", headers: { "Retry-After": String(outcome.retryAfterS) } };
    case "invalid":
      return { status: 401, message: "Invalid credentials", headers: { "WWW-Authenticate": 'Bearer realm="TWCManager"' } };
    case "missing":
      return { status: 401, message: "Authentication required (the log may hold private details)", headers: { "WWW-Authenticate": 'Bearer realm="TWCManager"' } };
  }
}

const STREAM_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-store",
  "X-Accel-Buffering": "no",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
} as const;

/** The download's name: `twcmanager-YYYYMMDD-HHMMSS.log` in local time. */
export function downloadName(nowMs: number, timeZone?: string): string {
  const iso = isoLocal(nowMs, timeZone);
  return `twcmanager-${iso.slice(0, 10).replace(/-/g, "")}-${iso.slice(11, 19).replace(/:/g, "")}.log`;
}

/** Options of registerLogRoutes. */
export interface LogRouteOptions {
  logs: LogSource | null;
  auth: Authenticator | null;
  clock?: Clock;
  timeZone?: string;
  bootId?: string;
}

interface StreamClient {
  res: ServerResponse;
  closed: boolean;
  stop(): void;
}

/** Registers `GET /api/v2/logs` and `GET /api/v2/logs/stream`; their streams end when the app closes. */
export function registerLogRoutes(app: FastifyInstance, o: LogRouteOptions): void {
  const clock = o.clock ?? systemClock;
  const bootId = o.bootId ?? BOOT_ID;
  const clients = new Set<StreamClient>();
  const empty: LogSource = { capacity: 0, recent: () => [], modules: () => [], subscribe: () => () => undefined };
  const logs = o.logs ?? empty;
  const tz = o.timeZone;

  app.addHook("preClose", (done) => {
    for (const c of [...clients]) {
      c.stop();
      c.res.end();
    }
    done();
  });

  const refuse = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | null> => {
    const why = await logsRefusal(o.auth, request);
    if (!why) return null;
    return sendError(reply.headers(why.headers), why.status, why.message);
  };

  app.get("/api/v2/logs", async (request, reply) => {
    const refused = await refuse(request, reply);
    if (refused) return refused;
    const f = logFilter(request.query, true);
    if (!f.ok) return sendError(reply, 400, f.message);
    const format = (request.query as Record<string, unknown> | undefined)?.format;
    if (format !== undefined && format !== "json" && format !== "text") return sendError(reply, 400, "format must be json or text");
    const entries = logs.recent(f.filter);
    if (format === "text") {
      const text = entries.map((e) => textLine(e.record, tz !== undefined ? { timeZone: tz } : {}) + "\n").join("");
      return reply
        .code(200)
        .type("text/plain; charset=utf-8")
        .header("Content-Disposition", `attachment; filename="${downloadName(clock.now(), tz)}"`)
        .send(text);
    }
    const doc: LogsDoc = { bootId, capacity: logs.capacity, modules: logs.modules(), records: entries.map((e) => entryDoc(e, tz)) };
    return sendJson(reply, 200, doc);
  });

  app.get("/api/v2/logs/stream", async (request, reply) => {
    const refused = await refuse(request, reply);
    if (refused) return refused;
    if (request.method === "HEAD") return reply.code(200).headers(STREAM_HEADERS).send();
    const f = logFilter(request.query, false);
    if (!f.ok) return sendError(reply, 400, f.message);
    if (clients.size >= LOG_LIMITS.maxStreams) return sendError(reply, 503, `Too many log streams (limit ${LOG_LIMITS.maxStreams})`);
    const query = request.query as Record<string, unknown> | undefined;
    const last = parseEventId(request.headers["last-event-id"] ?? query?.lastEventId);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, STREAM_HEADERS);
    let stopPing = (): void => undefined;
    let unsubscribe = (): void => undefined;
    const client: StreamClient = {
      res,
      closed: false,
      stop: () => {
        if (client.closed) return;
        client.closed = true;
        stopPing();
        unsubscribe();
        clients.delete(client);
      },
    };
    const write = (chunk: string): void => {
      if (client.closed) return;
      try {
        res.write(chunk);
      } catch {
        client.stop();
        res.destroy();
        return;
      }
      if (res.writableLength > LOG_LIMITS.maxBufferBytes) {
        client.stop();
        res.destroy();
      }
    };
    const send = (e: RingEntry): void => {
      if (!client.closed) write(`id: ${bootId}:${e.seq}\nevent: log\ndata: ${JSON.stringify(entryDoc(e, tz))}\n\n`);
    };
    clients.add(client);
    res.on("close", () => client.stop());
    res.on("error", () => client.stop());
    // As in v2/events.ts: a client that goes away is seen as the end of its socket's readable side.
    request.raw.socket.once("end", () => {
      client.stop();
      res.end();
    });
    stopPing = every(clock, LOG_LIMITS.pingMs, () => write(": ping\n\n"));
    write(`retry: ${LOG_LIMITS.retryMs}\n\n`);
    if (last && last.bootId === bootId) for (const e of logs.recent({ ...f.filter, afterSeq: last.revision })) send(e);
    unsubscribe = logs.subscribe((e) => {
      if (matches(e, f.filter)) send(e);
    });
    registerEndableStream(res, () => {
      client.stop();
      res.end();
    });
    return undefined;
  });
}
