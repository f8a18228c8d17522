/**
 * Every page in light and dark, desktop and phone: renders without errors, labelled controls, no request
 * leaves the origin. Plus keyboard navigation, the disconnected badge, Policy, Graphs and Debug actions.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import {
  inPage,
  openPage,
  post,
  screenshot,
  skipReason,
  state,
  useInstanceAndBrowser,
  waitFor,
  waitForText,
} from "./helpers.ts";

const PAGES = [
  { path: "/", h1: "Dashboard", ready: "twc-charger-card" },
  { path: "/graphs", h1: "Graphs", ready: "#power-chart canvas" },
  { path: "/schedule", h1: "Schedule", ready: "twc-week-grid" },
  { path: "/policy", h1: "Policy", ready: ".policy-list" },
  { path: "/settings", h1: "Settings", ready: "twc-offsets" },
  { path: "/debug", h1: "Debug", ready: "pre.hex" },
] as const;

/** Controls without an accessible name (label, aria-label or text). */
function unlabelled(page: Page): Promise<string[]> {
  return inPage<string[]>(
    page,
    `Array.from(document.querySelectorAll("input, select, textarea, button, a[href]"))
      .filter((el) => !el.closest("[hidden]") && el.type !== "hidden")
      .filter((el) => !((el.labels && el.labels.length > 0) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.textContent || "").trim() !== ""))
      .map((el) => el.outerHTML.slice(0, 120))`,
  );
}

const activeId = (page: Page): Promise<string | undefined> => inPage(page, "document.activeElement?.id");
const activeText = (page: Page): Promise<string | undefined> =>
  inPage(page, "document.activeElement?.textContent?.trim()");

