import { test } from "node:test";
import assert from "node:assert/strict";
import { validate } from "./validate.ts";

const BASE = {
  config: { settingsPath: "/tmp/x", wiringMaxAmpsAllTWCs: 32, minAmpsPerTWC: 6 },
  interface: { Dummy: { enabled: true } },
};

function run(
  policy: unknown,
  core: Record<string, unknown> = {},
): { errors: string[]; warnings: string[]; result: ReturnType<typeof validate> } {
  const result = validate({ ...BASE, config: { ...BASE.config, ...core }, policy });
  return {
    errors: result.issues.filter((i) => i.severity === "error").map((i) => i.message),
    warnings: result.issues.filter((i) => i.severity === "warning").map((i) => i.message),
    result,
  };
}

const stormWatch = {
  name: "Storm Watch",
  match: ["modules.TeslaPowerwall2.gridStatus", "modules.TeslaPowerwall2.stormWatch"],
  condition: ["eq", "eq"],
  value: [true, true],
  charge_amps: "settings.chargeNowAmps",
  charge_limit: 90,
};

test("a valid policy section is normalised (controller.md §16.3 example)", () => {
  const { errors, warnings, result } = run({
    extend: { emergency: [stormWatch], webhooks: { "Storm Watch": { enter: "http://h/x" } } },
    alwaysPollEMS: true,
  });
  assert.deepEqual(errors, []);
  // issue 11 item 2: a module macro naming a source that is not enabled (or an attribute it lacks) is warned.
  assert.deepEqual(warnings, [
    "policy: modules.TeslaPowerwall2.gridStatus: module TeslaPowerwall2 is not running (sources.Powerwall2 is disabled or incomplete); the condition compares the macro text",
    "policy: modules.TeslaPowerwall2.stormWatch: module TeslaPowerwall2 is not running (sources.Powerwall2 is disabled or incomplete); the condition compares the macro text",
  ]);
  assert.deepEqual(result.config?.policy.extend.emergency, [stormWatch]);
  assert.deepEqual(result.config?.policy.extend.webhooks, { "Storm Watch": { enter: "http://h/x" } });
  assert.deepEqual(result.config?.policy.override, []);
});

test("policyCheckInterval: absent or 0 → 30, valid 5–3600", () => {
  assert.equal(run(undefined).result.config?.policy.policyCheckIntervalS, 30);
  assert.equal(run({ engine: { policyCheckInterval: 0 } }).result.config?.policy.policyCheckIntervalS, 30);
  assert.equal(run({ engine: { policyCheckInterval: "60" } }).result.config?.policy.policyCheckIntervalS, 60);
  assert.deepEqual(run({ engine: { policyCheckInterval: 4 } }).errors, [
    "policy.engine.policyCheckInterval: must be a number between 5 and 3600 (found 4)",
  ]);
});

test("unknown condition names, mismatched lengths and malformed groups name the policy and its index", () => {
  const { errors } = run({
    override: [
      { name: "A", match: ["x"], condition: ["equals"], value: [1] },
      { name: "B", match: ["x", "y"], condition: ["eq"], value: [1] },
      { name: "C", match: ["x"], condition: [["eq", "gt"]], value: [1] },
      { name: "D", match: [["x", "y"]], condition: [["eq", "gtx"]], value: [[1, 2]] },
      { name: "E", match: ["x"], condition: [5], value: [1] },
    ],
  });
  assert.deepEqual(errors, [
    'policy.override[0].condition[0]: unknown condition "equals" in policy "A" (expected one of gt, gte, lt, lte, eq, ne, false, none)',
    'policy.override[1].condition: match, condition and value must have the same length in policy "B" (found 2, 1 and 1)',
    'policy.override[2].condition[0]: malformed group in policy "C": match, condition and value must all be lists at this position',
    'policy.override[3].condition[0][1]: unknown condition "gtx" in policy "D" (expected one of gt, gte, lt, lte, eq, ne, false, none)',
    'policy.override[4].condition[0]: condition must be a string in policy "E" (found 5)',
  ]);
});

test("nested groups, list literals and empty lists are valid", () => {
  const p = {
    name: "G",
    match: [["a", "b"], "c", "d"],
    condition: [["eq", "none"], "eq", "false"],
    value: [[1, 2], [1, 2], 0],
  };
  assert.deepEqual(run({ extend: { after: [p], before: [{ name: "always" }] } }).errors, []);
});

test("restrictions are checked too and must address an existing policy", () => {
  assert.deepEqual(
    run({ extend: { restrictions: { "Charge Now": { match: ["a"], condition: ["bigger"], value: [1] } } } })
      .errors,
    [
      'policy.extend.restrictions.Charge Now.condition[0]: unknown condition "bigger" in the restriction of policy "Charge Now" (expected one of gt, gte, lt, lte, eq, ne, false, none)',
    ],
  );
  assert.deepEqual(
    run({ extend: { restrictions: { Nope: { match: [], condition: [], value: [] } } } }).warnings,
    ['policy.extend.restrictions.Nope: there is no policy named "Nope"'],
  );
});

test("policy records: name required, unknown keys warned, override + greenEnergyLatch warns", () => {
  assert.deepEqual(run({ override: [{ match: [] }] }).errors, ["policy.override[0].name: is required"]);
  assert.deepEqual(run({ override: [{ name: "x", colour: 1 }] }).warnings, [
    "policy.override[0].colour: unknown key, ignored",
  ]);
  assert.deepEqual(run({ override: [{ name: "x" }] }, { greenEnergyLatch: 15 }).warnings, [
    "config.greenEnergyLatch: ignored because policy.override replaces the policy list",
  ]);
  assert.deepEqual(run({ override: [] }, { greenEnergyLatch: 15 }).warnings, []);
  assert.deepEqual(run({ extend: { before: "x" } }).errors, [
    'policy.extend.before: must be a list (found "x")',
  ]);
});
