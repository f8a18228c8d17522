import { test } from "node:test";
import assert from "node:assert/strict";
import { hashPassword, parsePasswordHash, verifyPassword } from "./password.ts";

test("hashPassword output verifies the right password only", async () => {
  const h = await hashPassword("correct horse", 1024);
  assert.match(h, /^scrypt:1024:8:1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
  assert.equal(await verifyPassword("correct horse", h), true);
  assert.equal(await verifyPassword("correct horsE", h), false);
  assert.equal(await verifyPassword("x", "scrypt:3:8:1:AA==:AA=="), false);
  assert.equal(parsePasswordHash("plain"), null);
});
