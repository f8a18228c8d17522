/**
 * The vehicle page's BLE Control block in chromium (vehicles.md §4.6, §8.4, issue 15 §1): the product
 * with vehicle.teslaBLE on a fake tesla-control (src/integrations/vehicle-ble/fake-tesla-control.test-helper.ts)
 * and the Fleet API module on its HTTPS fake. The car a charger reported gets a key; the page says it
 * is not paired and what to do at the car; "Pair with Vehicle" sends the key request
 * (`add-key-request … owner cloud_key`), the status becomes "requested" in settings.json; a car out of
 * Bluetooth range gives a clear error. No key material reaches the page.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { fakeCar } from "../../src/integrations/tesla/fake-fleet-api.test-helper.ts";
import { startFakeTeslaControl, type FakeTeslaControl } from "../../src/integrations/vehicle-ble/fake-tesla-control.test-helper.ts";
import { launchBrowser, openPage, screenshot, skipReason, waitFor, waitForText } from "./helpers.ts";
import { HOME, startVehicleRig, type VehicleRig } from "./vehicles-rig.ts";

const RED = "5YJ3E1EA8KF000001";
const BLUE = "5YJYGDEE0MF000002";

type VehicleEntry = { pubKeyPEM?: string; privKey?: string; BLEPeeringStatus?: string };

describe("BLE pairing on the vehicle page", { skip: skipReason, timeout: 180_000 }, () => {
  let rig: VehicleRig;
  let browser: Browser;
  let tc: FakeTeslaControl;
  const entry = (vin: string): VehicleEntry => ((rig.settingsFile().Vehicles ?? {}) as Record<string, VehicleEntry>)[vin] ?? {};

  before(async () => {
    tc = startFakeTeslaControl();
    // The car does not know TWCManager's key yet: every command answers "key not paired".
    tc.setMode("not_paired");
    rig = await startVehicleRig({
      cars: [fakeCar(RED, { name: "Red Model 3", lat: HOME.lat, lon: HOME.lon }), fakeCar(BLUE, { name: "Blue Model Y", lat: HOME.lat, lon: HOME.lon })],
      chargerVins: [RED, null],
      core: { teslaControlPath: tc.path },
      sections: { vehicle: { teslaBLE: { enabled: true } } },
      // Red charged here before (settings.Vehicles), so it gets its key at the start.
      settings: { Vehicles: { [RED]: { chargeSessions: 1, totalkWh: 5 } } },
    });
    browser = await launchBrowser();
    await rig.readCars();
    // A key is made for every VIN of settings.Vehicles at the start (vehicles.md §4.2).
    await waitFor(() => typeof entry(RED).pubKeyPEM === "string", 30_000, "a BLE key for Red").catch(async (err: unknown) => {
      throw new Error(`${String(err)}: ${await (await fetch(`${rig.origin}/api/v2/vehicles/ble`)).text()}`);
    });
  });
  after(async () => {
    await browser?.close();
    await rig?.stop();
    tc?.close();
  });

  test("not paired → the steps at the car; Pair sends the key request and the status becomes 'requested'", async () => {
    const g = await openPage(browser, rig.origin, "phone");
    try {
      await g.page.goto(`${rig.origin}/vehicleDetail/${RED}`);
      const block = g.page.getByTestId("ble-control");
      const see = (sel: string, re: RegExp, ms?: number): Promise<string> =>
        waitForText(g.page, sel, re, ms).catch(async (err: unknown) => {
          throw new Error(`${String(err)}; the block says: ${(await block.textContent({ timeout: 1000 }).catch(() => "")) ?? ""}; tesla-control calls ${JSON.stringify(tc.calls().map((c) => c.command))}`);
        });
      await see("[data-testid=ble-status]", /^Not paired\.$/);
      await see("[data-testid=ble-control] .steps", /tap the key card on the card reader/);

      // Out of range first: a clear error, the status unchanged.
      tc.setMode("not_in_range", "add-key-request");
      await block.getByRole("button", { name: "Pair with Vehicle" }).click();
      await see("[data-testid=ble-control] .form-status", /pairing request failed/i, 45_000);
      assert.notEqual(entry(RED).BLEPeeringStatus, "requested");

      tc.setMode("success", "add-key-request");
      await block.getByRole("button", { name: "Pair with Vehicle" }).click();
      await see("[data-testid=ble-control] .form-status", /^Key request sent\./, 45_000);
      await see("[data-testid=ble-status]", /Key request sent: waiting for it to be approved in the car/);
      const pair = tc.calls().filter((c) => c.command === "add-key-request").at(-1);
      assert.ok(pair, "tesla-control was asked to send the key request");
      assert.deepEqual(pair.argv.slice(0, 4), ["-debug", "-ble", "-vin", RED]);
      assert.deepEqual(pair.argv.slice(-3).slice(1), ["owner", "cloud_key"]);
      assert.equal(pair.keyHead, "-----BEGIN PUBLIC KEY-----", "pairing sends the public key");
      await waitFor(() => entry(RED).BLEPeeringStatus === "requested", 10_000, "BLEPeeringStatus saved");
      await screenshot(g.page, "vehicle-ble-phone");

      // No key material on the page.
      const html = await g.page.content();
      const e = entry(RED);
      for (const k of [e.privKey, e.pubKeyPEM]) if (k) assert.ok(!html.includes(k), "no key on the page");

      // A car no charger reported: no key, said so.
      await g.page.goto(`${rig.origin}/vehicleDetail/${BLUE}`);
      await see("[data-testid=ble-control]", /not one of them yet|No Bluetooth key/);
      assert.deepEqual(g.foreign(), []);
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
    }
  });
});
