import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checkSettingName,
  PROTECTED_SETTING_KEYS,
  SETTING_SPECS,
  validateSettingValue,
} from "./settings-schema.ts";
import { normaliseSettings } from "./settings-normalise.ts";

const W = 32;

test("defaults are merged and the built-in vehicle groups are created", () => {
  const { settings, warnings } = normaliseSettings(undefined, W);
  assert.deepEqual(warnings, []);
  assert.equal(settings.chargeNowAmps, 0);
  assert.equal(settings.chargeStopMode, 1);
  assert.equal(settings.homeLat, 10000);
  assert.equal(settings.hourResumeTrackGreenEnergy, -1);
  assert.equal(settings.kWhDelivered, 119);
  assert.equal(settings.respondToSlaves, 1);
  assert.equal(settings.scheduledAmpsDaysBitmap, 127);
  assert.equal(settings.scheduledAmpsBatterySize, 100);
  assert.equal(settings.sunrise, 6);
  assert.equal(settings.sunset, 20);
  assert.equal(settings.enableDebugCommands, false);
  assert.ok(!("greenEnergyAmpsOffset" in settings));
  assert.ok(!("installationNodeId" in settings));
  assert.deepEqual(settings.consumptionOffset, {});
  assert.deepEqual(settings.Vehicles, {});
  assert.deepEqual(Object.keys(settings.VehicleGroups), ["Allow Charging", "Deny Charging"]);
  assert.equal(settings.VehicleGroups["Allow Charging"]?.["Built-in"], 1);
  assert.deepEqual(settings.VehicleGroups["Deny Charging"]?.Members, []);
});

test("upstream string values are coerced to their types", () => {
  const { settings, warnings } = normaliseSettings(
    {
      chargeNowAmps: "16",
      nonScheduledAction: "3",
      sendServerTime: "on",
      spikeAmpsReactively: false,
      scheduledAmpsStartHour: "22.5",
      enableDebugCommands: "yes",
      homeLat: "52.5",
      scheduledAmpsDaysBitmap: "31.9",
      installationNodeId: 202481587074134,
    },
    W,
  );
  assert.deepEqual(warnings, []);
  assert.equal(settings.chargeNowAmps, 16);
  assert.equal(settings.nonScheduledAction, 3);
  assert.equal(settings.sendServerTime, 1);
  assert.equal(settings.spikeAmpsReactively, 0);
  assert.equal(settings.scheduledAmpsStartHour, 22.5);
  assert.equal(settings.enableDebugCommands, true);
  assert.equal(settings.homeLat, 52.5);
  assert.equal(settings.scheduledAmpsDaysBitmap, 31);
  assert.equal(settings.installationNodeId, "202481587074134");
});

test("out-of-range or uncoercible values fall back to the default with a warning naming the key", () => {
  const { settings, warnings } = normaliseSettings(
    { chargeNowAmps: 40, nonScheduledAction: 4, sunrise: "dawn", greenEnergyAmpsOffset: 5000, homeLon: 200 },
    W,
  );
  assert.equal(settings.chargeNowAmps, 0);
  assert.equal(settings.nonScheduledAction, 1);
  assert.equal(settings.sunrise, 6);
  assert.equal(settings.homeLon, 10000);
  assert.ok(!("greenEnergyAmpsOffset" in settings));
  assert.equal(warnings.length, 5);
  for (const k of ["chargeNowAmps", "nonScheduledAction", "sunrise", "greenEnergyAmpsOffset", "homeLon"]) {
    assert.ok(
      warnings.some((w) => w.includes(`'${k}'`)),
      k,
    );
  }
  assert.ok(
    warnings.includes(
      "settings.json: 'chargeNowAmps' value 40 is invalid (must be a number between 0 and 32); using the default 0",
    ),
  );
});

