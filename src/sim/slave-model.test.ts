import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../shared/clock.ts";
import { encodeFrame, toHex } from "../protocol/codec.ts";
import { MASTER_ID, twcId, type Frame, type MasterCommand } from "../protocol/frames.ts";
import {
  initSlave,
  onFrame,
  setSlaveCar,
  snapshotSlave,
  tick,
  type SlaveModelState,
  type SlaveStep,
} from "./slave-model.ts";
import { resolveSlaveDef, type SimSlaveDefInput } from "./types.ts";

const AB = twcId(0x4142);
const OTHER = twcId(0x1234);

function hex(f: Frame): string {
  return toHex(encodeFrame(f));
}

function hb(command: MasterCommand, receiver = AB): Frame {
  return { kind: "masterHeartbeat", sender: MASTER_ID, receiver, command };
}

const LR2: Frame = { kind: "masterLinkReady2", sender: MASTER_ID, sign: 0x77 };

/** A slave plus a FakeClock driving it in 100 ms ticks, collecting every frame it sends. */
class Harness {
  readonly clock = new FakeClock();
  state: SlaveModelState;
  sent: { at: number; frame: Frame }[] = [];
  constructor(def: Partial<SimSlaveDefInput> = {}) {
    this.state = initSlave(resolveSlaveDef({ twcID: "AB", ...def }), this.clock.now());
  }
  private take(step: SlaveStep): Frame[] {
    this.state = step.state;
    for (const frame of step.replies) this.sent.push({ at: this.clock.now(), frame });
    return step.replies;
  }
  frame(f: Frame): Frame[] {
    return this.take(onFrame(this.state, f, this.clock.now()));
  }
  /** Advances `ms`, ticking every 100 ms; returns what was sent meanwhile. */
  run(ms: number): Frame[] {
    const out: Frame[] = [];
    for (let t = 0; t < ms; t += 100) {
      this.clock.advance(100);
      out.push(...this.take(tick(this.state, this.clock.now())));
    }
    return out;
  }
  tickNow(): Frame[] {
    return this.take(tick(this.state, this.clock.now()));
  }
  link(): void {
    this.tickNow();
    this.frame(hb({ code: 0 }));
  }
}

void test("default slave AB announces itself with the §12 linkready, then every 10 s while unlinked", () => {
  const h = new Harness();
  const first = h.tickNow();
  assert.equal(first.length, 1);
  assert.equal(hex(first[0]!), "C0 FD E2 41 42 77 1F 40 00 00 00 00 00 00 00 00 3B C0");
  assert.equal(h.run(9900).length, 0);
  assert.equal(h.run(100).length, 1);
  assert.equal(h.run(10_000).length, 1);
});

void test("v1 slave: 14-byte linkready, 7-byte status, 14-byte acks and firmware reply", () => {
  const h = new Harness({ protocolVersion: 1, maxAmps: 32 });
  const [lr] = h.tickNow();
  assert.deepEqual(lr, { kind: "slaveLinkReady", sender: AB, sign: 0x77, ratedCentiAmps: 3200, length: 14 });
  assert.equal(hex(lr), "C0 FD E2 41 42 77 0C 80 00 00 00 00 00 00 68 C0");
  const [reply] = h.frame(hb({ code: 0x05, centiAmps: 2000 }));
  assert.equal(reply?.kind === "slaveHeartbeat" && reply.status.length, 7);
  assert.equal(hex(reply!), "C0 FD E0 41 42 77 77 00 07 D0 00 00 00 00 28 C0");
  const [ack] = h.frame({ kind: "stopCharging", sender: MASTER_ID, receiver: AB });
  assert.deepEqual(ack, { kind: "stopAck", sender: AB, length: 14 });
  const [fw] = h.frame({ kind: "firmwareRequest", sender: MASTER_ID, receiver: AB, length: 14 });
  assert.equal(fw?.kind === "unknown" && toHex(fw.payload), "FD 1B 41 42 00 00 04 05 03 00 00 00 00");
});

