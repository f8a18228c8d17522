/**
 * The simulated RS-485 bus (twc-protocol.md §13.1, design.md §8).
 *
 * ```
 *  controller ──encode──▶ BusPort(sim) ──bytes──▶ SimBus.write ──Deframer──▶ frames
 *       ▲                                                                  │ broadcast
 *       │                                                                  ▼
 *       │                                             SlaveModel × N (onFrame / tick, pure)
 *       │                                                                  │ replies
 *       │                                                                  ▼
 *       │                                 fault knobs (silent, drop, corrupt, noise, duplicate;
 *       │                                 seeded RNG) → encode → + FE → one FIFO, each entry
 *       │                                 ready replyDelayMs after the frame it answers
 *       └──── onData listeners ◀── delivery timer (contiguous entries, or byte by byte) ◀┘
 * ```
 *
 * Everything runs on the injected Clock: a tick on a 100 ms grid drives the slaves' timers (10 s
 * linkready, 30 s link loss, car ramps) and the joins; it wakes only on the grid points where something
 * is due (issue 9 §7: a linked slave with a steady car needs no tick between heartbeats); a single
 * delivery timer empties the FIFO. Nothing is ever delivered synchronously from `write`.
 */
import type { Clock, TimerHandle } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";
import type { DropReason, Frame, TwcId } from "../protocol/frames.ts";
import { Deframer, SIM_SLAVE_LENGTHS } from "../protocol/deframer.ts";
import { ReplyFifo } from "./reply-fifo.ts";
import { corruptChecksum, encodeReply, mulberry32, noise } from "./bus-bytes.ts";
import {
  advance,
  initSlave,
  nextTickDue,
  onFrame,
  setSlaveCar,
  snapshotSlave,
  tick,
  type SlaveModelState,
  type SlaveSnapshot,
} from "./slave-model.ts";
import {
  parseTwcIdString,
  resolveSlaveDef,
  validateCarDef,
  validateFaultDef,
  type SimCarDef,
  type SimFaultDef,
  type SimSlaveDef,
  type SimSlaveDefInput,
} from "./types.ts";

/** Options of a SimBus. */
export interface SimBusOptions {
  clock: Clock;
  /** Slaves on the bus from the start (each joins after its joinAfterS). */
  slaves?: readonly SimSlaveDefInput[];
  /** Seed of the fault knobs' random numbers; random when absent. */
  seed?: number;
  /** Period of the slave timers (ms), default 100. */
  tickMs?: number;
  /** Model 10 bit-times per delivered byte (twc-protocol.md §13.1). */
  realisticTiming?: boolean;
  /** Baud rate for realisticTiming, default 9600. */
  baud?: number;
}

/** Counters of the simulated bus. */
export interface SimBusStats {
  /** Valid frames received from the controller. */
  framesReceived: number;
  /** Frames from the controller the simulator's deframer dropped, by reason. */
  framesDropped: Record<DropReason, number>;
  /** Frames put on the wire by the slaves (duplicates count twice). */
  repliesSent: number;
  /** Replies not sent because of dropRate or silentAfterS. */
  repliesDropped: number;
  /** Exceptions thrown by onData listeners (caught so the bus keeps running). */
  listenerErrors: number;
}

/** Most recent controller frames kept in `receivedFrames`. */
export const RECEIVED_FRAMES_CAP = 10_000;

interface SlaveEntry {
  def: SimSlaveDef;
  id: TwcId;
  joinAt: number;
  model: SlaveModelState | null;
  faults: SimFaultDef;
}

interface Waiter {
  pred: (f: Frame) => boolean;
  resolve: (f: Frame) => void;
  reject: (e: Error) => void;
  timer: TimerHandle;
}

