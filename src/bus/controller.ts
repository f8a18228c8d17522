/**
 * The bus controller runtime (design.md §6, controller.md §1): the one executor of the bus. It feeds
 * frames, timer wake-ups and commands into the pure state machines (link.ts, charging.ts, offer.ts,
 * start-stop.ts, tx-scheduler.ts, bus-health.ts), runs their effects and owns every bus timer through
 * the injected Clock. The engine never gets called back: it pushes a `BusInput` (budget, flex, green
 * flag, settings) with `setInput` and listens to the events; settings the bus wants changed leave as a
 * `settingsPatch` event. Exceptions in any handler are caught, logged and counted; nothing stops the bus.
 *
 *   Engine ──setInput(BusInput)──▶ input ─────────────────────┐ (read by offer, start/stop, charging)
 *   BusIo.onFrame ──▶ link.transition ▶ charging ▶ computeOffer ──▶ slave.heartbeatCommand
 *   wake-up timer (next due: heartbeat slot, gap, burst pacing, receiver quiet) or anything queued
 *       ──▶ TxScheduler.take ──▶ (P2: link.nextTurn ▶ beforeHeartbeat) ──▶ wire guard ──▶ BusIo.writeFrame
 *   1 s housekeeping (in the same wake-up when a write is due near it) ──▶ charging detection, VIN retries, forced kWh poll, alert expiry, partial frames
 *   effects ──▶ tx queue · logs · alerts · events (change, session, settingsPatch, drawing, …)
 *   vehicle effects ──▶ onVehicleRequest listeners (the engine runs them asynchronously, issue 14);
 *   what the engine knows about the cars comes back with setVehicleInput (vehicle module on, API-only cars)
 */
import { EventEmitter } from "node:events";
import { normaliseSettings } from "../config/settings-normalise.ts";
import { LAST_RESPONSE_IGNORED_TYPES } from "../protocol/constants.ts";
import { MASTER_ID, twcIdHex } from "../protocol/frames.ts";
import type { DeframeResult, Frame, TwcId } from "../protocol/frames.ts";
import type { Clock } from "../shared/clock.ts";
import { isTwcError, TwcError } from "../shared/errors.ts";
import { AlertSet } from "./alerts.ts";
import { BusCounters, droppedTotal, NO_WIRE_COUNTERS } from "./bus-counters.ts";
import { createBusHealth, replyRate, stepBusHealth } from "./bus-health.ts";
import type { BusHealthInput, BusHealthState } from "./bus-health.ts";
import type { BusInput } from "./bus-input.ts";
import { closeSession, handleVinReport, numCarsCharging, vinRetry } from "./charging.ts";
import type {
  BusControllerConfig,
  BusControllerEvents,
  BusControllerOptions,
  BusIo,
  ControllerAlert,
  ControllerLogger,
  ControllerStats,
  HeartbeatSent,
  WireCounters,
} from "./controller-types.ts";
import type { Effect } from "./effects.ts";
import { debugFrame, heartbeatFrame, sendableCommand, startStopFrame } from "./frames-out.ts";
import { nextTurn, transition } from "./link.ts";
import type { LinkInput } from "./link.ts";
import { computeOffer } from "./offer.ts";
import { createLinkState, findSlave, replaceSlave } from "./registry.ts";
import type { LinkState } from "./registry.ts";
import type { SlaveState } from "./slave-state.ts";
import { beforeHeartbeat } from "./start-stop.ts";
import { offerContext, startStopContext } from "./turn-context.ts";
import { TxScheduler } from "./tx-scheduler.ts";
import type { WriteKind } from "./tx-scheduler.ts";
import { initialRateState, raiseAnswered, rateStep } from "./vehicle-rate.ts";
import type { VehicleRateState } from "./vehicle-rate.ts";
import { NO_VEHICLES } from "./vehicle-requests.ts";
import type { BusVehicleInput, VehicleRequest } from "./vehicle-requests.ts";
import { WakeTimer } from "./wake-timer.ts";
import { checkOutgoingFrame } from "./wire-guard.ts";

