/**
 * Issue 12 §9–§11 as a user sees them: the header's sign-in, "signed in as" and sign-out; a wrong
 * password keeps the username; a form error in the form's words; the sessions list says who stopped a
 * session; hours without data are a gap, not 0 W.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  inPage,
  launchBrowser,
  openPage,
  post,
  screenshot,
  skipReason,
  startInstance,
  state,
  useInstanceAndBrowser,
  waitFor,
  waitForText,
  type AuthOptions,
} from "./helpers.ts";

const AUTH: AuthOptions = { username: "admin", password: "correct horse battery", protectReads: false };

describe("sign-in in the header", { skip: skipReason, timeout: 180_000 }, () => {
  const f = useInstanceAndBrowser(AUTH);

  test("Sign in → wrong password keeps the username → signed in as admin → Sign out", async () => {
    const g = await openPage(f.browser, f.inst.origin, "desktop");
    try {
      await g.page.goto(`${f.inst.origin}/settings`);
      await waitForText(g.page, "twc-app .conn", /Live/);
      const signIn = g.page.locator("[data-testid=sign-in]");
      await signIn.waitFor();
      assert.equal(await signIn.getAttribute("href"), "/login?next=%2Fsettings");
      await signIn.click();
      await g.page.getByLabel("Password").waitFor();

      await g.page.getByLabel("Username").fill("admin");
      await g.page.getByLabel("Password").fill("wrong password");
      await g.page.getByRole("button", { name: "Sign in" }).click();
      await waitForText(g.page, "[role=alert]", /Invalid username or password/);
      assert.equal(await g.page.getByLabel("Username").inputValue(), "admin", "the username is kept");
      assert.equal(await g.page.getByLabel("Password").inputValue(), "");
      assert.equal(
        await inPage<string>(g.page, "document.activeElement ? document.activeElement.id : ''"),
        "login-password",
        "the password has the focus",
      );

      await g.page.getByLabel("Password").fill(AUTH.password);
      await g.page.getByRole("button", { name: "Sign in" }).click();
      await g.page.waitForURL(`${f.inst.origin}/settings`);
      await waitForText(g.page, "[data-testid=signed-in]", /Signed in as admin/);
      await screenshot(g.page, "header-signed-in-desktop");

      await g.page.getByRole("button", { name: "Sign out" }).click();
      await g.page.waitForURL(/\/login$/);
      await g.page.goto(`${f.inst.origin}/`);
      await g.page.locator("[data-testid=sign-in]").waitFor();
      assert.equal(await g.page.locator("[data-testid=signed-in]").count(), 0);
      const r = await g.page.evaluate(
        async () => (await fetch("/api/cancelChargeNow", { method: "POST" })).status,
      );
      assert.equal(r, 401, "signed out for real: a control needs a sign-in again");
      assert.deepEqual(g.foreign(), []);
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
    }
  });
});

describe("numbers and words", { skip: skipReason, timeout: 240_000 }, () => {
  test("a form error in the form's words; who stopped a session; no data is a gap", async () => {
    const inst = await startInstance();
    const browser = await launchBrowser();
    try {
      const g = await openPage(browser, inst.origin, "desktop");
      try {
        await g.page.goto(`${inst.origin}/settings`);
        await g.page.locator("twc-offsets form").waitFor();
        await g.page.locator("#off-name").fill("heat pump");
        await g.page.getByRole("button", { name: "Add offset" }).click();
        const err = g.page.locator("#off-value-error");
        await waitForText(g.page, "#off-value-error", /^Value is required/);
        assert.doesNotMatch(await err.innerText(), /offsetValue/, "no API field name");
        await screenshot(g.page, "offset-error-in-words-desktop");
      } finally {
        await g.context.close();
      }

      // A car charges (Charge Now); TWCManager is then restarted.
      assert.equal(
        (await post(inst, "/api/chargeNow", { chargeNowRate: 24, chargeNowDuration: 3600 })).status,
        200,
      );
      await waitFor(
        async () => (await state(inst)).chargers.some((c) => (c.reportedAmpsActual as number) >= 1),
        30_000,
        "a car charging",
      );
      await new Promise((r) => setTimeout(r, 3000));
      await inst.restart();

      const h = await openPage(browser, inst.origin, "desktop");
      try {
        await h.page.goto(`${inst.origin}/graphs`);
        const cell = h.page.locator("[data-testid=sessions] [data-testid=stopped-by]").first();
        await cell.waitFor();
        assert.equal((await cell.innerText()).trim(), "TWCManager stopped");
        const doc = (await (await fetch(`${inst.origin}/api/v2/sessions`)).json()) as {
          sessions: { endedAt: string | null; stoppedBy?: string; energyKWh: number | null }[];
        };
        const ended = doc.sessions.find((x) => x.endedAt !== null);
        assert.equal(ended?.stoppedBy, "controller");
        assert.ok(
          (ended?.energyKWh ?? 0) > 0,
          `seconds of charging are more than 0 kWh: ${ended?.energyKWh}`,
        );
        // Hours before TWCManager ran are no data, not 0 W.
        await waitForText(
          h.page,
          "twc-graphs .small[aria-live]",
          /No data for .* \(TWCManager was not running\)/,
        );
        await screenshot(h.page, "sessions-stopped-by-desktop");
        assert.deepEqual(h.foreign(), []);
        assert.deepEqual(h.errors(), []);
      } finally {
        await h.context.close();
      }
    } finally {
      await browser.close();
      await inst.dispose();
    }
  });
});
