/**
 * The Vehicles pages in chromium (issue 14 §4, issue 15 §5, vehicles.md §8.4–§8.5) against the real
 * Fleet API module and the HTTPS loopback fake of the Fleet API: two cars with their facts (state of
 * charge, limit, at home, charging, last seen, charger, command path, last command), live updates, the
 * vehicle groups edited on the pages and persisted in settings.json, the Debug page's Tesla API
 * command and its result on the Vehicles page. Desktop and phone; no script errors; nothing loaded
 * from another origin.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { fakeCar } from "../../src/integrations/tesla/fake-fleet-api.test-helper.ts";
import { inPage, launchBrowser, screenshot, skipReason, waitFor, waitForText, withGuardedPage, type GuardedPage } from "./helpers.ts";
import { HOME, startVehicleRig, type VehicleRig } from "./vehicles-rig.ts";

const RED = "5YJ3E1EA8KF000001"; // Model 3, 2019, Fremont: on charger 4142
const BLUE = "5YJYGDEE0MF000002"; // Model Y, 2021: away from home, on no charger

interface LiveCar {
  vin: string;
  twcId: string | null;
  batteryLevel: number | null;
  lastCommand: { name: string; ok: boolean } | null;
}

async function liveCars(rig: VehicleRig): Promise<LiveCar[]> {
  const r = await fetch(`${rig.origin}/api/v2/state`);
  return ((await r.json()) as { vehicles: LiveCar[] }).vehicles;
}

/** Controls without an accessible name (label, aria-label or text). */
function unlabelled(page: Page): Promise<string[]> {
  return inPage<string[]>(
    page,
    `Array.from(document.querySelectorAll("main input, main select, main textarea, main button, main a[href]"))
      .filter((el) => !el.closest("[hidden]") && el.type !== "hidden")
      .filter((el) => !((el.labels && el.labels.length > 0) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.textContent || "").trim() !== ""))
      .map((el) => el.outerHTML.slice(0, 120))`,
  );
}

const overflowX = (page: Page): Promise<number> =>
  inPage<number>(page, "document.documentElement.scrollWidth - document.documentElement.clientWidth");

/** Elements that reach beyond the viewport's right edge (for the overflow message). */
const wider = (page: Page): Promise<string[]> =>
  inPage<string[]>(
    page,
    `Array.from(document.querySelectorAll("main *")).filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).slice(0, 6).map((e) => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))`,
  );

const card = (page: Page, vin: string): string => `[data-testid=vehicle][data-vin="${vin}"]`;

/** The settings.json groups: name → members. */
function groupsOnDisk(rig: VehicleRig): Record<string, string[]> {
  const g = (rig.settingsFile().VehicleGroups ?? {}) as Record<string, { Members?: string[] }>;
  return Object.fromEntries(Object.entries(g).map(([k, v]) => [k, v.Members ?? []]));
}

