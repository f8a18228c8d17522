/**
 * Issue 12 §5–§8 in a real browser against a real instance: the why-sentences carry their numbers (a
 * 4.6 A solar budget from a loopback energy meter), the surplus reads "—" without a source, the Charge
 * Now total above the budget is explained, and a browser in New York sees the controller's Amsterdam time.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { freePort, spawnCli, tempDir, waitFor, writeConfig, type CliProcess } from "../integration/helpers.ts";
import { browserConfig, ensureWebBuilt, launchBrowser, screenshot, skipReason, waitForText } from "./helpers.ts";

const card = (id: string): string => `twc-charger-card article[data-twcid="${id}"]`;
const SERVER_ZONE = "Europe/Amsterdam";
const BROWSER_ZONE = "America/New_York";

interface Running {
  origin: string;
  cli: CliProcess;
  cleanup(): void;
}

/** A loopback energy meter for the URL source: `/energy/gen` and `/energy/cons` as plain watts. */
async function meter(gen: number, cons: number): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    res.setHeader("content-type", "text/plain");
    res.end(req.url?.endsWith("/gen") ? String(gen) : req.url?.endsWith("/cons") ? String(cons) : "0");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/energy`, server };
}

/** The demo instance (two chargers) with the controller in Amsterdam and an optional URL source. */
async function start(sourceUrl?: string): Promise<Running> {
  await ensureWebBuilt();
  const t = tempDir("twcm-why-");
  const port = await freePort();
  const cfg = browserConfig(t.dir, port);
  const config = sourceUrl
    ? { ...cfg, sources: { URL: { enabled: true, url: sourceUrl, generationItem: "gen", consumptionItem: "cons", pollIntervalS: 2 } } }
    : cfg;
  const cli = spawnCli(["--config", writeConfig(t.dir, config)], { TZ: SERVER_ZONE });
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (cli.child.exitCode !== null) throw new Error(`twcmanager exited:\n${cli.output()}`);
        const r = await fetch(`${origin}/api/v2/state`).catch(() => null);
        if (!r?.ok) return null;
        const s = (await r.json()) as { chargers: { ampsOffered: number | null }[] };
        return s.chargers.length === 2 && s.chargers.every((c) => c.ampsOffered !== null);
      },
      30_000,
      "two linked chargers",
    );
    // Track green energy at all hours, so the solar policy is active whatever the time of day.
    const r = await fetch(`${origin}/api/setSetting`, { method: "POST", body: JSON.stringify({ setting: "nonScheduledAction", value: 3 }) });
    assert.ok(r.ok, `setSetting: ${r.status}`);
  } catch (err) {
    await cli.kill("SIGKILL");
    t.cleanup();
    throw err;
  }
  return { origin, cli, cleanup: () => t.cleanup() };
}

async function state(origin: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${origin}/api/v2/state`)).json()) as Record<string, unknown>;
}

/** A page in a browser context that lives in New York. */
async function newYorkPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: BROWSER_ZONE });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page, errors };
}

/** Hour and minute of `ms` in `zone`. */
function hm(ms: number, zone: string): { hour: number; min: number } {
  const p = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(ms);
  const get = (t: string): number => Number(p.find((x) => x.type === t)?.value);
  return { hour: get("hour"), min: get("minute") };
}

