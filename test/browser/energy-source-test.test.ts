/**
 * "Test this source" in a real browser (issue 11 §4): a real instance reads a loopback fake Fronius;
 * clicking Test on its line in the energy-sources card shows the parsed figures in a table and the raw
 * answer in a <pre>; a failing device shows the error and what it answered.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { startLoopback, type Handler, type Loopback } from "../../src/energy/loopback.test-helper.ts";
import { freePort, spawnCli, tempDir, writeConfig, type CliProcess } from "../integration/helpers.ts";
import {
  browserConfig,
  ensureWebBuilt,
  launchBrowser,
  openPage,
  screenshot,
  skipReason,
  waitFor,
  waitForText,
} from "./helpers.ts";

const POWER_FLOW = { Body: { Data: { Site: { P_PV: 4321.0, P_Load: -987.0, P_Grid: -3334.0 } } } };

const healthy: Handler = (req, res) => {
  const body = (req.url ?? "").includes("GetPowerFlowRealtimeData")
    ? POWER_FLOW
    : { Body: { Data: { UAC: { Unit: "V", Value: 229.6 } } } };
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
};

describe("energy source test", { skip: skipReason, timeout: 180_000 }, () => {
  let fronius: Loopback;
  let cli: CliProcess;
  let origin = "";
  let browser: Browser;
  let cleanup = (): void => undefined;

  before(async () => {
    await ensureWebBuilt();
    fronius = await startLoopback(healthy);
    const t = tempDir("twcm-browser-source-");
    cleanup = () => t.cleanup();
    const port = await freePort();
    const config = {
      ...browserConfig(t.dir, port),
      sources: { Fronius: { enabled: true, serverIP: "127.0.0.1", serverPort: fronius.port, pollIntervalS: 3600 } },
    };
    cli = spawnCli(["--config", writeConfig(t.dir, config)]);
    origin = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        if (cli.child.exitCode !== null) throw new Error(`twcmanager exited:\n${cli.output()}`);
        const r = await fetch(`${origin}/api/v2/state`).catch(() => null);
        if (!r?.ok) return null;
        const s = (await r.json()) as { energy: { sources: { name: string; updatedAt: string | null }[] } };
        return s.energy.sources.some((x) => x.name === "Fronius" && x.updatedAt !== null);
      },
      30_000,
      "the Fronius source's first reading",
    );
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await cli?.kill("SIGTERM");
    await fronius?.close();
    cleanup();
  });

  test("clicking Test shows the figures in a table and the raw answer; a failing device shows its error", async () => {
    const g = await openPage(browser, origin, "desktop");
    try {
      await g.page.goto(`${origin}/`);
      const line = g.page.locator('[data-testid=energy-source][data-source="Fronius"]');
      await line.waitFor();
      const seen = fronius.requests.length;
      await line.getByRole("button", { name: /Test Fronius/ }).click();
      const figures = await waitForText(g.page, "[data-testid=source-test-figures]", /Generation/);
      assert.match(figures, /Generation\s*4\.32 kW/);
      assert.match(figures, /Consumption\s*987 W/);
      assert.match(figures, /voltage\s*229\.6/);
      const raw = await waitForText(g.page, "[data-testid=source-test-raw]", /GetPowerFlowRealtimeData/);
      assert.match(raw, /HTTP 200/);
      assert.match(raw, /"P_PV":4321/);
      assert.match(
        await g.page.locator("[data-testid=source-test-outcome]").innerText(),
        /Reading received/,
      );
      assert.ok(fronius.requests.length > seen, "the device was polled for the test");
      await screenshot(g.page, "energy-source-test-desktop");

      fronius.handler = (_req, res) => void res.writeHead(500).end("datamanager busy");
      await line.getByRole("button", { name: /Test Fronius/ }).click();
      await waitForText(g.page, "[data-testid=source-test-outcome]", /Test failed: .*HTTP 500/);
      await waitForText(g.page, "[data-testid=source-test-raw]", /HTTP 500\s*datamanager busy/);
      assert.equal(await g.page.locator("[data-testid=source-test-figures]").count(), 0);
      assert.deepEqual(g.foreign(), [], "no request leaves the origin");
      assert.deepEqual(g.errors(), []);
    } finally {
      fronius.handler = healthy;
      await g.context.close();
    }
  });
});
