import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPolicyList } from "./build-list.ts";
import { cancelChargeNowPatch, chargeNowExpired, chargeNowPatch } from "./charge-now.ts";
import { activePolicyAction, decide } from "./decide.ts";
import { toLocalTime } from "./local-time.ts";
import type { Decision, Policy, PolicySnapshot } from "./types.ts";

const WIRING = 40;
/** A normalised fresh settings.json (config.md §2.2 defaults). */
const FRESH: Record<string, unknown> = {
  chargeNowAmps: 0,
  chargeNowTimeEnd: 0,
  hourResumeTrackGreenEnergy: -1,
  nonScheduledAction: 1,
  nonScheduledAmpsMax: 0,
  scheduledAmpsMax: 0,
  scheduledAmpsStartHour: -1,
  scheduledAmpsEndHour: -1,
  scheduledAmpsDaysBitmap: 127,
  sunrise: 6,
  sunset: 20,
};
const DEFAULTS = buildPolicyList({}).policies;
const NIGHT = Date.parse("2026-11-23T23:00:00Z") / 1000; // Monday 23:00 (local = UTC in these tests)
const NOON = Date.parse("2026-11-23T12:00:00Z") / 1000;

/** Carries the engine state between evaluations the way the runtime does. */
class Engine {
  active: string | null = null;
  activeIndex: number | null = null;
  latches: ReadonlyMap<number, number> = new Map();
  forced: PolicySnapshot["forced"] = null;
  settings: Record<string, unknown>;
  constructor(
    readonly policies: readonly Policy[] = DEFAULTS,
    settings: Record<string, unknown> = {},
    readonly config: Record<string, unknown> = {},
  ) {
    this.settings = { ...FRESH, ...settings };
  }
  evaluate(now: number, extra: Partial<PolicySnapshot> = {}): Decision {
    const d = decide({
      now,
      local: toLocalTime(now * 1000, "UTC"),
      settings: this.settings,
      config: { config: this.config, wiringMaxAmpsAllTWCs: WIRING },
      policies: this.policies,
      active: this.active,
      activeIndex: this.activeIndex,
      latches: this.latches,
      forced: this.forced,
      ...extra,
    });
    this.active = d.policy?.name ?? null;
    this.activeIndex = d.policy?.index ?? null;
    this.latches = d.latches;
    this.forced = d.forced;
    return d;
  }
}
const name = (d: Decision): string => d.policy?.name ?? "None";
const logCodes = (d: Decision): string[] => d.events.flatMap((e) => (e.type === "log" ? [e.code] : []));

