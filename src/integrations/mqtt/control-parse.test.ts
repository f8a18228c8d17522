import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_CHARGE_NOW_S, parseControl } from "./control-parse.ts";

const W = 32;

test('chargeNow: "<amps>,<seconds>" with spaces, amps 1…wiringMaxAmpsAllTWCs, seconds 1…31622400', () => {
  assert.deepEqual(parseControl("chargeNow", "8,3600", W), {
    ok: true,
    command: { kind: "chargeNow", amps: 8, seconds: 3600 },
  });
  assert.deepEqual(parseControl("chargeNow", " 32 , 31622400 ", W), {
    ok: true,
    command: { kind: "chargeNow", amps: 32, seconds: MAX_CHARGE_NOW_S },
  });
  const bad: [string, string][] = [
    ["", "malformed"],
    ["8", "malformed"],
    ["8,", "malformed"],
    ["8,3600,1", "malformed"],
    ["eight,3600", "malformed"],
    ["8.5,3600", "malformed"],
    ["-8,3600", "malformed"],
    ["8,1e3", "malformed"],
    ["0,3600", "outOfRange"],
    ["33,3600", "outOfRange"],
    ["8,0", "outOfRange"],
    ["8,31622401", "outOfRange"],
  ];
  for (const [payload, reason] of bad) {
    const r = parseControl("chargeNow", payload, W);
    assert.equal(r.ok, false, payload);
    if (!r.ok) assert.equal(r.reason, reason, payload);
  }
});

test("S-1: Charge Now amps above a fractional wiring limit are refused", () => {
  const r = parseControl("chargeNow", "33,60", 32.5);
  assert.equal(r.ok, false);
});

test("chargeNowEnd and stop take any payload", () => {
  assert.deepEqual(parseControl("chargeNowEnd", "", W), { ok: true, command: { kind: "chargeNowEnd" } });
  assert.deepEqual(parseControl("stop", "whatever", W), { ok: true, command: { kind: "stop" } });
});

test("nonScheduledAmpsMax: integer 0…wiringMaxAmpsAllTWCs; nonScheduledAction: 1, 2 or 3", () => {
  assert.deepEqual(parseControl("nonScheduledAmpsMax", "0", W), {
    ok: true,
    command: { kind: "nonScheduledAmpsMax", amps: 0 },
  });
  assert.deepEqual(parseControl("nonScheduledAmpsMax", " 16 ", W), {
    ok: true,
    command: { kind: "nonScheduledAmpsMax", amps: 16 },
  });
  for (const p of ["33", "-1", "16.5", "x", ""])
    assert.equal(parseControl("nonScheduledAmpsMax", p, W).ok, false, p);
  for (const a of [1, 2, 3] as const)
    assert.deepEqual(parseControl("nonScheduledAction", String(a), W), {
      ok: true,
      command: { kind: "nonScheduledAction", action: a },
    });
  for (const p of ["0", "4", "1.0", "two", ""])
    assert.equal(parseControl("nonScheduledAction", p, W).ok, false, p);
});

test("an unknown topic is refused as unknownTopic", () => {
  const r = parseControl("chargeLater", "1", W);
  assert.deepEqual(r.ok ? null : r.reason, "unknownTopic");
});
