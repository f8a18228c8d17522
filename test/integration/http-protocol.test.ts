/**
 * Protocol behaviour of the HTTP server over raw TCP sockets (http-api.md §2.2, §4.1, §4.2): every
 * failure is a complete HTTP response with a JSON body, body limits, chunked bodies, Expect, HTTP/1.0,
 * keep-alive, header limits and timeouts. The real product with maxBodyBytes 1024.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startHarness, type Harness } from "./http-harness.ts";
import { rawExchange, requestHead, type RawResponse } from "./raw-http.ts";

const LIMIT = 1024;
const JSON_TYPE = "application/json; charset=utf-8";

let h: Harness;

before(async () => {
  h = await startHarness({ http: { maxBodyBytes: LIMIT } });
});

after(async () => {
  await h.stop();
});

function json(r: RawResponse | undefined): unknown {
  assert.ok(r, "a response");
  return JSON.parse(r.body.toString("utf8"));
}

/** Asserts a complete JSON error response (http-api.md §4.2). */
function assertJsonError(r: RawResponse | undefined, status: number, message: string | RegExp): void {
  assert.ok(r, `expected a ${status} response`);
  assert.equal(r.status, status, r.body.toString());
  assert.equal(r.headers["content-type"], JSON_TYPE);
  assert.equal(r.headers["content-length"], String(r.body.length));
  assert.equal(r.headers["x-content-type-options"], "nosniff");
  assert.equal(r.headers.server, undefined);
  const body = json(r) as { error: unknown };
  assert.deepEqual(Object.keys(body), ["error"]);
  if (typeof message === "string") assert.equal(body.error, message);
  else assert.match(String(body.error), message);
}

function post(path: string, body: string, headers: Record<string, string> = {}): string {
  return requestHead("POST", path, { "Content-Length": String(Buffer.byteLength(body)), ...headers }) + body;
}

