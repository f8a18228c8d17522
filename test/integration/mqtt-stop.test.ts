/**
 * MQTT `<prefix>/control/stop` on the real CLI process against a real mosquitto (config.md §5.1,
 * issue 10): the connection shows in `/api/v2/state` and `/metrics`; the stop command ends the process
 * gracefully (exit 0) and `availability` is `offline` afterwards.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  recorder,
  skipWithoutMosquitto,
  startMosquitto,
} from "../../src/integrations/mqtt/mosquitto.test-helper.ts";
import type { StateDocument } from "../../src/state/types.ts";
import { dummyConfig, freePort, getJson, spawnCli, tempDir, waitFor, writeConfig } from "./helpers.ts";

test("control/stop ends the CLI with 0 and leaves availability offline; the connection is in the state and /metrics", { skip: skipWithoutMosquitto, timeout: 90_000 }, async () => {
  const broker = await startMosquitto();
  const t = tempDir();
  const port = await freePort();
  const mqtt = { enabled: true, brokerIP: "127.0.0.1", brokerPort: broker.port, topicPrefix: "TWCstop" };
  const config = dummyConfig(join(t.dir, "settings"), port, {
    control: { HTTP: { enabled: true, listenPort: port, listenAddress: "127.0.0.1" }, MQTT: mqtt },
    status: { MQTT: { ...mqtt, ratelimit: 0 } },
  });
  const cli = spawnCli(["--config", writeConfig(t.dir, config)]);
  const rec = await recorder(broker.url, ["TWCstop/availability"]);
  try {
    const doc = await waitFor(async () => {
      const d = (await getJson(port, "/api/v2/state")) as StateDocument;
      return d.mqtt.connections[0]?.connected === true ? d : null;
    }, 30_000, "the MQTT connection in /api/v2/state");
    assert.equal(doc.mqtt.connections.length, 1, "control and status share one connection");
    assert.deepEqual(doc.mqtt.connections[0]?.users, ["control.MQTT", "status.MQTT"]);
    assert.equal(doc.mqtt.connections[0]?.broker, `mqtt://127.0.0.1:${broker.port}`);
    assert.equal(doc.mqtt.controlTopicPrefix, "TWCstop");
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, new RegExp(`twc_mqtt_connected\\{broker="mqtt://127.0.0.1:${broker.port}"\\} 1`));
    await waitFor(() => rec.last("TWCstop/availability") === "online", 10_000, "availability online");

    await rec.client.publishAsync("TWCstop/control/stop", "", { qos: 0, retain: false });
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([cli.exited, new Promise<string>((r) => (timer = setTimeout(() => r("still running"), 30_000)))]);
    clearTimeout(timer);
    assert.equal(code, 0, `exit code after control/stop:\n${cli.output()}`);
    assert.match(cli.output(), /control\/stop/);

    const after = await recorder(broker.url, ["TWCstop/availability"]);
    try {
      await waitFor(() => after.last("TWCstop/availability") !== undefined, 10_000, "the retained availability");
      assert.equal(after.last("TWCstop/availability"), "offline");
    } finally {
      await after.close();
    }
  } finally {
    await cli.kill("SIGKILL");
    await rec.close();
    await broker.dispose();
    t.cleanup();
  }
});
