import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPolicyList, policyListView, validatePolicies } from "./build-list.ts";
import { policyMatches } from "./conditions.ts";
import { toLocalTime } from "./local-time.ts";
import type { MacroContext } from "./macros.ts";

const names = (list: readonly { name: string }[]): string[] => list.map((p) => p.name);
const custom = (name: string): Record<string, unknown> => ({
  name,
  match: ["none"],
  condition: ["none"],
  value: [0],
  charge_amps: 6,
});

function ctxAt(isoUtc: string, settings: Record<string, unknown> = {}): MacroContext {
  const ms = Date.parse(isoUtc);
  return { now: ms / 1000, local: toLocalTime(ms, "UTC"), settings, config: {} };
}

void describe("buildPolicyList: inserts (controller.md §25 item 3)", () => {
  void it("orders emergency, Charge Now, before, Scheduled, Green, after, Non Scheduled, Green", () => {
    const { policies, errors } = buildPolicyList({
      extend: { emergency: [custom("E")], before: [custom("B")], after: [custom("A")] },
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(names(policies), [
      "E",
      "Charge Now",
      "B",
      "Scheduled Charging",
      "Track Green Energy",
      "A",
      "Non Scheduled Charging",
      "Track Green Energy",
    ]);
  });

  void it("keeps the order of several inserts in one list", () => {
    const { policies } = buildPolicyList({
      extend: { after: [custom("A1"), custom("A2")], before: [custom("B1")] },
    });
    assert.deepEqual(names(policies).slice(0, 7), [
      "Charge Now",
      "B1",
      "Scheduled Charging",
      "Track Green Energy",
      "A1",
      "A2",
      "Non Scheduled Charging",
    ]);
  });
});

void describe("buildPolicyList: restrictions", () => {
  const restriction = { match: [["tm_hour", "tm_hour"]], condition: [["lt", "gte"]], value: [[6, 22]] };

  void it("adds an OR group to Non Scheduled Charging: no match at 12:00, match at 23:00", () => {
    const { policies, errors } = buildPolicyList({
      extend: { restrictions: { "Non Scheduled Charging": restriction } },
    });
    assert.deepEqual(errors, []);
    const nsc = policies.find((p) => p.name === "Non Scheduled Charging")!;
    assert.deepEqual(nsc.match, ["settings.nonScheduledAction", ["tm_hour", "tm_hour"]]);
    assert.deepEqual(nsc.condition, ["lt", ["lt", "gte"]]);
    assert.deepEqual(nsc.value, [3, [6, 22]]);
    const settings = { nonScheduledAction: 1 };
    assert.equal(policyMatches(nsc, ctxAt("2026-11-23T12:00:00Z", settings)), false);
    assert.equal(policyMatches(nsc, ctxAt("2026-11-23T23:00:00Z", settings)), true);
    assert.equal(policyMatches(nsc, ctxAt("2026-11-23T05:59:00Z", settings)), true);
    // The existing condition still applies (AND): action 3 fails it at 23:00.
    assert.equal(policyMatches(nsc, ctxAt("2026-11-23T23:00:00Z", { nonScheduledAction: 3 })), false);
  });

  void it("restricts only the first policy with the name (daytime Track Green Energy)", () => {
    const { policies } = buildPolicyList({
      extend: {
        restrictions: { "Track Green Energy": { match: ["settings.x"], condition: ["eq"], value: [1] } },
      },
    });
    assert.equal(policies[2]!.match.length, 5);
    assert.equal(policies[4]!.match.length, 1);
  });

  void it("applies to inserted policies by name too, and warns about unknown names", () => {
    const { policies, warnings } = buildPolicyList({
      extend: {
        emergency: [custom("E")],
        restrictions: { E: { match: ["settings.x"], condition: ["eq"], value: [1] }, Nope: { match: [] } },
      },
    });
    assert.deepEqual(policies[0]!.match, ["none", "settings.x"]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /Nope/);
  });

  void it("reports restriction lists of different lengths as a policy error", () => {
    const { errors } = buildPolicyList({
      extend: { restrictions: { "Charge Now": { match: ["tm_hour"], condition: ["lt"], value: [] } } },
    });
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /"Charge Now" \(index 0\)/);
    assert.match(errors[0]!, /same length/);
  });
});

void describe("buildPolicyList: webhooks and latch", () => {
  void it("attaches webhooks to the first policy with the name, appended after the other keys", () => {
    const hooks = { enter: "http://127.0.0.1/enter", exit: "http://127.0.0.1/exit" };
    const { policies, errors } = buildPolicyList({ extend: { webhooks: { "Charge Now": hooks } } });
    assert.deepEqual(errors, []);
    assert.deepEqual(policies[0]!.webhooks, hooks);
    assert.equal(Object.keys(policies[0]!).at(-1), "webhooks");
  });

  void it("sets latch_period of entry #2 only, always (no policy section needed)", () => {
    const { policies, warnings } = buildPolicyList({ greenEnergyLatch: 15 });
    assert.deepEqual(warnings, []);
    assert.equal(policies[2]!.latch_period, 15);
    assert.equal(policies[4]!.latch_period, undefined);
    assert.match(
      JSON.stringify(policies[2]),
      /"charge_limit":"config.greenEnergyLimit","latch_period":15\}$/,
    );
  });

  void it("keeps the latch on the daytime green entry when policies are inserted before it", () => {
    const { policies } = buildPolicyList({ greenEnergyLatch: 10, extend: { emergency: [custom("E")] } });
    assert.equal(policies[3]!.name, "Track Green Energy");
    assert.equal(policies[3]!.latch_period, 10);
  });

  void it("ignores a latch of 0 and rejects a non-numeric latch", () => {
    assert.equal(buildPolicyList({ greenEnergyLatch: 0 }).policies[2]!.latch_period, undefined);
    assert.match(buildPolicyList({ greenEnergyLatch: "soon" }).errors[0]!, /greenEnergyLatch/);
  });
});

