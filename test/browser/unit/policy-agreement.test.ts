/**
 * The Policy page's evaluation (web/policy-eval.ts) agrees with the server's (policy/conditions.ts) on
 * every condition the browser can decide (controller.md §16.4): same comparisons, coercion and grouping.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { evaluateConditions } from "../../../src/policy/conditions.ts";
import { toLocalTime } from "../../../src/policy/local-time.ts";
import type { MacroContext } from "../../../src/policy/macros.ts";
import { conditionTree, evaluate, type ResolveContext } from "../../../src/web/policy-eval.ts";

// 2026-11-25 (a Wednesday) 14:30:00 local time.
const NOW_MS = new Date(2026, 10, 25, 14, 30, 0).getTime();

type Lists = { match: unknown[]; condition: unknown[]; value: unknown[] };

function server(p: Lists, settings: Record<string, unknown>): boolean {
  const ctx: MacroContext = {
    now: NOW_MS / 1000,
    local: toLocalTime(NOW_MS, undefined),
    settings,
    config: {},
  };
  return evaluateConditions(p.match, p.condition, p.value, ctx);
}

function web(p: Lists, settings: Record<string, unknown>): boolean | null {
  const ctx: ResolveContext = { nowMs: NOW_MS, settings, scheduledNow: false };
  return evaluate(conditionTree(p), ctx);
}

const one = (l: unknown, c: unknown, r: unknown): Lists => ({ match: [l], condition: [c], value: [r] });

/** Cases where the two sides differed before they shared policy/compare.ts (the server was right). */
const FORMER_DIFFERENCES: [string, Lists, boolean][] = [
  ["booleans order as 1/0", one(true, "gt", 0), true],
  ["booleans order as 1/0 against numeric strings", one("1", "gt", false), true],
  ["true lte 1", one(true, "lte", 1), true],
  ["false lt true", one(false, "lt", true), true],
  ["null equals null", one(null, "eq", null), true],
  ["null ne null is false", one(null, "ne", null), false],
  ["objects compare key by key", one({ x: 1 }, "eq", { x: true }), true],
  ["equal objects are not unequal", one({ x: 1 }, "ne", { x: 1 }), false],
  ["boolean settings order as 1/0", one("settings.flag", "gte", 1), true],
  ["nonScheduledAmps() reads a numeric-string action", one("nonScheduledAmps()", "eq", 0), true],
  [
    "a list as condition beside scalar operands is no condition",
    { match: [1], condition: [["gt"]], value: [0] },
    false,
  ],
  [
    "a condition list longer than the match list is malformed",
    { match: [1], condition: ["eq", "eq"], value: [1, 1] },
    false,
  ],
  [
    "an unknown condition never holds, even on an operand the browser cannot know",
    one("config.x", "equals", 0),
    false,
  ],
];

const SETTINGS = { flag: true, nonScheduledAction: "2", nonScheduledAmpsMax: "16", h: "14", s: "abc" };

test("former differences: the web now answers like the server", () => {
  for (const [what, p, expected] of FORMER_DIFFERENCES) {
    assert.equal(server(p, SETTINGS), expected, `server: ${what}`);
    assert.equal(web(p, SETTINGS), expected, `web: ${what}`);
  }
});

test("every condition on every pair of operand kinds: the same answer on both sides", () => {
  const operands: unknown[] = [
    0,
    1,
    2,
    -1,
    1.5,
    "1",
    " 2 ",
    "1e3",
    "abc",
    "",
    true,
    false,
    null,
    [],
    [1],
    [1, 2],
    [true],
    {},
    { x: 1 },
    "tm_hour",
    "tm_wday",
    "now",
    "settings.h",
    "settings.s",
    "settings.flag",
    "nonScheduledAmps()",
    "checkScheduledCharging()",
  ];
  const conditions = ["gt", "gte", "lt", "lte", "eq", "ne", "none", "false", "bogus", 3, null];
  let compared = 0;
  for (const l of operands)
    for (const c of conditions)
      for (const r of operands) {
        const p = one(l, c, r);
        assert.equal(web(p, SETTINGS), server(p, SETTINGS), JSON.stringify(p));
        compared++;
      }
  assert.equal(compared, operands.length * conditions.length * operands.length);
});

test("groups: AND/OR alternation, empty groups, malformed and too deep positions agree", () => {
  const deep = (levels: number): Lists => {
    let p: Lists = { match: [1], condition: ["eq"], value: [1] };
    for (let i = 0; i < levels; i++) p = { match: [p.match], condition: [p.condition], value: [p.value] };
    return p;
  };
  const cases: Lists[] = [
    { match: [], condition: [], value: [] },
    { match: [[]], condition: [[]], value: [[]] },
    { match: [[[]]], condition: [[[]]], value: [[[]]] },
    { match: [["tm_hour", "tm_hour"]], condition: [["lt", "gt"]], value: [[10, 12]] },
    { match: [["tm_hour", ["tm_min", "tm_min"]]], condition: [["lt", ["gt", "lt"]]], value: [[1, [20, 40]]] },
    { match: [["tm_hour", ["tm_min", "tm_min"]]], condition: [["lt", ["gt", "lt"]]], value: [[1, [20, 25]]] },
    { match: [[1, 2]], condition: ["eq"], value: [[1, 2]] },
    { match: ["settings.h"], condition: [["gt"]], value: [[1]] },
    { match: ["settings.h", "settings.h"], condition: ["gt"], value: [1] },
    { match: ["settings.h"], condition: ["gt", "lt"], value: [1, 99] },
    deep(31),
    deep(32),
    deep(33),
  ];
  for (const p of cases) assert.equal(web(p, SETTINGS), server(p, SETTINGS), JSON.stringify(p));
  assert.equal(server(deep(32), SETTINGS), true, "32 levels of nesting are evaluated");
  assert.equal(server(deep(33), SETTINGS), false, "deeper nesting counts as false");
});

test("the web stays undecided only where the browser cannot know an operand", () => {
  const p = one("config.greenEnergyLatch", "gt", 0);
  assert.equal(web(p, SETTINGS), null);
  assert.equal(web(one("settings.unknownKey", "eq", 0), {}), null);
  assert.equal(web(one("config.x", "none", 0), SETTINGS), true, "none needs no operand");
});
