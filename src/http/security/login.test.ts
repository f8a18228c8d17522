/** The login page, session cookie and logout (http-api.md §3.2), through the full app. */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { FakeClock } from "../../shared/clock.ts";
import { CSP } from "../pages.ts";
import { loginPage, parseLoginBody, safeNext } from "./login.ts";
import { hashPassword } from "./password.ts";
import { authConfig, httpConfig, testApp } from "./test-app.test-helper.ts";

let HASH = "";
before(async () => {
  HASH = await hashPassword("hunter22", 1024);
});

const COOKIE = /^twcm_session=([A-Za-z0-9_-]{43}); HttpOnly; SameSite=Strict; Path=\/; Max-Age=(\d+)$/;

function app(o: { tls?: boolean; ttlHours?: number; clock?: FakeClock } = {}): FastifyInstance {
  return testApp({
    http: httpConfig({
      auth: authConfig({
        username: "admin",
        passwordHash: HASH,
        protectReads: true,
        sessionTtlHours: o.ttlHours ?? 168,
      }),
    }),
    tls: o.tls ?? false,
    ...(o.clock ? { clock: o.clock } : {}),
  });
}

const form = (body: string) => ({
  method: "POST" as const,
  url: "/login",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  payload: body,
});

describe("GET /login", () => {
  test("an accessible form with hidden next, a stylesheet link, no inline script or style, page headers", async () => {
    const a = app();
    const r = await a.inject({ method: "GET", url: '/login?next=/policy"><script>' });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(r.headers["content-security-policy"], CSP);
    assert.equal(r.headers["x-frame-options"], "DENY");
    const html = r.body;
    assert.match(html, /<label for="login-username">Username<\/label>/);
    assert.match(html, /<input id="login-username" name="username"/);
    assert.match(html, /<label for="login-password">Password<\/label>/);
    assert.match(html, /<input id="login-password" name="password" type="password"/);
    assert.match(html, /<form method="post" action="\/login"/);
    assert.match(html, /<link rel="stylesheet" href="\/static\/login.css">/);
    assert.doesNotMatch(html, /<script|<style|\sstyle=|\son[a-z]+=/i);
    // A next that is not a clean local path falls back to "/" and is never reflected unescaped.
    assert.match(html, /<input type="hidden" name="next" value="\/">/);
    const ok = await a.inject({ method: "GET", url: "/login?next=%2Fschedule%3Fa%3D1%26b%3D2" });
    assert.match(ok.body, /name="next" value="\/schedule\?a=1&#38;b=2"/);
    await a.close();
  });
});

