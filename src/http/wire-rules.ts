/**
 * Connection-level protocol behaviour of the HTTP server (http-api.md §2.2, §4.1 step 1): limits and
 * timeouts, and complete JSON error responses for everything Node's HTTP parser rejects before fastify
 * sees a request (malformed requests, oversized header blocks, timeouts, CONNECT, unsupported Expect),
 * and requests pipelined behind an event stream (the stream ends cleanly, then they are answered).
 * Nothing here ever drops a connection without an answer when the socket can still be written.
 * Connection counting, idle time and the drain at shutdown are in connections.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import { Server as TlsServer } from "node:tls";
import type { Duplex } from "node:stream";
import { systemClock } from "../shared/clock.ts";
import { errorJson, JSON_TYPE, sendError } from "./reply.ts";

/** The server limits of http-api.md §2.2 (the timeouts are injectable for tests). */
export interface HttpLimits {
  /** Whole header block must arrive within this time (408 otherwise). */
  headersTimeoutMs: number;
  /** Headers and body must arrive within this time (408 otherwise). */
  requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this time. */
  keepAliveTimeoutMs: number;
  /** Header block limit (431 above). */
  maxHeaderBytes: number;
  /** Open connections served; the ones above get 503 (http/connections.ts). */
  maxConnections: number;
  /** A connection with no traffic either way for this long while its answer is out is closed. */
  idleTimeoutMs: number;
  /** An excess connection that sends no complete request within this time gets its 503 anyway. */
  excessAnswerMs: number;
  /** At shutdown, a keep-alive connection idle for this long is closed (until then a request gets 503). */
  drainIdleMs: number;
}

/**
 * The product's limits: 10 s header timeout, 30 s request timeout, 5 s keep-alive, 16 KiB headers
 * (http-api.md §2.2); 256 connections, 60 s idle, 1 s for an excess connection's request, 1 s drain.
 */
export const HTTP_LIMITS: Readonly<HttpLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16_384,
  maxConnections: 256,
  idleTimeoutMs: 60_000,
  excessAnswerMs: 1_000,
  drainIdleMs: 1_000,
};

/** How often Node checks the header/request timeouts (its default, 30 s, would make them fire up to 30 s late). */
const CONNECTIONS_CHECKING_INTERVAL_MS = 250;

/**
 * Options for `http.createServer` / `https.createServer` (pass them as fastify's `http` option, merged
 * into `https` options when serving TLS): they can only be set when the server is created.
 */
export function nodeServerOptions(limits: Readonly<HttpLimits> = HTTP_LIMITS): ServerOptions {
  return {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS,
    // §3.4: a request without Host is only refused by the host allow-list; Node would answer an empty 400.
    requireHostHeader: false,
  };
}

/** Sets the timeouts on a created server (fastify overwrites requestTimeout/keepAliveTimeout after creation). */
export function applyServerLimits(server: Server, limits: Readonly<HttpLimits> = HTTP_LIMITS): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Socket inactivity; what happens then is decided by http/connections.ts (its 'timeout' listener).
  server.timeout = limits.idleTimeoutMs;
}

const REASONS: Readonly<Record<number, string>> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Payload Too Large",
  417: "Expectation Failed",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  503: "Service Unavailable",
};

/** Headers every raw JSON error carries (http-api.md §2.3). */
function errorHeaders(body: string, extra: Readonly<Record<string, string>>): Record<string, string> {
  return {
    "Content-Type": JSON_TYPE,
    "Content-Length": String(Buffer.byteLength(body)),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    ...extra,
  };
}

/** A complete HTTP/1.1 error response with a JSON `{"error"}` body that closes the connection. */
export function rawErrorResponse(
  status: number,
  message: string,
  extra: Readonly<Record<string, string>> = {},
): string {
  const body = errorJson(message);
  const headers = {
    ...errorHeaders(body, extra),
    Date: new Date(systemClock.now()).toUTCString(),
    Connection: "close",
  };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  return `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\n${lines.join("")}\r\n${body}`;
}

/** Status and message for an error Node's HTTP layer reports through `clientError`. */
export function clientErrorAnswer(
  code: string | undefined,
  limits: Readonly<HttpLimits> = HTTP_LIMITS,
): { status: number; message: string } {
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return { status: 408, message: "Request timeout" };
  if (code === "HPE_HEADER_OVERFLOW") {
    return { status: 431, message: `Request header fields too large (limit ${limits.maxHeaderBytes} bytes)` };
  }
  if (code === "HPE_CHUNK_EXTENSIONS_OVERFLOW") return { status: 413, message: "Chunk extensions too large" };
  return { status: 400, message: "Bad request: malformed HTTP request" };
}

