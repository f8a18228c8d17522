/**
 * Test rig for the charging decisions that need a car (issue 14): the real engine and bus runtime on a
 * FakeClock, the real Tesla Fleet API module against the HTTPS loopback fake (fake-fleet-api), and
 * scripted TWCs whose cars are the fake's cars: a car draws only while the cloud says "Charging", keeps
 * drawing 5.7 A when offered 0 A (the car chargeStopMode 1 exists for) and follows the last
 * `set_charging_amps` it was sent. `run(ms)` advances the fake clock in 50 ms steps and never while a
 * request to the fake is in flight, so cloud latency does not turn into fake seconds.
 */
import type { TeslaApiConfig } from "../config/app-config.ts";
import type { Frame, TwcId } from "../protocol/frames.ts";
import { MASTER_ID, twcId } from "../protocol/frames.ts";
import { vinPartData, isValidVin } from "../protocol/vin.ts";
import type { BusIo } from "../bus/controller-types.ts";
import type { DeframeResult } from "../protocol/frames.ts";
import { EnergyPoller } from "../energy/poller.ts";
import { buildPolicyList } from "../policy/build-list.ts";
import { captureLogger, type CaptureLogger } from "../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../shared/clock.ts";
import type { ModuleContext } from "../integrations/module.ts";
import { startFakeFleet, type FakeCar, type FakeFleet } from "../integrations/tesla/fake-fleet-api.test-helper.ts";
import { HOME, rigConfig } from "../integrations/tesla/tesla-rig.test-helper.ts";
import { createTeslaApiModule, type TeslaApiModule } from "../integrations/tesla/tesla-module.ts";
import type { FetchFn } from "../integrations/tesla/tls-fetch.ts";
import { Commands } from "./commands.ts";
import { Engine } from "./engine.ts";
import { MemorySettings, ScriptedSource, testCore } from "./engine-harness.test-helper.ts";
import type { CoreConfig } from "../config/app-config.ts";

/** Monday 23 November 2026, 12:00 UTC: the sun is up at HOME (Berlin), so the green policy applies. */
export const NOON_MS = Date.UTC(2026, 10, 23, 12, 0, 0);

/** A 17-character VIN with a valid check digit (the bus refuses others), from a 5-digit serial. */
export function vinFor(serial: number): string {
  for (let d = 0; d <= 10; d++) {
    const vin = `5YJ3E1EA${d === 10 ? "X" : String(d)}KF${String(serial).padStart(6, "0")}`;
    if (isValidVin(vin)) return vin;
  }
  throw new Error("no check digit");
}

/** A scripted TWC with the fake's car plugged in (or none). */
export interface ScriptedTwc {
  id: TwcId;
  ratingA: number;
  /** The VIN the TWC reports; null: none (non-Tesla, CAN off). */
  vin: string | null;
  /** The car in the fake cloud, null when nothing is plugged in. */
  car: FakeCar | null;
  /** Offered limit (A) from the last heartbeat command. */
  limitA: number;
}

/** The current the car at `t` draws now (A). */
function drawOf(t: ScriptedTwc, fake: FakeFleet): number {
  const c = t.car;
  if (!c || c.chargingState !== "Charging") return 0;
  if (t.limitA < 5) return 5.7;
  const sent = fake.requests.filter((r) => r.path === `/api/1/vehicles/${c.vin}/command/set_charging_amps`).at(-1);
  const apiAmps = sent ? (JSON.parse(sent.body) as { charging_amps: number }).charging_amps : Number.POSITIVE_INFINITY;
  return Math.max(0, Math.min(t.limitA, apiAmps, 32) - 0.3);
}

/** The bus side: replies to linkready, heartbeats, VIN and kWh requests like a TWC would. */
class ScriptedBus implements BusIo {
  readonly connected = true;
  readonly written: Frame[] = [];
  private readonly cbs: ((r: DeframeResult) => void)[] = [];
  constructor(
    private readonly clock: FakeClock,
    readonly twcs: ScriptedTwc[],
    private readonly fake: () => FakeFleet,
  ) {}
  onFrame(cb: (r: DeframeResult) => void): void {
    this.cbs.push(cb);
  }
  onOpen(): void {}
  onClose(): void {}
  isReceiverQuiet(): boolean {
    return true;
  }
  private reply(frame: Frame): void {
    this.clock.setTimeout(() => {
      for (const cb of this.cbs) cb({ ok: true, frame, raw: new Uint8Array(0) });
    }, 20);
  }
  writeFrame(f: Frame): Promise<void> {
    this.written.push(f);
    if (f.kind === "masterLinkReady2") for (const t of this.twcs) this.reply({ kind: "slaveLinkReady", sender: t.id, sign: 0x55, ratedCentiAmps: t.ratingA * 100, length: 16 });
    const t = "receiver" in f ? this.twcs.find((x) => x.id === f.receiver) : undefined;
    if (!t) return Promise.resolve();
    if (f.kind === "masterHeartbeat") {
      if (f.command.code === 0x09 || f.command.code === 0x05) t.limitA = f.command.centiAmps / 100;
      const draw = drawOf(t, this.fake());
      const state = draw >= 1 ? 0x01 : t.car ? 0x03 : 0x00;
      this.reply({ kind: "slaveHeartbeat", sender: t.id, receiver: MASTER_ID, status: { state, reportedMaxCentiAmps: Math.round(t.limitA * 100), reportedActualCentiAmps: Math.round(draw * 100), length: 9 } });
    } else if (f.kind === "vinRequest" && t.vin !== null) {
      this.reply({ kind: "vinReport", sender: t.id, part: f.part, data: vinPartData(t.vin, f.part) });
    } else if (f.kind === "kwhRequest") {
      this.reply({ kind: "kwhReport", sender: t.id, lifetimeKWh: 100, volts: [240, 0, 0] });
    }
    return Promise.resolve();
  }
}

