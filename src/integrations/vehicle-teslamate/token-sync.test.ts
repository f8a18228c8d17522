/**
 * TeslaMate token sync (vehicles.md §5.2, §9.2 #22) against a real PostgreSQL started by the test
 * (TeslaMate's `tokens` table, values Cloak-encrypted by an independent fixture) and the real Fleet API
 * module against the HTTPS fake: the decrypted tokens land in settings.json's keys through the commands
 * facade and are the bearer the Fleet API then sends; the hourly resync replaces them; a wrong key, a
 * missing table, an empty table and an unreachable database give an error naming the fix; no token,
 * key or password ever appears in a log line.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TeslaMateConfig } from "../../config/app-config.ts";
import { startHarness, type Harness } from "../../engine/engine-harness.test-helper.ts";
import { captureLogger, type CaptureLogger } from "../../shared/capture-logger.test-helper.ts";
import type { ModuleContext } from "../module.ts";
import { MqttConnections } from "../mqtt/connections.ts";
import { freePort, waitFor } from "../mqtt/mosquitto.test-helper.ts";
import { fakeCar, fakeJwt, startFakeFleet, type FakeFleet } from "../tesla/fake-fleet-api.test-helper.ts";
import { rigConfig } from "../tesla/tesla-rig.test-helper.ts";
import { createTeslaApiModule, type TeslaApiModule } from "../tesla/tesla-module.ts";
import { decryptCloak } from "./cloak.ts";
import { cloakEncrypt } from "./cloak.test-helper.ts";
import { skipWithoutPostgres, startPostgres, TESLAMATE_TOKENS_DDL, type Postgres } from "./postgres.test-helper.ts";
import { createTeslaMateModule, type TeslaMateModule } from "./teslamate-module.ts";

const KEY = "teslamate-Encryption-Key-42";
const VIN = "5YJ3E1EA7KF000001";

test("cloak: Cloak's AAD and upstream's key-tag AAD decrypt, base64 text too; a wrong key gives null", () => {
  const blob = cloakEncrypt("tok-α", KEY);
  assert.equal(decryptCloak(blob, KEY), "tok-α");
  assert.equal(decryptCloak(cloakEncrypt("tok-β", KEY, "keytag"), KEY), "tok-β");
  assert.equal(decryptCloak(blob.toString("base64").replace(/=+$/, ""), KEY), "tok-α");
  assert.equal(decryptCloak(blob, "another key"), null);
  assert.equal(decryptCloak(Buffer.from([1]), KEY), null);
  assert.equal(decryptCloak(Buffer.alloc(0), KEY), null);
});

interface Setup {
  h: Harness;
  fake: FakeFleet;
  tesla: TeslaApiModule;
  mate: TeslaMateModule;
  /** The database's name. */
  name: string;
  /** The outcome of the sync at start. */
  first: string;
  logs: CaptureLogger;
  close(): Promise<void>;
}

function context(h: Harness, logger: CaptureLogger): ModuleContext {
  return { clock: h.clock, logger, state: h.engine.state, commands: h.commands, fail: (err) => assert.fail(String(err)) };
}

let pg: Postgres | null = null;
let dbCount = 0;

before(async () => {
  if (skipWithoutPostgres) return;
  pg = await startPostgres();
});
after(async () => {
  await pg?.dispose();
});

/** A fresh database (with the tokens table unless `table` is false) holding `rows` (oldest first). */
async function database(rows: Rows, table = true): Promise<string> {
  const name = `tm${String(++dbCount)}`;
  await pg!.createDatabase(name);
  if (table) await pg!.query(TESLAMATE_TOKENS_DDL, [], name);
  for (const r of rows) await pg!.query("INSERT INTO tokens (access, refresh) VALUES ($1, $2)", [r.access, r.refresh], name);
  return name;
}

type Rows = { access: Buffer | null; refresh: Buffer | null }[];

interface SetupOptions {
  key?: string;
  db?: Partial<NonNullable<TeslaMateConfig["db"]>>;
  /** The rows TeslaMate holds (oldest first), made once the fake Fleet API runs. */
  rows?: (fake: FakeFleet) => Rows;
  /** Create the tokens table (default true). */
  table?: boolean;
}

