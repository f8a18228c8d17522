import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../../shared/clock.ts";
import { FailureThrottle, THROTTLE_LIMIT, THROTTLE_WINDOW_MS } from "./throttle.ts";

test("an address is blocked after 10 failures within 10 minutes, until the oldest leaves the window", () => {
  const clock = new FakeClock();
  const t = new FailureThrottle(clock);
  for (let i = 0; i < THROTTLE_LIMIT - 1; i++) {
    t.fail("10.0.0.1");
    clock.advance(1000);
  }
  assert.equal(t.retryAfterS("10.0.0.1"), 0, "9 failures are not enough");
  t.fail("10.0.0.1");
  // The first failure was 9 s ago: it leaves the 600 s window in 591 s.
  assert.equal(t.retryAfterS("10.0.0.1"), THROTTLE_WINDOW_MS / 1000 - 9);
  assert.equal(t.retryAfterS("10.0.0.2"), 0, "other addresses are not affected");
  clock.advance(THROTTLE_WINDOW_MS - 9000 - 1);
  assert.equal(t.retryAfterS("10.0.0.1"), 1);
  clock.advance(1);
  assert.equal(t.retryAfterS("10.0.0.1"), 0, "free again once the oldest failure is 10 minutes old");
  t.fail("10.0.0.1");
  assert.ok(t.retryAfterS("10.0.0.1") > 0, "the 9 failures still in the window plus a new one block again");
});

test("failures spread over more than the window never block", () => {
  const clock = new FakeClock();
  const t = new FailureThrottle(clock);
  for (let i = 0; i < 50; i++) {
    t.fail("a");
    assert.equal(t.retryAfterS("a"), 0, `attempt ${i}`);
    clock.advance(THROTTLE_WINDOW_MS / 9);
  }
});
