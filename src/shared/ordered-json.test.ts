import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";

import { OrderedObject, orderedStringify } from "./ordered-json.ts";

void describe("orderedStringify", () => {
  it("renders OrderedObject entries in their order, integer-like keys included", () => {
    const v = new OrderedObject([["Zeta", 1], ["10", { a: [1, 2] }], ["2", undefined], ["1", null]]);
    assert.equal(orderedStringify(v), '{"Zeta":1,"10":{"a":[1,2]},"1":null}');
    assert.equal(orderedStringify({ x: v, d: new Date(0) }, 2), '{\n  "x": {\n    "Zeta": 1,\n    "10": {\n      "a": [\n        1,\n        2\n      ]\n    },\n    "1": null\n  },\n  "d": "1970-01-01T00:00:00.000Z"\n}');
  });
  it("equals JSON.stringify for plain JSON values, compact and indented (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2), (v, space) => {
        assert.equal(orderedStringify(v, space), JSON.stringify(v, null, space));
      }),
      { numRuns: 500 },
    );
  });
});