test("unknown and preserved keys are kept verbatim; structured keys are normalised", () => {
  const raw = {
    carApiBearerToken: "tok",
    Schedule: { a: [1, 2] },
    myCustom: { nested: true },
    history: [{ t: 1 }],
    consumptionOffset: { fridge: { value: "150", unit: "w" }, broken: { value: "x", unit: "A" } },
    VehicleGroups: {
      "Allow Charging": { Description: "mine", "Built-in": 1, Members: ["5YJ3E1EA7KF000000"] },
    },
  };
  const { settings, warnings } = normaliseSettings(raw, W);
  assert.equal(settings.carApiBearerToken, "tok");
  assert.deepEqual(settings.Schedule, { a: [1, 2] });
  assert.deepEqual(settings.myCustom, { nested: true });
  assert.deepEqual(settings.history, [{ t: 1 }]);
  assert.deepEqual(settings.consumptionOffset, { fridge: { value: 150, unit: "W" } });
  assert.deepEqual(settings.VehicleGroups["Allow Charging"]?.Members, ["5YJ3E1EA7KF000000"]);
  assert.ok(settings.VehicleGroups["Deny Charging"]);
  assert.deepEqual(warnings, [
    'settings.json: consumptionOffset \'broken\' is invalid ({"value":"x","unit":"A"}) and was dropped',
  ]);
});

test("setSetting value rules: typed keys coerced, ranges depending on W, protected keys refused", () => {
  assert.deepEqual(validateSettingValue("nonScheduledAmpsMax", "16", W), { ok: true, value: 16 });
  assert.deepEqual(validateSettingValue("sendServerTime", true, W), { ok: true, value: 1 });
  assert.deepEqual(validateSettingValue("enableDebugCommands", "off", W), { ok: true, value: false });
  assert.deepEqual(validateSettingValue("nonScheduledAction", 4, W), {
    ok: false,
    message: "value for 'nonScheduledAction' must be 1, 2 or 3",
  });
  assert.deepEqual(validateSettingValue("chargeAuthorizationMode", 3, W), {
    ok: false,
    message: "value for 'chargeAuthorizationMode' must be 1 or 2",
  });
  assert.deepEqual(validateSettingValue("nonScheduledAmpsMax", 33, W), {
    ok: false,
    message: "value for 'nonScheduledAmpsMax' must be a number between 0 and 32",
  });
  assert.deepEqual(validateSettingValue("nonScheduledAmpsMax", 33, 40), { ok: true, value: 33 });
  assert.deepEqual(validateSettingValue("homeLat", -91, W), {
    ok: false,
    message: "value for 'homeLat' must be a number between -90 and 90, or 10000",
  });
  assert.deepEqual(validateSettingValue("scheduledAmpsEndHour", 24, W), {
    ok: false,
    message: "value for 'scheduledAmpsEndHour' must be -1 or a number ≥ 0 and < 24",
  });
  assert.deepEqual(validateSettingValue("webControlTheme", "x".repeat(33), W), {
    ok: false,
    message: "value for 'webControlTheme' must be a string of at most 32 characters",
  });
  assert.deepEqual(validateSettingValue("respondToSlaves", 2, W), {
    ok: false,
    message: "value for 'respondToSlaves' must be 0 or 1",
  });
  for (const k of PROTECTED_SETTING_KEYS) {
    assert.deepEqual(validateSettingValue(k, 1, W), {
      ok: false,
      message: `setting '${k}' cannot be changed with setSetting`,
    });
  }
  assert.deepEqual(validateSettingValue("myKey", [1, "a"], W), { ok: true, value: [1, "a"] });
  assert.deepEqual(validateSettingValue("myKey", "x".repeat(5000), W), {
    ok: false,
    message: "value is too large (maximum 4096 bytes)",
  });
});

test("every typed setSetting key accepts its default and the setSetting flags match config.md §2.2", () => {
  for (const s of SETTING_SPECS) {
    if (s.default !== undefined) assert.ok(s.check(s.default, W).ok, s.key);
  }
  assert.deepEqual(
    SETTING_SPECS.filter((s) => !s.setSetting).map((s) => s.key),
    ["respondToSlavesExpiry"],
  );
});

test("setting names (http-api §7.9)", () => {
  assert.equal(checkSettingName("myKey_1.a-b"), null);
  for (const bad of ["", "1abc", "a b", "constructor", "prototype", "x".repeat(65), "__proto__"]) {
    assert.equal(
      checkSettingName(bad),
      "setting must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter",
      bad,
    );
  }
});
