/** Client-side policy condition evaluation (controller.md §16.4) as shown on the Policy page. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  asPolicyList,
  compare,
  conditionTree,
  evaluate,
  resolveOperand,
  type ResolveContext,
} from "../../../src/web/policy-eval.ts";

// 2026-11-25 (a Wednesday) 14:30:00 local time.
const now = new Date(2026, 10, 25, 14, 30, 0).getTime();
const ctx = (
  settings: Record<string, unknown> = {},
  scheduledNow: boolean | null = false,
): ResolveContext => ({ nowMs: now, settings, scheduledNow });

test("the default Track Green Energy entry is true by day and false after sunset", () => {
  const p = {
    match: ["tm_hour", "tm_hour", "settings.hourResumeTrackGreenEnergy", "settings.nonScheduledAction"],
    condition: ["gte", "lt", "lte", "ne"],
    value: ["settings.sunrise", "settings.sunset", "tm_hour", 2],
  };
  const s = { sunrise: 7, sunset: 17, hourResumeTrackGreenEnergy: -1, nonScheduledAction: 1 };
  assert.equal(evaluate(conditionTree(p), ctx(s)), true);
  assert.equal(evaluate(conditionTree(p), ctx({ ...s, sunset: 14 })), false);
  assert.equal(evaluate(conditionTree(p), ctx({ ...s, nonScheduledAction: 2 })), false);
});

test("unknown operands make a leaf unknown; AND with a false child is still false", () => {
  const p = {
    match: ["config.greenEnergyLatch", "settings.nonScheduledAction"],
    condition: ["gt", "eq"],
    value: [0, 3],
  };
  assert.equal(evaluate(conditionTree(p), ctx({ nonScheduledAction: 1 })), false);
  assert.equal(evaluate(conditionTree(p), ctx({ nonScheduledAction: 3 })), null);
  assert.equal(evaluate(conditionTree(p), ctx({})), null);
});

test("nested lists flip AND to OR and back", () => {
  const p = { match: [["tm_wday", "tm_wday"]], condition: [["eq", "eq"]], value: [[5, 2]] };
  const tree = conditionTree(p);
  assert.equal(tree.kind === "group" && tree.children[0]?.kind === "group" ? tree.children[0].op : "", "or");
  assert.equal(evaluate(tree, ctx()), true, "Wednesday is tm_wday 2 (Monday = 0)");
  assert.equal(evaluate(conditionTree({ match: [], condition: [], value: [] }), ctx()), true);
});

test("tm_* fields, now, macros and literals resolve like the server", () => {
  const r = (x: unknown, s: Record<string, unknown> = {}, sched: boolean | null = false): unknown => {
    const v = resolveOperand(x, ctx(s, sched));
    return v.known ? v.value : "?";
  };
  assert.equal(r("tm_hour"), 14);
  assert.equal(r("tm_min"), 30);
  assert.equal(r("tm_mon"), 11);
  assert.equal(r("tm_wday"), 2);
  assert.equal(r("tm_yday"), 329);
  assert.equal(r("now"), now / 1000);
  assert.equal(r("checkScheduledCharging()", {}, true), 1);
  assert.equal(r("checkScheduledCharging()", {}, null), "?");
  assert.equal(r("nonScheduledAmps()", { nonScheduledAction: 2, nonScheduledAmpsMax: 16 }), 0);
  assert.equal(r("nonScheduledAmps()", { nonScheduledAction: 1, nonScheduledAmpsMax: 16 }), 16);
  assert.equal(r("settings.custom", { custom: "12.5" }), 12.5);
  assert.equal(r("config.chargeNowLimit"), "?");
  assert.equal(r("getMaxAmpsForTargetGridUsage()"), "?");
  assert.equal(r("hello"), "hello");
  assert.equal(r(3), 3);
});

test("comparisons: numeric strings for ordering, loose numeric eq with booleans, exact strings", () => {
  assert.equal(compare("10", "gt", 9), true);
  assert.equal(compare("abc", "gt", 1), false);
  assert.equal(compare(true, "eq", 1), true);
  assert.equal(compare("1", "eq", 1), false);
  assert.equal(compare([1, 2], "eq", [1, 2]), true);
  assert.equal(compare("a", "ne", "b"), true);
  assert.equal(compare(1, "none", 2), true);
  assert.equal(compare(1, "false", 1), false);
});

test("asPolicyList keeps valid entries and refuses garbage", () => {
  assert.equal(asPolicyList({}), null);
  assert.equal(asPolicyList([{ match: [] }]), null);
  assert.deepEqual(asPolicyList([{ name: "X" }])?.[0]?.match, []);
});
