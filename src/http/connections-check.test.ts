/** Node's header/request timeout check runs only while a connection is open (connections-check.ts, issue 9 §7). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { FakeClock } from "../shared/clock.ts";
import { installConnectionGuard } from "./connections.ts";
import { HTTP_LIMITS } from "./wire-rules.ts";

test("an idle server keeps no timer; the check runs while a connection is open and answers Node's 408", { timeout: 10_000 }, async () => {
  const clock = new FakeClock();
  const server = createServer({ connectionsCheckingInterval: 250, headersTimeout: 100, requestTimeout: 100 }, (_req, res) =>
    res.end("ok"),
  );
  const guard = installConnectionGuard(server, HTTP_LIMITS, clock);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    assert.equal(guard.checksOnlyWhileOpen, true, "Node's interval is taken over on this Node version");
    const nodeInterval = Object.getOwnPropertySymbols(server)
      .filter((s) => s.description === "http.server.connectionsCheckingInterval")
      .map((s) => (server as unknown as Record<symbol, { _destroyed?: boolean }>)[s]);
    assert.equal(nodeInterval[0]?._destroyed, true, "Node's own interval is cleared");
    assert.equal(clock.pending, 0, "no timer while no connection is open");

    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
    let answer = "";
    socket.on("data", (b: Buffer) => (answer += b.toString()));
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n"); // headers never completed
    while (guard.size === 0) await sleep(5);
    assert.equal(clock.pending, 1, "the check is scheduled once a connection is open");

    await sleep(200); // past the 100 ms header timeout (Node measures it on its own clock)
    clock.advance(250);
    await closed;
    assert.match(answer, /^HTTP\/1\.1 408 /, "Node's check answered the stalled request");
    while (guard.size > 0) await sleep(5);
    assert.equal(clock.pending, 0, "no timer once the last connection closed");
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
