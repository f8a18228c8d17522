/**
 * TeslaMate's token sync as the Fleet API module sees it (vehicles.md §5.2), against the HTTPS loopback
 * fake: synced tokens are used as the bearer and never refreshed here — neither at the 300 s check with
 * an expiring JWT nor after a 401 "expired" (a refresh would spend TeslaMate's refresh token) —; the
 * account shows `tokenSync` (no login prompt); manual tokens are refused while syncing.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeCar, fakeJwt } from "./fake-fleet-api.test-helper.ts";
import { HOME, startRig } from "./tesla-rig.test-helper.ts";

const VIN = "5YJ3E1EA7KF000001";

test("synced tokens are the bearer, are never refreshed (300 s check, 401 expired), and refuse manual entry", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME, soc: 44 })], settings: { carApiBearerToken: "", carApiRefreshToken: "" } });
  try {
    const refresh = rig.fake.tokens.refresh;
    // TeslaMate's access token expires in 10 minutes: the module must not refresh it itself.
    rig.fake.tokens.access = fakeJwt({ exp: Math.floor(rig.clock.now() / 1000) + 600, ou_code: "NA", note: "teslamate" });
    rig.fake.issued.push(rig.fake.tokens.access);
    await rig.module.setSyncedTokens(rig.fake.tokens.access, refresh);
    assert.equal(rig.module.account().tokenSync, true, "no login prompt while syncing");
    assert.equal(rig.commands.settings.carApiBearerToken, rig.fake.tokens.access, "stored where TWCManager keeps them");

    assert.equal(await rig.drive(rig.module.available("none")), true);
    assert.equal(await rig.drive(rig.module.byVin(VIN)!.refresh(0)).then((r) => r.ok), true);
    assert.equal(rig.module.statuses()[0]!.socPercent, 44);
    assert.ok(rig.fake.requests.some((r) => r.path.includes("vehicle_data") && r.bearer === rig.fake.tokens.access), "the synced token is the bearer");

    rig.advance(300_000);
    rig.fake.script.push({ match: /vehicle_data/, status: 401, body: { error: "token expired (401)" } });
    await rig.drive(rig.module.byVin(VIN)!.refresh(0));
    assert.equal(rig.fake.requests.filter((r) => r.path === "/oauth2/v3/token").length, 0, "no refresh: TeslaMate owns the refresh token");
    assert.equal(rig.fake.tokens.refresh, refresh, "TeslaMate's refresh token unspent");

    await rig.module.setTokens("manual-access-token-123456", "manual-refresh-token-123456");
    assert.equal(rig.commands.settings.carApiBearerToken, rig.fake.tokens.access, "manual entry refused while syncing");
    assert.ok(rig.lines().some((l) => /token sync provides them/.test(l)));
    assert.deepEqual(rig.leaks(), [], "no token in a log line");
  } finally {
    await rig.close();
  }
});
