/** With a username and password configured (protectReads), pages require login and the login works. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  inPage,
  openPage,
  screenshot,
  skipReason,
  startInstance,
  useInstanceAndBrowser,
  waitFor,
  waitForText,
  type AuthOptions,
} from "./helpers.ts";

const AUTH: AuthOptions = { username: "admin", password: "correct horse battery", protectReads: true };

describe("authentication", { skip: skipReason, timeout: 180_000 }, () => {
  const f = useInstanceAndBrowser(AUTH);

  test("a page redirects to the login form; wrong then right password; the UI then works", async () => {
    const g = await openPage(f.browser, f.inst.origin, "phone");
    try {
      const unauth = await fetch(`${f.inst.origin}/api/v2/state`);
      assert.equal(unauth.status, 401, "reads are protected");

      await g.page.goto(`${f.inst.origin}/schedule`);
      assert.equal(new URL(g.page.url()).pathname, "/login");
      assert.equal(new URL(g.page.url()).searchParams.get("next"), "/schedule");
      assert.equal(
        await inPage<string>(g.page, "getComputedStyle(document.body).display"),
        "grid",
        "login.css is applied",
      );
      await screenshot(g.page, "login-phone");

      await g.page.getByLabel("Username").fill("admin");
      await g.page.getByLabel("Password").fill("wrong password");
      await g.page.getByRole("button", { name: "Sign in" }).click();
      await waitForText(g.page, "[role=alert]", /Invalid username or password/);
      assert.equal(await g.page.getByLabel("Username").inputValue(), "admin", "a wrong password keeps the username (issue 12 §11)");
      await screenshot(g.page, "login-failed-phone");

      await g.page.getByLabel("Username").fill("admin");
      await g.page.getByLabel("Password").fill(AUTH.password);
      await g.page.getByRole("button", { name: "Sign in" }).click();
      await g.page.waitForURL(`${f.inst.origin}/schedule`);
      await g.page.getByRole("heading", { name: "Schedule", level: 1 }).waitFor();
      await waitForText(g.page, "twc-app .conn", /Live/);

      // Navigate within the app and use a control (POST with the session cookie).
      await g.page.getByRole("link", { name: "Dashboard" }).click();
      await g.page.locator('twc-charger-card article[data-twcid="4142"]').waitFor();
      await g.page.getByRole("button", { name: "Start charging now" }).click();
      await waitForText(g.page, "[data-testid=charge-now-status]", /Active:/);
      await screenshot(g.page, "dashboard-signed-in-phone");
      await g.page.getByRole("button", { name: "Cancel Charge Now" }).click();
      await waitForText(g.page, "[data-testid=charge-now-status]", /Not active/);
      assert.deepEqual(g.foreign(), []);
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
    }
  });

  test("without a session, a control answers 'Authentication required' with a sign-in link", async () => {
    const open = await startInstance({ ...AUTH, protectReads: false });
    const g = await openPage(f.browser, open.origin, "desktop");
    try {
      await g.page.goto(`${open.origin}/`);
      await waitForText(g.page, "twc-app .conn", /Live/);
      // issue 12 §11: the header says who is signed in, and offers sign-in / sign-out.
      await g.page.locator("[data-testid=sign-in]").waitFor();
      assert.equal(await g.page.locator("[data-testid=signed-in]").count(), 0);
      await g.page.getByRole("button", { name: "Start charging now" }).click();
      await waitForText(g.page, "twc-charge-now .form-status", /Authentication required/);
      const link = g.page.locator("twc-charge-now .form-status a");
      assert.equal(await link.getAttribute("href"), "/login?next=%2F");
      await link.click();
      await g.page.getByLabel("Password").waitFor();
      await g.page.getByLabel("Username").fill("admin");
      await g.page.getByLabel("Password").fill(AUTH.password);
      await g.page.getByRole("button", { name: "Sign in" }).click();
      await g.page.waitForURL(`${open.origin}/`);
      await g.page.getByRole("button", { name: "Start charging now" }).click();
      await waitForText(g.page, "[data-testid=charge-now-status]", /Active:/);
      await waitFor(
        async () => {
          const r = await fetch(`${open.origin}/api/v2/state`);
          return ((await r.json()) as { chargeNow: { active: boolean } }).chargeNow.active;
        },
        5000,
        "Charge Now active",
      );
      await waitForText(g.page, "[data-testid=signed-in]", /Signed in as admin/);
      await g.page.getByRole("button", { name: "Sign out" }).click();
      // Signing out ends on the sign-in form; the dashboard then offers "Sign in" again.
      await g.page.getByLabel("Username").waitFor();
      assert.equal(new URL(g.page.url()).pathname, "/login");
      await g.page.goto(`${open.origin}/`);
      await g.page.locator("[data-testid=sign-in]").waitFor();
      assert.equal(await g.page.locator("[data-testid=signed-in]").count(), 0, "signed out");
      // The session is gone: a control asks for authentication again.
      await g.page.getByRole("button", { name: "Cancel Charge Now" }).click();
      await waitForText(g.page, "twc-charge-now .form-status", /Authentication required/);
      assert.deepEqual(g.foreign(), []);
    } finally {
      await g.context.close();
      await open.dispose();
    }
  });
});