/**
 * Retry delay when a wake-up found something due but could not write it (a throwing step), and the
 * receiver-quiet re-check when the transport cannot say when it becomes quiet.
 */
export const TX_RETRY_MS = 25;
/** Housekeeping tick. */
export const HOUSEKEEPING_MS = 1000;
/**
 * How far the housekeeping may move to share a wake-up with a write (issue 9 §7: one wake-up a second
 * for an idle bus, not two). A wake-up that writes up to this much before it runs it early (the next
 * stays on its second); a write due up to this much after it runs it late, and the next follows a
 * second after that write. With heartbeats once a second (twc-protocol §7.1) it so joins their beat
 * within a second, whatever their phase; without a write near it, it runs on time.
 */
export const HOUSEKEEPING_SLACK_MS = 500;
/** kWh polls happen at most this often (twc-protocol §7.1). */
export const KWH_POLL_MIN_MS = 60_000;
/** A poll is forced when no kWh report arrived for this long. */
export const KWH_FORCED_POLL_MS = 120_000;

/** The 4-hex-digit ID of an alert's charger; undefined for a bus-wide alert. */
function hexOrNone(id: TwcId | undefined): string | undefined {
  return id === undefined ? undefined : twcIdHex(id);
}

/** The input before the engine's first push: nothing to divide, default settings. */
function idleInput(config: BusControllerConfig): BusInput {
  return {
    maxAmpsToDivide: 0,
    limitAmps: 0,
    allowedFlex: 0,
    green: false,
    settings: normaliseSettings({}, config.wiringMaxAmpsAllTWCs).settings,
  };
}

/** The fake-master (or monitor) bus controller. */
export class BusController extends EventEmitter<BusControllerEvents> {
  private readonly clock: Clock;
  private readonly io: BusIo;
  private readonly log: ControllerLogger;
  private readonly config: BusControllerConfig;
  private readonly tx: TxScheduler;
  private readonly alertSet: AlertSet;
  private readonly wake: WakeTimer;
  private input: BusInput;
  private link: LinkState;
  private connected: boolean;
  private running = false;
  /** When the next housekeeping is due (epoch ms); it runs in the wake-up timer's handler. */
  private housekeepingDueAtMs = Number.POSITIVE_INFINITY;
  private lastKwhPollAt = Number.NEGATIVE_INFINITY;
  /** Epoch seconds of the last STOP_NOT_POSSIBLE warning (start-stop.ts throttles it to one per 10 min). */
  private stopWarnedAtS: number | null = null;
  private captureArmed = false;
  private captured: Uint8Array | null = null;
  private dirty = false;
  private depth = 0;
  private readonly counters = new BusCounters();
  /** Reply-rate and silent-bus watch (bus-health.ts). */
  private health: BusHealthState;
  /** What the engine last said about the cars (issue 14); NO_VEHICLES: exactly the behaviour without a module. */
  private vehicles: BusVehicleInput = NO_VEHICLES;
  /** vehicles.md §3.1 stop timeout (epoch seconds), null while disarmed. */
  private stopTimeoutAtS: number | null = null;
  /** Per-slave car-rate bookkeeping (§11), created on first use. */
  private readonly rates = new Map<TwcId, VehicleRateState>();
  private readonly vehicleListeners = new Set<(request: VehicleRequest) => void>();
  private readonly startedAtS: number;

