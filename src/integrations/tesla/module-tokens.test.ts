/**
 * Fleet API tokens against the HTTPS loopback fake (vehicles.md §2.3, §9.2 scenarios 4–6): a token
 * expiring within an hour is refreshed at the next 300 s check (the new refresh token persisted, the
 * old one never reused); a 401 "expired" on vehicle_data refreshes once and retries once; a refused
 * refresh clears both tokens, saves them and raises VEHICLE_AUTH_REQUIRED naming the fix, with no
 * further refresh attempts; an unchanged TWCManager settings.json (carApi* keys) works through the real
 * settings store. No token appears in a log line or an error text.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SettingsStore } from "../../config/settings-store.ts";
import { Commands } from "../../engine/commands.ts";
import { startHarness } from "../../engine/engine-harness.test-helper.ts";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { fakeCar, fakeJwt } from "./fake-fleet-api.test-helper.ts";
import { HOME, startRig, type Rig } from "./tesla-rig.test-helper.ts";

const VIN = "5YJ3E1EA7KF000001";

/** Asserts no token leaked into the log, then closes the rig. */
const finish = (rig: Rig, extra: readonly string[] = []): Promise<void> => rig.finish(extra);

const tokenRequests = (rig: Rig) => rig.fake.requests.filter((r) => r.path === "/oauth2/v3/token");

test("an access token expiring within 1 h is refreshed at the next 300 s check; the new refresh token is saved and the old one never reused", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME })], expSeconds: 3000 });
  try {
    const first = rig.fake.tokens.refresh;
    assert.equal(tokenRequests(rig).length, 0, "nothing before the check");
    rig.advance(300_000);
    await rig.until(() => rig.commands.settings.carApiRefreshToken !== first, "the refreshed tokens saved");
    const [req] = tokenRequests(rig);
    assert.ok(req);
    assert.match(req.contentType ?? "", /json/);
    assert.deepEqual(JSON.parse(req.body), { client_id: "test-client", grant_type: "refresh_token", refresh_token: first, scope: "offline_access" });
    assert.equal(rig.commands.settings.carApiRefreshToken, rig.fake.tokens.refresh);
    assert.equal(rig.commands.settings.carApiBearerToken, rig.fake.tokens.access);
    assert.equal(rig.commands.settings.carApiTokenExpireTime, Math.floor(rig.clock.now() / 1000) + 28800);
    // Run to the next refresh (the new token expires in 8 h): the module sends the new refresh token.
    rig.advance(8 * 3600_000 - 3600_000);
    await rig.until(() => tokenRequests(rig).length === 2, "the second refresh");
    const second = JSON.parse(tokenRequests(rig)[1]!.body) as { refresh_token: string };
    assert.notEqual(second.refresh_token, first, "the old refresh token is never reused");
    await rig.until(() => rig.commands.settings.carApiRefreshToken === rig.fake.tokens.refresh, "saved again");
    assert.ok(rig.module.alerts().every((a) => a.code !== "VEHICLE_AUTH_REQUIRED"));
  } finally {
    await finish(rig);
  }
});

test("401 'expired' on vehicle_data: one refresh, the request retried once, success", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME, soc: 61 })] });
  try {
    assert.equal(await rig.drive(rig.module.available("none")), true);
    rig.fake.tokens.access = fakeJwt({ exp: 1, ou_code: "NA", note: "server-side rotation" });
    rig.fake.issued.push(rig.fake.tokens.access);
    const r = await rig.drive(rig.module.byVin(VIN)!.refresh(0));
    assert.deepEqual(r, { ok: true });
    assert.equal(tokenRequests(rig).length, 1, "one refresh");
    assert.equal(rig.fake.count(/vehicle_data/), 2, "vehicle_data retried once");
    assert.equal(rig.module.statuses()[0]!.socPercent, 61);
    assert.equal(rig.commands.settings.carApiBearerToken, rig.fake.tokens.access, "the new token saved");
  } finally {
    await finish(rig);
  }
});

