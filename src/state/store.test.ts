import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { cloneJson, NO_EXACT_ENERGY, StateStore } from "./store.ts";
import type { StateDocument } from "./types.ts";

type Loose = Record<string, unknown>;
const loose = (d: object): Loose => d as Loose;
const doc = (o: Loose): Omit<StateDocument, "revision"> => o as unknown as Omit<StateDocument, "revision">;

test("cloneJson copies JSON values like structuredClone (NaN, undefined members, odd keys)", () => {
  const json = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constant({ a: Number.NaN, b: undefined, ["__proto__"]: { x: 1 } }));
  fc.assert(
    fc.property(json, (v) => {
      const copy = cloneJson(v);
      assert.deepEqual(copy, structuredClone(v));
      if (typeof v === "object" && v !== null) assert.notEqual(copy, v);
    }),
    { numRuns: 300 },
  );
  const odd = JSON.parse('{"__proto__": {"polluted": true}}') as Loose;
  const copy = cloneJson(odd);
  assert.equal(Object.getPrototypeOf(copy), Object.prototype, "an own __proto__ key stays a key");
  assert.deepEqual(Object.keys(copy), ["__proto__"]);
});

test("publish emits the patch update would, keeps the key order and bumps the revision only on change", () => {
  const initial = doc({ a: 1, nested: { b: [1, 2], c: "x" }, list: [] });
  const viaUpdate = new StateStore(initial);
  const viaPublish = new StateStore(initial);
  const p1 = viaUpdate.update((d) => {
    const l = loose(d);
    (l.nested as Loose).c = "y";
    l.list = [1];
  });
  const prev = viaPublish.snapshot as unknown as Loose;
  const p2 = viaPublish.publish(doc({ a: 1, nested: { ...(prev.nested as Loose), c: "y" }, list: [1] }), NO_EXACT_ENERGY);
  assert.ok(p1 && p2);
  assert.deepEqual(p2, p1);
  assert.deepEqual(Object.keys(viaPublish.snapshot), ["a", "nested", "list", "revision"]);
  assert.deepEqual(viaPublish.snapshot, viaUpdate.snapshot);
  const same = viaPublish.snapshot;
  assert.equal(viaPublish.publish(doc({ a: 1, nested: { b: [1, 2], c: "y" }, list: [1] }), NO_EXACT_ENERGY), null);
  assert.equal(viaPublish.snapshot, same, "an unchanged document keeps its identity");
  assert.equal(viaPublish.revision, 2);
});

test("the exact energy figures are published beside the document, never in it or in a patch", () => {
  const store = new StateStore(doc({ a: 1 }));
  assert.deepEqual(store.exact, NO_EXACT_ENERGY);
  const patches: unknown[] = [];
  store.onPatch((p) => patches.push(p));
  const exact = { chargerLoadW: 1234.567, consumptionW: 10.25, generationW: 0.5, voltage: 231.4, phases: 3 };
  assert.equal(store.publish(doc({ a: 1 }), exact), null, "new figures alone are no document change");
  assert.equal(store.exact, exact);
  assert.equal(store.revision, 1);
  assert.deepEqual(patches, []);
  assert.equal(Object.hasOwn(store.snapshot, "exact"), false);
  const second = new StateStore(doc({ a: 1 }), exact);
  assert.equal(second.exact, exact);
});
