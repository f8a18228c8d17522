/**
 * The bus controller runtime (design.md §6, controller.md §1): feeds frames, timer ticks and commands
 * into the pure state machines (link.ts, charging.ts, tx-scheduler.ts), executes their effects and
 * owns every timer through the injected Clock. Exceptions in any handler are caught, logged and
 * counted; nothing stops the bus.
 *
 *   BusIo.onFrame ──▶ link.transition / charging ──▶ offer hook ──▶ slave.masterHeartbeatData
 *   25 ms tick ──▶ TxScheduler.take ──▶ (P2: link.nextTurn ▶ beforeSend hook) ──▶ BusIo.writeFrame
 *   1 s tick ──▶ charging detection, VIN retries, forced kWh poll, alert expiry, partial-frame expiry
 */
import { EventEmitter } from "node:events";
import { toHex } from "../protocol/codec.ts";
import { LAST_RESPONSE_IGNORED_TYPES } from "../protocol/constants.ts";
import { MASTER_ID, twcIdHex } from "../protocol/frames.ts";
import type { DeframeResult, Frame, TwcId } from "../protocol/frames.ts";
import { every } from "../shared/clock.ts";
import type { Clock } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";
import { AlertSet } from "./alerts.ts";
import { BusCounters } from "./bus-counters.ts";
import { createBusHealth, replyRate, stepBusHealth } from "./bus-health.ts";
import type { BusHealthInput, BusHealthState } from "./bus-health.ts";
import { closeSession, handleVinReport, numCarsCharging, vinRetry } from "./charging.ts";
import type { SettingsView } from "./charging.ts";
import { alwaysSend, zeroOffer } from "./controller-types.ts";
import type {
  BeforeSendHook,
  BusControllerConfig,
  BusControllerEvents,
  BusControllerOptions,
  BusIo,
  ControllerAlert,
  ControllerLogger,
  ControllerStats,
  HeartbeatSent,
  OfferHook,
} from "./controller-types.ts";
import { blockToCommand, debugFrame, startStopFrame } from "./frames-out.ts";
import type { Effect } from "./effects.ts";
import { nextTurn, transition } from "./link.ts";
import type { LinkInput } from "./link.ts";
import { createLinkState, findSlave, replaceSlave } from "./registry.ts";
import type { LinkState } from "./registry.ts";
import type { SlaveState } from "./slave-state.ts";
import { TxScheduler } from "./tx-scheduler.ts";
import { checkOutgoingFrame } from "./wire-guard.ts";
import type { WriteKind } from "./tx-scheduler.ts";

/** Transmit scheduler tick (controller.md §1). */
export const TX_TICK_MS = 25;
/** Housekeeping tick. */
export const HOUSEKEEPING_MS = 1000;
/** kWh polls happen at most this often (twc-protocol §7.1). */
export const KWH_POLL_MIN_MS = 60_000;
/** A poll is forced when no kWh report arrived for this long. */
export const KWH_FORCED_POLL_MS = 120_000;

/** The 4-hex-digit ID of an alert's charger; undefined for a bus-wide alert. */
function hexOrNone(id: TwcId | undefined): string | undefined {
  return id === undefined ? undefined : twcIdHex(id);
}

/** The fake-master (or monitor) bus controller. */
export class BusController extends EventEmitter<BusControllerEvents> {
  private readonly clock: Clock;
  private readonly io: BusIo;
  private readonly log: ControllerLogger;
  private readonly config: BusControllerConfig;
  private readonly getSettings: () => SettingsView;
  private readonly onSettingsPatch: (patch: Readonly<Record<string, unknown>>) => void;
  private readonly offer: OfferHook;
  private readonly beforeSend: BeforeSendHook;
  private readonly tx: TxScheduler;
  private readonly alertSet: AlertSet;
  private link: LinkState;
  private connected: boolean;
  private running = false;
  private stopTimers: (() => void)[] = [];
  private lastKwhPollAt = Number.NEGATIVE_INFINITY;
  private captureArmed = false;
  private captured: Uint8Array | null = null;
  private dirty = false;
  private depth = 0;
  private readonly counters = new BusCounters();
  /** Reply-rate and silent-bus watch (bus-health.ts). */
  private health: BusHealthState;

