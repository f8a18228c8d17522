/**
 * The first real start in a real browser (issue 12 §1, §4): a serial port that does not exist shows an
 * alert banner with the reason and the fix, the header shows the bus down, Debug shows it too; chargers
 * whose bus goes away (the simulator process killed) read "not responding" with the time of their last
 * answer, and come back when it returns.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { freePort, spawnCli, tempDir, writeConfig, type CliProcess } from "../integration/helpers.ts";
import { ensureWebBuilt, launchBrowser, openPage, screenshot, skipReason, waitFor, waitForText } from "./helpers.ts";

const card = (id: string): string => `twc-charger-card article[data-twcid="${id}"]`;

/** A twcmanager process with `iface` as its bus, HTTP on a free loopback port. */
async function startWith(dir: string, iface: Record<string, unknown>): Promise<{ cli: CliProcess; origin: string }> {
  await ensureWebBuilt();
  const port = await freePort();
  const path = writeConfig(dir, {
    config: { settingsPath: join(dir, "settings"), wiringMaxAmpsAllTWCs: 48, wiringMaxAmpsPerTWC: 32, minAmpsPerTWC: 6 },
    interface: iface,
    control: { HTTP: { enabled: true, listenPort: port, listenAddress: "127.0.0.1" } },
    logging: { Console: { enabled: true, simple: true } },
  });
  const cli = spawnCli(["--config", path]);
  const origin = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (cli.child.exitCode !== null) throw new Error(`twcmanager exited:\n${cli.output()}`);
    return (await fetch(`${origin}/api/v2/state`)).ok;
  }, 30_000, "the web interface");
  return { cli, origin };
}

describe("first start", { skip: skipReason, timeout: 180_000 }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test("a serial port that does not exist: the banner says why and how to fix it, the header shows the bus down", async () => {
    const t = tempDir("twcm-browser-");
    const inst = await startWith(t.dir, { RS485: { port: "/dev/ttyUSB-twcm-absent" } });
    const g = await openPage(browser, inst.origin, "desktop");
    try {
      await g.page.goto(`${inst.origin}/`);
      const banner = await waitForText(g.page, "twc-app .alert[data-code=BUS_OPEN_FAILED]", /cannot open/);
      assert.match(banner, /Error: cannot open \/dev\/ttyUSB-twcm-absent: no such file — check interface\.RS485\.port; ls \/dev\/serial\/by-id lists the adapters/);
      assert.equal(await g.page.locator("twc-app .alert[data-code=BUS_OPEN_FAILED] code").first().textContent(), "interface.RS485.port", "the config key as code");
      assert.equal(await g.page.locator("twc-app .alert[data-code=BUS_OPEN_FAILED]").getAttribute("role"), "alert");
      await waitForText(g.page, "twc-app .conn", /Live · bus down/);
      assert.equal(await g.page.locator("twc-app .conn-live").count(), 0, "not a green Live");
      await screenshot(g.page, "first-start-port-missing-desktop");
      await g.page.goto(`${inst.origin}/debug`);
      await waitForText(g.page, "twc-app .alert[data-code=BUS_OPEN_FAILED]", /no such file/);
      await waitForText(g.page, "twc-debug", /disconnected/);
      assert.deepEqual(g.foreign(), []);
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
      assert.equal(await inst.cli.kill("SIGTERM"), 0);
      t.cleanup();
    }
  });

  test("chargers whose bus goes away read 'not responding' with their last answer, and recover", async () => {
    const t = tempDir("twcm-browser-");
    const simPort = await freePort();
    const startSim = (): CliProcess => spawnCli(["sim", "--listen", `127.0.0.1:${simPort}`, "--slaves", "2", "--ratings", "80,32"]);
    let sim = startSim();
    const inst = await (async () => {
      await waitFor(() => sim.output().includes("simulator listening"), 20_000, "simulator start");
      return startWith(t.dir, { TCP: { enabled: true, server: `127.0.0.1:${simPort}`, slaveTimeout: 5 }, RS485: { enabled: false } });
    })();
    const g = await openPage(browser, inst.origin, "desktop");
    try {
      await g.page.goto(`${inst.origin}/`);
      await waitForText(g.page, `${card("4142")} [data-testid=state]`, /Ready|Plugged|Charging/, 30_000);
      await waitForText(g.page, "twc-app .conn", /^Live$/);
      await sim.kill("SIGKILL");
      const label = await waitForText(g.page, `${card("4142")} [data-testid=state]`, /Not responding/, 40_000);
      assert.match(label, /^Not responding · last answer \d\d:\d\d$/);
      await waitForText(g.page, `${card("4344")} [data-testid=state]`, /Not responding/);
      await waitForText(g.page, "twc-app .conn", /bus down/);
      const banner = await waitForText(g.page, "twc-app .alert[data-code=BUS_OPEN_FAILED]", /cannot connect/);
      assert.match(banner, new RegExp(`cannot connect to 127\\.0\\.0\\.1:${simPort}: connection refused — nothing listens there`));
      await screenshot(g.page, "first-start-not-responding-desktop");
      sim = startSim();
      await waitFor(() => sim.output().includes("simulator listening"), 20_000, "simulator restart");
      await waitForText(g.page, `${card("4142")} [data-testid=state]`, /^(?!Not responding)/, 40_000);
      await waitFor(async () => (await g.page.locator("twc-app .alert[data-code=BUS_OPEN_FAILED]").count()) === 0, 20_000, "the banner to clear");
      await waitForText(g.page, "twc-app .conn", /^Live$/);
      assert.deepEqual(g.foreign(), []);
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
      assert.equal(await inst.cli.kill("SIGTERM"), 0);
      await sim.kill("SIGTERM");
      t.cleanup();
    }
  });
});
