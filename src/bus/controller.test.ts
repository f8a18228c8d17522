/**
 * Component tests: BusController + SimBus + FakeClock (design.md §14 tier 2). The BusIo adapter below
 * is the minimal frame stream: a master-length Deframer on the simulator's bytes, encodeFrame on writes.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { encodeFrame } from "../protocol/codec.ts";
import { Deframer, MASTER_LENGTHS } from "../protocol/deframer.ts";
import { MASTER_ID, twcId } from "../protocol/frames.ts";
import type { DeframeResult, Frame, FrameOf, TwcId } from "../protocol/frames.ts";
import { SimBus } from "../sim/sim-bus.ts";
import type { SimSlaveDefInput } from "../sim/types.ts";
import { captureLogger, type LogRecord } from "../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../shared/clock.ts";
import { isTwcError } from "../shared/errors.ts";
import { BusController } from "./controller.ts";
import type { BusControllerConfig, BusControllerOptions, BusIo, HeartbeatSent } from "./controller-types.ts";
import type { SessionEvent } from "./effects.ts";

const AB = twcId(0x4142);
const CD = twcId(0x4344);
const SLAVE_80_V2: SimSlaveDefInput = { twcID: "AB", maxAmps: 80, protocolVersion: 2 };
const SLAVE_32_V1: SimSlaveDefInput = { twcID: "CD", maxAmps: 32, protocolVersion: 1 };

/** The in-test frame stream over a SimBus; records every write with its time. */
function simIo(bus: SimBus, clock: FakeClock): BusIo & { writes: { at: number; frame: Frame }[] } {
  const deframer = new Deframer({ acceptedLengths: MASTER_LENGTHS });
  const listeners: ((r: DeframeResult) => void)[] = [];
  const deliver = (results: DeframeResult[]): void => {
    for (const r of results) for (const l of listeners) l(r);
  };
  bus.onData((bytes) => deliver(deframer.push(bytes, clock.now())));
  const writes: { at: number; frame: Frame }[] = [];
  return {
    writes,
    onFrame: (cb) => listeners.push(cb),
    onOpen: () => undefined,
    onClose: () => undefined,
    writeFrame(frame) {
      writes.push({ at: clock.now(), frame });
      bus.write(encodeFrame(frame));
      return Promise.resolve();
    },
    isReceiverQuiet: (now) => !deframer.receiving || now - deframer.lastByteAt >= 25,
    noiseBytes: () => deframer.stats.noiseBytes,
    expirePartial: (now) => deliver(deframer.expire(now)),
  };
}

const CONFIG: BusControllerConfig = {
  mode: "master",
  slaveTimeoutS: 26,
  wiringMaxAmpsPerTWC: 32,
  useFlexAmpsToStartCharge: false,
  startStopDelay: 60,
  minAmpsPerTWC: 6,
};

interface Rig {
  clock: FakeClock;
  bus: SimBus;
  io: ReturnType<typeof simIo>;
  ctl: BusController;
  logs: LogRecord[];
  heartbeats: HeartbeatSent[];
  removed: { id: TwcId; at: number }[];
  sessions: SessionEvent[];
}

const rigs: Rig[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) {
    r.ctl.stop();
    r.bus.stop();
  }
});

function rig(
  slaves: SimSlaveDefInput[],
  over: Partial<BusControllerOptions> = {},
  seed = 1,
  realisticTiming = false,
): Rig {
  const clock = new FakeClock();
  const bus = new SimBus({ clock, slaves, seed, realisticTiming });
  const io = simIo(bus, clock);
  const logger = captureLogger();
  const logs = logger.records;
  const ctl = new BusController({
    clock,
    io,
    logger,
    config: CONFIG,
    getSettings: () => ({}),
    onSettingsPatch: () => undefined,
    ...over,
  });
  const r: Rig = { clock, bus, io, ctl, logs, heartbeats: [], removed: [], sessions: [] };
  ctl.on("heartbeatSent", (h) => r.heartbeats.push(h));
  ctl.on("slaveRemoved", (id) => r.removed.push({ id, at: clock.now() }));
  ctl.on("session", (e) => r.sessions.push(e));
  rigs.push(r);
  return r;
}

