/** Page routes (http-api.md §10) with the HTML headers of §2.3. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { makeWebRoot, testApp, type WebRoot } from "./security/test-app.test-helper.ts";
import { CSP, PAGE_ROUTES } from "./pages.ts";

const EXACT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

let web: WebRoot;
before(() => {
  web = makeWebRoot();
});
after(() => web.cleanup());

test("every page route returns the app shell with CSP, X-Frame-Options and no-cache", async () => {
  assert.equal(CSP, EXACT_CSP);
  const app = testApp({ webRoot: web.root });
  assert.deepEqual(PAGE_ROUTES, ["/", "/policy", "/schedule", "/settings", "/debug", "/graphs", "/logs", "/vehicles", "/teslaAccount"]);
  for (const path of PAGE_ROUTES) {
    const r = await app.inject({ method: "GET", url: path });
    assert.equal(r.statusCode, 200, path);
    assert.match(r.body, /<title>shell<\/title>/, path);
    assert.equal(r.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(r.headers["content-security-policy"], EXACT_CSP);
    assert.equal(r.headers["x-frame-options"], "DENY");
    assert.equal(r.headers["cache-control"], "no-cache");
    assert.equal(r.headers["x-content-type-options"], "nosniff");
    assert.equal(r.headers["referrer-policy"], "same-origin");
  }
  const head = await app.inject({ method: "HEAD", url: "/schedule" });
  assert.equal(head.statusCode, 200);
  assert.equal(head.body, "");
  assert.equal((await app.inject({ method: "GET", url: "/graphs?range=48h" })).statusCode, 200);
  await app.close();
});

test("trailing-slash variants and other paths are 404 HTML", async () => {
  const app = testApp({ webRoot: web.root });
  for (const path of ["/policy/", "/Policy", "/schedule/x", "/index.html", "/vehicles/", "/settings.json"]) {
    const r = await app.inject({ method: "GET", url: path });
    assert.equal(r.statusCode, 404, path);
    assert.match(String(r.headers["content-type"]), /^text\/html/, path);
  }
  await app.close();
});

test("without a built UI the pages explain it and link the API", async () => {
  const app = testApp();
  const r = await app.inject({ method: "GET", url: "/" });
  assert.equal(r.statusCode, 200);
  assert.match(r.body, /web UI is not built yet/);
  assert.match(r.body, /<a href="\/api\/getStatus">/);
  assert.doesNotMatch(r.body, /<script|<style/);
  assert.equal(r.headers["content-security-policy"], EXACT_CSP);
  assert.equal((await app.inject({ method: "GET", url: "/static/login.css" })).statusCode, 404);
  await app.close();
});