describe("request bodies", () => {
  test("Content-Length above maxBodyBytes → 413 before the body is sent, then the connection is closed", async () => {
    const x = await rawExchange(
      h.port,
      requestHead("POST", "/api/chargeNow", { "Content-Length": String(LIMIT + 1) }),
    );
    assert.equal(x.responses.length, 1);
    assertJsonError(x.responses[0], 413, `Request body too large (limit ${LIMIT} bytes)`);
    assert.equal(x.closedByServer, true);
  });

  test("a chunked body growing above maxBodyBytes → 413, then the connection is closed", async () => {
    const chunk = `{"a":"${"x".repeat(500)}"}`;
    const piece = `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    const x = await rawExchange(
      h.port,
      [
        requestHead("POST", "/api/setSetting", { "Transfer-Encoding": "chunked" }),
        piece,
        piece,
        piece,
        piece,
      ],
      {
        chunkPauseMs: 20,
      },
    );
    assertJsonError(x.responses[0], 413, `Request body too large (limit ${LIMIT} bytes)`);
    assert.equal(x.closedByServer, true);
  });

  test("chunked bodies within the limit are accepted", async () => {
    const body = '{"chargeNowRate":"8","chargeNowDuration":60}';
    const chunks = `${(10).toString(16)}\r\n${body.slice(0, 10)}\r\n${(body.length - 10).toString(16)}\r\n${body.slice(10)}\r\n0\r\n\r\n`;
    const x = await rawExchange(
      h.port,
      requestHead("POST", "/api/chargeNow", { "Transfer-Encoding": "chunked", Connection: "close" }) + chunks,
    );
    assert.equal(x.responses[0]?.status, 200);
    assert.deepEqual(json(x.responses[0]), { status: "success", rate: 8, duration: 60 });
    const c = await rawExchange(h.port, post("/api/cancelChargeNow", "", { Connection: "close" }));
    assert.equal(c.responses[0]?.status, 200);
  });

  test("a POST without Content-Length has an empty body (= {}), and the connection stays usable", async () => {
    const first = requestHead("POST", "/api/chargeNow");
    const second = requestHead("GET", "/api/getUUID", { Connection: "close" });
    const x = await rawExchange(h.port, first + second);
    assert.equal(x.responses.length, 2);
    assertJsonError(x.responses[0], 400, "chargeNowRate is required");
    assert.equal(x.responses[1]?.status, 200);
    assert.match(x.responses[1].body.toString(), /^\d+$/);
  });

  test("Expect: 100-continue is honoured; an announced body above the limit gets 413 without 100", async () => {
    const body = '{"offset":0}';
    const x = await rawExchange(
      h.port,
      [
        requestHead("POST", "/api/setConsumptionOffset", {
          "Content-Length": String(body.length),
          Expect: "100-continue",
          Connection: "close",
        }),
        body,
      ],
      { chunkPauseMs: 200 },
    );
    assert.equal(x.responses[0]?.status, 100);
    assert.equal(x.responses[1]?.status, 204);
    const big = await rawExchange(
      h.port,
      requestHead("POST", "/api/setSetting", { "Content-Length": "999999", Expect: "100-continue" }),
    );
    assert.equal(big.responses.length, 1);
    assertJsonError(big.responses[0], 413, `Request body too large (limit ${LIMIT} bytes)`);
    assert.equal(big.closedByServer, true);
  });

  test("an unsupported Expect → 417 with a JSON body", async () => {
    const x = await rawExchange(h.port, post("/api/chargeNow", "{}", { Expect: "something-else" }));
    assertJsonError(x.responses[0], 417, /Expect/);
  });

  test("a malformed Content-Type does not matter: the body is parsed as JSON (§4.3)", async () => {
    for (const ct of [";;;", "", "text", "/", "application/json; charset", "\u00e9/\u00e9"]) {
      const x = await rawExchange(
        h.port,
        Buffer.from(
          post("/api/setPolicy", '{"policy":"Nope"}', { "Content-Type": ct, Connection: "close" }),
          "latin1",
        ),
      );
      assertJsonError(x.responses[0], 400, "Policy 'Nope' not found");
    }
  });
});

describe("connections", () => {
  test("HTTP/1.1 keep-alive: several requests on one connection, each response with Content-Length", async () => {
    const req = requestHead("GET", "/api/getStatus");
    const x = await rawExchange(
      h.port,
      req + req + requestHead("GET", "/api/getStatus", { Connection: "close" }),
    );
    assert.equal(x.responses.length, 3);
    for (const r of x.responses) {
      assert.equal(r.status, 200);
      assert.equal(r.headers["content-length"], String(r.body.length));
      assert.ok(r.headers.date);
      assert.equal(r.headers.server, undefined);
    }
  });

  test("HTTP/1.0 is served and the connection closed after the response (even when keep-alive is asked)", async () => {
    for (const headers of [{}, { Connection: "keep-alive" }]) {
      const x = await rawExchange(h.port, requestHead("GET", "/api/getUUID", headers, "1.0"), {
        timeoutMs: 3000,
      });
      assert.equal(x.responses.length, 1);
      assert.equal(x.responses[0]!.status, 200);
      assert.equal(x.closedByServer, true, JSON.stringify(headers));
    }
  });

  test("a request without Host is served (no allow-list configured)", async () => {
    const x = await rawExchange(h.port, "GET /api/getUUID HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert.equal(x.responses[0]?.status, 200);
  });

  test("a header block above 16 KiB → 431 JSON, then closed", async () => {
    const x = await rawExchange(
      h.port,
      requestHead("GET", "/api/getStatus", { "X-Big": "a".repeat(17_000) }),
    );
    assertJsonError(x.responses[0], 431, "Request header fields too large (limit 16384 bytes)");
    assert.equal(x.closedByServer, true);
  });

  test("malformed requests → 400 JSON, then closed (never a dropped connection)", async () => {
    const bad = [
      "FOO /api/getStatus HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /api/getStatus HTTP/9.9\r\n\r\n",
      "GET api/getStatus HTTP/1.1\r\nHost: x\r\n\r\n",
      "\x00\x01\x02\x03\r\n\r\n",
      "GET /api/getStatus HTTP/1.1\r\nBad Header\r\n\r\n",
      "POST /api/chargeNow HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}",
      "POST /api/chargeNow HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST /api/chargeNow HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
      "POST /api/chargeNow HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n",
      "GET /api/g\u00e9tStatus HTTP/1.1\r\nHost: x\r\n\r\n",
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    ];
    for (const req of bad) {
      const x = await rawExchange(h.port, Buffer.from(req, "latin1"));
      assert.equal(x.responses.length, 1, JSON.stringify(req));
      assertJsonError(x.responses[0], 400, "Bad request: malformed HTTP request");
      assert.equal(x.closedByServer, true, JSON.stringify(req));
    }
  });

  test("a valid request pipelined before garbage is answered first, then the 400", async () => {
    const x = await rawExchange(h.port, requestHead("GET", "/api/getUUID") + "GARBAGE\r\n\r\n");
    assert.equal(x.responses.length, 2);
    assert.equal(x.responses[0]!.status, 200);
    assertJsonError(x.responses[1], 400, "Bad request: malformed HTTP request");
  });

  test("CONNECT gets an answer: 405 with Allow on a known path, 404 under /api/", async () => {
    const known = await rawExchange(h.port, "CONNECT /api/getStatus HTTP/1.1\r\nHost: x\r\n\r\n");
    assertJsonError(known.responses[0], 405, "Method not allowed");
    assert.equal(known.responses[0]!.headers.allow, "GET, HEAD");
    const unknown = await rawExchange(h.port, "CONNECT /api/nope HTTP/1.1\r\nHost: x\r\n\r\n");
    assertJsonError(unknown.responses[0], 404, "Unknown endpoint");
    const authority = await rawExchange(
      h.port,
      "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    );
    assert.equal(authority.responses[0]?.status, 400);
  });

  test("an unexpected handler error → 500 Internal server error with X-Request-Id", async () => {
    const commands = h.product.commands;
    const original = commands.cancelChargeNow.bind(commands);
    commands.cancelChargeNow = () => {
      throw new Error("boom (test)");
    };
    try {
      const x = await rawExchange(h.port, post("/api/cancelChargeNow", "", { Connection: "close" }));
      assertJsonError(x.responses[0], 500, "Internal server error");
      assert.match(x.responses[0]!.headers["x-request-id"] ?? "", /^[0-9a-f-]{36}$/);
      assert.ok(!x.responses[0]!.body.toString().includes("boom"), "no details in the response");
    } finally {
      commands.cancelChargeNow = original;
    }
  });
});

describe("timeouts (real 10 s / 30 s limits)", () => {
  test(
    "header timeout 10 s and whole-request timeout 30 s → 408 JSON, then closed",
    { timeout: 90_000 },
    async () => {
      const [silent, partialHeaders, partialBody] = await Promise.all([
        rawExchange(h.port, [], { timeoutMs: 60_000 }),
        rawExchange(h.port, "GET /api/getStatus HTTP/1.1\r\nHost: x\r\n", { timeoutMs: 60_000 }),
        rawExchange(
          h.port,
          requestHead("POST", "/api/chargeNow", { "Content-Length": "20" }) + '{"chargeNow',
          { timeoutMs: 60_000 },
        ),
      ]);
      for (const [what, x] of [
        ["no bytes at all", silent],
        ["incomplete headers", partialHeaders],
        ["incomplete body", partialBody],
      ] as const) {
        assert.equal(x.responses.length, 1, what);
        assertJsonError(x.responses[0], 408, "Request timeout");
        assert.equal(x.closedByServer, true, what);
      }
    },
  );
});
