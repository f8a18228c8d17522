/**
 * The Logs page (issue 13 §2) with a real instance and Debian's chromium: the recent lines, new lines
 * appearing live (a Charge Now through the API logs the policy change), the level and module filters,
 * the text download, nothing off-origin.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { inPage, openPage, post, screenshot, skipReason, useInstanceAndBrowser, waitFor, waitForText } from "./helpers.ts";

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];

describe("Logs page", { skip: skipReason, timeout: 180_000 }, () => {
  const f = useInstanceAndBrowser();

  test("recent lines, a new line live, level and module filters, download", async () => {
    const g = await openPage(f.browser, f.inst.origin, "desktop");
    try {
      await g.page.goto(`${f.inst.origin}/`);
      await g.page.locator("twc-charger-card").first().waitFor();
      // Through the navigation, as a user gets there.
      await g.page.getByRole("link", { name: "Logs", exact: true }).click();
      await g.page.getByRole("heading", { name: "Logs", level: 1 }).waitFor();
      assert.equal(await g.page.title(), "Logs · TWCManager");
      await g.page.locator("[data-testid=logs-live]").waitFor({ timeout: 15_000 });
      await waitForText(g.page, ".log-lines", /TWCManager \S+ started/);
      const first = (await g.page.locator(".log-line").first().textContent()) ?? "";
      assert.match(first, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) /);

      // A line that did not exist when the page loaded arrives over the stream.
      const before = await g.page.locator(".log-line").count();
      assert.ok((await post(f.inst, "/api/chargeNow", { chargeNowRate: 20, chargeNowDuration: 3600 })).ok);
      await waitForText(g.page, ".log-lines", /policy changed to Charge Now/);
      assert.ok((await g.page.locator(".log-line").count()) > before);
      assert.equal(new URL(g.page.url()).pathname, "/logs");

      // Level: WARN and above shows only warn, error and fatal lines.
      const total = await g.page.locator(".log-line").count();
      await g.page.getByLabel("Level").selectOption("warn");
      await waitForText(g.page, "[data-testid=logs-count]", new RegExp(`of ${total} lines`));
      const shownLevels = await inPage<string[]>(g.page, `Array.from(document.querySelectorAll(".log-line")).map((l) => l.dataset.level)`);
      assert.ok(shownLevels.every((l) => LEVELS.indexOf(l) >= LEVELS.indexOf("warn")), shownLevels.join(" "));
      assert.ok(shownLevels.length < total, "the info lines are hidden");
      await screenshot(g.page, "logs-warn-desktop");
      await g.page.getByLabel("Level").selectOption("");
      await waitFor(async () => (await g.page.locator(".log-line").count()) >= total, 10_000, "every line back");

      // Module: only the controller's lines.
      await g.page.getByLabel("Module").selectOption("controller");
      await waitFor(async () => {
        const mods = await inPage<string[]>(g.page, `Array.from(document.querySelectorAll(".log-line")).map((l) => l.dataset.module)`);
        return mods.length > 0 && mods.every((m) => m === "controller");
      }, 10_000, "only controller lines");
      await waitForText(g.page, ".log-lines", /policy changed to Charge Now/);

      // Download: the shown lines as text.
      const shown = await inPage<string[]>(g.page, `Array.from(document.querySelectorAll(".log-line")).map((l) => l.textContent)`);
      const [download] = await Promise.all([g.page.waitForEvent("download"), g.page.getByRole("button", { name: "Download" }).click()]);
      assert.match(download.suggestedFilename(), /^twcmanager-\d{8}-\d{6}\.log$/);
      const path = await download.path();
      assert.ok(path);
      const lines = readFileSync(path, "utf8").split("\n").filter((l) => l !== "");
      assert.deepEqual(lines.slice(0, shown.length), shown);

      await screenshot(g.page, "logs-desktop");
      assert.deepEqual(g.foreign(), [], "no request leaves the origin");
      assert.deepEqual(g.errors(), [], "no script errors or CSP violations");
    } finally {
      await g.context.close();
    }
  });

  test("on a phone: the lines wrap inside the page, nothing scrolls sideways", async () => {
    const g = await openPage(f.browser, f.inst.origin, "phone", "dark");
    try {
      await g.page.goto(`${f.inst.origin}/logs`);
      await g.page.locator("[data-testid=logs-live]").waitFor({ timeout: 15_000 });
      await waitForText(g.page, ".log-lines", /started/);
      assert.ok(await inPage<boolean>(g.page, "document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling");
      await screenshot(g.page, "logs-phone-dark");
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
    }
  });
});
