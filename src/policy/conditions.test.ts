import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compare, looseEqual } from "./compare.ts";
import { evaluateConditions, policyMatches } from "./conditions.ts";
import { toLocalTime } from "./local-time.ts";
import type { MacroContext } from "./macros.ts";

const MS = Date.UTC(2026, 10, 23, 12, 0, 0);
const ctx: MacroContext = {
  now: MS / 1000,
  local: toLocalTime(MS, "UTC"),
  settings: { a: 5, s: "5" },
  config: {},
};

void describe("compare (controller.md §16.4)", () => {
  const table: [unknown, string, unknown, boolean][] = [
    [10, "gt", 9, true],
    [9, "gt", 9, false],
    [9, "gte", 9, true],
    [8, "lt", 9, true],
    [9, "lt", 9, false],
    [9, "lte", 9, true],
    ["10", "gt", 9, true], // numeric strings are converted for ordering
    [" 10 ", "gt", "9.5", true],
    ["1e3", "gte", 1000, true],
    ["abc", "gt", 1, false], // non-numeric side → false
    ["abc", "lte", 1, false],
    [1, "lt", "abc", false],
    [null, "gt", -1, false],
    [null, "lte", 1, false],
    [[1], "gt", 0, false],
    [true, "gt", 0, true], // booleans order as 1/0
    [false, "lt", 1, true],
    [1, "eq", 1, true],
    [1, "eq", 1.0, true],
    [1, "eq", true, true], // true = 1
    [0, "eq", false, true],
    [2, "eq", true, false],
    ["1", "eq", 1, false], // no string conversion for eq
    ["a", "eq", "a", true],
    ["a", "eq", "A", false],
    ["1", "ne", 1, true],
    [1, "ne", 2, true],
    [1, "ne", 1, false],
    [[1, 2], "eq", [1, 2], true], // lists element-wise
    [[1, true], "eq", [1, 1], true],
    [[1, 2], "eq", [1, 2, 3], false],
    [[1, "2"], "eq", [1, 2], false],
    [[1, 2], "ne", [2, 1], true],
    [null, "eq", null, true],
    [null, "eq", 0, false],
    [null, "eq", "", false],
    [{ x: 1 }, "eq", { x: true }, true],
    [{ x: 1 }, "eq", { y: 1 }, false],
    [1, "false", 1, false],
    [1, "none", 2, true],
    ["x", "none", null, true],
    [1, "equals", 1, false], // unknown conditions never hold at run time
    [Number.NaN, "eq", Number.NaN, false],
  ];
  for (const [l, c, r, expected] of table) {
    void it(`${JSON.stringify(l)} ${c} ${JSON.stringify(r)} → ${expected}`, () =>
      assert.equal(compare(l, c, r), expected));
  }

  void it("looseEqual is symmetric on the table's mixes", () => {
    for (const [l, , r] of table) assert.equal(looseEqual(l, r), looseEqual(r, l));
  });
});

void describe("evaluateConditions: grouping", () => {
  const ev = (m: unknown[], c: unknown[], v: unknown[]): boolean => evaluateConditions(m, c, v, ctx);

  void it("ANDs the top level (empty → true)", () => {
    assert.equal(ev([], [], []), true);
    assert.equal(ev(["settings.a", "settings.a"], ["gt", "lt"], [1, 10]), true);
    assert.equal(ev(["settings.a", "settings.a"], ["gt", "lt"], [1, 4]), false);
  });

  void it("ORs a first-level group (empty group → false)", () => {
    assert.equal(ev([["settings.a", "settings.a"]], [["lt", "gt"]], [[1, 4]]), true);
    assert.equal(ev([["settings.a", "settings.a"]], [["lt", "gt"]], [[1, 6]]), false);
    assert.equal(ev([[]], [[]], [[]]), false);
  });

  void it("ANDs a second-level group inside an OR group", () => {
    // (a < 1) OR (a > 4 AND a < 6)
    const m = [["settings.a", ["settings.a", "settings.a"]]];
    const c = [["lt", ["gt", "lt"]]];
    assert.equal(ev(m, c, [[1, [4, 6]]]), true);
    assert.equal(ev(m, c, [[1, [4, 5]]]), false);
    assert.equal(ev([[[]]], [[[]]], [[[]]]), true); // an empty AND group inside OR is true
  });

  void it("treats a position with list match/value but a string condition as a literal comparison", () => {
    assert.equal(ev([[1, 2]], ["eq"], [[1, 2]]), true);
    assert.equal(ev([[1, 2]], ["eq"], [[2, 1]]), false);
  });

  void it("counts malformed positions (group with non-list side, missing elements) as false", () => {
    assert.equal(ev(["settings.a"], [["gt"]], [[1]]), false);
    assert.equal(ev(["settings.a", "settings.a"], ["gt"], [1]), false);
  });

  void it("stops at the first false element of an AND and the first true element of an OR", () => {
    let calls = 0;
    const counting: MacroContext = { ...ctx, greenAmps: () => ++calls };
    evaluateConditions(["settings.a", "getMaxAmpsForTargetGridUsage()"], ["lt", "gt"], [0, 0], counting);
    assert.equal(calls, 0);
    evaluateConditions(
      [["settings.a", "getMaxAmpsForTargetGridUsage()"]],
      [["gt", "gt"]],
      [[0, 0]],
      counting,
    );
    assert.equal(calls, 0);
    evaluateConditions(["settings.a", "getMaxAmpsForTargetGridUsage()"], ["gt", "gt"], [0, 0], counting);
    assert.equal(calls, 1);
  });

  void it("policyMatches resolves macros on both sides", () => {
    assert.equal(
      policyMatches(
        { match: ["tm_hour"], condition: ["eq"], value: ["settings.h"] },
        { ...ctx, settings: { h: 12 } },
      ),
      true,
    );
    assert.equal(
      policyMatches(
        { match: ["tm_hour"], condition: ["eq"], value: ["settings.h"] },
        { ...ctx, settings: { h: "12" } },
      ),
      true,
    );
    assert.equal(policyMatches({ match: ["settings.s"], condition: ["eq"], value: [5] }, ctx), true);
  });
});
