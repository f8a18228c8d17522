import { test } from "node:test";
import assert from "node:assert/strict";
import { parseJsonBody } from "./body.ts";

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
  assert.deepEqual(parseJsonBody(enc("[".repeat(33) + "]".repeat(33))), { ok: false, message: "Invalid JSON: nesting too deep" });
  assert.deepEqual(parseJsonBody(enc('{"a":' + "[".repeat(40) + "]".repeat(40) + "}")), { ok: false, message: "Invalid JSON: nesting too deep" });
  assert.equal(parseJsonBody(enc('{"a":' + "[".repeat(30) + "]".repeat(30) + "}")).ok, true);
  assert.deepEqual(parseJsonBody(enc('{"__proto__":{"x":1}}')), { ok: false, message: "Invalid JSON: forbidden property name" });
  assert.deepEqual(parseJsonBody(enc('{"a":{"constructor":{"prototype":{}}}}')), { ok: false, message: "Invalid JSON: forbidden property name" });
  assert.deepEqual(parseJsonBody(enc('{"s":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')).ok, true);
});
