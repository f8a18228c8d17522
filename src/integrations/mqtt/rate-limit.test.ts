import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../../shared/clock.ts";
import { RateLimiter } from "./rate-limit.ts";

function setup(windowS: number): {
  clock: FakeClock;
  sent: string[];
  rl: RateLimiter;
  connected: { v: boolean };
} {
  const clock = new FakeClock(0);
  const sent: string[] = [];
  const connected = { v: true };
  const rl = new RateLimiter(clock, windowS * 1000, (topic, payload) => {
    if (!connected.v) return false;
    sent.push(`${clock.now() / 1000}s ${topic}=${payload}`);
    return true;
  });
  return { clock, sent, rl, connected };
}

test("a change within the window is deferred and the latest value goes out when it ends", () => {
  const { clock, sent, rl } = setup(60);
  rl.offer("t", "1");
  clock.advance(10_000);
  rl.offer("t", "2");
  clock.advance(10_000);
  rl.offer("t", "3");
  assert.equal(rl.pendingCount, 1);
  clock.advance(39_999);
  assert.deepEqual(sent, ["0s t=1"]);
  clock.advance(1);
  assert.deepEqual(sent, ["0s t=1", "60s t=3"]);
  clock.advance(61_000);
  rl.offer("t", "4");
  assert.deepEqual(sent, ["0s t=1", "60s t=3", "121s t=4"]);
});

test("an unchanged value is not sent again; going back to the published value cancels the deferred one", () => {
  const { clock, sent, rl } = setup(60);
  rl.offer("t", "1");
  rl.offer("t", "1");
  clock.advance(5000);
  rl.offer("t", "2");
  rl.offer("t", "1");
  clock.advance(120_000);
  assert.deepEqual(sent, ["0s t=1"]);
  assert.equal(rl.pendingCount, 0);
});

test("bypass goes out at once and replaces a deferred value; topics are independent", () => {
  const { clock, sent, rl } = setup(60);
  rl.offer("a", "1");
  rl.offer("b", "1");
  clock.advance(1000);
  rl.offer("a", "2");
  rl.offer("b", "2", true);
  assert.deepEqual(sent, ["0s a=1", "0s b=1", "1s b=2"]);
  rl.offer("b", "3");
  clock.advance(60_000);
  assert.deepEqual(sent, ["0s a=1", "0s b=1", "1s b=2", "60s a=2", "61s b=3"]);
});

test("ratelimit 0 disables the limit", () => {
  const { sent, rl } = setup(0);
  rl.offer("t", "1");
  rl.offer("t", "2");
  rl.offer("t", "3");
  assert.deepEqual(sent, ["0s t=1", "0s t=2", "0s t=3"]);
});

test("disconnected: nothing is kept; reset drops the deferred values; republish sends everything", () => {
  const { clock, sent, rl, connected } = setup(60);
  rl.offer("t", "1");
  clock.advance(1000);
  rl.offer("t", "2");
  connected.v = false;
  rl.reset();
  assert.equal(rl.pendingCount, 0);
  clock.advance(120_000);
  rl.offer("t", "3");
  assert.deepEqual(sent, ["0s t=1"]);
  connected.v = true;
  rl.republish([
    ["t", "3"],
    ["u", "9"],
  ]);
  rl.offer("t", "3");
  assert.deepEqual(sent, ["0s t=1", "121s t=3", "121s u=9"]);
});
