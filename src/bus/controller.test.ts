/**
 * Component tests: BusController + SimBus + FakeClock (design.md §14 tier 2). The BusIo below is the
 * real FrameStream over a synchronous port on the simulator (so the wire counters are the product's).
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { normaliseSettings } from "../config/settings-normalise.ts";
import type { Settings } from "../config/settings-schema.ts";
import { encodeFrame } from "../protocol/codec.ts";
import { MASTER_ID, twcId } from "../protocol/frames.ts";
import type { DeframeResult, Frame, FrameOf, TwcId } from "../protocol/frames.ts";
import { SimBus } from "../sim/sim-bus.ts";
import type { SimSlaveDefInput } from "../sim/types.ts";
import { captureLogger, type LogRecord } from "../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../shared/clock.ts";
import { isTwcError } from "../shared/errors.ts";
import { FrameStream, type FrameStreamSource } from "../transport/frame-stream.ts";
import type { BusInput } from "./bus-input.ts";
import { BusController } from "./controller.ts";
import type { BusControllerConfig, BusControllerOptions, BusIo, HeartbeatSent } from "./controller-types.ts";
import type { SessionEvent } from "./effects.ts";

const AB = twcId(0x4142);
const CD = twcId(0x4344);
const SLAVE_80_V2: SimSlaveDefInput = { twcID: "AB", maxAmps: 80, protocolVersion: 2 };
const SLAVE_32_V1: SimSlaveDefInput = { twcID: "CD", maxAmps: 32, protocolVersion: 1 };

/** The frame stream over a SimBus (a port that writes synchronously and is open at once); records every write with its time. */
function simIo(
  bus: SimBus,
  clock: FakeClock,
  logger = captureLogger(),
): BusIo & { writes: { at: number; frame: Frame }[]; dispose(): void } {
  const data: ((bytes: Uint8Array) => void)[] = [];
  const opened: (() => void)[] = [];
  const port: FrameStreamSource = {
    on(event, listener) {
      if (event === "data") data.push(listener as (bytes: Uint8Array) => void);
      else if (event === "open") opened.push(listener as () => void);
    },
    write(bytes) {
      bus.write(bytes);
      return Promise.resolve();
    },
  };
  bus.onData((bytes) => {
    for (const l of data) l(bytes);
  });
  const stream = new FrameStream({ port, clock, logger });
  for (const l of opened) l();
  const writes: { at: number; frame: Frame }[] = [];
  return {
    writes,
    onFrame: (cb) => stream.onFrame(cb),
    onOpen: (cb) => stream.onOpen(cb),
    onClose: (cb) => stream.onClose(cb),
    writeFrame(frame) {
      writes.push({ at: clock.now(), frame });
      return stream.writeFrame(frame);
    },
    isReceiverQuiet: (now) => stream.isReceiverQuiet(now),
    receiverQuietAtMs: (now) => stream.receiverQuietAtMs(now),
    counters: () => stream.counters(),
    expirePartial: (now) => stream.expirePartial(now),
    dispose: () => stream.dispose(),
  };
}

/** Default settings (as normalised from an empty settings.json) with `over` on top. */
function settingsOf(over: Partial<Settings> = {}): Settings {
  return { ...normaliseSettings({}, 32).settings, ...over };
}

/** A pushed bus input: `amps` to divide, no flex, not green. */
function inputOf(amps: number, settings: Settings = settingsOf()): BusInput {
  return { maxAmpsToDivide: amps, limitAmps: amps, allowedFlex: 0, green: false, settings };
}

