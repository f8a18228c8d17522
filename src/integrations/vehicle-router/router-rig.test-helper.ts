/**
 * The whole vehicle stack for engine-level tests: the real engine and commands facade (engine harness,
 * fake clock), the real Fleet API module against the HTTPS loopback fake, the real BLE module against
 * the fake tesla-control, and the router module attaching itself to the facade, as the composition root
 * does. `drive(p)` moves the fake clock to the modules' next timer only while no tesla-control child
 * runs (or the one running hangs), so timeouts and back-offs are the modules' own.
 */
import type { CommandPolicy, CoreConfig, TeslaBleConfig } from "../../config/app-config.ts";
import { startHarness, type Harness } from "../../engine/engine-harness.test-helper.ts";
import { captureLogger, type CaptureLogger } from "../../shared/capture-logger.test-helper.ts";
import type { ModuleContext } from "../module.ts";
import { startFakeFleet, type FakeCar, type FakeFleet } from "../tesla/fake-fleet-api.test-helper.ts";
import { HOME, rigConfig, TrackingClock } from "../tesla/tesla-rig.test-helper.ts";
import { createTeslaApiModule, type TeslaApiModule } from "../tesla/tesla-module.ts";
import { startBleRig, type BleRig } from "../vehicle-ble/ble-rig.test-helper.ts";
import { createVehicleRouterModule, type VehicleRouterModule } from "./router-module.ts";

/** A running stack. */
export interface Stack {
  h: Harness;
  clock: TrackingClock;
  fleet: FakeFleet;
  tesla: TeslaApiModule;
  ble: BleRig;
  router: VehicleRouterModule;
  logger: CaptureLogger;
  drive<T>(p: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Options of the stack. */
export interface StackOptions {
  cars: FakeCar[];
  /** VINs in settings.Vehicles (the BLE cars). */
  bleVins: string[];
  policy?: CommandPolicy | null;
  settings?: Record<string, unknown>;
  core?: Partial<CoreConfig>;
  ble?: Partial<TeslaBleConfig>;
  /** Start the Fleet API module (default true). */
  withFleet?: boolean;
}

/** Starts the stack. */
export async function startStack(o: StackOptions): Promise<Stack> {
  const startMs = Date.UTC(2026, 10, 23, 12, 0, 0);
  let fleetRef: FakeFleet | null = null;
  const fleet = await startFakeFleet({ cars: o.cars, now: () => (fleetRef === null ? startMs : clock.now()) });
  fleetRef = fleet;
  const h = await startHarness({
    startMs,
    ...(o.core ? { core: o.core } : {}),
    settings: {
      homeLat: HOME.lat,
      homeLon: HOME.lon,
      carApiBearerToken: fleet.tokens.access,
      carApiRefreshToken: fleet.tokens.refresh,
      carApiTokenExpireTime: Math.floor(startMs / 1000) + 28800,
      Vehicles: Object.fromEntries(o.bleVins.map((v) => [v, {}])),
      ...o.settings,
    },
  });
  const clock = new TrackingClock(h.clock);
  const logger = captureLogger();
  const ctx = (name: string): ModuleContext => ({
    clock,
    logger: logger.child({ module: name }),
    state: h.engine.state,
    commands: h.commands,
    fail: (err) => {
      throw err instanceof Error ? err : new Error(String(err));
    },
  });
  const router = createVehicleRouterModule(o.policy ?? null, ctx("vehicle.router"));
  router.start();
  const tesla = createTeslaApiModule(rigConfig(), ctx("vehicle.teslaAPI"), {
    authEndpoints: { auth: `${fleet.url}/oauth2/v3`, fleetAuth: `${fleet.url}/oauth2/v3` },
    regionHosts: { NA: fleet.url, EU: fleet.url, CN: fleet.url },
    authFetch: fleet.fetch,
    fetch: fleet.fetch,
  });
  // BLE first: it is loaded (keys made) before the Fleet API can take a command.
  const ble = await startBleRig({ clock, commands: h.commands, ...(o.ble ? { config: o.ble } : {}) });
  if (o.withFleet !== false) await tesla.start();
  const realTick = (): Promise<void> => new Promise((r) => setTimeout(r, 3));
  return {
    h,
    clock,
    fleet,
    tesla,
    ble,
    router,
    logger,
    async drive<T>(p: Promise<T>): Promise<T> {
      let done = false;
      const watched = p.finally(() => {
        done = true;
      });
      const started = Date.now();
      let advancedForHang = -1;
      while (!done) {
        await realTick();
        if (done) break;
        const b = ble.busy();
        const hangs = ble.fake.hangs();
        const newHang = b.running > 0 && b.hanging >= b.running && hangs > advancedForHang;
        if (b.running === 0 || newHang) {
          if (newHang) advancedForHang = hangs;
          const next = clock.nextDue();
          if (next !== null && next - clock.now() <= 60_000) h.clock.advance(Math.max(0, next - clock.now()));
        }
        if (Date.now() - started > 60_000) throw new Error("drive: the call did not finish within 60 s (real)");
      }
      return watched;
    },
    async close(): Promise<void> {
      tesla.stop();
      await ble.close();
      router.stop();
      await h.stop();
      await fleet.close();
    },
  };
}