test("the refresh answers 401: both tokens cleared and saved, VEHICLE_AUTH_REQUIRED names the fix, no further refresh", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME })] });
  const changes: number[] = [];
  rig.module.on("change", () => changes.push(rig.clock.now()));
  try {
    assert.equal(await rig.drive(rig.module.available("none")), true);
    rig.fake.tokens.access = "server-side-new-access-token";
    rig.fake.tokens.refresh = "server-side-other-refresh";
    rig.fake.issued.push(rig.fake.tokens.access, rig.fake.tokens.refresh);
    const r = await rig.drive(rig.module.byVin(VIN)!.refresh(0));
    assert.equal(r.ok, false);
    assert.equal(tokenRequests(rig).length, 1);
    assert.equal(rig.commands.settings.carApiBearerToken, "");
    assert.equal(rig.commands.settings.carApiRefreshToken, "");
    const alert = rig.module.alerts().find((a) => a.code === "VEHICLE_AUTH_REQUIRED");
    assert.ok(alert, "VEHICLE_AUTH_REQUIRED raised");
    assert.match(alert.message, /log in again on the Tesla account page/);
    assert.ok(changes.length > 0, "change emitted");
    assert.equal(rig.module.account().loggedIn, false);
    for (let i = 0; i < 3; i++) {
      rig.advance(300_000);
      assert.equal(await rig.drive(rig.module.available("none")), false, "no token → not available");
    }
    assert.equal(await rig.drive(rig.module.charge(true, VIN)), "error");
    assert.equal(tokenRequests(rig).length, 1, "no further refresh attempts");
    const after = rig.fake.requests.length;
    const rate = await rig.drive(rig.module.setChargeRate(10, VIN));
    assert.ok(!rate.ok && rate.kind === "unauthorized" && /Tesla account page/.test(rate.reason));
    assert.equal(rig.fake.requests.length, after, "nothing sent without a token");
    for (const text of [alert.message, rate.ok ? "" : rate.reason]) for (const t of rig.fake.issued) assert.ok(!text.includes(t), "no token in an error text");
    // A new login (manual token entry) clears the alert.
    await rig.module.setTokens(rig.fake.tokens.access, rig.fake.tokens.refresh);
    assert.ok(rig.module.alerts().every((a) => a.code !== "VEHICLE_AUTH_REQUIRED"));
    assert.equal(await rig.drive(rig.module.available("none")), true);
  } finally {
    await finish(rig);
  }
});

test("a 401 that is not 'expired' raises VEHICLE_AUTH_REQUIRED without a refresh", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME })] });
  try {
    assert.equal(await rig.drive(rig.module.available("none")), true);
    rig.fake.script.push({ match: /vehicle_data/, status: 401, body: { error: "invalid bearer token" } });
    const r = await rig.drive(rig.module.byVin(VIN)!.refresh(0));
    assert.ok(!r.ok && r.kind === "unauthorized");
    assert.equal(tokenRequests(rig).length, 0);
    assert.match(rig.module.alerts().find((a) => a.code === "VEHICLE_AUTH_REQUIRED")?.message ?? "", /log in again/);
  } finally {
    await finish(rig);
  }
});

test("an unchanged TWCManager settings.json (carApiBearerToken, carApiRefreshToken, carApiTokenExpireTime) works through the real settings store", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twc-tesla-settings-"));
  const h = await startHarness();
  let rig: Rig | null = null;
  let store: SettingsStore | null = null;
  try {
    rig = await startRig({
      cars: [fakeCar(VIN, { ...HOME, soc: 47 })],
      region: "EU",
      expSeconds: 3000,
      commands: async (fake, clock) => {
        // What upstream TWCManager writes (its keys and types), with the fake's tokens.
        const upstream = {
          chargeNowAmps: 0,
          chargeStopMode: "1",
          homeLat: HOME.lat,
          homeLon: HOME.lon,
          hourResumeTrackGreenEnergy: -1,
          kWhDelivered: 119,
          nonScheduledAmpsMax: -1,
          scheduledAmpsMax: -1,
          carApiBearerToken: fake.tokens.access,
          carApiRefreshToken: fake.tokens.refresh,
          carApiTokenExpireTime: 1234,
          chargeLimits: {},
          sunrise: 6,
          sunset: 20,
        };
        writeFileSync(join(dir, "settings.json"), JSON.stringify(upstream, null, 4), { mode: 0o600 });
        store = await SettingsStore.open({ dir, clock, logger: captureLogger(), wiringMaxAmpsAllTWCs: 32, debounceMs: 0 });
        return new Commands(h.engine, store, () => clock.now());
      },
    });
    const r0 = rig;
    const acct = r0.module.account();
    assert.equal(acct.loggedIn, true);
    const claims = JSON.parse(Buffer.from(r0.fake.tokens.access.split(".")[1]!, "base64url").toString()) as { exp: number };
    assert.equal(acct.tokenExpiresAt, claims.exp * 1000, "expiry from the JWT, not the stored 1234");
    assert.equal(await r0.drive(r0.module.available("none")), true, "the stored tokens work (refreshed first: they expire within the hour)");
    assert.equal(r0.fake.count(/oauth2\/v3\/token/), 1);
    const r = await r0.drive(r0.module.byVin(VIN)!.refresh(0));
    assert.deepEqual(r, { ok: true });
    assert.equal(r0.module.statuses()[0]!.socPercent, 47);
    const disk = (): Record<string, unknown> => JSON.parse(readFileSync(join(dir, "settings.json"), "utf8")) as Record<string, unknown>;
    await r0.until(() => disk().carApiRefreshToken === r0.fake.tokens.refresh, "the rotated refresh token on disk");
    assert.equal(disk().carApiBearerToken, r0.fake.tokens.access);
    assert.equal(typeof disk().carApiTokenExpireTime, "number");
    assert.equal(disk().kWhDelivered, 119, "other upstream keys kept");
  } finally {
    if (rig) await finish(rig);
    await (store as SettingsStore | null)?.close();
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
