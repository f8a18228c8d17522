/** issue 12 §10: the API's charging-rate rule is the web's (shared/amps-rules.ts), in its field names. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkChargeNow, checkSchedule, type Checked } from "./validate.ts";
import { ampsRuleMessage, chargeNowRateRule, scheduleAmpsRule } from "../../shared/amps-rules.ts";

const err = (c: Checked<unknown>): string => (c.ok ? "ok" : `${c.status} ${c.message}`);

test("chargeNowRate below the charger minimum is refused with the rule the web shows", () => {
  assert.equal(
    err(checkChargeNow({ chargeNowRate: 3, chargeNowDuration: 60 }, 48, 6)),
    "400 chargeNowRate must be between 6 and 48",
  );
  assert.equal(err(checkChargeNow({ chargeNowRate: "6", chargeNowDuration: 60 }, 48, 6)), "ok");
  assert.equal(
    err(checkChargeNow({ chargeNowRate: 3, chargeNowDuration: 60 }, 48, 6)).slice(4),
    ampsRuleMessage(chargeNowRateRule(6, 48), "chargeNowRate"),
  );
  // Without the minimum it is TWCManager's rule: 1…W.
  assert.equal(err(checkChargeNow({ chargeNowRate: 3, chargeNowDuration: 60 }, 48)), "ok");
});

test("the schedule's amps: 0 (off) or the same range", () => {
  assert.equal(err(checkSchedule({ amps: 0 }, 48, 6)), "ok");
  assert.equal(err(checkSchedule({ amps: 16 }, 48, 6)), "ok");
  assert.equal(
    err(checkSchedule({ amps: 3 }, 48, 6)),
    `400 ${ampsRuleMessage(scheduleAmpsRule(6, 48), "amps")}`,
  );
  assert.equal(
    err(checkSchedule({ amps: 3 }, 48, 6)),
    "400 amps must be 0 (off), or at least 6 and at most 48",
  );
  assert.equal(err(checkSchedule({ amps: "x" }, 48, 6)), "400 amps must be a number");
});
