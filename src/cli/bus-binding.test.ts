import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfigText } from "../config/load.ts";
import { FakeClock } from "../shared/clock.ts";
import { busBinding } from "./bus-binding.ts";

function configWith(iface: unknown): Parameters<typeof busBinding>[0] {
  return loadConfigText(
    JSON.stringify({ config: { settingsPath: "/tmp/x", wiringMaxAmpsAllTWCs: 32, minAmpsPerTWC: 6 }, interface: iface }),
  ).config;
}

test("rfc2217:// and TCP listen mode build their bindings (issue 13 §4)", async () => {
  const clock = new FakeClock();
  const rfc = await busBinding(configWith({ RS485: { port: "rfc2217://127.0.0.1:4001" } }), clock);
  assert.equal(rfc.sim, null);
  assert.equal(rfc.binding.interfaceName, "RS485");
  assert.equal(rfc.binding.endpoint, "rfc2217://127.0.0.1:4001");
  assert.equal(rfc.binding.buffered, true);

  const listen = await busBinding(
    configWith({ RS485: { enabled: false }, TCP: { enabled: true, listen: true, server: "127.0.0.1", port: 6001 } }),
    clock,
  );
  assert.equal(listen.binding.interfaceName, "TCP");
  assert.equal(listen.binding.endpoint, "listening on 127.0.0.1:6001");
  assert.equal(typeof listen.binding.close, "function", "the listener is released on stop");
  await listen.binding.close?.();

  const socket = await busBinding(configWith({ RS485: { port: "socket://127.0.0.1:4001" } }), clock);
  assert.equal(socket.binding.interfaceName, "RS485");
  assert.equal(socket.binding.endpoint, "127.0.0.1:4001");
});