void describe("buildPolicyList: override", () => {
  void it("replaces the whole list, ignoring extend and greenEnergyLatch with warnings", () => {
    const { policies, warnings, errors } = buildPolicyList({
      override: [custom("Only")],
      extend: { emergency: [custom("E")] },
      greenEnergyLatch: 15,
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(names(policies), ["Only"]);
    assert.equal(warnings.length, 2);
    assert.ok(warnings.some((w) => w.includes("greenEnergyLatch")));
    assert.ok(warnings.some((w) => w.includes("extend")));
  });

  void it("uses the default list for an empty override", () => {
    assert.equal(buildPolicyList({ override: [] }).policies.length, 5);
  });

  void it("does not share objects with the configuration", () => {
    const entry = custom("Only");
    const { policies } = buildPolicyList({ override: [entry] });
    (policies[0]!.match as unknown[]).push("x");
    assert.deepEqual(entry["match"], ["none"]);
  });

  void it("reports a non-list override and non-list inserts", () => {
    assert.match(buildPolicyList({ override: { a: 1 } }).errors[0]!, /policy.override/);
    assert.match(buildPolicyList({ extend: { after: "x" } }).errors[0]!, /policy.extend.after/);
  });
});

void describe("buildPolicyList: malformed extend sections", () => {
  void it("reports each malformed part with its config path", () => {
    const errorsOf = (extend: unknown): string[] => buildPolicyList({ extend }).errors;
    assert.deepEqual(errorsOf("x"), ["policy.extend must be an object"]);
    assert.match(errorsOf({ restrictions: [] })[0]!, /policy.extend.restrictions must be an object/);
    assert.match(
      errorsOf({ restrictions: { "Charge Now": 5 } })[0]!,
      /restrictions\["Charge Now"\] must be an object/,
    );
    assert.match(
      errorsOf({ restrictions: { "Charge Now": { match: "tm_hour" } } })[0]!,
      /restrictions\["Charge Now"\].match must be a list/,
    );
    assert.match(errorsOf({ webhooks: "x" })[0]!, /policy.extend.webhooks must be an object/);
    assert.match(
      errorsOf({ webhooks: { "Charge Now": "http://x" } })[0]!,
      /"Charge Now" \(index 0\): webhooks must be an object/,
    );
    assert.match(
      errorsOf({ webhooks: { "Charge Now": { enter: 5 } } })[0]!,
      /webhooks.enter must be a URL string/,
    );
  });

  void it("warns about webhooks for an unknown policy name", () => {
    const { warnings, errors } = buildPolicyList({
      extend: { webhooks: { Nope: { enter: "http://127.0.0.1/" } } },
    });
    assert.deepEqual(errors, []);
    assert.match(warnings[0]!, /webhooks\["Nope"\]/);
  });

  void it("rejects a non-string background_task", () => {
    assert.match(
      validatePolicies([{ ...custom("T"), background_task: 1 }])[0]!,
      /background_task must be a string/,
    );
  });
});

void describe("validatePolicies", () => {
  void it("accepts the defaults, nested groups and literal list comparisons", () => {
    assert.deepEqual(validatePolicies(buildPolicyList({}).policies), []);
    assert.deepEqual(
      validatePolicies([
        {
          name: "Nested",
          match: [
            ["tm_hour", ["tm_min", "tm_min"]],
            [1, 2],
          ],
          condition: [["lt", ["gte", "lt"]], "eq"],
          value: [
            [6, [0, 30]],
            [1, 2],
          ],
          charge_amps: "settings.x",
          latch_period: 5,
          webhooks: { enter: "http://127.0.0.1/" },
        },
      ]),
      [],
    );
  });

  void it("names the policy and index for unknown conditions", () => {
    const errors = validatePolicies([
      custom("ok"),
      { name: "Storm", match: ["a", "b"], condition: ["eq", "equals"], value: [1, 2] },
    ]);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^policy "Storm" \(index 1\): condition\[1\] "equals" is not a known condition/);
  });

  void it("reports mismatched lengths, malformed groups and bad shapes", () => {
    const errors = validatePolicies([
      { name: "Len", match: ["a"], condition: ["eq", "eq"], value: [1] },
      { name: "Group", match: ["tm_hour"], condition: [["lt", "gte"]], value: [[6, 22]] },
      { name: "Inner", match: [["a", "b"]], condition: [["lt"]], value: [[1, 2]] },
      { match: [], condition: [], value: [] },
      "not a policy",
      {
        name: "Shapes",
        match: "x",
        condition: [],
        value: [],
        latch_period: -1,
        webhooks: { leave: "u" },
        charge_amps: {},
      },
    ]);
    const by = (prefix: string): string[] => errors.filter((e) => e.startsWith(prefix));
    assert.match(by('policy "Len" (index 0)')[0]!, /same length/);
    assert.match(by('policy "Group" (index 1)')[0]!, /malformed group at condition\[0\]/);
    assert.match(by('policy "Inner" (index 2)')[0]!, /same length in group \[0\]/);
    assert.match(by("policy at index 3")[0]!, /name must be a non-empty string/);
    assert.match(by("policy at index 4")[0]!, /must be an object/);
    const shapes = by('policy "Shapes" (index 5)');
    assert.ok(shapes.some((e) => /match must be a list/.test(e)));
    assert.ok(shapes.some((e) => /latch_period/.test(e)));
    assert.ok(shapes.some((e) => /unknown webhook "leave"/.test(e)));
    assert.ok(shapes.some((e) => /charge_amps/.test(e)));
  });

  void it("leaves invalid entries out of the built list", () => {
    const { policies, errors } = buildPolicyList({
      override: [custom("ok"), { name: "bad", match: [], condition: ["x"], value: [] }],
    });
    assert.deepEqual(names(policies), ["ok"]);
    assert.equal(errors.length, 1);
  });
});

void describe("policyListView", () => {
  void it("adds __latchTime only while a latch is active", () => {
    const { policies } = buildPolicyList({ greenEnergyLatch: 15 });
    const view = policyListView(
      policies,
      new Map([
        [2, 1000],
        [3, 50],
      ]),
      100,
    );
    assert.equal(view[2]!["__latchTime"], 1000);
    assert.equal(Object.keys(view[2]!).at(-1), "__latchTime");
    assert.equal("__latchTime" in view[3]!, false);
    assert.equal("__latchTime" in view[0]!, false);
    assert.equal("__latchTime" in policies[2]!, false);
  });

  void it("drops a __latchTime copied into the configuration", () => {
    const { policies } = buildPolicyList({ override: [{ ...custom("X"), __latchTime: 5 }] });
    assert.equal("__latchTime" in policies[0]!, false);
  });
});
