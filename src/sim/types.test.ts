import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultTwcIdString, parseTwcIdString, resolveSlaveDef } from "./types.ts";

void test("parseTwcIdString: 2 ASCII characters or 4 hex digits", () => {
  assert.equal(parseTwcIdString("AB"), 0x4142);
  assert.equal(parseTwcIdString("4142"), 0x4142);
  assert.equal(parseTwcIdString("1234"), 0x1234);
  assert.equal(parseTwcIdString("c0db"), 0xc0db);
  for (const bad of ["", "A", "ABC", "WXYZ", "12345", "Aé"]) {
    assert.throws(() => parseTwcIdString(bad), { code: "CONFIG_INVALID" }, bad);
  }
});

void test("resolveSlaveDef fills config.md §4.4 defaults", () => {
  assert.deepEqual(resolveSlaveDef({ twcID: "AB" }), {
    twcID: "AB",
    maxAmps: 80,
    protocolVersion: 2,
    lifetimeKWh: 0,
    voltage: [240, 0, 0],
    vin: "",
    supportsKwh: true,
    joinAfterS: 0,
    car: {
      behaviour: "none",
      maxAmps: 80,
      minAmps: 5,
      drawOffsetA: 0.5,
      startDelayS: 2,
      rampAmpsPerS: 10,
      sixAmpFallback: false,
      batteryKWh: 75,
      socPercent: 40,
      chargeLimitPercent: 90,
    },
    faults: {
      dropRate: 0,
      replyDelayMs: 20,
      silentAfterS: null,
      corruptRate: 0,
      noiseBytes: 0,
      splitDelivery: false,
      duplicateRate: 0,
    },
  });
  const d = resolveSlaveDef({
    twcID: "4142",
    vin: null,
    car: { behaviour: "follow" },
    faults: { silentAfterS: 3 },
  });
  assert.equal(d.vin, null);
  assert.equal(d.car.behaviour, "follow");
  assert.equal(d.car.minAmps, 5);
  assert.equal(d.faults.silentAfterS, 3);
  assert.equal(d.faults.replyDelayMs, 20);
});

void test("resolveSlaveDef rejects invalid values with CONFIG_INVALID", () => {
  const bad = [
    { twcID: "AB", protocolVersion: 3 as 1 },
    { twcID: "AB", maxAmps: -1 },
    { twcID: "AB", vin: "X".repeat(18) },
    { twcID: "AB", voltage: [240, 0] as unknown as [number, number, number] },
    { twcID: "AB", faults: { dropRate: 1.5 } },
    { twcID: "AB", faults: { noiseBytes: 1.5 } },
    { twcID: "AB", car: { behaviour: "fly" as "none" } },
    { twcID: "nope" },
  ];
  for (const b of bad) assert.throws(() => resolveSlaveDef(b), { code: "CONFIG_INVALID" }, JSON.stringify(b));
});

void test("default IDs are distinct and deterministic", () => {
  assert.deepEqual([0, 1, 2].map(defaultTwcIdString), ["AB", "CD", "EF"]);
  assert.equal(new Set(Array.from({ length: 13 }, (_, i) => defaultTwcIdString(i))).size, 13);
});
