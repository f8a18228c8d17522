/**
 * The Tesla BLE module `vehicle.teslaBLE` (vehicles.md §4): commands and state reads through Tesla's
 * `tesla-control` program over Bluetooth. The program is found at `config.teslaControlPath` or on
 * PATH and never downloaded; without it the module stays unloaded with an alert naming the key. Keys
 * per VIN in settings.Vehicles (§4.2), invocations (§4.3) in a private key file, serialised on one
 * queue, each through the per-VIN retry wrapper and breaker (§4.5); pairing (§4.6); operations (§4.7);
 * state reads (§4.8). It registers itself as a vehicle provider and command backend for the router.
 */
import { VehicleNotices } from "../vehicle-notices.ts";
import type { TeslaBleConfig } from "../../config/app-config.ts";
import { every } from "../../shared/clock.ts";
import type { LimitCheck, Vehicle, VehicleCommandName, VehicleCommandResult, VehicleErrorKind, VehicleLastCommand, VehicleOperationResult, VehicleProvider, VehicleStatus } from "../capabilities.ts";
import type { Module, ModuleContext } from "../module.ts";
import type { CommandBackend } from "../vehicle-router/backend.ts";
import { bleArgv, operationName, type BleOperation } from "./argv.ts";
import { applyBleState, emptyBleStatus, limitEntry } from "./ble-state.ts";
import type { BleAlert, BleAlertCode, BleCarInfo, BleOutcomeInfo, BlePairResult, BlePairingState, BleStatusApi } from "./ble-types.ts";
import { findTeslaControl, inContainer, launchDbus, type DbusSession } from "./environment.ts";
import { generateBleKeys, isBleVin, privatePem, publicPem } from "./keys.ts";
import { judge, parseState, type BleFailure, type BleState, type BleVerdict, type RunResult } from "./output.ts";
import { SerialQueue } from "./queue.ts";
import { RetryBreaker } from "./retry.ts";
import { processRunner, withKeyFile, type Runner } from "./runner.ts";

/** Injectable parts (tests). */
export interface BleModuleOptions {
  runner?: Runner;
  /** Default: detected (§4.3). */
  inContainer?: boolean;
  /** Start a D-Bus session with dbus-launch (default true). */
  dbus?: boolean;
  /** PATH to search (default: the process's). */
  pathEnv?: string;
  /** Home directory for `~` (default: the user's). */
  home?: string;
  /** How often keys are created for newly recorded VINs (default 60 s). */
  keyCheckMs?: number;
}

const PAIR_TIMEOUT_MS = 30_000;
const WAKE_BEFORE_RETRY_S = 120;

/** What the user does to pair (vehicle-command: the request must be approved with a key card in the car). */
export const PAIR_INSTRUCTIONS =
  "Sit in the car with a key card, then press Pair: TWCManager sends the key request over Bluetooth. Tap the key card on the card reader (centre console) within 30 s and confirm the new key on the car's screen.";
const REQUESTED_INSTRUCTIONS = "The key request was sent: tap a key card on the centre console's card reader and confirm the new key on the car's screen. Then press Pair again if the car did not show it.";
const NO_KEY_INSTRUCTIONS = "No BLE key yet: it is generated for every VIN the chargers have reported; wait a minute and reload.";

function programMissingMessage(configured: string, reason: "not_found" | "not_executable", path: string): string {
  const what = reason === "not_executable" ? `${path} is not executable (chmod +x it)` : `tesla-control was not found at config.teslaControlPath (${configured}) nor on PATH`;
  return `Tesla BLE (vehicle.teslaBLE) is unloaded: ${what}. Install Tesla's tesla-control program (vehicle-command: go install github.com/teslamotors/vehicle-command/cmd/tesla-control@latest), set config.teslaControlPath to it and restart TWCManager, or set vehicle.teslaBLE.enabled to false.`;
}

