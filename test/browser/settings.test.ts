/** Settings page: consumption offsets change the surplus shown; server errors appear next to their field. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  openPage,
  screenshot,
  skipReason,
  state,
  useInstanceAndBrowser,
  waitFor,
  waitForText,
} from "./helpers.ts";

describe("settings", { skip: skipReason, timeout: 180_000 }, () => {
  const f = useInstanceAndBrowser();

  test("an offset added in the UI changes the surplus shown on the dashboard; delete asks first", async () => {
    const g = await openPage(f.browser, f.inst.origin, "desktop");
    try {
      await g.page.goto(`${f.inst.origin}/`);
      // issue 12 §7: no energy source → "—" (no reading), not "0 W"
      await waitForText(g.page, "[data-testid=surplus]", /Surplus\s*(—|0 W)/);
      await g.page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Settings" }).click();
      await g.page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
      assert.equal(new URL(g.page.url()).pathname, "/settings");

      await g.page.getByLabel("Name").fill("Pool pump");
      await g.page.getByLabel("Value").fill("1200");
      await g.page.getByLabel("Unit").selectOption("W");
      await g.page.getByRole("button", { name: "Add offset" }).click();
      await waitForText(g.page, "twc-offsets .form-status", /Offset “Pool pump” added/);
      await waitForText(g.page, "[data-testid=offsets] tbody", /Pool pump\s*1200 W\s*\+1\.20 kW/);
      await screenshot(g.page, "settings-offset-desktop");

      await g.page.getByRole("link", { name: "Dashboard" }).click();
      await waitForText(g.page, "[data-testid=surplus]", /Surplus\s*−1\.20 kW/);
      await waitForText(g.page, "[data-testid=consumption]", /1\.20 kW/);
      const s = await state(f.inst);
      assert.equal((s.energy as { surplusW: number }).surplusW, -1200);

      await g.page.goBack();
      await g.page.getByRole("button", { name: "Delete Pool pump" }).click();
      const dialog = g.page.getByRole("dialog", { name: "Delete the offset “Pool pump”?" });
      await dialog.getByRole("button", { name: "Delete offset" }).click();
      await waitForText(g.page, "twc-offsets", /No offsets\./);
      await waitFor(
        async () => ((await state(f.inst)).offsets as unknown[]).length === 0,
        5000,
        "offset deleted",
      );
      assert.deepEqual(g.foreign(), []);
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
    }
  });

  test("the server's message is shown next to the field it names", async () => {
    const g = await openPage(f.browser, f.inst.origin, "phone");
    try {
      await g.page.goto(`${f.inst.origin}/settings`);
      await g.page.getByLabel("Value").fill("5");
      await g.page.getByRole("button", { name: "Add offset" }).click();
      await waitForText(g.page, "#off-name-error", /offsetName must not be empty|offsetName is required|Name must not be empty|Name is required/);
      assert.equal(await g.page.getByLabel("Name").getAttribute("aria-invalid"), "true");

      await g.page.getByLabel("Name").fill("bad<name");
      await g.page.getByRole("button", { name: "Add offset" }).click();
      await waitForText(g.page, "#off-name-error", /(offsetName|Name) contains a forbidden character '<'/);

      const amps = g.page.getByLabel("Non-scheduled rate (A)");
      await amps.fill("999");
      await amps.press("Enter");
      await amps.blur();
      await waitForText(g.page, "#set-nsa-amps-error", /nonScheduledAmpsMax|Non-scheduled rate/);
      await amps.fill("8");
      await amps.blur();
      await waitFor(
        async () => ((await state(f.inst)).schedule as { nonScheduledAmps: number }).nonScheduledAmps === 8,
        5000,
        "nonScheduledAmps 8",
      );

      await g.page.getByLabel("Latitude").fill("95");
      await g.page.getByLabel("Longitude").fill("4.9");
      await g.page.getByRole("button", { name: "Save location" }).click();
      await waitForText(g.page, "#loc-lat-error", /lat must be between -90 and 90/);
      await g.page.getByLabel("Latitude").fill("52.37");
      await g.page.getByRole("button", { name: "Save location" }).click();
      await waitForText(g.page, "twc-location .form-status", /Location saved/);
      await screenshot(g.page, "settings-phone");

      await g.page.getByLabel("Track green energy at all hours").check();
      await waitFor(
        async () =>
          ((await state(f.inst)).schedule as { nonScheduledAction: number }).nonScheduledAction === 3,
        5000,
        "action 3",
      );
      assert.deepEqual(g.foreign(), []);
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
    }
  });
});
