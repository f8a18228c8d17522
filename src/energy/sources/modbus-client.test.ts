import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { FakeClock } from "../../shared/clock.ts";
import { waitFor } from "../loopback.test-helper.ts";
import { withModbusTcp } from "./modbus-client.ts";
import {
  float32,
  float32Words,
  int16,
  registerString,
  scaledInt,
  stringWords,
  sunspecInt16,
  sunspecUint16,
} from "./modbus-decode.ts";
import { startModbusFake } from "./modbus-fake.test-helper.ts";
import type { ModbusFake } from "./modbus-fake.test-helper.ts";

let fake: ModbusFake;
before(async () => {
  fake = await startModbusFake({
    unitId: 7,
    registers: [
      [10, 1],
      [11, 0xfffe],
      [12, 3],
    ],
  });
});
after(async () => {
  await fake.close();
});

const target = (clock = new FakeClock(), unitId = 7) => ({
  host: fake.host,
  port: fake.port,
  unitId,
  clock,
  timeoutMs: 1000,
});

void test("decoding: int16, SunSpec markers, scale factors, floats in both word orders, strings", () => {
  assert.equal(int16(0xfe3e), -450);
  assert.equal(sunspecInt16(0x8000), null);
  assert.equal(sunspecUint16(0xffff), null);
  assert.equal(sunspecUint16(0x0001), 1);
  assert.equal(scaledInt(23510, -1), 2351);
  assert.equal(scaledInt(-4505, -1), -450);
  assert.equal(scaledInt(15, 2), 1500);
  for (const order of ["ABCD", "CDAB"] as const) {
    assert.ok(Math.abs(float32(float32Words(4210.5, order), order) - 4210.5) < 1e-3);
  }
  assert.deepEqual(float32Words(1, "ABCD"), [0x3f80, 0]);
  assert.deepEqual(float32Words(1, "CDAB"), [0, 0x3f80]);
  assert.equal(registerString(stringWords("PLENTICORE plus", 32)), "PLENTICORE plus");
});

void test("a session reads holding registers and closes its connection", async () => {
  const words = await withModbusTcp(target(), (r) => r.read(10, 3));
  assert.deepEqual(words, [1, 0xfffe, 3]);
  assert.deepEqual(await withModbusTcp(target(), (r) => r.read(12, 1)), [3]);
  await waitFor(() => fake.open() === 0, 5000, "connection closed");
});

void test("a Modbus exception, a refused connection, a hang and a wrong unit id fail the session", async () => {
  await assert.rejects(
    withModbusTcp(target(), (r) => r.read(10, 5)),
    /register 10: Modbus exception 2/,
  );
  await assert.rejects(
    withModbusTcp({ ...target(), port: 1 }, (r) => r.read(10, 1)),
    /connect: .*ECONNREFUSED/,
  );
  for (const mode of ["hang", "unit"] as const) {
    const clock = new FakeClock();
    fake.hang = mode === "hang";
    const before = fake.requests.length;
    const p = withModbusTcp(target(clock, mode === "unit" ? 9 : 7), (r) => r.read(10, 1));
    if (mode === "hang") await waitFor(() => fake.requests.length > before, 5000, "request");
    else await waitFor(() => fake.open() > 0, 5000, "connection");
    // Let the request reach the wire, then run the timeout on the fake clock.
    await new Promise<void>((r) => setImmediate(r));
    clock.advance(1000);
    await assert.rejects(p, /register 10: timeout after 1000 ms/);
    fake.hang = false;
  }
  await waitFor(() => fake.open() === 0, 5000, "connections closed");
});

void test("a timed-out request is retried on the same connection when tries allow", async () => {
  const clock = new FakeClock();
  fake.hang = true;
  const before = fake.requests.length;
  const p = withModbusTcp({ ...target(clock), tries: 3 }, (r) => r.read(12, 1));
  await waitFor(() => fake.requests.length > before, 5000, "first request");
  fake.hang = false;
  clock.advance(1000);
  assert.deepEqual(await p, [3]);
});

void test("an aborted signal stops the session", async () => {
  const ctl = new AbortController();
  fake.hang = true;
  const before = fake.requests.length;
  const p = withModbusTcp({ ...target(), signal: ctl.signal }, (r) => r.read(10, 1));
  await waitFor(() => fake.requests.length > before, 5000, "request");
  ctl.abort();
  await assert.rejects(p, /stopped/);
  fake.hang = false;
});