const ADAPTER_FIX = "Connect a Bluetooth LE adapter, start bluetoothd (systemctl start bluetooth) and let TWCManager use it (the CAP_NET_ADMIN capability or the bluetooth group).";

interface CarInfo {
  stopAsking: boolean;
  lastCommand: BleOutcomeInfo | null;
  /** The same, as the vehicle record's lastCommand. */
  lastVehicleCommand: VehicleLastCommand | null;
  lastPairing: BleOutcomeInfo | null;
  lastStateReadMs: number | null;
  notPaired: boolean;
}

/** One invocation's outcome. */
interface Outcome {
  ok: boolean;
  verdict: BleVerdict | null;
  failure: BleFailure | "breaker_open" | "refused" | null;
  message: string;
  retryAtMs?: number;
}

const FAILURE_KIND: Readonly<Record<BleFailure | "breaker_open" | "refused", VehicleErrorKind>> = {
  timeout: "timeout",
  connection: "network",
  authentication: "unauthorized",
  vehicle_unavailable: "asleep",
  adapter_missing: "unavailable",
  command_failed: "refused",
  breaker_open: "unavailable",
  refused: "unavailable",
};

/** The command result of an outcome. */
function resultOf(o: Outcome): VehicleCommandResult {
  if (o.ok) return o.verdict?.alreadySatisfied ? { ok: true, reason: o.verdict.alreadySatisfied } : { ok: true };
  const kind = FAILURE_KIND[o.failure ?? "command_failed"];
  return {
    ok: false,
    kind,
    reason: o.message,
    ...(o.retryAtMs !== undefined ? { retryAtMs: o.retryAtMs } : {}),
    ...(o.failure === "authentication" ? { fix: `pair TWCManager's key with the car on its Vehicles page: ${PAIR_INSTRUCTIONS}` } : {}),
  };
}

/** The vehicle record's name and body of a BLE command (state reads and pairing are no commands). */
function commandOf(o: BleOperation): { name: VehicleCommandName; body: Readonly<Record<string, number>> | null } {
  switch (o.op) {
    case "charging-set-amps":
      return { name: "set_charging_amps", body: { charging_amps: o.amps } };
    case "charging-set-limit":
      return { name: "set_charge_limit", body: { percent: o.percent } };
    case "charging-start":
      return { name: "charge_start", body: null };
    case "charging-stop":
      return { name: "charge_stop", body: null };
    case "wake":
    case "state":
    case "pair":
      return { name: "wake_up", body: null };
  }
}

/** The BLE module. */
export class TeslaBleModule implements Module, VehicleProvider, CommandBackend, BleStatusApi {
  readonly name = "vehicle.teslaBLE";
  readonly backend = "TeslaBLE" as const;
  readonly priority = 20;
  readonly kind = "ble" as const;
  private binary: string | null = null;
  private container = false;
  private env: NodeJS.ProcessEnv = process.env;
  private dbus: DbusSession | null = null;
  private readonly queue = new SerialQueue();
  private readonly breaker: RetryBreaker;
  private readonly runner: Runner;
  private readonly info = new Map<string, CarInfo>();
  private readonly states = new Map<string, VehicleStatus>();
  private readonly handles = new Map<string, Vehicle>();
  private readonly notices: VehicleNotices<BleAlertCode>;
  private unregister: (() => void) | null = null;
  private timers: (() => void)[] = [];

  constructor(
    private readonly config: TeslaBleConfig,
    private readonly ctx: ModuleContext,
    private readonly opts: BleModuleOptions = {},
  ) {
    this.notices = new VehicleNotices(ctx.logger, () => ctx.clock.now());
    this.runner = opts.runner ?? processRunner(ctx.clock);
    this.breaker = new RetryBreaker(ctx.clock, {
      maxRetries: config.maxRetries,
      retryDelayS: config.retryDelayS,
      threshold: config.circuitBreakerThreshold,
      timeoutS: config.circuitBreakerTimeoutS,
    });
  }

