import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../../shared/clock.ts";
import { clearedSessionCookie, MAX_SESSIONS, readCookie, sessionCookie, SessionStore } from "./sessions.ts";

test("sessions are 256-bit random ids valid until their lifetime ends", () => {
  const clock = new FakeClock();
  const s = new SessionStore(clock, 3600_000);
  const a = s.create();
  const b = s.create();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(a, "base64url").length, 32);
  assert.notEqual(a, b);
  assert.equal(s.valid(a), true);
  assert.equal(s.valid(a.slice(0, -1) + (a.endsWith("A") ? "B" : "A")), false);
  assert.equal(s.valid(""), false);
  clock.advance(3600_000 - 1);
  assert.equal(s.valid(a), true);
  clock.advance(1);
  assert.equal(s.valid(a), false, "expired");
  assert.equal(s.valid(b), false);
});

test("delete ends a session; at most 100 sessions, the oldest evicted", () => {
  const clock = new FakeClock();
  const s = new SessionStore(clock, 3600_000);
  const first = s.create();
  s.delete(first);
  assert.equal(s.valid(first), false);
  const ids: string[] = [];
  for (let i = 0; i < MAX_SESSIONS + 1; i++) ids.push(s.create());
  assert.equal(s.size, MAX_SESSIONS);
  assert.equal(s.valid(ids[0]!), false, "the oldest was evicted");
  assert.equal(s.valid(ids[1]!), true);
  assert.equal(s.valid(ids[MAX_SESSIONS]!), true);
});

test("cookie header parsing and Set-Cookie values", () => {
  assert.equal(readCookie("a=1; twcm_session=xyz; b=2", "twcm_session"), "xyz");
  assert.equal(readCookie("twcm_sessionx=1", "twcm_session"), null);
  assert.equal(readCookie(undefined, "twcm_session"), null);
  assert.equal(
    sessionCookie("ID", 604800, false),
    "twcm_session=ID; HttpOnly; SameSite=Strict; Path=/; Max-Age=604800",
  );
  assert.equal(
    sessionCookie("ID", 60, true),
    "twcm_session=ID; HttpOnly; SameSite=Strict; Path=/; Max-Age=60; Secure",
  );
  assert.equal(clearedSessionCookie(false), "twcm_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
});