describe("pages", { skip: skipReason, timeout: 240_000 }, () => {
  const f = useInstanceAndBrowser();

  test("every page renders on desktop and phone, light and dark, with labelled controls and nothing off-origin", async () => {
    for (const scheme of ["light", "dark"] as const) {
      for (const vp of ["desktop", "phone"] as const) {
        const g = await openPage(f.browser, f.inst.origin, vp, scheme);
        try {
          for (const p of PAGES) {
            await g.page.goto(`${f.inst.origin}${p.path}`);
            await g.page.locator(p.ready).first().waitFor({ timeout: 10_000 });
            assert.deepEqual(await g.page.locator("h1").allTextContents(), [p.h1], `${p.path}: one h1`);
            assert.equal(await g.page.title(), `${p.h1} · TWCManager`);
            assert.equal(await g.page.locator(`nav a[aria-current=page]`).textContent(), p.h1);
            assert.deepEqual(await unlabelled(g.page), [], `${p.path}: every control has a name`);
            await screenshot(g.page, `${p.path === "/" ? "dashboard" : p.path.slice(1)}-${vp}-${scheme}`);
          }
          assert.deepEqual(g.foreign(), [], "no request leaves the origin");
          assert.deepEqual(g.errors(), [], "no script errors or CSP violations");
        } finally {
          await g.context.close();
        }
      }
    }
  });

  test("keyboard: skip link, then the navigation moves between pages without a reload", async () => {
    const g = await openPage(f.browser, f.inst.origin, "desktop");
    try {
      await g.page.goto(`${f.inst.origin}/`);
      await g.page.locator("twc-charger-card").first().waitFor();
      await inPage(g.page, "window.marker = 1");
      await g.page.keyboard.press("Tab");
      assert.equal(await activeText(g.page), "Skip to content");
      const outline = await inPage<string>(g.page, "getComputedStyle(document.activeElement).outlineStyle");
      assert.notEqual(outline, "none", "visible focus");
      await g.page.keyboard.press("Enter");
      assert.equal(await activeId(g.page), "main");

      await g.page.keyboard.press("Shift+Tab");
      let guard = 0;
      while ((await activeText(g.page)) !== "Settings" && guard++ < 30) {
        await g.page.keyboard.press("Tab");
      }
      await g.page.keyboard.press("Enter");
      await g.page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
      assert.equal(new URL(g.page.url()).pathname, "/settings");
      assert.equal(await inPage<number>(g.page, "window.marker"), 1, "client-side navigation");
      assert.equal(await activeId(g.page), "main", "focus moves to the new page");
      await g.page.goBack();
      await g.page.locator("twc-charger-card").first().waitFor();
      assert.equal(new URL(g.page.url()).pathname, "/");
    } finally {
      await g.context.close();
    }
  });

  test("Policy: live true/false labels, the active badge, and Force this policy", async () => {
    const g = await openPage(f.browser, f.inst.origin, "desktop");
    try {
      await g.page.goto(`${f.inst.origin}/policy`);
      const active = (await state(f.inst)).policy as { active: string };
      const activeCard = g.page.locator(".policy-active");
      await activeCard.waitFor();
      assert.match((await activeCard.locator("h2").textContent()) ?? "", new RegExp(active.active));
      assert.match((await activeCard.textContent()) ?? "", /Active/);
      assert.ok((await g.page.locator(".truth-true").count()) > 0);
      assert.ok((await g.page.locator(".truth-false").count()) > 0);
      assert.match(
        (await g.page.locator(".truth-false").first().textContent()) ?? "",
        /false/,
        "labelled, not colour alone",
      );

      const green = g.page.locator("li.policy").filter({ hasText: "Track Green Energy" }).first();
      await green.getByRole("button", { name: "Force this policy" }).click();
      await waitForText(
        g.page,
        "twc-policy .form-status",
        /“Track Green Energy” is forced for one policy check interval/,
      );
      const p = (await state(f.inst)).policy as { active: string; forced: { name: string } | null };
      assert.equal(p.active, "Track Green Energy");
      assert.equal(p.forced?.name, "Track Green Energy");
      await waitForText(g.page, ".policy-active", /Forced until/);
      await screenshot(g.page, "policy-forced-desktop");
      assert.deepEqual(g.foreign(), []);
    } finally {
      await g.context.close();
    }
  });

  test("Graphs: the period switch reloads the chart and CSV export downloads locally", async () => {
    const g = await openPage(f.browser, f.inst.origin, "desktop");
    try {
      const asked: string[] = [];
      g.page.on("request", (r) => {
        if (r.url().includes("/api/v2/history")) asked.push(new URL(r.url()).search);
      });
      await g.page.goto(`${f.inst.origin}/graphs`);
      await g.page.locator("#power-chart canvas").waitFor();
      await g.page.getByLabel("7 days").check();
      await waitFor(() => asked.includes("?hours=168"), 5000, "7-day history");
      const [download] = await Promise.all([
        g.page.waitForEvent("download"),
        g.page.getByRole("button", { name: "Download CSV" }).first().click(),
      ]);
      assert.equal(download.suggestedFilename(), "twcmanager-power-168h.csv");
      const text = readFileSync(await download.path(), "utf8");
      assert.match(text, /^time,charger_W,generation_W,consumption_W\r\n/);
      assert.ok(text.split("\r\n").length > 2000, "7 days of 5-minute points");
      assert.deepEqual(g.foreign(), []);
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
    }
  });

  test("Debug: client-side hex check, the server's refusal, and a firmware query", async () => {
    const g = await openPage(f.browser, f.inst.origin, "phone");
    try {
      await g.page.goto(`${f.inst.origin}/debug`);
      await g.page.getByLabel("Allow debug commands").check();
      await waitForText(g.page, "twc-debug .ok-text", /Saved/);
      await g.page.getByLabel("Custom frame (hex)").check();
      await g.page.getByLabel("Frame bytes").fill("FB 1");
      await g.page.getByRole("button", { name: "Send" }).click();
      await waitForText(g.page, "#dbg-hex-error", /customCommand must be hexadecimal bytes \(2 to 32\)/);
      await g.page.getByLabel("Frame bytes").fill("FC 19 00 00");
      await g.page.getByRole("button", { name: "Send" }).click();
      await waitForText(g.page, "twc-debug .form-status", /Command refused: it may disable or crash the TWC/);

      await g.page.getByLabel("Get firmware version").check();
      await g.page.getByLabel("Charger", { exact: true }).selectOption("4142");
      await g.page.getByRole("button", { name: "Send" }).click();
      await waitForText(g.page, "twc-debug .form-status", /Sent/);
      await waitForText(
        g.page,
        "[data-testid=last-response]",
        /^[0-9A-F]{2}( [0-9A-F]{2})+$|nothing captured/,
        10_000,
      );
      await screenshot(g.page, "debug-phone");
      assert.deepEqual(g.foreign(), []);
    } finally {
      await g.context.close();
    }
  });

  test("the badge shows 'Disconnected — retrying' while the server is down and recovers", async () => {
    const g = await openPage(f.browser, f.inst.origin, "desktop");
    try {
      await g.page.goto(`${f.inst.origin}/`);
      await waitForText(g.page, "twc-app .conn", /Live/);
      await f.inst.stop();
      await waitForText(g.page, "twc-app .conn", /Disconnected — retrying/, 20_000);
      await screenshot(g.page, "disconnected-desktop");
      await f.inst.restart();
      await waitForText(g.page, "twc-app .conn", /Live/, 30_000);
      // The stream is live again: a change shows up without reload.
      assert.equal(
        (await post(f.inst, "/api/chargeNow", { chargeNowRate: 10, chargeNowDuration: 600 })).status,
        200,
      );
      await waitForText(g.page, "[data-testid=active-policy]", /Charge Now/);
      assert.equal((await post(f.inst, "/api/cancelChargeNow")).status, 200);
    } finally {
      await g.context.close();
    }
  });
});