describe("why-sentences with a 4.6 A solar budget, and the controller's clock", { skip: skipReason, timeout: 180_000 }, () => {
  let run: Running;
  let browser: Browser;
  let server: Server;
  before(async () => {
    // 1,104 W surplus at 240 V = 4.6 A: below the 6 A a car needs.
    const m = await meter(1104, 0);
    server = m.server;
    run = await start(m.url);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await run?.cli.kill("SIGTERM");
    run?.cleanup();
    server?.close();
  });

  test("the charger card, the budget card and the surplus card say why, in their numbers", async () => {
    await waitFor(async () => ((await state(run.origin)).budget as { maxAmpsToDivide: number }).maxAmpsToDivide === 4.6, 20_000, "a 4.6 A budget");
    const g = await newYorkPage(browser);
    try {
      await g.page.goto(`${run.origin}/`);
      await waitForText(
        g.page,
        `${card("4142")} [data-testid=why]`,
        /^Offered 0 A: the solar budget is 4\.6 A, below the 6 A a car needs \(Track Green Energy\)\.$/,
      );
      await waitForText(g.page, "[data-testid=budget]", /^Budget 4\.6 A/);
      await waitForText(
        g.page,
        "[data-testid=budget-why]",
        /^Solar budget 4\.6 A \(Track Green Energy\): 1,104 W ÷ 240 V surplus — generation 1\.10 kW − consumption 0 W, below the 6 A a car needs\.$/,
      );
      await waitForText(g.page, "[data-testid=surplus]", /^Surplus \+1\.10 kW more generated than used$/);
      await waitForText(g.page, "[data-testid=surplus-why]", /^\+1\.10 kW for charging: generation 1\.10 kW − consumption 0 W\.$/);
      await screenshot(g.page, "why-small-budget-desktop");
      assert.deepEqual(g.errors, []);
    } finally {
      await g.context.close();
    }
  });

  test("a browser in New York sees the controller's Amsterdam time on the Policy page and in the week view", async () => {
    const s = await state(run.origin);
    assert.equal((s.clock as { timeZone: string }).timeZone, SERVER_ZONE);
    assert.match((s.clock as { utcOffset: string }).utcOffset, /^\+0[12]:00$/);
    const g = await newYorkPage(browser);
    try {
      assert.equal(await g.page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone"), BROWSER_ZONE);
      await g.page.goto(`${run.origin}/policy`);
      await waitForText(g.page, "[data-testid=policy-zone]", /^Times are Europe\/Amsterdam \(UTC\+0[12]:00\), the controller's/);
      // The daytime green entry's first condition reads the hour: the controller's, not the browser's.
      const before = hm(Date.now(), SERVER_ZONE).hour;
      const leaf = g.page.locator("li.policy").nth(2).locator(".cond-leaf").first();
      const text = ((await leaf.textContent()) ?? "").replace(/\s+/g, " ");
      const after = hm(Date.now(), SERVER_ZONE).hour;
      const m = /tm_hour \(now (\d+)\)/.exec(text);
      assert.ok(m, text);
      assert.ok([before, after].includes(Number(m[1])), `hour ${m[1]} is Amsterdam's (${before}), not New York's (${hm(Date.now(), BROWSER_ZONE).hour})`);
      assert.match(text, /the hour is at least \d\d:00 \(the sunrise hour\)/, "the condition in words");
      await screenshot(g.page, "why-policy-new-york-desktop");

      await g.page.goto(`${run.origin}/schedule`);
      await waitForText(g.page, "twc-schedule [data-testid=schedule-zone]", /Times are Europe\/Amsterdam/);
      const t0 = Date.now();
      const d = (await g.page.locator("twc-schedule .wg-now").first().getAttribute("d")) ?? "";
      const x = Number(/^M(\d+)/.exec(d)?.[1]);
      const mins = [t0, Date.now()].map((ms) => {
        const v = hm(ms, SERVER_ZONE);
        return v.hour * 60 + v.min;
      });
      assert.ok(mins.includes(x), `the now line at minute ${x} is Amsterdam's ${mins.join("/")}`);
      assert.deepEqual(g.errors, []);
    } finally {
      await g.context.close();
    }
  });
});

describe("no energy source, and Charge Now shared by all chargers", { skip: skipReason, timeout: 180_000 }, () => {
  let run: Running;
  let browser: Browser;
  before(async () => {
    run = await start();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await run?.cli.kill("SIGTERM");
    run?.cleanup();
  });

  test("the surplus reads — under an active solar policy without any source, and the budget says why", async () => {
    const g = await newYorkPage(browser);
    try {
      await g.page.goto(`${run.origin}/`);
      await waitForText(g.page, "[data-testid=active-policy]", /Track Green Energy/);
      await waitForText(g.page, "[data-testid=surplus]", /^Surplus — no reading$/);
      await waitForText(g.page, "[data-testid=surplus-why]", /^No reading: no energy source is configured/);
      await waitForText(g.page, "[data-testid=budget-why]", /no energy source is configured, so generation counts as 0 W/);
      await waitForText(g.page, `${card("4142")} [data-testid=why]`, /^Offered 0 A: the budget is 0 A, so nothing is offered|^Offered 0 A: the solar budget is 0 A/);
      assert.deepEqual(g.errors, []);
    } finally {
      await g.context.close();
    }
  });

  test("Charge Now 16 A: the total above the budget is explained, and the wiring limit is never at stake", async () => {
    const g = await newYorkPage(browser);
    try {
      await g.page.goto(`${run.origin}/`);
      const r = await fetch(`${run.origin}/api/chargeNow`, { method: "POST", body: JSON.stringify({ chargeNowRate: 16, chargeNowDuration: 3600 }) });
      assert.equal(r.status, 200);
      await waitForText(g.page, "[data-testid=budget-why]", /^Budget 16 A: Charge Now at 16 A, shared by all chargers\.$/);
      const total = await waitForText(
        g.page,
        "[data-testid=offered-why]",
        /Offered 21 A in total, above the 16 A budget: idle charger 4344 is offered its 5 A minimum/,
        30_000,
      );
      assert.match(total, /The 48 A wiring limit is never at stake/);
      await waitForText(g.page, `${card("4344")} [data-testid=why]`, /^Offered 5 A, the charger's minimum, so that a car plugged in here can start: the other chargers use [\d.]+ A of the 16 A budget/);
      await screenshot(g.page, "why-charge-now-total-desktop");
      assert.deepEqual(g.errors, []);
    } finally {
      await g.context.close();
    }
  });
});
