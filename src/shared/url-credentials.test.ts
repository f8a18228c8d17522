import assert from "node:assert/strict";
import { test } from "node:test";
import { splitUserinfo, withUrlCredentials } from "./url-credentials.ts";

const basic = (s: string): string => `Basic ${Buffer.from(s).toString("base64")}`;

test("userinfo becomes a Basic Authorization header and leaves the URL", () => {
  assert.deepEqual(splitUserinfo("http://admin:secret@192.168.1.5:8080/status?x=1"), {
    url: "http://192.168.1.5:8080/status?x=1",
    headers: { Authorization: basic("admin:secret") },
  });
  assert.deepEqual(splitUserinfo("https://user@host/"), { url: "https://host/", headers: { Authorization: basic("user:") } });
  assert.deepEqual(splitUserinfo("http://a%3Ab:c%40d@host/").headers, { Authorization: basic("a:b:c@d") });
});

test("URLs without credentials, and text that is no URL, are unchanged", () => {
  assert.deepEqual(splitUserinfo("http://host/path"), { url: "http://host/path", headers: {} });
  assert.deepEqual(splitUserinfo("not a url"), { url: "not a url", headers: {} });
});

test("an Authorization header already given wins", () => {
  const r = withUrlCredentials("http://u:p@host/", { headers: { Authorization: "Bearer t" } });
  assert.equal(r.url, "http://host/");
  assert.equal(new Headers(r.init.headers).get("authorization"), "Bearer t");
});
