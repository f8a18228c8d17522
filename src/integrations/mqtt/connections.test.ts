import assert from "node:assert/strict";
import { test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { brokerSettings } from "./broker.ts";
import { MqttConnections } from "./connections.ts";
import { fakeMqtt, settle } from "./fake-mqtt.test-helper.ts";

function setup(): {
  clock: FakeClock;
  mqtt: ReturnType<typeof fakeMqtt>;
  conns: MqttConnections;
  logger: ReturnType<typeof captureLogger>;
} {
  const clock = new FakeClock(0);
  const mqtt = fakeMqtt();
  const logger = captureLogger();
  return { clock, mqtt, logger, conns: new MqttConnections({ clock, logger, load: mqtt.load }) };
}

const B = brokerSettings({ brokerIP: "broker", username: "u", password: "secret" });
const WILL = { topic: "TWC/availability", payload: "offline", retain: true };

async function open(clock: FakeClock): Promise<void> {
  clock.advance(0);
  await settle();
}

test("equal broker settings share one connection; the will is adopted before it opens", async () => {
  const { clock, mqtt, conns } = setup();
  const a = conns.acquire({ owner: "control.MQTT", broker: B, handlers: {} });
  const b = conns.acquire({ owner: "status.MQTT", broker: B, will: WILL, handlers: {} });
  const c = conns.acquire({ owner: "sources.MQTT", broker: { ...B, port: 1884 }, handlers: {} });
  await open(clock);
  assert.equal(mqtt.clients.length, 2);
  const shared = mqtt.clients[0]!;
  assert.equal(shared.url, "mqtt://broker:1883");
  assert.equal(shared.options.username, "u");
  assert.equal(shared.options.password, "secret");
  assert.equal(shared.options.keepalive, 30);
  assert.equal(shared.options.protocolVersion, 4);
  assert.equal(shared.options.reconnectPeriod, 0, "the manager's back-off, not MQTT.js's fixed period");
  assert.equal(shared.options.queueQoSZero, false, "nothing queued while disconnected");
  assert.deepEqual(shared.options.will, {
    topic: "TWC/availability",
    payload: Buffer.from("offline"),
    qos: 0,
    retain: true,
  });
  assert.deepEqual(
    conns.states().map((s) => s.users),
    [["control.MQTT", "status.MQTT"], ["sources.MQTT"]],
  );
  // A second, different will cannot join an opened connection.
  conns.acquire({ owner: "other", broker: B, will: { ...WILL, topic: "X/availability" }, handlers: {} });
  await open(clock);
  assert.equal(mqtt.clients.length, 3);
  await Promise.all([a.release(), b.release(), c.release()]);
  assert.ok(shared.ended);
});

test("subscriptions are restored on every connect; messages reach only matching leases; no publish while down", async () => {
  const { clock, mqtt, conns } = setup();
  const got: string[] = [];
  let connects = 0;
  let downs = 0;
  const a = conns.acquire({
    owner: "a",
    broker: B,
    handlers: {
      onConnect: () => connects++,
      onDisconnect: () => downs++,
      onMessage: (t, p, r) => got.push(`a ${t} ${p.toString()} ${r}`),
    },
  });
  a.subscribe(["x/+"]);
  const b = conns.acquire({ owner: "b", broker: B, handlers: { onMessage: (t) => got.push(`b ${t}`) } });
  b.subscribe(["y"]);
  assert.equal(a.publish("t", "1", true), false);
  await open(clock);
  const c = mqtt.clients[0]!;
  c.up();
  assert.deepEqual([...c.subscriptions].sort(), ["x/+", "y"]);
  assert.equal(a.publish("t", "1", true), true);
  assert.deepEqual(c.published, [{ topic: "t", payload: "1", retain: true }]);
  c.deliver("x/1", "p", true);
  c.deliver("y", "q");
  assert.deepEqual(got, ["a x/1 p true", "b y"]);
  c.down();
  assert.equal(downs, 1);
  assert.equal(a.connected, false);
  clock.advance(1000);
  assert.equal(c.reconnects, 1);
  c.up();
  assert.equal(connects, 2);
  assert.deepEqual([...c.subscriptions].sort(), ["x/+", "y"]);
  await b.release();
  assert.deepEqual([...c.subscriptions], ["x/+"]);
  await a.release();
});

test("reconnect back-off 1, 2, 4 … 120 s while the broker stays down; reset after a connect; errors kept and redacted", async () => {
  const { clock, mqtt, conns, logger } = setup();
  const errors: string[] = [];
  const l = conns.acquire({ owner: "a", broker: B, handlers: { onError: (m) => errors.push(m) } });
  await open(clock);
  const c = mqtt.clients[0]!;
  const delays: number[] = [];
  let last = clock.now();
  for (let i = 0; i < 9; i++) {
    const before = c.reconnects;
    c.down("connect ECONNREFUSED http://u:pw@broker");
    while (c.reconnects === before) clock.advance(500);
    delays.push(clock.now() - last);
    last = clock.now();
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 32000, 64000, 120000, 120000]);
  assert.equal(conns.states()[0]!.connected, false);
  assert.match(conns.states()[0]!.lastError ?? "", /ECONNREFUSED/);
  assert.ok(!(conns.states()[0]!.lastError ?? "").includes("pw"), "redacted");
  assert.ok(errors.length >= 9);
  assert.equal(logger.count("warn"), 1, "one warning while it stays down, then debug");
  c.up();
  assert.equal(conns.states()[0]!.lastError, null);
  assert.equal(conns.states()[0]!.connects, 1);
  c.down();
  const t0 = clock.now();
  while (c.reconnects === 9) clock.advance(100);
  assert.equal(clock.now() - t0, 1000);
  await l.release();
  assert.equal(conns.size, 0);
});

test("a lease taken while the connection is up hears onConnect on the next turn", async () => {
  const { clock, mqtt, conns } = setup();
  const a = conns.acquire({ owner: "a", broker: B, handlers: {} });
  await open(clock);
  mqtt.clients[0]!.up();
  let heard = 0;
  const b = conns.acquire({ owner: "b", broker: B, handlers: { onConnect: () => heard++ } });
  assert.equal(heard, 0);
  clock.advance(0);
  assert.equal(heard, 1);
  await a.release();
  await b.release();
});

test("a throwing handler is logged, never propagated", async () => {
  const { clock, mqtt, conns, logger } = setup();
  const a = conns.acquire({
    owner: "a",
    broker: B,
    handlers: {
      onMessage: () => {
        throw new Error("boom");
      },
    },
  });
  a.subscribe(["x"]);
  await open(clock);
  mqtt.clients[0]!.up();
  mqtt.clients[0]!.deliver("x", "1");
  assert.equal(logger.count("error"), 1);
  await a.release();
});

test("TLS: mqtts, certificates verified, the CA file read; a missing CA file is an error and retried", async () => {
  const { clock, mqtt, conns } = setup();
  const l = conns.acquire({
    owner: "a",
    broker: brokerSettings({
      brokerIP: "b",
      brokerTLS: true,
      brokerCAFile: "/nonexistent/ca.pem",
      mqttVersion: "5",
    }),
    handlers: {},
  });
  await open(clock);
  for (let i = 0; i < 200 && conns.states()[0]!.lastError === null; i++)
    await new Promise((r) => setTimeout(r, 5));
  assert.equal(mqtt.clients.length, 0);
  assert.match(conns.states()[0]!.lastError ?? "", /brokerCAFile/);
  assert.equal(conns.states()[0]!.broker, "mqtts://b:8883");
  await l.release();
});
