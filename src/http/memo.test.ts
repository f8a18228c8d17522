/** Unit tests of the render caches. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { memoByInputs, memoLast } from "./memo.ts";

test("memoByInputs renders again only when an input changes identity", () => {
  let renders = 0;
  let a = { x: 1 };
  let minute = 5;
  const get = memoByInputs(
    () => [a, minute],
    () => ({ n: ++renders }),
  );
  const first = get();
  assert.equal(get(), first);
  assert.equal(renders, 1);
  a = { x: 1 }; // equal content, new object → fresh render
  assert.notEqual(get(), first);
  assert.equal(renders, 2);
  minute = 6;
  get();
  assert.equal(renders, 3);
  get();
  assert.equal(renders, 3);
});

test("memoLast caches on the identity of the last argument", () => {
  let calls = 0;
  const f = memoLast((o: object) => {
    calls++;
    return JSON.stringify(o);
  });
  const o = { a: 1 };
  assert.equal(f(o), '{"a":1}');
  assert.equal(f(o), '{"a":1}');
  assert.equal(calls, 1);
  assert.equal(f({ a: 1 }), '{"a":1}');
  assert.equal(calls, 2);
});
