/**
 * Powerwall2 Storm Watch through the running Tesla vehicle module (energy-sources.md §3.6): the
 * products lookup and `live_status` reach the HTTPS Fleet API fake with the module's token, through
 * its region host or through the teslaProxy with the module's own TLS client; without a token nothing
 * is requested.
 */
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { fakeCar, type FakeFleet } from "../../integrations/tesla/fake-fleet-api.test-helper.ts";
import { HOME, startRig, type Rig } from "../../integrations/tesla/tesla-rig.test-helper.ts";
import { StormWatch } from "./powerwall2-storm.ts";

const VIN = "5YJ3E1EA7KF000001";

function scriptSite(fake: FakeFleet, storm: boolean): void {
  fake.script.push(
    { match: /^GET \/api\/1\/products$/, status: 200, body: { response: [{ energy_site_id: 4711, battery_type: "ac_powerwall" }, { id: 1, vin: VIN }], count: 2 } },
    { match: /^GET \/api\/1\/energy_sites\/4711\/live_status$/, status: 200, body: { response: { storm_mode_active: storm, percentage_charged: 80 } } },
  );
}

async function readStorm(rig: Rig): Promise<boolean | null> {
  const storm = new StormWatch({ clock: rig.clock, logger: captureLogger(), fleet: rig.module.fleetAccess() }, undefined);
  await storm.refresh(new AbortController().signal);
  return storm.current();
}

test("Storm Watch reads the Fleet API with the Tesla module's token (region host)", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME })] });
  try {
    scriptSite(rig.fake, true);
    assert.equal(await readStorm(rig), true);
    const site = rig.fake.requests.filter((r) => r.path.startsWith("/api/1/products") || r.path.startsWith("/api/1/energy_sites"));
    assert.deepEqual(site.map((r) => r.path), ["/api/1/products", "/api/1/energy_sites/4711/live_status"]);
    assert.ok(site.every((r) => r.bearer === rig.fake.tokens.access), "the module's current access token");
    assert.deepEqual(rig.leaks(), [], "no token in a log line");
  } finally {
    await rig.close();
  }
});

test("Storm Watch goes through the teslaProxy with the module's TLS client (teslaProxyCert)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twcm-storm-"));
  try {
    const rig = await startRig({
      cars: [fakeCar(VIN, { ...HOME })],
      via: "proxy",
      config: (fake) => {
        const pem = join(dir, "proxy.pem");
        writeFileSync(pem, fake.cert);
        return { proxyCert: pem };
      },
    });
    try {
      scriptSite(rig.fake, false);
      assert.equal(await readStorm(rig), false);
      assert.equal(rig.fake.count(/live_status/), 1);
    } finally {
      await rig.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("without a Tesla token Storm Watch requests nothing and stays unknown", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME })], settings: { carApiBearerToken: "", carApiRefreshToken: "" } });
  try {
    scriptSite(rig.fake, true);
    assert.equal(await readStorm(rig), null);
    assert.equal(rig.fake.count(/products|energy_sites/), 0);
  } finally {
    await rig.close();
  }
});
