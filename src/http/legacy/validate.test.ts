import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checkAddOffset,
  checkChargeNow,
  checkDebugCommand,
  checkDeleteOffset,
  checkLatLon,
  checkSchedule,
  checkSetLegacyOffset,
  checkSetPolicy,
  isDangerousPayload,
} from "./validate.ts";

const err = (r: { ok: boolean; message?: string; status?: number }): string => (r.ok ? "ok" : `${r.status} ${r.message}`);

test("chargeNow: numeric strings, integer truncation, ranges, first failure wins", () => {
  assert.deepEqual(checkChargeNow({ chargeNowRate: "16", chargeNowDuration: 3600 }, 80), {
    ok: true,
    value: { rate: 16, duration: 3600 },
  });
  assert.deepEqual(checkChargeNow({ chargeNowRate: 8.9, chargeNowDuration: "60.5" }, 80), {
    ok: true,
    value: { rate: 8, duration: 60 },
  });
  assert.equal(err(checkChargeNow({}, 80)), "400 chargeNowRate is required");
  assert.equal(err(checkChargeNow({ chargeNowRate: null }, 80)), "400 chargeNowRate is required");
  assert.equal(err(checkChargeNow({ chargeNowRate: "abc" }, 80)), "400 chargeNowRate must be a number");
  assert.equal(err(checkChargeNow({ chargeNowRate: true }, 80)), "400 chargeNowRate must be a number");
  assert.equal(err(checkChargeNow({ chargeNowRate: 81, chargeNowDuration: 1 }, 80)), "400 chargeNowRate must be between 1 and 80");
  assert.equal(err(checkChargeNow({ chargeNowRate: 0.5 }, 80)), "400 chargeNowRate must be between 1 and 80");
  assert.equal(err(checkChargeNow({ chargeNowRate: 10 }, 80)), "400 chargeNowDuration is required");
  assert.equal(
    err(checkChargeNow({ chargeNowRate: 10, chargeNowDuration: 31622401 }, 80)),
    "400 chargeNowDuration must be between 1 and 31622400",
  );
  assert.equal(err(checkChargeNow({ chargeNowRate: "1e400", chargeNowDuration: 1 }, 80)), "400 chargeNowRate must be a number");
});

test("addConsumptionOffset rules", () => {
  assert.deepEqual(checkAddOffset({ offsetName: "Pool", offsetValue: "0", offsetUnit: "W" }, []), {
    ok: true,
    value: { name: "Pool", value: 0, unit: "W" },
  });
  assert.equal(err(checkAddOffset({}, [])), "400 offsetName is required");
  assert.equal(err(checkAddOffset({ offsetName: 5 }, [])), "400 offsetName must be a string");
  assert.equal(err(checkAddOffset({ offsetName: "  " }, [])), "400 offsetName must not be empty");
  assert.equal(err(checkAddOffset({ offsetName: "x".repeat(32) }, [])), "400 offsetName must be at most 31 characters");
  assert.equal(err(checkAddOffset({ offsetName: "a<b" }, [])), "400 offsetName contains a forbidden character '<'");
  assert.equal(err(checkAddOffset({ offsetName: "ok", offsetValue: "x" }, [])), "400 offsetValue must be a number");
  assert.equal(
    err(checkAddOffset({ offsetName: "ok", offsetValue: 2e6, offsetUnit: "W" }, [])),
    "400 offsetValue must be between -1000000 and 1000000",
  );
  assert.equal(err(checkAddOffset({ offsetName: "ok", offsetValue: 1 }, [])), "400 offsetUnit is required");
  assert.equal(err(checkAddOffset({ offsetName: "ok", offsetValue: 1, offsetUnit: "kW" }, [])), '400 offsetUnit must be "A" or "W"');
  const many = Array.from({ length: 64 }, (_, i) => `o${i}`);
  assert.equal(err(checkAddOffset({ offsetName: "new", offsetValue: 1, offsetUnit: "A" }, many)), "400 Too many consumption offsets (maximum 64)");
  assert.equal(err(checkAddOffset({ offsetName: "o3", offsetValue: 1, offsetUnit: "A" }, many)), "ok");
});

