import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";

import { memberKeyOrder, orderedEntries } from "./json-key-order.ts";

void describe("memberKeyOrder", () => {
  it("returns integer-like keys in source order, not JavaScript's numeric order", () => {
    const text = '{"a":1,"consumptionOffset":{"Zeta":{"value":1,"unit":"W"},"10":{"value":2,"unit":"A"},"2":{}},"b":[{"x":1}]}';
    assert.deepEqual(memberKeyOrder(text, "consumptionOffset"), ["Zeta", "10", "2"]);
    assert.deepEqual(Object.keys((JSON.parse(text) as { consumptionOffset: object }).consumptionOffset), ["2", "10", "Zeta"]);
  });
  it("ignores look-alike keys nested deeper, in arrays or inside string values", () => {
    const text = JSON.stringify(
      { x: { consumptionOffset: { no: 1 } }, y: ["consumptionOffset", { consumptionOffset: { no: 2 } }], consumptionOffset: { "9": 1, "a\"b": 2, "}": 3 }, z: "consumptionOffset" },
      null,
      2,
    );
    assert.deepEqual(memberKeyOrder(text, "consumptionOffset"), ["9", 'a"b', "}"]);
  });
  it("returns [] when the member is absent or not an object", () => {
    assert.deepEqual(memberKeyOrder('{"consumptionOffset":[{"a":1}]}', "consumptionOffset"), []);
    assert.deepEqual(memberKeyOrder('{"consumptionOffset":"{\\"a\\":1}"}', "consumptionOffset"), []);
    assert.deepEqual(memberKeyOrder('{"other":{"a":1}}', "consumptionOffset"), []);
  });
  it("agrees with JSON.parse on the set of keys for any JSON object (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()), (inner, outer) => {
        const text = JSON.stringify({ ...outer, consumptionOffset: inner }, null, 1);
        const keys = memberKeyOrder(text, "consumptionOffset");
        assert.deepEqual([...keys].sort(), Object.keys(inner).sort());
      }),
      { numRuns: 300 },
    );
  });
});

void describe("orderedEntries", () => {
  it("orders by the given names, skips missing ones and appends new ones", () => {
    const rec = { "2": "b", "10": "c", Zeta: "a", new: "d" };
    assert.deepEqual(orderedEntries(rec, ["Zeta", "gone", "10", "2"]), [
      ["Zeta", "a"],
      ["10", "c"],
      ["2", "b"],
      ["new", "d"],
    ]);
  });
});
