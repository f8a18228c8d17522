import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { normaliseOrigins, originAllowed } from "./origin.ts";

const none = normaliseOrigins([]);
const post = (origin: string | undefined, host: string | undefined, tls = false): boolean =>
  originAllowed({ method: "POST", origin, host, tls }, none);

test("no Origin header is allowed (curl, Home Assistant, openWB)", () => {
  assert.equal(post(undefined, "twc.local:8080"), true);
});

test("same host:port is allowed, with default ports by scheme and case-insensitive", () => {
  assert.equal(post("http://twc.local:8080", "twc.local:8080"), true);
  assert.equal(post("http://TWC.Local:8080", "twc.LOCAL:8080"), true);
  assert.equal(post("http://twc.local", "twc.local"), true);
  assert.equal(post("http://twc.local:80", "twc.local"), true);
  assert.equal(post("http://twc.local", "twc.local:80"), true);
  assert.equal(post("https://twc.local", "twc.local", true), true);
  assert.equal(post("https://twc.local:443", "twc.local:443", true), true);
  assert.equal(post("http://[::1]:8080", "[::1]:8080"), true);
  assert.equal(post("http://192.168.1.5:8080", "192.168.1.5:8080"), true);
});

test("a different host, port or default port is refused", () => {
  assert.equal(post("http://twc.local:8081", "twc.local:8080"), false);
  assert.equal(post("http://evil.example", "twc.local:8080"), false);
  assert.equal(post("https://twc.local", "twc.local"), false, "443 vs the plain connection's 80");
  assert.equal(post("http://twc.local", "twc.local", true), false, "80 vs the TLS connection's 443");
  assert.equal(post("http://twc.local:8080", undefined), false, "no Host to compare with");
});

test("Origin: null and malformed origins are refused", () => {
  for (const o of [
    "null",
    "",
    "twc.local:8080",
    "file://",
    "http://twc.local:8080/path",
    "http://u@twc.local:8080",
    "ftp://twc.local:8080",
  ]) {
    assert.equal(post(o, "twc.local:8080"), false, o);
  }
});

test("allowedOrigins lists extra origins (exact scheme://host[:port])", () => {
  const allowed = normaliseOrigins(["https://ha.example.com:8123", "not an origin"]);
  const check = (origin: string): boolean =>
    originAllowed({ method: "POST", origin, host: "twc.local:8080", tls: false }, allowed);
  assert.equal(check("https://ha.example.com:8123"), true);
  assert.equal(check("https://HA.example.com:8123"), true);
  assert.equal(check("http://ha.example.com:8123"), false);
  assert.equal(check("https://ha.example.com"), false);
  assert.equal(check("https://ha.example.com:8124"), false);
});

test("GET, HEAD and OPTIONS are never checked", () => {
  for (const method of ["GET", "HEAD", "OPTIONS"]) {
    assert.equal(originAllowed({ method, origin: "null", host: "twc.local", tls: false }, none), true);
  }
  for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
    assert.equal(originAllowed({ method, origin: "null", host: "twc.local", tls: false }, none), false);
  }
});

test("property: an origin built from a different port than Host is always refused", () => {
  fc.assert(
    fc.property(
      fc.domain(),
      fc.integer({ min: 1, max: 65535 }),
      fc.integer({ min: 1, max: 65535 }),
      (domain, a, b) => {
        fc.pre(a !== b);
        return (
          !post(`http://${domain}:${a}`, `${domain}:${b}`) && post(`http://${domain}:${a}`, `${domain}:${a}`)
        );
      },
    ),
  );
});
