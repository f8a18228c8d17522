import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isStoppedBy, stopCause, USER_STOP_WINDOW_MS, type StopFacts } from "./stop-cause.ts";

const T = 1_795_000_000_000;
const base: StopFacts = {
  reason: "stopped",
  startedAtMs: T,
  closedAtMs: T + 3_600_000,
  lastAmpsOffered: 16,
  minAmps: 6,
  stoppedByUs: false,
  userStop: null,
};

describe("stopCause", () => {
  it("the car stopped by itself while current was offered", () => {
    assert.equal(stopCause(base), "car");
  });

  it("a user's stop command shortly before, by where it came from", () => {
    const at = base.closedAtMs - 10_000;
    assert.equal(stopCause({ ...base, userStop: { atMs: at, via: "http" } }), "userHttp");
    assert.equal(stopCause({ ...base, userStop: { atMs: at, via: "mqtt" } }), "userMqtt");
    // Too long before the end, or before this session started: not this stop.
    const old = base.closedAtMs - USER_STOP_WINDOW_MS - 1;
    assert.equal(stopCause({ ...base, userStop: { atMs: old, via: "http" } }), "car");
    assert.equal(stopCause({ ...base, userStop: { atMs: base.startedAtMs - 1, via: "http" } }), "car");
  });

  it("the policy: no current offered any more, or the controller's own stop command", () => {
    assert.equal(stopCause({ ...base, lastAmpsOffered: 0 }), "policy");
    assert.equal(stopCause({ ...base, lastAmpsOffered: 5 }), "policy");
    assert.equal(stopCause({ ...base, stoppedByUs: true }), "policy");
    assert.equal(stopCause({ ...base, lastAmpsOffered: -1 }), "car");
  });

  it("the link lost and TWCManager stopping", () => {
    assert.equal(stopCause({ ...base, reason: "linkLost", lastAmpsOffered: 0 }), "busLost");
    assert.equal(stopCause({ ...base, reason: "shutdown" }), "controller");
  });

  it("isStoppedBy reads stored values back", () => {
    assert.equal(isStoppedBy("userMqtt"), true);
    assert.equal(isStoppedBy("someone"), false);
    assert.equal(isStoppedBy(null), false);
  });
});
