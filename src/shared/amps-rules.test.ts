import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ampsAllowed, ampsRuleMessage, chargeNowRateRule, scheduleAmpsRule } from "./amps-rules.ts";

describe("the charging-rate rule shared by the API and the web", () => {
  it("Charge Now: the charger minimum up to the shared wiring limit", () => {
    const r = chargeNowRateRule(6, 48);
    assert.deepEqual(r, { min: 6, max: 48, offAllowed: false });
    assert.equal(ampsAllowed(r, 3), false);
    assert.equal(ampsAllowed(r, 0), false);
    assert.equal(ampsAllowed(r, 6), true);
    assert.equal(ampsAllowed(r, 48), true);
    assert.equal(ampsAllowed(r, 49), false);
    assert.equal(ampsAllowed(r, 6.5), false);
    assert.equal(ampsRuleMessage(r, "chargeNowRate"), "chargeNowRate must be between 6 and 48");
    assert.equal(ampsRuleMessage(r, "Rate", " A"), "Rate must be between 6 A and 48 A");
  });

  it("TWCManager's rule when the minimum is not known (1)", () => {
    assert.equal(
      ampsRuleMessage(chargeNowRateRule(1, 80), "chargeNowRate"),
      "chargeNowRate must be between 1 and 80",
    );
    assert.equal(ampsRuleMessage(scheduleAmpsRule(1, 40), "amps"), "amps must be between 0 and 40");
  });

  it("the schedule: 0 (off) or the same range, in one sentence", () => {
    const r = scheduleAmpsRule(6, 48);
    assert.equal(ampsAllowed(r, 0), true);
    assert.equal(ampsAllowed(r, 3), false);
    assert.equal(ampsAllowed(r, 16), true);
    assert.equal(
      ampsRuleMessage(r, "Charging rate", " A"),
      "Charging rate must be 0 (off), or at least 6 A and at most 48 A",
    );
  });

  it("never a minimum above the maximum, never below 1; fractional minimums round up", () => {
    assert.deepEqual(chargeNowRateRule(40, 32), { min: 32, max: 32, offAllowed: false });
    assert.deepEqual(chargeNowRateRule(0, 32).min, 1);
    assert.deepEqual(chargeNowRateRule(6.2, 32).min, 7);
    assert.deepEqual(chargeNowRateRule(Number.NaN, Number.NaN), { min: 1, max: 1, offAllowed: false });
  });
});
