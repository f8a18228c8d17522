/** Dashboard in a real browser against a real instance: chargers, live updates, Charge Now, Start/Stop dialog. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import {
  skipWithoutMosquitto,
  startMosquitto,
  type Mosquitto,
} from "../../src/integrations/mqtt/mosquitto.test-helper.ts";
import {
  ampsIn,
  inPage,
  launchBrowser,
  startInstance,
  type Instance,
  openPage,
  post,
  screenshot,
  skipReason,
  state,
  useInstanceAndBrowser,
  waitFor,
  waitForText,
} from "./helpers.ts";

const card = (id: string): string => `twc-charger-card article[data-twcid="${id}"]`;

describe("dashboard", { skip: skipReason, timeout: 180_000 }, () => {
  const f = useInstanceAndBrowser();

  test("shows both chargers and follows the car live, without reloading, when Charge Now starts", async () => {
    const g = await openPage(f.browser, f.inst.origin, "desktop");
    try {
      await g.page.goto(`${f.inst.origin}/`);
      await waitForText(g.page, "twc-app .conn", /Live/);
      assert.match(
        (await g.page.locator(card("4142")).textContent()) ?? "",
        /Charger 4142.*Protocol v2 · rated 80 A/s,
      );
      assert.match(
        (await g.page.locator(card("4344")).textContent()) ?? "",
        /Charger 4344.*Protocol v1 · rated 32 A/s,
      );
      assert.equal(await ampsIn(g.page, `${card("4142")} [data-testid=actual]`), 0);
      await inPage(g.page, "window.marker = 42");

      const r = await post(f.inst, "/api/chargeNow", { chargeNowRate: 24, chargeNowDuration: 3600 });
      assert.equal(r.status, 200);
      await waitFor(
        async () => (await ampsIn(g.page, `${card("4142")} [data-testid=actual]`)) > 20,
        20_000,
        "the car to draw more than 20 A",
      );
      await waitForText(g.page, `${card("4142")} [data-testid=state]`, /Charging/);
      await waitForText(g.page, "[data-testid=active-policy]", /Charge Now/);
      await waitForText(g.page, "[data-testid=charge-now-status]", /Active:\s*24 A until/);
      assert.equal(await inPage<number>(g.page, "window.marker"), 42, "the page was not reloaded");
      const load = (await g.page.locator("[data-testid=charger-load]").textContent()) ?? "";
      assert.match(load, /kW/, "charger load shown in kW while charging");
      await screenshot(g.page, "dashboard-charging-desktop");

      const phone = await openPage(f.browser, f.inst.origin, "phone");
      await phone.page.goto(`${f.inst.origin}/`);
      await waitForText(phone.page, `${card("4142")} [data-testid=state]`, /Charging/);
      await screenshot(phone.page, "dashboard-charging-phone");
      assert.deepEqual(phone.foreign(), []);
      assert.deepEqual(phone.errors(), []);
      await phone.context.close();

      assert.equal((await post(f.inst, "/api/cancelChargeNow")).status, 200);
      assert.deepEqual(g.foreign(), [], "no request leaves the origin");
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
    }
  });

  test("Charge Now from the UI (keyboard) changes the state and Cancel reverts it", async () => {
    const g = await openPage(f.browser, f.inst.origin, "phone");
    try {
      await g.page.goto(`${f.inst.origin}/`);
      await waitForText(g.page, "[data-testid=charge-now-status]", /Not active/);
      const rate = g.page.locator("#cn-rate");
      await rate.focus();
      await g.page.keyboard.press("Home");
      for (let i = 0; i < 10; i++) await g.page.keyboard.press("ArrowRight");
      await waitForText(g.page, "label[for=cn-rate] output", /^16 A$/);
      const hours = g.page.locator("#cn-hours");
      await hours.focus();
      await g.page.keyboard.press("Home");
      await g.page.keyboard.press("ArrowRight");
      await waitForText(g.page, "label[for=cn-hours] output", /^2 h$/);
      await g.page.getByRole("button", { name: "Start charging now" }).click();

      await waitForText(g.page, "[data-testid=charge-now-status]", /Active:\s*16 A until/);
      const s1 = await state(f.inst);
      const cn = s1.chargeNow as { active: boolean; amps: number; endsAt: string };
      assert.equal(cn.active, true);
      assert.equal(cn.amps, 16);
      const left = Date.parse(cn.endsAt) - Date.now();
      assert.ok(left > 7_000_000 && left <= 7_200_000, `ends in about 2 h (${left} ms)`);
      assert.equal((s1.policy as { active: string }).active, "Charge Now");
      await waitForText(g.page, "twc-charge-now .form-status", /Charge Now started at 16 A for 2 h/);
      await screenshot(g.page, "charge-now-active-phone");

      await g.page.getByRole("button", { name: "Cancel Charge Now" }).click();
      await waitForText(g.page, "[data-testid=charge-now-status]", /Not active/);
      const s2 = await state(f.inst);
      assert.equal((s2.chargeNow as { active: boolean }).active, false);
      assert.notEqual((s2.policy as { active: string }).active, "Charge Now");
      assert.deepEqual(g.foreign(), []);
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
    }
  });

  test("Stop all chargers asks first, warns about Tesla cars, and Cancel sends nothing", async () => {
    const g = await openPage(f.browser, f.inst.origin, "desktop");
    try {
      const posts: string[] = [];
      g.page.on("request", (req) => {
        if (req.method() === "POST") posts.push(new URL(req.url()).pathname);
      });
      await g.page.goto(`${f.inst.origin}/`);
      await g.page.getByRole("button", { name: "Stop all chargers" }).click();
      const dialog = g.page.getByRole("dialog", { name: "Stop all chargers?" });
      await dialog.waitFor();
      assert.match(
        (await dialog.textContent()) ?? "",
        /may not resume charging until they are unplugged and plugged in again/,
      );
      await screenshot(g.page, "stop-dialog-desktop");
      await g.page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      assert.deepEqual(posts, []);

      await g.page.getByRole("button", { name: "Start all chargers" }).click();
      await g.page.getByRole("dialog").getByRole("button", { name: "Start all chargers" }).click();
      await waitForText(g.page, "twc-bus-commands .form-status", /Start command sent/);
      assert.deepEqual(posts, ["/api/sendStartCommand"]);
      assert.deepEqual(g.foreign(), []);
    } finally {
      await g.context.close();
    }
  });
});

describe("MQTT in the web interface", { skip: skipReason || skipWithoutMosquitto, timeout: 180_000 }, () => {
  const f: { broker?: Mosquitto; inst?: Instance; browser?: Browser } = {};
  before(async () => {
    f.broker = await startMosquitto();
    f.inst = await startInstance(undefined, f.broker.port);
    f.browser = await launchBrowser();
  });
  after(async () => {
    await f.browser?.close();
    await f.inst?.dispose();
    await f.broker?.dispose();
  });

  test("the dashboard shows the connection (and its loss); the settings page lists the topics with an example", async () => {
    const g = await openPage(f.browser!, f.inst!.origin, "desktop");
    try {
      await g.page.goto(`${f.inst!.origin}/`);
      const conn = "twc-mqtt-connections [data-testid=mqtt-connection]";
      await waitForText(g.page, `${conn} [data-testid=mqtt-state]`, /^\s*Connected\s*$/);
      const text = (await g.page.locator(conn).textContent()) ?? "";
      assert.match(text, new RegExp(`mqtt://127\\.0\\.0\\.1:${f.broker!.port}`));
      assert.match(text, /Used by control\.MQTT, status\.MQTT/);
      await screenshot(g.page, "dashboard-mqtt-desktop");

      await f.broker!.stop();
      await waitForText(g.page, `${conn} [data-testid=mqtt-state]`, /Not connected/);
      await waitForText(g.page, `${conn} [data-testid=mqtt-error]`, /Last error:/);
      await f.broker!.start();
      await waitForText(g.page, `${conn} [data-testid=mqtt-state]`, /^\s*Connected\s*$/);

      await g.page.goto(`${f.inst!.origin}/settings`);
      await waitForText(g.page, "twc-mqtt-topics [data-testid=mqtt-example]", /mosquitto_pub -h 127\.0\.0\.1 -t 'TWC\/control\/chargeNow' -m '16,3600'/);
      const topics = await g.page.locator("twc-mqtt-topics [data-testid=mqtt-topic] td:first-child").allTextContents();
      for (const t of ["TWC/control/chargeNow", "TWC/control/stop", "TWC/ha/chargeNowAmps/set", "TWC/ha/4142/stopCharging/set"])
        assert.ok(topics.some((x) => x.trim() === t), `${t} in ${topics.join(", ")}`);
      await screenshot(g.page, "settings-mqtt-topics-desktop");
      assert.deepEqual(g.foreign(), []);
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
    }
  });
});
