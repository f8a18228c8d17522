import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeFrame } from "../protocol/codec.ts";
import { fromHex } from "../protocol/hex.ts";
import { twcId, type DeframeResult, type Frame } from "../protocol/frames.ts";
import { captureLogger } from "../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../shared/clock.ts";
import { isTwcError } from "../shared/errors.ts";
import { FrameStream, maxAgeFor } from "./frame-stream.ts";
import { ReconnectingPort } from "./reconnecting.ts";
import { flush, ScriptedBinding } from "./scripted-binding.test-helper.ts";

const hex = (s: string): Uint8Array => {
  const b = fromHex(s);
  assert.ok(b, `bad hex ${s}`);
  return b;
};

/** twc-protocol.md §12: slave linkready v2, 80 A, from 1234. */
const LINKREADY = "C0 FD E2 12 34 56 1F 40 00 00 00 00 00 00 00 00 DD C0";
/** The same frame with a wrong checksum byte. */
const BAD_CHECKSUM = "C0 FD E2 12 34 56 1F 40 00 00 00 00 00 00 00 00 DE C0";

async function setup(): Promise<{
  clock: FakeClock;
  binding: ScriptedBinding;
  port: ReconnectingPort;
  stream: FrameStream;
  results: DeframeResult[];
  log: ReturnType<typeof captureLogger>;
}> {
  const clock = new FakeClock();
  const binding = new ScriptedBinding(clock);
  const log = captureLogger();
  const port = new ReconnectingPort({ binding, clock, logger: log });
  const stream = new FrameStream({ port, clock, logger: log });
  const results: DeframeResult[] = [];
  stream.on("frame", (r) => results.push(r));
  port.start();
  await flush();
  return { clock, binding, port, stream, results, log };
}