async function setup(o: SetupOptions = {}): Promise<Setup> {
  const h = await startHarness({ settings: { homeLat: 52.52, homeLon: 13.405 } });
  const fake = await startFakeFleet({ cars: [fakeCar(VIN, { lat: 52.52, lon: 13.405 })], now: () => h.clock.now() });
  const name = await database(o.rows?.(fake) ?? [], o.table ?? true);
  const logs = captureLogger();
  const tesla = createTeslaApiModule(rigConfig(), context(h, logs), {
    authEndpoints: { auth: `${fake.url}/oauth2/v3`, fleetAuth: `${fake.url}/oauth2/v3` },
    regionHosts: { NA: fake.url, EU: fake.url, CN: fake.url },
    authFetch: fake.fetch,
    fetch: fake.fetch,
  });
  await tesla.start();
  const config: TeslaMateConfig = {
    db: { host: "127.0.0.1", port: pg!.port, user: pg!.user, password: pg!.password, database: name, ...o.db },
    encryptionKey: o.key ?? KEY,
    telemetry: null,
    atHomeRadiusFt: 10560,
  };
  const mate = createTeslaMateModule(config, context(h, logs), { connections: new MqttConnections({ clock: h.clock, logger: logs }) });
  mate.start();
  // The sync started by start() (a call while it runs joins it).
  const first = await mate.tokenSync!.sync();
  return {
    h,
    fake,
    tesla,
    mate,
    name,
    first,
    logs,
    async close() {
      await mate.stop();
      tesla.stop();
      await fake.close();
      await h.stop();
    },
  };
}

/** Every log line as text. */
const lines = (l: CaptureLogger): string[] => l.records.map((r) => `${r.level} ${JSON.stringify(r.obj)} ${r.msg ?? ""}`);

/** Fails when a secret appears in any log line. */
function assertNoSecrets(l: CaptureLogger, secrets: readonly string[]): void {
  for (const line of lines(l)) for (const s of secrets) assert.ok(!line.includes(s), `a secret appears in the log: ${line}`);
}

const errors = (l: CaptureLogger): string[] => l.records.filter((r) => r.level === "error").map((r) => r.msg ?? "");

