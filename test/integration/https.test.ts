/**
 * HTTPS with a real server (http-api.md §2.1): a self-signed certificate generated with openssl at test
 * time, the plain-HTTP redirect listener (308), Secure session cookies, and shutdown closing both.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { request as httpRequest } from "node:http";
import { Agent, request as httpsRequest } from "node:https";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { hashPassword } from "../../src/http/security/password.ts";
import { authConfig, httpConfig, testApp } from "../../src/http/security/test-app.test-helper.ts";
import { HTTP_LIMITS } from "../../src/http/wire-rules.ts";
import { listen } from "../../src/http/server.ts";
import { isTwcError } from "../../src/shared/errors.ts";
import { dummyConfig, freePort, spawnCli, tempDir, waitFor, writeConfig } from "./helpers.ts";

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const tmp = tempDir("twcm-https-");
const certFile = join(tmp.dir, "cert.pem");
const keyFile = join(tmp.dir, "key.pem");
let app: FastifyInstance;
let port = 0;
let redirectPort = 0;
const agent = new Agent({ rejectUnauthorized: false, keepAlive: true });

function https(method: string, path: string, headers: Record<string, string> = {}, body = ""): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: "127.0.0.1", port, method, path, headers, agent, rejectUnauthorized: false },
      (res) => {
        let data = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (data += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function plain(targetPort: number, path: string, host: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port: targetPort, path, headers: { host }, agent: false },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: "" }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

before(async () => {
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-days",
      "1",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    {
      stdio: "ignore",
    },
  );
  const hash = await hashPassword("hunter22", 1024);
  app = testApp({
    http: httpConfig({ auth: authConfig({ username: "admin", passwordHash: hash }) }),
    tls: true,
  });
  const r = await listen(app, {
    port: 0,
    address: "127.0.0.1",
    tls: { certFile, keyFile, redirectFromPort: 0 },
  });
  port = r.port;
  assert.ok(r.redirectPort !== null && r.redirectPort > 0);
  redirectPort = r.redirectPort;
});

after(async () => {
  agent.destroy();
  await app.close();
  tmp.cleanup();
});

test("the API is served over HTTPS", async () => {
  const r = await https("GET", "/api/getUUID");
  assert.equal(r.status, 200);
  assert.equal(r.body, "1234");
  const page = await https("GET", "/");
  assert.equal(page.status, 200);
  assert.equal(page.headers["x-frame-options"], "DENY");
});

test("the session cookie is Secure over TLS, and same-origin https posts pass the Origin check", async () => {
  const r = await https(
    "POST",
    "/login",
    {
      "content-type": "application/x-www-form-urlencoded",
      origin: `https://127.0.0.1:${port}`,
      host: `127.0.0.1:${port}`,
    },
    "username=admin&password=hunter22&next=%2Fpolicy",
  );
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, "/policy");
  const cookie = String(r.headers["set-cookie"]);
  assert.match(
    cookie,
    /^twcm_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=604800; Secure$/,
  );
  const post = await https("POST", "/api/checkArrival", {
    cookie: cookie.split(";")[0]!,
    origin: `https://127.0.0.1:${port}`,
  });
  assert.equal(post.status, 202);
  const cross = await https("POST", "/api/checkArrival", {
    cookie: cookie.split(";")[0]!,
    origin: `https://127.0.0.1:${port + 1}`,
  });
  assert.equal(cross.status, 403, "another port is another origin");
  const defaultPort = await https("POST", "/api/checkArrival", {
    cookie: cookie.split(";")[0]!,
    origin: "https://127.0.0.1",
    host: "127.0.0.1",
  });
  assert.equal(defaultPort.status, 202, "no port in Host means 443 on a TLS connection");
});

test("the redirect listener answers every request with 308 to https://<host>:<listenPort><path>", async () => {
  const r = await plain(redirectPort, "/api/getStatus?x=1", `localhost:${redirectPort}`);
  assert.equal(r.status, 308);
  assert.equal(r.headers.location, `https://localhost:${port}/api/getStatus?x=1`);
  const post = await plain(redirectPort, "/", "twc.local");
  assert.equal(post.status, 308);
  assert.equal(post.headers.location, `https://twc.local:${port}/`);
});

test("unreadable certificate files are a fatal TwcError naming the file; closing the app closes both listeners", async () => {
  const other = testApp({ tls: true });
  await assert.rejects(
    listen(other, {
      port: 0,
      address: "127.0.0.1",
      tls: { certFile: join(tmp.dir, "nope.pem"), keyFile, redirectFromPort: null },
    }),
    (err: unknown) => {
      assert.ok(isTwcError(err));
      assert.equal(err.code, "HTTP_LISTEN_FAILED");
      assert.match(err.message, /nope\.pem/);
      return true;
    },
  );
  await other.close();

  const second = testApp({ tls: true });
  const r = await listen(second, {
    port: 0,
    address: "127.0.0.1",
    tls: { certFile, keyFile, redirectFromPort: 0 },
  });
  const ka = new Agent({ rejectUnauthorized: false, keepAlive: true });
  const res = await new Promise<number>((resolve, reject) => {
    httpsRequest({ host: "127.0.0.1", port: r.port, path: "/api/getUUID", agent: ka }, (m) => {
      m.resume();
      m.on("end", () => resolve(m.statusCode ?? 0));
    })
      .on("error", reject)
      .end();
  });
  assert.equal(res, 200);
  await second.close(); // resolves although the keep-alive connection was open
  ka.destroy();
  const refused = (p: number): Promise<string> =>
    new Promise((resolve) => {
      httpRequest({ host: "127.0.0.1", port: p, path: "/", agent: false }, () => resolve("answered"))
        .on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"))
        .end();
    });
  assert.equal(await refused(r.port), "ECONNREFUSED");
  assert.equal(await refused(r.redirectPort ?? 0), "ECONNREFUSED");
});

test(
  "the CLI serves HTTPS from config.json; an unreadable key file exits with code 2 naming it",
  { timeout: 60_000 },
  async () => {
    const port2 = await freePort();
    const tls = { certFile, keyFile };
    const cfg = dummyConfig(join(tmp.dir, "s1"), port2);
    (cfg["control"] as { HTTP: Record<string, unknown> }).HTTP["tls"] = tls;
    const cli = spawnCli(["--config", writeConfig(tmp.dir, cfg)]);
    try {
      const status = await waitFor(
        async () => {
          const r = await new Promise<number>((resolve, reject) => {
            httpsRequest(
              {
                host: "127.0.0.1",
                port: port2,
                path: "/api/getUUID",
                rejectUnauthorized: false,
                agent: false,
              },
              (m) => {
                m.resume();
                m.on("end", () => resolve(m.statusCode ?? 0));
              },
            )
              .on("error", reject)
              .end();
          });
          return r;
        },
        20_000,
        "HTTPS from the CLI",
      );
      assert.equal(status, 200);
    } finally {
      await cli.kill();
    }
    const bad = dummyConfig(join(tmp.dir, "s2"), port2);
    (bad["control"] as { HTTP: Record<string, unknown> }).HTTP["tls"] = {
      certFile,
      keyFile: join(tmp.dir, "missing-key.pem"),
    };
    const t2 = tempDir("twcm-https-cfg-");
    try {
      const failed = spawnCli(["--config", writeConfig(t2.dir, bad)]);
      assert.equal(await failed.exited, 2, failed.output());
      assert.match(failed.output(), /control\.HTTP\.tls: cannot read keyFile .*missing-key\.pem: ENOENT/);
    } finally {
      t2.cleanup();
    }
  },
);

test("the connection cap also holds over HTTPS: a TLS connection above it gets 503 naming the limit", async () => {
  const capped = testApp({ tls: true });
  const r = await listen(capped, {
    port: 0,
    address: "127.0.0.1",
    tls: { certFile, keyFile, redirectFromPort: null },
    limits: { ...HTTP_LIMITS, maxConnections: 1 },
  });
  const get = (a: Agent | false): Promise<Res> =>
    new Promise((resolve, reject) => {
      httpsRequest({ host: "127.0.0.1", port: r.port, path: "/api/getUUID", agent: a, rejectUnauthorized: false }, (m) => {
        let data = "";
        m.setEncoding("utf8");
        m.on("data", (c: string) => (data += c));
        m.on("end", () => resolve({ status: m.statusCode ?? 0, headers: m.headers, body: data }));
      })
        .on("error", reject)
        .end();
    });
  const ka = new Agent({ rejectUnauthorized: false, keepAlive: true });
  try {
    assert.equal((await get(ka)).status, 200); // this keep-alive connection stays open
    const refused = await get(false);
    assert.equal(refused.status, 503);
    assert.equal(refused.body, '{"error":"Too many connections (limit 1)"}');
    assert.equal(refused.headers.connection, "close");
    assert.equal(refused.headers["retry-after"], "5");
    assert.equal((await get(ka)).status, 200, "the connection within the cap is still served");
  } finally {
    ka.destroy();
    await capped.close();
  }
});