const CONFIG: BusControllerConfig = {
  mode: "master",
  slaveTimeoutS: 26,
  wiringMaxAmpsPerTWC: 32,
  wiringMaxAmpsAllTWCs: 32,
  useFlexAmpsToStartCharge: false,
  startStopDelayS: 60,
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
    r.io.dispose();
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
  const logger = captureLogger();
  const io = simIo(bus, clock, logger);
  const logs = logger.records;
  const ctl = new BusController({
    clock,
    io,
    logger,
    config: CONFIG,
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
    for (const s of slaves) assert.ok(s.lastHeartbeatAtMs !== null, "each slave answered a heartbeat");
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
    for (const s of r.ctl.slaves()) assert.ok(r.clock.now() - s.lastRxAtMs < 3_000);
  });

  void it("removes a silent slave 26 s after its last reply at its next turn; the other keeps its cadence", () => {
    const r = rig([SLAVE_80_V2, SLAVE_32_V1]);
    const t0 = r.clock.now();
    r.bus.setFault("CD", { silentAfterS: 10 });
    r.ctl.start();
    r.clock.advance(9_000);
    r.clock.advance(1_000);
    const lastReply = r.ctl.slaves().find((s) => s.id === CD)?.lastHeartbeatAtMs;
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
    assert.ok(cd.linkedAtMs > removedAt, "a fresh record");
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
    for (const s of r.ctl.slaves()) assert.ok(r.clock.now() - s.lastRxAtMs < 5_000);
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
      // A budget of 16 A (no spikes) so the simulated car draws current.
      input: inputOf(16, settingsOf({ spikeAmpsProactively: 0, spikeAmpsReactively: 0 })),
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
    // Settings whose spike flag throws when read: the offer step throws on every slave heartbeat.
    const settings = settingsOf();
    Object.defineProperty(settings, "spikeAmpsProactively", {
      get: (): number => {
        throw new Error("boom");
      },
    });
    const r = rig([SLAVE_80_V2], { input: inputOf(16, settings) });
    r.ctl.start();
    r.clock.advance(10_000);
    assert.ok(r.ctl.stats().handlerErrors > 0);
    assert.ok(r.logs.some((l) => l.level === "error" && l.obj["code"] === "CONTROLLER_HANDLER_ERROR"));
    assertCadence(r.heartbeats, r.clock.now() - 7_000, 5);
  });

  void it("resets lastRxAtMs after a transport reopen, raises and clears BUS_DISCONNECTED", () => {
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
    assert.equal(ctl.slaves()[0]?.lastRxAtMs, clock.now());
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

  void it("wakes only when something is due: about two timers a second on an idle linked bus", () => {
    const clock = new FakeClock();
    const bus = new SimBus({ clock, slaves: [SLAVE_80_V2], seed: 1 });
    const io = simIo(bus, clock);
    let fired = 0;
    const counting = {
      now: () => clock.now(),
      setTimeout: (fn: () => void, ms: number) =>
        clock.setTimeout(() => {
          fired++;
          fn();
        }, ms),
      clearTimeout: (h: Parameters<FakeClock["clearTimeout"]>[0]) => clock.clearTimeout(h),
    };
    const ctl = new BusController({ clock: counting, io, logger: captureLogger(), config: CONFIG });
    const heartbeats: number[] = [];
    const ticks: number[] = [];
    ctl.on("heartbeatSent", (h) => heartbeats.push(h.atMs));
    ctl.on("tick", () => ticks.push(clock.now()));
    ctl.start();
    clock.advance(10_000);
    assert.equal(ctl.slaves().length, 1);
    fired = 0;
    const from = clock.now();
    clock.advance(30_000);
    // One wake-up per heartbeat slot and one housekeeping tick per second (polling every 25 ms: 1230).
    assert.ok(fired <= 65, `${fired} wake-ups in 30 s`);
    const gaps = heartbeats.filter((t) => t >= from).map((t, i, a) => (i === 0 ? 1000 : t - a[i - 1]!));
    assert.ok(gaps.length >= 29 && gaps.every((g) => g === 1000), `heartbeat gaps ${gaps.join(",")}`);
    // The housekeeping runs in the heartbeat's wake-up: one timer a second, not two.
    assert.ok(fired <= 31, `${fired} wake-ups in 30 s`);
    const window = ticks.filter((t) => t >= from);
    assert.equal(window.length, 30, `ticks at ${window.map((t) => t - from).join(",")}`);
    assert.ok(window.every((t) => heartbeats.includes(t)), "each tick in the wake-up of a heartbeat");
    ctl.stop();
    bus.stop();
    io.dispose();
  });

  void it("keeps the housekeeping on its second when nothing is written near it", () => {
    const r = rig([]);
    const ticks: number[] = [];
    r.ctl.on("tick", () => ticks.push(r.clock.now()));
    const start = r.clock.now();
    r.ctl.start();
    r.clock.advance(20_500);
    // The linkready burst (its first 2 s) may take a tick up to 0.5 s early; after it, ticks are on the second.
    const late = ticks.filter((t) => t - start > 3000).map((t) => t - start);
    assert.deepEqual(late, Array.from({ length: 17 }, (_, k) => 4000 + 1000 * k));
    assert.ok(ticks.length >= 20, `${ticks.length} ticks in 20.5 s`);
  });

  void it("holds a write while a partial frame arrives and writes as soon as the receiver is quiet (§7.1)", () => {
    const r = rig([SLAVE_80_V2]);
    const deliveries: number[] = [];
    r.bus.onData(() => deliveries.push(r.clock.now()));
    r.ctl.start();
    r.clock.advance(10_000);
    const last = r.heartbeats.at(-1)!.atMs;
    r.clock.advance(last + 987 - r.clock.now());
    r.bus.injectNoise(Uint8Array.of(0xc0, 0xfd, 0xe2)); // the start of a frame, nothing more
    r.clock.advance(0);
    const byteAt = deliveries.at(-1)!;
    assert.ok(byteAt >= last + 987 && byteAt < last + 1000);
    r.clock.advance(100);
    const next = r.heartbeats.find((h) => h.atMs > last);
    assert.equal(next?.atMs, byteAt + 25, "written the moment the last byte is 25 ms old, not later");
  });

  void it("leaves counting and logging a dropped frame to the transport: counted once, logged once", () => {
    const r = rig([]);
    const bad = encodeFrame({ kind: "masterLinkReady2", sender: twcId(0x2222), sign: 1 });
    bad[bad.length - 2] = (bad[bad.length - 2]! + 1) & 0xff;
    r.bus.injectNoise(bad);
    r.clock.advance(100);
    assert.equal(r.ctl.stats().framesDropped.checksum, 1);
    assert.deepEqual(r.ctl.stats().framesDropped, r.io.counters?.().framesDropped);
    const dropLogs = r.logs.filter((l) => /DROPPED/.test(String(l.obj["code"])));
    assert.deepEqual(
      dropLogs.map((l) => l.obj["code"]),
      ["BUS_FRAME_DROPPED"],
      "one log line, from the frame stream",
    );
  });
});

void describe("BusController as the one executor of the per-heartbeat decision", () => {
  /** A controller fed by hand: a linked 80 A v2 slave whose car keeps drawing 10 A at 0 A offered. */
  function drawingRig(settings: Settings): {
    clock: FakeClock;
    ctl: BusController;
    writes: Frame[];
    patches: Readonly<Record<string, unknown>>[];
    beat: () => void;
  } {
    const clock = new FakeClock();
    const frameCbs: ((r: DeframeResult) => void)[] = [];
    const writes: Frame[] = [];
    const io: BusIo = {
      onFrame: (cb) => frameCbs.push(cb),
      onOpen: () => undefined,
      onClose: () => undefined,
      writeFrame: (f) => {
        writes.push(f);
        return Promise.resolve();
      },
      isReceiverQuiet: () => true,
    };
    const ctl = new BusController({ clock, io, logger: captureLogger(), config: CONFIG, input: inputOf(0, settings) });
    const patches: Readonly<Record<string, unknown>>[] = [];
    ctl.on("settingsPatch", (p) => patches.push(p));
    const deliver = (frame: Frame): void => {
      for (const cb of frameCbs) cb({ ok: true, frame, raw: new Uint8Array(0) });
    };
    ctl.start();
    deliver({ kind: "slaveLinkReady", sender: AB, sign: 1, ratedCentiAmps: 8000, length: 16 });
    const beat = (): void =>
      deliver({
        kind: "slaveHeartbeat",
        sender: AB,
        receiver: MASTER_ID,
        status: { state: 1, reportedMaxCentiAmps: 0, reportedActualCentiAmps: 1000, length: 9 },
      });
    rigsToStop.push(ctl);
    return { clock, ctl, writes, patches, beat };
  }
  const rigsToStop: BusController[] = [];
  afterEach(() => {
    for (const ctl of rigsToStop.splice(0)) ctl.stop();
  });
  /** Runs `s` seconds of heartbeats (one reply a second). */
  const run = (x: ReturnType<typeof drawingRig>, s: number): void => {
    for (let i = 0; i < s; i++) {
      x.beat();
      x.clock.advance(1000);
    }
  };

  void it("mode 1: raises STOP_NOT_POSSIBLE itself, once the car kept drawing for startStopDelay", () => {
    const x = drawingRig(settingsOf({ chargeStopMode: 1 }));
    run(x, 30);
    assert.deepEqual(x.ctl.alerts(), []);
    run(x, 40);
    const alert = x.ctl.alerts().find((a) => a.code === "STOP_NOT_POSSIBLE");
    assert.ok(alert, "raised by the bus runtime");
    assert.equal(alert.twcId, undefined, "a bus-wide alert, as the engine raised it");
    assert.deepEqual(x.patches, []);
  });

  void it("mode 3: queues and writes FC B2 to the slave, without any hook", () => {
    const x = drawingRig(settingsOf({ chargeStopMode: 3 }));
    run(x, 70);
    assert.equal(x.writes.filter((f) => f.kind === "stopCharging" && f.receiver === AB).length, 1);
  });

  void it("mode 2: asks for stop-responding mode as a settingsPatch event and obeys the pushed settings", () => {
    const settings = settingsOf({ chargeStopMode: 2 });
    const x = drawingRig(settings);
    // The engine's part: apply the patch to the settings and push them back.
    x.ctl.on("settingsPatch", (p) => x.ctl.setInput(inputOf(0, { ...settings, ...p })));
    run(x, 70);
    const stop = x.patches.find((p) => p["respondToSlaves"] === 0);
    assert.ok(stop, JSON.stringify(x.patches));
    const heartbeatsTo = (): number => x.writes.filter((f) => f.kind === "masterHeartbeat" && f.receiver === AB).length;
    const before = heartbeatsTo();
    run(x, 30);
    assert.equal(heartbeatsTo(), before, "no heartbeat while not responding");
  });
});
