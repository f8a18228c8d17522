import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { applyPatch, diff } from "./diff.ts";
import { StateStore } from "./store.ts";

test("diff: objects per key, equal-length arrays per index, resized arrays whole", () => {
  const a = { x: 1, arr: [1, 2], gone: true, nested: { "a/b": 1, "t~": 2 } };
  const b = { x: 2, arr: [1, 3], added: null, nested: { "a/b": 5, "t~": 2 }, list: [1] };
  const ops = diff(a, b);
  assert.deepEqual(ops, [
    { op: "remove", path: "/gone" },
    { op: "replace", path: "/x", value: 2 },
    { op: "replace", path: "/arr/1", value: 3 },
    { op: "add", path: "/added", value: null },
    { op: "replace", path: "/nested/a~1b", value: 5 },
    { op: "add", path: "/list", value: [1] },
  ]);
  assert.deepEqual(diff({ l: [1, 2] }, { l: [1] }), [{ op: "replace", path: "/l", value: [1] }]);
});

test("diff then applyPatch reproduces the target for random JSON documents", () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  fc.assert(
    fc.property(json, json, (a, b) => {
      const result = applyPatch(a, diff(a, b));
      assert.deepEqual(result, b);
    }),
    { numRuns: 500 },
  );
});

test("StateStore bumps the revision only on change and keeps patches for replay", () => {
  const store = new StateStore({ a: 1 } as never);
  const seen: number[] = [];
  store.onPatch((p) => seen.push(p.to));
  assert.equal(store.update((d) => ((d as unknown as { a: number }).a = 1)), null);
  const p = store.update((d) => ((d as unknown as { a: number }).a = 2));
  assert.ok(p);
  assert.equal(p.from, 1);
  assert.equal(p.to, 2);
  assert.deepEqual(seen, [2]);
  assert.deepEqual(store.patchesSince(1)?.map((x) => x.to), [2]);
  assert.deepEqual(store.patchesSince(2), []);
  assert.equal(store.patchesSince(0), null);
  for (let i = 0; i < 300; i++) store.update((d) => ((d as unknown as { a: number }).a = 10 + i));
  assert.equal(store.patchesSince(2), null, "old revisions are no longer kept");
  assert.equal(store.patchesSince(store.revision - 5)?.length, 5);
});

/** The diff as it was before its fast path (issue 9 §7), kept as the reference its patches must match. */
function referenceDiff(a: unknown, b: unknown, path = "", ops: unknown[] = []): unknown[] {
  const seg = (k: string): string => k.replace(/~/g, "~0").replace(/\//g, "~1");
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (a === b) return ops;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) ops.push({ op: "replace", path, value: b });
    else for (let i = 0; i < a.length; i++) referenceDiff(a[i], b[i], `${path}/${i}`, ops);
    return ops;
  }
  if (isObj(a) && isObj(b)) {
    for (const k of Object.keys(a)) if (!Object.hasOwn(b, k)) ops.push({ op: "remove", path: `${path}/${seg(k)}` });
    for (const k of Object.keys(b)) {
      if (!Object.hasOwn(a, k)) ops.push({ op: "add", path: `${path}/${seg(k)}`, value: b[k] });
      else referenceDiff(a[k], b[k], `${path}/${seg(k)}`, ops);
    }
    return ops;
  }
  if (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b)) return ops;
  ops.push({ op: "replace", path, value: b });
  return ops;
}

test("diff produces exactly the patches of the reference implementation (shared parts, odd keys, NaN)", () => {
  const key = fc.oneof(fc.constantFrom("a", "b", "a/b", "t~1", "~", "/", "__proto__", "constructor"), fc.string({ maxLength: 3 }));
  const leaf = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(Number.NaN), fc.boolean(), fc.constant(null), fc.constantFrom("x", "y"));
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("value"), { maxLength: 3 }), fc.dictionary(key, tie("value"), { maxKeys: 4 })),
  }));
  fc.assert(
    fc.property(value, value, fc.boolean(), (a, b, share) => {
      // With `share`, b reuses a's subtrees by identity, as the engine's rebuilt document does.
      const target: unknown = share && typeof a === "object" && a !== null && !Array.isArray(a) && typeof b === "object" && b !== null && !Array.isArray(b) ? { ...a, ...b } : b;
      assert.deepEqual(diff(a, target), referenceDiff(a, target));
    }),
    { numRuns: 1000 },
  );
});
