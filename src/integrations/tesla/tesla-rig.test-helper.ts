/**
 * Test rig of the Fleet API module: the HTTPS loopback fake (fake-fleet-api.test-helper.ts), the module
 * on a fake clock, a capturing logger, and the few commands-facade calls the module makes (settings
 * read/save, attach, home location) over an in-memory settings object. `drive(p)` lets a module call
 * finish: it advances the fake clock to the module's own short timers (the 5 s pauses) while real
 * network I/O runs. `leaks()` lists every token the fake ever issued that appears in a log line.
 */
import assert from "node:assert/strict";
import type { TeslaApiConfig } from "../../config/app-config.ts";
import type { Commands } from "../../engine/commands.ts";
import { captureLogger, type CaptureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock, type Clock, type TimerHandle } from "../../shared/clock.ts";
import type { ModuleContext } from "../module.ts";
import type { VehicleProvider } from "../capabilities.ts";
import type { TeslaAccountApi } from "./account.ts";
import { startFakeFleet, type FakeCar, type FakeFleet } from "./fake-fleet-api.test-helper.ts";
import { createTeslaApiModule, type TeslaApiModule, type TeslaModuleOptions } from "./tesla-module.ts";

/** Home of the rig's settings (a car at these coordinates is at home). */
export const HOME = { lat: 52.52, lon: 13.405 };
/** About 5 km north of home: away (outside the 10560 ft square), not far. */
export const AWAY = { lat: 52.565, lon: 13.405 };

/** A Clock over a FakeClock that knows when the timers created through it are due. */
export class TrackingClock implements Clock {
  private readonly due = new Map<TimerHandle, number>();

  constructor(readonly fake: FakeClock) {}

  now(): number {
    return this.fake.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const h: TimerHandle = this.fake.setTimeout(() => {
      this.due.delete(h);
      fn();
    }, ms);
    this.due.set(h, this.fake.now() + Math.max(0, ms));
    return h;
  }

  clearTimeout(handle: TimerHandle): void {
    this.due.delete(handle);
    this.fake.clearTimeout(handle);
  }

  /** The earliest due time of a pending timer, null when none. */
  nextDue(): number | null {
    let best: number | null = null;
    for (const at of this.due.values()) if (best === null || at < best) best = at;
    return best;
  }
}

/** The facade calls the module makes, over plain settings (what settings.json would hold). */
export class RigCommands {
  tesla: TeslaAccountApi | null = null;
  saves: Record<string, unknown>[] = [];
  latLon: { lat: number; lon: number }[] = [];

  constructor(public settings: Record<string, unknown>) {}

  vehicleSettings(): Readonly<Record<string, unknown>> {
    return this.settings;
  }

  saveVehicleSettings(patch: Readonly<Record<string, unknown>>): Promise<void> {
    const allowed = Object.fromEntries(Object.entries(patch).filter(([k]) => k.startsWith("carApi") || k === "chargeLimits"));
    this.settings = { ...this.settings, ...structuredClone(allowed) };
    this.saves.push(structuredClone(allowed));
    return Promise.resolve();
  }

  attachTeslaApi(api: TeslaAccountApi | null): void {
    this.tesla = api;
  }

  /** Vehicle-state modules registered beside the Fleet API (a test pushes a telemetry provider here). */
  providers: VehicleProvider[] = [];

  vehicleProviders(): readonly VehicleProvider[] {
    return this.providers;
  }

  teslaApi(): TeslaAccountApi | null {
    return this.tesla;
  }

  setLatLon(lat: number, lon: number): void {
    this.latLon.push({ lat, lon });
    this.settings = { ...this.settings, homeLat: lat, homeLon: lon };
  }
}

/** A running rig. */
export interface Rig {
  fake: FakeFleet;
  clock: TrackingClock;
  logger: CaptureLogger;
  commands: RigCommands;
  module: TeslaApiModule;
  config: TeslaApiConfig;
  /** Awaits `p`, advancing the fake clock to the module's timers due within `stepMs` while it runs. */
  drive<T>(p: Promise<T>, stepMs?: number): Promise<T>;
  /** Moves the clock (firing due timers). */
  advance(ms: number): void;
  /** Waits (real time, bounded) until `cond` holds. */
  until(cond: () => boolean, what: string): Promise<void>;
  /** Tokens the fake issued that appear in a log line. */
  leaks(extra?: readonly string[]): string[];
  /** Every log line as text. */
  lines(): string[];
  close(): Promise<void>;
  /** Asserts no issued token (nor `extra`) is in a log line, then closes. */
  finish(extra?: readonly string[]): Promise<void>;
}

/** The module's config with test defaults (client id set so refreshes are possible). */
export function rigConfig(over: Partial<TeslaApiConfig> = {}): TeslaApiConfig {
  return {
    clientId: "test-client",
    redirectUri: "https://example.invalid/cb",
    clientSecret: "",
    region: "NA",
    scope: "openid offline_access",
    proxy: null,
    proxyCert: true,
    cloudUpdateIntervalS: 1800,
    wakeDelayMins: 3,
    atHomeRadiusFt: 10560,
    minChargeLevel: -1,
    respectVehicleSchedule: true,
    ...over,
  };
}

