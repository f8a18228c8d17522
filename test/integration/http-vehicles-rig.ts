/**
 * The whole product with the Tesla Fleet API module against the HTTPS loopback fake of the Fleet API
 * (src/integrations/tesla/fake-fleet-api.test-helper.ts), as a TWCManager user runs it: config.json with
 * `vehicle.teslaAPI` and `teslaProxy` (+ the fake's certificate as `teslaProxyCert`), settings.json holding
 * the tokens, the simulator's chargers reporting VINs, a FakeClock, real fastify on a loopback port, and a
 * logger that keeps every line (tests grep it for tokens). Mode "injected" creates the module itself with
 * the OAuth endpoints pointed at the fake (the login tests: vehicles.md §2.4 makes them injectable, not a
 * config key); "none" runs without a vehicle module.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { startProduct, type RunningProduct } from "../../src/cli/run.ts";
import { loadConfigText } from "../../src/config/load.ts";
import { moduleContext } from "../../src/integrations/context.ts";
import { startFakeFleet, type FakeCar, type FakeFleet } from "../../src/integrations/tesla/fake-fleet-api.test-helper.ts";
import { createTeslaApiModule, type TeslaApiModule } from "../../src/integrations/tesla/tesla-module.ts";
import { FakeClock } from "../../src/shared/clock.ts";
import { localInstant } from "./http-harness.ts";
import { freePort, tempDir } from "./helpers.ts";

/** Home in the rig's settings.json. */
export const HOME = { lat: 52.52, lon: 13.405 };
/** A car parked in the drive: at home, but not exactly at the home coordinates (so a leak is recognisable). */
export const DRIVEWAY = { lat: 52.52031, lon: 13.40577 };
/** About 5 km north: away. */
export const AWAY = { lat: 52.565, lon: 13.405 };

/** Options of startVehicleProduct. */
export interface VehicleProductOptions {
  cars: FakeCar[];
  /** interface.Dummy.slaves (default: one charger 4142 without a car). */
  slaves?: Record<string, unknown>[];
  /** Keys merged into `config`. */
  core?: Record<string, unknown>;
  /** Other top-level sections. */
  sections?: Record<string, unknown>;
  /** Keys merged into control.HTTP. */
  http?: Record<string, unknown>;
  /** Keys merged into settings.json (after the tokens and home). */
  settings?: Record<string, unknown>;
  /** Write the fake's tokens to settings.json (default true). */
  tokens?: boolean;
  /** How the Fleet API module runs (default "registry"). */
  module?: "registry" | "injected" | "none";
}

/** A running product with its fake cloud. */
export interface VehicleProduct {
  fake: FakeFleet;
  clock: FakeClock;
  product: RunningProduct;
  settingsDir: string;
  /** Every log line (JSON) the product wrote. */
  logs: string[];
  url(path: string): string;
  /** settings.json as on disk now. */
  settingsFile(): Record<string, unknown>;
  /** Advances the fake clock by `ms` in 50 ms steps (real I/O runs in between). */
  run(ms: number): Promise<void>;
  /** Advances the fake clock until `cond` holds (at most `maxMs` of fake time). */
  until(cond: () => boolean | Promise<boolean>, what: string, maxMs?: number): Promise<void>;
  /** Awaits `p` (an HTTP request) while the fake clock runs, so the module's 5 s pauses pass. */
  during<T>(p: Promise<T>): Promise<T>;
  /** GET → {status, text}. */
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }>;
  /** POST `body` (string as is, object as JSON) → {status, text}; runs the clock while waiting. */
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }>;
  stop(): Promise<void>;
}

/** The config keys of the Tesla module (vehicles.md §2.1) for the fake. */
function teslaCore(fake: FakeFleet, certFile: string): Record<string, unknown> {
  return {
    teslaProxy: fake.url,
    teslaProxyCert: certFile,
    teslaApiClientID: "twc-test-client",
    teslaApiRedirectUri: "https://twc.example.net/tesla-callback",
  };
}