/** Options of the rig. */
export interface VehicleRigOptions {
  /** The cars in the fake cloud (at HOME unless they say otherwise). */
  cars: FakeCar[];
  /** The TWCs: which fake car (index into `cars`) is plugged into each, and whether it reports its VIN. */
  twcs: { twcID: string; ratingA?: number; car: number | null; reportsVin?: boolean }[];
  core?: Partial<CoreConfig>;
  settings?: Record<string, unknown>;
  tesla?: Partial<TeslaApiConfig>;
  /** The module's fixed pauses (default upstream's 5 s). */
  pauseMs?: number;
  /** No Fleet API module: the engine runs without a vehicle module. */
  noModule?: boolean;
}

/** A running rig. */
export interface VehicleRig {
  clock: FakeClock;
  engine: Engine;
  commands: Commands;
  settings: MemorySettings;
  source: ScriptedSource;
  fake: FakeFleet;
  module: TeslaApiModule | null;
  bus: ScriptedBus;
  logger: CaptureLogger;
  /** Advances fake time by `ms` (50 ms steps), waiting out in-flight cloud requests between steps. */
  run(ms: number): Promise<void>;
  /** Requests to the fake whose "METHOD path" matches. */
  sent(re: RegExp): { atMs: number; path: string; body: string }[];
  /** The engine's slave with this 2-character ID. */
  slave(twcID: string): ReturnType<Engine["controller"]["slaves"]>[number] | undefined;
  stop(): Promise<void>;
}

/** Starts the fake cloud, the engine on the scripted TWCs, and (unless `noModule`) the Fleet API module. */
export async function startVehicleRig(o: VehicleRigOptions): Promise<VehicleRig> {
  const clock = new FakeClock(NOON_MS);
  let inflight = 0;
  const fake = await startFakeFleet({ cars: o.cars, now: () => clock.now() });
  const counted = (f: FetchFn): FetchFn => async (url, init) => {
    inflight++;
    try {
      const r = await f(url, init);
      const body = await r.text();
      return new Response(body, { status: r.status, headers: r.headers });
    } finally {
      inflight--;
    }
  };
  const twcs: ScriptedTwc[] = o.twcs.map((t) => {
    const car = t.car === null ? null : o.cars[t.car]!;
    const id = twcId((t.twcID.charCodeAt(0) << 8) | t.twcID.charCodeAt(1));
    return { id, ratingA: t.ratingA ?? 32, vin: car && t.reportsVin !== false ? car.vin : null, car, limitA: 0 };
  });
  const bus = new ScriptedBus(clock, twcs, () => fake);
  const core = testCore({ wiringMaxAmpsAllTWCs: 32, wiringMaxAmpsPerTWC: 32, ...o.core });
  const logger = captureLogger();
  const settings = new MemorySettings(
    {
      homeLat: HOME.lat,
      homeLon: HOME.lon,
      carApiBearerToken: fake.tokens.access,
      carApiRefreshToken: fake.tokens.refresh,
      carApiTokenExpireTime: Math.floor(clock.now() / 1000) + 28800,
      ...o.settings,
    },
    core.wiringMaxAmpsAllTWCs,
  );
  const source = new ScriptedSource(clock);
  const poller = new EnergyPoller({ clock, logger, sources: [source], staleAfterS: core.energyStaleAfterS });
  const list = buildPolicyList({ greenEnergyLatch: core.greenEnergyLatch ?? undefined });
  const engine = new Engine({
    clock,
    logger,
    config: { core, slaveTimeoutS: 26, policyCheckIntervalS: 30 },
    policies: list.policies,
    settings,
    io: bus,
    bus: { interfaceName: "Dummy", endpoint: null, connected: () => true },
    poller,
    version: "test",
    timeZone: "UTC",
  });
  const commands = new Commands(engine, settings, () => clock.now());
  let module: TeslaApiModule | null = null;
  if (o.noModule !== true) {
    const ctx: ModuleContext = {
      clock,
      logger,
      state: engine.state,
      commands,
      fail: (err) => {
        throw err instanceof Error ? err : new Error(String(err));
      },
    };
    module = createTeslaApiModule(rigConfig({ ...o.tesla }), ctx, {
      authEndpoints: { auth: `${fake.url}/oauth2/v3`, fleetAuth: `${fake.url}/oauth2/v3` },
      regionHosts: { NA: fake.url, EU: fake.url, CN: fake.url },
      authFetch: counted(fake.fetch),
      fetch: counted(fake.fetch),
      ...(o.pauseMs !== undefined ? { pauseMs: o.pauseMs } : {}),
    });
    await module.start();
  }
  engine.start();
  const settle = async (): Promise<void> => {
    for (let quiet = 0; quiet < 2; ) {
      await new Promise<void>((r) => setImmediate(r));
      if (inflight > 0) {
        quiet = 0;
        await new Promise<void>((r) => setTimeout(r, 1));
      } else quiet++;
    }
  };
  return {
    clock,
    engine,
    commands,
    settings,
    source,
    fake,
    module,
    bus,
    logger,
    async run(ms: number): Promise<void> {
      for (let left = ms; left > 0; left -= 50) {
        clock.advance(Math.min(50, left));
        await settle();
      }
    },
    sent: (re) => fake.requests.filter((r) => re.test(`${r.method} ${r.path}`)),
    slave: (twcID) => engine.controller.slaves().find((s) => s.id === twcId((twcID.charCodeAt(0) << 8) | twcID.charCodeAt(1))),
    async stop(): Promise<void> {
      module?.stop();
      await engine.stop();
      await settle();
      await fake.close();
    },
  };
}