  private get nowMs(): number {
    return this.ctx.clock.now();
  }

  // ---- lifecycle ----

  /** Finds the program (else stays unloaded with an alert), starts D-Bus, creates missing keys, registers. */
  async start(): Promise<void> {
    this.unregister = this.ctx.commands.registerVehicleProvider(this);
    const found = await findTeslaControl(this.config.controlPath, this.opts.pathEnv, this.opts.home);
    if (!found.ok) {
      this.binary = null;
      const message = programMissingMessage(this.config.controlPath, found.reason, found.path);
      this.alert("VEHICLE_BLE_PROGRAM_MISSING", true, message);
      this.ctx.logger.error({ code: "VEHICLE_BLE_PROGRAM_MISSING", path: found.path }, message);
      return;
    }
    this.container = this.opts.inContainer ?? (await inContainer());
    if (this.opts.dbus !== false) this.dbus = await launchDbus(this.runner, this.opts.pathEnv);
    this.env = { ...process.env, ...(this.dbus?.env ?? {}) };
    this.ensureKeys();
    // Loaded only now: the keys exist before anything can ask for a command or a pairing.
    this.binary = found.path;
    this.alert("VEHICLE_BLE_PROGRAM_MISSING", false);
    this.timers.push(every(this.ctx.clock, this.opts.keyCheckMs ?? 60_000, () => this.ensureKeys()));
    this.ctx.logger.info({ program: this.binary, container: this.container, dbus: this.dbus !== null }, "Tesla BLE module started");
    this.changed();
  }

  /** Stops timers, ends the D-Bus daemon, unregisters. */
  stop(): void {
    for (const t of this.timers) t();
    this.timers = [];
    this.dbus?.stop();
    this.dbus = null;
    this.unregister?.();
    this.unregister = null;
  }

  /** The program was found and the module runs. */
  loaded(): boolean {
    return this.binary !== null;
  }

  /** Router: never called while unloaded. */
  usable(): boolean {
    return this.loaded();
  }

  /** The program's path. */
  program(): string | null {
    return this.binary;
  }

  private changed(): void {
    this.notices.changed();
  }

  /** Subscribes to changes of cars, pairing or alerts. */
  on(_event: "change", cb: () => void): () => void {
    return this.notices.on(cb);
  }

  private alert(code: BleAlertCode, on: boolean, message = ""): void {
    this.notices.alert(code, on, message);
  }

  /** Raised alerts. */
  alerts(): readonly BleAlert[] {
    return this.notices.alerts();
  }

  // ---- settings: VINs, keys, pairing status ----

  private vehiclesSettings(): Record<string, unknown> {
    const v = this.ctx.commands.vehicleSettings().Vehicles;
    return typeof v === "object" ? v : {};
  }

  /** The BLE cars: the VINs of settings.Vehicles. */
  private vins(): string[] {
    return Object.keys(this.vehiclesSettings()).filter(isBleVin).sort();
  }

  private writeEntry(vin: string, patch: Readonly<Record<string, unknown>>): void {
    const all = this.vehiclesSettings();
    const entry = all[vin];
    const next = { ...all, [vin]: { ...(typeof entry === "object" && entry !== null ? entry : {}), ...patch } };
    this.ctx.commands.setSetting("Vehicles", next);
  }

  /** §4.2: a key for every VIN without one (at start, then every minute for VINs recorded since). */
  ensureKeys(): void {
    const all = this.vehiclesSettings();
    const missing = this.vins().filter((vin) => privatePem(all[vin]) === null);
    if (missing.length === 0) return;
    const next: Record<string, unknown> = { ...all };
    for (const vin of missing) {
      const entry = all[vin];
      next[vin] = { ...(typeof entry === "object" && entry !== null ? entry : {}), ...generateBleKeys() };
      this.ctx.logger.info({ vin }, "generated a BLE key for the car (pair it on the Vehicles page)");
    }
    this.ctx.commands.setSetting("Vehicles", next);
    this.changed();
  }

