import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../shared/clock.ts";
import { encodeFrame, toHex } from "../protocol/codec.ts";
import { MASTER_ID, twcId } from "../protocol/frames.ts";
import { SimBus } from "../sim/sim-bus.ts";
import { createSimBinding } from "./sim.ts";

const HB = encodeFrame({
  kind: "masterHeartbeat",
  sender: MASTER_ID,
  receiver: twcId(0x4142),
  command: { code: 0x09, centiAmps: 8000 },
});

void test("Dummy binding: writes go into the bus, bus bytes come out as data; a closed port stops delivering", async () => {
  const clock = new FakeClock();
  const bus = new SimBus({ clock, slaves: [{ twcID: "AB" }], seed: 1 });
  const binding = createSimBinding(bus);
  assert.equal(binding.interfaceName, "Dummy");
  assert.equal(binding.endpoint, null);
  const port = await binding.open();
  const got: Uint8Array[] = [];
  const closes: (Error | undefined)[] = [];
  port.on("data", (b) => got.push(b));
  port.on("close", (e) => closes.push(e));
  clock.advance(500); // the linkready announcement
  got.length = 0;
  await port.write(HB);
  clock.advance(100);
  assert.equal(
    toHex(Uint8Array.from(got.flatMap((c) => [...c]))),
    "C0 FD E0 41 42 77 77 00 1F 40 00 00 00 00 00 00 B0 C0 FE",
  );
  await port.close();
  await port.close();
  assert.deepEqual(closes, [undefined]);
  got.length = 0;
  clock.advance(20_000);
  assert.equal(got.length, 0);
  await assert.rejects(port.write(HB), { code: "TRANSPORT_CLOSED" });
  bus.stop();
});

void test("Dummy binding: stopping the bus closes open ports with an error; open then fails", async () => {
  const clock = new FakeClock();
  const bus = new SimBus({ clock, slaves: [{ twcID: "AB" }] });
  const binding = createSimBinding(bus);
  const port = await binding.open();
  const closes: (Error | undefined)[] = [];
  port.on("close", (e) => closes.push(e));
  bus.stop();
  assert.equal(closes.length, 1);
  assert.equal((closes[0] as { code?: string } | undefined)?.code, "TRANSPORT_CLOSED");
  await assert.rejects(binding.open(), { code: "TRANSPORT_OPEN_FAILED" });
});
