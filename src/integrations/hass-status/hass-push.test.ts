/** status.HASS against an HTTP fake of Home Assistant's REST API on 127.0.0.1 (the engine harness feeds the state). */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { HassStatusConfig } from "../../config/app-config.ts";
import { startHarness } from "../../engine/engine-harness.test-helper.ts";
import { startLoopback, waitFor } from "../../energy/loopback.test-helper.ts";
import { harnessContext } from "../mqtt/module-context.test-helper.ts";
import { HassStatusModule } from "./hass-push.ts";
import { entityId, hassSensors } from "./hass-values.ts";

interface Posted {
  path: string;
  auth: string | undefined;
  body: { state: string; attributes: Record<string, string> };
}

async function fakeHa(status: {
  code: number;
}): Promise<{ posts: Posted[]; port: number; close(): Promise<void> }> {
  const posts: Posted[] = [];
  const lb = await startLoopback((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      posts.push({
        path: req.url ?? "",
        auth: req.headers.authorization,
        body: JSON.parse(body) as Posted["body"],
      });
      res.writeHead(status.code, { "content-type": "application/json" }).end("{}");
    });
  });
  return { posts, port: lb.port, close: () => lb.close() };
}

const cfg = (port: number): HassStatusConfig => ({
  serverIP: "127.0.0.1",
  serverPort: port,
  useHttps: false,
  apiKey: "long-lived-token",
  msgRateInSeconds: 10,
  resendRateInSeconds: 120,
  retryRateInSeconds: 30,
});

test("entity ids are TWCManager's, lower-cased; units and classes as Home Assistant expects", async () => {
  assert.equal(entityId("AB12", "amps_in_use"), "sensor.twcmanager_ab12_amps_in_use");
  const h = await startHarness();
  await h.run(2000);
  const sensors = hassSensors(h.engine.state.snapshot);
  const amps = sensors.find((s) => s.entityId === "sensor.twcmanager_4142_amps_in_use");
  assert.deepEqual(amps?.attributes, {
    friendly_name: "TWC 4142 Amps in use",
    unit_of_measurement: "A",
    device_class: "current",
    state_class: "measurement",
  });
  assert.deepEqual(sensors.find((s) => s.entityId === "sensor.twcmanager_all_current_policy")?.attributes, {
    friendly_name: "TWC all Current policy",
  });
  assert.ok(
    sensors.some((s) => s.entityId === "sensor.twcmanager_config_min_amps_per_twc" && s.state === "6"),
  );
  await h.stop();
});

test("pushes every sensor with the token, defers changes by msgRateInSeconds, resends, retries failures", async () => {
  const status = { code: 200 };
  const ha = await fakeHa(status);
  const h = await startHarness();
  await h.run(2000);
  const mod = new HassStatusModule(cfg(ha.port), harnessContext(h));
  mod.start();
  const expected = hassSensors(h.engine.state.snapshot).length;
  await waitFor(() => ha.posts.length >= expected, 10_000, "the first push of every sensor");
  const first = ha.posts.find((p) => p.path === "/api/states/sensor.twcmanager_4142_amps_in_use");
  assert.equal(first?.auth, "Bearer long-lived-token");
  assert.equal(first?.body.state, "0");
  assert.equal(first?.body.attributes.unit_of_measurement, "A");
  const policyPath = "/api/states/sensor.twcmanager_all_current_policy";
  const policyPosts = (): string[] => ha.posts.filter((p) => p.path === policyPath).map((p) => p.body.state);
  assert.deepEqual(policyPosts(), ["Non Scheduled Charging"]);

  h.commands.chargeNow(16, 3600);
  await h.run(1000);
  assert.deepEqual(policyPosts(), ["Non Scheduled Charging"], "a change within msgRateInSeconds waits");
  await h.run(10_000);
  await waitFor(() => policyPosts().length === 2, 10_000, "the deferred push");
  assert.deepEqual(policyPosts(), ["Non Scheduled Charging", "Charge Now"]);

  const minPath = "/api/states/sensor.twcmanager_config_min_amps_per_twc";
  const minPosts = (): number => ha.posts.filter((p) => p.path === minPath).length;
  assert.equal(minPosts(), 1);
  await h.run(121_000);
  await waitFor(() => minPosts() === 2, 10_000, "the resend of an unchanged value");

  status.code = 500;
  const before = mod.stats().failed;
  h.commands.cancelChargeNow();
  await h.run(11_000);
  await waitFor(() => mod.stats().failed > before, 10_000, "a failed push");
  status.code = 200;
  await h.run(31_000);
  await waitFor(() => policyPosts().at(-1) === "Non Scheduled Charging", 10_000, "the retry");
  await mod.stop();
  await h.stop();
  await ha.close();
});

test("an unreachable Home Assistant is logged, never thrown", async () => {
  const h = await startHarness();
  const ctx = harnessContext(h);
  const mod = new HassStatusModule(cfg(1), ctx);
  mod.start();
  await waitFor(() => mod.stats().failed > 0, 10_000, "a failure");
  assert.ok(ctx.logger.count("warn") === 1);
  await mod.stop();
  await h.stop();
});