/** The private link from a socket to its in-flight response (Node's `socket._httpMessage`). */
export type HttpSocket = Duplex & { _httpMessage?: ServerResponse | null };

const answered = new WeakSet<Duplex>();

/** Claims the one raw answer a socket may get: false when it already got (or is getting) one. */
export function claimAnswer(socket: Duplex): boolean {
  if (answered.has(socket)) return false;
  answered.add(socket);
  return true;
}

/**
 * Responses whose body may end at any moment (an event stream ends cleanly between two events), with
 * the function that ends them. Such a stream never finishes by itself, so a request pipelined behind it,
 * or an error answer due on its connection, ends it first.
 */
const endableStreams = new WeakMap<ServerResponse, () => void>();
/** The endable streams open on each socket. */
const streamsOn = new WeakMap<Duplex, Set<ServerResponse>>();
/** Order of the requests on their socket (1, 2, …), and the last number given on each socket. */
const requestNumber = new WeakMap<ServerResponse, number>();
const lastRequestNumber = new WeakMap<Duplex, number>();
/** Sockets whose raw error answer waits for the responses before it. */
const answerWaiting = new WeakSet<Duplex>();

/** Ends `res` when it is an endable stream still open; true when it was one. */
function endStream(res: ServerResponse): boolean {
  const end = endableStreams.get(res);
  if (!end) return false;
  endableStreams.delete(res);
  streamsOn.get(res.req.socket)?.delete(res);
  if (!res.writableEnded) end();
  return true;
}

/**
 * Registers a streamed response that may be ended at any moment (SSE). When a request is already
 * pipelined behind it, or an error answer waits for it, the stream is ended at once (after what was
 * written so far) so that they follow; a request pipelined later ends it when it arrives.
 */
export function registerEndableStream(res: ServerResponse, end: () => void): void {
  const socket = res.req.socket;
  endableStreams.set(res, end);
  const behind = (lastRequestNumber.get(socket) ?? 0) > (requestNumber.get(res) ?? Infinity);
  if (behind || answerWaiting.has(socket)) {
    queueMicrotask(() => endStream(res));
    return;
  }
  let set = streamsOn.get(socket);
  if (!set) streamsOn.set(socket, (set = new Set()));
  set.add(res);
}

/** Writes `raw` after any response still being produced for an earlier request, then closes. */
export function answerAndClose(socket: HttpSocket, raw: string): void {
  const send = (): void => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(raw, () => socket.destroy());
  };
  const inFlight = socket._httpMessage;
  if (!inFlight || inFlight.writableFinished) {
    send();
  } else if (inFlight.req.complete && !inFlight.headersSent) {
    // A pipelined request before the broken one is still being answered: never interleave responses
    // (and look again afterwards: another pipelined response may be next).
    answerWaiting.add(socket);
    inFlight.once("close", () => answerAndClose(socket, raw));
  } else if (!inFlight.headersSent) {
    send();
  } else {
    // Part of a response is on the wire: an error segment now would corrupt it, and closing would cut it
    // off. An event stream ends cleanly at once, any other response (a large body still flushing)
    // finishes; then look again. A response cut off instead of finishing leaves nothing to answer on.
    endStream(inFlight);
    inFlight.once("close", () => (inFlight.writableFinished ? answerAndClose(socket, raw) : socket.destroy()));
  }
}

/** fastify's `clientErrorHandler`: a complete JSON error response, then the connection is closed. */
export function createClientErrorHandler(
  limits: Readonly<HttpLimits> = HTTP_LIMITS,
): (err: Error, socket: Duplex) => void {
  return (err, socket) => {
    if (!claimAnswer(socket)) return; // the parser reports every later chunk again
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ECONNRESET" || socket.destroyed) {
      socket.destroy();
      return;
    }
    const a = clientErrorAnswer(code, limits);
    answerAndClose(socket, rawErrorResponse(a.status, a.message));
  };
}

/** Answers a request the server handles itself (outside fastify) on its ServerResponse. */
function answerResponse(
  res: ServerResponse,
  status: number,
  message: string,
  extra: Readonly<Record<string, string>> = {},
): void {
  const body = errorJson(message);
  res.writeHead(status, { ...errorHeaders(body, extra), Connection: "close" });
  res.end(body);
}

/** How the server answers a request for `url` that no route can serve with its method. */
export type RouteAnswer = { status: number; message: string; allow?: string[] };

/** Options of installServerHandlers. */
export interface ServerHandlerOptions {
  /** Request body limit (an announced larger body gets 413 without `100 Continue`). */
  maxBodyBytes: number;
  /** The answer for a CONNECT request to `url` (405 with Allow for a known path, 404 or 400 otherwise). */
  connectAnswer(url: string): RouteAnswer;
}

