import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfigText } from "../config/load.ts";
import { applyHttpOverride } from "./http-override.ts";
import { isLoopback, webUrl } from "./web-url.ts";

test("webUrl: loopback, every interface, IPv6, TLS", () => {
  assert.deepEqual(webUrl("127.0.0.1", 8080, false), { url: "http://127.0.0.1:8080/", localUrl: "http://127.0.0.1:8080/", loopbackOnly: true, everyInterface: false });
  const every = webUrl(null, 8080, false);
  assert.equal(every.url, "http://0.0.0.0:8080/");
  assert.equal(every.localUrl, "http://localhost:8080/");
  assert.equal(every.everyInterface, true);
  assert.equal(webUrl("::", 8443, true).url, "https://[::]:8443/");
  assert.equal(webUrl("::1", 1, false).loopbackOnly, true);
  assert.equal(isLoopback("192.168.1.2"), false);
  assert.equal(isLoopback("[::ffff:127.0.0.1]"), true);
});

test("--listen and --port replace control.HTTP's address and port; without control.HTTP they are an error", () => {
  const base = { config: { settingsPath: "/tmp/x", wiringMaxAmpsAllTWCs: 32, minAmpsPerTWC: 6 }, interface: { RS485: { port: "/dev/ttyUSB0" } } };
  const withHttp = loadConfigText(JSON.stringify({ ...base, control: { HTTP: { enabled: true, listenPort: 8080 } } }), "c.json", "/").config;
  assert.equal(applyHttpOverride(withHttp, {}), null);
  assert.equal(applyHttpOverride(withHttp, { listen: "0.0.0.0", port: 9000 }), null);
  assert.equal(withHttp.http?.listenAddress, "0.0.0.0");
  assert.equal(withHttp.http?.listenPort, 9000);
  const without = loadConfigText(JSON.stringify(base), "c.json", "/").config;
  assert.match(applyHttpOverride(without, { port: 9000 }) ?? "", /^--port: there is no web interface to move: control\.HTTP is not enabled/);
  assert.equal(applyHttpOverride(without, {}), null);
});