void test("masterLinkReady2 while unlinked → one linkready ~200 ms later, at most one per second", () => {
  const h = new Harness();
  h.tickNow(); // the announcement at join
  h.run(2000);
  h.sent = [];
  const t0 = h.clock.now();
  // a burst of five linkready2, 125 ms apart
  for (let i = 0; i < 5; i++) {
    h.frame(LR2);
    h.clock.advance(125);
    h.tickNow();
  }
  h.run(3000);
  const times = h.sent.filter((s) => s.frame.kind === "slaveLinkReady").map((s) => s.at - t0);
  assert.ok(times.length >= 1, "answered");
  assert.ok(times[0]! >= 200 && times[0]! <= 300, `first answer at ${times[0]} ms`);
  for (let i = 1; i < times.length; i++)
    assert.ok(times[i]! - times[i - 1]! >= 1000, `spacing ${times.join(",")}`);
});

void test("masterLinkReady2 while linked → no reply", () => {
  const h = new Harness();
  h.link();
  h.frame(LR2);
  assert.equal(h.run(5000).length, 0);
});

void test("masterHeartbeat: links, echoes the limit as reported max; §12 frames of slave AB", () => {
  const h = new Harness();
  h.tickNow();
  assert.equal(
    hex(hb({ code: 0x09, centiAmps: 8000 })),
    "C0 FB E0 77 77 41 42 09 1F 40 00 00 00 00 00 00 B9 C0",
  );
  const [r0] = h.frame(hb({ code: 0 }));
  assert.equal(hex(r0!), "C0 FD E0 41 42 77 77 00 00 00 00 00 00 00 00 00 51 C0");
  assert.equal(h.state.linked, true);
  const [r1] = h.frame(hb({ code: 0x09, centiAmps: 8000 }));
  assert.equal(hex(r1!), "C0 FD E0 41 42 77 77 00 1F 40 00 00 00 00 00 00 B0 C0");
  // code 00 keeps the limit
  const [r2] = h.frame(hb({ code: 0 }));
  assert.equal(r2?.kind === "slaveHeartbeat" && r2.status.reportedMaxCentiAmps, 8000);
  // a v1-style 05 works too
  const [r3] = h.frame(hb({ code: 0x05, centiAmps: 1600 }));
  assert.equal(r3?.kind === "slaveHeartbeat" && r3.status.reportedMaxCentiAmps, 1600);
});

void test("masterHeartbeat to another slave: no reply, stays unlinked", () => {
  const h = new Harness();
  h.tickNow();
  assert.deepEqual(h.frame(hb({ code: 0x09, centiAmps: 3200 }, OTHER)), []);
  assert.equal(h.state.linked, false);
  assert.equal(h.state.commandedCentiAmps, 0);
});

void test("command 02 latches state 02; 06/07/08 are echoed for that reply only", () => {
  const h = new Harness({ car: { behaviour: "follow" } });
  h.link();
  for (const code of [0x06, 0x07, 0x08] as const) {
    const [r] = h.frame(hb({ code, data: new Uint8Array(8) }));
    assert.equal(r?.kind === "slaveHeartbeat" && r.status.state, code);
    const [n] = h.frame(hb({ code: 0 }));
    assert.equal(n?.kind === "slaveHeartbeat" && n.status.state, 0x04);
  }
  h.frame(hb({ code: 0x02, data: new Uint8Array(8) }));
  const [r] = h.frame(hb({ code: 0x09, centiAmps: 3200 }));
  assert.equal(r?.kind === "slaveHeartbeat" && r.status.state, 0x02);
  for (let i = 0; i < 6; i++) {
    h.run(10_000);
    h.frame(hb({ code: 0 }));
  }
  const [later] = h.frame(hb({ code: 0 }));
  assert.deepEqual(later?.kind === "slaveHeartbeat" && later.status, {
    state: 0x02,
    reportedMaxCentiAmps: 3200,
    reportedActualCentiAmps: 0,
    length: 9,
  });
});

void test("follow car: 04 asking for a limit, 08 starting, then 01 at limit − 0.5 A", () => {
  const h = new Harness({ car: { behaviour: "follow" } });
  h.tickNow();
  const [r0] = h.frame(hb({ code: 0 }));
  assert.equal(hex(r0!), "C0 FD E0 41 42 77 77 04 00 00 00 00 00 00 00 00 55 C0");
  const [r1] = h.frame(hb({ code: 0x09, centiAmps: 3200 }));
  assert.deepEqual(r1?.kind === "slaveHeartbeat" && r1.status, {
    state: 0x08,
    reportedMaxCentiAmps: 3200,
    reportedActualCentiAmps: 0,
    length: 9,
  });
  for (let i = 0; i < 10; i++) {
    h.run(1000);
    h.frame(hb({ code: 0 }));
  }
  const [r2] = h.frame(hb({ code: 0 }));
  assert.equal(hex(r2!), "C0 FD E0 41 42 77 77 01 0C 80 0C 4E 00 00 00 00 38 C0");
  assert.equal(snapshotSlave(h.state).actualAmps, 31.5);
});