/** Options of the rig. */
export interface RigOptions {
  cars: FakeCar[];
  /** Config keys over rigConfig's; a function gets the running fake (e.g. to write its certificate for teslaProxyCert). */
  config?: Partial<TeslaApiConfig> | ((fake: FakeFleet) => Partial<TeslaApiConfig>);
  /** Extra settings (merged over the tokens and HOME); a function gets the fake to build them. */
  settings?: Record<string, unknown> | ((fake: FakeFleet) => Record<string, unknown>);
  /** "region": token region's host is the fake (opts.fetch trusts it); "proxy": teslaProxy = fake.url, the module's own TLS client. */
  via?: "region" | "proxy";
  region?: string;
  expSeconds?: number;
  opts?: Partial<TeslaModuleOptions>;
  /** Do not call start(). */
  noStart?: boolean;
  /** A real commands facade instead of RigCommands (its settings then come from its own store), built once the fake runs. */
  commands?: (fake: FakeFleet, clock: Clock) => Promise<Commands>;
}

/** Starts the fake and the module. */
export async function startRig(o: RigOptions): Promise<Rig> {
  const fake0 = new FakeClock(Date.UTC(2026, 10, 23, 12, 0, 0));
  const clock = new TrackingClock(fake0);
  const fake = await startFakeFleet({ cars: o.cars, now: () => clock.now(), ...(o.region !== undefined ? { region: o.region } : {}), ...(o.expSeconds !== undefined ? { expSeconds: o.expSeconds } : {}) });
  const extra = typeof o.settings === "function" ? o.settings(fake) : (o.settings ?? {});
  const commands = new RigCommands({
    homeLat: HOME.lat,
    homeLon: HOME.lon,
    carApiBearerToken: fake.tokens.access,
    carApiRefreshToken: fake.tokens.refresh,
    carApiTokenExpireTime: Math.floor(clock.now() / 1000) + 28800,
    ...extra,
  });
  const logger = captureLogger();
  const real = o.commands ? await o.commands(fake, clock) : null;
  const config = rigConfig({ ...(o.via === "proxy" ? { proxy: fake.url } : {}), ...(typeof o.config === "function" ? o.config(fake) : o.config) });
  const ctx: ModuleContext = {
    clock,
    logger,
    state: null as unknown as ModuleContext["state"],
    commands: real ?? (commands as unknown as Commands),
    fail: (err) => {
      throw err instanceof Error ? err : new Error(String(err));
    },
  };
  const hosts = { NA: fake.url, EU: fake.url, CN: fake.url };
  const module = createTeslaApiModule(config, ctx, {
    authEndpoints: { auth: `${fake.url}/oauth2/v3`, fleetAuth: `${fake.url}/oauth2/v3` },
    regionHosts: hosts,
    authFetch: fake.fetch,
    ...(o.via === "proxy" ? {} : { fetch: fake.fetch }),
    ...o.opts,
  });
  if (o.noStart !== true) await module.start();
  const realTick = (): Promise<void> => new Promise((r) => setTimeout(r, 2));
  const lines = (): string[] => logger.records.map((r) => `${r.level} ${JSON.stringify(r.obj)} ${r.msg ?? ""}`);
  const rig: Rig = {
    fake,
    clock,
    logger,
    commands,
    module,
    config,
    async drive<T>(p: Promise<T>, stepMs = 10_000): Promise<T> {
      let done = false;
      const watched = p.finally(() => {
        done = true;
      });
      const started = Date.now();
      while (!done) {
        await realTick();
        if (done) break;
        const next = clock.nextDue();
        if (next !== null && next - clock.now() <= stepMs) fake0.advance(Math.max(0, next - clock.now()));
        if (Date.now() - started > 20_000) throw new Error("drive: the module call did not finish within 20 s (real)");
      }
      return watched;
    },
    advance(ms: number): void {
      fake0.advance(ms);
    },
    async until(cond: () => boolean, what: string): Promise<void> {
      const started = Date.now();
      while (!cond()) {
        if (Date.now() - started > 10_000) throw new Error(`timed out waiting for ${what}`);
        await realTick();
      }
    },
    leaks(extra: readonly string[] = []): string[] {
      const text = lines().join("\n");
      return [...fake.issued, ...extra].filter((t) => t.length >= 8 && text.includes(t));
    },
    lines,
    async close(): Promise<void> {
      module.stop();
      await fake.close();
    },
    async finish(extra: readonly string[] = []): Promise<void> {
      try {
        assert.deepEqual(rig.leaks(extra), [], "no token in any log line");
      } finally {
        await rig.close();
      }
    },
  };
  return rig;
}
