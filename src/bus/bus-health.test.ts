/** The bus-health watch (bus-health.ts): reply rate (item 9) and the writer-stall alert (item 7). Pure. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createBusHealth,
  replyRate,
  SILENT_BUS_MS,
  STALL_ALERT_QUIET_MS,
  stepBusHealth,
  type BusHealthInput,
  type BusHealthState,
  type TransportHealth,
} from "./bus-health.ts";
import type { Effect } from "./effects.ts";

const T0 = 1_000_000;

interface Run {
  state: BusHealthState;
  effects: Effect[];
  resets: string[];
}

function step(r: Run, input: BusHealthInput, now: number): Run {
  const s = stepBusHealth(r.state, input, now);
  return {
    state: s.state,
    effects: [...r.effects, ...s.effects],
    resets: s.reset ? [...r.resets, s.reset] : r.resets,
  };
}

/** `seconds` housekeeping ticks from `from`; `replyEvery` n-th second brings a reply (0 = none). */
function seconds(
  r: Run,
  from: number,
  count: number,
  o: { replyEvery?: number; expecting?: boolean; transport?: TransportHealth | null; writes?: boolean } = {},
): Run {
  let x = r;
  for (let i = 1; i <= count; i++) {
    const now = from + i * 1000;
    if (o.writes) x = step(x, { type: "heartbeatWritten" }, now - 500);
    if (o.replyEvery && i % o.replyEvery === 0) {
      x = step(x, { type: "frame" }, now - 480);
      x = step(x, { type: "reply" }, now - 480);
    }
    x = step(
      x,
      {
        type: "tick",
        expecting: o.expecting ?? true,
        noiseBytes: i * 250,
        droppedFrames: i,
        transport: o.transport === undefined ? null : o.transport,
      },
      now,
    );
  }
  return x;
}

const fresh = (): Run => ({ state: createBusHealth(T0), effects: [], resets: [] });
const raised = (r: Run, code: string): Extract<Effect, { type: "alert"; op: "raise" }>[] =>
  r.effects.filter(
    (e): e is Extract<Effect, { type: "alert"; op: "raise" }> =>
      e.type === "alert" && e.op === "raise" && e.code === code,
  );
const cleared = (r: Run, code: string): boolean =>
  r.effects.some((e) => e.type === "alert" && e.op === "clear" && e.code === code);

void describe("reply rate", () => {
  void it("a full rate raises nothing", () => {
    const r = seconds(fresh(), T0, 60, { replyEvery: 1 });
    assert.deepEqual(raised(r, "BUS_REPLIES_LOW"), []);
    assert.deepEqual(replyRate(r.state), { replies: 30, expected: 30, windowS: 30 });
  });

  void it("one reply in 7 s over a 30 s window raises BUS_REPLIES_LOW with both rates and the noise", () => {
    const r = seconds(fresh(), T0, 30, { replyEvery: 7 });
    const alerts = raised(r, "BUS_REPLIES_LOW");
    assert.equal(alerts.length, 1, "judged once the window is full");
    assert.match(
      alerts[0]?.message ?? "",
      /\(0\.13\/s of 1\.00\/s over 30 s\): noise on the bus\? 7250 noise bytes/,
    );
    assert.equal(r.state.repliesLowEvents, 1);
  });

  void it("nothing is judged before the window is full or without expected replies", () => {
    assert.deepEqual(raised(seconds(fresh(), T0, 28), "BUS_REPLIES_LOW"), []);
    assert.deepEqual(raised(seconds(fresh(), T0, 60, { expecting: false }), "BUS_REPLIES_LOW"), []);
  });

  void it("clears at 75 % and when no slave is left to expect replies from", () => {
    let r = seconds(fresh(), T0, 30);
    assert.equal(raised(r, "BUS_REPLIES_LOW").length > 0, true);
    r = seconds(r, T0 + 30_000, 15, { replyEvery: 1 });
    assert.equal(cleared(r, "BUS_REPLIES_LOW"), false, "15 of 30: still below 75 %");
    r = seconds(r, T0 + 45_000, 10, { replyEvery: 1 });
    assert.equal(cleared(r, "BUS_REPLIES_LOW"), true);
    let q = seconds(fresh(), T0, 30);
    q = seconds(q, T0 + 30_000, 30, { expecting: false });
    assert.equal(cleared(q, "BUS_REPLIES_LOW"), true);
  });

  void it("deliberately skipped heartbeat turns (respondToSlaves 0) expect no reply", () => {
    let r = fresh();
    for (let i = 1; i <= 40; i++) {
      r = step(r, { type: "heartbeatSkipped" }, T0 + i * 1000 - 500);
      r = seconds(r, T0 + (i - 1) * 1000, 1);
    }
    assert.deepEqual(raised(r, "BUS_REPLIES_LOW"), []);
  });
});

void describe("writer stall and silent bus", () => {
  const tcp: TransportHealth = { writeStalls: 0, buffered: true };

  void it("a transport stall raises BUS_WRITE_STALLED, cleared 60 s after the last one", () => {
    let r = seconds(fresh(), T0, 5, { replyEvery: 1, transport: tcp });
    r = seconds(r, T0 + 5000, 1, { replyEvery: 1, transport: { ...tcp, writeStalls: 1 } });
    assert.equal(raised(r, "BUS_WRITE_STALLED").length, 1);
    r = seconds(r, T0 + 6000, STALL_ALERT_QUIET_MS / 1000, {
      replyEvery: 1,
      transport: { ...tcp, writeStalls: 1 },
    });
    assert.equal(cleared(r, "BUS_WRITE_STALLED"), false);
    r = seconds(r, T0 + 66_000, 1, { replyEvery: 1, transport: { ...tcp, writeStalls: 1 } });
    assert.equal(cleared(r, "BUS_WRITE_STALLED"), true);
  });

  void it("heartbeats written into a silent buffered transport ask for one reset per silence", () => {
    let r = step(fresh(), { type: "frame" }, T0);
    r = seconds(r, T0, 30, { writes: true, transport: tcp });
    assert.equal(r.resets.length, 1);
    assert.match(r.resets[0] ?? "", new RegExp(`no valid frame for ${SILENT_BUS_MS / 1000} s`));
    assert.equal(raised(r, "BUS_WRITE_STALLED").length, 1);
    assert.equal(r.state.silenceResets, 1);
    r = step(r, { type: "frame" }, T0 + 31_000);
    r = seconds(r, T0 + 31_000, 12, { writes: true, transport: tcp });
    assert.equal(r.resets.length, 2, "a new silence after a frame may reset again");
  });

  void it("no reset for an unbuffered transport, without heartbeats written, or when nothing is expected", () => {
    const start = step(fresh(), { type: "frame" }, T0);
    assert.deepEqual(
      seconds(start, T0, 30, { writes: true, transport: { ...tcp, buffered: false } }).resets,
      [],
    );
    assert.deepEqual(seconds(start, T0, 30, { writes: false, transport: tcp }).resets, []);
    assert.deepEqual(seconds(start, T0, 30, { writes: true, transport: tcp, expecting: false }).resets, []);
  });
});