void test("kWh report: integer kWh and three voltages, bytes as in §12; none when supportsKwh is false", () => {
  const eu = new Harness({ twcID: "1234", lifetimeKWh: 56, voltage: [230, 241, 232] });
  const req: Frame = { kind: "kwhRequest", sender: MASTER_ID, receiver: OTHER, length: 15 };
  assert.equal(hex(eu.frame(req)[0]!), "C0 FD EB 12 34 00 00 00 38 00 E6 00 F1 00 E8 00 28 C0");
  const us = new Harness({ twcID: "1234", lifetimeKWh: 20, voltage: [246, 0, 0] });
  assert.equal(
    hex(us.frame({ ...req, length: 16 })[0]!),
    "C0 FD EB 12 34 00 00 00 14 00 F6 00 00 00 00 00 3B C0",
  );
  const ab = new Harness();
  assert.equal(
    hex({ kind: "kwhRequest", sender: MASTER_ID, receiver: AB, length: 15 }),
    "C0 FB EB 77 77 41 42 00 00 00 00 00 00 00 00 5C C0",
  );
  assert.deepEqual(ab.frame({ kind: "kwhRequest", sender: MASTER_ID, receiver: AB, length: 15 }), [
    { kind: "kwhReport", sender: AB, lifetimeKWh: 0, volts: [240, 0, 0] },
  ]);
  assert.deepEqual(ab.frame(req), [], "addressed to another slave");
  const no = new Harness({ supportsKwh: false });
  assert.deepEqual(no.frame({ kind: "kwhRequest", sender: MASTER_ID, receiver: AB, length: 15 }), []);
});

void test("lifetime energy integrates actual × phase voltage sum while drawing", () => {
  const h = new Harness({
    lifetimeKWh: 100,
    car: { behaviour: "follow", rampAmpsPerS: 0, startDelayS: 0, batteryKWh: 200 },
  });
  h.link();
  h.frame(hb({ code: 0x09, centiAmps: 3200 }));
  // 31.5 A × 240 V for one hour = 7.56 kWh; keep linked with a heartbeat every 10 s
  for (let i = 0; i < 360; i++) {
    h.run(10_000);
    h.frame(hb({ code: 0 }));
  }
  assert.ok(Math.abs(h.state.lifetimeWh - 107_560) < 2, `lifetimeWh ${h.state.lifetimeWh}`);
  const [r] = h.frame({ kind: "kwhRequest", sender: MASTER_ID, receiver: AB, length: 15 });
  assert.equal(r?.kind === "kwhReport" && r.lifetimeKWh, 107);
});

void test('VIN parts: characters 1–7, 8–14, 15–17 zero padded; "" → zeros; null → no reply', () => {
  const h = new Harness({ twcID: "1234", vin: "5YJ3E1EA7KF317000" });
  const req = (part: 0 | 1 | 2): Frame => ({ kind: "vinRequest", sender: MASTER_ID, receiver: OTHER, part });
  assert.equal(hex(h.frame(req(0))[0]!), "C0 FD EE 12 34 35 59 4A 33 45 31 45 00 00 00 00 FA C0");
  const text = (f: Frame | undefined): string =>
    f?.kind === "vinReport" ? String.fromCharCode(...f.data.filter((b) => b !== 0)) : "?";
  assert.equal(text(h.frame(req(1))[0]), "A7KF317");
  const [p2] = h.frame(req(2));
  assert.equal(text(p2), "000");
  assert.equal(p2?.kind === "vinReport" && toHex(p2.data), "30 30 30 00 00 00 00 00 00 00 00");
  const zeros = new Harness({ twcID: "1234" });
  const [z] = zeros.frame(req(1));
  assert.equal(z?.kind === "vinReport" && z.part === 1 && z.data.every((b) => b === 0), true);
  assert.deepEqual(new Harness({ twcID: "1234", vin: null }).frame(req(0)), []);
});

