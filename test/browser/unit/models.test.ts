/** Pure helpers of the web UI: schedule geometry and words, form checks, CSV, formatting. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Days } from "../../../src/state/types.ts";
import { toCsv } from "../../../src/web/csv.ts";
import { fmtDuration, fmtSignedW, hhmmToMinute, minuteToHHMM } from "../../../src/web/format.ts";
import {
  describeDays,
  describeSchedule,
  greenSegments,
  scheduleSegments,
} from "../../../src/web/schedule-model.ts";
import { checkDraft, checkHex } from "../../../src/web/validate.ts";
import { fieldOf } from "../../../src/web/api.ts";
import { brokerHost, mqttTopics, publishExample } from "../../../src/web/mqtt-model.ts";

const all: Days = {
  monday: true,
  tuesday: true,
  wednesday: true,
  thursday: true,
  friday: true,
  saturday: true,
  sunday: true,
};
const none: Days = {
  monday: false,
  tuesday: false,
  wednesday: false,
  thursday: false,
  friday: false,
  saturday: false,
  sunday: false,
};

test("an overnight window on Sunday continues on Monday", () => {
  const segs = scheduleSegments({
    enabled: true,
    amps: 16,
    startMinute: 22 * 60,
    endMinute: 6 * 60 + 30,
    days: { ...none, sunday: true },
  });
  assert.deepEqual(segs, [
    { day: 6, from: 1320, to: 1440 },
    { day: 0, from: 0, to: 390 },
  ]);
  assert.deepEqual(
    scheduleSegments({ enabled: true, amps: 0, startMinute: 60, endMinute: 120, days: all }),
    [],
    "0 A is off",
  );
  assert.deepEqual(
    scheduleSegments({ enabled: true, amps: 16, startMinute: 60, endMinute: 60, days: all }),
    [],
  );
});

test("green hours follow sunrise, sunset, the resume hour and the non-scheduled action", () => {
  const base = { nonScheduledAction: 1, sunriseHour: 7, sunsetHour: 17, resumeGreenEnergyHour: -1 };
  assert.deepEqual(greenSegments(base)[0], { day: 0, from: 420, to: 1020 });
  assert.deepEqual(greenSegments({ ...base, resumeGreenEnergyHour: 12 })[0], { day: 0, from: 720, to: 1020 });
  assert.deepEqual(greenSegments({ ...base, nonScheduledAction: 2 }), []);
  assert.deepEqual(greenSegments({ ...base, nonScheduledAction: 3 })[3], { day: 3, from: 0, to: 1440 });
});

test("schedules are described in words", () => {
  assert.equal(describeDays(all), "every day");
  assert.equal(describeDays({ ...all, saturday: false, sunday: false }), "Mon–Fri");
  assert.equal(describeDays({ ...none, monday: true, wednesday: true }), "Mon, Wed");
  assert.equal(
    describeSchedule({ enabled: true, amps: 32, startMinute: 1350, endMinute: 420, days: all }),
    "Charges at 32 A every day from 22:30 to 07:00 (next day).",
  );
  assert.equal(
    describeSchedule({ enabled: false, amps: 32, startMinute: 1350, endMinute: 420, days: all }),
    "No charging schedule is set.",
  );
});

test("schedule form checks name the field at fault", () => {
  const d = {
    enabled: true,
    start: "22:00",
    end: "06:00",
    days: all,
    amps: 16,
    flexEnabled: false,
    battery: 100,
  };
  assert.deepEqual(checkDraft(d, 6, 48), {});
  assert.deepEqual(Object.keys(checkDraft({ ...d, start: "" }, 6, 48)), ["startingMinute"]);
  assert.equal(checkDraft({ ...d, end: "22:00" }, 6, 48).startingMinute, "Start and end times must differ");
  assert.ok(checkDraft({ ...d, days: none }, 6, 48).days);
  assert.ok(checkDraft({ ...d, amps: 3 }, 6, 48).amps);
  assert.ok(checkDraft({ ...d, amps: 49 }, 6, 48).amps);
  assert.deepEqual(checkDraft({ ...d, enabled: false, start: "" }, 6, 48), {});
});

test("custom debug frames: hex bytes, 2 to 32, spaces and colons allowed", () => {
  assert.equal(checkHex("FB 1B 77 77"), null);
  assert.equal(checkHex("fb:1b"), null);
  assert.equal(checkHex("FB"), "customCommand must be hexadecimal bytes (2 to 32)");
  assert.equal(checkHex("FB 1"), "customCommand must be hexadecimal bytes (2 to 32)");
  assert.equal(checkHex("GG HH"), "customCommand must be hexadecimal bytes (2 to 32)");
  assert.equal(checkHex("00".repeat(33)), "customCommand must be hexadecimal bytes (2 to 32)");
  assert.equal(checkHex("  "), "customCommand is required when commandName is Custom");
});

test("server messages are attributed to the field they name", () => {
  const f = ["chargeNowRate", "chargeNowDuration"];
  assert.equal(fieldOf("chargeNowRate must be between 1 and 48", f), "chargeNowRate");
  assert.equal(fieldOf("chargeNowDuration is required", f), "chargeNowDuration");
  assert.equal(
    fieldOf("value for 'hourResumeTrackGreenEnergy' must be an integer", ["hourResumeTrackGreenEnergy"]),
    "hourResumeTrackGreenEnergy",
  );
  assert.equal(fieldOf("Authentication required", f), null);
  assert.equal(
    fieldOf("startingMinute and endingMinute must differ", ["endingMinute", "startingMinute"]),
    "startingMinute",
  );
});

test("CSV quoting and formula guarding", () => {
  assert.equal(
    toCsv(
      ["a", "b"],
      [
        ["x,y", null],
        ['say "hi"', 3],
        ["=1+1", -2],
      ],
    ),
    'a,b\r\n"x,y",\r\n"say ""hi""",3\r\n\'=1+1,-2\r\n',
  );
});

test("formatting helpers", () => {
  assert.equal(minuteToHHMM(450), "07:30");
  assert.equal(minuteToHHMM(-1), "");
  assert.equal(hhmmToMinute("23:59"), 1439);
  assert.equal(hhmmToMinute(""), -1);
  assert.equal(fmtDuration(3_900_000), "1 h 05 min");
  assert.equal(fmtDuration(309_000), "5 min 09 s");
  assert.equal(fmtDuration(2 * 86_400_000 + 3 * 3_600_000), "2 d 3 h");
  assert.match(fmtSignedW(-500), /^−500 W$/);
});

test("MQTT topics a user can publish to: control.MQTT's, and Home Assistant's with per-charger buttons", () => {
  const none = { connections: [], controlTopicPrefix: null, statusTopicPrefix: null, homeAssistantControls: false };
  assert.deepEqual(mqttTopics(none, ["4142"], 32), []);
  const control = mqttTopics({ ...none, controlTopicPrefix: "TWC" }, ["4142"], 32);
  assert.deepEqual(control.map((t) => t.topic), [
    "TWC/control/chargeNow",
    "TWC/control/chargeNowEnd",
    "TWC/control/nonScheduledAmpsMax",
    "TWC/control/nonScheduledAction",
    "TWC/control/stop",
  ]);
  assert.equal(control[0]?.example, "16,3600");
  assert.equal(mqttTopics({ ...none, controlTopicPrefix: "TWC" }, [], 10)[0]?.example, "10,3600", "the example keeps to the wiring limit");
  assert.deepEqual(mqttTopics({ ...none, statusTopicPrefix: "S", homeAssistantControls: false }, ["4142"], 32), []);
  const ha = mqttTopics({ ...none, statusTopicPrefix: "S", homeAssistantControls: true }, ["4142"], 32).map((t) => t.topic);
  assert.ok(ha.includes("S/ha/chargeNowAmps/set"));
  assert.ok(ha.includes("S/ha/4142/stopCharging/set"));
  const first = control[0];
  assert.ok(first);
  assert.equal(publishExample(first, "broker.local"), "mosquitto_pub -h broker.local -t 'TWC/control/chargeNow' -m '16,3600'");
  assert.equal(
    brokerHost({ ...none, connections: [{ broker: "mqtt://10.0.0.2:1883", version: "3.1.1", connected: true, since: null, lastError: null, users: ["control.MQTT"], connects: 1 }] }),
    "10.0.0.2",
  );
  assert.equal(brokerHost(none), "<broker>");
});
