import assert from "node:assert/strict";
import { test } from "node:test";
import { vehicleModuleAttr } from "./vehicle-macros.ts";

const cars = [
  { atHome: true, socPercent: 64 },
  { atHome: true, socPercent: 41 },
  { atHome: false, socPercent: 12 },
  { atHome: null, socPercent: 5 },
  { atHome: true, socPercent: null },
];

test("numCarsAtHome counts the cars at home; minBatteryLevelAtHome is the lowest known SoC among them", () => {
  assert.deepEqual(vehicleModuleAttr("numCarsAtHome", cars), { value: 3 });
  assert.deepEqual(vehicleModuleAttr("minBatteryLevelAtHome", cars), { value: 41 });
});

test("no car at home with a known SoC: 10000 (upstream's sentinel); no vehicle module or an unknown attribute: the macro text", () => {
  assert.deepEqual(vehicleModuleAttr("minBatteryLevelAtHome", [{ atHome: false, socPercent: 30 }]), { value: 10000 });
  assert.deepEqual(vehicleModuleAttr("numCarsAtHome", []), { value: 0 });
  assert.equal(vehicleModuleAttr("numCarsAtHome", null), undefined);
  assert.equal(vehicleModuleAttr("batteryLevel", cars), undefined);
});
