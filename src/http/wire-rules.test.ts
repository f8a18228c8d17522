/** Unit tests of the connection-level protocol helpers (http-api.md §2.2, §4.2). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import Fastify from "fastify";
import { FakeSocket } from "./fake-socket.test-helper.ts";
import {
  answerAndClose,
  clientErrorAnswer,
  HTTP_LIMITS,
  installShutdownAnswer,
  isParsableContentType,
  nodeServerOptions,
  rawErrorResponse,
  type HttpSocket,
} from "./wire-rules.ts";

test("the product's limits are those of http-api.md §2.2", () => {
  assert.deepEqual(HTTP_LIMITS, {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    keepAliveTimeoutMs: 5_000,
    maxHeaderBytes: 16_384,
    maxConnections: 256,
    idleTimeoutMs: 60_000,
    excessAnswerMs: 1_000,
    drainIdleMs: 1_000,
  });
  const o = nodeServerOptions();
  assert.equal(o.maxHeaderSize, 16_384);
  assert.equal(o.headersTimeout, 10_000);
  assert.equal(o.requestTimeout, 30_000);
  assert.equal(o.requireHostHeader, false);
  assert.ok((o.connectionsCheckingInterval ?? 30_000) <= 1000, "timeouts fire close to their limit");
});

test("rawErrorResponse is a complete HTTP/1.1 response with a JSON error body that closes", () => {
  const raw = rawErrorResponse(431, "Too big é", { Allow: "GET" });
  const [head, body] = raw.split("\r\n\r\n");
  const lines = head!.split("\r\n");
  assert.equal(lines[0], "HTTP/1.1 431 Request Header Fields Too Large");
  const headers = Object.fromEntries(
    lines.slice(1).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 2)]),
  );
  assert.equal(body, '{"error":"Too big é"}');
  assert.equal(headers["content-length"], String(Buffer.byteLength(body)));
  assert.equal(headers["content-type"], "application/json; charset=utf-8");
  assert.equal(headers.connection, "close");
  assert.equal(headers["x-content-type-options"], "nosniff");
  assert.equal(headers["cache-control"], "no-store");
  assert.equal(headers.allow, "GET");
  assert.match(headers.date ?? "", /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
  assert.equal(headers.server, undefined);
});

test("clientErrorAnswer maps Node's parser and timeout errors to 408, 431, 413 and 400", () => {
  assert.deepEqual(clientErrorAnswer("ERR_HTTP_REQUEST_TIMEOUT"), {
    status: 408,
    message: "Request timeout",
  });
  assert.deepEqual(clientErrorAnswer("HPE_HEADER_OVERFLOW"), {
    status: 431,
    message: "Request header fields too large (limit 16384 bytes)",
  });
  assert.equal(clientErrorAnswer("HPE_CHUNK_EXTENSIONS_OVERFLOW").status, 413);
  for (const code of ["HPE_INVALID_METHOD", "HPE_INVALID_URL", "HPE_INVALID_CONSTANT", undefined]) {
    assert.deepEqual(clientErrorAnswer(code), {
      status: 400,
      message: "Bad request: malformed HTTP request",
    });
  }
});

/** A response whose head is on the wire and whose body is still flushing. */
function flushingResponse(): ServerResponse & { writableFinished: boolean } {
  return Object.assign(new EventEmitter(), {
    headersSent: true,
    writableFinished: false,
    req: { complete: false },
  }) as unknown as ServerResponse & { writableFinished: boolean };
}

test("an error answer due while a large response is still flushing waits for it, then follows and closes", () => {
  const socket = new FakeSocket();
  const res = flushingResponse();
  socket._httpMessage = res;
  const raw = rawErrorResponse(400, "Bad request: malformed HTTP request");
  answerAndClose(socket as unknown as HttpSocket, raw);
  assert.deepEqual([socket.written, socket.ended, socket.destroyed], ["", false, false], "the response is not cut off");
  res.writableFinished = true;
  res.emit("close");
  assert.equal(socket.written, raw);
  assert.equal(socket.destroyed, true);
});

test("when that response is cut off instead of finishing, the connection is closed without the answer", () => {
  const socket = new FakeSocket();
  const res = flushingResponse();
  socket._httpMessage = res;
  answerAndClose(socket as unknown as HttpSocket, rawErrorResponse(400, "Bad request: malformed HTTP request"));
  res.emit("close");
  assert.deepEqual([socket.written, socket.destroyed], ["", true]);
});

test("isParsableContentType accepts what fastify can parse and rejects the rest", () => {
  for (const ok of [
    "application/json",
    "text/plain; charset=utf-8",
    "application/x-www-form-urlencoded",
    " text/plain ",
    "a/b;;;",
    "multipart/form-data; boundary=x",
  ]) {
    assert.equal(isParsableContentType(ok), true, ok);
  }
  for (const bad of ["", "text", "/", ";;;", "a/", "/b", "é/x", "a b/c", "a/b c", "application/json(x)"]) {
    assert.equal(isParsableContentType(bad), false, bad);
  }
});

test("while the app closes, a request on an open connection gets 503 with our JSON body and Connection: close", async () => {
  const app = Fastify({ return503OnClosing: false });
  installShutdownAnswer(app);
  let release: () => void = () => undefined;
  const slow = new Promise<void>((r) => (release = r));
  app.get("/slow", async () => {
    await slow;
    return "done";
  });
  app.get("/x", (_q, reply) => reply.send("x"));
  await app.listen({ port: 0, host: "127.0.0.1" });
  const port = (app.server.address() as { port: number }).port;
  const socket = connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (d: Buffer) => (received += d.toString()));
  const closed = new Promise<void>((r) => socket.on("close", () => r()));
  socket.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  await new Promise((r) => setTimeout(r, 100));
  const closing = app.close();
  socket.write("GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
  await new Promise((r) => setTimeout(r, 100));
  release();
  await closed;
  await closing;
  const parts = received.split("HTTP/1.1 ").slice(1);
  assert.equal(parts.length, 2, received);
  assert.match(parts[0]!, /^200 /);
  assert.match(parts[1]!, /^503 /);
  assert.match(parts[1]!, /connection: close/i);
  assert.ok(parts[1]!.endsWith('{"error":"Server is shutting down"}'), parts[1]);
});