describe("TeslaMate token sync against PostgreSQL", { skip: skipWithoutPostgres }, () => {
  test("the newest row's tokens reach settings and are the Fleet API's bearer; the hourly resync replaces them", async () => {
    const s = await setup({
      rows: (fake) => [
        { access: cloakEncrypt(fakeJwt({ exp: 4102444800, n: "older row" }), KEY), refresh: cloakEncrypt("refresh-older-row", KEY) },
        { access: cloakEncrypt(fake.tokens.access, KEY), refresh: cloakEncrypt(fake.tokens.refresh, KEY) },
      ],
    });
    try {
      assert.equal(s.first, "synced");
      const settings = s.h.settings.get();
      assert.equal(settings.carApiBearerToken, s.fake.tokens.access);
      assert.equal(settings.carApiRefreshToken, s.fake.tokens.refresh);
      assert.equal(s.h.commands.teslaApi()?.account().loggedIn, true);
      assert.ok(s.mate.tokenSync!.syncedAtMs !== null);

      // The Fleet API module now lists the cars with that bearer token.
      await s.tesla.available("none");
      const listed = s.fake.requests.filter((r) => r.path.startsWith("/api/1/vehicles"));
      assert.ok(listed.length > 0, "the Fleet API module asked for the vehicle list");
      assert.ok(listed.every((r) => r.bearer === s.fake.tokens.access));
      assert.equal(s.fake.count(/oauth2\/v3\/token/), 0, "no refresh by TWCManager");

      // TeslaMate refreshed its tokens (its old access token stays valid until it expires): the resync an
      // hour later copies the new ones, and the Fleet API then sends the new bearer.
      const access2 = fakeJwt({ exp: Math.floor(s.h.clock.now() / 1000) + 2 * 28800, ou_code: "NA", n: "teslamate-2" });
      const refresh2 = "refresh-from-teslamate-2";
      await pg!.query("INSERT INTO tokens (access, refresh) VALUES ($1, $2)", [cloakEncrypt(access2, KEY), cloakEncrypt(refresh2, KEY)], s.name);
      s.h.clock.advance(3600 * 1000);
      await waitFor(() => s.h.settings.get().carApiBearerToken === access2, "the hourly resync");
      assert.equal(s.h.settings.get().carApiRefreshToken, refresh2);
      const oldAccess = s.fake.tokens.access;
      s.fake.tokens.access = access2;
      s.fake.tokens.refresh = refresh2;
      const before = s.fake.requests.length;
      s.h.clock.advance(3600 * 1000);
      await s.tesla.available("none");
      const after = s.fake.requests.slice(before).filter((r) => r.path.startsWith("/api/1/vehicles"));
      assert.ok(after.length > 0 && after.every((r) => r.bearer === access2), "the new bearer is used");
      assert.equal(s.fake.count(/oauth2\/v3\/token/), 0, "still no refresh by TWCManager");
      s.fake.issued.push(oldAccess, access2, refresh2);
      assertNoSecrets(s.logs, [s.fake.tokens.access, s.fake.tokens.refresh, ...s.fake.issued, "refresh-older-row", KEY, pg!.password]);
      assert.deepEqual(errors(s.logs), []);
      assert.deepEqual(s.h.commands.vehicleInput().alerts, [], "no alert while sync works");
    } finally {
      await s.close();
    }
  });

  test("a wrong encryption_key: an error naming the key, no token changes, nothing secret logged", async () => {
    const s = await setup({ key: "not-the-key", rows: () => [{ access: cloakEncrypt("access-secret-1", KEY), refresh: cloakEncrypt("refresh-secret-1", KEY) }] });
    try {
      assert.equal(s.first, "undecryptable");
      assert.equal(s.h.settings.get().carApiBearerToken, undefined);
      assert.equal(s.h.commands.teslaApi()?.account().loggedIn, false);
      assert.ok(errors(s.logs).some((m) => /do not decrypt.*encryption_key must be TeslaMate's ENCRYPTION_KEY/.test(m)), errors(s.logs).join("\n"));
      assert.equal(s.mate.tokenSync!.enabled, true, "a wrong key does not stop the hourly retry");
      const alert = s.h.commands.vehicleInput().alerts.find((a) => a.code === "VEHICLE_AUTH_REQUIRED");
      assert.match(alert?.message ?? "", /encryption_key must be TeslaMate's ENCRYPTION_KEY/, "the state document's alert names the fix");
      assertNoSecrets(s.logs, ["access-secret-1", "refresh-secret-1", "not-the-key", KEY, pg!.password]);
    } finally {
      await s.close();
    }
  });

  test("no tokens table: the first sync names the missing table and turns token sync off", async () => {
    const s = await setup({ table: false });
    try {
      assert.equal(s.first, "db_failed");
      assert.equal(s.mate.tokenSync!.enabled, false);
      assert.equal(await s.mate.tokenSync!.sync(), "off");
      const e = errors(s.logs);
      assert.ok(e.some((m) => m.includes('no "tokens" table') && m.includes("db_name must be TeslaMate's database") && m.includes("token sync is off")), e.join("\n"));
      assert.match(s.h.commands.vehicleInput().alerts.find((a) => a.code === "VEHICLE_AUTH_REQUIRED")?.message ?? "", /no "tokens" table/);
      assertNoSecrets(s.logs, [KEY, pg!.password]);
    } finally {
      await s.close();
    }
  });

  test("an empty tokens table: an error saying to log in in TeslaMate", async () => {
    const s = await setup();
    try {
      assert.equal(s.first, "no_tokens");
      assert.ok(errors(s.logs).some((m) => m.includes("holds no tokens") && m.includes("log in to Tesla in TeslaMate")));
    } finally {
      await s.close();
    }
  });

  test("a wrong password or an unreachable server: a clear error, sync off, the password never logged", async () => {
    const wrong = await setup({ db: { password: "Wrong-Pa55word-xyz" } });
    try {
      assert.equal(wrong.first, "db_failed");
      assert.equal(wrong.mate.tokenSync!.enabled, false);
      assert.ok(errors(wrong.logs).some((m) => m.includes("password authentication failed: check db_user and db_pass")), errors(wrong.logs).join("\n"));
      assertNoSecrets(wrong.logs, ["Wrong-Pa55word-xyz", pg!.password]);
    } finally {
      await wrong.close();
    }
    const down = await setup({ db: { port: await freePort() } });
    try {
      assert.equal(down.first, "db_failed");
      assert.ok(errors(down.logs).some((m) => m.includes("cannot read TeslaMate's database") && /ECONNREFUSED/.test(m)), errors(down.logs).join("\n"));
    } finally {
      await down.close();
    }
  });

  test("the sample's placeholder key is logged as an error at start", async () => {
    const s = await setup({ key: "chanegme" });
    try {
      assert.ok(errors(s.logs).some((m) => m.includes('"chanegme"')));
    } finally {
      await s.close();
    }
  });
});
