import { test } from "node:test";
import assert from "node:assert/strict";
import { hostAllowed, isIpLiteral, parseHost } from "./hosts.ts";

const list = ["twc.example.com", "*.home.example"];

test("an empty allow-list lets every Host through, even none", () => {
  assert.equal(hostAllowed("evil.example", []), true);
  assert.equal(hostAllowed(undefined, []), true);
});

test("IP literals and localhost are always allowed", () => {
  for (const h of [
    "192.168.1.5:8080",
    "127.0.0.1",
    "[::1]:8080",
    "[fe80::1]",
    "localhost",
    "LOCALHOST:8080",
  ]) {
    assert.equal(hostAllowed(h, list), true, h);
  }
});

test("entries match exactly (case-insensitive, port ignored) or as *.domain wildcard", () => {
  assert.equal(hostAllowed("twc.example.com", list), true);
  assert.equal(hostAllowed("TWC.Example.COM:8443", list), true);
  assert.equal(hostAllowed("twc.example.com.", list), true);
  assert.equal(hostAllowed("a.home.example", list), true);
  assert.equal(hostAllowed("a.b.home.example:80", list), true);
  assert.equal(hostAllowed("home.example", list), false, "the wildcard needs a sub-domain");
  assert.equal(hostAllowed("evilhome.example", list), false);
  assert.equal(hostAllowed("x.twc.example.com", list), false);
  assert.equal(hostAllowed("rebind.attacker.example", list), false);
});

test("a missing or malformed Host is refused when the list is set", () => {
  for (const h of [
    undefined,
    "",
    "a b",
    "evil.com/x",
    "user@twc.example.com",
    "twc.example.com:99999",
    "[zz]",
  ]) {
    assert.equal(hostAllowed(h, list), false, String(h));
  }
});

test("parseHost and isIpLiteral", () => {
  assert.deepEqual(parseHost("[::1]:8080"), { name: "[::1]", port: 8080 });
  assert.deepEqual(parseHost("Example.COM"), { name: "example.com", port: null });
  assert.equal(isIpLiteral("10.0.0.1"), true);
  assert.equal(isIpLiteral("[::1]"), true);
  assert.equal(isIpLiteral("10.0.0"), false);
  assert.equal(isIpLiteral("example.com"), false);
});
