/**
 * Engine-level vehicle rig (issue 14): the real engine, bus runtime and commands facade on the fake
 * clock with simulated TWCs (engine harness), a scripted green-energy source, and the real Fleet API
 * module against the HTTPS loopback fake attached to the facade as the composition root attaches it (no
 * router: `commands.vehicleControl()` is the module). `runFor(ms)` moves the fake clock in small steps
 * and lets real network I/O to the fake finish between them; `until(cond)` does so until `cond` holds.
 */
import type { CoreConfig, TeslaApiConfig } from "../config/app-config.ts";
import type { ModuleContext } from "../integrations/module.ts";
import { startFakeFleet, type FakeCar, type FakeFleet } from "../integrations/tesla/fake-fleet-api.test-helper.ts";
import { HOME, rigConfig } from "../integrations/tesla/tesla-rig.test-helper.ts";
import { createTeslaApiModule, type TeslaApiModule } from "../integrations/tesla/tesla-module.ts";
import { captureLogger, type CaptureLogger } from "../shared/capture-logger.test-helper.ts";
import type { SimSlaveDefInput } from "../sim/types.ts";
import { startHarness, type Harness } from "./engine-harness.test-helper.ts";

/** Monday 23 Nov 2026, 12:00 UTC: daylight at HOME, so Track Green Energy is the active policy. */
export const NOON_MS = Date.UTC(2026, 10, 23, 12, 0, 0);

/** A running rig. */
export interface VehicleRig {
  h: Harness;
  fleet: FakeFleet;
  tesla: TeslaApiModule;
  logger: CaptureLogger;
  /** Sets the green-energy reading; the rig repeats it every 30 s (a meter that keeps answering, never stale). */
  power(generationW: number, consumptionW: number): void;
  /** Advances the fake clock by `ms` in `stepMs` steps, letting real I/O settle after each. */
  runFor(ms: number, stepMs?: number): Promise<void>;
  /** Runs the clock until `cond` holds; throws naming `what` after `maxMs` of fake time. */
  until(cond: () => boolean, what: string | (() => string), maxMs?: number): Promise<void>;
  /** Fleet API requests (method and path) whose text matches. */
  calls(re: RegExp): string[];
  /** The alert codes in the state document. */
  alertCodes(): string[];
  close(): Promise<void>;
}

/** Options of the rig. */
export interface VehicleRigOptions {
  cars: FakeCar[];
  slaves: SimSlaveDefInput[];
  core?: Partial<CoreConfig>;
  settings?: Record<string, unknown>;
  tesla?: Partial<TeslaApiConfig>;
  /** Start without the vehicle module (the product as it was). */
  noModule?: boolean;
}

const realTick = (): Promise<void> => new Promise((r) => setTimeout(r, 2));

/** Starts the rig (energy: nothing until the test sets the source). */
export async function startVehicleRig(o: VehicleRigOptions): Promise<VehicleRig> {
  let clockNow = (): number => NOON_MS;
  const fleet = await startFakeFleet({ cars: o.cars, now: () => clockNow() });
  const h = await startHarness({
    startMs: NOON_MS,
    withSource: true,
    slaves: o.slaves,
    core: { startStopDelay: 60, ...o.core },
    settings: {
      homeLat: HOME.lat,
      homeLon: HOME.lon,
      carApiBearerToken: fleet.tokens.access,
      carApiRefreshToken: fleet.tokens.refresh,
      carApiTokenExpireTime: Math.floor(NOON_MS / 1000) + 28800,
      chargeStopMode: 1,
      ...o.settings,
    },
  });
  clockNow = () => h.clock.now();
  const logger = captureLogger();
  const ctx: ModuleContext = {
    clock: h.clock,
    logger: logger.child({ module: "vehicle.teslaAPI" }),
    state: h.engine.state,
    commands: h.commands,
    fail: (err) => {
      throw err instanceof Error ? err : new Error(String(err));
    },
  };
  const tesla = createTeslaApiModule(rigConfig(o.tesla), ctx, {
    authEndpoints: { auth: `${fleet.url}/oauth2/v3`, fleetAuth: `${fleet.url}/oauth2/v3` },
    regionHosts: { NA: fleet.url, EU: fleet.url, CN: fleet.url },
    authFetch: fleet.fetch,
    fetch: fleet.fetch,
  });
  if (o.noModule !== true) await tesla.start();
  let reading: { g: number; c: number; atMs: number } | null = null;
  const power = (g: number, c: number): void => {
    reading = { g, c, atMs: h.clock.now() };
    h.source?.set(g, c);
  };
  const runFor = async (ms: number, stepMs = 250): Promise<void> => {
    let left = ms;
    while (left > 0) {
      const step = Math.min(stepMs, left);
      await h.clock.advanceAsync(step, 50);
      left -= step;
      if (reading !== null && h.clock.now() - reading.atMs >= 30_000) power(reading.g, reading.c);
      await realTick();
    }
  };
  return {
    h,
    fleet,
    tesla,
    logger,
    power,
    runFor,
    async until(cond, what, maxMs = 15 * 60_000): Promise<void> {
      const end = h.clock.now() + maxMs;
      while (!cond()) {
        if (h.clock.now() >= end) throw new Error(`not within ${String(maxMs / 1000)} s of fake time: ${typeof what === "string" ? what : what()}`);
        await runFor(500);
      }
    },
    calls: (re) => fleet.requests.map((r) => `${r.method} ${r.path}`).filter((t) => re.test(t)),
    alertCodes: () => h.engine.state.snapshot.alerts.map((a) => a.code),
    async close(): Promise<void> {
      if (o.noModule !== true) tesla.stop();
      await h.stop();
      await fleet.close();
    },
  };
}
