import assert from "node:assert/strict";
import { it } from "node:test";
import { decodeCommand } from "../protocol/codec-table.ts";
import { encodeFrame, toHex } from "../protocol/codec.ts";
import { twcId, type MasterCommand } from "../protocol/frames.ts";
import { commandBytes, debugFrame, heartbeatFrame, isDangerousPayload, sendableCommand, startStopFrame } from "./frames-out.ts";

/** What a 9-byte command block is sent as: decoded, then through sendableCommand (null for 02 or an unknown code). */
const blockToCommand = (block: Uint8Array): MasterCommand | null => {
  const command = decodeCommand(block);
  return command === null ? null : sendableCommand(command);
};

void it("turns heartbeat commands into their 9 wire bytes, round trip with the codec", () => {
  const cases: [MasterCommand, string][] = [
    [{ code: 0x00 }, "00 00 00 00 00 00 00 00 00"],
    [{ code: 0x09, centiAmps: 3200 }, "09 0C 80 00 00 00 00 00 00"],
    [{ code: 0x05, centiAmps: 2000 }, "05 07 D0 00 00 00 00 00 00"],
  ];
  for (const [command, hex] of cases) {
    const bytes = commandBytes(command);
    assert.equal(toHex(bytes), hex);
    assert.deepEqual(decodeCommand(bytes), command);
  }
  assert.equal(
    toHex(encodeFrame(heartbeatFrame(twcId(0x1234), { code: 0x09, centiAmps: 3200 }))),
    toHex(encodeFrame({ kind: "masterHeartbeat", sender: twcId(0x7777), receiver: twcId(0x1234), command: { code: 0x09, centiAmps: 3200 } })),
  );
});

void it("turns stored command blocks into heartbeat commands and never into command 02", () => {
  assert.deepEqual(blockToCommand(new Uint8Array(9)), { code: 0 });
  assert.deepEqual(blockToCommand(Uint8Array.of(0x09, 0x0c, 0x80, 0, 0, 0, 0, 0, 0)), {
    code: 9,
    centiAmps: 3200,
  });
  assert.deepEqual(blockToCommand(Uint8Array.of(0x05, 0x07, 0xd0, 0, 0, 0, 0, 0, 0)), {
    code: 5,
    centiAmps: 2000,
  });
  assert.equal(blockToCommand(Uint8Array.of(0x02, 0x01, 0, 0, 0, 0, 0, 0, 0)), null);
  assert.equal(blockToCommand(Uint8Array.of(0x42)), null);
  const six = blockToCommand(Uint8Array.of(0x06, 1, 2, 0, 0, 0, 0, 0, 0));
  assert.ok(six?.code === 6 && six.data.length === 8 && six.data[0] === 1);
});

void it("builds start/stop frames matching the worked frames (twc-protocol §12)", () => {
  const id = twcId(0x1234);
  assert.equal(
    toHex(encodeFrame(startStopFrame("start", id))),
    "C0 FC B1 77 77 12 34 00 00 00 00 00 00 00 00 00 E5 C0",
  );
  assert.equal(
    toHex(encodeFrame(startStopFrame("stop", id))),
    "C0 FC B2 77 77 12 34 00 00 00 00 00 00 00 00 00 E6 C0",
  );
});

void it("sends debug payloads byte for byte and refuses dangerous ones", () => {
  const fw = Uint8Array.of(0xfb, 0x1b, 0x77, 0x77, 0x12, 0x34, 0x00, 0x00, 0xa0, 0, 0, 0, 0, 0, 0);
  assert.equal(toHex(encodeFrame(debugFrame(fw))), "C0 FB 1B 77 77 12 34 00 00 A0 00 00 00 00 00 00 EF C0");
  assert.equal(isDangerousPayload(Uint8Array.of(0xfc, 0x19)), true);
  assert.equal(isDangerousPayload(Uint8Array.of(0xfc, 0x1a, 1)), true);
  assert.equal(isDangerousPayload(Uint8Array.of(0xfb, 0xe8)), true);
  assert.equal(isDangerousPayload(Uint8Array.of(0xfb, 0xe0, 0x77, 0x77, 0x12, 0x34, 0x02)), true);
  assert.equal(isDangerousPayload(Uint8Array.of(0xfb, 0xe0, 0x77, 0x77, 0x12, 0x34, 0x09)), false);
  assert.throws(() => debugFrame(Uint8Array.of(0xfb)), { code: "PROTOCOL_ENCODE_INVALID" });
  assert.throws(() => debugFrame(Uint8Array.of(0xfc, 0x19)), { code: "HTTP_FORBIDDEN" });
});
