/**
 * The product with cars, for the vehicle pages' browser tests: the real composition root (startProduct)
 * with two simulated protocol-2 chargers whose cars report their VINs, real HTTP on a loopback port, and
 * the real Tesla Fleet API module pointed at the HTTPS loopback fake of the Fleet API and its OAuth
 * endpoints (src/integrations/tesla/fake-fleet-api.test-helper.ts). Only the module's base URLs and
 * TLS trust are changed (vehicles.md §2.4: they are injectable, not config keys), so the module is
 * created here and attached to the commands facade the way the registry's module attaches itself.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { startProduct, type RunningProduct } from "../../src/cli/run.ts";
import { loadConfigText } from "../../src/config/load.ts";
import { moduleContext } from "../../src/integrations/context.ts";
import { startFakeFleet, type FakeCar, type FakeFleet } from "../../src/integrations/tesla/fake-fleet-api.test-helper.ts";
import { HOME, rigConfig } from "../../src/integrations/tesla/tesla-rig.test-helper.ts";
import { createTeslaApiModule, type TeslaApiModule } from "../../src/integrations/tesla/tesla-module.ts";
import type { AuthEndpoints } from "../../src/integrations/tesla/urls.ts";
import type { TeslaApiConfig } from "../../src/config/app-config.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { ensureWebBuilt } from "./helpers.ts";
import { freePort, tempDir } from "../integration/helpers.ts";

export { HOME } from "../../src/integrations/tesla/tesla-rig.test-helper.ts";

/** Options of startVehicleRig. */
export interface VehicleRigOptions {
  cars: FakeCar[];
  /** VINs the two chargers' cars report (TWC 4142 and 4344); null: that charger has no car. */
  chargerVins: [string | null, string | null];
  /** Write the fake's tokens to settings.json before the start (an existing login); default true. */
  loggedIn?: boolean;
  /** Module config keys over the test defaults (client id set, PKCE, teslaProxy = the fake). */
  tesla?: Partial<TeslaApiConfig> | ((fake: FakeFleet) => Partial<TeslaApiConfig>);
  /** Keys merged into the settings.json written before the start. */
  settings?: Record<string, unknown>;
  /** Keys merged into config.json's `config` section and other top-level sections (e.g. `vehicle`). */
  core?: Record<string, unknown>;
  sections?: Record<string, unknown>;
  /** OAuth endpoints (default: the fake's, for both). */
  authEndpoints?: (fake: FakeFleet) => AuthEndpoints;
}

/** A running product with the module and the fake. */
export interface VehicleRig {
  fake: FakeFleet;
  product: RunningProduct;
  module: TeslaApiModule;
  origin: string;
  settingsDir: string;
  /** settings.json as saved on disk now. */
  settingsFile(): Record<string, unknown>;
  /** The module reads the car list and each car's vehicle_data (what it does at its first operation). */
  readCars(): Promise<void>;
  stop(): Promise<void>;
}

const slave = (twcID: string, vin: string | null): Record<string, unknown> => ({
  twcID,
  maxAmps: 32,
  protocolVersion: 2,
  lifetimeKWh: 1000,
  voltage: [240, 0, 0],
  ...(vin !== null ? { vin, car: { behaviour: "follow", maxAmps: 32, batteryKWh: 75, socPercent: 50, chargeLimitPercent: 80, startDelayS: 1, rampAmpsPerS: 20 } } : { car: { behaviour: "none" } }),
});

/** Starts the fake, the product and the module. */
export async function startVehicleRig(o: VehicleRigOptions): Promise<VehicleRig> {
  await ensureWebBuilt();
  const fake = await startFakeFleet({ cars: o.cars });
  const temp = tempDir("twcm-vehicles-");
  const settingsDir = join(temp.dir, "settings");
  mkdirSync(settingsDir, { recursive: true });
  const tokens =
    o.loggedIn === false
      ? {}
      : { carApiBearerToken: fake.tokens.access, carApiRefreshToken: fake.tokens.refresh, carApiTokenExpireTime: Math.floor(Date.now() / 1000) + 28800 };
  writeFileSync(join(settingsDir, "settings.json"), JSON.stringify({ homeLat: HOME.lat, homeLon: HOME.lon, ...tokens, ...o.settings }), { mode: 0o600 });
  const port = await freePort();
  const config = {
    config: { settingsPath: settingsDir, wiringMaxAmpsAllTWCs: 48, wiringMaxAmpsPerTWC: 32, minAmpsPerTWC: 6, fakeMaster: 1, ...o.core },
    interface: { Dummy: { enabled: true, slaves: [slave("AB", o.chargerVins[0]), slave("CD", o.chargerVins[1])] } },
    control: { HTTP: { enabled: true, listenPort: port, listenAddress: "127.0.0.1" } },
    logging: { Console: { enabled: false } },
    ...o.sections,
  };
  const loaded = loadConfigText(JSON.stringify(config), "config.json");
  const logger = pino({ level: "silent" });
  let product: RunningProduct;
  try {
    product = await startProduct({ config: loaded.config, raw: loaded.raw, logger });
  } catch (err) {
    await fake.close();
    temp.cleanup();
    throw err;
  }
  const over = typeof o.tesla === "function" ? o.tesla(fake) : (o.tesla ?? {});
  const teslaConfig = rigConfig({ redirectUri: `${fake.url}/tesla-callback`, proxy: fake.url, ...over });
  const ctx = moduleContext("vehicle.teslaAPI", {
    clock: systemClock,
    logger,
    state: product.engine.state,
    commands: product.commands,
    fail: (_name, err) => logger.error({ err }, "vehicle.teslaAPI failed"),
  });
  const hosts = { NA: fake.url, EU: fake.url, CN: fake.url };
  const module = createTeslaApiModule(teslaConfig, ctx, {
    authEndpoints: o.authEndpoints?.(fake) ?? { auth: `${fake.url}/oauth2/v3`, fleetAuth: `${fake.url}/oauth2/v3` },
    regionHosts: hosts,
    fetch: fake.fetch,
    authFetch: fake.fetch,
    // Upstream's fixed 5 s pauses (after a wake, between two low-amp commands) shortened for the test.
    pauseMs: 50,
  });
  await module.start();
  const origin = `http://127.0.0.1:${String(port)}`;
  // Charge now, as a user would, so the cars draw current and the chargers report their VINs.
  const r = await fetch(`${origin}/api/chargeNow`, { method: "POST", body: JSON.stringify({ chargeNowRate: 32, chargeNowDuration: 3600 }) });
  if (!r.ok) throw new Error(`chargeNow: ${String(r.status)} ${await r.text()}`);
  return {
    fake,
    product,
    module,
    origin,
    settingsDir,
    settingsFile: () => JSON.parse(readFileSync(join(settingsDir, "settings.json"), "utf8")) as Record<string, unknown>,
    readCars: async () => {
      await module.available("none");
      for (const v of module.vehicles()) await v.refresh(0);
    },
    stop: async () => {
      module.stop();
      await product.stop();
      await fake.close();
      temp.cleanup();
    },
  };
}