/** Gaps between consecutive heartbeats written at or after `fromMs`. */
function gaps(heartbeats: HeartbeatSent[], fromMs: number): number[] {
  const hb = heartbeats.filter((h) => h.atMs >= fromMs);
  return hb.slice(1).map((h, i) => h.atMs - hb[i]!.atMs);
}

function assertCadence(heartbeats: HeartbeatSent[], fromMs: number, minCount: number): void {
  const g = gaps(heartbeats, fromMs);
  assert.ok(g.length >= minCount, `expected ≥ ${minCount} heartbeat gaps, got ${g.length}`);
  for (const gap of g) assert.ok(gap >= 1000 && gap <= 1150, `heartbeat gap ${gap} ms outside 1.0–1.15 s`);
}

const heartbeatsTo = (r: Rig, id: TwcId): FrameOf<"masterHeartbeat">[] =>
  r.io.writes.flatMap((w) =>
    w.frame.kind === "masterHeartbeat" && w.frame.receiver === id ? [w.frame] : [],
  );

void describe("BusController on the simulator", () => {
  void it("links an 80 A v2 and a 32 A v1 slave within 3 s with the right ratings and versions", () => {
    const r = rig([SLAVE_80_V2, SLAVE_32_V1]);
    const t0 = r.clock.now();
    r.ctl.start();
    r.clock.advance(3000);
    const slaves = r.ctl.slaves();
    assert.deepEqual(
      slaves.map((s) => [s.id, s.maxAmps, s.protocolVersion, s.minAmpsTWCSupports]),
      [
        [AB, 80, 2, 6],
        [CD, 32, 1, 5],
      ],
    );
    const burst = r.io.writes.slice(0, 10);
    assert.deepEqual(
      burst.map((w) => w.frame.kind),
      [...Array<string>(5).fill("masterLinkReady1"), ...Array<string>(5).fill("masterLinkReady2")],
    );
    assert.deepEqual(
      burst.map((w) => w.at - t0),
      [0, 125, 250, 375, 500, 625, 750, 875, 1000, 1125],
    );
    assert.equal(r.ctl.spikeAmps, 16, "the last linkready (32 A) wins");
    for (const s of slaves) assert.ok(s.lastHeartbeatAt !== null, "each slave answered a heartbeat");
  });

  void it("alternates heartbeats with a 1.0–1.15 s cadence, 0 A after the first (no change)", () => {
    const r = rig([SLAVE_80_V2, SLAVE_32_V1]);
    r.ctl.start();
    r.clock.advance(30_000);
    assertCadence(r.heartbeats, r.clock.now() - 25_000, 20);
    const order = r.heartbeats.filter((h) => h.atMs >= r.clock.now() - 20_000).map((h) => h.twcId);
    for (let i = 1; i < order.length; i++) assert.notEqual(order[i], order[i - 1], "round robin alternates");
    for (const [id, code] of [
      [AB, 0x09],
      [CD, 0x05],
    ] as const) {
      const hbs = heartbeatsTo(r, id);
      assert.ok(hbs.length >= 10);
      assert.deepEqual(hbs[0]!.command, { code: 0x00 }, "first heartbeat: nine zero bytes");
      for (const hb of hbs.slice(1)) assert.deepEqual(hb.command, { code, centiAmps: 0 });
    }
    const sim = r.bus.slaves;
    assert.ok(sim.every((s) => s.linked && s.commandedAmps === 0));
    assert.equal(r.ctl.stats().writeErrors, 0);
    assert.equal(r.ctl.stats().handlerErrors, 0);
  });

  void it("keeps the cadence with realistic line timing, slow replies and split delivery", () => {
    const faults = { replyDelayMs: 60, splitDelivery: true, noiseBytes: 3 };
    const r = rig(
      [
        { ...SLAVE_80_V2, faults },
        { ...SLAVE_32_V1, faults },
      ],
      {},
      7,
      true,
    );
    r.ctl.start();
    r.clock.advance(30_000);
    assert.equal(r.ctl.slaves().length, 2);
    assertCadence(r.heartbeats, r.clock.now() - 25_000, 20);
    for (const s of r.ctl.slaves()) assert.ok(r.clock.now() - s.timeLastRx < 3_000);
  });

  void it("removes a silent slave 26 s after its last reply at its next turn; the other keeps its cadence", () => {
    const r = rig([SLAVE_80_V2, SLAVE_32_V1]);
    const t0 = r.clock.now();
    r.bus.setFault("CD", { silentAfterS: 10 });
    r.ctl.start();
    r.clock.advance(9_000);
    r.clock.advance(1_000);
    const lastReply = r.ctl.slaves().find((s) => s.id === CD)?.lastHeartbeatAt;
    assert.ok(typeof lastReply === "number" && lastReply <= t0 + 10_000);
    r.clock.advance(30_000);
    assert.equal(r.removed.length, 1);
    const rem = r.removed[0]!;
    assert.equal(rem.id, CD);
    assert.ok(rem.at - lastReply > 26_000, "not before 26 s");
    assert.ok(rem.at - lastReply <= 26_000 + 2 * 1150, "at its next turn");
    assert.deepEqual(
      r.ctl.slaves().map((s) => s.id),
      [AB],
    );
    assertCadence(r.heartbeats, t0 + 5_000, 30);
    // The slot of the removed slave went to AB: a heartbeat at the removal time.
    assert.ok(r.heartbeats.some((h) => h.atMs === rem.at && h.twcId === AB));
    assert.ok(
      !r.io.writes.some((w) => w.at > t0 + 2000 && w.frame.kind === "masterLinkReady1"),
      "no new burst",
    );
  });

  void it("re-links a slave after it was removed, starting again with no change", () => {
    const r = rig([SLAVE_80_V2, SLAVE_32_V1]);
    r.bus.setFault("CD", { silentAfterS: 5 });
    r.ctl.start();
    r.clock.advance(40_000);
    assert.equal(r.removed.length, 1);
    const removedAt = r.removed[0]!.at;
    const before = heartbeatsTo(r, CD).length;
    r.bus.setFault("CD", { silentAfterS: null });
    r.clock.advance(60_000);
    const cd = r.ctl.slaves().find((s) => s.id === CD);
    assert.ok(cd, "CD linked again");
    assert.ok(cd.linkedAt > removedAt, "a fresh record");
    const after = heartbeatsTo(r, CD).slice(before);
    assert.deepEqual(after[0]?.command, { code: 0x00 });
    assert.deepEqual(after.at(-1)?.command, { code: 0x05, centiAmps: 0 });
    assertCadence(r.heartbeats, removedAt + 30_000, 20);
  });

  void it("random noise on the bus does not disturb the linked slaves", () => {
    const r = rig([SLAVE_80_V2, SLAVE_32_V1]);
    r.ctl.start();
    r.clock.advance(3_000);
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    for (let t = 0; t < 60_000; t += 250) {
      const n = 1 + Math.floor(rnd() * 12);
      const bytes = Uint8Array.from({ length: n }, () => (rnd() < 0.05 ? 0xc0 : Math.floor(rnd() * 256)));
      r.bus.injectNoise(bytes);
      r.clock.advance(250);
    }
    assert.equal(r.removed.length, 0);
    assert.equal(r.ctl.slaves().length, 2);
    const stats = r.ctl.stats();
    assert.ok(stats.noiseBytes > 100, `noise counted (${stats.noiseBytes})`);
    assert.equal(stats.handlerErrors, 0);
    assertCadence(r.heartbeats, r.clock.now() - 55_000, 50);
    for (const s of r.ctl.slaves()) assert.ok(r.clock.now() - s.timeLastRx < 5_000);
  });

  void it("30 s of debug/start/stop commands every 100 ms never delay a heartbeat beyond 1.15 s", () => {
    const r = rig([SLAVE_80_V2, SLAVE_32_V1]);
    r.ctl.start();
    r.clock.advance(5_000);
    const from = r.clock.now();
    const firmware = Uint8Array.of(0xfb, 0x1b, 0x77, 0x77, 0x41, 0x42, 0, 0, 0xa0, 0, 0, 0, 0, 0, 0);
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      for (const cmd of [
        () => r.ctl.sendDebugPayload(firmware),
        () => r.ctl.sendStartToAll(),
        () => r.ctl.sendStopToAll(),
      ]) {
        try {
          cmd();
        } catch (err) {
          if (!(isTwcError(err) && err.code === "CONTROLLER_TX_QUEUE_FULL")) throw err;
          refused++;
        }
      }
      r.clock.advance(100);
    }
    assert.equal(refused, 0, "identical commands merge instead of filling the queue");
    assertCadence(r.heartbeats, from, 25);
    const others = r.io.writes.filter((w) => w.at >= from && w.frame.kind !== "masterHeartbeat").length;
    assert.ok(others >= 150, `commands used the gaps (${others})`);
    assert.equal(r.removed.length, 0);
    // Acks of the start/stop commands replace the capture (twc-protocol §5.5); a lone debug frame is answered.
    r.clock.advance(2_000);
    r.ctl.sendDebugPayload(firmware);
    assert.equal(r.ctl.lastTwcResponse(), null, "sending clears the capture");
    r.clock.advance(1_000);
    const resp = r.ctl.lastTwcResponse();
    assert.ok(resp !== null && resp[0] === 0xfd && resp[1] === 0x1b, "firmware reply captured");
  });

  void it("polls kWh at most once per 60 s", () => {
    const r = rig([SLAVE_80_V2, { ...SLAVE_32_V1, supportsKwh: false }]);
    r.ctl.start();
    r.clock.advance(200_000);
    const polls = r.io.writes.filter((w) => w.frame.kind === "kwhRequest");
    for (const id of [AB, CD]) {
      const times = polls
        .filter((w) => w.frame.kind === "kwhRequest" && w.frame.receiver === id)
        .map((w) => w.at);
      assert.ok(times.length >= 3, `polled ${times.length}×`);
      for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 60_000);
    }
    const ab = r.ctl.slaves().find((s) => s.id === AB);
    assert.equal(ab?.lifetimeKnown, true);
    assert.equal(ab?.voltsPhaseA, 240);
  });

  void it("opens and closes sessions when a car charges (0 A offers stop it)", () => {
    const r = rig([{ ...SLAVE_80_V2, vin: "5YJ3E1EA8KF000001", car: { behaviour: "follow" } }], {
      // A test offer of 16 A so the simulated car draws current.
      offer: (slave) => ({
        ...slave,
        lastAmpsOffered: 16,
        masterHeartbeatData: Uint8Array.of(0x09, 0x06, 0x40, 0, 0, 0, 0, 0, 0),
      }),
    });
    r.ctl.start();
    r.clock.advance(20_000);
    assert.deepEqual(
      r.sessions.map((s) => s.op),
      ["open", "vin"],
    );
    const vin = r.sessions[1];
    assert.equal(vin?.op === "vin" && vin.vin, "5YJ3E1EA8KF000001");
    assert.equal(r.ctl.slaves()[0]?.currentVIN, "5YJ3E1EA8KF000001");
    r.ctl.stop();
    assert.equal(r.sessions.at(-1)?.op, "close");
    const close = r.sessions.at(-1);
    assert.equal(close?.op === "close" && close.reason, "shutdown");
  });
});

