/** Authentication through the full app (http-api.md §3.1, §4.1), with app.inject(). */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { FakeClock } from "../../shared/clock.ts";
import { hashPassword } from "./password.ts";
import { authConfig, httpConfig, makeWebRoot, testApp, type WebRoot } from "./test-app.test-helper.ts";
import { requirementOf } from "./register.ts";
import { authEnabled } from "./auth.ts";

const TOKEN = "s3cret-token-0123456789";
const basic = (user: string, pw: string): string =>
  `Basic ${Buffer.from(`${user}:${pw}`).toString("base64")}`;
let HASH = "";
let web: WebRoot;

before(async () => {
  HASH = await hashPassword("hunter22", 1024);
  web = makeWebRoot();
});
after(() => web.cleanup());

function app(
  o: { protectReads?: boolean; tokens?: string[]; login?: boolean; plain?: boolean; clock?: FakeClock } = {},
): FastifyInstance {
  const login = o.login ?? true;
  return testApp({
    http: httpConfig({
      auth: authConfig({
        tokens: o.tokens ?? [TOKEN],
        username: login ? "admin" : null,
        passwordHash: login && !o.plain ? HASH : null,
        password: login && o.plain ? "hunter22" : null,
        protectReads: o.protectReads ?? false,
      }),
    }),
    webRoot: web.root,
    ...(o.clock ? { clock: o.clock } : {}),
  });
}

async function loginCookie(a: FastifyInstance): Promise<string> {
  const r = await a.inject({
    method: "POST",
    url: "/login",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: "username=admin&password=hunter22&next=%2F",
  });
  assert.equal(r.statusCode, 303);
  const set = String(r.headers["set-cookie"]);
  return set.split(";")[0]!;
}

describe("auth off", () => {
  test("without an auth section (or an empty one) everything is open", async () => {
    assert.equal(authEnabled(null), false);
    assert.equal(authEnabled(authConfig()), false);
    assert.equal(
      authEnabled(authConfig({ username: "admin" })),
      false,
      "a username alone configures nothing",
    );
    const a = testApp({ http: httpConfig() });
    assert.equal((await a.inject({ method: "POST", url: "/api/checkArrival" })).statusCode, 202);
    assert.equal((await a.inject({ method: "GET", url: "/api/getUUID" })).statusCode, 200);
    assert.equal(
      (await a.inject({ method: "GET", url: "/login" })).statusCode,
      404,
      "/login needs a username",
    );
    await a.close();
  });
});

