/** Unit tests of route lookup outcomes: 405 with Allow, OPTIONS, unknown /api paths (http-api.md §4.1). */
import { test } from "node:test";
import assert from "node:assert/strict";
import Fastify from "fastify";
import { allowedMethods, answerKnownPath, connectAnswer, isApiPath, requestPath } from "./methods.ts";

test("requestPath drops the query and collapses duplicate slashes; isApiPath", () => {
  assert.equal(requestPath("//api//getStatus?_=1"), "/api/getStatus");
  assert.equal(requestPath("/a?b//c"), "/a");
  for (const p of ["/api", "/api/", "/api/x", "//api/x", "/metrics", "/metrics?x=1"])
    assert.equal(isApiPath(p), true, p);
  for (const p of ["/", "/apix", "/metricsx", "/metrics/", "/static/api/x", "*"])
    assert.equal(isApiPath(p), false, p);
});

async function app() {
  const a = Fastify({
    routerOptions: { caseSensitive: true, ignoreTrailingSlash: false, ignoreDuplicateSlashes: true },
  });
  a.get("/api/getStatus", (_q, reply) => reply.send("s"));
  a.post("/api/chargeNow", (_q, reply) => reply.send("c"));
  a.get("/static/*", (_q, reply) => reply.send("f"));
  a.get("/policy", (_q, reply) => reply.send("p"));
  a.setNotFoundHandler((request, reply) =>
    answerKnownPath(a, request, reply) ? reply : reply.code(404).send("nf"),
  );
  await a.ready();
  return a;
}

test("allowedMethods lists the methods of every registered route matching the path", async () => {
  const a = await app();
  assert.deepEqual(allowedMethods(a, "/api/getStatus"), ["GET", "HEAD"]);
  assert.deepEqual(allowedMethods(a, "//api/getStatus?x=1"), ["GET", "HEAD"]);
  assert.deepEqual(allowedMethods(a, "/api/chargeNow"), ["POST"]);
  assert.deepEqual(allowedMethods(a, "/static/a/b.js"), ["GET", "HEAD"]);
  assert.deepEqual(allowedMethods(a, "/api/getstatus"), []);
  assert.deepEqual(allowedMethods(a, "/api/getStatus/"), []);
  assert.deepEqual(allowedMethods(a, "*"), []);
  await a.close();
});

test("not-found handler: 405 JSON under /api, 405 HTML for pages, 204 for OPTIONS, 404 otherwise", async () => {
  const a = await app();
  const r405 = await a.inject({ method: "DELETE", url: "/api/chargeNow" });
  assert.equal(r405.statusCode, 405);
  assert.equal(r405.headers.allow, "POST");
  assert.equal(r405.headers["content-type"], "application/json; charset=utf-8");
  assert.equal(r405.body, '{"error":"Method not allowed"}');
  const page = await a.inject({ method: "POST", url: "/policy" });
  assert.equal(page.statusCode, 405);
  assert.equal(page.headers.allow, "GET, HEAD");
  assert.match(String(page.headers["content-type"]), /^text\/html/);
  const opt = await a.inject({ method: "OPTIONS", url: "/api/getStatus" });
  assert.equal(opt.statusCode, 204);
  assert.equal(opt.headers.allow, "GET, HEAD");
  assert.equal(opt.body, "");
  assert.equal((await a.inject({ method: "OPTIONS", url: "/api/nope" })).statusCode, 404);
  await a.close();
});

test("connectAnswer: 405 with Allow for a known path, 404 under /api/, 400 otherwise", async () => {
  const a = await app();
  assert.deepEqual(connectAnswer(a, "/api/getStatus"), {
    status: 405,
    message: "Method not allowed",
    allow: ["GET", "HEAD"],
  });
  assert.deepEqual(connectAnswer(a, "/api/nope"), { status: 404, message: "Unknown endpoint" });
  assert.equal(connectAnswer(a, "example.com:443").status, 400);
  await a.close();
});
