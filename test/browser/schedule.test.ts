/** Schedule page: a schedule saved in the UI is stored, survives a restart, and shows field errors. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, skipReason, state, useInstanceAndBrowser, waitForText } from "./helpers.ts";

interface Schedule {
  enabled: boolean;
  amps: number;
  startMinute: number;
  endMinute: number;
  days: Record<string, boolean>;
}

describe("schedule", { skip: skipReason, timeout: 180_000 }, () => {
  const f = useInstanceAndBrowser();

  test("a schedule saved in the UI survives a restart of the process", async () => {
    const g = await openPage(f.browser, f.inst.origin, "desktop");
    try {
      await g.page.goto(`${f.inst.origin}/schedule`);
      await g.page.getByLabel("Charge on a schedule").check();
      await g.page.getByLabel("Start time", { exact: true }).fill("22:30");
      await g.page.getByLabel("End time", { exact: true }).fill("06:15");
      await g.page.getByRole("button", { name: "Weekdays" }).click();
      await g.page.getByLabel("Charging rate (A)").fill("16");
      await waitForText(
        g.page,
        "[data-testid=schedule-summary]",
        /Charges at 16 A Mon–Fri from 22:30 to 06:15 \(next day\)/,
      );
      await g.page.getByRole("button", { name: "Save schedule" }).click();
      await waitForText(g.page, "twc-schedule .form-status", /Schedule saved\./);

      const s = (await state(f.inst)).schedule as Schedule;
      assert.equal(s.enabled, true);
      assert.equal(s.amps, 16);
      assert.equal(s.startMinute, 22 * 60 + 30);
      assert.equal(s.endMinute, 6 * 60 + 15);
      assert.equal(s.days.saturday, false);
      assert.equal(s.days.friday, true);
      await screenshot(g.page, "schedule-saved-desktop");

      await f.inst.restart();
      const after = (await state(f.inst)).schedule as Schedule;
      assert.deepEqual(
        {
          enabled: after.enabled,
          amps: after.amps,
          start: after.startMinute,
          end: after.endMinute,
          sat: after.days.saturday,
        },
        { enabled: true, amps: 16, start: 1350, end: 375, sat: false },
      );
      await g.page.reload();
      await waitForText(
        g.page,
        "[data-testid=schedule-summary]",
        /Charges at 16 A Mon–Fri from 22:30 to 06:15/,
      );
      assert.equal(await g.page.getByLabel("Start time", { exact: true }).inputValue(), "22:30");
      assert.equal(await g.page.getByLabel("End time", { exact: true }).inputValue(), "06:15");
      assert.equal(await g.page.getByLabel("Saturday").isChecked(), false);
      assert.equal(await g.page.getByLabel("Monday").isChecked(), true);
      assert.equal(await g.page.getByLabel("Charge on a schedule").isChecked(), true);
      assert.deepEqual(g.foreign(), []);
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
    }
  });

  test("invalid input is reported next to the field it concerns", async () => {
    const g = await openPage(f.browser, f.inst.origin, "phone");
    try {
      await g.page.goto(`${f.inst.origin}/schedule`);
      await g.page.getByLabel("Charge on a schedule").check();
      await g.page.getByLabel("Charging rate (A)").fill("3");
      await g.page.getByLabel("Start time", { exact: true }).fill("07:00");
      await g.page.getByLabel("End time", { exact: true }).fill("07:00");
      await g.page.getByRole("button", { name: "Save schedule" }).click();
      await waitForText(g.page, "#sc-amps-error", /at least 6 A/);
      await waitForText(g.page, "#sc-start-error", /Start and end times must differ/);
      assert.equal(await g.page.getByLabel("Charging rate (A)").getAttribute("aria-invalid"), "true");
      const describedBy =
        (await g.page.getByLabel("Charging rate (A)").getAttribute("aria-describedby")) ?? "";
      assert.match(describedBy, /sc-amps-error/);
      await screenshot(g.page, "schedule-errors-phone");

      // The "resume green tracking" hour saves through setSetting.
      await g.page.getByLabel("Resume green tracking from").selectOption("10");
      await waitForText(g.page, "twc-schedule .ok-text", /Saved/);
      assert.equal(
        ((await state(f.inst)).schedule as { resumeGreenEnergyHour: number }).resumeGreenEnergyHour,
        10,
      );
      assert.deepEqual(g.foreign(), []);
    } finally {
      await g.context.close();
    }
  });
});
