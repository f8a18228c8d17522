/**
 * Test rig of the BLE module: the fake tesla-control (fake-tesla-control.test-helper.ts), the module on
 * a fake clock with the real process runner, a capturing logger, and the few commands-facade calls the
 * module makes over in-memory settings. `drive(p)` lets a module call finish: it advances the fake
 * clock to the next timer only while no child runs or the running child hangs (so a timeout is the
 * module's own 5 s, never a slow machine).
 */
import type { TeslaBleConfig } from "../../config/app-config.ts";
import type { Commands } from "../../engine/commands.ts";
import { captureLogger, type CaptureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import type { VehicleControl, VehicleProvider } from "../capabilities.ts";
import type { ModuleContext } from "../module.ts";
import { TrackingClock } from "../tesla/tesla-rig.test-helper.ts";
import { createTeslaBleModule, type BleModuleOptions, type TeslaBleModule } from "./ble-module.ts";
import { startFakeTeslaControl, type FakeTeslaControl } from "./fake-tesla-control.test-helper.ts";
import { processRunner, type Runner } from "./runner.ts";

/** The facade calls the BLE module makes, over plain settings. */
export class BleRigCommands {
  providers: VehicleProvider[] = [];
  control: VehicleControl | null = null;
  constructor(public settings: Record<string, unknown>) {}
  registerVehicleProvider(p: VehicleProvider): () => void {
    this.providers.push(p);
    return () => {
      this.providers = this.providers.filter((x) => x !== p);
    };
  }
  vehicleProviders(): readonly VehicleProvider[] {
    return this.providers;
  }
  vehicleControl(): VehicleControl | null {
    return this.control;
  }
  vehicleSettings(): Readonly<Record<string, unknown>> {
    return this.settings;
  }
  setSetting(key: string, value: unknown): void {
    this.settings = { ...this.settings, [key]: structuredClone(value) };
  }
  saveVehicleSettings(patch: Readonly<Record<string, unknown>>): Promise<void> {
    this.settings = { ...this.settings, ...structuredClone(patch) };
    return Promise.resolve();
  }
}

/** The module's config with the spec's defaults. */
export function bleConfig(over: Partial<TeslaBleConfig> = {}): TeslaBleConfig {
  return {
    controlPath: "/nonexistent/tesla-control",
    commandTimeoutS: 5,
    maxRetries: 3,
    retryDelayS: 2,
    circuitBreakerThreshold: 5,
    circuitBreakerTimeoutS: 60,
    minChargeLevel: -1,
    respectVehicleSchedule: true,
    ...over,
  };
}

/** One run as the runner saw it: fake-clock start time, argv, timed out. */
export interface RunRecord {
  atMs: number;
  file: string;
  args: readonly string[];
  timeoutMs: number;
  timedOut: boolean;
  endMs: number;
}

/** A running BLE rig. */
export interface BleRig {
  fake: FakeTeslaControl;
  clock: TrackingClock;
  logger: CaptureLogger;
  commands: BleRigCommands;
  module: TeslaBleModule;
  runs: RunRecord[];
  ctx: ModuleContext;
  drive<T>(p: Promise<T>): Promise<T>;
  /** Children running now, and how many of them hang (for a combined drive). */
  busy(): { running: number; hanging: number };
  advance(ms: number): void;
  lines(): string[];
  close(): Promise<void>;
}

/** Options of the rig. */
export interface BleRigOptions {
  config?: Partial<TeslaBleConfig>;
  settings?: Record<string, unknown>;
  /** Point config.teslaControlPath at the fake (default true). */
  withProgram?: boolean;
  opts?: Partial<BleModuleOptions>;
  noStart?: boolean;
  /** A clock shared with another rig (engine tests). */
  clock?: TrackingClock;
  /** A real commands facade instead of BleRigCommands. */
  commands?: Commands;
}

/** Starts the fake and the module. */
export async function startBleRig(o: BleRigOptions = {}): Promise<BleRig> {
  const fake = startFakeTeslaControl();
  const clock = o.clock ?? new TrackingClock(new FakeClock(Date.UTC(2026, 10, 23, 12, 0, 0)));
  const logger = captureLogger();
  const commands = new BleRigCommands({ Vehicles: {}, ...o.settings });
  const runs: RunRecord[] = [];
  let running = 0;
  let timedOutRuns = 0;
  const inner = processRunner(clock);
  const runner: Runner = async (file, args, env, timeoutMs) => {
    running++;
    const rec: RunRecord = { atMs: clock.now(), file, args, timeoutMs, timedOut: false, endMs: 0 };
    runs.push(rec);
    try {
      const r = await inner(file, args, env, timeoutMs);
      rec.timedOut = r.timedOut;
      rec.endMs = clock.now();
      if (r.timedOut) timedOutRuns++;
      return r;
    } finally {
      running--;
    }
  };
  const ctx: ModuleContext = {
    clock,
    logger,
    state: null as unknown as ModuleContext["state"],
    commands: o.commands ?? (commands as unknown as Commands),
    fail: (err) => {
      throw err instanceof Error ? err : new Error(String(err));
    },
  };
  const config = bleConfig({ ...(o.withProgram === false ? {} : { controlPath: fake.path }), ...o.config });
  const module = createTeslaBleModule(config, ctx, { runner, dbus: false, inContainer: false, pathEnv: "", keyCheckMs: 24 * 3600_000, ...o.opts });
  if (o.noStart !== true) await module.start();
  const realTick = (): Promise<void> => new Promise((r) => setTimeout(r, 3));
  return {
    fake,
    clock,
    logger,
    commands,
    module,
    runs,
    ctx,
    async drive<T>(p: Promise<T>): Promise<T> {
      let done = false;
      const watched = p.finally(() => {
        done = true;
      });
      const started = Date.now();
      let advancedForHang = fake.hangs();
      while (!done) {
        await realTick();
        if (done) break;
        // A hanging child gets one advance (to its timeout); its SIGKILL back-up stays for the child's own exit.
        const hangs = fake.hangs();
        const hanging = hangs - timedOutRuns;
        const newHang = running > 0 && hanging >= running && hangs > advancedForHang;
        if (running === 0 || newHang) {
          if (newHang) advancedForHang = hangs;
          const next = clock.nextDue();
          if (next !== null && next - clock.now() <= 60_000) clock.fake.advance(Math.max(0, next - clock.now()));
        }
        if (Date.now() - started > 30_000) throw new Error("drive: the module call did not finish within 30 s (real)");
      }
      return watched;
    },
    busy: () => ({ running, hanging: fake.hangs() - timedOutRuns }),
    advance(ms: number): void {
      clock.fake.advance(ms);
    },
    lines: () => logger.records.map((r) => `${r.level} ${JSON.stringify(r.obj)} ${r.msg ?? ""}`),
    async close(): Promise<void> {
      module.stop();
      // Let a killed child's close event arrive before the directory goes.
      await new Promise((r) => setTimeout(r, 20));
      fake.close();
    },
  };
}
