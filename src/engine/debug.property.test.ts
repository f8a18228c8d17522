/**
 * Property (S-1 through the debug path, issue 8 item 1): whatever the API is asked — Charge Now at any
 * rate, any custom debug payload (heartbeats with any command, amps and receiver, or random bytes),
 * through the command facade or straight into the bus controller — no frame on the wire ever carries
 * a limit above the receiving charger's min(wiringMaxAmpsPerTWC, rating), a limit to a charger that is
 * not linked, or the unbounded commands 02 / 06. Real engine, controller and simulator on a fake clock;
 * the simulator decodes what crossed the wire.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Frame } from "../protocol/frames.ts";
import { startHarness } from "./engine-harness.test-helper.ts";

interface SlaveCfg {
  id: number;
  rated: 32 | 40 | 48 | 80;
  v: 1 | 2;
}

type Action =
  | { kind: "chargeNow"; rate: number }
  | { kind: "heartbeat"; via: "commands" | "controller"; receiver: "slave" | "broadcast" | "other"; slave: number; code: number; centi: number; tail: number }
  | { kind: "bytes"; via: "commands" | "controller"; bytes: Uint8Array }
  | { kind: "wait"; ms: number };

const slaveArb: fc.Arbitrary<SlaveCfg> = fc.record({
  id: fc.integer({ min: 0x0101, max: 0xfefe }),
  rated: fc.constantFrom(32 as const, 40 as const, 48 as const, 80 as const),
  v: fc.constantFrom(1 as const, 2 as const),
});

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant("chargeNow" as const), rate: fc.integer({ min: 1, max: 80 }) }),
  fc.record({
    kind: fc.constant("heartbeat" as const),
    via: fc.constantFrom("commands" as const, "controller" as const),
    receiver: fc.constantFrom("slave" as const, "slave" as const, "broadcast" as const, "other" as const),
    slave: fc.nat(),
    code: fc.oneof(fc.constantFrom(0x00, 0x05, 0x06, 0x07, 0x08, 0x09), fc.integer({ min: 0, max: 255 })),
    centi: fc.oneof(fc.integer({ min: 0, max: 9000 }), fc.integer({ min: 0, max: 0xffff })),
    tail: fc.integer({ min: 0, max: 8 }),
  }),
  fc.record({
    kind: fc.constant("bytes" as const),
    via: fc.constantFrom("commands" as const, "controller" as const),
    bytes: fc.uint8Array({ minLength: 2, maxLength: 32 }).map((b) => {
      // Bias towards the master classes and the heartbeat type.
      const out = b.slice();
      if (out[0]! % 2 === 0) {
        out[0] = 0xfb;
        out[1] = 0xe0;
      }
      return out;
    }),
  }),
  fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 100, max: 3000 }) }),
);

const scenarioArb = fc.record({
  perTwc: fc.integer({ min: 6, max: 80 }),
  shared: fc.integer({ min: 6, max: 120 }),
  slaves: fc.uniqueArray(slaveArb, { minLength: 1, maxLength: 3, selector: (s) => s.id }),
  actions: fc.array(actionArb, { minLength: 1, maxLength: 12 }),
});

function heartbeatPayload(a: Extract<Action, { kind: "heartbeat" }>, ids: readonly number[]): Uint8Array {
  const receiver = a.receiver === "broadcast" ? 0xffff : a.receiver === "other" ? 0x0042 : (ids[a.slave % ids.length] ?? 0xffff);
  const out = new Uint8Array(9 + a.tail);
  out.set([0xfb, 0xe0, 0x77, 0x77, receiver >> 8, receiver & 0xff, a.code, a.centi >> 8, a.centi & 0xff]);
  return out;
}

/** The violation a limit command on the wire commits, or null (oracle written from twc-protocol.md §4.2). */
function limitViolation(receiver: number, code: number, centi: number, caps: ReadonlyMap<number, number>): string | null {
  if (code === 0x00 || code === 0x07) return null;
  if (code === 0x02 || code === 0x06) return `command ${code} on the wire`;
  if (code !== 0x05 && code !== 0x08 && code !== 0x09) return `unknown command ${code} on the wire`;
  const cap = caps.get(receiver);
  if (cap === undefined) return `a ${centi / 100} A limit to ${receiver.toString(16)}, which is no linked charger`;
  if (centi > cap * 100) return `${centi / 100} A to ${receiver.toString(16)} whose cap is ${cap} A`;
  return null;
}

/** The violation a frame on the wire commits, or null. A heartbeat of odd length is judged by its bytes, as a TWC might read it. */
function violation(f: Frame, caps: ReadonlyMap<number, number>): string | null {
  if (f.kind === "unknown" && f.type === 0xfbe0) {
    const p = f.payload;
    if (p.length < 9) return `a ${p.length}-byte heartbeat on the wire`;
    return limitViolation((p[4]! << 8) | p[5]!, p[6]!, (p[7]! << 8) | p[8]!, caps);
  }
  if (f.kind !== "masterHeartbeat") return null;
  const c = f.command;
  const centi = "centiAmps" in c ? c.centiAmps : "data" in c ? ((c.data[0] ?? 0) << 8) | (c.data[1] ?? 0) : 0;
  return limitViolation(f.receiver, c.code, centi, caps);
}

test("no frame on the wire exceeds a charger's wiring limit or rating, whatever the API is asked", { timeout: 300_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(scenarioArb, async (sc) => {
      const h = await startHarness({
        core: { wiringMaxAmpsPerTWC: sc.perTwc, wiringMaxAmpsAllTWCs: sc.shared },
        slaves: sc.slaves.map((s) => ({
          twcID: s.id.toString(16).padStart(4, "0").toUpperCase(),
          maxAmps: s.rated,
          protocolVersion: s.v,
          car: { behaviour: "follow" as const },
        })),
        settings: { enableDebugCommands: true },
      });
      try {
        await h.run(4000); // link up
        const ids = sc.slaves.map((s) => s.id);
        const caps = new Map(sc.slaves.map((s) => [s.id, Math.min(sc.perTwc, s.rated)]));
        for (const a of sc.actions) {
          try {
            if (a.kind === "chargeNow") h.commands.chargeNow(Math.min(a.rate, sc.shared), 3600);
            else if (a.kind === "wait") await h.run(a.ms);
            else {
              const payload = a.kind === "heartbeat" ? heartbeatPayload(a, ids) : a.bytes;
              if (a.via === "commands") h.commands.sendDebug({ name: "Custom", payload, twcId: null });
              else h.engine.controller.sendDebugPayload(payload);
            }
          } catch {
            // A refusal (400/403/409/503 over HTTP) is a fine answer; the property is about the wire.
          }
          await h.run(60);
        }
        await h.run(2000);
        for (const f of h.sim.receivedFrames) {
          const v = violation(f, caps);
          assert.equal(v, null, v ?? "");
        }
      } finally {
        await h.stop();
      }
    }),
    { numRuns: 40 },
  );
});
