import assert from "node:assert/strict";
import { test } from "node:test";
import { atHome, radiusDegrees } from "./at-home.ts";
import { classify, retryAfterS, retryMins } from "./classify.ts";
import { decodeClaims } from "./jwt.ts";
import { TokenState } from "./tokens.ts";
import { authorizeUrl, callbackParams, codeChallenge, vehicleBase } from "./urls.ts";

const jwt = (claims: object): string => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`;

test("at home: the spec's example square (radius 1000 ft)", () => {
  assert.ok(Math.abs(radiusDegrees(10560) - 0.0289721) < 1e-6);
  const home = { lat: -33.8688, lon: 151.2093 };
  assert.equal(atHome({ home, car: { lat: -33.87, lon: 151.21 }, atHomeRadiusFt: 1000, fixAgeS: 10 }).atHome, true);
  assert.equal(atHome({ home, car: { lat: -33.874, lon: 151.2093 }, atHomeRadiusFt: 1000, fixAgeS: 10 }).atHome, false);
  assert.equal(atHome({ home, car: { lat: -30, lon: 151.2093 }, atHomeRadiusFt: 1000, fixAgeS: 10 }).far, true);
});

test("at home: unknown home adopts a fresh fix, not a stale one", () => {
  const home = { lat: 10000, lon: 10000 };
  assert.deepEqual(atHome({ home, car: { lat: 1, lon: 2 }, atHomeRadiusFt: 1000, fixAgeS: 30 }).adoptHome, { lat: 1, lon: 2 });
  const stale = atHome({ home, car: { lat: 1, lon: 2 }, atHomeRadiusFt: 1000, fixAgeS: 601 });
  assert.equal(stale.atHome, false);
  assert.equal(stale.adoptHome, null);
});

test("tokens: expiry from the JWT, else the stored value, else now + 8 h; refresh within 3600 s", () => {
  const t = new TokenState();
  t.load({ carApiBearerToken: jwt({ exp: 5000, ou_code: "EU" }), carApiRefreshToken: "r", carApiTokenExpireTime: 9999 }, 1000);
  assert.equal(t.expiresAtS, 5000);
  assert.equal(t.region, "EU");
  assert.equal(t.needsRefresh(1000), false);
  assert.equal(t.needsRefresh(1400), true);
  t.load({ carApiBearerToken: "opaque", carApiTokenExpireTime: 7777 }, 1000);
  assert.equal(t.expiresAtS, 7777);
  assert.equal(t.needsRefresh(7000), false, "no refresh token, no refresh");
  t.load({ carApiBearerToken: "opaque" }, 1000);
  assert.equal(t.expiresAtS, 1000 + 8 * 3600);
  assert.equal(decodeClaims("not a jwt"), null);
});

test("classification of the §2.10 error classes", () => {
  const h = new Headers();
  const now = 1_000_000;
  const c401 = classify({ status: 401, body: { error: "token expired (401)" }, headers: h }, true, now);
  assert.ok(c401.kind === "error" && c401.expired && c401.error === "unauthorized");
  const vcp = classify({ status: 403, body: { response: null, error: "Tesla Vehicle Command Protocol required, please refer to the documentation" }, headers: h }, false, now);
  assert.ok(vcp.kind === "error" && vcp.error === "command_protocol_required" && /teslaProxy/.test(vcp.fix ?? ""));
  const t408 = classify({ status: 408, body: { response: null, error: "vehicle unavailable: asleep" }, headers: h }, true, now);
  assert.ok(t408.kind === "error" && t408.error === "timeout");
  const r429 = classify({ status: 429, body: {}, headers: new Headers({ "Retry-After": "1200" }) }, true, now);
  assert.ok(r429.kind === "error" && r429.retryAtMs === now + 1_200_000);
  const short429 = classify({ status: 429, body: {}, headers: new Headers({ "Retry-After": "5" }) }, true, now);
  assert.ok(short429.kind === "error" && short429.retryAtMs === now + 600_000, "at least 10 min");
  assert.equal(classify({ status: 200, body: { error: "vehicle unavailable: x" }, headers: h }, true, now).kind, "transient");
  assert.equal(classify({ status: 200, body: { response: { reason: "could_not_wake_buses", result: false } }, headers: h }, false, now).kind, "transient");
  const bad = classify({ status: 200, body: [1, 2], headers: h }, true, now);
  assert.ok(bad.kind === "error" && bad.error === "malformed");
  assert.equal(retryAfterS(new Headers({ "RateLimit-Reset": "90" }), now), 90);
  assert.deepEqual([1, 2, 3, 12, 40].map((n) => retryMins(n, 0)), [0, 1, 2, 10, 10]);
});

test("URLs: regional base, proxy, authorize with PKCE or audience, callback parsing", () => {
  assert.equal(vehicleBase(null, "EU"), "https://fleet-api.prd.eu.vn.cloud.tesla.com/api/1/vehicles");
  assert.equal(vehicleBase("https://localhost:4443/", "EU"), "https://localhost:4443/api/1/vehicles");
  assert.equal(vehicleBase(null, null), null);
  const ep = { auth: "https://a/oauth2/v3", fleetAuth: "https://f/oauth2/v3" };
  const base = { clientId: "c", redirectUri: "https://me/cb", scope: "openid", audience: "https://aud" };
  const pkce = new URL(authorizeUrl(ep, { ...base, pending: { state: "s", region: "NA", verifier: "v" } }));
  assert.equal(pkce.searchParams.get("code_challenge_method"), "S256");
  assert.equal(pkce.searchParams.get("code_challenge"), codeChallenge("v"));
  assert.equal(pkce.searchParams.get("audience"), null);
  const conf = new URL(authorizeUrl(ep, { ...base, pending: { state: "s", region: "EU", verifier: null } }));
  assert.equal(conf.searchParams.get("audience"), "https://aud");
  assert.equal(conf.searchParams.get("code_challenge"), null);
  assert.deepEqual(callbackParams("https://me/cb?code=abc&state=xyz"), { code: "abc", state: "xyz" });
  assert.deepEqual(callbackParams("garbage"), { code: null, state: null });
});
