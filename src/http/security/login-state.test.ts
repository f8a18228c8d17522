/** The sign-in state for the header, sign-out, and the username kept after a wrong password (issue 12 §11). */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { FakeClock } from "../../shared/clock.ts";
import { loginPage, wantsJson } from "./login.ts";
import { hashPassword } from "./password.ts";
import { SessionStore } from "./sessions.ts";
import { authConfig, httpConfig, testApp } from "./test-app.test-helper.ts";

let HASH = "";
before(async () => {
  HASH = await hashPassword("hunter22", 1024);
});

function app(): FastifyInstance {
  return testApp({
    http: httpConfig({ auth: authConfig({ username: "admin", passwordHash: HASH, protectReads: false }) }),
    tls: false,
  });
}

const JSON_ACCEPT = { accept: "application/json" };

async function signIn(a: FastifyInstance): Promise<string> {
  const r = await a.inject({
    method: "POST",
    url: "/login",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: "username=admin&password=hunter22&next=%2F",
  });
  assert.equal(r.statusCode, 303);
  return String(r.headers["set-cookie"]).split(";")[0]!;
}

describe("sign-in state (GET /login asked for JSON)", () => {
  test("signed out, then signed in as the user, then signed out again by POST /logout", async () => {
    const a = app();
    const out = await a.inject({ method: "GET", url: "/login", headers: JSON_ACCEPT });
    assert.equal(out.statusCode, 200);
    assert.equal(out.headers["cache-control"], "no-store");
    assert.deepEqual(out.json(), { signedIn: false, username: null });

    const cookie = await signIn(a);
    const inState = await a.inject({ method: "GET", url: "/login", headers: { ...JSON_ACCEPT, cookie } });
    assert.deepEqual(inState.json(), { signedIn: true, username: "admin" });

    const bye = await a.inject({ method: "POST", url: "/logout", headers: { cookie } });
    assert.equal(bye.statusCode, 303);
    assert.equal(bye.headers.location, "/login");
    assert.match(
      String(bye.headers["set-cookie"]),
      /^twcm_session=; HttpOnly; SameSite=Strict; Path=\/; Max-Age=0$/,
    );
    const after = await a.inject({ method: "GET", url: "/login", headers: { ...JSON_ACCEPT, cookie } });
    assert.deepEqual(after.json(), { signedIn: false, username: null }, "the old cookie no longer signs in");
    const ctl = await a.inject({ method: "POST", url: "/api/cancelChargeNow", headers: { cookie } });
    assert.equal(ctl.statusCode, 401, "nor does it authorise a control");
    await a.close();
  });

  test("a browser asking for the page still gets the form", async () => {
    const a = app();
    const r = await a.inject({
      method: "GET",
      url: "/login",
      headers: { accept: "text/html,application/xhtml+xml,application/json;q=0.9" },
    });
    assert.match(r.body, /<form method="post" action="\/login"/);
    assert.equal(wantsJson("application/json"), true);
    assert.equal(wantsJson(undefined), false);
    await a.close();
  });
});

describe("a wrong password keeps the username", () => {
  test("the form comes back with the username filled in and the focus on the password", async () => {
    const a = app();
    const r = await a.inject({
      method: "POST",
      url: "/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "username=admin%22%3E&password=nope&next=%2Fsettings",
    });
    assert.equal(r.statusCode, 401);
    assert.match(r.body, /<input id="login-username" name="username"[^>]* value="admin&#34;&#62;"/);
    assert.match(r.body, /<input id="login-password" name="password"[^>]* autofocus/);
    assert.doesNotMatch(r.body, /<input id="login-username"[^>]* autofocus/);
    assert.match(
      loginPage("/", null),
      /<input id="login-username"[^>]* autofocus/,
      "a fresh form focuses the username",
    );
    await a.close();
  });
});

test("SessionStore remembers who signed in until the session expires", () => {
  const clock = new FakeClock(0);
  const s = new SessionStore(clock, 1000);
  const id = s.create("admin");
  assert.equal(s.usernameOf(id), "admin");
  assert.equal(s.valid(id), true);
  clock.advance(1000);
  assert.equal(s.usernameOf(id), null);
  assert.equal(s.valid(id), false);
  assert.equal(s.usernameOf("not an id"), null);
});