void describe("BusController runtime rules", () => {
  void it("never transmits in monitor mode but records slaves", () => {
    const r = rig([SLAVE_80_V2], { config: { ...CONFIG, mode: "monitor" } });
    r.ctl.start();
    r.clock.advance(15_000);
    assert.equal(r.io.writes.length, 0);
    assert.deepEqual(
      r.ctl.slaves().map((s) => s.id),
      [AB],
    );
    assert.throws(
      () => r.ctl.sendStopToAll(),
      (e: unknown) => isTwcError(e) && e.code === "CONTROLLER_MONITOR_MODE",
    );
    assert.throws(
      () => r.ctl.sendDebugPayload(Uint8Array.of(0xfb, 0x1b)),
      (e: unknown) => isTwcError(e) && e.code === "CONTROLLER_MONITOR_MODE",
    );
  });

  void it("refuses dangerous debug payloads (S-7)", () => {
    const r = rig([]);
    for (const p of [
      [0xfc, 0x19, 0x77, 0x77],
      [0xfc, 0x1a],
      [0xfb, 0xe8],
      [0xfb, 0xe0, 0x77, 0x77, 0x41, 0x42, 0x02, 0x01],
    ]) {
      assert.throws(
        () => r.ctl.sendDebugPayload(Uint8Array.from(p)),
        (e: unknown) => isTwcError(e) && e.code === "HTTP_FORBIDDEN",
      );
    }
  });

  void it("cancels a pending stop", () => {
    const r = rig([SLAVE_80_V2]);
    r.ctl.start();
    r.clock.advance(3_000);
    r.ctl.stop(); // freeze the queue: nothing drains it any more
    assert.equal(r.ctl.sendStopToAll(), 1);
    assert.equal(r.ctl.cancelPendingStop(AB), true);
    assert.equal(r.ctl.cancelPendingStop(AB), false);
    assert.equal(r.ctl.cancelPendingStop(CD), false);
  });

  void it("survives a throwing offer hook and keeps heartbeating", () => {
    const r = rig([SLAVE_80_V2], {
      offer: () => {
        throw new Error("boom");
      },
    });
    r.ctl.start();
    r.clock.advance(10_000);
    assert.ok(r.ctl.stats().handlerErrors > 0);
    assert.ok(r.logs.some((l) => l.level === "error" && l.obj["code"] === "CONTROLLER_HANDLER_ERROR"));
    assertCadence(r.heartbeats, r.clock.now() - 7_000, 5);
  });

  void it("resets timeLastRx after a transport reopen, raises and clears BUS_DISCONNECTED", () => {
    const clock = new FakeClock();
    const frameCbs: ((r: DeframeResult) => void)[] = [];
    const openCbs: (() => void)[] = [];
    const closeCbs: (() => void)[] = [];
    const writes: Frame[] = [];
    const io: BusIo = {
      onFrame: (cb) => frameCbs.push(cb),
      onOpen: (cb) => openCbs.push(cb),
      onClose: (cb) => closeCbs.push(cb),
      writeFrame: (f) => {
        writes.push(f);
        return Promise.resolve();
      },
      isReceiverQuiet: () => true,
    };
    const ctl = new BusController({
      clock,
      io,
      logger: captureLogger(),
      config: CONFIG,
      getSettings: () => ({}),
      onSettingsPatch: () => undefined,
    });
    let changes = 0;
    ctl.on("change", () => changes++);
    ctl.start();
    const raw = new Uint8Array(0);
    const linkReady: Frame = {
      kind: "slaveLinkReady",
      sender: AB,
      sign: 1,
      ratedCentiAmps: 8000,
      length: 16,
    };
    for (const cb of frameCbs) cb({ ok: true, frame: linkReady, raw });
    assert.equal(ctl.slaves().length, 1);
    assert.ok(changes > 0);
    for (const cb of closeCbs) cb();
    assert.deepEqual(
      ctl.alerts().map((a) => a.code),
      ["BUS_DISCONNECTED"],
    );
    const writesWhileClosed = writes.length;
    clock.advance(40_000);
    assert.equal(writes.length, writesWhileClosed, "nothing written while closed");
    for (const cb of openCbs) cb();
    assert.deepEqual(ctl.alerts(), []);
    assert.equal(ctl.slaves()[0]?.timeLastRx, clock.now());
    clock.advance(2_000);
    assert.equal(ctl.slaves().length, 1, "the outage did not time the slave out");
    assert.ok(writes.slice(writesWhileClosed).some((f) => f.kind === "masterHeartbeat" && f.receiver === AB));
    ctl.stop();
    assert.equal(clock.pending, 0, "every timer stopped");
  });

  void it("counts echoes and drops and raises FOREIGN_MASTER", () => {
    const r = rig([]);
    // Frames put on the simulated wire reach the controller through the BusIo deframer.
    r.bus.injectNoise(encodeFrame({ kind: "masterLinkReady1", sender: MASTER_ID, sign: 0x77 }));
    r.bus.injectNoise(
      encodeFrame({ kind: "masterHeartbeat", sender: twcId(0x2222), receiver: AB, command: { code: 0 } }),
    );
    const bad = encodeFrame({ kind: "masterLinkReady2", sender: twcId(0x2222), sign: 1 });
    bad[bad.length - 2] = (bad[bad.length - 2]! + 1) & 0xff;
    r.bus.injectNoise(bad);
    r.clock.advance(100);
    const stats = r.ctl.stats();
    assert.equal(stats.echoFrames, 1);
    assert.equal(stats.framesDropped.checksum, 1);
    assert.equal(stats.framesReceived["masterHeartbeat"], 1);
    assert.deepEqual(
      r.ctl.alerts().map((a) => a.code),
      ["FOREIGN_MASTER"],
    );
    assert.ok(r.logs.some((l) => l.level === "error" && /rotary switch to F/.test(l.msg ?? "")));
  });
});