/** The simulated bus: N slave models behind one reply FIFO. */
export class SimBus {
  private readonly clock: Clock;
  private readonly rng: () => number;
  private readonly deframer = new Deframer({ acceptedLengths: SIM_SLAVE_LENGTHS });
  private readonly entries: SlaveEntry[] = [];
  private readonly fifo: ReplyFifo;
  private readonly closeListeners = new Set<() => void>();
  private readonly waiters = new Set<Waiter>();
  private readonly timers = new Set<TimerHandle>();
  private readonly frames: Frame[] = [];
  private readonly tickMs: number;
  /** The tick grid's origin (epoch ms): ticks happen at gridStart + k × tickMs. */
  private readonly gridStart: number;
  private lastTickAt: number;
  private tickTimer: TimerHandle | null = null;
  private tickTimerAt = Number.POSITIVE_INFINITY;
  private stoppedFlag = false;
  private readonly counters = {
    repliesSent: 0,
    repliesDropped: 0,
    closeListenerErrors: 0,
  };

  constructor(opts: SimBusOptions) {
    this.clock = opts.clock;
    this.rng = mulberry32(opts.seed ?? Math.floor(Math.random() * 0x100000000));
    this.fifo = new ReplyFifo(this.clock, opts.realisticTiming ? 10_000 / (opts.baud ?? 9600) : 0);
    this.tickMs = opts.tickMs ?? 100;
    this.gridStart = this.clock.now();
    this.lastTickAt = this.gridStart;
    for (const d of opts.slaves ?? []) this.addSlave(d);
  }

  /** Bytes the controller writes onto the bus. */
  write(bytes: Uint8Array): void {
    if (this.stoppedFlag) return;
    const now = this.clock.now();
    for (const r of this.deframer.push(bytes, now)) {
      if (r.ok) this.onControllerFrame(r.frame, now);
    }
    this.scheduleTick();
  }

  /** Registers a receiver of the bytes the slaves send; returns the unsubscribe function. */
  onData(listener: (bytes: Uint8Array) => void): () => void {
    return this.fifo.onData(listener);
  }

  /** Called once when the bus stops; returns the unsubscribe function. */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Frames the controller sent (decoded, oldest first; the last RECEIVED_FRAMES_CAP). */
  get receivedFrames(): readonly Frame[] {
    return this.frames;
  }

  /** Counters (a copy). */
  get stats(): SimBusStats {
    const d = this.deframer.stats;
    return {
      repliesSent: this.counters.repliesSent,
      repliesDropped: this.counters.repliesDropped,
      listenerErrors: this.fifo.listenerErrors + this.counters.closeListenerErrors,
      framesReceived: d.framesReceived,
      framesDropped: { ...d.dropped },
    };
  }