test("delete, legacy offset, lat/lon, policy", () => {
  assert.equal(err(checkDeleteOffset({}, [])), "400 offsetName is required and must be a string");
  assert.equal(err(checkDeleteOffset({ offsetName: "x" }, [])), "404 Offset not found");
  assert.equal(err(checkSetLegacyOffset({ offset: "1001" })), "400 offset must be between -1000 and 1000");
  assert.equal(err(checkSetLegacyOffset({})), "400 offset is required");
  assert.equal(err(checkLatLon({ lat: 91, lon: 0 })), "400 lat must be between -90 and 90");
  assert.equal(err(checkLatLon({ lat: "52.5", lon: "x" })), "400 lon must be a number");
  assert.equal(err(checkSetPolicy({}, () => true)), "400 policy field is required");
  assert.equal(err(checkSetPolicy({ policy: 3 }, () => true)), "400 policy must be a string");
  assert.equal(err(checkSetPolicy({ policy: " " }, () => true)), "400 policy cannot be empty");
  assert.equal(err(checkSetPolicy({ policy: "Nope" }, () => false)), "400 Policy 'Nope' not found");
});

test("setScheduledChargingSettings converts minutes and weekdays", () => {
  const r = checkSchedule(
    { enabled: "true", startingMinute: 1320, endingMinute: 390, amps: 16, monday: 1, sunday: "on", flexBatterySize: "75" },
    40,
  );
  assert.deepEqual(r, {
    ok: true,
    value: {
      scheduledAmpsMax: 16,
      scheduledAmpsStartHour: 22,
      scheduledAmpsEndHour: 6.5,
      scheduledAmpsDaysBitmap: 1 + 64,
      scheduledAmpsBatterySize: 75,
      scheduledAmpsFlexStart: 0,
    },
  });
  const off = checkSchedule({ enabled: false, startingMinute: 60, endingMinute: 120, amps: 16, monday: true }, 40);
  assert.ok(off.ok && off.value.scheduledAmpsMax === 0 && off.value.scheduledAmpsStartHour === -1);
  assert.equal(err(checkSchedule({ enabled: true, startingMinute: 60, endingMinute: 60 }, 40)), "400 startingMinute and endingMinute must differ");
  assert.equal(err(checkSchedule({ startingMinute: 1440 }, 40)), "400 startingMinute must be between -1 and 1439");
  assert.equal(err(checkSchedule({ amps: 41 }, 40)), "400 amps must be between 0 and 40");
  assert.equal(err(checkSchedule({ tuesday: "maybe" }, 40)), "400 tuesday must be a boolean");
  assert.equal(err(checkSchedule({ flexBatterySize: 0 }, 40)), "400 flexBatterySize must be greater than 0 and at most 1000");
});

test("sendDebugCommand checks and dangerous frames", () => {
  assert.equal(err(checkDebugCommand({})), "400 commandName is required and must be a string");
  assert.equal(err(checkDebugCommand({ commandName: "Reboot" })), "400 Unknown commandName 'Reboot'");
  assert.equal(err(checkDebugCommand({ commandName: "Custom" })), "400 customCommand is required when commandName is Custom");
  assert.equal(err(checkDebugCommand({ commandName: "Custom", customCommand: "F" })), "400 customCommand must be hexadecimal bytes (2 to 32)");
  assert.equal(err(checkDebugCommand({ commandName: "GetFirmwareVersion", twcID: "41" })), "400 twcID must be 4 hexadecimal digits");
  const c = checkDebugCommand({ commandName: "Custom", customCommand: "FB:1B 77 77" });
  assert.ok(c.ok && c.value.name === "Custom" && [...c.value.payload].join(",") === "251,27,119,119");
  assert.equal(isDangerousPayload(Uint8Array.from([0xfc, 0x19, 0])), true);
  assert.equal(isDangerousPayload(Uint8Array.from([0xfc, 0x1a])), true);
  assert.equal(isDangerousPayload(Uint8Array.from([0xfb, 0xe8])), true);
  assert.equal(isDangerousPayload(Uint8Array.from([0xfb, 0xe0, 0x77, 0x77, 0x12, 0x34, 0x02])), true);
  assert.equal(isDangerousPayload(Uint8Array.from([0xfb, 0xe0, 0x77, 0x77, 0x12, 0x34, 0x09])), false);
  assert.equal(isDangerousPayload(Uint8Array.from([0xfb, 0x1b])), false);
});
