/**
 * The Settings page with a vehicle module (vehicles.md §8.3, §4.9) in chromium, against the real Fleet
 * API module on the HTTPS loopback fake: the "Cars" card's Vehicle Command Policy is saved as
 * settings.commandPolicy in settings.json and shown again after a reload; charge rate control modes 2
 * and 3 can be chosen and the hints no longer say a vehicle module is missing; with vehicle.commandPolicy
 * in config.json the page says it is hard-set there and offers no control. Desktop and phone; no
 * script errors; nothing loaded from another origin.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { fakeCar } from "../../src/integrations/tesla/fake-fleet-api.test-helper.ts";
import { inPage, launchBrowser, openPage, screenshot, skipReason, waitFor, waitForText, withGuardedPage, type GuardedPage } from "./helpers.ts";
import { HOME, startVehicleRig, type VehicleRig } from "./vehicles-rig.ts";

const RED = "5YJ3E1EA8KF000001";

describe("Settings page with a vehicle module", { skip: skipReason, timeout: 180_000 }, () => {
  let rig: VehicleRig;
  let browser: Browser;

  before(async () => {
    rig = await startVehicleRig({ cars: [fakeCar(RED, { name: "Red Model 3", lat: HOME.lat, lon: HOME.lon })], chargerVins: [RED, null] });
    browser = await launchBrowser();
    await rig.readCars();
  });
  after(async () => {
    await browser?.close();
    await rig?.stop();
  });

  const guarded = (vp: "desktop" | "phone", fn: (g: GuardedPage) => Promise<void>): Promise<void> => withGuardedPage(browser, rig.origin, vp, fn);
  const onDisk = (): unknown => rig.settingsFile().commandPolicy;

  test("the command policy is chosen, saved in settings.json and shown after a reload; rate modes 2 and 3 can be chosen", async () => {
    await guarded("desktop", async (g) => {
      await g.page.goto(`${rig.origin}/settings`);
      const policy = g.page.getByLabel("Vehicle command policy");
      await policy.waitFor();
      // Nothing chosen yet: the default.
      assert.equal(await policy.inputValue(), "prefer_ble");
      assert.equal(onDisk(), undefined);
      const labels = await policy.locator("option").allTextContents();
      assert.deepEqual(
        labels.map((l) => l.trim()),
        ["Prefer BLE, fall back to Tesla API", "BLE only - never send billed API commands", "Tesla API only - never use BLE"],
      );
      await g.page.getByRole("link", { name: "Vehicles" }).first().waitFor();

      // With the module, modes 2 and 3 of the charge rate control are not disabled and the hints say so.
      const rate = g.page.getByLabel("Charge rate control");
      assert.deepEqual(await rate.locator("option[disabled]").count(), 0, "no rate mode is disabled");
      const main = (await g.page.locator("main").textContent()) ?? "";
      assert.doesNotMatch(main, /which is not available/);
      assert.match(main, /Mode 1 asks the car through its vehicle module/);

      await policy.selectOption("ble_only");
      await g.page.locator("#veh-policy ~ .ok-text", { hasText: "Saved" }).waitFor();
      await waitFor(() => onDisk() === "ble_only", 10_000, "commandPolicy ble_only in settings.json");
      await screenshot(g.page, "vehicle-settings-desktop");

      await g.page.reload();
      await policy.waitFor();
      await waitFor(async () => (await policy.inputValue()) === "ble_only", 10_000, "ble_only shown after a reload");
    });
  });

  test("phone: the policy changed again, the card fits the width", async () => {
    await guarded("phone", async (g) => {
      await g.page.goto(`${rig.origin}/settings`);
      const policy = g.page.getByLabel("Vehicle command policy");
      await policy.waitFor();
      await waitFor(async () => (await policy.inputValue()) === "ble_only", 10_000, "the saved policy");
      await policy.selectOption("api_only");
      await waitFor(() => onDisk() === "api_only", 10_000, "commandPolicy api_only in settings.json");
      const over = await inPage<number>(g.page, "document.documentElement.scrollWidth - document.documentElement.clientWidth");
      assert.ok(over <= 0, "no sideways scrolling on a phone");
      await screenshot(g.page, "vehicle-settings-phone");
    });
  });
});

describe("Settings page when config.json sets vehicle.commandPolicy", { skip: skipReason, timeout: 180_000 }, () => {
  let rig: VehicleRig;
  let browser: Browser;

  before(async () => {
    rig = await startVehicleRig({
      cars: [fakeCar(RED, { name: "Red Model 3", lat: HOME.lat, lon: HOME.lon })],
      chargerVins: [RED, null],
      // Case-insensitive, as the server reads it (vehicles.md §4.9).
      sections: { vehicle: { commandPolicy: "API_only" } },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await rig?.stop();
  });

  test("the policy is shown as hard-set via config.json, with no control to change it", async () => {
    const g = await openPage(browser, rig.origin, "phone");
    try {
      await g.page.goto(`${rig.origin}/settings`);
      await waitForText(g.page, "[data-testid=policy-fixed]", /^Vehicle command policy: Tesla API only - never use BLE — hard-set via config\.json$/);
      assert.equal(await g.page.locator("#veh-policy").count(), 0, "no select while config.json decides");
      assert.equal(rig.settingsFile().commandPolicy, undefined);
      assert.deepEqual(g.foreign(), [], "no request leaves the origin");
      assert.deepEqual(g.errors(), [], "no script errors or CSP violations");
    } finally {
      await g.context.close();
    }
  });
});
