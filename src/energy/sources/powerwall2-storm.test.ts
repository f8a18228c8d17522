/**
 * Powerwall2 `stormWatch` (energy-sources.md §3.5, §3.6) against a loopback fake of the Tesla Fleet API
 * (`/api/1/products`, `/api/1/energy_sites/<id>/live_status`) and an in-memory gateway: found site,
 * cached for the cloud interval, several Powerwalls or a 403 only blank the attribute, no token or no
 * vehicle module → no request and no attribute (the macro compares its own text).
 */
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { useLoopback } from "../loopback.test-helper.ts";
import type { FetchFn } from "../polling-source.ts";
import { EnergyPoller } from "../poller.ts";
import { pollNow } from "./module-source.test-helper.ts";
import { createPowerwall2Source, type Powerwall2Deps } from "./powerwall2.ts";
import { STORM_WATCH_INTERVAL_MS, powerwallSiteId, stormModeActive } from "./powerwall2-storm.ts";

const TOKEN = "fleet-access-token";

/** A gateway in memory without a password: the four data URLs. */
const gateway: FetchFn = (input) => {
  const path = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url).pathname;
  const bodies: Record<string, unknown> = {
    "/api/meters/aggregates": { site: { instant_power: 0 }, load: { instant_power: 800 }, solar: { instant_power: 2000 } },
    "/api/system_status/soe": { percentage: 90 },
    "/api/system_status/grid_status": { grid_status: "SystemGridConnected" },
    "/api/operation": { real_mode: "self_consumption", backup_reserve_percent: 20 },
  };
  return Promise.resolve(new Response(JSON.stringify(bodies[path] ?? {}), { status: 200 }));
};

const fleet = { products: [] as unknown[], storm: true, status: 200 };
const server = useLoopback((req, res) => {
  if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end("{}");
  if (fleet.status !== 200) return void res.writeHead(fleet.status).end("{}");
  const url = req.url ?? "";
  if (url === "/api/1/products") return void res.end(JSON.stringify({ response: fleet.products, count: fleet.products.length }));
  if (/^\/api\/1\/energy_sites\/[^/]+\/live_status$/.test(url))
    return void res.end(JSON.stringify({ response: { storm_mode_active: fleet.storm, percentage_charged: 90 } }));
  res.writeHead(404).end("{}");
});
beforeEach(() => {
  fleet.products = [{ energy_site_id: 1234567, battery_type: "ac_powerwall" }, { id: 9, vin: "5YJ3…" }];
  fleet.storm = true;
  fleet.status = 200;
  server.requests.length = 0;
});

function source(o: { token?: string | null; cloudID?: string; noFleet?: boolean } = {}) {
  const clock = new FakeClock();
  const logger = captureLogger();
  const deps: Powerwall2Deps = {
    clock,
    logger,
    fetchImpl: gateway,
    ...(o.noFleet === true ? {} : { fleet: { baseUrl: () => server.url, token: () => (o.token === undefined ? TOKEN : o.token) } }),
  };
  const s = createPowerwall2Source(
    { enabled: true, serverIP: "192.0.2.2", serverPort: 443, minBatteryLevel: 0, pollIntervalS: 10, ...(o.cloudID ? { cloudID: o.cloudID } : {}) },
    deps,
  );
  return { s, clock, logger };
}

test("finds the one ac_powerwall site, reads live_status with the Bearer token and caches it for 1800 s", async () => {
  const { s, clock } = source();
  await pollNow(s);
  assert.equal(s.attributes().stormWatch, true);
  assert.deepEqual(server.requests.map((r) => r.url), ["/api/1/products", "/api/1/energy_sites/1234567/live_status"]);
  assert.ok(server.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`));
  fleet.storm = false;
  clock.advance(STORM_WATCH_INTERVAL_MS - 1);
  await pollNow(s);
  assert.equal(s.attributes().stormWatch, true, "cached");
  assert.equal(server.requests.length, 2);
  clock.advance(1);
  await pollNow(s);
  assert.equal(s.attributes().stormWatch, false);
  assert.equal(server.requests.at(-1)?.url, "/api/1/energy_sites/1234567/live_status", "the site is found once");
  const poller = new EnergyPoller({ clock, logger: captureLogger(), sources: [s] });
  assert.deepEqual(poller.moduleAttribute("Powerwall2", "stormWatch", clock.now()), { value: false });
  await s.stop();
});

test("cloudID skips the products lookup; several Powerwalls or a 403 blank only stormWatch", async () => {
  const withId = source({ cloudID: "777" });
  await pollNow(withId.s);
  assert.deepEqual(server.requests.map((r) => r.url), ["/api/1/energy_sites/777/live_status"]);
  await withId.s.stop();

  fleet.products = [
    { energy_site_id: 1, battery_type: "ac_powerwall" },
    { energy_site_id: 2, battery_type: "ac_powerwall" },
  ];
  const several = source();
  const r = await pollNow(several.s);
  assert.equal(r?.generationW, 2000, "the reading is not affected");
  assert.equal(several.s.attributes().stormWatch, null);
  assert.equal(several.s.lastError(), null);
  await several.s.stop();

  fleet.status = 403;
  const refused = source({ cloudID: "777" });
  await pollNow(refused.s);
  assert.equal(refused.s.attributes().stormWatch, null);
  assert.ok(refused.logger.records.some((l) => l.level === "warn" && (l.msg ?? "").includes("Storm Watch") && JSON.stringify(l.obj).includes("energy_device_data")));
  await refused.s.stop();
});

test("without a token or without a vehicle module: no Fleet request; no attribute without a module", async () => {
  const noToken = source({ token: null });
  await pollNow(noToken.s);
  assert.equal(noToken.s.attributes().stormWatch, null);
  await noToken.s.stop();
  const none = source({ noFleet: true });
  await pollNow(none.s);
  assert.equal("stormWatch" in none.s.attributes(), false);
  const poller = new EnergyPoller({ clock: none.clock, logger: captureLogger(), sources: [none.s] });
  assert.equal(poller.moduleAttribute("TeslaPowerwall2", "stormWatch", none.clock.now()), undefined);
  assert.equal(server.requests.length, 0);
  await none.s.stop();
});

test("pure parsers", () => {
  assert.equal(powerwallSiteId({ response: [{ energy_site_id: 5, battery_type: "ac_powerwall" }] }), "5");
  assert.equal(powerwallSiteId({ response: [] }), null);
  assert.equal(powerwallSiteId("junk"), null);
  assert.equal(stormModeActive({ response: { storm_mode_active: false } }), false);
  assert.equal(stormModeActive({ response: {} }), null);
});
