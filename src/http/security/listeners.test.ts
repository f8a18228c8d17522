import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTwcError } from "../../shared/errors.ts";
import {
  isLoopbackAddress,
  PUBLIC_WITHOUT_AUTH_MESSAGE,
  publicWithoutAuth,
  readTlsFiles,
  redirectLocation,
} from "./listeners.ts";
import { authConfig, httpConfig } from "./test-app.test-helper.ts";

test("loopback addresses", () => {
  for (const a of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", "::ffff:127.0.0.1"]) {
    assert.equal(isLoopbackAddress(a), true, a);
  }
  for (const a of [
    null,
    undefined,
    "::",
    "0.0.0.0",
    "192.168.1.2",
    "::ffff:10.0.0.1",
    "twc.local",
    "128.0.0.1",
  ]) {
    assert.equal(isLoopbackAddress(a), false, String(a));
  }
});

test("HTTP_PUBLIC_WITHOUT_AUTH applies to a non-loopback address without auth only", () => {
  assert.equal(
    PUBLIC_WITHOUT_AUTH_MESSAGE,
    "control.HTTP is reachable from the network without authentication; configure control.HTTP.auth",
  );
  assert.equal(publicWithoutAuth(httpConfig()), true, "default: all interfaces");
  assert.equal(publicWithoutAuth(httpConfig({ listenAddress: "192.168.1.2" })), true);
  assert.equal(publicWithoutAuth(httpConfig({ listenAddress: "127.0.0.1" })), false);
  assert.equal(publicWithoutAuth(httpConfig({ auth: authConfig({ tokens: ["0123456789abcdef"] }) })), false);
  assert.equal(
    publicWithoutAuth(httpConfig({ auth: authConfig({ protectReads: true }) })),
    true,
    "an auth section configuring nothing",
  );
});

test("redirect target: https://<host>:<port><path>", () => {
  assert.equal(
    redirectLocation("twc.local:8080", 8443, "/api/getStatus?x=1"),
    "https://twc.local:8443/api/getStatus?x=1",
  );
  assert.equal(redirectLocation("[::1]:80", 443, "/"), "https://[::1]:443/");
  assert.equal(redirectLocation("TWC.local", 443, "//evil.com/x"), "https://twc.local:443//evil.com/x");
  assert.equal(redirectLocation(undefined, 443, "/"), null);
  assert.equal(redirectLocation("evil.com/x", 443, "/"), null);
});

test("unreadable or invalid PEM files are a TwcError naming the file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twcm-tls-"));
  try {
    const missing = join(dir, "missing-cert.pem");
    await assert.rejects(readTlsFiles({ certFile: missing, keyFile: missing }), (err: unknown) => {
      assert.ok(isTwcError(err));
      assert.equal(err.code, "HTTP_LISTEN_FAILED");
      assert.match(err.message, /certFile .*missing-cert\.pem: ENOENT/);
      return true;
    });
    const junk = join(dir, "junk.pem");
    writeFileSync(junk, "not a pem");
    await assert.rejects(
      readTlsFiles({ certFile: junk, keyFile: join(dir, "nokey.pem") }),
      /keyFile .*nokey\.pem/,
    );
    await assert.rejects(
      readTlsFiles({ certFile: junk, keyFile: junk }),
      /invalid certificate or key in .*junk\.pem/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
