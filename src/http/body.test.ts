import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_BODY_DEPTH, TOO_DEEP_MESSAGE, parseJsonBody } from "./body.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test("parseJsonBody follows http-api §4.3", () => {
  assert.deepEqual(parseJsonBody(enc('{"a":1}')), { ok: true, value: { a: 1 } });
  assert.deepEqual(parseJsonBody(enc("  ")), { ok: true, value: {} });
  assert.deepEqual(parseJsonBody(undefined), { ok: true, value: {} });
  assert.deepEqual(parseJsonBody(enc('\uFEFF{"a":2}')), { ok: true, value: { a: 2 } });
  assert.deepEqual(parseJsonBody(enc('{"a":1,"a":3}')), { ok: true, value: { a: 3 } });
  for (const s of ["[1]", '"x"', "3", "true", "null"]) {
    assert.deepEqual(parseJsonBody(enc(s)), { ok: false, message: "JSON must be an object, not an array or primitive" }, s);
  }
  for (const s of ["{", "NaN", '{"a":Infinity}', "{'a':1}", '{"a":NaN}']) {
    const r = parseJsonBody(enc(s));
    assert.equal(r.ok, false, s);
    assert.ok(!r.ok && r.message.startsWith("Invalid JSON"), s);
  }
  assert.deepEqual(parseJsonBody(new Uint8Array([0x7b, 0xff, 0x7d])), { ok: false, message: "Invalid JSON: body is not valid UTF-8" });
  assert.deepEqual(parseJsonBody(enc("[".repeat(33) + "]".repeat(33))), { ok: false, message: TOO_DEEP_MESSAGE });
  assert.deepEqual(parseJsonBody(enc('{"a":' + "[".repeat(40) + "]".repeat(40) + "}")), { ok: false, message: TOO_DEEP_MESSAGE });
  assert.equal(parseJsonBody(enc('{"a":' + "[".repeat(30) + "]".repeat(30) + "}")).ok, true);
  assert.deepEqual(parseJsonBody(enc('{"__proto__":{"x":1}}')), { ok: false, message: "Invalid JSON: forbidden property name" });
  assert.deepEqual(parseJsonBody(enc('{"a":{"constructor":{"prototype":{}}}}')), { ok: false, message: "Invalid JSON: forbidden property name" });
  assert.deepEqual(parseJsonBody(enc('{"s":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')).ok, true);
});

/** Objects nested `levels` deep (`{"a":1}` is one level) with a number, or an empty array, innermost. */
function nested(levels: number, inner = "1"): string {
  return '{"a":'.repeat(levels) + inner + "}".repeat(levels);
}

test(`a body exactly ${MAX_BODY_DEPTH} levels deep is accepted, ${MAX_BODY_DEPTH + 1} is refused naming the limit`, () => {
  assert.equal(TOO_DEEP_MESSAGE, "Invalid JSON: nesting too deep (limit 32 levels)");
  for (const [text, levels] of [
    [nested(32), 32],
    [nested(31, "[]"), 32],
    [nested(31, '["x",{"b":null}]'), 33],
    [nested(33), 33],
    [nested(32, "[]"), 33],
  ] as const) {
    const r = parseJsonBody(enc(text));
    assert.equal(r.ok, levels <= MAX_BODY_DEPTH, `${levels} levels`);
    if (!r.ok) assert.equal(r.message, TOO_DEEP_MESSAGE);
  }
  let v: unknown = (parseJsonBody(enc(nested(32))) as { value: unknown }).value;
  for (let i = 0; i < 32; i++) v = (v as { a: unknown }).a;
  assert.equal(v, 1);
  assert.deepEqual(parseJsonBody(enc(nested(100_000))), { ok: false, message: TOO_DEEP_MESSAGE });
});