void test("stop/start commands: acks, stoppedByCommand stops the car until start or re-plug", () => {
  const h = new Harness({ car: { behaviour: "follow", rampAmpsPerS: 0, startDelayS: 0 } });
  h.link();
  h.frame(hb({ code: 0x09, centiAmps: 1600 }));
  h.run(1000);
  assert.equal(snapshotSlave(h.state).actualAmps, 15.5);
  const [ack] = h.frame({ kind: "stopCharging", sender: MASTER_ID, receiver: AB });
  assert.equal(hex(ack!), "C0 FD B2 41 42 00 00 00 00 00 00 00 00 00 00 00 35 C0");
  assert.equal(h.state.stoppedByCommand, true);
  const [r] = h.frame(hb({ code: 0 }));
  assert.deepEqual(
    r?.kind === "slaveHeartbeat" && [r.status.state, r.status.reportedActualCentiAmps],
    [0x03, 0],
  );
  assert.deepEqual(h.frame({ kind: "stopCharging", sender: MASTER_ID, receiver: OTHER }), []);
  const [start] = h.frame({ kind: "startCharging", sender: MASTER_ID, receiver: AB });
  assert.deepEqual(start, { kind: "startAck", sender: AB, length: 16 });
  h.run(1000);
  assert.equal(snapshotSlave(h.state).actualAmps, 15.5);
  // re-plug clears a stop
  h.frame({ kind: "stopCharging", sender: MASTER_ID, receiver: AB });
  h.state = setSlaveCar(h.state, { behaviour: "follow" }, h.clock.now());
  assert.equal(h.state.stoppedByCommand, false);
});

void test("firmware request → FD 1B <id> 00 00 04 05 03 zero padded (v2: 16 bytes) as an unknown frame", () => {
  const h = new Harness();
  const [fw] = h.frame({ kind: "firmwareRequest", sender: MASTER_ID, receiver: AB, length: 16 });
  assert.equal(fw?.kind, "unknown");
  assert.equal(hex(fw), "C0 FD 1B 41 42 00 00 04 05 03 00 00 00 00 00 00 AA C0");
  assert.deepEqual(h.frame({ kind: "firmwareRequest", sender: MASTER_ID, receiver: OTHER, length: 16 }), []);
});

void test("anything else → no reply", () => {
  const h = new Harness();
  h.link();
  const others: Frame[] = [
    { kind: "masterLinkReady1", sender: MASTER_ID, sign: 0x77 },
    { kind: "slaveLinkReady", sender: OTHER, sign: 1, ratedCentiAmps: 8000, length: 16 },
    {
      kind: "slaveHeartbeat",
      sender: OTHER,
      receiver: MASTER_ID,
      status: { state: 0, reportedMaxCentiAmps: 0, reportedActualCentiAmps: 0, length: 9 },
    },
    { kind: "kwhReport", sender: OTHER, lifetimeKWh: 1, volts: [240, 0, 0] },
    { kind: "idle" },
    { kind: "unknown", type: 0xfc19, payload: Uint8Array.of(0xfc, 0x19) },
    { kind: "startAck", sender: OTHER, length: 16 },
  ];
  for (const f of others) assert.deepEqual(h.frame(f), [], f.kind);
});

void test("link loss after 30 s without a heartbeat: unlinked, car stops, linkready resumes, re-links", () => {
  const h = new Harness({ car: { behaviour: "follow", rampAmpsPerS: 0, startDelayS: 0 } });
  h.link();
  h.frame(hb({ code: 0x09, centiAmps: 3200 }));
  // heartbeats to another slave do not keep this one linked
  for (let i = 0; i < 29; i++) {
    h.run(1000);
    h.frame(hb({ code: 0 }, OTHER));
  }
  assert.equal(h.state.linked, true);
  assert.equal(snapshotSlave(h.state).actualAmps, 31.5);
  const sent = h.run(1000);
  assert.equal(h.state.linked, false);
  assert.equal(snapshotSlave(h.state).actualAmps, 0);
  assert.equal(snapshotSlave(h.state).commandedAmps, 0);
  assert.deepEqual(
    sent.map((f) => f.kind),
    ["slaveLinkReady"],
  );
  assert.deepEqual(
    h.run(10_000).map((f) => f.kind),
    ["slaveLinkReady"],
  );
  // re-link: the first reply asks for a limit again
  const [r] = h.frame(hb({ code: 0 }));
  assert.deepEqual(
    r?.kind === "slaveHeartbeat" && [r.status.state, r.status.reportedMaxCentiAmps],
    [0x04, 0],
  );
  assert.equal(h.state.linked, true);
  assert.equal(h.run(20_000).length, 0);
});