describe("POST /login", () => {
  test("form login: 303 to next with the exact session cookie, which then authenticates", async () => {
    const a = app();
    const r = await a.inject(form("username=admin&password=hunter22&next=%2Fsettings"));
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers.location, "/settings");
    const m = COOKIE.exec(String(r.headers["set-cookie"]));
    assert.ok(m, String(r.headers["set-cookie"]));
    assert.equal(m[2], String(168 * 3600));
    assert.equal(Buffer.from(m[1]!, "base64url").length, 32, "256-bit id");
    const page = await a.inject({
      method: "GET",
      url: "/settings",
      headers: { cookie: `twcm_session=${m[1]}` },
    });
    assert.equal(page.statusCode, 200);
    await a.close();
  });

  test("JSON login works the same", async () => {
    const a = app();
    const r = await a.inject({
      method: "POST",
      url: "/login",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ username: "admin", password: "hunter22", next: "/graphs" }),
    });
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers.location, "/graphs");
    assert.match(String(r.headers["set-cookie"]), COOKIE);
    const bad = await a.inject({
      method: "POST",
      url: "/login",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ username: "admin", password: "nope" }),
    });
    assert.equal(bad.statusCode, 401);
    assert.deepEqual(bad.json(), { error: "Invalid username or password" });
    await a.close();
  });

  test("a non-local next redirects to /", async () => {
    const a = app();
    for (const next of [
      "//evil.com",
      "https://evil.com/",
      "/\\evil.com",
      "evil",
      "",
      "/%0d%0aSet-Cookie:x",
    ]) {
      const r = await a.inject(form(`username=admin&password=hunter22&next=${encodeURIComponent(next)}`));
      assert.equal(r.statusCode, 303, next);
      assert.equal(r.headers.location, next === "/%0d%0aSet-Cookie:x" ? next : "/", next);
    }
    await a.close();
  });

  test("wrong credentials: 401 with the form and the message, no cookie", async () => {
    const a = app();
    for (const body of [
      "username=admin&password=wrong&next=%2Fdebug",
      "username=root&password=hunter22",
      "",
      "garbage",
    ]) {
      const r = await a.inject(form(body));
      assert.equal(r.statusCode, 401, body);
      assert.equal(r.headers["set-cookie"], undefined);
      assert.match(r.body, /role="alert">Invalid username or password</);
      assert.match(r.body, /<form method="post" action="\/login"/);
      assert.equal(r.headers["content-security-policy"], CSP);
    }
    const r = await a.inject(form("username=admin&password=wrong&next=%2Fdebug"));
    assert.match(r.body, /name="next" value="\/debug"/, "next survives a failed attempt");
    await a.close();
  });

  test("over TLS the cookie is Secure", async () => {
    const a = app({ tls: true });
    const r = await a.inject(form("username=admin&password=hunter22"));
    assert.match(String(r.headers["set-cookie"]), /; Max-Age=\d+; Secure$/);
    await a.close();
  });

  test("a cross-site login post is refused by the Origin check", async () => {
    const a = app();
    const r = await a.inject({
      ...form("username=admin&password=hunter22"),
      headers: { origin: "http://evil.example", host: "twc.local" },
    });
    assert.equal(r.statusCode, 403);
    await a.close();
  });

  test("sessions expire after sessionTtlHours", async () => {
    const clock = new FakeClock();
    const a = app({ ttlHours: 1, clock });
    const r = await a.inject(form("username=admin&password=hunter22"));
    const m = COOKIE.exec(String(r.headers["set-cookie"]));
    assert.equal(m?.[2], "3600");
    const cookie = `twcm_session=${m?.[1] ?? ""}`;
    clock.advance(3599_000);
    assert.equal(
      (await a.inject({ method: "GET", url: "/api/getUUID", headers: { cookie } })).statusCode,
      200,
    );
    clock.advance(1000);
    assert.equal(
      (await a.inject({ method: "GET", url: "/api/getUUID", headers: { cookie } })).statusCode,
      401,
    );
    await a.close();
  });
});

describe("POST /logout", () => {
  test("deletes the session, clears the cookie, 303 to /login", async () => {
    const a = app();
    const login = await a.inject(form("username=admin&password=hunter22"));
    const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
    const r = await a.inject({ method: "POST", url: "/logout", headers: { cookie } });
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers.location, "/login");
    assert.equal(r.headers["set-cookie"], "twcm_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    assert.equal(
      (await a.inject({ method: "GET", url: "/api/getUUID", headers: { cookie } })).statusCode,
      401,
    );
    await a.close();
  });
});

test("safeNext, parseLoginBody and loginPage (pure)", () => {
  assert.equal(safeNext("/policy?x=1"), "/policy?x=1");
  assert.equal(safeNext("//evil.com"), "/");
  assert.equal(safeNext("/\\evil.com"), "/");
  assert.equal(safeNext("/a b"), "/");
  assert.equal(safeNext(42), "/");
  assert.deepEqual(
    parseLoginBody(Buffer.from("username=a&password=b%26c&next=%2Fx"), "application/x-www-form-urlencoded"),
    {
      json: false,
      username: "a",
      password: "b&c",
      next: "/x",
    },
  );
  assert.deepEqual(parseLoginBody(Buffer.from('{"username":"a","password":1}'), undefined), {
    json: true,
    username: "a",
    password: "",
    next: "",
  });
  assert.equal(parseLoginBody(Buffer.from("{oops"), "application/json").username, "");
  assert.match(loginPage("/", "<b>"), /&#60;b&#62;/);
});
