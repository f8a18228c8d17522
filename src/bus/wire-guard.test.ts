/** The wire guard (S-1 on every outgoing frame) and the debug path's stricter clamp. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fromHex } from "../protocol/hex.ts";
import { MASTER_ID, twcId } from "../protocol/frames.ts";
import type { Frame } from "../protocol/frames.ts";
import { debugFrame } from "./frames-out.ts";
import { createSlaveState } from "./slave-state.ts";
import type { SlaveState } from "./slave-state.ts";
import { checkDebugFrame, checkOutgoingFrame } from "./wire-guard.ts";

const DEFAULTS = { wiringMaxAmpsPerTWC: 32, useFlexAmpsToStartCharge: false, startStopDelayS: 60 };

function slave(id: number, rated = 80, over: Partial<SlaveState> = {}): SlaveState {
  return { ...createSlaveState(twcId(id), rated, DEFAULTS, 0), protocolVersion: 2, ...over };
}

const raw = (hex: string): Frame => debugFrame(fromHex(hex.replace(/[\s:]/g, ""))!);
const ONE = [slave(0x1111)];

describe("checkOutgoingFrame (S-1, every origin)", () => {
  test("the issue's frame: 655.35 A to a 32 A TWC is refused, naming the rule", () => {
    const v = checkOutgoingFrame(raw("FBE077771111 09FFFF 000000000000"), ONE);
    assert.equal(v.ok, false);
    assert.ok(!v.ok && v.rule === "per-twc-limit" && /655\.35 A exceeds the 32 A/.test(v.message), JSON.stringify(v));
  });

  test("v1 command 05 and 08 with amps are limits too", () => {
    for (const code of ["05", "08"]) {
      const v = checkOutgoingFrame(raw(`FBE077771111 ${code}0FA0 000000000000`), ONE); // 40.00 A
      assert.ok(!v.ok && v.rule === "per-twc-limit", code);
    }
  });

  test("command 06 (raise by 2 A) and 02 (error) are never sent", () => {
    assert.ok(!checkOutgoingFrame(raw("FBE077771111 060000 000000000000"), ONE).ok);
    const error: Frame = { kind: "unknown", type: 0xfbe0, payload: fromHex("FBE077771111020000000000000000")! };
    assert.ok(!checkOutgoingFrame(error, ONE).ok);
  });

  test("a limit to the broadcast address or an unknown TWC is refused", () => {
    const v = checkOutgoingFrame(raw("FBE07777FFFF 090258 000000000000"), ONE);
    assert.ok(!v.ok && v.rule === "receiver");
    assert.ok(!checkOutgoingFrame(raw("FBE077772222 090258 000000000000"), ONE).ok);
  });

  test("a truncated raw heartbeat is refused", () => {
    assert.ok(!checkOutgoingFrame(raw("FBE0777711110C"), ONE).ok);
  });

  test("the cap is min(wiringMaxAmps, rating): a 16 A-rated TWC on 32 A wiring takes 16 A, not 17 A", () => {
    const small = [slave(0x1111, 16)];
    assert.ok(checkOutgoingFrame(raw("FBE077771111 090640 000000000000"), small).ok); // 16.00 A
    assert.ok(!checkOutgoingFrame(raw("FBE077771111 0906A4 000000000000"), small).ok); // 17.00 A
  });

  test("decoded heartbeats from the offer path are checked the same way", () => {
    const hb = (centiAmps: number): Frame => ({
      kind: "masterHeartbeat",
      sender: MASTER_ID,
      receiver: twcId(0x1111),
      command: { code: 0x09, centiAmps },
    });
    assert.ok(checkOutgoingFrame(hb(3200), ONE).ok);
    assert.ok(!checkOutgoingFrame(hb(3201), ONE).ok);
  });

  test("no change, lower, and frames that are not heartbeats pass", () => {
    assert.ok(checkOutgoingFrame(raw("FBE077771111 000000 000000000000"), ONE).ok);
    assert.ok(checkOutgoingFrame(raw("FBE077771111 070000 000000000000"), ONE).ok);
    assert.ok(checkOutgoingFrame(raw("FB1B77771111 0000000000000000"), ONE).ok);
    assert.ok(checkOutgoingFrame({ kind: "startCharging", sender: MASTER_ID, receiver: twcId(0xffff) }, ONE).ok);
  });
});

describe("checkDebugFrame (the offer algorithm's shared-wiring clamp as well)", () => {
  test("a limit within the TWC's cap but above what the shared wiring has left is refused", () => {
    const two = [slave(0x1111), slave(0x2222, 80, { reportedAmpsActual: 20, lastAmpsOffered: 24 })];
    // 40 A shared, the other TWC draws 20 A with 24 A offered: 16 A are left for 1111.
    assert.ok(checkDebugFrame(raw("FBE077771111 090640 000000000000"), two, 40).ok);
    const v = checkDebugFrame(raw("FBE077771111 0906A4 000000000000"), two, 40);
    assert.ok(!v.ok && v.rule === "shared-wiring-limit" && /16 A left on the shared wiring/.test(v.message), JSON.stringify(v));
  });
});
