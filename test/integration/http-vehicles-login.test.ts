/**
 * The Tesla account login (vehicles.md §2.4, §8.1, §8.2) and the vehicle-group forms (§8.1, §8.4) over
 * real HTTP, as a user does them, with authentication on (control.HTTP.auth): the real Fleet API module
 * with its OAuth endpoints at the HTTPS fake (injectable, §2.4), settings.json without tokens. Login:
 * open Tesla's URL, paste the callback URL back → tokens in settings.json where TWCManager keeps them,
 * never shown again; a bad URL, a stale state, Tesla's error → the result pages; manual token entry.
 * Groups: add, member add/remove (no duplicates), delete, the errors naming the field, the entitlement
 * re-check that stops a charger whose car is now denied; the auth and Origin rules of every POST.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { fakeCar } from "../../src/integrations/tesla/fake-fleet-api.test-helper.ts";
import { DRIVEWAY, json, leakedTokens, startVehicleProduct, type VehicleProduct } from "./http-vehicles-rig.ts";

const VIN = "5YJ3E1EA8KF000001";
const API_TOKEN = "login-test-api-token-0123456789";
const AUTH = { authorization: `Bearer ${API_TOKEN}` };
const FORM = { "content-type": "application/x-www-form-urlencoded", ...AUTH };
const REDIRECT_URI = "https://twc.example.net/tesla-callback";

let p: VehicleProduct;
const car = fakeCar(VIN, { name: "Blue", soc: 47, limit: 90, chargingState: "Charging", ...DRIVEWAY });

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
const location = (r: { headers: Headers }): string | null => r.headers.get("location");
const tokenRequests = (): number => p.fake.count(/^POST \/oauth2\/v3\/token/);

/** Step 1 (the user clicks "Log in to Tesla"): the authorize URL the product redirects to. */
async function startLogin(region = "NA"): Promise<URL> {
  const r = await p.get(`/teslaAccount/login?region=${region}`, AUTH);
  assert.equal(r.status, 302, r.text);
  return new URL(location(r)!);
}

/** What Tesla's page sends the browser to after the user approved (the URL the user copies). */
function callbackUrl(authorize: URL, code = "tesla-one-time-code-77"): string {
  return `${REDIRECT_URI}?locale=en-US&code=${code}&state=${authorize.searchParams.get("state") ?? ""}&issuer=https%3A%2F%2Fauth.tesla.com%2Foauth2%2Fv3`;
}

before(async () => {
  p = await startVehicleProduct({
    cars: [car],
    module: "injected",
    tokens: false,
    http: { auth: { tokens: [API_TOKEN] } },
    slaves: [{ twcID: "4142", maxAmps: 32, vin: VIN, car: { behaviour: "follow" } }],
  });
});

after(async () => {
  await p?.stop();
});