void describe("decide: default list", () => {
  void it("fresh install at night → Non Scheduled Charging with budget 0; daytime → Track Green Energy", () => {
    const e = new Engine();
    const night = e.evaluate(NIGHT);
    assert.equal(name(night), "Non Scheduled Charging");
    assert.equal(night.requestedAmps, 0);
    assert.deepEqual(night.events, [{ type: "enter", policy: "Non Scheduled Charging" }]);
    const day = e.evaluate(NOON);
    assert.deepEqual(day.policy, { index: 2, name: "Track Green Energy", green: true });
    assert.equal(day.requestedAmps, null);
    assert.deepEqual(day.events, [
      { type: "exit", policy: "Non Scheduled Charging" },
      { type: "enter", policy: "Track Green Energy" },
    ]);
    assert.equal(activePolicyAction(day.policy, day.requestedAmps), 3);
  });

  void it("non-scheduled action 2 → Non Scheduled Charging, budget 0, action 2 (§25 item 10), day and night", () => {
    const e = new Engine(DEFAULTS, { nonScheduledAction: 2, nonScheduledAmpsMax: 16 });
    for (const t of [NIGHT, NOON]) {
      const d = e.evaluate(t);
      assert.equal(name(d), "Non Scheduled Charging");
      assert.equal(d.requestedAmps, 0);
      assert.equal(activePolicyAction(d.policy, d.requestedAmps), 2);
    }
    assert.equal(e.settings["nonScheduledAmpsMax"], 16);
  });

  void it("action 1 charges at nonScheduledAmpsMax (action 1); action 3 tracks green all day via entry #4", () => {
    const e = new Engine(DEFAULTS, { nonScheduledAmpsMax: 16 });
    const d = e.evaluate(NIGHT);
    assert.equal(d.requestedAmps, 16);
    assert.equal(activePolicyAction(d.policy, d.requestedAmps), 1);
    e.settings["nonScheduledAction"] = 3;
    const green = e.evaluate(NIGHT + 60);
    assert.deepEqual(green.policy, { index: 4, name: "Track Green Energy", green: true });
  });

  void it("switching between the two green entries fires no exit/enter", () => {
    const e = new Engine(DEFAULTS, { nonScheduledAction: 3 });
    assert.equal(e.evaluate(NOON).policy?.index, 2);
    const night = e.evaluate(NIGHT);
    assert.equal(night.policy?.index, 4);
    assert.deepEqual(night.events, []);
  });

  void it("selects Scheduled Charging inside the window", () => {
    const e = new Engine(DEFAULTS, {
      scheduledAmpsMax: 24,
      scheduledAmpsStartHour: 22,
      scheduledAmpsEndHour: 6,
    });
    const d = e.evaluate(NIGHT);
    assert.equal(name(d), "Scheduled Charging");
    assert.equal(d.requestedAmps, 24);
  });

  void it("applies the flex start when vehicle data is supplied", () => {
    const settings = {
      scheduledAmpsMax: 32,
      scheduledAmpsStartHour: 22,
      scheduledAmpsEndHour: 7,
      scheduledAmpsFlexStart: 1,
      scheduledAmpsBatterySize: 75,
    };
    const vehicle = { batteryLevel: 40, chargeLimit: 80 };
    assert.equal(name(new Engine(DEFAULTS, settings).evaluate(NIGHT)), "Scheduled Charging");
    assert.equal(
      name(new Engine(DEFAULTS, settings).evaluate(NIGHT, { flexVehicle: vehicle })),
      "Non Scheduled Charging",
    );
    const early = Date.parse("2026-11-24T03:00:00Z") / 1000;
    assert.equal(
      name(new Engine(DEFAULTS, settings).evaluate(early, { flexVehicle: vehicle })),
      "Scheduled Charging",
    );
  });
});

