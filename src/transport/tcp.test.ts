import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { isTwcError } from "../shared/errors.ts";
import { createTcpBinding, formatEndpoint, isPortUrl, parseSocketUrl, parseTcpServer } from "./tcp.ts";

const configInvalid = (e: unknown): boolean => isTwcError(e) && e.code === "CONFIG_INVALID";

describe("parseTcpServer", () => {
  const ok: [string, string, number][] = [
    ["bridge.local", "bridge.local", 6000],
    ["192.168.1.50:4196", "192.168.1.50", 4196],
    ["  10.0.0.2:23 ", "10.0.0.2", 23],
    ["[::1]:5555", "::1", 5555],
    ["[fe80::1]", "fe80::1", 6000],
    ["::1", "::1", 6000],
  ];
  for (const [input, host, port] of ok) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.deepEqual(parseTcpServer(input), { host, port });
    });
  }

  it("uses the given default port", () => {
    assert.deepEqual(parseTcpServer("h", 7000), { host: "h", port: 7000 });
  });

  for (const bad of [
    "",
    ":6000",
    "host:",
    "host:0",
    "host:65536",
    "host:12ab",
    "a:b:c",
    "[::1",
    "[::1]:x",
    "h ost",
    "host/x",
  ]) {
    it(`rejects ${JSON.stringify(bad)} with CONFIG_INVALID`, () => {
      assert.throws(() => parseTcpServer(bad), configInvalid);
    });
  }
});

describe("parseSocketUrl", () => {
  it("parses socket://host:port", () => {
    assert.deepEqual(parseSocketUrl("socket://192.168.1.50:4196"), { host: "192.168.1.50", port: 4196 });
    assert.deepEqual(parseSocketUrl("SOCKET://[::1]:5555/"), { host: "::1", port: 5555 });
  });

  it("rejects rfc2217:// with the documented message", () => {
    assert.throws(
      () => parseSocketUrl("rfc2217://192.168.1.50:4196"),
      (e: unknown) =>
        configInvalid(e) && (e as Error).message === "rfc2217:// is not supported; use socket://host:port",
    );
  });

  for (const bad of ["socket://host", "socket://", "http://h:1", "/dev/ttyUSB0", "socket://h:99999"]) {
    it(`rejects ${JSON.stringify(bad)} with CONFIG_INVALID`, () => {
      assert.throws(() => parseSocketUrl(bad), configInvalid);
    });
  }

  it("tells URLs from device paths", () => {
    assert.equal(isPortUrl("socket://h:1"), true);
    assert.equal(isPortUrl("rfc2217://h:1"), true);
    assert.equal(isPortUrl("/dev/ttyUSB0"), false);
    assert.equal(isPortUrl("COM3"), false);
  });
});

describe("createTcpBinding", () => {
  it("names the interface and endpoint", () => {
    assert.equal(createTcpBinding({ host: "127.0.0.1", port: 5555 }).interfaceName, "TCP");
    assert.equal(
      createTcpBinding({ host: "127.0.0.1", port: 5555, interfaceName: "RS485" }).interfaceName,
      "RS485",
    );
    assert.equal(createTcpBinding({ host: "127.0.0.1", port: 5555 }).endpoint, "127.0.0.1:5555");
    assert.equal(formatEndpoint({ host: "::1", port: 1 }), "[::1]:1");
  });

  it("fails with TRANSPORT_OPEN_FAILED when nothing listens", async () => {
    // Find a free loopback port, then close the server so the connection is refused.
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const addr = server.address();
    assert.ok(addr && typeof addr === "object");
    await new Promise<void>((r) => server.close(() => r()));
    const binding = createTcpBinding({ host: "127.0.0.1", port: addr.port });
    await assert.rejects(binding.open(), (e: unknown) => {
      assert.ok(isTwcError(e));
      assert.equal(e.code, "TRANSPORT_OPEN_FAILED");
      assert.equal(e.context?.endpoint, `127.0.0.1:${addr.port}`);
      return true;
    });
  });
});