  private peering(vin: string): string {
    const e = this.vehiclesSettings()[vin];
    const v = typeof e === "object" && e !== null ? (e as Record<string, unknown>).BLEPeeringStatus : undefined;
    return typeof v === "string" ? v : "";
  }

  private setPeering(vin: string, status: "requested" | "peered" | "unpaired"): void {
    if (this.peering(vin) === status) return;
    this.writeEntry(vin, { BLEPeeringStatus: status });
    this.ctx.logger.info({ vin, status }, `BLE pairing status: ${status}`);
    this.changed();
  }

  private carInfo(vin: string): CarInfo {
    let i = this.info.get(vin);
    if (!i) {
      i = { stopAsking: false, lastCommand: null, lastVehicleCommand: null, lastPairing: null, lastStateReadMs: null, notPaired: false };
      this.info.set(vin, i);
    }
    return i;
  }

  /** Every BLE car with its pairing state and the instructions for the user. */
  cars(): readonly BleCarInfo[] {
    const all = this.vehiclesSettings();
    return this.vins().map((vin) => {
      const i = this.carInfo(vin);
      const status = this.peering(vin);
      const pairing: BlePairingState = publicPem(all[vin]) === null ? "no_key" : i.notPaired ? "unpaired" : status === "peered" ? "peered" : status === "requested" ? "requested" : "unpaired";
      const instructions = pairing === "no_key" ? NO_KEY_INSTRUCTIONS : pairing === "requested" ? REQUESTED_INSTRUCTIONS : pairing === "unpaired" ? PAIR_INSTRUCTIONS : "";
      return {
        vin,
        pairing,
        instructions,
        lastPairing: i.lastPairing,
        lastCommand: i.lastCommand,
        breakerOpenUntilMs: this.breaker.openUntil(vin),
        stopAskingToStartCharging: i.stopAsking,
        lastStateReadMs: i.lastStateReadMs,
      };
    });
  }

  // ---- invocations (§4.3–§4.5) ----

  private once(vin: string, o: BleOperation): Promise<RunResult | "no_key"> {
    const binary = this.binary;
    if (binary === null) return Promise.resolve("no_key");
    const entry = this.vehiclesSettings()[vin];
    const pem = o.op === "pair" ? publicPem(entry) : privatePem(entry);
    if (pem === null) return Promise.resolve("no_key");
    const timeoutMs = o.op === "pair" ? PAIR_TIMEOUT_MS : this.config.commandTimeoutS * 1000;
    return withKeyFile(pem, (file) => {
      const inv = bleArgv(binary, vin, file, o, this.container);
      return this.runner(inv.file, inv.args, this.env, timeoutMs);
    });
  }

