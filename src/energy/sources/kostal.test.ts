import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { waitFor } from "../loopback.test-helper.ts";
import { createKostalSource, kostalValues, kostalWordOrder } from "./kostal.ts";
import { checkSchema } from "../../config/schema-walk.ts";
import type { Issue } from "../../config/schema-walk.ts";
import { KOSTAL_SOURCE } from "./kostal-descriptor.ts";
import { KostalSchema } from "./kostal-schema.ts";
import type { KostalConfig } from "./kostal-schema.ts";
import { float32Words, stringWords } from "./modbus-decode.ts";
import type { WordOrder } from "./modbus-decode.ts";
import { startModbusFake } from "./modbus-fake.test-helper.ts";
import type { ModbusFake } from "./modbus-fake.test-helper.ts";
import { pollNow } from "./module-source.test-helper.ts";

let inverter: ModbusFake;
before(async () => {
  inverter = await startModbusFake({ unitId: 71 });
});
after(async () => {
  await inverter.close();
});

/** The documented example: DC 4210.5 W, battery 150 W, grid 320 W, PV 910.2 W, 49.98 Hz. */
function load(order: WordOrder, values: Partial<Record<number, number>> = {}): void {
  const r = inverter.registers;
  r.clear();
  r.set(5, order === "ABCD" ? 1 : 0);
  stringWords("PLENTICORE plus", 32).forEach((w, i) => r.set(768 + i, w));
  stringWords("10", 32).forEach((w, i) => r.set(800 + i, w));
  stringWords("90123ABC456", 16).forEach((w, i) => r.set(559 + i, w));
  const floats: Record<number, number> = {
    100: 4210.5,
    106: 150,
    108: 320,
    116: 910.2,
    152: 49.98,
    ...values,
  };
  for (const [addr, v] of Object.entries(floats)) {
    const [a, b] = float32Words(v, order);
    r.set(Number(addr), a);
    r.set(Number(addr) + 1, b);
  }
}

const cfg = (over: Partial<KostalConfig> = {}): KostalConfig => ({
  enabled: true,
  serverIP: inverter.host,
  modbusPort: inverter.port,
  unitID: 71,
  consumptionIncludesBattery: true,
  pollIntervalS: 10,
  ...over,
});

void test("schema: upstream defaults (port 1502, unit 71), numeric strings accepted", async () => {
  const issues: Issue[] = [];
  assert.deepEqual(
    checkSchema(KostalSchema, { enabled: true, serverIP: "192.168.1.60" }, "sources.Kostal", issues),
    {
      enabled: true,
      serverIP: "192.168.1.60",
      modbusPort: 1502,
      unitID: 71,
      consumptionIncludesBattery: true,
      pollIntervalS: 10,
    },
  );
  assert.equal(
    checkSchema(
      KostalSchema,
      { enabled: true, serverIP: "h", modbusPort: "502", unitID: "3" },
      "sources.Kostal",
      issues,
    )?.unitID,
    3,
  );
  assert.deepEqual(issues, []);
  assert.deepEqual(KOSTAL_SOURCE.required, ["serverIP"]);
  assert.equal(typeof (await KOSTAL_SOURCE.load()), "function");
});

void test("word order from register 5, and the formula with and without the battery register", () => {
  assert.equal(kostalWordOrder(1), "ABCD");
  assert.equal(kostalWordOrder(0), "CDAB");
  assert.equal(kostalWordOrder(2), "CDAB");
  const f = {
    TotalDCPower: 4210.5,
    HomeFromBattery: 150,
    HomeFromGrid: 320,
    HomeFromPV: 910.2,
    GridFrequency: 50,
  };
  assert.deepEqual(kostalValues(f, false), { generationW: 4210.5, consumptionW: 1230.2 });
  assert.deepEqual(kostalValues(f, true), { generationW: 4210.5, consumptionW: 1380.2 });
});

for (const order of ["CDAB", "ABCD"] as const) {
  void test(`reads the floats in ${order} order on unit 71 and logs the identification once`, async () => {
    load(order);
    const clock = new FakeClock();
    const logger = captureLogger();
    const s = createKostalSource(cfg(), { clock, logger });
    assert.deepEqual(await pollNow(s), { generationW: 4210.5, consumptionW: 1380.2, at: clock.now() });
    assert.deepEqual(s.attributes(), {
      TotalDCPower: 4210.5,
      HomeFromBattery: 150,
      HomeFromGrid: 320,
      HomeFromPV: 910.2,
      GridFrequency: 49.98,
    });
    assert.ok(
      logger.records.some(
        (l) => l.level === "info" && l.msg === "Kostal: PLENTICORE plus 10, serial 90123ABC456",
      ),
    );
    const before = inverter.requests.length;
    await pollNow(s);
    assert.deepEqual(inverter.requests.slice(before), [100, 106, 108, 116, 152]);
    await waitFor(() => inverter.open() === 0, 5000, "connection closed");
  });
}

void test("upstream consumption (no battery register) when switched off", async () => {
  load("CDAB");
  const s = createKostalSource(cfg({ consumptionIncludesBattery: false }), {
    clock: new FakeClock(),
    logger: captureLogger(),
  });
  const r = await pollNow(s);
  assert.equal(r?.consumptionW, 1230.2);
  assert.ok(!inverter.requests.slice(-4).includes(106));
});

void test("an unreadable register, a NaN float, a wrong unit id or a hang fail the read and keep the last reading", async () => {
  load("CDAB");
  const clock = new FakeClock();
  const s = createKostalSource(cfg(), { clock, logger: captureLogger() });
  const first = await pollNow(s);
  inverter.failAt.add(116);
  assert.deepEqual(await pollNow(s), first);
  assert.match(s.lastError() ?? "", /register 116: Modbus exception 2/);
  inverter.failAt.clear();
  load("CDAB", { 108: Number.NaN });
  assert.deepEqual(await pollNow(s), first);
  assert.match(s.lastError() ?? "", /HomeFromGrid \(108\): not a number/);
  load("CDAB");
  inverter.hang = true;
  const seen = inverter.requests.length;
  s.poll();
  await waitFor(() => inverter.requests.length > seen, 5000, "request");
  clock.advance(3000);
  await s.settled();
  inverter.hang = false;
  assert.match(s.lastError() ?? "", /timeout after 3000 ms/);
  assert.deepEqual(s.latest(), first);
  const wrongUnit = createKostalSource(cfg({ unitID: 1 }), { clock, logger: captureLogger() });
  wrongUnit.poll();
  await waitFor(() => inverter.open() > 0, 5000, "connection");
  await new Promise<void>((r) => setImmediate(r));
  clock.advance(3000);
  await wrongUnit.settled();
  assert.equal(wrongUnit.latest(), null);
  assert.match(wrongUnit.lastError() ?? "", /register 5: timeout/);
});

void test("a refused connection fails the read without throwing (the next poll retries)", async () => {
  load("ABCD");
  const s = createKostalSource(cfg({ modbusPort: 1 }), { clock: new FakeClock(), logger: captureLogger() });
  assert.equal(await pollNow(s), null);
  assert.match(s.lastError() ?? "", /connect: .*ECONNREFUSED/);
  assert.equal(await pollNow(s), null);
});