/**
 * Per-connection behaviour (also call it for an HTTPS server that shares the app's request handling):
 * a client that half-closes after its request still gets the answer, and one that half-closes in the
 * middle of a request body gets a 400.
 */
export function installConnectionHandlers(server: Server | HttpsServer): void {
  // Node would otherwise end the socket at the client's FIN, dropping an asynchronously produced response.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.on(server instanceof TlsServer ? "secureConnection" : "connection", (socket: HttpSocket) => {
    socket.on("end", () => {
      // The client finished sending while a request body is still incomplete. Node reports most such
      // cases as a parse error (→ clientError), but not for a request carrying `Upgrade`: without this
      // it would wait for the 30 s timeout, or forever once the server is closing.
      const inFlight = socket._httpMessage;
      if (!inFlight || inFlight.req.complete || !claimAnswer(socket)) return;
      answerAndClose(socket, rawErrorResponse(400, "Bad request: incomplete request body"));
    });
  });
}

/**
 * Server events fastify leaves to Node's defaults, which would drop the connection (CONNECT) or answer
 * without our error body (Expect other than 100-continue). `Expect: 100-continue` is honoured, except
 * that an announced body above the limit gets its 413 without `100 Continue` (fastify answers it).
 */
export function installServerHandlers(server: Server, o: ServerHandlerOptions): void {
  installConnectionHandlers(server);
  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    const socket: HttpSocket = req.socket;
    const n = (lastRequestNumber.get(socket) ?? 0) + 1;
    lastRequestNumber.set(socket, n);
    requestNumber.set(res, n);
    // A request pipelined behind event streams: they end so that this request is answered.
    for (const stream of [...(streamsOn.get(socket) ?? [])]) endStream(stream);
    // Node destroys the socket right after a request with the method PRI (an HTTP/2 preface sent to an
    // HTTP/1 server, or `PRI /path` in HTTP/0.9 form): answer synchronously before it does.
    if (req.method !== "PRI" || !claimAnswer(socket)) return;
    if (socket.writable) socket.write(rawErrorResponse(400, "Bad request: HTTP/2 is not supported"));
  });
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    const length = Number(req.headers["content-length"]);
    if (!(Number.isFinite(length) && length > o.maxBodyBytes)) res.writeContinue();
    server.emit("request", req, res);
  });
  server.on("checkExpectation", (_req: IncomingMessage, res: ServerResponse) => {
    answerResponse(res, 417, "Unsupported Expect header (only 100-continue is supported)");
  });
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    if (!claimAnswer(socket)) return;
    socket.on("error", () => socket.destroy());
    const a = o.connectAnswer(req.url ?? "");
    const raw = rawErrorResponse(
      a.status,
      a.message,
      a.allow && a.allow.length > 0 ? { Allow: a.allow.join(", ") } : {},
    );
    if (socket.writable) socket.end(raw, () => socket.destroy());
    else socket.destroy();
  });
}

const TOKEN = /^[\w!#$%&'*+.^`|~-]+$/;

/** True when fastify can parse the Content-Type header (it would answer its own 415 otherwise). */
export function isParsableContentType(value: string): boolean {
  const semi = value.indexOf(";");
  const media = semi === -1 ? value : value.slice(0, semi);
  const slash = media.indexOf("/");
  if (slash === -1) return false;
  return TOKEN.test(media.slice(0, slash).trimStart()) && TOKEN.test(media.slice(slash + 1).trimEnd());
}

/**
 * onRequest hook: HTTP/1.0 connections are closed after the response (even with `Connection:
 * keep-alive`), and a malformed Content-Type is neutralised because bodies are parsed as JSON whatever
 * it says (http-api.md §4.3).
 */
export function protocolHook(
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const raw = request.raw;
  if (raw.httpVersionMajor === 1 && raw.httpVersionMinor === 0) void reply.header("Connection", "close");
  const ct = raw.headers["content-type"];
  if (ct !== undefined && !isParsableContentType(ct))
    raw.headers["content-type"] = "application/octet-stream";
  done();
}

/** The message of the 503 answered while the server shuts down. */
export const SHUTDOWN_MESSAGE = "Server is shutting down";

/**
 * While the app closes, requests still arriving on open keep-alive connections get
 * `503 {"error":"Server is shutting down"}` with `Connection: close` (fastify's own `return503OnClosing`
 * answer has a different body, so the app disables it and registers this instead).
 */
export function installShutdownAnswer(app: FastifyInstance): void {
  let closing = false;
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });
  app.addHook("onRequest", (request, reply, done) => {
    if (!closing) {
      done();
      return;
    }
    void sendError(reply.header("Connection", "close"), 503, SHUTDOWN_MESSAGE);
  });
}
