/**
 * The source tester beyond HTTP (src/http/v2/source-test.test.ts covers the route): Modbus register
 * reads as raw answers against a loopback modbus-serial fake, a refused connection as the error, and
 * the redaction helpers.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import pino from "pino";
import type { AppConfig } from "../config/app-config.ts";
import { systemClock } from "../shared/clock.ts";
import { createSourceTester, redactWith, secretValues } from "./source-test.ts";
import { startModbusFake } from "./sources/modbus-fake.test-helper.ts";

const logger = pino({ level: "silent" });

function sources(catalogue: AppConfig["sources"]["catalogue"]): AppConfig["sources"] {
  return { url: null, hass: null, mqtt: null, dsmr: null, catalogue };
}

test("SolarEdge over Modbus: the register reads are the raw answers; a dead inverter gives the error", async () => {
  const inverter = await startModbusFake({ unitId: 1 });
  inverter.registers.set(40083, 23510);
  inverter.registers.set(40084, 0xffff); // scale −1
  const config = { enabled: true, inverterHost: inverter.host, inverterPort: inverter.port, smartMeters: [], pollMode: 0 };
  try {
    const tester = createSourceTester({ sources: sources([{ key: "SolarEdge", config }]), clock: systemClock, logger });
    const out = await tester.test("SolarEdge");
    assert.equal(out.kind, "result");
    if (out.kind !== "result") return;
    assert.equal(out.result.ok, true, String(out.result.error));
    assert.equal(out.result.generationW, 2351);
    assert.deepEqual(out.result.raw, [
      {
        request: `Modbus ${inverter.host}:${inverter.port} unit 1: read holding registers 40083 ×2`,
        status: null,
        body: "[23510,65535]",
        truncated: false,
        error: null,
      },
    ]);
  } finally {
    await inverter.close();
  }
  const dead = createSourceTester({ sources: sources([{ key: "SolarEdge", config }]), clock: systemClock, logger });
  const out = await dead.test("SolarEdge");
  assert.equal(out.kind === "result" && out.result.ok, false);
  if (out.kind !== "result") return;
  assert.match(out.result.error ?? "", /connect/);
  assert.match(out.result.raw[0]?.request ?? "", /: connect$/);
});

test("redaction: configured secret values (also URL-encoded) and the usual shapes are hidden", () => {
  const secrets = secretValues({ serverIP: "h", APIKey: "abc/def+1", nested: { password: "pw12" }, short: "x" }, new Set(["APIKey"]));
  assert.deepEqual(secrets, ["abc/def+1", "pw12"]);
  assert.equal(
    redactWith("GET https://api/x?appid=abc%2Fdef%2B1&lat=1 body pw12 Bearer eyJabcdefgh.eyJabcdefgh.sig", secrets),
    "GET https://api/x?appid=(hidden)&lat=1 body (hidden) Bearer (hidden)",
  );
});
