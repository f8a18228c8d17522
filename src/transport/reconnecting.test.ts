import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { captureLogger } from "../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../shared/clock.ts";
import { isTwcError } from "../shared/errors.ts";
import type { BusPort } from "./port.ts";
import { MAX_RETRY_MS, ReconnectingPort } from "./reconnecting.ts";
import { flush, gaps, ScriptedBinding } from "./scripted-binding.test-helper.ts";

function setup(): {
  clock: FakeClock;
  binding: ScriptedBinding;
  log: ReturnType<typeof captureLogger>;
  port: ReconnectingPort;
  events: string[];
} {
  const clock = new FakeClock();
  const binding = new ScriptedBinding(clock);
  const log = captureLogger();
  const port = new ReconnectingPort({ binding, clock, logger: log });
  const events: string[] = [];
  port.on("open", () => events.push("open"));
  port.on("close", (e) => events.push(e ? `close:${e.message}` : "close"));
  return { clock, binding, log, port, events };
}

describe("ReconnectingPort", () => {
  it("retries a failing open after 250, 500 and 1000 ms, then connects", async () => {
    const { clock, binding, log, port, events } = setup();
    binding.failNext = 3;
    port.start();
    await flush();
    assert.equal(port.connected, false);
    await clock.advanceAsync(3000, 50);
    assert.deepEqual(gaps(binding.openedAt), [250, 500, 1000]);
    assert.equal(port.connected, true);
    assert.deepEqual(events, ["open"]);
    assert.equal(port.reconnects, 0, "the first open is not a reconnect");
    assert.ok(log.records.some((r) => r.level === "warn" && r.obj.code === "TRANSPORT_OPEN_FAILED"));
    await port.stop();
  });

  it("never waits more than 5 s between two tries", async () => {
    const { clock, binding, port } = setup();
    binding.down = true;
    port.start();
    await flush();
    await clock.advanceAsync(60_000, 50);
    const g = gaps(binding.openedAt);
    assert.deepEqual(g.slice(0, 7), [250, 500, 1000, 2000, 4000, 5000, 5000]);
    assert.ok(
      g.every((x) => x <= MAX_RETRY_MS),
      `gaps ${g.join(",")}`,
    );
    assert.ok(binding.openedAt.length > 12, "keeps trying");
    await port.stop();
  });

  it("logs a repeated identical open failure only now and then", async () => {
    const { clock, binding, log, port } = setup();
    binding.down = true;
    port.start();
    await clock.advanceAsync(60_000, 50);
    const warns = log.records.filter((r) => r.level === "warn").length;
    assert.ok(
      warns >= 1 && warns < binding.openedAt.length,
      `${warns} warnings for ${binding.openedAt.length} tries`,
    );
    await port.stop();
  });

  it("reconnects after the open connection closes and passes data both ways", async () => {
    const { clock, binding, log, port, events } = setup();
    const got: number[][] = [];
    port.on("data", (b) => got.push([...b]));
    port.start();
    await flush();
    assert.equal(port.connected, true);
    binding.peer.fail(new Error("cable cut"));
    assert.equal(port.connected, false);
    assert.deepEqual(events, ["open", "close:cable cut"]);
    assert.ok(log.records.some((r) => r.level === "warn" && r.obj.code === "BUS_DISCONNECTED"));
    await clock.advanceAsync(300, 50);
    assert.equal(port.connected, true);
    assert.deepEqual(events, ["open", "close:cable cut", "open"]);
    assert.equal(port.reconnects, 1);
    assert.equal(binding.ports.length, 2);

    await binding.peer.write(Uint8Array.of(0xc0, 1));
    await flush();
    assert.deepEqual(got, [[0xc0, 1]]);
    const far: number[][] = [];
    binding.peer.on("data", (b) => far.push([...b]));
    await port.write(Uint8Array.of(7));
    await flush();
    assert.deepEqual(far, [[7]]);
    await port.stop();
  });

  it("ignores data from a port it has given up", async () => {
    const { clock, binding, port } = setup();
    const got: number[][] = [];
    port.on("data", (b) => got.push([...b]));
    port.start();
    await flush();
    const old = binding.ports[0]!;
    binding.down = true;
    await binding.peer.close();
    await clock.advanceAsync(1000, 50);
    // the old pair is closed: nothing can come through it; writing is refused
    await assert.rejects(old.write(Uint8Array.of(1)));
    assert.deepEqual(got, []);
    await port.stop();
  });

  it("rejects writes with TRANSPORT_CLOSED while not connected", async () => {
    const { port } = setup();
    await assert.rejects(
      port.write(Uint8Array.of(1)),
      (e: unknown) => isTwcError(e) && e.code === "TRANSPORT_CLOSED",
    );
  });

  it("counts a write error, closes the port and reconnects", async () => {
    const { clock, binding, log, port, events } = setup();
    port.start();
    await flush();
    const near = binding.ports[0]!;
    near.write = () => Promise.reject(new Error("EIO"));
    await assert.rejects(
      port.write(Uint8Array.of(1)),
      (e: unknown) => isTwcError(e) && e.code === "TRANSPORT_WRITE_FAILED",
    );
    assert.equal(port.writeErrors, 1);
    assert.equal(port.connected, false);
    assert.equal(events.at(-1), "close:bus write failed: EIO");
    assert.ok(log.records.some((r) => r.level === "error" && r.obj.code === "TRANSPORT_WRITE_FAILED"));
    await clock.advanceAsync(500, 50);
    assert.equal(port.connected, true);
    assert.equal(port.reconnects, 1);
    await port.stop();
  });

  it("stop() ends the retries and leaves no timer behind", async () => {
    const { clock, binding, port } = setup();
    binding.down = true;
    port.start();
    await clock.advanceAsync(2000, 50);
    const tries = binding.openedAt.length;
    await port.stop();
    await clock.advanceAsync(60_000, 500);
    assert.equal(binding.openedAt.length, tries);
    assert.equal(clock.pending, 0);
  });

  it("stop() closes an open connection and reports the close without an error", async () => {
    const { clock, binding, port, events } = setup();
    port.start();
    await flush();
    let farClosed = false;
    binding.peer.on("close", () => (farClosed = true));
    await port.stop();
    assert.equal(farClosed, true);
    assert.equal(port.connected, false);
    assert.deepEqual(events, ["open", "close"]);
    await clock.advanceAsync(10_000, 500);
    assert.equal(binding.openedAt.length, 1, "no reconnect after stop");
  });

  it("stop() during an open in flight closes the late port", async () => {
    const clock = new FakeClock();
    const binding = new ScriptedBinding(clock);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const slow = {
      interfaceName: binding.interfaceName,
      endpoint: binding.endpoint,
      open: async () => {
        await gate;
        return binding.open();
      },
    };
    const port = new ReconnectingPort({ binding: slow, clock, logger: captureLogger() });
    port.start();
    const stopped = port.stop();
    release();
    await stopped;
    assert.equal(port.connected, false);
    assert.equal(binding.ports[0]?.closed, true);
  });

  it("resets the back-off after a connection that stayed up", async () => {
    const { clock, binding, port } = setup();
    binding.failNext = 4; // 250 + 500 + 1000 + 2000
    port.start();
    await clock.advanceAsync(4000, 50);
    assert.equal(port.connected, true);
    await clock.advanceAsync(60_000, 1000); // a long stable connection
    const before = binding.openedAt.length;
    const closedAt = clock.now();
    await binding.peer.close();
    await clock.advanceAsync(1000, 50);
    assert.equal(binding.openedAt.length, before + 1);
    assert.equal(binding.openedAt.at(-1)! - closedAt, 250);
    await port.stop();
  });

  it("keeps going when a listener throws", async () => {
    const { port, log, binding } = setup();
    port.on("data", () => {
      throw new Error("listener bug");
    });
    const got: number[] = [];
    port.on("data", (b) => got.push(...b));
    port.start();
    await flush();
    await binding.peer.write(Uint8Array.of(5));
    await flush();
    assert.deepEqual(got, [5]);
    assert.ok(log.records.some((r) => r.level === "error" && r.obj.code === "TRANSPORT_LISTENER_FAILED"));
    await port.stop();
  });

  it("detects a stalled writer: drops the unsent frames, aborts the port and reconnects", async () => {
    const { clock, binding, log, port, events } = setup();
    port.start();
    await flush();
    const stuck: BusPort = binding.ports[0]!;
    const reached: number[][] = [];
    stuck.write = (bytes) => {
      reached.push([...bytes]);
      return new Promise<void>(() => undefined); // the OS never takes it: a bridge that stopped reading
    };
    let aborted = 0;
    stuck.abort = () => {
      aborted++;
      return stuck.close();
    };
    const outcomes: string[] = [];
    void port.send(Uint8Array.of(1), 1000);
    for (let i = 2; i <= 6; i++) {
      await clock.advanceAsync(1000, 50);
      void port.send(Uint8Array.of(i), 1000).then((o) => outcomes.push(`${i}:${o}`));
    }
    await clock.advanceAsync(100, 50);
    assert.deepEqual(reached, [[1]], "nothing more reached the stuck port");
    assert.equal(port.writeStats.stalls, 1);
    assert.equal(aborted, 1, "aborted (unsent bytes discarded), not closed gracefully");
    assert.match(events[1] ?? "", /^close:bus writer stalled/);
    assert.ok(log.records.some((r) => r.level === "error" && r.obj.code === "BUS_WRITE_STALLED"));
    assert.ok(
      outcomes.every((o) => /:(stale|closed)$/.test(o)),
      outcomes.join(","),
    );
    assert.ok(port.writeStats.staleDropped >= 1, "waiting heartbeats past their slot were dropped");
    await clock.advanceAsync(500, 50);
    assert.equal(port.connected, true, "reconnected");
    assert.equal(port.reconnects, 1);
    const far: number[][] = [];
    binding.peer.on("data", (b) => far.push([...b]));
    assert.equal(await port.send(Uint8Array.of(9), 1000), "written");
    await flush();
    assert.deepEqual(far, [[9]], "only the fresh frame reaches the new connection");
    await port.stop();
  });

  it("reset() aborts the open connection, counts it and reconnects", async () => {
    const { clock, binding, port, events } = setup();
    port.start();
    await flush();
    let aborted = 0;
    const first: BusPort = binding.ports[0]!;
    first.abort = () => {
      aborted++;
      return first.close();
    };
    port.reset("no valid frame for 10 s");
    assert.equal(port.connected, false);
    assert.equal(aborted, 1);
    assert.match(events[1] ?? "", /^close:bus connection reset: no valid frame/);
    assert.equal(port.writeStats.resets, 1);
    await clock.advanceAsync(500, 50);
    assert.equal(port.connected, true);
    await port.stop();
  });
});