  constructor(options: BusControllerOptions) {
    super();
    this.clock = options.clock;
    this.io = options.io;
    this.log = options.logger.child({ module: "bus" });
    this.config = options.config;
    this.input = options.input ?? idleInput(options.config);
    this.alertSet = new AlertSet(options.iso);
    this.tx = new TxScheduler({ mode: options.config.mode });
    this.wake = new WakeTimer(this.clock, () => this.onWake());
    this.link = createLinkState(
      {
        mode: options.config.mode,
        slaveTimeoutS: options.config.slaveTimeoutS,
        defaults: {
          wiringMaxAmpsPerTWC: options.config.wiringMaxAmpsPerTWC,
          useFlexAmpsToStartCharge: options.config.useFlexAmpsToStartCharge,
          startStopDelayS: options.config.startStopDelayS,
        },
      },
      this.clock.now(),
    );
    this.health = createBusHealth(this.clock.now());
    this.startedAtS = this.clock.now() / 1000;
    // Until the transport reports open, nothing is written (the burst waits for the first open).
    this.connected = options.io.connected ?? true;
    this.io.onFrame((r) => this.guard("frame", () => this.onResult(r)));
    this.io.onOpen(() => this.guard("open", () => this.onOpen()));
    this.io.onClose(() => this.guard("close", () => this.onClose()));
  }

  /**
   * The engine's push after each policy evaluation and settings change: the budget, flex, green flag
   * and settings the next offers and heartbeats use. Nothing is written because of it.
   */
  setInput(input: BusInput): void {
    this.input = input;
  }

  /**
   * The engine's push of what it knows about the cars: whether a vehicle module runs and the API-only
   * cars' part of the sharing (vehicles.md §3.9). Nothing is written because of it.
   */
  setVehicleInput(vehicles: BusVehicleInput): void {
    this.vehicles = vehicles;
  }

  /** Subscribes to the bus's requests to the cars (run them asynchronously; never throw); returns an unsubscribe function. */
  onVehicleRequest(cb: (request: VehicleRequest) => void): () => void {
    this.vehicleListeners.add(cb);
    return () => {
      this.vehicleListeners.delete(cb);
    };
  }

  /** The answer to a "raise" setChargeRate request for this slave: only `ok` marks the car's limit raised. */
  vehicleRateAnswered(id: TwcId, ok: boolean): void {
    const r = this.rates.get(id);
    if (r) this.rates.set(id, raiseAnswered(r, ok));
  }

  /** The stop timeout of vehicles.md §3.1 (epoch seconds), null while disarmed. */
  get vehicleStopTimeoutAtS(): number | null {
    return this.stopTimeoutAtS;
  }

  /** Linked slaves in round-robin order. */
  slaves(): readonly SlaveState[] {
    return this.link.slaves;
  }

  /** Global spike amps (21 / 16, last linkready wins). */
  get spikeAmps(): number {
    return this.link.spikeAmps;
  }

  /** Master IDs seen on the bus (monitor mode). */
  mastersSeen(): readonly TwcId[] {
    return this.link.mastersSeen;
  }

  /** Raised alerts. */
  alerts(): readonly ControllerAlert[] {
    return this.alertSet.list();
  }

  /** Bus counters: the transport's wire counters and the controller's own. */
  stats(): ControllerStats {
    return this.counters.snapshot(this.wireCounters(), this.tx.dropped, {
      implausibleReadings: { ...this.link.implausible },
      replyRate: replyRate(this.health),
      repliesLowEvents: this.health.repliesLowEvents,
      silenceResets: this.health.silenceResets,
    });
  }

  /** The "last TWC response" capture (twc-protocol §5.5): unescaped bytes incl. checksum, or null. */
  lastTwcResponse(): Uint8Array | null {
    return this.captured ? this.captured.slice() : null;
  }