  /** One operation through the retry wrapper (pairing: one attempt); books the outcome. */
  private async invoke(vin: string, o: BleOperation): Promise<Outcome & { run: RunResult | null }> {
    const name = operationName(o);
    if (this.binary === null) return { ok: false, verdict: null, failure: "refused", message: "tesla-control is not installed", run: null };
    if (!Object.hasOwn(this.vehiclesSettings(), vin) || !isBleVin(vin)) {
      this.ctx.logger.warn({ vin, operation: name }, "BLE command refused: the VIN is not in settings.Vehicles");
      return { ok: false, verdict: null, failure: "refused", message: "the VIN is not one of the cars the chargers reported (settings.Vehicles)", run: null };
    }
    const isState = o.op === "state";
    const judgeRun = (r: RunResult | "no_key"): BleVerdict =>
      r === "no_key"
        ? { ok: false, alreadySatisfied: null, failure: "authentication", message: "no BLE key for this car yet", authenticated: false }
        : isState
          ? parseState(r) !== null
            ? { ok: true, alreadySatisfied: null, failure: null, message: "state read", authenticated: true }
            : { ...judge(r), ok: false, failure: r.exitCode === 0 && !r.timedOut ? "command_failed" : judge(r).failure ?? "command_failed" }
          : o.op === "pair" && r.exitCode === 0 && !r.timedOut
            ? { ...judge(r), ok: true, failure: null }
            : judge(r);
    let last: RunResult | null = null;
    let verdict: BleVerdict | null = null;
    const attempt = async (): Promise<BleVerdict> => {
      const r = await this.once(vin, o);
      last = r === "no_key" ? null : r;
      verdict = judgeRun(r);
      return verdict;
    };
    let out: Outcome;
    if (o.op === "pair") {
      const v = await attempt();
      out = { ok: v.ok, verdict: v, failure: v.failure, message: v.message };
    } else {
      const w = await this.breaker.run(vin, attempt, (v) => v.ok, (v) => v.failure !== "adapter_missing" && v.failure !== "authentication");
      if (w.kind === "breaker_open") out = { ok: false, verdict: null, failure: "breaker_open", message: `BLE commands to this car are paused after repeated failures until ${new Date(w.untilMs).toISOString()}`, retryAtMs: w.untilMs };
      else out = { ok: w.value.ok, verdict: w.value, failure: w.value.failure, message: w.value.message };
    }
    this.book(vin, name, o, out);
    return { ...out, verdict: out.verdict ?? verdict, run: last };
  }

  private book(vin: string, name: string, o: BleOperation, out: Outcome): void {
    const info = this.carInfo(vin);
    const rec: BleOutcomeInfo = { operation: name, atMs: this.nowMs, ok: out.ok, message: out.message, failure: out.failure };
    if (o.op === "pair") info.lastPairing = rec;
    else if (o.op !== "state") {
      info.lastCommand = rec;
      info.lastVehicleCommand = { ...commandOf(o), atMs: rec.atMs, result: resultOf(out), via: "TeslaBLE" };
    }
    if (out.ok) {
      this.alert("VEHICLE_BLE_ADAPTER_MISSING", false);
      if (o.op !== "pair") {
        info.notPaired = false;
        this.setPeering(vin, "peered");
        if (![...this.info.values()].some((i) => i.notPaired)) this.alert("VEHICLE_BLE_NOT_PAIRED", false);
      }
    } else if (out.failure === "adapter_missing") {
      this.alert("VEHICLE_BLE_ADAPTER_MISSING", true, `tesla-control found no Bluetooth adapter (${out.message}). ${ADAPTER_FIX}`);
      this.ctx.logger.error({ code: "VEHICLE_BLE_ADAPTER_MISSING", vin, operation: name }, `BLE ${name} failed: no Bluetooth adapter (${out.message})`);
    } else if (out.failure === "authentication" && o.op !== "pair") {
      info.notPaired = true;
      if (this.peering(vin) === "peered") this.setPeering(vin, "unpaired");
      this.alert("VEHICLE_BLE_NOT_PAIRED", true, `The car ${vin} does not know TWCManager's BLE key: pair it on its Vehicles page. ${PAIR_INSTRUCTIONS}`);
      this.ctx.logger.error({ code: "VEHICLE_BLE_NOT_PAIRED", vin, operation: name }, `BLE ${name} failed: the key is not paired (${out.message})`);
    } else if (out.failure !== null) {
      this.ctx.logger.warn({ vin, operation: name, failure: out.failure }, `BLE ${name} failed (${out.failure}): ${out.message}`);
    }
    this.changed();
  }

  // ---- state reads (§4.8) ----

  private statusOf(vin: string): VehicleStatus {
    return this.states.get(vin) ?? emptyBleStatus(vin);
  }

  private async readOnce(vin: string): Promise<BleState | null> {
    const c = await this.invoke(vin, { op: "state", category: "charge" });
    const charge = c.ok && c.run ? parseState(c.run) : null;
    if (charge === null) return null;
    const l = await this.invoke(vin, { op: "state", category: "location" });
    const loc = l.ok && l.run ? parseState(l.run) : null;
    return { ...charge, ...(loc ?? {}) };
  }

