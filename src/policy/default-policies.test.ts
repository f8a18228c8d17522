import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPolicyList } from "./build-list.ts";
import { defaultPolicies } from "./default-policies.ts";

// http-api.md §6.4, copied verbatim (the document breaks the array after each entry for readability;
// the rendered JSON has no whitespace, so ",\n " between entries is removed below).
const SPEC_6_4 = `[{"name":"Charge Now","match":["settings.chargeNowAmps","settings.chargeNowTimeEnd","settings.chargeNowTimeEnd"],"condition":["gt","gt","gt"],"value":[0,0,"now"],"charge_amps":"settings.chargeNowAmps","charge_limit":"config.chargeNowLimit"},
 {"name":"Scheduled Charging","match":["checkScheduledCharging()"],"condition":["eq"],"value":[1],"charge_amps":"settings.scheduledAmpsMax","charge_limit":"config.scheduledLimit"},
 {"name":"Track Green Energy","match":["tm_hour","tm_hour","settings.hourResumeTrackGreenEnergy","settings.nonScheduledAction"],"condition":["gte","lt","lte","ne"],"value":["settings.sunrise","settings.sunset","tm_hour",2],"background_task":"checkGreenEnergy","allowed_flex":"config.greenEnergyFlexAmps","charge_limit":"config.greenEnergyLimit"},
 {"name":"Non Scheduled Charging","match":["settings.nonScheduledAction"],"condition":["lt"],"value":[3],"charge_amps":"nonScheduledAmps()","charge_limit":"config.nonScheduledLimit"},
 {"name":"Track Green Energy","match":["settings.nonScheduledAction"],"condition":["eq"],"value":[3],"background_task":"checkGreenEnergy","allowed_flex":"config.greenEnergyFlexAmps","charge_limit":"config.greenEnergyLimit"}]`;

void describe("default policies", () => {
  void it("render byte for byte as http-api.md §6.4", () => {
    assert.equal(JSON.stringify(defaultPolicies()), SPEC_6_4.replaceAll(",\n {", ",{"));
  });

  void it("render identically after buildPolicyList without a policy section", () => {
    const { policies, warnings, errors } = buildPolicyList({});
    assert.equal(JSON.stringify(policies), SPEC_6_4.replaceAll(",\n {", ",{"));
    assert.deepEqual(warnings, []);
    assert.deepEqual(errors, []);
  });

  void it("returns a fresh copy each time (mutating one list never affects the next)", () => {
    const a = defaultPolicies();
    (a[0]!.match as unknown[]).push("x");
    a[2]!.latch_period = 5;
    assert.equal(JSON.stringify(defaultPolicies()), SPEC_6_4.replaceAll(",\n {", ",{"));
  });
});