  constructor(options: BusControllerOptions) {
    super();
    this.clock = options.clock;
    this.io = options.io;
    this.log = options.logger.child({ module: "bus" });
    this.config = options.config;
    this.getSettings = options.getSettings;
    this.onSettingsPatch = options.onSettingsPatch;
    this.offer = options.offer ?? zeroOffer;
    this.beforeSend = options.beforeSend ?? alwaysSend;
    this.alertSet = new AlertSet(options.iso);
    this.tx = new TxScheduler({ mode: options.config.mode });
    this.link = createLinkState(
      {
        mode: options.config.mode,
        slaveTimeoutS: options.config.slaveTimeoutS,
        defaults: {
          wiringMaxAmpsPerTWC: options.config.wiringMaxAmpsPerTWC,
          useFlexAmpsToStartCharge: options.config.useFlexAmpsToStartCharge,
          startStopDelay: options.config.startStopDelay,
        },
      },
      this.clock.now(),
    );
    this.health = createBusHealth(this.clock.now());
    // Until the transport reports open, nothing is written (the burst waits for the first open).
    this.connected = options.io.connected ?? true;
    this.io.onFrame((r) => this.guard("frame", () => this.onResult(r)));
    this.io.onOpen(() => this.guard("open", () => this.onOpen()));
    this.io.onClose(() => this.guard("close", () => this.onClose()));
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

  /** Bus counters. */
  stats(): ControllerStats {
    return this.counters.snapshot(this.io.noiseBytes?.() ?? 0, this.tx.dropped, {
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

  /** Starts the bus: linkready burst (master mode), 25 ms scheduler tick and 1 s housekeeping. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.config.mode === "master") this.tx.startBurst(this.clock.now());
    this.stopTimers = [
      every(this.clock, TX_TICK_MS, () => this.guard("tx", () => this.pump())),
      every(this.clock, HOUSEKEEPING_MS, () => this.guard("housekeeping", () => this.housekeeping())),
    ];
    this.guard("tx", () => this.pump());
  }

  /** Stops the timers and closes open sessions with reason "shutdown". */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    for (const stopTimer of this.stopTimers) stopTimer();
    this.stopTimers = [];
    this.guard("shutdown", () => {
      const now = this.clock.now();
      for (const slave of this.link.slaves) {
        const r = closeSession(slave, "shutdown", now, this.getSettings());
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
    this.guard("tx", () => this.pump());
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

  /** Runs a handler: errors are caught, logged and counted; the outermost call emits "change" when something changed. */
  private guard(what: string, fn: () => void): void {
    const outer = this.depth === 0;
    const before = this.link.slaves;
    if (outer) this.dirty = false;
    this.depth++;
    try {
      fn();
    } catch (err) {
      this.counters.handlerErrors++;
      this.log.error(
        { code: "CONTROLLER_HANDLER_ERROR", handler: what, err },
        `error in the ${what} handler`,
      );
    } finally {
      this.depth--;
    }
    if (outer && (this.dirty || this.link.slaves !== before)) {
      this.dirty = false;
      this.safeEmit("change");
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

  private onResult(r: DeframeResult): void {
    if (!r.ok) {
      this.counters.frameDropped(r.reason);
      this.log.debug({ code: "FRAME_DROPPED", reason: r.reason, raw: toHex(r.raw) }, "frame dropped");
      return;
    }
    const kind = r.frame.kind;
    this.counters.frameReceived(kind);
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
      const r = handleVinReport(slave, frame.part, frame.data, now, this.getSettings());
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
    const charging = numCarsCharging(this.link.slaves, now, this.getSettings());
    this.link = { ...this.link, slaves: charging.slaves };
    this.run(charging.effects);
    if (this.config.mode !== "master") return;
    const slave = findSlave(this.link, frame.sender);
    if (slave) this.setSlave(this.offer(slave, this.link.slaves, now));
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
    const settings = this.getSettings();
    const charging = numCarsCharging(this.link.slaves, now, settings);
    this.link = { ...this.link, slaves: charging.slaves };
    this.run(charging.effects);
    for (const slave of this.link.slaves) {
      const r = vinRetry(slave, now);
      this.setSlave(r.state);
      this.run(r.effects);
    }
    if (this.config.mode === "master" && now - this.link.lastKwhReportAt >= KWH_FORCED_POLL_MS)
      this.pollKwh(now);
    this.pump();
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
        this.onSettingsPatch(e.patch);
        return;
      case "slaveRemoved": {
        const at = e.slave.lastHeartbeatAt ?? e.slave.timeLastRx;
        this.run(closeSession(e.slave, "linkLost", at, this.getSettings()).effects);
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
    this.feedHealth({
      type: "tick",
      expecting:
        this.config.mode === "master" &&
        this.running &&
        this.connected &&
        this.link.slaves.length > 0 &&
        !this.tx.burstInProgress,
      noiseBytes: this.io.noiseBytes?.() ?? 0,
      droppedFrames: this.counters.droppedTotal(),
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

  /** One scheduler step: writes at most one frame. */
  private pump(): void {
    if (!this.running || !this.connected) return;
    const now = this.clock.now();
    // A decision can resolve to nothing (heartbeat for a slave that left): then try the next one.
    for (let i = 0; i < 8; i++) {
      const d = this.tx.take(now, {
        receiverQuiet: this.io.isReceiverQuiet(now),
        slavesKnown: this.link.slaves.length > 0,
      });
      if (!d) return;
      if (d.type === "heartbeat") {
        const r = nextTurn(this.link, now);
        this.link = r.state;
        this.run(r.effects);
        if (r.slave && this.sendHeartbeat(r.slave.id, now)) return;
        if (r.slave) return; // turn consumed without a write (stop-responding mode)
        continue;
      }
      const item = d.entry.item;
      if (item.kind === "frame") {
        this.write(item.frame, d.entry.priority === 0 ? "burst" : "other", now);
        return;
      }
      if (this.sendHeartbeat(item.twcId, now)) return;
    }
  }

  /** Runs the before-send hook and writes the heartbeat; false when nothing was written. */
  private sendHeartbeat(id: TwcId, now: number): boolean {
    const current = findSlave(this.link, id);
    if (!current) return false;
    const decision = this.beforeSend(current, now);
    this.setSlave(decision.slave);
    for (const op of decision.commands) {
      this.runOne({
        type: "queue",
        priority: 3,
        dedupKey: `${op}:${twcIdHex(id)}`,
        item: { kind: "frame", frame: startStopFrame(op, id) },
      });
    }
    if (!decision.send) {
      this.tx.skipHeartbeat(now);
      this.feedHealth({ type: "heartbeatSkipped" });
      return false;
    }
    const command = blockToCommand(decision.slave.masterHeartbeatData);
    if (command === null) {
      this.log.error(
        { code: "HEARTBEAT_BLOCK_REFUSED", twcId: twcIdHex(id) },
        "refusing to send command 02; sending no change",
      );
    }
    this.write(
      { kind: "masterHeartbeat", sender: MASTER_ID, receiver: id, command: command ?? { code: 0x00 } },
      "heartbeat",
      now,
    );
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
    this.counters.frameSent(frame.kind);
    const fail = (err: unknown): void => {
      this.counters.writeErrors++;
      this.log.warn({ code: "TRANSPORT_WRITE_FAILED", kind: frame.kind, err }, "bus write failed");
    };
    try {
      this.io.writeFrame(frame).catch(fail);
    } catch (err) {
      fail(err);
    }
  }
}
