import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfigText } from "../config/load.ts";
import { implausibleValues } from "./config-plausibility.ts";

function warnings(core: Record<string, unknown>, iface: Record<string, unknown> = { RS485: { port: "/dev/ttyUSB0" } }): string[] {
  const config = { settingsPath: "/tmp/x", wiringMaxAmpsAllTWCs: 32, wiringMaxAmpsPerTWC: 32, minAmpsPerTWC: 6, ...core };
  return implausibleValues(loadConfigText(JSON.stringify({ config, interface: iface }), "c.json", "/").config);
}

test("a plausible config has no warning", () => {
  assert.deepEqual(warnings({}), []);
  assert.deepEqual(warnings({ defaultVoltage: 230, numberOfPhases: 3, wiringMaxAmpsAllTWCs: 48, wiringMaxAmpsPerTWC: 16 }), []);
});

test("a 400 A wiring limit, a per-charger limit above any Gen2 rating and above the shared one", () => {
  const w = warnings({ wiringMaxAmpsAllTWCs: 400, wiringMaxAmpsPerTWC: 400 });
  assert.equal(w.length, 2);
  assert.match(w[0]!, /^config\.wiringMaxAmpsAllTWCs: 400 A is more than 4 chargers at 80 A/);
  assert.match(w[1]!, /^config\.wiringMaxAmpsPerTWC: 400 A is above the highest Gen2 rating \(80 A\)/);
  assert.match(warnings({ wiringMaxAmpsPerTWC: 40 })[0]!, /above config\.wiringMaxAmpsAllTWCs \(32 A\)/);
});

test("voltage outside 100–480 V, line-to-line voltage on three phases, minimum amps", () => {
  assert.match(warnings({ defaultVoltage: 50 })[0]!, /^config\.defaultVoltage: 50 V is outside 100–480 V/);
  assert.match(warnings({ defaultVoltage: 400, numberOfPhases: 3 })[0]!, /not between phases \(400 V\)/);
  assert.match(warnings({ minAmpsPerTWC: 3 })[0]!, /below 6 A/);
  assert.match(warnings({ minAmpsPerTWC: 40 }).join("\n"), /charging can never start/);
  assert.match(warnings({ maxAmpsAllowedFromGrid: 1000 })[0]!, /maxAmpsAllowedFromGrid/);
});

test("a wiring limit above a simulated charger's rating", () => {
  const w = warnings({}, { Dummy: { enabled: true, slaves: [{ twcID: "AB", maxAmps: 16 }] } });
  assert.match(w[0]!, /above the rating of interface\.Dummy\.slaves\[0\] \(16 A\)/);
});
