import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { captureLogger } from "../shared/capture-logger.test-helper.ts";
import { systemClock } from "../shared/clock.ts";
import { isTwcError } from "../shared/errors.ts";
import type { BusPort } from "./port.ts";
import { ReconnectingPort } from "./reconnecting.ts";
import { createRfc2217Binding, parseRfc2217Url } from "./rfc2217.ts";
import { LoopbackRfc2217Server } from "./rfc2217-server.test-helper.ts";

async function waitFor(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 1000) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const addr = s.address();
  assert.ok(addr && typeof addr === "object");
  await new Promise<void>((r) => s.close(() => r()));
  return addr.port;
}

function openError(e: unknown): Record<string, unknown> {
  assert.ok(isTwcError(e), String(e));
  assert.equal(e.code, "TRANSPORT_OPEN_FAILED");
  return { message: e.message, ...e.context };
}

describe("parseRfc2217Url", () => {
  it("reads host and port, IPv6 in brackets, a trailing slash and pyserial's options", () => {
    assert.deepEqual(parseRfc2217Url("rfc2217://pi.local:4001"), { host: "pi.local", port: 4001, options: [] });
    assert.deepEqual(parseRfc2217Url(" RFC2217://[::1]:2217/ "), { host: "::1", port: 2217, options: [] });
    assert.deepEqual(parseRfc2217Url("rfc2217://h:1?ign_set_control&timeout=3"), {
      host: "h",
      port: 1,
      options: ["ign_set_control", "timeout=3"],
    });
  });

  it("refuses a missing port, another scheme or a bad host with CONFIG_INVALID", () => {
    for (const bad of ["rfc2217://h", "socket://h:1", "rfc2217://:1", "rfc2217://h:99999", "rfc2217://a b:1"]) {
      assert.throws(() => parseRfc2217Url(bad), (e: unknown) => isTwcError(e) && e.code === "CONFIG_INVALID", bad);
    }
  });
});

describe("RFC 2217 binding against a loopback RFC 2217 server", () => {
  const servers: LoopbackRfc2217Server[] = [];
  const ports: BusPort[] = [];
  async function server(opts: ConstructorParameters<typeof LoopbackRfc2217Server>[0] = {}): Promise<LoopbackRfc2217Server> {
    const s = new LoopbackRfc2217Server(opts);
    await s.listen();
    servers.push(s);
    return s;
  }
  after(async () => {
    for (const p of ports) await p.close();
    for (const s of servers) await s.stop();
  });

  it("sets 9600 8N1, then carries bus bytes both ways with 0xFF escaped", async () => {
    const s = await server();
    const binding = createRfc2217Binding({ host: "127.0.0.1", port: s.port, baud: 9600 });
    assert.equal(binding.interfaceName, "RS485");
    assert.equal(binding.endpoint, `rfc2217://127.0.0.1:${s.port}`);
    assert.equal(binding.buffered, true);
    const port = await binding.open();
    ports.push(port);
    const got: number[] = [];
    port.on("data", (b) => got.push(...b));
    const { proto, socket } = s.last;
    assert.deepEqual(proto.commands.slice(0, 4), [
      [1, 0, 0, 0x25, 0x80],
      [2, 8],
      [3, 1],
      [4, 1],
    ]);
    const frame = Uint8Array.of(0xc0, 0xfb, 0xe0, 0xff, 0x77, 0xff, 0xc0);
    await port.write(frame);
    await waitFor("the frame at the server", () => proto.received.length >= frame.length);
    assert.deepEqual(proto.received, [...frame]);
    socket.write(proto.send(frame));
    socket.write(Uint8Array.of(0xff, 0xf1)); // IAC NOP: stripped
    socket.write(proto.send(Uint8Array.of(0xff)));
    await waitFor("the frame from the server", () => got.length >= frame.length + 1);
    assert.deepEqual(got, [...frame, 0xff]);
  });

  it("reports a refused connection with its reason and errno", async () => {
    const port = await freePort();
    const binding = createRfc2217Binding({ host: "127.0.0.1", port, baud: 9600 });
    await assert.rejects(binding.open(), (e: unknown) => {
      assert.deepEqual(openError(e), {
        message: `cannot connect to rfc2217://127.0.0.1:${port}: connection refused`,
        endpoint: `rfc2217://127.0.0.1:${port}`,
        reason: "connection refused",
        errno: "ECONNREFUSED",
      });
      return true;
    });
  });

  it("fails the open when the server refuses COM-PORT-OPTION", async () => {
    const s = await server({ refuseComPort: true, greet: false });
    const binding = createRfc2217Binding({ host: "127.0.0.1", port: s.port, baud: 9600 });
    await assert.rejects(binding.open(), (e: unknown) => {
      const ctx = openError(e);
      assert.match(String(ctx.reason), /refused COM-PORT-OPTION/);
      assert.equal(ctx.errno, null);
      return true;
    });
  });

  it("fails the open when the server sets another baud rate", async () => {
    const s = await server({ answer: { 1: [0, 0, 0x4b, 0] } });
    await assert.rejects(createRfc2217Binding({ host: "127.0.0.1", port: s.port, baud: 9600 }).open(), (e: unknown) => {
      assert.equal(openError(e).reason, "the server set the baud rate to 19200 instead of 9600");
      return true;
    });
  });

  it("fails the open when the server never speaks RFC 2217 (a raw TCP port)", async () => {
    const s = await server({ greet: false, silentComPort: true });
    const binding = createRfc2217Binding({ host: "127.0.0.1", port: s.port, baud: 9600, handshakeTimeoutMs: 100 });
    await assert.rejects(binding.open(), (e: unknown) => {
      assert.match(String(openError(e).reason), /^no RFC 2217 answer within 100 ms: is the port served as telnet\(rfc2217\)\?/);
      return true;
    });
  });

  it("fails the open when the server hangs up during the handshake", async () => {
    const raw = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", r));
    const addr = raw.address();
    assert.ok(addr && typeof addr === "object");
    try {
      await assert.rejects(createRfc2217Binding({ host: "127.0.0.1", port: addr.port, baud: 9600 }).open(), (e: unknown) => {
        assert.match(String(openError(e).reason), /^the server closed the connection during the RFC 2217 handshake$/);
        return true;
      });
    } finally {
      await new Promise<void>((r) => raw.close(() => r()));
    }
  });

  it("reconnects through ReconnectingPort when the server drops the connection", async () => {
    const s = await server();
    const log = captureLogger();
    const rp = new ReconnectingPort({
      binding: createRfc2217Binding({ host: "127.0.0.1", port: s.port, baud: 9600 }),
      clock: systemClock,
      logger: log,
      initialDelayMs: 10,
    });
    const events: string[] = [];
    rp.on("open", () => events.push("open"));
    rp.on("close", (e) => events.push(e ? "close:error" : "close"));
    rp.start();
    try {
      await waitFor("open", () => rp.connected);
      s.last.socket.destroy();
      await waitFor("the second connection", () => s.sessions.length === 2 && rp.connected);
      assert.equal(rp.reconnects, 1);
      await rp.write(Uint8Array.of(0xc0, 0xff, 0xc0));
      await waitFor("bytes after the reconnect", () => s.last.proto.received.length === 3);
      assert.deepEqual(s.last.proto.received, [0xc0, 0xff, 0xc0]);
    } finally {
      await rp.stop();
    }
    assert.deepEqual(events, ["open", "close:error", "open", "close"]);
  });
});
