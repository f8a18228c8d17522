/** Origin check (§3.3) and Host allow-list (§3.4) through the full app, in the order of §4.1. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { rawRequest } from "../raw-request.test-helper.ts";
import { httpConfig, testApp } from "./test-app.test-helper.ts";

describe("Origin check", () => {
  const post = async (
    headers: Record<string, string>,
    o: { allowedOrigins?: string[]; tls?: boolean } = {},
  ) => {
    const app = testApp({
      http: httpConfig({ allowedOrigins: o.allowedOrigins ?? [] }),
      tls: o.tls ?? false,
    });
    const r = await app.inject({ method: "POST", url: "/api/checkArrival", headers });
    await app.close();
    return r;
  };

  test("absent Origin → allowed", async () => {
    assert.equal((await post({ host: "twc.local:8080" })).statusCode, 202);
  });

  test("same origin → allowed; different port or host → 403", async () => {
    assert.equal((await post({ host: "twc.local:8080", origin: "http://twc.local:8080" })).statusCode, 202);
    assert.equal((await post({ host: "TWC.local:8080", origin: "http://twc.LOCAL:8080" })).statusCode, 202);
    assert.equal((await post({ host: "twc.local", origin: "http://twc.local:80" })).statusCode, 202);
    assert.equal(
      (await post({ host: "twc.local", origin: "https://twc.local" }, { tls: true })).statusCode,
      202,
    );
    const other = await post({ host: "twc.local:8080", origin: "http://twc.local:8081" });
    assert.equal(other.statusCode, 403);
    assert.deepEqual(other.json(), { error: "Cross-origin request refused" });
    assert.equal(
      (await post({ host: "twc.local:8080", origin: "http://evil.example:8080" })).statusCode,
      403,
    );
  });

  test("listed in allowedOrigins → allowed", async () => {
    const o = { allowedOrigins: ["https://ha.example.com:8123"] };
    assert.equal(
      (await post({ host: "twc.local:8080", origin: "https://ha.example.com:8123" }, o)).statusCode,
      202,
    );
    assert.equal(
      (await post({ host: "twc.local:8080", origin: "https://ha.example.com" }, o)).statusCode,
      403,
    );
  });

  test("Origin: null → 403", async () => {
    const r = await post({ host: "twc.local:8080", origin: "null" });
    assert.equal(r.statusCode, 403);
    assert.deepEqual(r.json(), { error: "Cross-origin request refused" });
  });

  test("GET is never checked; unknown paths are 404 first", async () => {
    const app = testApp();
    const get = await app.inject({ method: "GET", url: "/api/getUUID", headers: { origin: "null" } });
    assert.equal(get.statusCode, 200);
    const unknown = await app.inject({ method: "POST", url: "/api/nothing", headers: { origin: "null" } });
    assert.equal(unknown.statusCode, 404);
    await app.close();
  });
});

describe("Host allow-list", () => {
  const get = async (
    url: string,
    host: string | undefined,
    allowedHosts = ["twc.example.com", "*.home.example"],
  ) => {
    const app = testApp({ http: httpConfig({ allowedHosts }) });
    const r = await app.inject({ method: "GET", url, headers: host === undefined ? {} : { host } });
    await app.close();
    return r;
  };

  test("IP literals, localhost, exact and wildcard entries pass", async () => {
    for (const host of [
      "192.168.1.20:8080",
      "[::1]:8080",
      "localhost:8080",
      "twc.example.com:8080",
      "TWC.EXAMPLE.COM",
      "pi.home.example",
    ]) {
      assert.equal((await get("/api/getUUID", host)).statusCode, 200, host);
    }
  });

  test("other hosts → 403 JSON under /api and HTML elsewhere, before the route lookup", async () => {
    const api = await get("/api/getUUID", "rebind.attacker.example:8080");
    assert.equal(api.statusCode, 403);
    assert.deepEqual(api.json(), { error: "Host not allowed" });
    const page = await get("/", "home.example");
    assert.equal(page.statusCode, 403);
    assert.match(String(page.headers["content-type"]), /^text\/html/);
    assert.match(page.body, /Host not allowed/);
    assert.equal((await get("/api/noSuchThing", "evil.example")).statusCode, 403, "host check precedes 404");
    assert.equal((await get("/static/login.css", "evil.example")).statusCode, 403);
  });

  test("a request without Host is refused when the list is set (real socket); an empty list checks nothing", async () => {
    assert.equal((await get("/api/getUUID", "evil.example", [])).statusCode, 200);
    const app = testApp({ http: httpConfig({ allowedHosts: ["twc.example.com"] }) });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const port = (app.server.address() as { port: number }).port;
    const raw = (request: string): Promise<string> => rawRequest(port, request);
    try {
      const noHost10 = await raw("GET /api/getUUID HTTP/1.0\r\n\r\n");
      assert.match(noHost10, /^HTTP\/1\.1 403 /);
      assert.match(noHost10, /\{"error":"Host not allowed"\}$/);
      const noHost11 = await raw("GET /api/getUUID HTTP/1.1\r\nConnection: close\r\n\r\n");
      assert.match(noHost11, /^HTTP\/1\.1 403 /);
      const ok = await raw("GET /api/getUUID HTTP/1.1\r\nHost: twc.example.com\r\nConnection: close\r\n\r\n");
      assert.match(ok, /^HTTP\/1\.1 200 /);
    } finally {
      await app.close();
    }
  });
});