  /** True after stop(). */
  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** Resolves with the next controller frame (received after this call) matching `predicate`; rejects after timeoutMs on the bus clock. */
  expectFrame(predicate: (f: Frame) => boolean, timeoutMs: number): Promise<Frame> {
    if (this.stoppedFlag) return Promise.reject(new Error("SimBus stopped"));
    return new Promise<Frame>((resolve, reject) => {
      const waiter: Waiter = {
        pred: predicate,
        resolve,
        reject,
        timer: this.clock.setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`expectFrame: no matching frame within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Adds a slave; it appears after its joinAfterS (from now). Returns its TWCID. */
  addSlave(input: SimSlaveDefInput): TwcId {
    const def = resolveSlaveDef(input);
    const id = parseTwcIdString(def.twcID);
    if (this.entries.some((e) => e.id === id)) {
      throw new TwcError({
        code: "CONFIG_INVALID",
        message: `a simulated slave with twcID '${def.twcID}' already exists`,
      });
    }
    const now = this.clock.now();
    const entry: SlaveEntry = {
      def,
      id,
      joinAt: now + def.joinAfterS * 1000,
      model: null,
      faults: { ...def.faults },
    };
    if (def.joinAfterS === 0) entry.model = initSlave(def, now);
    this.entries.push(entry);
    this.scheduleTick();
    return id;
  }

  /** Removes a slave (unplugged) and its replies not yet delivered. Returns false if unknown. */
  removeSlave(id: TwcId | string): boolean {
    const i = this.entries.findIndex((e) => e.id === toId(id));
    if (i < 0) return false;
    const [gone] = this.entries.splice(i, 1);
    if (gone) this.fifo.removeSource(gone.id);
    return true;
  }

  /** Re-initialises a slave as if power-cycled (clears a latched error and the link). */
  resetSlave(id: TwcId | string): void {
    const e = this.entry(id);
    const now = this.clock.now();
    const def = {
      ...e.def,
      faults: e.faults,
      lifetimeKWh: (e.model?.lifetimeWh ?? e.def.lifetimeKWh * 1000) / 1000,
    };
    e.model = initSlave(def, now);
    this.scheduleTick();
  }

  /** Changes the car of a slave; a behaviour change counts as a re-plug. */
  setCar(id: TwcId | string, patch: Partial<SimCarDef>): void {
    const e = this.entry(id);
    validateCarDef({ ...e.def.car, ...patch });
    e.def = { ...e.def, car: { ...e.def.car, ...patch } };
    if (e.model) e.model = setSlaveCar(e.model, patch, this.clock.now());
    this.scheduleTick();
  }

  /** Changes fault knobs of a slave (silentAfterS counts from the slave's join). */
  setFault(id: TwcId | string, patch: Partial<SimFaultDef>): void {
    const e = this.entry(id);
    const next = { ...e.faults, ...patch };
    validateFaultDef(next);
    e.faults = next;
  }

  /** Snapshots of the slaves that have joined, in definition order. */
  get slaves(): readonly SlaveSnapshot[] {
    const now = this.clock.now();
    const out: SlaveSnapshot[] = [];
    for (const e of this.entries) {
      if (!e.model) continue;
      e.model = advance(e.model, now);
      out.push(snapshotSlave(e.model));
    }
    return out;
  }

  /** Puts raw bytes on the wire (after the replies already queued). */
  injectNoise(bytes: Uint8Array): void {
    if (this.stoppedFlag || bytes.length === 0) return;
    this.fifo.enqueue({ readyAt: this.clock.now(), source: null, chunks: [bytes.slice()] });
  }

  /** Stops every timer; pending expectFrame calls reject; close listeners run once. */
  stop(): void {
    if (this.stoppedFlag) return;
    this.stoppedFlag = true;
    if (this.tickTimer !== null) this.clock.clearTimeout(this.tickTimer);
    this.tickTimer = null;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    this.fifo.stop();
    for (const w of this.waiters) {
      this.clock.clearTimeout(w.timer);
      w.reject(new Error("SimBus stopped"));
    }
    this.waiters.clear();
    for (const l of this.closeListeners) {
      try {
        l();
      } catch {
        this.counters.closeListenerErrors++;
      }
    }
    this.closeListeners.clear();
  }

  private entry(id: TwcId | string): SlaveEntry {
    const e = this.entries.find((x) => x.id === toId(id));
    if (!e) throw new TwcError({ code: "CONFIG_INVALID", message: `no simulated slave '${String(id)}'` });
    return e;
  }

  private onControllerFrame(frame: Frame, now: number): void {
    this.frames.push(frame);
    if (this.frames.length > RECEIVED_FRAMES_CAP)
      this.frames.splice(0, this.frames.length - RECEIVED_FRAMES_CAP);
    for (const e of this.entries) {
      if (!e.model) continue;
      const step = onFrame(e.model, frame, now);
      e.model = step.state;
      this.emit(e, step.replies, now + e.faults.replyDelayMs);
      const at = step.state.answerLinkReadyAt;
      if (at !== null)
        this.after(at - now, () => {
          this.tickSlave(e);
          this.scheduleTick();
        });
    }
    for (const w of [...this.waiters]) {
      let match = false;
      try {
        match = w.pred(frame);
      } catch (err) {
        this.waiters.delete(w);
        this.clock.clearTimeout(w.timer);
        w.reject(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      if (match) {
        this.waiters.delete(w);
        this.clock.clearTimeout(w.timer);
        w.resolve(frame);
      }
    }
  }

  /** One tick; `gridAt` is the grid point it was due at (the timer may fire a little later). */
  private onTick(gridAt: number): void {
    const now = this.clock.now();
    this.lastTickAt = gridAt;
    for (const e of this.entries) {
      if (!e.model && now >= e.joinAt) e.model = initSlave(e.def, now);
      this.tickSlave(e);
    }
    this.deframer.expire(now);
    this.scheduleTick();
  }

  /** The earliest time a tick can change something: a join, a slave's timer, a partial frame's expiry. */
  private nextTickDue(now: number): number {
    let due = this.deframer.receiving ? now : Number.POSITIVE_INFINITY;
    for (const e of this.entries) {
      if (!e.model) due = Math.min(due, e.joinAt);
      else due = Math.min(due, nextTickDue(advance(e.model, now), now, this.tickMs));
    }
    return due;
  }

  /**
   * Sets the tick timer to the first grid point after the last tick at which something is due (the
   * ticks in between would change nothing). An earlier timer already set is kept: its tick re-plans.
   */
  private scheduleTick(): void {
    if (this.stoppedFlag) return;
    const now = this.clock.now();
    const due = Math.max(this.nextTickDue(now), this.lastTickAt + this.tickMs);
    if (due === Number.POSITIVE_INFINITY) return;
    const at = this.gridStart + Math.ceil((due - this.gridStart) / this.tickMs) * this.tickMs;
    if (this.tickTimer !== null) {
      if (this.tickTimerAt <= at) return;
      this.clock.clearTimeout(this.tickTimer);
    }
    this.tickTimerAt = at;
    this.tickTimer = this.clock.setTimeout(() => {
      this.tickTimer = null;
      this.tickTimerAt = Number.POSITIVE_INFINITY;
      this.onTick(at);
    }, at - now);
  }

  private tickSlave(e: SlaveEntry): void {
    if (!e.model || !this.entries.includes(e) || this.stoppedFlag) return;
    const now = this.clock.now();
    const step = tick(e.model, now);
    e.model = step.state;
    this.emit(e, step.replies, now);
  }

  /** One-off timer tracked for stop(). */
  private after(ms: number, fn: () => void): void {
    const h = this.clock.setTimeout(() => {
      this.timers.delete(h);
      fn();
    }, ms);
    this.timers.add(h);
  }

  /** Applies the fault knobs and queues the slave's frames, ready at `readyAt`. */
  private emit(e: SlaveEntry, replies: readonly Frame[], readyAt: number): void {
    if (replies.length === 0) return;
    const f = e.faults;
    const silent = f.silentAfterS !== null && this.clock.now() >= e.joinAt + f.silentAfterS * 1000;
    for (const frame of replies) {
      if (silent || (f.dropRate > 0 && this.rng() < f.dropRate)) {
        this.counters.repliesDropped++;
        continue;
      }
      let wire = encodeReply(frame);
      if (f.corruptRate > 0 && this.rng() < f.corruptRate) wire = corruptChecksum(wire);
      const copies = f.duplicateRate > 0 && this.rng() < f.duplicateRate ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        const bytes = new Uint8Array([...noise(this.rng, f.noiseBytes), ...wire, 0xfe]);
        const chunks = f.splitDelivery ? [...bytes].map((b) => Uint8Array.of(b)) : [bytes];
        this.counters.repliesSent++;
        this.fifo.enqueue({ readyAt, source: e.id, chunks });
      }
    }
  }
}

function toId(id: TwcId | string): TwcId {
  return typeof id === "string" ? parseTwcIdString(id) : id;
}