describe("auth on", () => {
  test("POST without credentials → 401 Authentication required with WWW-Authenticate: Bearer", async () => {
    const a = app();
    const r = await a.inject({ method: "POST", url: "/api/checkArrival" });
    assert.equal(r.statusCode, 401);
    assert.deepEqual(r.json(), { error: "Authentication required" });
    assert.equal(r.headers["www-authenticate"], 'Bearer realm="TWCManager"');
    assert.equal(r.headers["content-type"], "application/json; charset=utf-8");
    await a.close();
  });

  test("Bearer token: right → handled, wrong → 401 Invalid credentials", async () => {
    const a = app({ tokens: ["another-token-abcdefgh", TOKEN] });
    const ok = await a.inject({
      method: "POST",
      url: "/api/checkArrival",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(ok.statusCode, 202);
    for (const wrong of [
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      "Bearer x",
      `Token ${TOKEN}`,
      "Bearer",
    ]) {
      const r = await a.inject({
        method: "POST",
        url: "/api/checkArrival",
        headers: { authorization: wrong },
      });
      assert.equal(r.statusCode, 401, wrong);
      assert.deepEqual(r.json(), { error: "Invalid credentials" }, wrong);
    }
    await a.close();
  });

  test("Basic: right → handled, wrong password or user → 401 Invalid credentials", async () => {
    const a = app();
    const ok = await a.inject({
      method: "POST",
      url: "/api/checkArrival",
      headers: { authorization: basic("admin", "hunter22") },
    });
    assert.equal(ok.statusCode, 202);
    const again = await a.inject({
      method: "POST",
      url: "/api/checkArrival",
      headers: { authorization: basic("admin", "hunter22") },
    });
    assert.equal(again.statusCode, 202);
    for (const wrong of [
      basic("admin", "hunter2"),
      basic("root", "hunter22"),
      basic("admin", ""),
      "Basic !!!",
    ]) {
      const r = await a.inject({
        method: "POST",
        url: "/api/checkArrival",
        headers: { authorization: wrong },
      });
      assert.equal(r.statusCode, 401, wrong);
      assert.deepEqual(r.json(), { error: "Invalid credentials" });
    }
    await a.close();
  });

  test("a plain configured password works (hashed at start-up)", async () => {
    const a = app({ plain: true });
    const ok = await a.inject({
      method: "POST",
      url: "/api/checkArrival",
      headers: { authorization: basic("admin", "hunter22") },
    });
    assert.equal(ok.statusCode, 202);
    const bad = await a.inject({
      method: "POST",
      url: "/api/checkArrival",
      headers: { authorization: basic("admin", "x") },
    });
    assert.equal(bad.statusCode, 401);
    await a.close();
  });

  test("the session cookie from /login authenticates; an unknown cookie does not", async () => {
    const a = app();
    const cookie = await loginCookie(a);
    assert.equal(
      (await a.inject({ method: "POST", url: "/api/checkArrival", headers: { cookie } })).statusCode,
      202,
    );
    const forged = await a.inject({
      method: "POST",
      url: "/api/checkArrival",
      headers: { cookie: `twcm_session=${"A".repeat(43)}` },
    });
    assert.equal(forged.statusCode, 401);
    assert.deepEqual(forged.json(), { error: "Authentication required" });
    await a.close();
  });

  test("protectReads off: GET endpoints and pages are open", async () => {
    const a = app();
    assert.equal((await a.inject({ method: "GET", url: "/api/getUUID" })).body, "1234");
    assert.equal((await a.inject({ method: "GET", url: "/policy" })).statusCode, 200);
    await a.close();
  });

  test("protectReads on: GET /api needs credentials, pages redirect 303 to /login?next=", async () => {
    const a = app({ protectReads: true });
    const r = await a.inject({ method: "GET", url: "/api/getUUID" });
    assert.equal(r.statusCode, 401);
    assert.deepEqual(r.json(), { error: "Authentication required" });
    assert.equal((await a.inject({ method: "HEAD", url: "/api/getUUID" })).statusCode, 401);
    const ok = await a.inject({
      method: "GET",
      url: "/api/getUUID",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(ok.statusCode, 200);
    const page = await a.inject({ method: "GET", url: "/policy?tab=1" });
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, "/login?next=%2Fpolicy%3Ftab%3D1");
    const cookie = await loginCookie(a);
    assert.equal((await a.inject({ method: "GET", url: "/policy", headers: { cookie } })).statusCode, 200);
    assert.equal(
      (await a.inject({ method: "GET", url: "/api/getUUID", headers: { cookie } })).statusCode,
      200,
    );
    await a.close();
  });

  test("protectReads with tokens only: pages answer 401 (there is no login page to redirect to)", async () => {
    const a = app({ protectReads: true, login: false });
    const page = await a.inject({ method: "GET", url: "/" });
    assert.equal(page.statusCode, 401);
    assert.equal(
      (await a.inject({ method: "GET", url: "/", headers: { authorization: `Bearer ${TOKEN}` } })).statusCode,
      200,
    );
    assert.equal((await a.inject({ method: "GET", url: "/login" })).statusCode, 404);
    await a.close();
  });

  test("/static/*, /login and /logout are never protected", async () => {
    const a = app({ protectReads: true });
    assert.equal((await a.inject({ method: "GET", url: "/static/login.css" })).statusCode, 200);
    assert.equal((await a.inject({ method: "GET", url: "/login" })).statusCode, 200);
    assert.equal((await a.inject({ method: "POST", url: "/logout" })).statusCode, 303);
    assert.equal((await a.inject({ method: "OPTIONS", url: "/api/checkArrival" })).statusCode, 204);
    await a.close();
  });

  test("route lookup comes first: unknown path 404, wrong method 405, not 401", async () => {
    const a = app({ protectReads: true });
    const unknown = await a.inject({ method: "POST", url: "/api/noSuchThing" });
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(unknown.json(), { error: "Unknown endpoint" });
    const wrong = await a.inject({ method: "POST", url: "/api/getUUID" });
    assert.equal(wrong.statusCode, 405);
    assert.equal((await a.inject({ method: "GET", url: "/nowhere" })).statusCode, 404);
    await a.close();
  });

  test("authentication comes before the Origin check", async () => {
    const a = app();
    const r = await a.inject({
      method: "POST",
      url: "/api/checkArrival",
      headers: { origin: "http://evil.example" },
    });
    assert.equal(r.statusCode, 401);
    const authed = await a.inject({
      method: "POST",
      url: "/api/checkArrival",
      headers: { origin: "http://evil.example", authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(authed.statusCode, 403);
    await a.close();
  });
});

describe("throttling", () => {
  test("10 wrong passwords from one address → passwords get 429 with Retry-After until the window frees; the valid token never", async () => {
    const clock = new FakeClock();
    const a = app({ clock });
    const from = (remoteAddress: string, authorization: string) =>
      a.inject({ method: "POST", url: "/api/checkArrival", remoteAddress, headers: { authorization } });
    for (let i = 0; i < 10; i++) {
      const r = await from("10.1.1.1", basic("admin", `nope${i}`));
      assert.equal(r.statusCode, 401, `attempt ${i + 1}`);
      clock.advance(1000);
    }
    const blocked = await from("10.1.1.1", basic("admin", "hunter22"));
    assert.equal(blocked.statusCode, 429, "the right password is throttled with the wrong ones");
    assert.deepEqual(blocked.json(), { error: "Too many failed attempts" });
    const retryAfter = Number(blocked.headers["retry-after"]);
    assert.equal(retryAfter, 600 - 10);
    const form = await a.inject({
      method: "POST",
      url: "/login",
      remoteAddress: "10.1.1.1",
      payload: "username=admin&password=hunter22",
    });
    assert.equal(form.statusCode, 429, "the login form shares the password counter");
    assert.ok(Number(form.headers["retry-after"]) > 0);
    // The defect: Home Assistant's valid token from the same address was locked out by a typo.
    assert.equal((await from("10.1.1.1", `Bearer ${TOKEN}`)).statusCode, 202, "a valid token is never throttled");
    assert.equal((await from("10.1.1.1", "Bearer wrong-token-0000000000")).statusCode, 401, "tokens have their own counter");
    assert.equal((await from("10.1.1.2", basic("admin", "hunter22"))).statusCode, 202, "other addresses are not affected");
    assert.equal(
      (await a.inject({ method: "POST", url: "/api/checkArrival", remoteAddress: "10.1.1.1" })).statusCode,
      401,
    );
    clock.advance(retryAfter * 1000);
    assert.equal((await from("10.1.1.1", basic("admin", "hunter22"))).statusCode, 202, "free again after Retry-After");
    await a.close();
  });

  test("10 wrong tokens from one address → wrong tokens get 429; the valid token and the right password still work", async () => {
    const a = app();
    const from = (authorization: string) =>
      a.inject({ method: "POST", url: "/api/checkArrival", remoteAddress: "10.3.3.3", headers: { authorization } });
    for (let i = 0; i < 10; i++) assert.equal((await from(`Bearer wrong-token-${i}-000000000`)).statusCode, 401);
    assert.equal((await from("Bearer wrong-token-x-000000000")).statusCode, 429);
    assert.equal((await from(`Bearer ${TOKEN}`)).statusCode, 202);
    assert.equal((await from(basic("admin", "hunter22"))).statusCode, 202);
    await a.close();
  });

  test("failed login form attempts count too", async () => {
    const a = app();
    for (let i = 0; i < 10; i++) {
      const r = await a.inject({
        method: "POST",
        url: "/login",
        remoteAddress: "10.2.2.2",
        payload: "username=admin&password=x",
      });
      assert.equal(r.statusCode, 401);
    }
    const r = await a.inject({
      method: "POST",
      url: "/api/checkArrival",
      remoteAddress: "10.2.2.2",
      headers: { authorization: basic("admin", "hunter22") },
    });
    assert.equal(r.statusCode, 429, "Basic shares the login form's password counter");
    const token = await a.inject({
      method: "POST",
      url: "/api/checkArrival",
      remoteAddress: "10.2.2.2",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(token.statusCode, 202, "a valid token is never throttled");
    await a.close();
  });
});

test("requirementOf follows the §3.1 table", () => {
  assert.equal(requirementOf("POST", "/api/chargeNow"), "always");
  assert.equal(requirementOf("GET", "/api/getStatus"), "reads");
  assert.equal(requirementOf("GET", "/api/v2/events"), "reads");
  assert.equal(requirementOf("HEAD", "/metrics"), "reads");
  assert.equal(requirementOf("GET", "/"), "reads");
  assert.equal(requirementOf("GET", "/static/*"), "none");
  assert.equal(requirementOf("POST", "/login"), "none");
  assert.equal(requirementOf("POST", "/logout"), "none");
  assert.equal(requirementOf("OPTIONS", "/api/chargeNow"), "none");
});