  private async readNow(vin: string): Promise<boolean> {
    let st = await this.readOnce(vin);
    const lastOk = this.carInfo(vin).lastStateReadMs;
    if (st === null && (lastOk === null || this.nowMs - lastOk >= WAKE_BEFORE_RETRY_S * 1000)) {
      const w = await this.invoke(vin, { op: "wake" });
      if (w.ok) st = await this.readOnce(vin);
    }
    if (st === null) return false;
    this.states.set(vin, applyBleState(this.statusOf(vin), st, this.nowMs));
    this.carInfo(vin).lastStateReadMs = this.nowMs;
    this.changed();
    return true;
  }

  /** §4.8: `state charge` and `state location` (wake and one more try when the last read is ≥ 120 s old). */
  refreshState(vin: string): Promise<boolean> {
    const v = vin.toUpperCase();
    return this.queue.push(`state:${v}`, () => this.readNow(v));
  }

  // ---- operations (§4.7) ----

  /** The merged record of the car (Fleet API, telemetry, BLE), null when none knows it. */
  private known(vin: string): VehicleStatus | null {
    return this.ctx.commands.vehicleControl()?.byVin(vin)?.status() ?? this.states.get(vin) ?? null;
  }

  /** §3.3: a car with a known SoC below minChargeLevel is not stopped (SoC from the records, else a BLE read). */
  private async belowMinimum(vin: string): Promise<boolean> {
    const min = this.config.minChargeLevel;
    if (min < 0) return false;
    let soc = this.known(vin)?.socPercent ?? null;
    if (soc === null && (await this.readNow(vin))) soc = this.states.get(vin)?.socPercent ?? null;
    if (soc === null || soc >= min) return false;
    this.ctx.logger.info({ vin, soc }, `not stopping over BLE: state of charge below minChargeLevel ${String(min)} %`);
    return true;
  }

  private targets(vin?: string): string[] {
    return vin === undefined ? this.vins() : [vin.toUpperCase()];
  }

  private async chargeNow(start: boolean, vin?: string): Promise<VehicleOperationResult> {
    if (!start) for (const i of this.info.values()) i.stopAsking = false;
    const vins = this.targets(vin);
    if (vins.length === 0) return "error";
    let attempted = 0;
    let succeeded = 0;
    for (const v of vins) {
      if (start) {
        if (this.carInfo(v).stopAsking) continue;
        if (this.config.respectVehicleSchedule && this.known(v)?.scheduledChargingPending === true) continue;
        const w = await this.invoke(v, { op: "wake" });
        if (!w.ok && w.failure === "refused") {
          attempted++;
          continue;
        }
        const r = await this.invoke(v, { op: "charging-start" });
        attempted++;
        if (r.ok) {
          succeeded++;
          if (r.verdict?.alreadySatisfied) this.carInfo(v).stopAsking = true;
        }
      } else {
        if (Object.hasOwn(this.vehiclesSettings(), v) && (await this.belowMinimum(v))) continue;
        const r = await this.invoke(v, { op: "charging-stop" });
        attempted++;
        if (r.ok) succeeded++;
      }
    }
    return succeeded > 0 || attempted === 0 ? "success" : "error";
  }

  /** §4.7 start (wake first) or stop, for the VIN or every BLE car. */
  charge(start: boolean, vin?: string): Promise<VehicleOperationResult> {
    return this.queue.push("charge", () => this.chargeNow(start, vin));
  }

