import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toLocalTime } from "./local-time.ts";
import { resolve } from "./macros.ts";
import type { MacroContext } from "./macros.ts";

// Monday 2026-06-22 14:05:09 CEST (12:05:09.25 UTC).
const MS = Date.UTC(2026, 5, 22, 12, 5, 9, 250);
const base: MacroContext = {
  now: MS / 1000,
  local: toLocalTime(MS, "Europe/Berlin"),
  settings: {
    chargeNowAmps: 16,
    nonScheduledAmpsMax: 10,
    nonScheduledAction: 1,
    numericText: "12.5",
    spaced: " 7 ",
    text: "abc",
    flag: true,
    nothing: null,
    "a.b": 3,
    list: [1, 2],
  },
  config: { greenEnergyFlexAmps: 5, chargeNowLimit: 90, label: "x", numericText: "4" },
};
const ctx = (over: Partial<MacroContext> = {}): MacroContext => ({ ...base, ...over });

void describe("resolve (controller.md §16.4)", () => {
  const table: [string, unknown, unknown, Partial<MacroContext>?][] = [
    ["number literal", 16, 16],
    ["boolean literal", true, true],
    ["null literal", null, null],
    ["list literal (not resolved element-wise)", ["settings.chargeNowAmps"], ["settings.chargeNowAmps"]],
    ["now → epoch seconds with fraction", "now", MS / 1000],
    ["tm_year", "tm_year", 2026],
    ["tm_mon (1–12)", "tm_mon", 6],
    ["tm_mday", "tm_mday", 22],
    ["tm_hour (local)", "tm_hour", 14],
    ["tm_min", "tm_min", 5],
    ["tm_sec", "tm_sec", 9],
    ["tm_wday (Monday = 0)", "tm_wday", 0],
    ["tm_yday (1–366)", "tm_yday", 173],
    ["tm_isdst", "tm_isdst", 1],
    ["unknown tm_ field → the string", "tm_zone", "tm_zone"],
    [
      "getMaxAmpsForTargetGridUsage() → callback",
      "getMaxAmpsForTargetGridUsage()",
      12.34,
      { greenAmps: () => 12.34 },
    ],
    [
      "getMaxAmpsToDivideGreenEnergy() → callback",
      "getMaxAmpsToDivideGreenEnergy()",
      7,
      { greenAmps: () => 7 },
    ],
    ["green macro without callback → 0", "getMaxAmpsForTargetGridUsage()", 0],
    ["checkScheduledCharging() → callback", "checkScheduledCharging()", 1, { scheduledCharging: () => 1 }],
    [
      "checkScheduledCharging() without callback → from settings (no schedule) 0",
      "checkScheduledCharging()",
      0,
    ],
    ["nonScheduledAmps() action 1 → nonScheduledAmpsMax", "nonScheduledAmps()", 10],
    [
      "nonScheduledAmps() action 2 → 0",
      "nonScheduledAmps()",
      0,
      { settings: { ...base.settings, nonScheduledAction: 2 } },
    ],
    [
      'nonScheduledAmps() action "2" (string) → 0',
      "nonScheduledAmps()",
      0,
      { settings: { ...base.settings, nonScheduledAction: "2" } },
    ],
    [
      "nonScheduledAmps() action 3 → nonScheduledAmpsMax",
      "nonScheduledAmps()",
      10,
      { settings: { ...base.settings, nonScheduledAction: 3 } },
    ],
    ["nonScheduledAmps() without settings → 0", "nonScheduledAmps()", 0, { settings: {} }],
    ["settings.K number", "settings.chargeNowAmps", 16],
    ["settings.K absent → 0", "settings.missing", 0],
    ["settings.K numeric string → number", "settings.numericText", 12.5],
    ["settings.K numeric string with spaces → number", "settings.spaced", 7],
    ["settings.K other string stays", "settings.text", "abc"],
    ["settings.K boolean stays", "settings.flag", true],
    ["settings.K null stays", "settings.nothing", null],
    ["settings.K list stays", "settings.list", [1, 2]],
    ["settings.K with a dot in the key", "settings.a.b", 3],
    ["settings.K never reads the prototype", "settings.toString", 0],
    ["config.K present", "config.greenEnergyFlexAmps", 5],
    ["config.K absent → 0", "config.greenEnergyLimit", 0],
    ["config.K string stays", "config.label", "x"],
    ["config.K never reads the prototype", "config.constructor", 0],
    [
      "modules.X.y without resolver → the string",
      "modules.TeslaPowerwall2.gridStatus",
      "modules.TeslaPowerwall2.gridStatus",
    ],
    [
      "modules.X.y with a resolver that knows it",
      "modules.TeslaPowerwall2.gridStatus",
      true,
      { moduleAttr: (m, a) => (m === "TeslaPowerwall2" && a === "gridStatus" ? { value: true } : undefined) },
    ],
    [
      "modules.X.y unknown to the resolver → the string",
      "modules.Other.x",
      "modules.Other.x",
      { moduleAttr: () => undefined },
    ],
    ["anything else → the string", "value", "value"],
    ["empty string → the string", "", ""],
    ["case matters", "NOW", "NOW"],
  ];
  for (const [title, input, expected, over] of table) {
    void it(title, () => assert.deepEqual(resolve(input, ctx(over)), expected));
  }

  void it("does not call the green callback for other macros", () => {
    let calls = 0;
    resolve("settings.chargeNowAmps", ctx({ greenAmps: () => ++calls }));
    assert.equal(calls, 0);
  });
});
