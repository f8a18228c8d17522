/**
 * MQTT energy source against a real mosquitto broker on 127.0.0.1 (started and killed by this test).
 * Skipped with a message only when the mosquitto binary is missing (CI installs it).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, createConnection } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { connectAsync } from "mqtt";
import type { MqttClient } from "mqtt";
import { captureLogger } from "../shared/capture-logger.test-helper.ts";
import { systemClock } from "../shared/clock.ts";
import { MqttEnergySource } from "./mqtt-source.ts";
import { findBinary, missingReason } from "../../test/skip-report.ts";
import { sleep, waitFor } from "./loopback.test-helper.ts";

function findMosquitto(): string | null {
  return findBinary("mosquitto", "mosquitto");
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

const binary = findMosquitto();
const skip = binary === null ? missingReason("mosquitto", "mosquitto") : false;
let broker: ChildProcess | null = null;
let dir = "";
let port = 0;
let publisher: MqttClient | null = null;
let brokerLog = "";

before(async () => {
  if (binary === null) return;
  dir = mkdtempSync(join(tmpdir(), "twc-mosquitto-"));
  port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  broker = spawn(binary, ["-c", conf, "-v"], { stdio: ["ignore", "pipe", "pipe"] });
  broker.stdout?.on("data", (d: Buffer) => (brokerLog += d.toString()));
  broker.stderr?.on("data", (d: Buffer) => (brokerLog += d.toString()));
  const deadline = performance.now() + 15_000;
  while (!(await canConnect(port))) {
    if (performance.now() > deadline || broker.exitCode !== null)
      throw new Error(`mosquitto did not start:\n${brokerLog}`);
    await sleep(50);
  }
  publisher = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
});

after(async () => {
  await publisher?.endAsync(true);
  if (broker && broker.exitCode === null) {
    const exited = new Promise<void>((r) => broker?.once("exit", () => r()));
    broker.kill("SIGTERM");
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

void test(
  "readings from generation and consumption topics (2500, 1.2kW, JSON, negative)",
  { skip },
  async () => {
    assert.ok(publisher, brokerLog);
    const source = new MqttEnergySource(
      {
        brokerIP: "127.0.0.1",
        brokerPort: String(port),
        generationTopic: "test/solar",
        consumptionTopic: "test/house",
      },
      { clock: systemClock, logger: captureLogger() },
    );
    const seen: number[] = [];
    source.on("reading", (r) => seen.push(r.generationW));
    // Retained, so they arrive whenever the source subscribes.
    await publisher.publishAsync("test/solar", "2500", { retain: true });
    source.start();
    await waitFor(() => brokerLog.includes("test/house (QoS"), 10_000, "the source to subscribe");
    assert.equal(source.latest(), null, "no reading until every configured topic has delivered");
    await publisher.publishAsync("test/house", "1.2kW", { retain: true });
    await waitFor(() => source.latest() !== null, 10_000, "first reading");
    const first = source.latest();
    assert.equal(first?.generationW, 2500);
    assert.equal(first?.consumptionW, 1200);
    assert.equal(source.lastError(), null);

    await publisher.publishAsync("test/solar", '{"value": 3100}');
    await waitFor(() => source.latest()?.generationW === 3100, 10_000, "JSON value");
    assert.equal(source.latest()?.consumptionW, 1200, "consumption keeps its last value");
    assert.ok(
      (source.latest()?.at ?? 0) >= (first?.at ?? Infinity),
      "at is the arrival time of the latest message",
    );

    await publisher.publishAsync("test/solar", "-1800 W");
    await waitFor(() => source.latest()?.generationW === 1800, 10_000, "negated generation");

    const before = source.latest();
    await publisher.publishAsync("test/house", "n/a");
    await waitFor(() => source.lastError() !== null, 10_000, "parse error");
    assert.match(source.lastError() ?? "", /unparsable/);
    assert.deepEqual(source.latest(), before, "an unparsable payload keeps the previous reading");
    assert.ok(seen.length >= 3);

    await source.stop();
    await publisher.publishAsync("test/solar", "42");
    assert.notEqual(source.latest()?.generationW, 42);
  },
);

void test("an unreachable broker is an error, never a throw", { skip }, async () => {
  const dead = await freePort();
  const logger = captureLogger();
  const source = new MqttEnergySource(
    { brokerIP: "127.0.0.1", brokerPort: dead, generationTopic: "x" },
    { clock: systemClock, logger, reconnectPeriodMs: 100 },
  );
  source.start();
  await waitFor(() => source.lastError() !== null, 10_000, "connection error");
  assert.equal(source.latest(), null);
  assert.ok(logger.count("warn") >= 1);
  await source.stop();
});
