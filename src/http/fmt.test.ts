import { test } from "node:test";
import assert from "node:assert/strict";
import { chargeTime, fmt2, round2 } from "./fmt.ts";
import { OrderedObject, orderedStringify } from "../shared/ordered-json.ts";

test("fmt2 follows printf %.2f: exact ties to even, never -0.00", () => {
  const cases: [number, string][] = [
    [0, "0.00"],
    [0.125, "0.12"],
    [16.125, "16.12"],
    [0.375, "0.38"],
    [2.5, "2.50"],
    [1.005, "1.00"], // binary value is below the tie
    [3840, "3840.00"],
    [16.666666, "16.67"],
    [-0.001, "0.00"],
    [-0, "0.00"],
    [-1.125, "-1.12"],
    [-2.25, "-2.25"],
    [19.740000000000002, "19.74"],
    [NaN, "0.00"],
  ];
  for (const [x, s] of cases) assert.equal(fmt2(x), s, `fmt2(${x})`);
});

test("round2 removes binary artefacts", () => {
  assert.equal(round2(19.740000000000002), 19.74);
  assert.equal(round2(0.1 + 0.2), 0.3);
  assert.equal(round2(16.666), 16.67);
  assert.equal(round2(-0.001), 0);
  assert.equal(Object.is(round2(-0.001), -0), false);
});

test("chargeTime formats hours unpadded and days", () => {
  assert.equal(chargeTime(309), "0:05:09");
  assert.equal(chargeTime(3 * 3600 + 7), "3:00:07");
  assert.equal(chargeTime(86400 + 61), "1 day, 0:01:01");
  assert.equal(chargeTime(2 * 86400 + 3600), "2 days, 1:00:00");
});

test("orderedStringify keeps integer-like keys in insertion order", () => {
  const doc = new OrderedObject([
    ["4142", { a: 1 }],
    ["1234", { a: 2 }],
    ["total", new OrderedObject([["x", 1]])],
  ]);
  assert.equal(orderedStringify(doc), '{"4142":{"a":1},"1234":{"a":2},"total":{"x":1}}');
  assert.notEqual(JSON.stringify({ "4142": 1, "1234": 2 }), '{"4142":1,"1234":2}');
});