  private async rateNow(amps: number, vin?: string): Promise<VehicleCommandResult> {
    if (!Number.isFinite(amps)) return { ok: false, kind: "unavailable", reason: "charging amps must be a number" };
    const a = Math.max(1, Math.trunc(amps));
    const vins = this.targets(vin);
    if (vins.length === 0) return { ok: false, kind: "unavailable", reason: "no BLE car (settings.Vehicles is empty)" };
    let last: VehicleCommandResult = { ok: false, kind: "unavailable", reason: "not sent" };
    for (const v of vins) {
      await this.invoke(v, { op: "wake" });
      const r = resultOf(await this.invoke(v, { op: "charging-set-amps", amps: a }));
      if (r.ok) return r;
      last = r;
    }
    return last;
  }

  /** §4.7 wake, then `charging-set-amps` on the VIN's car or every BLE car (success if any). Never raises a TWC offer. */
  setChargeRate(amps: number, vin?: string): Promise<VehicleCommandResult> {
    return this.queue.push(`rate:${vin ?? "*"}`, () => this.rateNow(amps, vin));
  }

  private async saveLimits(mutate: (limits: Record<string, unknown>) => void): Promise<void> {
    const cur = this.ctx.commands.vehicleSettings().chargeLimits;
    const next: Record<string, unknown> = typeof cur === "object" && cur !== null && !Array.isArray(cur) ? { ...(cur as Record<string, unknown>) } : {};
    mutate(next);
    try {
      await this.ctx.commands.saveVehicleSettings({ chargeLimits: next });
    } catch (err) {
      this.ctx.logger.error({ code: "SETTINGS_SAVE_FAILED", reason: err instanceof Error ? err.message : String(err) }, "saving chargeLimits failed");
    }
  }

  private limits(): Record<string, unknown> {
    const cur = this.ctx.commands.vehicleSettings().chargeLimits;
    return typeof cur === "object" && cur !== null && !Array.isArray(cur) ? (cur as Record<string, unknown>) : {};
  }

  private async limitNow(limit: number): Promise<VehicleOperationResult> {
    if (limit !== -1 && (!Number.isInteger(limit) || limit < 50 || limit > 100)) return "error";
    const vins = this.vins();
    if (vins.length === 0) return "error";
    let failed = false;
    for (const vin of vins) {
      const entry = limitEntry(this.limits()[vin]);
      if (entry && entry[1] === limit) continue;
      if (limit === -1) {
        if (!entry) continue;
        const [outside] = entry;
        if (outside >= 50 && outside <= 100) {
          await this.invoke(vin, { op: "wake" });
          const r = await this.invoke(vin, { op: "charging-set-limit", percent: outside });
          if (!r.ok) {
            failed = true;
            continue;
          }
        }
        await this.saveLimits((l) => delete l[vin]);
        continue;
      }
      let outside = entry ? entry[0] : null;
      if (outside === null || outside < 50) {
        // V-12: remember the car's own limit before changing it.
        if (await this.readNow(vin)) outside = this.states.get(vin)?.chargeLimitPercent ?? null;
      }
      await this.invoke(vin, { op: "wake" });
      const r = await this.invoke(vin, { op: "charging-set-limit", percent: limit });
      if (!r.ok) {
        failed = true;
        continue;
      }
      const s = this.states.get(vin);
      if (s) this.states.set(vin, { ...s, chargeLimitPercent: limit });
      const saved = outside ?? limit;
      await this.saveLimits((l) => (l[vin] = [saved, limit]));
    }
    return failed ? "error" : "success";
  }

  /** §4.7 charge-limit pass over every BLE car (the arrival/departure check is ignored). */
  applyLimit(limitPercent: number, check: LimitCheck): Promise<VehicleOperationResult> {
    void check;
    return this.queue.push("limit", () => this.limitNow(limitPercent));
  }

  /** Wakes one car. */
  wake(vin: string): Promise<VehicleCommandResult> {
    const v = vin.toUpperCase();
    return this.queue.push(`wake:${v}`, async () => resultOf(await this.invoke(v, { op: "wake" })));
  }

