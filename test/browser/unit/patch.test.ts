/** The web UI's JSON Patch application agrees with the server's diff (http-api.md §8.2). */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { diff } from "../../../src/state/diff.ts";
import { applyPatch, asPatchOps, PatchError, parsePointer } from "../../../src/web/patch.ts";

const json = fc.jsonValue({ maxDepth: 4 });

test("applying the server's diff of a→b to a gives b, without mutating a", () => {
  fc.assert(
    fc.property(json, json, (a, b) => {
      const before = JSON.stringify(a);
      const out = applyPatch(a, diff(a, b));
      assert.deepEqual(out, b);
      assert.equal(JSON.stringify(a), before);
    }),
    { numRuns: 500 },
  );
});

test("unchanged sub-trees keep their identity; changed paths are copied", () => {
  const doc = { a: { x: 1 }, b: { y: [1, 2] } };
  const out = applyPatch(doc, [{ op: "replace", path: "/b/y/1", value: 3 }]);
  assert.equal(out.a, doc.a);
  assert.notEqual(out.b, doc.b);
  assert.deepEqual(out.b.y, [1, 3]);
  assert.deepEqual(doc.b.y, [1, 2]);
});

test("pointer escapes, array add/remove, __proto__ keys stay own properties", () => {
  assert.deepEqual(parsePointer("/a~1b/c~0d"), ["a/b", "c~d"]);
  assert.deepEqual(applyPatch({ l: [1, 3] }, [{ op: "add", path: "/l/1", value: 2 }]), { l: [1, 2, 3] });
  assert.deepEqual(applyPatch({ l: [1, 2] }, [{ op: "add", path: "/l/-", value: 3 }]), { l: [1, 2, 3] });
  assert.deepEqual(applyPatch({ l: [1, 2, 3] }, [{ op: "remove", path: "/l/0" }]), { l: [2, 3] });
  const p = applyPatch<Record<string, unknown>>({}, [
    { op: "add", path: "/__proto__", value: { polluted: true } },
  ]);
  assert.ok(Object.hasOwn(p, "__proto__"));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test("operations that do not fit the document throw PatchError", () => {
  assert.throws(() => applyPatch({ a: 1 }, [{ op: "replace", path: "/b", value: 1 }]), PatchError);
  assert.throws(() => applyPatch({ a: 1 }, [{ op: "remove", path: "/a/b" }]), PatchError);
  assert.throws(() => applyPatch({ l: [] }, [{ op: "replace", path: "/l/0", value: 1 }]), PatchError);
  assert.throws(() => applyPatch({ l: [] }, [{ op: "add", path: "/l/01", value: 1 }]), PatchError);
  assert.throws(() => applyPatch({}, [{ op: "move", path: "/a" }]), PatchError);
  assert.throws(() => applyPatch({}, [{ op: "add", path: "a", value: 1 }]), PatchError);
});

test("asPatchOps accepts only lists of {op, path}", () => {
  assert.deepEqual(asPatchOps([{ op: "remove", path: "/a" }]), [{ op: "remove", path: "/a" }]);
  assert.equal(asPatchOps({}), null);
  assert.equal(asPatchOps([{ op: "add" }]), null);
  assert.equal(asPatchOps([null]), null);
});