void describe("decide: enforcement values (controller.md §16.8)", () => {
  const one = (over: Partial<Policy>): Policy[] => [
    { name: "P", match: [], condition: [], value: [], ...over },
  ];

  void it("resolves charge_amps from numbers and numeric strings", () => {
    assert.equal(new Engine(one({ charge_amps: 12 })).evaluate(NOON).requestedAmps, 12);
    assert.equal(
      new Engine(one({ charge_amps: "settings.x" }), { x: "7.5" }).evaluate(NOON).requestedAmps,
      7.5,
    );
    assert.equal(new Engine(one({ charge_amps: "13" })).evaluate(NOON).requestedAmps, 13);
  });

  void it('counts a non-numeric result as 0 with a log event (Q-26: charge_amps "value")', () => {
    for (const amps of ["value", null, true, [16], "settings.s"]) {
      const d = new Engine(one({ charge_amps: amps }), { s: "abc" }).evaluate(NOON);
      assert.equal(d.requestedAmps, 0, JSON.stringify(amps));
      assert.deepEqual(logCodes(d), ["POLICY_AMPS_INVALID"]);
      assert.equal(activePolicyAction(d.policy, d.requestedAmps), 2);
    }
    const inf = new Engine(one({ charge_amps: "settings.big" }), { big: "1e999" }).evaluate(NOON);
    assert.equal(inf.requestedAmps, 0);
  });

  void it("clamps to wiringMaxAmpsAllTWCs with an error log, and negative amps to 0", () => {
    const high = new Engine(one({ charge_amps: 80 })).evaluate(NOON);
    assert.equal(high.requestedAmps, WIRING);
    const ev = high.events.find((x) => x.type === "log");
    assert.equal(ev?.type === "log" ? ev.level : undefined, "error");
    assert.equal(new Engine(one({ charge_amps: -5 })).evaluate(NOON).requestedAmps, 0);
  });

  void it("allowedFlex = max(0, resolved allowed_flex), 0 when absent or non-numeric", () => {
    const green = (flex: unknown): number =>
      new Engine(one({ allowed_flex: flex }), {}, { greenEnergyFlexAmps: 5, neg: -3 }).evaluate(NOON)
        .allowedFlex;
    assert.equal(green("config.greenEnergyFlexAmps"), 5);
    assert.equal(green("config.neg"), 0);
    assert.equal(green("config.absent"), 0);
    assert.equal(green("nonsense"), 0);
    assert.equal(new Engine(one({})).evaluate(NOON).allowedFlex, 0);
    // the default green policies read config.greenEnergyFlexAmps
    assert.equal(new Engine(DEFAULTS, {}, { greenEnergyFlexAmps: 4 }).evaluate(NOON).allowedFlex, 4);
  });

  void it("chargeLimit is 50–100 or −1", () => {
    const lim = (x: unknown): number =>
      new Engine(one({ charge_amps: 1, charge_limit: x }), {}, { l: 80 }).evaluate(NOON).chargeLimit;
    assert.equal(lim("config.l"), 80);
    assert.equal(lim(50), 50);
    assert.equal(lim(100), 100);
    assert.equal(lim(49), -1);
    assert.equal(lim(101), -1);
    assert.equal(lim("config.absent"), -1);
    assert.equal(lim("x"), -1);
    assert.equal(new Engine(one({ charge_amps: 1 })).evaluate(NOON).chargeLimit, -1);
  });

  void it("never throws when a callback throws", () => {
    const list = one({
      match: ["getMaxAmpsForTargetGridUsage()"],
      condition: ["gt"],
      value: [0],
      charge_amps: "getMaxAmpsToDivideGreenEnergy()",
    });
    const boom = (): number => {
      throw new Error("boom");
    };
    const d = new Engine(list).evaluate(NOON, { greenAmps: boom });
    assert.equal(d.policy, null);
    assert.deepEqual(logCodes(d), ["POLICY_CONDITION_FAILED"]);
    const amps = new Engine(one({ charge_amps: "modules.M.a" })).evaluate(NOON, {
      moduleAttr: () => {
        throw new Error("module down");
      },
    });
    assert.equal(amps.requestedAmps, 0);
    assert.deepEqual(logCodes(amps), ["POLICY_MACRO_FAILED", "POLICY_AMPS_INVALID"]);
  });
});

void describe("decide: no match (§25 item 5)", () => {
  const only: Policy[] = [
    { name: "Only", match: ["settings.go"], condition: ["eq"], value: [1], charge_amps: 10 },
  ];

  void it("safe default at start-up, then the matched policy sticks", () => {
    const e = new Engine(only, { go: 0 });
    const first = e.evaluate(NOON);
    assert.equal(name(first), "None");
    assert.equal(first.policy, null);
    assert.equal(first.requestedAmps, 0);
    assert.equal(first.allowedFlex, 0);
    assert.equal(first.chargeLimit, -1);
    assert.deepEqual(first.events, []);
    assert.equal(activePolicyAction(first.policy, first.requestedAmps), null);
    e.settings["go"] = 1;
    const matched = e.evaluate(NOON + 30);
    assert.equal(name(matched), "Only");
    assert.equal(matched.requestedAmps, 10);
    e.settings["go"] = 0;
    const sticky = e.evaluate(NOON + 60);
    assert.equal(name(sticky), "Only");
    assert.equal(sticky.requestedAmps, 10);
    assert.deepEqual(sticky.events, []);
  });

  void it("re-enforces the same entry when two share the name", () => {
    const list: Policy[] = [
      { name: "Twin", match: ["settings.a"], condition: ["eq"], value: [1], charge_amps: 6 },
      { name: "Twin", match: ["settings.b"], condition: ["eq"], value: [1], charge_amps: 9 },
    ];
    const e = new Engine(list, { b: 1 });
    assert.equal(e.evaluate(NOON).requestedAmps, 9);
    e.settings["b"] = 0;
    assert.equal(e.evaluate(NOON + 30).requestedAmps, 9);
  });

  void it("falls back to the safe default (with exit) when the active policy vanished from the list", () => {
    const d = decide({
      now: NOON,
      local: toLocalTime(NOON * 1000, "UTC"),
      settings: {},
      config: { config: {}, wiringMaxAmpsAllTWCs: WIRING },
      policies: only,
      active: "Gone",
      latches: new Map(),
      forced: null,
    });
    assert.equal(d.policy, null);
    assert.deepEqual(d.events, [{ type: "exit", policy: "Gone" }]);
  });
});

