/**
 * Enabling debug commands is a privileged change (issue 8 item 1, docs/decisions.md): without
 * authentication only a loopback client may turn it on; with authentication every (authenticated)
 * client may. Turning it off is always allowed. Through the full app with app.inject().
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { tmpdir } from "node:os";
import pino from "pino";
import type { Commands } from "../../engine/commands.ts";
import { StateStore } from "../../state/store.ts";
import { createApp, type LegacyViews } from "../app.ts";
import { authConfig, httpConfig, stubViews } from "../security/test-app.test-helper.ts";
import { isLoopbackAddress } from "../security/listeners.ts";
import { DEBUG_ENABLE_REFUSED } from "./routes.ts";

const TOKEN = "debug-privilege-token-0123456789";

const views: LegacyViews = stubViews();

function app(withAuth: boolean): { app: ReturnType<typeof createApp>; calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  const commands = { setSetting: (k: string, v: unknown) => void calls.push([k, v]), saved: () => Promise.resolve() } as unknown as Commands;
  const a = createApp({
    logger: pino({ level: "silent" }),
    views,
    commands,
    state: new StateStore({} as never),
    httpConfig: httpConfig(withAuth ? { auth: authConfig({ tokens: [TOKEN] }) } : {}),
    rawConfig: {},
    tls: false,
    webRoot: join(tmpdir(), "twcm-no-such-web-root"),
  });
  return { app: a, calls };
}

const enable = (value: unknown): string => JSON.stringify({ setting: "enableDebugCommands", value });

test("without authentication, a client on the network cannot enable debug commands (403 naming the rule)", async () => {
  const { app: a, calls } = app(false);
  for (const value of [true, 1, "yes"]) {
    const r = await a.inject({ method: "POST", url: "/api/setSetting", remoteAddress: "192.168.1.20", payload: enable(value) });
    assert.equal(r.statusCode, 403, String(value));
    assert.deepEqual(r.json(), { error: DEBUG_ENABLE_REFUSED });
  }
  assert.deepEqual(calls, [], "nothing was stored");
  const off = await a.inject({ method: "POST", url: "/api/setSetting", remoteAddress: "192.168.1.20", payload: enable(false) });
  assert.equal(off.statusCode, 204, "turning it off is always allowed");
  const other = await a.inject({ method: "POST", url: "/api/setSetting", remoteAddress: "192.168.1.20", payload: JSON.stringify({ setting: "homeLat", value: 1 }) });
  assert.equal(other.statusCode, 204, "other settings are not privileged");
  await a.close();
});

test("without authentication, loopback clients (IPv4, IPv6, mapped) may enable debug commands", async () => {
  const { app: a, calls } = app(false);
  for (const remoteAddress of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
    const r = await a.inject({ method: "POST", url: "/api/setSetting", remoteAddress, payload: enable(true) });
    assert.equal(r.statusCode, 204, remoteAddress);
  }
  assert.equal(calls.length, 3);
  await a.close();
});

test("with authentication, an authenticated client anywhere may enable debug commands; an anonymous one gets 401", async () => {
  const { app: a, calls } = app(true);
  const anonymous = await a.inject({ method: "POST", url: "/api/setSetting", remoteAddress: "192.168.1.20", payload: enable(true) });
  assert.equal(anonymous.statusCode, 401);
  const authed = await a.inject({
    method: "POST",
    url: "/api/setSetting",
    remoteAddress: "192.168.1.20",
    headers: { authorization: `Bearer ${TOKEN}` },
    payload: enable(true),
  });
  assert.equal(authed.statusCode, 204);
  assert.deepEqual(calls, [["enableDebugCommands", true]]);
  await a.close();
});

test("isLoopbackAddress", () => {
  for (const ip of ["127.0.0.1", "127.8.9.1", "::1", "::ffff:127.0.0.1"]) assert.equal(isLoopbackAddress(ip), true, ip);
  for (const ip of ["192.168.1.2", "10.0.0.1", "::ffff:10.0.0.1", "fe80::1", "1127.0.0.1"]) assert.equal(isLoopbackAddress(ip), false, ip);
});
