import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toLocalTime } from "./local-time.ts";
import {
  checkScheduledCharging,
  flexStart,
  rotateDaysLeft,
  rotateDaysRight,
  scheduleView,
} from "./schedule.ts";
import type { LocalTime } from "./types.ts";

// 2026-11-23 is a Monday; local times are taken in UTC for simplicity.
const at = (iso: string): LocalTime => toLocalTime(Date.parse(`${iso}Z`), "UTC");
const MONDAY = 1;

void describe("checkScheduledCharging (controller.md §25 item 2)", () => {
  const overnightMondayOnly = {
    scheduledAmpsMax: 16,
    scheduledAmpsStartHour: 22,
    scheduledAmpsEndHour: 6,
    scheduledAmpsDaysBitmap: MONDAY,
  };
  const table: [string, string, 0 | 1][] = [
    ["Monday 23:00 (window starts Monday)", "2026-11-23T23:00", 1],
    ["Tuesday 05:59 (tail of Monday's window)", "2026-11-24T05:59", 1],
    ["Tuesday 23:00 (Tuesday not selected)", "2026-11-24T23:00", 0],
    ["Monday 05:00 (tail of Sunday's window)", "2026-11-23T05:00", 0],
    ["Monday 22:00 exactly (start inclusive)", "2026-11-23T22:00", 1],
    ["Monday 21:59", "2026-11-23T21:59", 0],
    ["Tuesday 06:00 exactly (end exclusive)", "2026-11-24T06:00", 0],
  ];
  for (const [title, iso, expected] of table) {
    void it(`22:00–06:00 Monday only: ${title} → ${expected}`, () => {
      assert.equal(checkScheduledCharging(overnightMondayOnly, at(iso)), expected);
    });
  }

  void it("08:00–08:00 is never active", () => {
    const s = {
      scheduledAmpsMax: 16,
      scheduledAmpsStartHour: 8,
      scheduledAmpsEndHour: 8,
      scheduledAmpsDaysBitmap: 127,
    };
    for (let h = 0; h < 24; h++) {
      for (const m of [0, 30, 59]) {
        const iso = `2026-11-23T${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
        assert.equal(checkScheduledCharging(s, at(iso)), 0, iso);
      }
    }
  });

  void it("uses fractional hours within a day (07:30–09:15, all days)", () => {
    const s = { scheduledAmpsMax: 16, scheduledAmpsStartHour: 7.5, scheduledAmpsEndHour: 9.25 };
    assert.equal(checkScheduledCharging(s, at("2026-11-25T07:29")), 0);
    assert.equal(checkScheduledCharging(s, at("2026-11-25T07:30")), 1);
    assert.equal(checkScheduledCharging(s, at("2026-11-25T09:14")), 1);
    assert.equal(checkScheduledCharging(s, at("2026-11-25T09:15")), 0);
  });

  void it("wraps the day bits: Sunday's overnight window ends on Monday morning", () => {
    const s = {
      scheduledAmpsMax: 16,
      scheduledAmpsStartHour: 23,
      scheduledAmpsEndHour: 2,
      scheduledAmpsDaysBitmap: 64,
    };
    assert.equal(checkScheduledCharging(s, at("2026-11-23T01:00")), 1);
    assert.equal(checkScheduledCharging(s, at("2026-11-22T23:30")), 1);
    assert.equal(checkScheduledCharging(s, at("2026-11-23T23:30")), 0);
  });

  void it("is inactive without amps, start, end or days (and accepts numeric strings)", () => {
    const on = { scheduledAmpsMax: "16", scheduledAmpsStartHour: "10", scheduledAmpsEndHour: "12" };
    const noon = at("2026-11-23T11:00");
    assert.equal(checkScheduledCharging(on, noon), 1);
    assert.equal(checkScheduledCharging({ ...on, scheduledAmpsMax: 0 }, noon), 0);
    assert.equal(checkScheduledCharging({ ...on, scheduledAmpsStartHour: -1 }, noon), 0);
    assert.equal(checkScheduledCharging({ ...on, scheduledAmpsEndHour: -1 }, noon), 0);
    assert.equal(checkScheduledCharging({ ...on, scheduledAmpsDaysBitmap: 0 }, noon), 0);
    assert.equal(checkScheduledCharging({}, noon), 0);
    assert.equal(checkScheduledCharging({ ...on, scheduledAmpsMax: "lots" }, noon), 0);
  });
});

void describe("flex start (controller.md §18)", () => {
  // 32 A × 240 V = 7.68 kW, 75 kWh, SOC 40 → limit 80, window 22:00–07:00.
  const settings = {
    scheduledAmpsMax: 32,
    scheduledAmpsStartHour: 22,
    scheduledAmpsEndHour: 7,
    scheduledAmpsDaysBitmap: MONDAY,
    scheduledAmpsFlexStart: 1,
    scheduledAmpsBatterySize: 75,
  };
  const vehicle = { batteryLevel: 40, chargeLimit: 80, voltage: 240, phases: 1, realPowerFactor: 1 };

  void it("computes F = 2.84 and rotates the days left (Monday → Tuesday)", () => {
    assert.deepEqual(flexStart(settings, vehicle), { startHour: 2.84, daysBitmap: 2, flexApplied: true });
  });

  void it("makes the flex window active on Tuesday 02:51–06:59 only", () => {
    const eff = flexStart(settings, vehicle);
    assert.equal(checkScheduledCharging(settings, at("2026-11-24T02:50"), eff), 0); // 2.8333 < 2.84
    assert.equal(checkScheduledCharging(settings, at("2026-11-24T02:51"), eff), 1);
    assert.equal(checkScheduledCharging(settings, at("2026-11-24T06:59"), eff), 1);
    assert.equal(checkScheduledCharging(settings, at("2026-11-23T23:00"), eff), 0);
    assert.equal(checkScheduledCharging(settings, at("2026-11-25T03:00"), eff), 0);
  });

  void it("keeps the configured start and days without vehicle data or when disabled", () => {
    const configured = { startHour: 22, daysBitmap: MONDAY, flexApplied: false };
    assert.deepEqual(flexStart(settings), configured);
    assert.deepEqual(flexStart(settings, null), configured);
    assert.deepEqual(flexStart({ ...settings, scheduledAmpsFlexStart: 0 }, vehicle), configured);
    assert.deepEqual(flexStart({ ...settings, scheduledAmpsMax: 0 }, vehicle), { ...configured });
    assert.deepEqual(flexStart({ ...settings, scheduledAmpsStartHour: -1 }, vehicle), {
      startHour: -1,
      daysBitmap: MONDAY,
      flexApplied: false,
    });
  });

  void it("subtracts another half hour for a limit ≥ 98 and wraps negative starts (+24)", () => {
    // 7 − 9.765625 × 0.58 = 1.3359 → 1.34 − 0.25 − 0.5 = 0.59
    assert.equal(flexStart(settings, { ...vehicle, chargeLimit: 98 }).startHour, 0.59);
    // SOC 0 → limit 100: 7 − 9.765625 = −2.77 → −3.52 + 24 = 20.48; start 22 > end 7 and F > end → unchanged days
    assert.deepEqual(flexStart(settings, { ...vehicle, batteryLevel: 0, chargeLimit: 100 }), {
      startHour: 20.48,
      daysBitmap: MONDAY,
      flexApplied: true,
    });
  });

  void it("rotates right when a same-day window's flex start moves before midnight", () => {
    // Window 01:00–05:00 Monday, 11.52 kW (16 A × 240 V × 3 phases), 100 kWh, SOC 10 → 90:
    // 5 − 8.68 × 0.8 = −1.94 → −1.94 − 0.25 + 24 = 21.81 (the day before)
    const s = {
      ...settings,
      scheduledAmpsMax: 16,
      scheduledAmpsStartHour: 1,
      scheduledAmpsEndHour: 5,
      scheduledAmpsBatterySize: 100,
    };
    const eff = flexStart(s, { batteryLevel: 10, chargeLimit: 90, phases: 3 });
    assert.equal(eff.startHour, 21.81);
    assert.equal(eff.daysBitmap, 64); // Sunday evening
    assert.equal(checkScheduledCharging(s, at("2026-11-22T22:00"), eff), 1);
    assert.equal(checkScheduledCharging(s, at("2026-11-23T04:00"), eff), 1);
    assert.equal(checkScheduledCharging(s, at("2026-11-23T22:00"), eff), 0);
  });

  void it("rotates 7-bit day bitmaps", () => {
    assert.equal(rotateDaysLeft(0b1000000), 0b0000001); // Sunday → Monday
    assert.equal(rotateDaysLeft(0b0011111), 0b0111110);
    assert.equal(rotateDaysRight(0b0000001), 0b1000000); // Monday → Sunday
    assert.equal(rotateDaysRight(127), 127);
  });
});

void describe("scheduleView (getStatus fields #12–#15)", () => {
  void it("matches the fresh-install example of http-api.md §6.1", () => {
    const expected =
      '{"scheduledChargingStartHour":-1,"scheduledChargingFlexStart":-1,"scheduledChargingEndHour":-1,' +
      '"ScheduledCharging":{"enabled":false,"amps":0,"startingMinute":-1,"endingMinute":-1,"monday":true,' +
      '"tuesday":true,"wednesday":true,"thursday":true,"friday":true,"saturday":true,"sunday":true,' +
      '"flexStartEnabled":0,"flexStartingMinute":-1,"flexEndingMinute":-1,"flexMonday":true,"flexTuesday":true,' +
      '"flexWednesday":true,"flexThursday":true,"flexFriday":true,"flexSaturday":true,"flexSunday":true,"flexBatterySize":100}}';
    const fresh = {
      scheduledAmpsMax: 0,
      scheduledAmpsStartHour: -1,
      scheduledAmpsEndHour: -1,
      scheduledAmpsDaysBitmap: 127,
      scheduledAmpsFlexStart: 0,
      scheduledAmpsBatterySize: 100,
    };
    assert.equal(JSON.stringify(scheduleView(fresh)), expected);
    assert.equal(JSON.stringify(scheduleView({})), expected);
  });

  void it("reports a fractional weekday window", () => {
    const v = scheduleView({
      scheduledAmpsMax: 24.7,
      scheduledAmpsStartHour: 22.5,
      scheduledAmpsEndHour: 7.25,
      scheduledAmpsDaysBitmap: 31,
      scheduledAmpsBatterySize: 60,
    });
    assert.equal(v.scheduledChargingStartHour, 22);
    assert.equal(v.scheduledChargingFlexStart, 22.5);
    assert.equal(v.scheduledChargingEndHour, 7.25);
    const sc = v.ScheduledCharging;
    assert.equal(sc.enabled, true);
    assert.equal(sc.amps, 24);
    assert.equal(sc.startingMinute, 1350);
    assert.equal(sc.endingMinute, 435);
    assert.deepEqual([sc.monday, sc.friday, sc.saturday, sc.sunday], [true, true, false, false]);
    assert.equal(sc.flexStartingMinute, 1350);
    assert.equal(sc.flexEndingMinute, 435);
    assert.equal(sc.flexBatterySize, 60);
  });

  void it("reports the flex start and rotated flex days when vehicle data is given", () => {
    const v = scheduleView(
      {
        scheduledAmpsMax: 32,
        scheduledAmpsStartHour: 22,
        scheduledAmpsEndHour: 7,
        scheduledAmpsDaysBitmap: MONDAY,
        scheduledAmpsFlexStart: 1,
        scheduledAmpsBatterySize: 75,
      },
      { batteryLevel: 40, chargeLimit: 80 },
    );
    assert.equal(v.scheduledChargingFlexStart, 2.84);
    assert.equal(v.ScheduledCharging.flexStartEnabled, 1);
    assert.equal(v.ScheduledCharging.flexStartingMinute, 170);
    assert.equal(v.ScheduledCharging.startingMinute, 1320);
    assert.equal(v.ScheduledCharging.monday, true);
    assert.equal(v.ScheduledCharging.flexMonday, false);
    assert.equal(v.ScheduledCharging.flexTuesday, true);
  });
});