void describe("decide: latching (§25 item 4)", () => {
  void it("greenEnergyLatch 15: Track Green Energy matched at 12:00 stays until 12:15", () => {
    const e = new Engine(buildPolicyList({ greenEnergyLatch: 15 }).policies, { nonScheduledAmpsMax: 6 });
    const noon = e.evaluate(NOON);
    assert.equal(name(noon), "Track Green Energy");
    assert.deepEqual([...noon.latches], [[2, NOON + 900]]);
    e.settings["hourResumeTrackGreenEnergy"] = 13; // its conditions no longer hold
    for (const dt of [300, 600, 899]) {
      const d = e.evaluate(NOON + dt);
      assert.equal(name(d), "Track Green Energy", `+${dt}s`);
      assert.deepEqual([...d.latches], [[2, NOON + 900]], "latch not refreshed without a match");
    }
    const after = e.evaluate(NOON + 900);
    assert.equal(name(after), "Non Scheduled Charging");
    assert.equal(after.requestedAmps, 6);
    assert.deepEqual([...after.latches], []);
    assert.deepEqual(after.events, [
      { type: "exit", policy: "Track Green Energy" },
      { type: "enter", policy: "Non Scheduled Charging" },
    ]);
  });

  void it("refreshes the latch at every match", () => {
    const e = new Engine(buildPolicyList({ greenEnergyLatch: 15 }).policies);
    e.evaluate(NOON);
    assert.deepEqual([...e.evaluate(NOON + 600).latches], [[2, NOON + 600 + 900]]);
  });

  void it("an earlier matching policy wins over a latched later one, and the latch survives", () => {
    const e = new Engine(buildPolicyList({ greenEnergyLatch: 15 }).policies);
    e.evaluate(NOON);
    e.settings["chargeNowAmps"] = 16;
    e.settings["chargeNowTimeEnd"] = NOON + 3600;
    const d = e.evaluate(NOON + 60);
    assert.equal(name(d), "Charge Now"); // Charge Now comes first in the list
    assert.deepEqual([...d.latches], [[2, NOON + 900]]); // the latch itself survives
  });

  void it("drops expired latches and latches of indices outside the list", () => {
    const d = new Engine().evaluate(NIGHT, {
      latches: new Map([
        [2, NIGHT - 1],
        [99, NIGHT + 100],
        [3, NIGHT],
      ]),
    });
    assert.deepEqual([...d.latches], []);
    const held = new Engine().evaluate(NIGHT, { latches: new Map([[2, NIGHT + 1]]) });
    assert.equal(name(held), "Track Green Energy");
  });
});

void describe("decide: forced policy (§25 item 6, controller.md §16.6)", () => {
  void it("t=0 Non Scheduled; setPolicy at t=10 holds until t<40; t=40 Non Scheduled again", () => {
    const e = new Engine();
    const t0 = NIGHT;
    assert.equal(name(e.evaluate(t0)), "Non Scheduled Charging");
    e.forced = { name: "Track Green Energy", until: t0 + 10 + 30 };
    const forced = e.evaluate(t0 + 10);
    assert.deepEqual(forced.policy, { index: 2, name: "Track Green Energy", green: true });
    assert.deepEqual(forced.forced, { name: "Track Green Energy", until: t0 + 40 });
    assert.deepEqual(forced.events, [
      { type: "exit", policy: "Non Scheduled Charging" },
      { type: "enter", policy: "Track Green Energy" },
    ]);
    e.settings["nonScheduledAmpsMax"] = 8; // a settings-triggered evaluation keeps the forced policy
    assert.equal(name(e.evaluate(t0 + 20)), "Track Green Energy");
    assert.equal(name(e.evaluate(t0 + 39)), "Track Green Energy");
    const released = e.evaluate(t0 + 40);
    assert.equal(name(released), "Non Scheduled Charging");
    assert.equal(released.requestedAmps, 8);
    assert.equal(released.forced, null);
  });

  void it("chargeNow at t=20 (which clears the forced policy first) → Charge Now at once", () => {
    const e = new Engine();
    e.evaluate(NIGHT);
    e.forced = { name: "Track Green Energy", until: NIGHT + 40 };
    e.evaluate(NIGHT + 10);
    Object.assign(e.settings, chargeNowPatch(16, 3600, NIGHT + 20));
    e.forced = null;
    const d = e.evaluate(NIGHT + 20);
    assert.equal(name(d), "Charge Now");
    assert.equal(d.requestedAmps, 16);
  });

  void it("a forced policy does not refresh latches; an unknown forced name is dropped with a warning", () => {
    const e = new Engine(buildPolicyList({ greenEnergyLatch: 15 }).policies);
    e.forced = { name: "Track Green Energy", until: NIGHT + 30 };
    assert.deepEqual([...e.evaluate(NIGHT).latches], []);
    e.forced = { name: "Nope", until: NIGHT + 100 };
    const d = e.evaluate(NIGHT + 1);
    assert.equal(d.forced, null);
    assert.equal(name(d), "Non Scheduled Charging");
    assert.deepEqual(logCodes(d), ["POLICY_FORCED_UNKNOWN"]);
  });
});