/** Starts the fake, writes config and settings.json, starts the product. */
export async function startVehicleProduct(o: VehicleProductOptions): Promise<VehicleProduct> {
  const clock = new FakeClock(localInstant(12));
  const fake = await startFakeFleet({ cars: o.cars, now: () => clock.now() });
  const t = tempDir("twcm-vehicles-");
  const certFile = join(t.dir, "proxy-cert.pem");
  writeFileSync(certFile, fake.cert);
  const settingsDir = join(t.dir, "settings");
  const mode = o.module ?? "registry";
  const tokens =
    o.tokens === false
      ? {}
      : { carApiBearerToken: fake.tokens.access, carApiRefreshToken: fake.tokens.refresh, carApiTokenExpireTime: Math.floor(clock.now() / 1000) + 28800 };
  mkdirSync(settingsDir, { recursive: true });
  writeFileSync(join(settingsDir, "settings.json"), JSON.stringify({ homeLat: HOME.lat, homeLon: HOME.lon, ...tokens, ...o.settings }, null, 2), { mode: 0o600 });
  const port = await freePort();
  const config = {
    config: {
      settingsPath: settingsDir,
      wiringMaxAmpsAllTWCs: 32,
      wiringMaxAmpsPerTWC: 32,
      minAmpsPerTWC: 6,
      ...(mode === "none" ? {} : teslaCore(fake, certFile)),
      ...o.core,
    },
    interface: { Dummy: { enabled: true, slaves: o.slaves ?? [{ twcID: "4142", maxAmps: 32 }] } },
    control: { HTTP: { enabled: true, listenPort: port, listenAddress: "127.0.0.1", ...o.http } },
    logging: { Console: { enabled: false } },
    ...(mode === "none" ? {} : { vehicle: { teslaAPI: { enabled: true } } }),
    ...o.sections,
  };
  const loaded = loadConfigText(JSON.stringify(config), "config.json");
  const teslaConfig = loaded.config.vehicle?.teslaApi ?? null;
  if (mode !== "none" && teslaConfig === null) throw new Error("vehicle.teslaAPI did not load from config.json");
  if (mode === "injected" && loaded.config.vehicle) loaded.config.vehicle = { ...loaded.config.vehicle, teslaApi: null };
  const logs: string[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void logs.push(line) });
  const product = await startProduct({ config: loaded.config, raw: loaded.raw, logger, clock });
  let injected: TeslaApiModule | null = null;
  if (mode === "injected" && teslaConfig !== null) {
    const ctx = moduleContext("vehicle.teslaAPI", {
      clock,
      logger,
      state: product.engine.state,
      commands: product.commands,
      fail: (_name, err) => logs.push(JSON.stringify({ level: 50, msg: `injected module failed: ${String(err)}` })),
    });
    injected = createTeslaApiModule(teslaConfig, ctx, {
      authEndpoints: { auth: `${fake.url}/oauth2/v3`, fleetAuth: `${fake.url}/oauth2/v3` },
      regionHosts: { NA: fake.url, EU: fake.url, CN: fake.url },
      authFetch: fake.fetch,
    });
    await injected.start();
  }
  const url = (path: string): string => `http://127.0.0.1:${String(port)}${path}`;
  const during = async <T>(p: Promise<T>): Promise<T> => {
    let done = false;
    const watched = p.finally(() => {
      done = true;
    });
    const started = Date.now();
    while (!done) {
      await clock.advanceAsync(100, 50);
      if (Date.now() - started > 20_000) throw new Error("the request did not finish within 20 s (real)");
    }
    return watched;
  };
  const answer = async (res: Response): Promise<{ status: number; text: string; headers: Headers }> => ({ status: res.status, text: await res.text(), headers: res.headers });
  const vp: VehicleProduct = {
    fake,
    clock,
    product,
    settingsDir,
    logs,
    url,
    settingsFile: () => JSON.parse(readFileSync(join(settingsDir, "settings.json"), "utf8")) as Record<string, unknown>,
    run: (ms) => clock.advanceAsync(ms, 50),
    async until(cond, what, maxMs = 120_000) {
      for (let t0 = 0; t0 <= maxMs; t0 += 250) {
        if (await cond()) return;
        await clock.advanceAsync(250, 50);
      }
      throw new Error(`not reached within ${String(maxMs / 1000)} s of fake time: ${what}`);
    },
    during,
    get: async (path, headers = {}) => answer(await during(fetch(url(path), { headers, redirect: "manual" }))),
    post: async (path, body, headers = {}) =>
      answer(
        await during(
          fetch(url(path), {
            method: "POST",
            redirect: "manual",
            headers: { "content-type": "application/json", ...headers },
            ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
          }),
        ),
      ),
    async stop() {
      injected?.stop();
      await product.stop();
      await fake.close();
      t.cleanup();
    },
  };
  return vp;
}

/** The JSON body of a `{status, text}` answer. */
export function json(a: { text: string }): Record<string, unknown> {
  return JSON.parse(a.text) as Record<string, unknown>;
}

/** The tokens of `fake.issued` that occur in `text` (whole, or a JWT's claims part alone). */
export function leakedTokens(fake: FakeFleet, text: string): string[] {
  return fake.issued.filter((tok) => {
    const claims = tok.split(".")[1] ?? "";
    return (tok.length >= 8 && text.includes(tok)) || (claims.length >= 16 && text.includes(claims));
  });
}
