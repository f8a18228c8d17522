/** The Policy page's conditions in words (issue 12 §5) and the controller-zone evaluation (§8). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { betweenSentence, conditionSentence, operandWords } from "../../../src/web/policy-summary.ts";
import { conditionTree, evaluate, resolveOperand, type ResolveContext } from "../../../src/web/policy-eval.ts";
import { fmtClock, zoneNote } from "../../../src/web/format.ts";

test("conditions read as sentences: modules, hours, actions, Charge Now's end", () => {
  assert.equal(conditionSentence("modules.Powerwall2.batteryLevel", "gt", 80, 80), "the battery level of Powerwall2 is above 80 %");
  assert.equal(conditionSentence("tm_hour", "gte", "settings.sunrise", 6), "the hour is at least 06:00 (the sunrise hour)");
  assert.equal(conditionSentence("settings.nonScheduledAction", "ne", 2, 2), "the non-scheduled action is not “do not charge”");
  assert.equal(conditionSentence("settings.chargeNowTimeEnd", "gt", "now", 1_800_000_000), "the end of Charge Now is after now");
  assert.equal(conditionSentence("settings.hourResumeTrackGreenEnergy", "lte", "tm_hour", 14), "the hour solar tracking resumes has been reached");
  assert.equal(conditionSentence("checkScheduledCharging()", "eq", 1, 1), "the charging schedule is active");
  assert.equal(conditionSentence("tm_wday", "eq", 5, 5), "the weekday is Saturday");
  assert.equal(conditionSentence("x", "none", 0, 0), "always holds");
  assert.equal(operandWords("config.greenEnergyFlexAmps"), "the configured greenEnergyFlexAmps");
});

test("an hour window reads “it is between 08:00 and 16:00”", () => {
  assert.equal(
    betweenSentence([
      { match: "tm_hour", condition: "gte", value: 8 },
      { match: "tm_hour", condition: "lt", value: 16 },
    ]),
    "it is between 08:00 and 16:00",
  );
  assert.equal(betweenSentence([{ match: "tm_hour", condition: "gte", value: 8 }]), null);
});

test("tm_* resolve in the controller's zone, not the browser's", () => {
  const nowMs = Date.UTC(2026, 10, 25, 23, 30); // 00:30 on Thursday in Amsterdam, 18:30 on Wednesday in New York
  const ams: ResolveContext = { nowMs, settings: {}, scheduledNow: null, timeZone: "Europe/Amsterdam" };
  const ny: ResolveContext = { ...ams, timeZone: "America/New_York" };
  assert.deepEqual(resolveOperand("tm_hour", ams), { known: true, value: 0 });
  assert.deepEqual(resolveOperand("tm_wday", ams), { known: true, value: 3 });
  assert.deepEqual(resolveOperand("tm_hour", ny), { known: true, value: 18 });
  const night = conditionTree({ match: ["tm_hour"], condition: ["lt"], value: [6] });
  assert.equal(evaluate(night, ams), true);
  assert.equal(evaluate(night, ny), false);
  assert.equal(fmtClock(nowMs, "Europe/Amsterdam"), "00:30");
  assert.equal(zoneNote({ timeZone: "Europe/Amsterdam", utcOffset: "+01:00" }), "times are Europe/Amsterdam (UTC+01:00), the controller's");
});
