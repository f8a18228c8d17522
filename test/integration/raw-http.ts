/**
 * A tiny raw-socket HTTP/1.1 client for protocol tests: sends exact bytes and parses what comes back
 * (status line, headers, Content-Length bodies), so tests see precisely what a client sees on the wire.
 */
import { connect, type Socket } from "node:net";

/** One parsed HTTP response. */
export interface RawResponse {
  status: number;
  reason: string;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Header names as sent, in order. */
  headerNames: string[];
  body: Buffer;
}

/** What a raw exchange produced. */
export interface RawExchange {
  /** Every complete response received, in order (interim 1xx responses included). */
  responses: RawResponse[];
  /** All bytes received. */
  bytes: Buffer;
  /** True when the server closed the connection (FIN or reset) before our deadline. */
  closedByServer: boolean;
  /** Socket error code seen (e.g. ECONNRESET), if any. */
  error: string | null;
  /** Bytes after the last complete response that do not form a complete response. */
  trailing: Buffer;
}

/**
 * Parses as many complete responses as `buf` holds. `bodiless` is the number of leading final
 * responses that have no body (answers to HEAD requests; `true` = all). Returns the responses and the
 * unparsed rest.
 */
export function parseResponses(
  buf: Buffer,
  bodiless: boolean | number = false,
): { responses: RawResponse[]; rest: Buffer } {
  let finals = 0;
  const responses: RawResponse[] = [];
  let rest = buf;
  for (;;) {
    const end = rest.indexOf("\r\n\r\n");
    if (end === -1) break;
    const head = rest.subarray(0, end).toString("latin1");
    const [statusLine = "", ...lines] = head.split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
    if (!m) break;
    const headers: Record<string, string> = {};
    const headerNames: string[] = [];
    for (const line of lines) {
      const i = line.indexOf(":");
      if (i <= 0) return { responses, rest };
      const name = line.slice(0, i);
      const key = name.toLowerCase();
      const value = line.slice(i + 1).trim();
      headerNames.push(name);
      headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
    }
    const status = Number(m[1]);
    const headAnswer =
      status >= 200 && (bodiless === true || (typeof bodiless === "number" && finals < bodiless));
    const noBody = headAnswer || status === 204 || status === 304 || (status >= 100 && status < 200);
    let length = 0;
    if (
      !noBody &&
      (headers["content-type"] ?? "").startsWith("text/event-stream") &&
      headers["content-length"] === undefined
    ) {
      // A server-sent event stream: complete once its headers are in; everything after is the stream.
      responses.push({ status, reason: m[2] ?? "", headers, headerNames, body: rest.subarray(end + 4) });
      return { responses, rest: Buffer.alloc(0) };
    }
    if (!noBody) {
      if (headers["content-length"] === undefined || !/^\d+$/.test(headers["content-length"])) break;
      length = Number(headers["content-length"]);
    }
    if (rest.length < end + 4 + length) break;
    responses.push({
      status,
      reason: m[2] ?? "",
      headers,
      headerNames,
      body: rest.subarray(end + 4, end + 4 + length),
    });
    if (status >= 200) finals++;
    rest = rest.subarray(end + 4 + length);
  }
  return { responses, rest };
}

/** Options of rawExchange. */
export interface RawOptions {
  /** Give up after this many ms (the connection is then destroyed by us). Default 5000. */
  timeoutMs?: number;
  /** Stop (and close our side) once this many final (non-1xx) responses have arrived. Default: wait for the server to close. */
  responses?: number;
  /** Responses have no body (HEAD): true for all, or the number of leading final responses. */
  head?: boolean | number;
  /** Stop (and close our side) once an event-stream response has started. */
  stopOnEventStream?: boolean;
  /** Half-close our side after the last chunk (the server then answers or rejects what it has). */
  endAfterWrite?: boolean;
  /** Chunks written one after another with this pause (ms) between them; default 0 (one write). */
  chunkPauseMs?: number;
}

/** Sends `chunks` on a fresh connection to 127.0.0.1:port and collects the answer. */
export function rawExchange(
  port: number,
  chunks: (string | Buffer)[] | string | Buffer,
  o: RawOptions = {},
): Promise<RawExchange> {
  const list = Array.isArray(chunks) ? chunks : [chunks];
  return new Promise((resolve) => {
    const socket: Socket = connect(port, "127.0.0.1");
    const received: Buffer[] = [];
    let error: string | null = null;
    let closedByServer = false;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const bytes = Buffer.concat(received);
      const { responses, rest } = parseResponses(bytes, o.head);
      resolve({ responses, bytes, closedByServer, error, trailing: rest });
    };
    const timer = setTimeout(finish, o.timeoutMs ?? 5000);
    socket.on("data", (d: Buffer) => {
      received.push(d);
      if (o.responses !== undefined || o.stopOnEventStream) {
        const finals = parseResponses(Buffer.concat(received), o.head).responses.filter(
          (r) => r.status >= 200,
        );
        if (o.responses !== undefined && finals.length >= o.responses) finish();
        if (
          o.stopOnEventStream &&
          finals.some((r) => (r.headers["content-type"] ?? "").startsWith("text/event-stream"))
        )
          finish();
      }
    });
    socket.on("error", (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on("end", () => {
      closedByServer = true;
    });
    socket.on("close", () => {
      if (!settled) closedByServer = true;
      finish();
    });
    socket.on("connect", () => {
      void (async () => {
        for (let i = 0; i < list.length; i++) {
          if (socket.destroyed) return;
          socket.write(list[i]!);
          if (o.chunkPauseMs && i < list.length - 1) await new Promise((r) => setTimeout(r, o.chunkPauseMs));
        }
        if (o.endAfterWrite && !socket.destroyed) socket.end();
      })();
    });
  });
}

/** A GET/HEAD/… request head with Host and the given extra header lines. */
export function requestHead(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  version = "1.1",
): string {
  const lines = Object.entries({ Host: "127.0.0.1", ...headers }).map(([k, v]) => `${k}: ${v}\r\n`);
  return `${method} ${path} HTTP/${version}\r\n${lines.join("")}\r\n`;
}