void describe("Charge Now (§25 item 7, controller.md §19)", () => {
  void it("8 A for 3600 s: Charge Now at once with budget 8, expiry at t+3600 selects the next policy", () => {
    const e = new Engine(DEFAULTS, { nonScheduledAmpsMax: 6 });
    assert.equal(name(e.evaluate(NIGHT)), "Non Scheduled Charging");
    Object.assign(e.settings, chargeNowPatch(8, 3600, NIGHT + 5));
    assert.deepEqual(
      { a: e.settings["chargeNowAmps"], t: e.settings["chargeNowTimeEnd"] },
      { a: 8, t: NIGHT + 3605 },
    );
    const on = e.evaluate(NIGHT + 5);
    assert.equal(name(on), "Charge Now");
    assert.equal(on.requestedAmps, 8);
    assert.equal(activePolicyAction(on.policy, on.requestedAmps), 1);
    assert.equal(chargeNowExpired(e.settings, NIGHT + 3604.999), false);
    assert.equal(name(e.evaluate(NIGHT + 3604)), "Charge Now");
    assert.equal(chargeNowExpired(e.settings, NIGHT + 3605), true);
    Object.assign(e.settings, cancelChargeNowPatch());
    assert.deepEqual({ a: e.settings["chargeNowAmps"], t: e.settings["chargeNowTimeEnd"] }, { a: 0, t: 0 });
    const off = e.evaluate(NIGHT + 3605);
    assert.equal(name(off), "Non Scheduled Charging");
    assert.equal(off.requestedAmps, 6);
    assert.equal(chargeNowExpired(e.settings, NIGHT + 3605), false);
  });

  void it("a rate above the wiring limit is clamped", () => {
    const e = new Engine();
    Object.assign(e.settings, chargeNowPatch(50, 60, NIGHT));
    assert.equal(e.evaluate(NIGHT).requestedAmps, WIRING);
  });

  void it("chargeNowExpired handles fractional, string and missing end times", () => {
    assert.equal(chargeNowExpired({ chargeNowTimeEnd: 100.5 }, 100.4), false);
    assert.equal(chargeNowExpired({ chargeNowTimeEnd: 100.5 }, 100.5), true);
    assert.equal(chargeNowExpired({ chargeNowTimeEnd: "100" }, 101), true);
    assert.equal(chargeNowExpired({}, 101), false);
    assert.equal(chargeNowExpired({ chargeNowTimeEnd: 0 }, 101), false);
  });
});

void describe("activePolicyAction", () => {
  void it("maps green → 3, amps > 0 → 1, else 2, none → null", () => {
    assert.equal(activePolicyAction({ green: true }, null), 3);
    assert.equal(activePolicyAction({ green: false }, 0.5), 1);
    assert.equal(activePolicyAction({ green: false }, 0), 2);
    assert.equal(activePolicyAction({ green: false }, null), 2);
    assert.equal(activePolicyAction(null, 0), null);
  });
});
