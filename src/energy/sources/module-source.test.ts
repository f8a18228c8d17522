import assert from "node:assert/strict";
import { test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { SourceFetchError } from "../polling-source.ts";
import { createModuleSource, hostPort, requireNumber, toNumber } from "./module-source.ts";
import type { ModuleReading } from "./module-source.ts";
import { pollNow } from "./module-source.test-helper.ts";

void test("attributes: empty before the first reading, those of the last published reading after", async () => {
  const clock = new FakeClock();
  let next: ModuleReading | Error = {
    values: { generationW: -5, consumptionW: 2 },
    attributes: { generatedW: -5 },
  };
  const s = createModuleSource("T", { clock, logger: captureLogger() }, 10, () =>
    next instanceof Error ? Promise.reject(next) : Promise.resolve(next),
  );
  assert.deepEqual(s.attributes(), {});
  assert.deepEqual(await pollNow(s), { generationW: 5, consumptionW: 2, at: clock.now() });
  assert.deepEqual(s.attributes(), { generatedW: -5 });
  next = new SourceFetchError("down");
  await pollNow(s);
  assert.deepEqual(s.attributes(), { generatedW: -5 });
  assert.equal(s.lastError(), "down");
  await s.stop();
});

void test("a poll still running when the source stops publishes neither reading nor attributes", async () => {
  let release: (r: ModuleReading) => void = () => undefined;
  const s = createModuleSource(
    "T",
    { clock: new FakeClock(), logger: captureLogger() },
    10,
    () => new Promise<ModuleReading>((resolve) => (release = resolve)),
  );
  s.poll();
  const stopped = s.stop();
  release({ values: { generationW: 1, consumptionW: 1 }, attributes: { generatedW: 1 } });
  await stopped;
  assert.equal(s.latest(), null);
  assert.deepEqual(s.attributes(), {});
});

void test("helpers: numbers like Python float(), host:port with IPv6 brackets", () => {
  assert.equal(toNumber(" 12.5 "), 12.5);
  assert.equal(toNumber("1e3"), 1000);
  assert.equal(toNumber("n/a"), null);
  assert.equal(toNumber(null), null);
  assert.equal(toNumber(Number.NaN), null);
  assert.throws(() => requireNumber("x", undefined), /x: missing or non-numeric value null/);
  assert.equal(hostPort("10.0.0.2", 8080), "10.0.0.2:8080");
  assert.equal(hostPort("::1", "8080"), "[::1]:8080");
  assert.equal(hostPort("fe80::1"), "[fe80::1]");
  assert.equal(hostPort("host:81"), "host:81");
});