  /** §4.6: sends the pairing request with the car's public key (30 s). */
  pair(vin: string): Promise<BlePairResult> {
    const v = vin.toUpperCase();
    return this.queue.push(`pair:${v}`, async () => {
      if (this.binary === null) return { ok: false, message: "tesla-control is not installed", instructions: this.notices.get("VEHICLE_BLE_PROGRAM_MISSING")?.message ?? "" };
      if (isBleVin(v) && Object.hasOwn(this.vehiclesSettings(), v)) this.ensureKeys();
      const r = await this.invoke(v, { op: "pair" });
      if (r.ok) {
        this.carInfo(v).notPaired = false;
        this.setPeering(v, "requested");
        return { ok: true, message: r.message, instructions: REQUESTED_INSTRUCTIONS };
      }
      return { ok: false, message: r.message, instructions: r.failure === "adapter_missing" ? ADAPTER_FIX : PAIR_INSTRUCTIONS };
    });
  }

  /** §3.5 (router): a stop request clears the BLE "stop asking" flags. */
  clearStopAsking(): void {
    for (const i of this.info.values()) i.stopAsking = false;
  }

  // ---- the provider: cars with a BLE state read ----

  private handle(vin: string): Vehicle {
    let h = this.handles.get(vin);
    if (!h) {
      const op = async (p: Promise<VehicleOperationResult>): Promise<VehicleCommandResult> =>
        (await p) === "success" ? { ok: true } : resultOrFail(this.carInfo(vin).lastCommand);
      h = {
        vin,
        status: () => {
          const i = this.carInfo(vin);
          return { ...this.statusOf(vin), stopAskingToStartCharging: i.stopAsking, lastCommand: i.lastVehicleCommand };
        },
        startCharging: () => op(this.charge(true, vin)),
        stopCharging: () => op(this.charge(false, vin)),
        setChargingAmps: (amps) => this.setChargeRate(amps, vin),
        setChargeLimit: async (percent) => {
          if (!Number.isInteger(percent) || percent < 50 || percent > 100) return { ok: false, kind: "unavailable", reason: "the charge limit must be an integer 50–100" };
          return this.queue.push(`carlimit:${vin}`, async () => {
            await this.invoke(vin, { op: "wake" });
            return resultOf(await this.invoke(vin, { op: "charging-set-limit", percent }));
          });
        },
        wake: () => this.wake(vin),
        refresh: async () => ((await this.refreshState(vin)) ? { ok: true } : { ok: false, kind: "timeout", reason: "no BLE state read" }),
      };
      this.handles.set(vin, h);
    }
    return h;
  }

  /**
   * Every BLE car (the VINs of settings.Vehicles) while the module runs: its record holds what BLE
   * state reads gave (nothing before the first) and the last BLE command, so the Vehicles page shows
   * the path and result even without the Fleet API.
   */
  vehicles(): readonly Vehicle[] {
    return this.loaded() ? this.vins().map((vin) => this.handle(vin)) : [];
  }

  /** Router: a BLE car (in settings.Vehicles, with a key or about to get one) while the program is there. */
  serves(vin: string): boolean {
    const v = vin.toUpperCase();
    return this.loaded() && isBleVin(v) && Object.hasOwn(this.vehiclesSettings(), v);
  }

  /** Router: the car's BLE handle, null when not a BLE car. */
  vehicleFor(vin: string): Vehicle | null {
    const v = vin.toUpperCase();
    return this.serves(v) ? this.handle(v) : null;
  }
}

function resultOrFail(last: BleOutcomeInfo | null): VehicleCommandResult {
  if (last && !last.ok) return { ok: false, kind: FAILURE_KIND[last.failure ?? "command_failed"], reason: last.message };
  return { ok: false, kind: "unavailable", reason: "not sent over BLE" };
}

/** The registry's factory. */
export function createTeslaBleModule(config: TeslaBleConfig, ctx: ModuleContext, opts: BleModuleOptions = {}): TeslaBleModule {
  return new TeslaBleModule(config, ctx, opts);
}
