/** Test fixtures for the security and static-file tests: a full createApp() with stub product parts. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import type { HttpConfig } from "../../config/app-config.ts";
import type { Commands } from "../../engine/commands.ts";
import type { Clock } from "../../shared/clock.ts";
import { StateStore } from "../../state/store.ts";
import { createApp, type LegacyViews } from "../app.ts";
import type { AuthConfig } from "./auth.ts";

/** A control.HTTP section with defaults, overridden by `o`. */
export function httpConfig(o: Partial<HttpConfig> = {}): HttpConfig {
  return {
    listenPort: 8080,
    listenAddress: null,
    tls: null,
    auth: null,
    allowedOrigins: [],
    allowedHosts: [],
    maxBodyBytes: 65536,
    ...o,
  };
}

/** An auth section with defaults, overridden by `o`. */
export function authConfig(o: Partial<AuthConfig> = {}): AuthConfig {
  return {
    tokens: [],
    username: null,
    password: null,
    passwordHash: null,
    protectReads: false,
    sessionTtlHours: 168,
    ...o,
  };
}

/** Legacy views with fixed, empty answers (32 A wiring), overridden by `over`. */
export function stubViews(over: Partial<LegacyViews> = {}): LegacyViews {
  return {
    status: () => ({ ok: 1 }),
    slaveTWCs: () => "{}",
    uuid: () => "1234",
    policy: () => [],
    activePolicyAction: () => null,
    settings: () => ({}),
    consumptionOffsets: () => [],
    wiringMaxAmpsAllTWCs: 32,
    ...over,
  };
}

const views = stubViews();

/** Options of testApp. */
export interface TestAppOptions {
  http?: HttpConfig | null;
  tls?: boolean;
  clock?: Clock;
  webRoot?: string;
}

/** createApp() with stub views/commands/state (only routes that need none of them are exercised). */
export function testApp(o: TestAppOptions = {}): FastifyInstance {
  return createApp({
    logger: pino({ level: "silent" }),
    views,
    // checkArrival/checkDeparture are the open POSTs these tests use: they queue a check and answer 202.
    commands: { checkVehicles: () => undefined } as unknown as Commands,
    state: new StateStore({} as never),
    httpConfig: o.http === undefined ? httpConfig() : o.http,
    rawConfig: {},
    tls: o.tls ?? false,
    ...(o.clock ? { clock: o.clock } : {}),
    webRoot: o.webRoot ?? join(tmpdir(), "twcm-no-such-web-root"),
  });
}

/** A temporary web root with an app shell, a login.css, a hashed asset and a sibling secret file. */
export interface WebRoot {
  root: string;
  /** A file next to (outside) the web root that must never be served. */
  secret: string;
  cleanup(): void;
}

/** Creates a temporary bundle folder `<tmp>/web` and a secret file `<tmp>/secret.json`. */
export function makeWebRoot(): WebRoot {
  const base = mkdtempSync(join(tmpdir(), "twcm-static-"));
  const root = join(base, "web");
  mkdirSync(join(root, "assets"), { recursive: true });
  mkdirSync(join(root, "sub"), { recursive: true });
  writeFileSync(
    join(root, "index.html"),
    '<!doctype html><title>shell</title><script type="module" src="/static/assets/app-abc123.js"></script>',
  );
  writeFileSync(join(root, "login.css"), "body { font-family: sans-serif; }\n");
  writeFileSync(join(root, "assets", "app-abc123.js"), "console.log('app');\n");
  writeFileSync(join(root, "sub", "icon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  writeFileSync(join(root, "notes.txt"), "not in the MIME table");
  writeFileSync(join(root, ".hidden.json"), "{}");
  const secret = join(base, "secret.json");
  writeFileSync(secret, '{"secret":true}');
  return { root, secret, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}