describe("Tesla login with paste-back (vehicles.md §2.4)", () => {
  test("before the login: the account is configured for PKCE and not logged in", async () => {
    const acc = json(await p.get("/api/v2/state")).teslaAccount as Record<string, unknown>;
    assert.deepEqual(
      { configured: acc.configured, pkce: acc.pkce, loggedIn: acc.loggedIn, tokenExpiresAt: acc.tokenExpiresAt },
      { configured: true, pkce: true, loggedIn: false, tokenExpiresAt: null },
    );
  });

  test("/teslaAccount/login needs credentials (it is the one GET that changes state)", async () => {
    const r = await p.get("/teslaAccount/login?region=NA");
    assert.equal(r.status, 401);
  });

  test("open Tesla's page, paste the callback URL back → tokens stored in settings.json, account logged in, cars listed", async () => {
    const authorize = await startLogin("EU");
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${p.fake.url}/oauth2/v3/authorize`);
    const q = authorize.searchParams;
    assert.equal(q.get("response_type"), "code");
    assert.equal(q.get("client_id"), "twc-test-client");
    assert.equal(q.get("redirect_uri"), REDIRECT_URI);
    assert.equal(q.get("code_challenge_method"), "S256");
    assert.equal(q.get("audience"), null, "PKCE: no audience");
    assert.match(q.get("state") ?? "", /^[A-Za-z0-9_-]{22}$/);

    const before = tokenRequests();
    const r = await p.post("/teslaAccount/saveToken", form({ url: callbackUrl(authorize) }), FORM);
    assert.equal(r.status, 302, r.text);
    assert.equal(location(r), "/teslaAccount/success");
    assert.equal(tokenRequests(), before + 1);
    const exchange = p.fake.requests.filter((x) => x.path.startsWith("/oauth2/v3/token")).at(-1)!;
    const sent = Object.fromEntries(new URLSearchParams(exchange.body));
    assert.equal(sent.grant_type, "authorization_code");
    assert.equal(sent.code, "tesla-one-time-code-77");
    assert.equal(sent.redirect_uri, REDIRECT_URI);
    assert.equal(sent.client_secret, undefined);
    assert.equal(createHash("sha256").update(sent.code_verifier ?? "").digest("base64url"), q.get("code_challenge"), "the verifier matches the challenge");

    const s = p.settingsFile();
    assert.equal(s.carApiBearerToken, p.fake.tokens.access);
    assert.equal(s.carApiRefreshToken, p.fake.tokens.refresh);
    assert.ok(Math.abs(Number(s.carApiTokenExpireTime) - (p.clock.now() / 1000 + 28800)) < 120, "expiry = now + expires_in");
    await p.until(async () => (json(await p.get("/api/v2/state")).teslaAccount as { loggedIn: boolean }).loggedIn, "logged in");
    await p.until(async () => (json(await p.get("/api/v2/state")).vehicles as unknown[]).length === 1, "the account's car is listed", 180_000);
  });

  test("the tokens are never shown again: not on the success page, the state, settings, config, or in the log", async () => {
    const bodies: string[] = [];
    for (const path of ["/teslaAccount/success", "/api/v2/state", "/api/v2/settings", "/api/getConfig", "/api/v2/vehicles"]) bodies.push((await p.get(path, AUTH)).text);
    assert.deepEqual(leakedTokens(p.fake, bodies.join("\n")), []);
    assert.deepEqual(leakedTokens(p.fake, p.logs.join("\n")), []);
    assert.ok(!p.logs.join("\n").includes("tesla-one-time-code-77"), "the one-time code is not logged");
  });

  test("a pasted URL without a code → /teslaAccount/error (the SPA gets 400 naming url); logged, nothing sent to Tesla", async () => {
    const before = tokenRequests();
    const bad = form({ url: "https://twc.example.net/tesla-callback?state=abc" });
    const r = await p.post("/teslaAccount/saveToken", bad, FORM);
    assert.equal(r.status, 302);
    assert.equal(location(r), "/teslaAccount/error");
    const spa = await p.post("/teslaAccount/saveToken", { url: "not a url at all" }, { ...AUTH, accept: "application/json" });
    assert.equal(spa.status, 400);
    assert.match(String(json(spa).error), /^url has no code parameter: paste the full address/);
    const empty = await p.post("/teslaAccount/saveToken", {}, { ...AUTH, accept: "application/json" });
    assert.equal(empty.status, 400);
    assert.match(String(json(empty).error), /^url is required/);
    assert.equal(tokenRequests(), before);
    assert.ok(p.logs.some((l) => l.includes("VEHICLE_LOGIN_FAILED") && l.includes("url has no code parameter")));
  });

  test("a callback URL of an older login attempt → /teslaAccount/state_mismatch, no token request", async () => {
    const old = await startLogin();
    await startLogin(); // the user started again: only the newest login is pending
    const before = tokenRequests();
    const r = await p.post("/teslaAccount/saveToken", form({ url: callbackUrl(old) }), FORM);
    assert.equal(location(r), "/teslaAccount/state_mismatch");
    assert.equal(tokenRequests(), before);
  });

  test("Tesla refuses the code → /teslaAccount/<Tesla's error code>; the stored tokens stay", async () => {
    const kept = p.settingsFile().carApiBearerToken;
    p.fake.script.push({ match: /^POST \/oauth2\/v3\/token/, status: 400, body: { error: "invalid_grant", error_description: "code expired" } });
    const r = await p.post("/teslaAccount/saveToken", form({ url: callbackUrl(await startLogin()) }), FORM);
    assert.equal(location(r), "/teslaAccount/invalid_grant");
    assert.equal(p.settingsFile().carApiBearerToken, kept);
  });

  test("the auto-capture callback (GET /teslaAccount/callback) exchanges the code too", async () => {
    const a = await startLogin();
    const r = await p.get(`/teslaAccount/callback?code=second-code&state=${a.searchParams.get("state") ?? ""}`, AUTH);
    assert.equal(r.status, 302);
    assert.equal(location(r), "/teslaAccount/success");
    assert.equal(p.settingsFile().carApiBearerToken, p.fake.tokens.access);
  });

  test("manual token entry (our extension) → /teslaAccount/success, stored as given; GET saveToken → 405", async () => {
    const r = await p.post("/teslaAccount/saveToken", form({ accessToken: p.fake.tokens.access, refreshToken: p.fake.tokens.refresh }), FORM);
    assert.equal(location(r), "/teslaAccount/success");
    assert.equal(p.settingsFile().carApiRefreshToken, p.fake.tokens.refresh);
    const get = await p.get("/teslaAccount/saveToken", AUTH);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
  });

  test("saveToken needs credentials and refuses another site's form", async () => {
    const url = form({ url: callbackUrl(await startLogin()) });
    assert.equal((await p.post("/teslaAccount/saveToken", url, { "content-type": "application/x-www-form-urlencoded" })).status, 401);
    const cross = await p.post("/teslaAccount/saveToken", url, { ...FORM, origin: "https://evil.example" });
    assert.equal(cross.status, 403);
  });
});

describe("vehicle groups (vehicles.md §8.1, §8.4, §3.7)", () => {
  const groups = async (): Promise<{ name: string; description: string; builtIn: boolean; members: string[] }[]> =>
    json(await p.get("/api/v2/vehicles")).groups as { name: string; description: string; builtIn: boolean; members: string[] }[];
  const postForm = (path: string, fields: Record<string, string>, extra: Record<string, string> = {}) => p.post(path, form(fields), { ...FORM, ...extra });

  test("add a group → 302 /vehicles; it is stored in settings.json as TWCManager writes it", async () => {
    const r = await postForm("/vehicle/group", { operation: "add", group: "Family", description: "Our cars" });
    assert.equal(r.status, 302, r.text);
    assert.equal(location(r), "/vehicles");
    assert.deepEqual((await groups()).map((g) => g.name), ["Allow Charging", "Deny Charging", "Family"]);
    assert.deepEqual((p.settingsFile().VehicleGroups as Record<string, unknown>).Family, { Description: "Our cars", "Built-in": 0, Members: [] });
  });

  test("group errors name the field: missing or bad name → 400, existing → 409, bad operation → 400", async () => {
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ operation: "add" }, 400, /^group is required$/],
      [{ operation: "add", group: "   " }, 400, /^group must not be empty$/],
      [{ operation: "add", group: "x".repeat(65) }, 400, /^group must be at most 64 characters$/],
      [{ operation: "add", group: "a/b" }, 400, /^group contains a forbidden character '\/'$/],
      [{ operation: "add", group: "Family" }, 409, /^Group 'Family' already exists$/],
      [{ operation: "rename", group: "Other" }, 400, /^operation must be add$/],
    ];
    for (const [fields, status, message] of cases) {
      const r = await postForm("/vehicle/group", fields, { accept: "application/json" });
      assert.equal(r.status, status, JSON.stringify(fields));
      assert.match(String(json(r).error), message);
    }
    const html = await postForm("/vehicle/group", { operation: "add" });
    assert.equal(html.status, 400);
    assert.match(html.headers.get("content-type") ?? "", /text\/html/);
    assert.match(html.text, /group is required/);
  });

  test("add a car to a group (twice: no duplicate) and remove it → 302 /vehicleDetail/<VIN>", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await postForm("/vehicle/groupMgmt", { operation: "add", vin: VIN, group: "Family" });
      assert.equal(r.status, 302, r.text);
      assert.equal(location(r), `/vehicleDetail/${VIN}`);
    }
    assert.deepEqual((await groups()).find((g) => g.name === "Family")?.members, [VIN]);
    await postForm("/vehicle/groupMgmt", { operation: "remove", vin: VIN, group: "Family" });
    assert.deepEqual((await groups()).find((g) => g.name === "Family")?.members, []);
  });

  test("member errors: bad VIN → 400 naming vin, unknown group → 404, bad operation → 400", async () => {
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ operation: "add", vin: "WRONG", group: "Family" }, 400, /^vin must be 17 characters/],
      [{ operation: "add", vin: "5YJ3E1EAIKF000001", group: "Family" }, 400, /^vin must be 17 characters/],
      [{ operation: "add", group: "Family" }, 400, /^vin is required$/],
      [{ operation: "add", vin: VIN, group: "Nope" }, 404, /^Group 'Nope' not found$/],
      [{ operation: "toggle", vin: VIN, group: "Family" }, 400, /^operation must be add or remove$/],
    ];
    for (const [fields, status, message] of cases) {
      const r = await postForm("/vehicle/groupMgmt", fields, { accept: "application/json" });
      assert.equal(r.status, status, JSON.stringify(fields));
      assert.match(String(json(r).error), message);
    }
  });

  test("delete: POST only; a built-in group → 400, unknown → 404, a custom one → 302 and gone", async () => {
    assert.equal((await p.get("/vehicles/deleteGroup/Family", AUTH)).status, 405);
    assert.equal((await p.post("/vehicles/deleteGroup/Allow%20Charging", undefined, AUTH)).status, 400);
    assert.equal((await p.post("/vehicles/deleteGroup/Nope", undefined, AUTH)).status, 404);
    const r = await p.post("/vehicles/deleteGroup/Family", undefined, AUTH);
    assert.equal(r.status, 302);
    assert.deepEqual((await groups()).map((g) => g.name), ["Allow Charging", "Deny Charging"]);
  });

  test("the group forms need credentials and refuse another site's form", async () => {
    const fields = form({ operation: "add", group: "Sneaky" });
    assert.equal((await p.post("/vehicle/group", fields, { "content-type": "application/x-www-form-urlencoded" })).status, 401);
    assert.equal((await p.post("/vehicle/group", fields, { ...FORM, origin: "https://evil.example" })).status, 403);
    assert.equal((await p.post("/vehicles/deleteGroup/Deny%20Charging", undefined, { "content-type": "application/json" })).status, 401);
    assert.ok(!(await groups()).some((g) => g.name === "Sneaky"));
  });

  test("putting the charging car into 'Deny Charging' stops its charger (FC B2) at once", async () => {
    assert.equal((await p.post("/api/chargeNow", { chargeNowRate: 16, chargeNowDuration: 3600 }, AUTH)).status, 200);
    const slave = async (): Promise<Record<string, unknown>> => json(await p.get("/api/getSlaveTWCs"))["4142"] as Record<string, unknown>;
    await p.until(async () => (await slave()).currentVIN === VIN, "the car charges and its VIN is known");
    const r = await postForm("/vehicle/groupMgmt", { operation: "add", vin: VIN, group: "Deny Charging" });
    assert.equal(r.status, 302);
    await p.until(async () => (await slave()).carsCharging === false, "the charger stops", 60_000);
    assert.ok(p.logs.some((l) => l.includes("VIN_NOT_ENTITLED") && l.includes("4142")));
  });
});
