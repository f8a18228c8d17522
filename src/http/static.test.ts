/** `/static/*` (http-api.md §10, §2.3): the bundled files only, right headers, every escape 404. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { symlinkSync } from "node:fs";
import { rawRequest } from "./raw-request.test-helper.ts";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import fc from "fast-check";
import { makeWebRoot, testApp, type WebRoot } from "./security/test-app.test-helper.ts";
import { DEFAULT_WEB_ROOT } from "./pages.ts";
import { etagMatches, staticSegments } from "./static.ts";

let web: WebRoot;
let app: FastifyInstance;
before(() => {
  web = makeWebRoot();
  symlinkSync(web.secret, join(web.root, "link.json"));
  app = testApp({ webRoot: web.root });
});
after(async () => {
  await app.close();
  web.cleanup();
});

describe("serving", () => {
  test("a file outside assets/: MIME type, Cache-Control no-cache, ETag, 304 on If-None-Match", async () => {
    const r = await app.inject({ method: "GET", url: "/static/login.css" });
    assert.equal(r.statusCode, 200);
    assert.equal(r.body, "body { font-family: sans-serif; }\n");
    assert.equal(r.headers["content-type"], "text/css; charset=utf-8");
    assert.equal(r.headers["cache-control"], "no-cache");
    assert.equal(r.headers["x-content-type-options"], "nosniff");
    assert.equal(r.headers["content-length"], String(r.rawPayload.length));
    const etag = String(r.headers.etag);
    assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const again = await app.inject({
        method: "GET",
        url: "/static/login.css",
        headers: { "if-none-match": inm },
      });
      assert.equal(again.statusCode, 304, inm);
      assert.equal(again.body, "");
      assert.equal(again.headers.etag, etag);
    }
    const changed = await app.inject({
      method: "GET",
      url: "/static/login.css",
      headers: { "if-none-match": '"stale"' },
    });
    assert.equal(changed.statusCode, 200);
  });

  test("content-hashed /static/assets/* are immutable", async () => {
    const r = await app.inject({ method: "GET", url: "/static/assets/app-abc123.js?v=1" });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal(r.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(r.body, "console.log('app');\n");
  });

  test("sub-folders, HEAD, duplicate slashes", async () => {
    const svg = await app.inject({ method: "GET", url: "/static/sub/icon.svg" });
    assert.equal(svg.headers["content-type"], "image/svg+xml");
    const head = await app.inject({ method: "HEAD", url: "/static/login.css" });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, "");
    assert.equal(head.headers["content-type"], "text/css; charset=utf-8");
    assert.equal((await app.inject({ method: "GET", url: "//static//login.css" })).statusCode, 200);
  });

  test("the default root is dist/web/ of the project", () => {
    assert.ok(
      DEFAULT_WEB_ROOT.endsWith(join("dist", "web") + "/") || DEFAULT_WEB_ROOT.endsWith(join("dist", "web")),
    );
  });
});

const PROBES = [
  "/static/../secret.json",
  "/static/web/../../secret.json",
  "/static/assets/../../secret.json",
  "/static/%2e%2e/secret.json",
  "/static/%2E%2E/secret.json",
  "/static/.%2e/secret.json",
  "/static/..%2fsecret.json",
  "/static/..%2Fsecret.json",
  "/static/..%5csecret.json",
  "/static/..%5Csecret.json",
  "/static/assets%2fapp-abc123.js",
  "/static/%252e%252e/secret.json",
  "/static/%252e%252e%252fsecret.json",
  "/static/login.css%00",
  "/static/login.css%00.js",
  "/static/%00",
  "/static/%zz",
  "/static/",
  "/static",
  "/static/sub",
  "/static/sub/",
  "/static/assets/",
  "/static/notes.txt",
  "/static/.hidden.json",
  "/static/link.json",
  "/static/%2Fetc%2Fpasswd",
  "/static//etc/passwd",
  "/static/missing.js",
];

describe("traversal and listing probes", () => {
  test("every probe is 404 (inject)", async () => {
    for (const url of PROBES) {
      const r = await app.inject({ method: "GET", url });
      assert.equal(r.statusCode, 404, url);
      assert.doesNotMatch(r.body, /secret|root:/, url);
    }
  });

  test("every probe, raw backslashes and dot segments are 404 on a real socket (no client normalisation)", async () => {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const port = (app.server.address() as { port: number }).port;
    const raw = (target: string): Promise<string> =>
      rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    for (const target of [
      ...PROBES,
      "/static/..\\secret.json",
      "/static\\..\\secret.json",
      "/static/sub\\..\\login.css",
      "/static/../../../etc/passwd",
      "/static/./login.css",
    ]) {
      const res = await raw(target);
      assert.match(res, /^HTTP\/1\.1 404 /, `${target}: ${res.slice(0, 40)}`);
      assert.doesNotMatch(res, /"secret"/, target);
    }
    assert.match(await raw("/static/login.css"), /^HTTP\/1\.1 200 /);
  });
});

test("staticSegments (pure): accepted paths stay inside, with known extensions, no dot segments", () => {
  assert.deepEqual(staticSegments("/static/assets/app.js?x=1"), ["assets", "app.js"]);
  assert.deepEqual(staticSegments("/static/a%20b.css"), ["a b.css"]);
  assert.equal(staticSegments("/api/getStatus"), null);
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 40 }), (tail) => {
      const segs = staticSegments(`/static/${tail}`);
      if (segs === null) return true;
      return segs.every((s) => s !== "" && !s.startsWith(".") && !/[\0\\/%]/.test(s));
    }),
  );
});

test("etagMatches", () => {
  assert.equal(etagMatches(undefined, '"a"'), false);
  assert.equal(etagMatches('"b"', '"a"'), false);
  assert.equal(etagMatches('W/"a"', '"a"'), true);
});