describe("FrameStream", () => {
  it("decodes frames, counts noise and drops a bad checksum (logged at debug with hex)", async () => {
    const { binding, port, stream, results, log } = await setup();
    await binding.peer.write(hex("FE 00 11 " + LINKREADY + " FE " + BAD_CHECKSUM));
    await flush();
    assert.equal(results.length, 2);
    const [good, bad] = results;
    assert.ok(good?.ok);
    assert.equal(good.frame.kind, "slaveLinkReady");
    assert.ok(bad && !bad.ok);
    assert.equal(bad.reason, "checksum");
    const s = stream.stats();
    assert.equal(s.bytesReceived, 3 + 18 + 1 + 18);
    assert.equal(s.noiseBytes, 4);
    assert.deepEqual(s.framesReceived, { slaveLinkReady: 1 });
    assert.deepEqual(s.framesDropped, { checksum: 1, length: 0, escape: 0, timeout: 0, truncated: 0 });
    const drop = log.records.find((r) => r.obj.code === "BUS_FRAME_DROPPED");
    assert.equal(drop?.level, "debug");
    assert.equal(drop?.obj.reason, "checksum");
    assert.match(String(drop?.obj.hex), /DE ?C0$/i);
    await port.stop();
  });

  it("assembles a frame split over several chunks", async () => {
    const { binding, port, results } = await setup();
    const bytes = hex(LINKREADY);
    for (const b of bytes) await binding.peer.write(Uint8Array.of(b));
    await flush();
    assert.equal(results.length, 1);
    assert.ok(results[0]?.ok);
    await port.stop();
  });

  it("drops a stalled partial frame on time, without waiting for more bytes", async () => {
    const { clock, binding, port, stream, results } = await setup();
    await binding.peer.write(hex("C0 FD E2 12 34"));
    await flush();
    assert.equal(stream.receiving, true);
    await clock.advanceAsync(1900, 50);
    assert.equal(results.length, 0);
    await clock.advanceAsync(200, 50);
    assert.equal(results.length, 1);
    assert.ok(results[0] && !results[0].ok && results[0].reason === "timeout");
    assert.equal(stream.stats().framesDropped.timeout, 1);
    assert.equal(stream.receiving, false);
    await port.stop();
  });

  it("is not quiet within 25 ms of the last byte of a partial frame", async () => {
    const { clock, binding, port, stream } = await setup();
    const t0 = clock.now();
    assert.equal(stream.isReceiverQuiet(t0), true, "nothing buffered");
    await binding.peer.write(hex("C0 FD E2"));
    await flush();
    assert.equal(stream.isReceiverQuiet(t0 + 10), false);
    assert.equal(stream.isReceiverQuiet(t0 + 24), false);
    assert.equal(stream.isReceiverQuiet(t0 + 25), true);
    await port.stop();
  });

  it("encodes and writes frames, counts them by kind and records lastTxAt", async () => {
    const { clock, binding, port, stream } = await setup();
    const far: number[] = [];
    binding.peer.on("data", (b) => far.push(...b));
    const frame: Frame = { kind: "masterLinkReady1", sender: twcId(0x7777), sign: 0x77 };
    clock.advance(123);
    await stream.writeFrame(frame);
    assert.equal(stream.lastTxAt, clock.now());
    await stream.writeRaw(hex("FB EB 77 77 12 34 00 00 00 00 00 00 00 00"));
    await flush();
    const expected = [...encodeFrame(frame), ...hex("C0 FB EB 77 77 12 34 00 00 00 00 00 00 00 00 1F C0")];
    assert.deepEqual(far, expected);
    assert.deepEqual(stream.stats().framesSent, { masterLinkReady1: 1, kwhRequest: 1 });
    await port.stop();
  });

  it("counts failed writes and rejects with the transport's code", async () => {
    const { port, stream } = await setup();
    await port.stop();
    await assert.rejects(
      stream.writeFrame({ kind: "masterLinkReady2", sender: twcId(0x7777), sign: 0x77 }),
      (e: unknown) => isTwcError(e) && e.code === "TRANSPORT_CLOSED",
    );
    const s = stream.stats();
    assert.equal(s.writeErrors, 1);
    assert.deepEqual(s.framesSent, {});
  });

  it("rejects a frame that cannot be encoded without writing anything", async () => {
    const { binding, port, stream } = await setup();
    const far: number[] = [];
    binding.peer.on("data", (b) => far.push(...b));
    const bad = { kind: "nonsense" } as unknown as Frame;
    await assert.rejects(
      stream.writeFrame(bad),
      (e: unknown) => isTwcError(e) && e.code === "PROTOCOL_ENCODE_INVALID",
    );
    await flush();
    assert.deepEqual(far, []);
    await port.stop();
  });

  it("passes open and close on, and reports reconnects in its stats", async () => {
    const { clock, binding, port, stream } = await setup();
    const events: string[] = [];
    stream.onOpen(() => events.push("open"));
    stream.onClose(() => events.push("close"));
    assert.equal(stream.connected, true);
    binding.peer.fail(new Error("gone"));
    assert.equal(stream.connected, false);
    await clock.advanceAsync(500, 50);
    assert.deepEqual(events, ["close", "open"]);
    assert.equal(stream.stats().reconnects, 1);
    assert.equal(stream.stats().connected, true);
    await port.stop();
  });

  it("keeps delivering when a frame listener throws", async () => {
    const { binding, port, stream, results, log } = await setup();
    stream.on("frame", () => {
      throw new Error("consumer bug");
    });
    await binding.peer.write(hex(LINKREADY + LINKREADY));
    await flush();
    assert.equal(results.length, 2);
    assert.ok(log.records.some((r) => r.level === "error" && r.obj.code === "BUS_LISTENER_FAILED"));
    await port.stop();
  });

  it("accepts other frame lengths when configured (15-byte requests for a simulated slave)", async () => {
    const clock = new FakeClock();
    const binding = new ScriptedBinding(clock);
    const port = new ReconnectingPort({ binding, clock, logger: captureLogger() });
    const stream = new FrameStream({
      port,
      clock,
      logger: captureLogger(),
      acceptedLengths: [14, 15, 16, 20],
    });
    const results: DeframeResult[] = [];
    stream.on("frame", (r) => results.push(r));
    port.start();
    await flush();
    await binding.peer.write(hex("C0 FB EB 77 77 12 34 00 00 00 00 00 00 00 00 1F C0"));
    await flush();
    assert.equal(results.length, 1);
    assert.ok(results[0]?.ok, "15-byte frame accepted");
    await port.stop();
    stream.dispose();
  });

  it("never writes a heartbeat late: one that waited past its 1 s slot is dropped and counted", async () => {
    const { clock, binding, port, stream } = await setup();
    const stuck = binding.ports[0]!;
    const reached: Uint8Array[] = [];
    let release: () => void = () => undefined;
    stuck.write = (bytes) => {
      reached.push(bytes.slice());
      return new Promise<void>((r) => (release = r)); // a slow port: this write takes 1.5 s
    };
    const hb = (id: number): Frame => ({
      kind: "masterHeartbeat",
      sender: twcId(0x7777),
      receiver: twcId(id),
      command: { code: 0x00 },
    });
    const query: Frame = { kind: "kwhRequest", sender: twcId(0x7777), receiver: twcId(0x1234), length: 15 };
    void stream.writeFrame(hb(0x1111));
    const late = stream.writeFrame(hb(0x2222));
    const q = stream.writeFrame(query);
    await clock.advanceAsync(1500, 50);
    release();
    await flush();
    assert.deepEqual(
      reached.map((b) => [...b]),
      [[...encodeFrame(hb(0x1111))], [...encodeFrame(query)]],
      "the stale heartbeat never reached the port; the query (5 s deadline) did",
    );
    await late; // resolved: a deliberate drop is not a write error
    release();
    await q;
    const s = stream.stats();
    assert.equal(s.txStaleDropped, 1);
    assert.equal(s.writeErrors, 0);
    assert.deepEqual(s.framesSent, { masterHeartbeat: 1, kwhRequest: 1 });
    assert.equal(maxAgeFor("masterHeartbeat"), 1000);
    assert.equal(maxAgeFor("masterLinkReady2"), 1000);
    assert.equal(maxAgeFor("kwhRequest"), 5000);
    await port.stop();
  });
});