describe("vehicles pages", { skip: skipReason, timeout: 240_000 }, () => {
  let rig: VehicleRig;
  let browser: Browser;

  before(async () => {
    rig = await startVehicleRig({
      cars: [
        fakeCar(RED, { name: "Red Model 3", soc: 54, limit: 80, chargingState: "Charging", lat: HOME.lat, lon: HOME.lon }),
        // About 5 km north of home.
        fakeCar(BLUE, { name: "Blue Model Y", soc: 81, limit: 90, chargingState: "Disconnected", lat: 52.565, lon: 13.405 }),
      ],
      chargerVins: [RED, null],
    });
    browser = await launchBrowser();
    await rig.readCars();
    // The charger reports Red's VIN once it draws current (Charge Now).
    await waitFor(async () => (await liveCars(rig)).find((c) => c.vin === RED)?.twcId === "4142", 30_000, "Red linked to TWC 4142");
  });
  after(async () => {
    await browser?.close();
    await rig?.stop();
  });

  const guarded = (vp: "desktop" | "phone", fn: (g: GuardedPage) => Promise<void>): Promise<void> => withGuardedPage(browser, rig.origin, vp, fn);

  test("both cars from the Tesla account with state of charge, limit, home, charging, last seen, charger and command path", async () => {
    for (const vp of ["desktop", "phone"] as const) {
      await guarded(vp, async (g) => {
        await g.page.goto(`${rig.origin}/`);
        await g.page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Vehicles" }).click();
        await g.page.getByRole("heading", { name: "Vehicles", level: 1 }).waitFor();
        assert.equal(await g.page.title(), "Vehicles · TWCManager");
        await waitForText(g.page, "[data-testid=account-line]", /logged in, token expires/);

        const red = card(g.page, RED);
        await waitForText(g.page, `${red} h2`, /^Red Model 3$/);
        assert.equal(await g.page.locator(`${red} [data-fact=vin]`).textContent(), RED);
        await waitForText(g.page, `${red} [data-fact=soc]`, /^54 %$/);
        await waitForText(g.page, `${red} [data-fact=limit]`, /^80 %$/);
        await waitForText(g.page, `${red} [data-fact=home]`, /^At home$/);
        await waitForText(g.page, `${red} [data-fact=charging]`, /^Charging$/);
        await waitForText(g.page, `${red} [data-fact=seen]`, /\(\d+ s ago\) · awake$|\(0 s ago\) · awake$|ago\) · awake$/);
        await waitForText(g.page, `${red} [data-fact=twc]`, /^TWC 4142$/);
        await waitForText(g.page, `${red} [data-fact=path]`, /^Tesla API through the vehicle-command proxy/);
        await waitForText(g.page, `${red} [data-fact=sessions]`, /^\d+ · /);

        const blue = card(g.page, BLUE);
        await waitForText(g.page, `${blue} h2`, /^Blue Model Y$/);
        await waitForText(g.page, `${blue} [data-fact=soc]`, /^81 %$/);
        await waitForText(g.page, `${blue} [data-fact=limit]`, /^90 %$/);
        await waitForText(g.page, `${blue} [data-fact=home]`, /^Away$/);
        await waitForText(g.page, `${blue} [data-fact=charging]`, /^Not plugged in$/);
        await waitForText(g.page, `${blue} [data-fact=twc]`, /^Not on a charger$/);

        // Sorted by VIN (vehicles.md §8.4).
        assert.deepEqual(await inPage<string[]>(g.page, `Array.from(document.querySelectorAll("[data-testid=vehicle]")).map((e) => e.getAttribute("data-vin"))`), [RED, BLUE]);
        // No coordinate of either car reaches the page.
        const text = (await g.page.locator("main").textContent()) ?? "";
        assert.doesNotMatch(text, /52\.5|13\.40/);
        assert.deepEqual(await unlabelled(g.page), [], "every control has a name");
        assert.ok((await overflowX(g.page)) <= 0, `${vp}: no sideways scrolling`);
        await screenshot(g.page, `vehicles-${vp}`);
      });
    }
  });

  test("a new state of charge from the car appears without a reload", async () => {
    await guarded("desktop", async (g) => {
      await g.page.goto(`${rig.origin}/vehicles`);
      await waitForText(g.page, `${card(g.page, RED)} [data-fact=soc]`, /^\d+ %$/);
      await inPage(g.page, "window.marker = 1");
      rig.fake.cars[0]!.soc = 61;
      await rig.module.byVin(RED)!.refresh(0);
      await waitForText(g.page, `${card(g.page, RED)} [data-fact=soc]`, /^61 %$/);
      assert.equal(await inPage<number>(g.page, "window.marker"), 1, "same page, no reload");
    });
  });

  test("vehicle detail: VIN decoded, groups changed with Add / Remove and kept in settings.json", async () => {
    await guarded("desktop", async (g) => {
      await g.page.goto(`${rig.origin}/vehicles`);
      await g.page.getByRole("link", { name: "Red Model 3" }).click();
      await g.page.getByRole("heading", { name: "Red Model 3", level: 1 }).waitFor();
      assert.equal(new URL(g.page.url()).pathname, `/vehicleDetail/${RED}`);
      await waitForText(g.page, "[data-testid=vin-decoded]", /Maker\s*Tesla.*Model\s*Model 3.*Model year\s*2019.*Plant\s*Fremont/);
      await waitForText(g.page, "[data-testid=vehicle-live] [data-fact=twc]", /TWC 4142/);
      await waitForText(g.page, "[data-testid=entitlement]", /^May charge/);
      // BLE Control only with the BLE module (vehicles.md §8.4).
      assert.equal(await g.page.locator("[data-testid=ble-control]").count(), 0);

      await g.page.getByRole("button", { name: "Add to Deny Charging" }).click();
      await waitForText(g.page, "twc-vehicle-detail .form-status", /Added to “Deny Charging”/);
      await waitForText(g.page, "[data-testid=membership] [data-group='Deny Charging']", /in this group/);
      await waitForText(g.page, "[data-testid=entitlement]", /^May not charge: it is in Deny Charging/);
      await waitFor(() => groupsOnDisk(rig)["Deny Charging"]?.includes(RED) === true, 10_000, "Deny Charging saved");
      await screenshot(g.page, "vehicle-detail-desktop");

      // Still there after a reload, and shown in the Vehicles page's group table.
      await g.page.reload();
      await waitForText(g.page, "[data-testid=membership] [data-group='Deny Charging']", /— in this group/);
      await g.page.getByRole("link", { name: "← Vehicles" }).click();
      await waitForText(g.page, "[data-testid=vehicle-groups] tr[data-group='Deny Charging']", new RegExp(RED));

      await g.page.getByRole("link", { name: RED }).click();
      await g.page.getByRole("button", { name: "Remove from Deny Charging" }).click();
      await waitForText(g.page, "twc-vehicle-detail .form-status", /Removed from “Deny Charging”/);
      await waitForText(g.page, "[data-testid=membership] [data-group='Deny Charging']", /not in this group/);
      await waitFor(() => groupsOnDisk(rig)["Deny Charging"]?.includes(RED) === false, 10_000, "Deny Charging saved without Red");
    });
  });

  test("groups: add with errors in the form's words, a name taken meanwhile, delete after asking", async () => {
    await guarded("phone", async (g) => {
      await g.page.goto(`${rig.origin}/vehicles`);
      const name = g.page.getByLabel("Group name");
      await name.waitFor();
      await g.page.getByRole("button", { name: "Add group" }).click();
      await waitForText(g.page, "#grp-name-error", /^Enter a group name$/);
      assert.equal(await name.getAttribute("aria-invalid"), "true");
      await name.fill("Allow Charging");
      await g.page.getByRole("button", { name: "Add group" }).click();
      await waitForText(g.page, "#grp-name-error", /A group named 'Allow Charging' already exists/);

      // Another browser adds "Garage" while this page still shows the old list: the server refuses it.
      const other = await fetch(`${rig.origin}/vehicle/group`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: "operation=add&group=Garage&description=",
      });
      assert.equal(other.status, 200);
      await name.fill("Garage");
      await g.page.getByRole("button", { name: "Add group" }).click();
      await waitForText(g.page, "#grp-name-error", /Garage.*already exists/);

      await name.fill("Weekend cars");
      await g.page.getByLabel("Description").fill("Only charged on Saturdays");
      await g.page.getByRole("button", { name: "Add group" }).click();
      await waitForText(g.page, "twc-vehicle-groups .form-status", /Group “Weekend cars” added/);
      await waitForText(g.page, "[data-testid=vehicle-groups] tr[data-group='Weekend cars']", /Weekend cars\s*none\s*Only charged on Saturdays/);
      await waitFor(() => "Weekend cars" in groupsOnDisk(rig), 10_000, "new group saved");
      const saved = (rig.settingsFile().VehicleGroups as Record<string, Record<string, unknown>>)["Weekend cars"];
      assert.equal(saved?.Description, "Only charged on Saturdays");
      await screenshot(g.page, "vehicle-groups-phone");
      assert.ok((await overflowX(g.page)) <= 0, `phone: no sideways scrolling: ${(await wider(g.page)).join(", ")}`);

      // Built-in groups cannot be deleted; custom ones after a confirmation.
      assert.equal(await g.page.getByRole("button", { name: "Delete group Deny Charging" }).count(), 0);
      await g.page.getByRole("button", { name: "Delete group Weekend cars" }).click();
      const dialog = g.page.getByRole("dialog", { name: "Delete the group “Weekend cars”?" });
      await dialog.getByRole("button", { name: "Delete group" }).click();
      await waitForText(g.page, "twc-vehicle-groups .form-status", /Group “Weekend cars” deleted/);
      await waitFor(() => !("Weekend cars" in groupsOnDisk(rig)), 10_000, "group deleted on disk");
      assert.equal(await g.page.locator("[data-testid=vehicle-groups] tr[data-group='Weekend cars']").count(), 0);
    });
  });

  test("Debug page's Tesla API command: checked before sending, sent to the car, its result on the Vehicles page", async () => {
    await guarded("desktop", async (g) => {
      await g.page.goto(`${rig.origin}/debug`);
      const form = g.page.locator("twc-tesla-command");
      await form.getByLabel("Vehicle").selectOption({ label: "Red Model 3" });
      const params = form.getByLabel("Parameters");
      assert.equal((await params.inputValue()).replace(/\s+/g, ""), '{"charge_rate":5}');

      const before = rig.fake.count(/set_charging_amps/);
      await params.fill('{ "charge_rate": 99 }');
      await form.getByRole("button", { name: "Send Tesla API Command" }).click();
      await waitForText(g.page, "#tcmd-params-error", /Charge rate must be a whole number of amps between 1 and 48/);
      assert.equal(await params.getAttribute("aria-invalid"), "true");
      await params.fill("{ charge_rate: 8 }");
      await form.getByRole("button", { name: "Send Tesla API Command" }).click();
      await waitForText(g.page, "#tcmd-params-error", /Parameters must be JSON/);
      assert.equal(rig.fake.count(/set_charging_amps/), before, "nothing sent for bad parameters");

      await params.fill('{ "charge_rate": 8 }');
      await form.getByRole("button", { name: "Send Tesla API Command" }).click();
      await waitForText(g.page, "twc-tesla-command .form-status", /Charge rate sent to Red Model 3/);
      const sent = rig.fake.requests.filter((r) => r.path === `/api/1/vehicles/${RED}/command/set_charging_amps`).at(-1);
      assert.deepEqual(JSON.parse(sent?.body ?? "{}"), { charging_amps: 8 });

      // A car that needs signed commands: the page says so, and what to do.
      rig.fake.script.push({
        match: new RegExp(`POST /api/1/vehicles/${BLUE}/command/set_charging_amps`),
        status: 403,
        body: { response: null, error: "Tesla Vehicle Command Protocol required, please refer to the documentation here: https://developer.tesla.com/docs/fleet-api#2023-10-09-rest-api-vehicle-commands-endpoint-deprecation-warning" },
      });
      await form.getByLabel("Vehicle").selectOption({ label: "Blue Model Y" });
      await params.fill('{ "charge_rate": 10 }');
      await form.getByRole("button", { name: "Send Tesla API Command" }).click();
      await waitForText(g.page, "twc-tesla-command .form-status", /\S/);
      assert.doesNotMatch((await g.page.locator("twc-tesla-command .form-status").textContent()) ?? "", /sent to/);

      await g.page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Vehicles" }).click();
      await waitForText(g.page, `${card(g.page, RED)} [data-fact=command]`, /^Set charging amps to 8 A: done/);
      await waitForText(g.page, `${card(g.page, BLUE)} [data-fact=command]`, /^Set charging amps to 10 A: failed: the car needs signed commands\. What to do: this car needs signed commands: configure teslaProxy/);
      const last = (await liveCars(rig)).find((c) => c.vin === BLUE)?.lastCommand;
      assert.equal(last?.ok, false);
      await screenshot(g.page, "vehicles-last-command-desktop");
    });
  });

  test("dashboard: the charger with Red names the car and shows its state of charge and limit; the other charger shows no car", async () => {
    for (const vp of ["desktop", "phone"] as const) {
      await guarded(vp, async (g) => {
        await g.page.goto(`${rig.origin}/`);
        const red = (await liveCars(rig)).find((c) => c.vin === RED)!;
        const charger = "twc-charger-card [data-twcid='4142']";
        await waitForText(g.page, `${charger} [data-testid=car]`, /^Red Model 3$/);
        await waitForText(g.page, `${charger} [data-testid=soc]`, new RegExp(`^${String(red.batteryLevel)} % · limit 80 %$`));
        assert.match((await g.page.locator(`${charger} dt`).allTextContents()).join("|"), /Car\|(SoC|Last SoC)\|/);
        // TWC 4344 has no car: no car facts at all (the SoC block is hidden while there is none).
        await g.page.locator("twc-charger-card [data-twcid='4344']").waitFor();
        assert.equal(await g.page.locator("twc-charger-card [data-twcid='4344'] [data-testid=car], twc-charger-card [data-twcid='4344'] [data-testid=soc]").count(), 0);
        assert.ok((await overflowX(g.page)) <= 0, `${vp}: no sideways scrolling: ${(await wider(g.page)).join(", ")}`);
        await screenshot(g.page, `dashboard-car-${vp}`);
        await g.page.locator(`${charger} [data-testid=car] a`).click();
        await g.page.getByRole("heading", { name: "Red Model 3", level: 1 }).waitFor();
        assert.equal(new URL(g.page.url()).pathname, `/vehicleDetail/${RED}`);
      });
    }
  });

  test("no token of the Tesla account reaches a page, the state or the settings API", async () => {
    await guarded("desktop", async (g) => {
      for (const path of ["/vehicles", `/vehicleDetail/${RED}`, "/teslaAccount", "/debug"]) {
        await g.page.goto(`${rig.origin}${path}`);
        await g.page.locator("h1").first().waitFor();
        await g.page.waitForLoadState("networkidle");
        const htmlText = await g.page.content();
        for (const t of rig.fake.issued) assert.ok(!htmlText.includes(t), `${path} shows no token`);
      }
    });
    for (const path of ["/api/v2/state", "/api/v2/vehicles", "/api/v2/settings", "/api/getConfig"]) {
      const body = await (await fetch(`${rig.origin}${path}`)).text();
      for (const t of rig.fake.issued) assert.ok(!body.includes(t), `${path} has no token`);
    }
  });
});