  /** Starts the bus: linkready burst (master mode), the wake-up timer and the 1 s housekeeping. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const now = this.clock.now();
    if (this.config.mode === "master") this.tx.startBurst(now);
    this.housekeepingDueAtMs = now + HOUSEKEEPING_MS;
    this.guard("tx", () => undefined);
  }

  /** Stops the timers and closes open sessions with reason "shutdown". */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.housekeepingDueAtMs = Number.POSITIVE_INFINITY;
    this.wake.clear();
    this.guard("shutdown", () => {
      const now = this.clock.now();
      for (const slave of this.link.slaves) {
        const r = closeSession(slave, "shutdown", now, this.input.settings);
        this.setSlave(r.state);
        this.run(r.effects);
      }
    });
  }

  /** Queues FC B1 to every linked slave; throws CONTROLLER_MONITOR_MODE / CONTROLLER_TX_QUEUE_FULL. Returns the number queued. */
  sendStartToAll(): number {
    return this.startStopAll("start");
  }

  /** Queues FC B2 to every linked slave; throws like sendStartToAll. */
  sendStopToAll(): number {
    return this.startStopAll("stop");
  }

  /**
   * Queues a raw debug payload (no checksum; twc-protocol §5.4) and arms the response capture.
   * Throws CONTROLLER_MONITOR_MODE, HTTP_FORBIDDEN for dangerous payloads (S-7), PROTOCOL_ENCODE_INVALID
   * for payloads of fewer than 2 bytes, CONTROLLER_TX_QUEUE_FULL when P3 is full.
   */
  sendDebugPayload(payload: Uint8Array): void {
    this.requireMaster();
    const frame = debugFrame(payload);
    this.enqueueOrThrow(3, "debug", frame);
    this.captureArmed = true;
    this.captured = null;
  }

  /** Cancels a stop command still waiting in the queue; true when one was removed. */
  cancelPendingStop(id: TwcId): boolean {
    return this.tx.cancel(`stop:${twcIdHex(id)}`);
  }

  private requireMaster(): void {
    if (this.config.mode === "monitor") {
      throw new TwcError({
        code: "CONTROLLER_MONITOR_MODE",
        message: "monitor mode (fakeMaster 2) never transmits",
      });
    }
  }

  private enqueueOrThrow(priority: 3, key: string, frame: Frame): void {
    const result = this.tx.enqueue(priority, key, { kind: "frame", frame }, this.clock.now());
    if (result === "refused") {
      throw new TwcError({
        code: "CONTROLLER_TX_QUEUE_FULL",
        message: "the transmit queue is full; try again later",
      });
    }
    this.guard("tx", () => undefined);
  }

  /** Queues FC B1 or B2 to the linked slave `id`; false when it is not linked; throws like sendStartToAll. */
  sendStartStopTo(op: "start" | "stop", id: TwcId): boolean {
    this.requireMaster();
    if (!this.link.slaves.some((s) => s.id === id)) return false;
    this.enqueueOrThrow(3, `${op}:${twcIdHex(id)}`, startStopFrame(op, id));
    return true;
  }

  private startStopAll(op: "start" | "stop"): number {
    this.requireMaster();
    let n = 0;
    for (const slave of this.link.slaves) {
      this.enqueueOrThrow(3, `${op}:${twcIdHex(slave.id)}`, startStopFrame(op, slave.id));
      n++;
    }
    return n;
  }

  /**
   * Runs a handler: errors are caught, logged and counted. The outermost call then writes what is due
   * (anything the handler queued goes out at once), runs `afterWrite` (told whether a frame went out),
   * sets the wake-up timer for the next thing due and emits "change" when something changed.
   */
  private guard(what: string, fn: () => void, afterWrite?: (wrote: boolean) => void): void {
    const outer = this.depth === 0;
    const before = this.link.slaves;
    if (outer) this.dirty = false;
    this.depth++;
    this.attempt(what, fn);
    if (outer) {
      const wrote = this.attempt("tx", () => this.pump());
      afterWrite?.(wrote);
      this.attempt("tx", () => this.schedule(wrote));
    }
    this.depth--;
    if (outer && (this.dirty || this.link.slaves !== before)) {
      this.dirty = false;
      this.safeEmit("change");
    }
  }

  /** Runs `fn`, catching, logging and counting an exception; returns what `fn` returned, false when it threw. */
  private attempt(what: string, fn: () => boolean | void): boolean {
    try {
      return fn() === true;
    } catch (err) {
      this.counters.handlerErrors++;
      this.log.error(
        { code: "CONTROLLER_HANDLER_ERROR", handler: what, err },
        `error in the ${what} handler`,
      );
      return false;
    }
  }

  private safeEmit<K extends keyof BusControllerEvents>(event: K, ...args: BusControllerEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: BusControllerEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.counters.handlerErrors++;
      this.log.error({ code: "CONTROLLER_LISTENER_ERROR", event, err }, `error in a ${event} listener`);
    }
  }

  private wireCounters(): WireCounters {
    return this.io.counters?.() ?? NO_WIRE_COUNTERS;
  }

  /**
   * The wake-up timer: whatever write is due, then the housekeeping and its "tick" to the engine when
   * it is due, or due within HOUSEKEEPING_SLACK_MS and this wake-up wrote (see there). One guard, so
   * the timer is set once, for what is due after both.
   */
  private onWake(): void {
    let housekeeping = false;
    this.guard("tx", () => undefined, (wrote) => {
      housekeeping = this.housekeepingTurn(wrote);
      if (housekeeping) this.attempt("housekeeping", () => this.housekeeping());
    });
    if (housekeeping) this.safeEmit("tick");
  }

  /** Whether the housekeeping runs in this wake-up (`wrote`: it wrote a frame); if so, sets when the next is due. */
  private housekeepingTurn(wrote: boolean): boolean {
    const now = this.clock.now();
    const due = this.housekeepingDueAtMs;
    if (!this.running || now < due - (wrote ? HOUSEKEEPING_SLACK_MS : 0)) return false;
    // Early, or late without a write to join (a blocked write, a busy event loop): the next stays on
    // its second. Late with a write, or later than the slack: the next is a second after this one.
    const stay = now < due || (!wrote && now - due <= HOUSEKEEPING_SLACK_MS);
    this.housekeepingDueAtMs = (stay ? due : now) + HOUSEKEEPING_MS;
    return true;
  }

  /** One deframer result; drops are counted and logged by the transport (the frame stream). */
  private onResult(r: DeframeResult): void {
    if (!r.ok) return;
    this.feedHealth({ type: "frame" });
    if (this.captureArmed && r.raw.length >= 2) {
      const type = ((r.raw[0] ?? 0) << 8) | (r.raw[1] ?? 0);
      if (!(LAST_RESPONSE_IGNORED_TYPES as readonly number[]).includes(type)) this.captured = r.raw.slice();
    }
    this.onFrame(r.frame);
  }

  private onFrame(frame: Frame): void {
    const now = this.clock.now();
    if (frame.kind === "vinReport") {
      const slave = findSlave(this.link, frame.sender);
      if (!slave) return;
      const r = handleVinReport(slave, frame.part, frame.data, now, this.input.settings);
      this.setSlave(r.state);
      this.run(r.effects);
      return;
    }
    this.applyLink({ type: "frame", frame }, now);
    if (frame.kind !== "slaveHeartbeat") return;
    if (this.config.mode === "master" && frame.receiver !== MASTER_ID) return;
    if (!findSlave(this.link, frame.sender)) return;
    this.feedHealth({ type: "reply" });
    // controller.md §5 steps 8–9: charging detection, then the offer for this slave's next heartbeat.
    const charging = numCarsCharging(this.link.slaves, now, this.input.settings);
    this.link = { ...this.link, slaves: charging.slaves };
    this.run(charging.effects);
    if (charging.count === 0) this.stopTimeoutAtS = null;
    if (this.config.mode !== "master") return;
    const slave = findSlave(this.link, frame.sender);
    if (!slave) return;
    const r = computeOffer(slave, offerContext(slave, this.link.slaves, this.link.spikeAmps, this.input, this.config, now, this.vehicles));
    this.setSlave(r.state);
    this.run(r.effects);
    if (this.vehicles.enabled) this.rateStep(r.state, r.rate, now);
  }

  /** vehicles.md §3.2: the car-side rate of this slave under §11's repeat rule. */
  private rateStep(slave: SlaveState, rate: Parameters<typeof rateStep>[1], now: number): void {
    const prev = this.rates.get(slave.id) ?? initialRateState(this.startedAtS);
    const vin = slave.currentVIN !== "" ? slave.currentVIN : slave.lastVIN !== "" ? slave.lastVIN : null;
    const r = rateStep(prev, rate, slave.id, vin, now / 1000);
    this.rates.set(slave.id, r.state);
    this.run(r.effects);
  }

  private onOpen(): void {
    this.alertSet.clear("BUS_DISCONNECTED");
    if (!this.connected) {
      this.connected = true;
      this.dirty = true;
      this.applyLink({ type: "transportOpened" }, this.clock.now());
    }
  }

  private onClose(): void {
    if (!this.connected) return;
    this.connected = false;
    this.dirty =
      this.alertSet.raise("BUS_DISCONNECTED", "The RS-485 bus connection is closed.", this.clock.now()) ||
      this.dirty;
  }

  private housekeeping(): void {
    const now = this.clock.now();
    this.io.expirePartial?.(now);
    this.watchBus();
    this.applyLink({ type: "housekeeping" }, now);
    const charging = numCarsCharging(this.link.slaves, now, this.input.settings);
    this.link = { ...this.link, slaves: charging.slaves };
    this.run(charging.effects);
    if (charging.count === 0) this.stopTimeoutAtS = null; // vehicles.md §3.1: disarmed while no slave charges
    for (const slave of this.link.slaves) {
      const r = vinRetry(slave, now);
      this.setSlave(r.state);
      this.run(r.effects);
    }
    if (this.config.mode === "master" && now - this.link.lastKwhReportAtMs >= KWH_FORCED_POLL_MS)
      this.pollKwh(now);
  }

  private applyLink(input: LinkInput, now: number): void {
    const r = transition(this.link, input, now);
    this.link = r.state;
    this.run(r.effects);
  }

  private setSlave(slave: SlaveState): void {
    this.link = replaceSlave(this.link, slave);
  }

  private run(effects: readonly Effect[]): void {
    for (const e of effects) this.runOne(e);
  }

  private runOne(e: Effect): void {
    const now = this.clock.now();
    switch (e.type) {
      case "queue": {
        const result = this.tx.enqueue(e.priority === 0 ? 1 : e.priority, e.dedupKey, e.item, now);
        if (result === "refused" || result === "dropped") {
          this.log.warn(
            { code: "TX_QUEUE_FULL", key: e.dedupKey },
            `transmit queue full: ${e.dedupKey} not queued`,
          );
        }
        return;
      }
      case "cancelStop":
        this.cancelPendingStop(e.twcId);
        if (this.vehicles.enabled) this.emitVehicle({ op: "cancelStop", twcId: e.twcId });
        return;
      case "vehicle":
        this.emitVehicle(e.request);
        return;
      case "burst":
        this.tx.startBurst(now);
        return;
      case "log":
        this.log[e.level]({ code: e.code, ...e.data }, e.message);
        return;
      case "alert":
        if (e.op === "raise")
          this.dirty = this.alertSet.raise(e.code, e.message, now, hexOrNone(e.twcId)) || this.dirty;
        else this.dirty = this.alertSet.clear(e.code, hexOrNone(e.twcId)) || this.dirty;
        return;
      case "session":
        this.safeEmit("session", e.event);
        return;
      case "settings":
        // The engine applies it to the settings store and pushes the new snapshot back (setInput).
        this.safeEmit("settingsPatch", e.patch);
        return;
      case "slaveRemoved": {
        const at = e.slave.lastHeartbeatAtMs ?? e.slave.lastRxAtMs;
        this.run(closeSession(e.slave, "linkLost", at, this.input.settings).effects);
        this.rates.delete(e.slave.id);
        this.safeEmit("slaveRemoved", e.slave.id);
        return;
      }
      case "drawing":
        this.safeEmit("drawing", { twcId: e.twcId, drawing: e.drawing });
        return;
      case "kwhPoll":
        this.pollKwh(now);
        return;
      case "count":
        if (e.counter === "echo") this.counters.echoFrames++;
        else if (e.counter === "unknown") this.counters.unknownFrames++;
        return;
    }
  }

  /** Hands a request to the vehicle listeners; a throwing listener is logged and counted, never stops the bus. */
  private emitVehicle(request: VehicleRequest): void {
    for (const cb of this.vehicleListeners) {
      try {
        cb(request);
      } catch (err) {
        this.counters.handlerErrors++;
        this.log.error({ code: "CONTROLLER_LISTENER_ERROR", event: "vehicle", err }, "error in a vehicle request listener");
      }
    }
  }

  /** Feeds the bus-health watch; a requested transport reset is carried out (items 7 and 9). */
  private feedHealth(input: BusHealthInput): void {
    const r = stepBusHealth(this.health, input, this.clock.now());
    this.health = r.state;
    this.run(r.effects);
    if (r.reset !== null) this.io.resetTransport?.(r.reset);
  }

  /** Housekeeping input of the bus-health watch: expected replies, receiver and transport counters. */
  private watchBus(): void {
    const t = this.io.transportHealth?.();
    const wire = this.wireCounters();
    this.feedHealth({
      type: "tick",
      expecting:
        this.config.mode === "master" &&
        this.running &&
        this.connected &&
        this.link.slaves.length > 0 &&
        !this.tx.burstInProgress,
      noiseBytes: wire.noiseBytes,
      droppedFrames: droppedTotal(wire),
      transport: t ? { writeStalls: t.writeStalls, buffered: t.buffered } : null,
    });
  }

  /** twc-protocol §7.1: one kwhRequest to every known slave, at most once per 60 s (fake-master mode only). */
  private pollKwh(now: number): void {
    if (this.config.mode !== "master" || this.link.slaves.length === 0) return;
    if (now - this.lastKwhPollAt < KWH_POLL_MIN_MS) return;
    this.lastKwhPollAt = now;
    for (const slave of this.link.slaves) {
      const frame: Frame = { kind: "kwhRequest", sender: MASTER_ID, receiver: slave.id, length: 15 };
      this.tx.enqueue(4, `kwh:${twcIdHex(slave.id)}`, { kind: "frame", frame }, now);
    }
  }

  /**
   * Sets the one wake-up timer: at the next write due, when it is due before the housekeeping or near
   * enough to run it in the same wake-up (HOUSEKEEPING_SLACK_MS), else at the housekeeping.
   */
  private schedule(wrote: boolean): void {
    if (!this.running) return this.wake.clear();
    const tx = this.connected ? this.writeDueAt(wrote) : null;
    const housekeeping = this.housekeepingDueAtMs;
    this.wake.set(tx !== null && tx <= housekeeping + HOUSEKEEPING_SLACK_MS ? tx : housekeeping);
  }

  /**
   * When the scheduler has something due (next heartbeat slot, the 100 ms gap, burst pacing) and, if a
   * partial frame is arriving, not before the receiver is quiet again (twc-protocol §7.1); null when
   * nothing is. `wrote` tells whether the pump just wrote; when it could not write something already
   * due (a throwing step), it retries after TX_RETRY_MS instead of spinning.
   */
  private writeDueAt(wrote: boolean): number | null {
    const now = this.clock.now();
    let due = this.tx.nextDueAt(now, this.link.slaves.length > 0);
    if (due === null) return null;
    if (!this.io.isReceiverQuiet(due)) due = Math.max(due, this.io.receiverQuietAtMs?.(due) ?? due + TX_RETRY_MS);
    if (due <= now && !wrote) due = now + TX_RETRY_MS;
    return due;
  }

  /** One scheduler step: writes at most one frame; true when it wrote one. */
  private pump(): boolean {
    if (!this.running || !this.connected) return false;
    const now = this.clock.now();
    // A decision can resolve to nothing (heartbeat for a slave that left): then try the next one.
    for (let i = 0; i < 8; i++) {
      const d = this.tx.take(now, {
        receiverQuiet: this.io.isReceiverQuiet(now),
        slavesKnown: this.link.slaves.length > 0,
      });
      if (!d) return false;
      if (d.type === "heartbeat") {
        const r = nextTurn(this.link, now);
        this.link = r.state;
        this.run(r.effects);
        if (r.slave) return this.sendHeartbeat(r.slave.id, now); // false: turn consumed without a write
        continue;
      }
      const item = d.entry.item;
      if (item.kind === "frame") {
        this.write(item.frame, d.entry.priority === 0 ? "burst" : "other", now);
        return true;
      }
      if (this.sendHeartbeat(item.twcId, now)) return true;
    }
    return false;
  }

  /** Runs start/stop (controller.md §12) and writes the heartbeat; false when nothing was written. */
  private sendHeartbeat(id: TwcId, now: number): boolean {
    const current = findSlave(this.link, id);
    if (!current) return false;
    const r = beforeHeartbeat(
      current,
      startStopContext(this.input, this.config, this.stopWarnedAtS, now, this.vehicles, this.stopTimeoutAtS),
    );
    this.stopWarnedAtS = r.stopWarnedAtS;
    this.stopTimeoutAtS = r.stopTimeoutAtS;
    this.setSlave(r.state);
    this.run(r.effects);
    if (!r.send) {
      this.tx.skipHeartbeat(now);
      this.feedHealth({ type: "heartbeatSkipped" });
      return false;
    }
    const command = sendableCommand(r.state.heartbeatCommand);
    if (command === null) {
      this.log.error(
        { code: "HEARTBEAT_BLOCK_REFUSED", twcId: twcIdHex(id) },
        "refusing to send command 02; sending no change",
      );
    }
    this.write(heartbeatFrame(id, command ?? { code: 0x00 }), "heartbeat", now);
    const sent: HeartbeatSent = { twcId: id, atMs: now };
    this.counters.heartbeatSent(sent);
    this.feedHealth({ type: "heartbeatWritten" });
    this.safeEmit("heartbeatSent", sent);
    return true;
  }

  private write(frame: Frame, kind: WriteKind, now: number): void {
    // S-1, whatever queued the frame: an unsafe heartbeat never reaches the wire.
    const verdict = checkOutgoingFrame(frame, this.link.slaves);
    if (!verdict.ok) {
      this.counters.unsafeFramesRefused++;
      this.log.error({ code: "FRAME_REFUSED_UNSAFE", rule: verdict.rule }, `frame not sent: ${verdict.message}`);
      this.dirty = this.alertSet.raise("FRAME_REFUSED_UNSAFE", `A frame was not sent: ${verdict.message}.`, now) || this.dirty;
      return;
    }
    this.tx.recordWrite(now, kind);
    // A transport error is counted and logged by the transport; anything else is a bug, counted here.
    const fail = (err: unknown): void => {
      if (isTwcError(err) && err.code.startsWith("TRANSPORT_")) return;
      this.counters.handlerErrors++;
      this.log.error({ code: "FRAME_WRITE_FAILED", kind: frame.kind, err }, "a frame could not be written");
    };
    try {
      this.io.writeFrame(frame).catch(fail);
    } catch (err) {
      fail(err);
    }
  }
}
