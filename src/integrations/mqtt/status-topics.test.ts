import assert from "node:assert/strict";
import { test } from "node:test";
import { startHarness } from "../../engine/engine-harness.test-helper.ts";
import type { StateDocument, VehicleDoc } from "../../state/types.ts";
import { formatNumber, planPublishes, policyDetailsTopic, statusValues } from "./status-topics.ts";

async function chargingDoc(): Promise<StateDocument> {
  const h = await startHarness();
  await h.run(2000);
  h.commands.chargeNow(16, 3600);
  await h.run(15_000);
  const doc = structuredClone(h.engine.state.snapshot) as StateDocument;
  await h.stop();
  return doc;
}

test("numbers are rounded to 2 decimals and printed as JavaScript does", () => {
  assert.deepEqual([16.239, 32, 0, -0.001, 15.5, 1 / 3].map(formatNumber), [
    "16.24",
    "32",
    "0",
    "0",
    "15.5",
    "0.33",
  ]);
});

test("every status topic of config.md §5.2 for a charging slave", async () => {
  const doc = await chargingDoc();
  doc.chargers[0]!.vin = { current: "5YJ3E1EA8KF000001", last: null };
  doc.chargers[0]!.lifetimeKWh = 1234.567;
  doc.chargers[0]!.voltage = { a: 239.6, b: 0, c: 0 };
  const v = statusValues(doc, "TWC");
  assert.deepEqual(Object.fromEntries(v), {
    "TWC/4142/ampsMax": "16",
    "TWC/4142/ampsInUse": "15.5",
    "TWC/4142/state": "1",
    "TWC/4142/ampsOffered": "16",
    "TWC/4142/ampsDesired": "16",
    "TWC/4142/carsCharging": "1",
    "TWC/4142/chargerLoadInW": "3720",
    "TWC/4142/lifetimekWh": "1234.57",
    "TWC/4142/voltagePhaseA": "239.6",
    "TWC/4142/voltagePhaseB": "0",
    "TWC/4142/voltagePhaseC": "0",
    "TWC/4142/currentVehicleVIN": "5YJ3E1EA8KF000001",
    "TWC/4142/lastVehicleVIN": "",
    "TWC/all/totalAmpsInUse": "15.5",
    "TWC/all/maxAmpsForSlaves": formatNumber(doc.budget.maxAmpsToDivide),
    "TWC/all/currentPolicy": "Charge Now",
    "TWC/config/minAmpsPerTWC": "6",
  });
  const details = JSON.parse(statusValues(doc, "TWC", true).get(policyDetailsTopic("TWC"))!) as Record<
    string,
    unknown
  >;
  assert.equal(details.policy, "Charge Now");
  assert.match(String(details.reason), /^Charge Now at 16 A until /);
});

test("plan: changes only; carsCharging, currentPolicy bypass; ampsInUse 0 at once on 1→0; a removed slave gets 0 and 0", async () => {
  const doc = await chargingDoc();
  const prev = statusValues(doc, "TWC");
  const stopped = structuredClone(doc);
  stopped.chargers[0]!.charging = false;
  stopped.chargers[0]!.reportedAmpsActual = 0.4;
  stopped.policy.active = "Non Scheduled Charging";
  const plan = planPublishes(prev, statusValues(stopped, "TWC"), ["4142"], ["4142"], "TWC");
  assert.deepEqual(plan, [
    { topic: "TWC/4142/ampsInUse", payload: "0", bypass: true },
    { topic: "TWC/4142/carsCharging", payload: "0", bypass: true },
    { topic: "TWC/all/currentPolicy", payload: "Non Scheduled Charging", bypass: true },
    { topic: "TWC/4142/ampsInUse", payload: "0.4", bypass: false },
  ]);
  assert.deepEqual(planPublishes(prev, prev, ["4142"], ["4142"], "TWC"), []);
  const gone = structuredClone(doc);
  gone.chargers = [];
  const removal = planPublishes(prev, statusValues(gone, "TWC"), ["4142"], [], "TWC").filter((p) =>
    p.topic.includes("4142"),
  );
  assert.deepEqual(removal, [
    { topic: "TWC/4142/carsCharging", payload: "0", bypass: true },
    { topic: "TWC/4142/ampsInUse", payload: "0", bypass: true },
  ]);
  const amps = structuredClone(doc);
  amps.chargers[0]!.reportedAmpsActual = 12;
  assert.deepEqual(planPublishes(prev, statusValues(amps, "TWC"), ["4142"], ["4142"], "TWC").slice(0, 1), [
    { topic: "TWC/4142/ampsInUse", payload: "12", bypass: false },
  ]);
});

test("each car's state of charge, limit, charging state, at home and time to full under <prefix>/vehicle/<VIN>/; unknown values are not published", async () => {
  const doc = await chargingDoc();
  const car = (vin: string, o: Partial<VehicleDoc>): VehicleDoc => ({
    vin, id: 1, name: vin, source: "TeslaAPI", syncSource: "TeslaAPI", commandPath: "proxy", atHome: true, batteryLevel: 54, chargeLimit: 80,
    chargingState: "Charging", timeToFullChargeH: 2.5, chargeCurrentRequestA: 16, actualCurrentA: 16, scheduledChargingPending: false,
    onlineState: "online", twcId: "4142", lastSeenAt: null, updatedAt: null, backoffUntil: null, stopAskingToStartCharging: false, lastCommand: null, ...o,
  });
  doc.vehicles = [
    car("5YJ3E1EA7KF000001", {}),
    car("5YJ3E1EA7KF000002", { atHome: null, batteryLevel: null, chargeLimit: null, timeToFullChargeH: null, chargingState: "Unknown" }),
    car("bad/vin+#", {}),
  ];
  const vehicleTopics = [...statusValues(doc, "TWC")].filter(([t]) => t.startsWith("TWC/vehicle/"));
  assert.deepEqual(Object.fromEntries(vehicleTopics), {
    "TWC/vehicle/5YJ3E1EA7KF000001/batteryLevel": "54",
    "TWC/vehicle/5YJ3E1EA7KF000001/chargeLimit": "80",
    "TWC/vehicle/5YJ3E1EA7KF000001/chargingState": "Charging",
    "TWC/vehicle/5YJ3E1EA7KF000001/atHome": "1",
    "TWC/vehicle/5YJ3E1EA7KF000001/timeToFullCharge": "2.5",
    "TWC/vehicle/5YJ3E1EA7KF000002/chargingState": "Unknown",
  });
  const next = structuredClone(doc);
  next.vehicles[0]!.batteryLevel = 55;
  assert.deepEqual(
    planPublishes(statusValues(doc, "TWC"), statusValues(next, "TWC"), ["4142"], ["4142"], "TWC"),
    [{ topic: "TWC/vehicle/5YJ3E1EA7KF000001/batteryLevel", payload: "55", bypass: false }],
    "a new state of charge is published under the rate limit like any value",
  );
});
