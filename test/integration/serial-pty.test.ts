/**
 * The real serial binding over a pseudo-terminal pair made by socat: frames both ways at 9600 baud,
 * then socat is stopped (the ReconnectingPort reports the close and keeps retrying) and started again
 * with the same links (it reconnects by itself). Needs `socat` (CI installs it); skipped without it.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { encodeFrame } from "../../src/protocol/codec.ts";
import { fromHex } from "../../src/protocol/hex.ts";
import { twcId, type DeframeResult, type Frame } from "../../src/protocol/frames.ts";
import { captureLogger } from "../../src/shared/capture-logger.test-helper.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { FrameStream } from "../../src/transport/frame-stream.ts";
import type { BusBinding, BusPort } from "../../src/transport/port.ts";
import { ReconnectingPort } from "../../src/transport/reconnecting.ts";
import { createSerialBinding } from "../../src/transport/serial.ts";
import { requireBinary } from "../skip-report.ts";

const SKIP = requireBinary("socat", "socat");

/** twc-protocol.md §12: slave linkready v2, 80 A, from 1234; then the same with a bad checksum. */
const LINKREADY = fromHex("C0 FD E2 12 34 56 1F 40 00 00 00 00 00 00 00 00 DD C0")!;
const BAD_CHECKSUM = fromHex("C0 FD E2 12 34 56 1F 40 00 00 00 00 00 00 00 00 DE C0")!;
const HELLO: Frame = { kind: "masterLinkReady1", sender: twcId(0x7777), sign: 0x77 };

async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 20) {
    if (waited >= timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe("serial binding over a socat PTY pair", { skip: SKIP, timeout: 120_000 }, () => {
  let dir = "";
  let socat: ChildProcess | null = null;
  let port: ReconnectingPort;
  let stream: FrameStream;
  let b: BusPort | null = null;
  const results: DeframeResult[] = [];
  const received: number[] = [];
  const events: string[] = [];
  let openCalls = 0;
  const log = captureLogger();

  const linkA = (): string => join(dir, "a");
  const linkB = (): string => join(dir, "b");

  async function startSocat(): Promise<void> {
    const child = spawn(
      "socat",
      ["-d", "-d", `pty,raw,echo=0,link=${linkA()}`, `pty,raw,echo=0,link=${linkB()}`],
      {
        stdio: "ignore",
      },
    );
    socat = child;
    await waitFor("socat's links", () => existsSync(linkA()) && existsSync(linkB()));
  }

  async function stopSocat(): Promise<void> {
    const child = socat;
    socat = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM"); // socat removes its links on SIGTERM
    await exited;
  }

  async function openB(): Promise<BusPort> {
    const side = await createSerialBinding({ path: linkB(), baud: 9600 }).open();
    side.on("data", (bytes) => received.push(...bytes));
    b = side;
    return side;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "twc-pty-"));
    await startSocat();
    const real = createSerialBinding({ path: linkA(), baud: 9600 });
    const counting: BusBinding = {
      interfaceName: real.interfaceName,
      endpoint: real.endpoint,
      open: () => {
        openCalls++;
        return real.open();
      },
    };
    port = new ReconnectingPort({ binding: counting, clock: systemClock, logger: log });
    stream = new FrameStream({ port, clock: systemClock, logger: log });
    stream.on("frame", (r) => results.push(r));
    stream.on("open", () => events.push("open"));
    stream.on("close", (e) => events.push(e ? "close:error" : "close"));
    port.start();
    await waitFor("side A open", () => port.connected);
    await openB();
  });

  after(async () => {
    await port?.stop();
    stream?.dispose();
    await b?.close();
    await stopSocat();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("deframes frames written on side B (noise and a bad checksum counted)", async () => {
    const bytes = new Uint8Array([0xfe, 0x00, ...LINKREADY, 0xfe, ...BAD_CHECKSUM]);
    await b!.write(bytes);
    await waitFor("two deframer results", () => results.length >= 2);
    const [good, bad] = results;
    assert.ok(good?.ok && good.frame.kind === "slaveLinkReady");
    assert.ok(bad && !bad.ok && bad.reason === "checksum");
    const s = stream.stats();
    assert.equal(s.framesReceived.slaveLinkReady, 1);
    assert.equal(s.framesDropped.checksum, 1);
    assert.equal(s.noiseBytes, 3);
  });

  it("writes frames from side A that side B reads byte for byte", async () => {
    received.length = 0;
    await stream.writeFrame(HELLO);
    const expected = [...encodeFrame(HELLO)];
    await waitFor("the frame on side B", () => received.length >= expected.length);
    assert.deepEqual(received, expected);
    assert.equal(stream.stats().framesSent.masterLinkReady1, 1);
  });

  it("reports the close when socat goes away and keeps retrying", async () => {
    await stopSocat();
    await waitFor("side A closed", () => !port.connected);
    assert.deepEqual(events, ["open", "close:error"]);
    const callsAtClose = openCalls;
    await waitFor("at least two more open attempts", () => openCalls >= callsAtClose + 2);
    assert.equal(port.connected, false);
    await assert.rejects(stream.writeFrame(HELLO), { code: "TRANSPORT_CLOSED" });
    await b?.close();
    b = null;
  });

  it("reconnects by itself when socat is back with the same links", async () => {
    await startSocat();
    await waitFor("side A reconnected", () => port.connected);
    assert.equal(port.reconnects, 1);
    assert.deepEqual(events, ["open", "close:error", "open"]);
    const side = await openB();
    const before = results.length;
    await side.write(LINKREADY);
    await waitFor("a frame after the reconnect", () => results.length > before);
    assert.ok(results.at(-1)?.ok);
    received.length = 0;
    await stream.writeFrame(HELLO);
    await waitFor("the frame on the new side B", () => received.length >= encodeFrame(HELLO).length);
    assert.deepEqual(received, [...encodeFrame(HELLO)]);
  });
});
