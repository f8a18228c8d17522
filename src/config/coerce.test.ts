import { test } from "node:test";
import assert from "node:assert/strict";
import {
  coerceBooleanLike,
  coerceInteger,
  coerceNumber,
  coerceString,
  msgBoolean,
  msgForbiddenChar,
  msgMaxLength,
  msgNotEmpty,
  msgNumber,
  msgRange,
  msgRequired,
  msgString,
} from "./coerce.ts";

const REJECTED = [
  true,
  false,
  null,
  [],
  [1],
  {},
  { a: 1 },
  "",
  " ",
  "abc",
  "NaN",
  "Infinity",
  "-Infinity",
  "0x10",
  "1_0",
  "1e999",
  "1,5",
  "++1",
  "1.2.3",
  "e5",
  Infinity,
  NaN,
  undefined,
];

test("number: finite numbers and plain decimal strings (trimmed) are accepted (http-api §4.4)", () => {
  const cases: [unknown, number][] = [
    [16, 16],
    [-2.5, -2.5],
    ["16", 16],
    [" 16 ", 16],
    ["\t+7.5\n", 7.5],
    ["-.5", -0.5],
    ["5.", 5],
    ["1e3", 1000],
    ["2E-1", 0.2],
    ["-0", 0],
  ];
  for (const [input, expected] of cases)
    assert.deepEqual(coerceNumber(input), { ok: true, value: expected }, JSON.stringify(input));
  assert.ok(Object.is((coerceNumber("-0") as { value: number }).value, 0));
});

test("number and integer reject booleans, null, arrays, objects and non-decimal strings", () => {
  for (const input of REJECTED) {
    assert.deepEqual(coerceNumber(input), { ok: false }, String(JSON.stringify(input)));
    assert.deepEqual(coerceInteger(input), { ok: false }, String(JSON.stringify(input)));
  }
});

test("integer truncates toward zero and never yields -0", () => {
  const cases: [unknown, number][] = [
    [8.9, 8],
    ["32.7", 32],
    [-0.5, 0],
    ["-0.5", 0],
    [-8.9, -8],
    [7, 7],
  ];
  for (const [input, expected] of cases) {
    const r = coerceInteger(input);
    assert.deepEqual(r, { ok: true, value: expected });
    assert.ok(r.ok && !Object.is(r.value, -0));
  }
});

test("boolean-like: true/false, 0/1 and the words true false 1 0 on off yes no (trimmed, any case)", () => {
  const yes = [true, 1, "true", "TRUE", " 1 ", "on", "On", "yes", "YES"];
  const no = [false, 0, "false", "False", "0", "off", "OFF", " no "];
  for (const v of yes) assert.deepEqual(coerceBooleanLike(v), { ok: true, value: true }, String(v));
  for (const v of no) assert.deepEqual(coerceBooleanLike(v), { ok: true, value: false }, String(v));
  for (const v of [2, -1, 0.5, "", "y", "n", "enabled", null, [], {}, undefined])
    assert.deepEqual(coerceBooleanLike(v), { ok: false }, JSON.stringify(v) ?? "undefined");
});

test("string: only JSON strings", () => {
  assert.deepEqual(coerceString(""), { ok: true, value: "" });
  assert.deepEqual(coerceString("x"), { ok: true, value: "x" });
  for (const v of [1, true, null, [], {}]) assert.deepEqual(coerceString(v), { ok: false });
});

test("standard message patterns of http-api §4.2, numbers printed as JavaScript prints them", () => {
  assert.equal(msgRequired("chargeNowRate"), "chargeNowRate is required");
  assert.equal(msgNumber("chargeNowRate"), "chargeNowRate must be a number");
  assert.equal(msgRange("value", 0.5, 1e21), "value must be between 0.5 and 1e+21");
  assert.equal(
    msgRange("chargeNowDuration", 1, 31622400),
    "chargeNowDuration must be between 1 and 31622400",
  );
  assert.equal(msgBoolean("flag"), "flag must be a boolean");
  assert.equal(msgString("name"), "name must be a string");
  assert.equal(msgNotEmpty("name"), "name must not be empty");
  assert.equal(msgMaxLength("name", 64), "name must be at most 64 characters");
  assert.equal(msgForbiddenChar("name", "<"), "name contains a forbidden character '<'");
});
