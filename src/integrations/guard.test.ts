import assert from "node:assert/strict";
import { test } from "node:test";
import { Value } from "typebox/value";
import { FakeClock } from "../shared/clock.ts";
import { StateDocumentSchema } from "../state/schema.ts";
import { StateStore } from "../state/store.ts";
import { failureReason, guardedClock, guardedState } from "./guard.ts";

void test("a throwing timer callback of a module is reported, not thrown into the clock", () => {
  const clock = new FakeClock();
  const errors: unknown[] = [];
  const guarded = guardedClock(clock, (err) => errors.push(err));
  let later = false;
  guarded.setTimeout(() => {
    throw new Error("module bug");
  }, 10);
  clock.setTimeout(() => (later = true), 20);
  assert.doesNotThrow(() => clock.advance(30));
  assert.equal(errors.length, 1);
  assert.equal(later, true, "timers after it still fire");
  const h = guarded.setTimeout(() => errors.push("not cleared"), 10);
  guarded.clearTimeout(h);
  clock.advance(20);
  assert.equal(errors.length, 1);
  assert.equal(guarded.now(), clock.now());
});

void test("a throwing patch listener of a module is reported; the store's update and its other listeners go on", () => {
  const store = new StateStore(Value.Create(StateDocumentSchema));
  const errors: unknown[] = [];
  const state = guardedState(store, (err) => errors.push(err));
  const seen: number[] = [];
  const off = state.onPatch(() => {
    throw new Error("listener bug");
  });
  store.onPatch((p) => seen.push(p.to));
  assert.doesNotThrow(() => store.update((d) => void (d.version = "changed")));
  assert.equal(errors.length, 1);
  assert.deepEqual(seen, [store.revision]);
  assert.equal(state.revision, store.revision);
  assert.equal(state.snapshot.version, "changed");
  assert.deepEqual(state.patchesSince(store.revision), []);
  off();
  store.update((d) => void (d.version = "again"));
  assert.equal(errors.length, 1, "unsubscribed");
});

void test("failure reasons are one line with secrets redacted", () => {
  assert.equal(failureReason(new Error("outer", { cause: new Error("inner") })), "outer: inner");
  assert.equal(failureReason("plain"), "plain");
  assert.doesNotMatch(failureReason(new Error("GET https://u:pw@example.invalid/x")), /pw/);
});
