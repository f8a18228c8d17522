/**
 * Bus health watch (issue "the bus", items 7 and 9). Pure: `stepBusHealth(state, input, now)`.
 *
 * Reply rate: in fake-master mode each heartbeat slot (one per 1 s, twc-protocol.md §7.1) that passes
 * while the bus is open and a slave is linked expects one slave heartbeat, whether or not our heartbeat
 * could be written (noise that keeps the receiver busy starves the heartbeats themselves). Over the last
 * 30 s, fewer than 50 % of the expected replies raise BUS_REPLIES_LOW; 75 % or more clear it, and so
 * does a window with too few expected replies to judge (no slave linked).
 *
 *   tick (1 s) ──▶ sample {expected, replies, noise, drops} ──▶ 30 s window ──▶ raise < 50 % · clear ≥ 75 %
 *
 * Writer stall: a stall or reset counted by the transport raises BUS_WRITE_STALLED; it clears 60 s after
 * the last one. A transport whose OS buffers hide a stall (TCP: the kernel takes kilobytes without a
 * sign) gets a second detector: 8 heartbeats written and no valid frame for 10 s → ask for a reset
 * (which discards what the kernel still holds), once per silence.
 */
import type { Effect } from "./effects.ts";
import { logEffect } from "./effects.ts";

/** Window over which the reply rate is judged (ms). */
export const REPLY_WINDOW_MS = 30_000;
/** Below this share of the expected replies the alert is raised. */
export const REPLY_LOW_FRACTION = 0.5;
/** At or above this share a raised alert is cleared. */
export const REPLY_RECOVER_FRACTION = 0.75;
/** Fewer expected replies than this in the window: nothing to judge. */
export const REPLY_MIN_EXPECTED = 10;
/** No valid frame for this long while transmitting = a silent bus (ms). */
export const SILENT_BUS_MS = 10_000;
/** …and at least this many heartbeats written meanwhile. */
export const SILENT_BUS_HEARTBEATS = 8;
/** BUS_WRITE_STALLED clears this long after the last stall or reset (ms). */
export const STALL_ALERT_QUIET_MS = 60_000;

/** One housekeeping tick's sample. */
export interface RateSample {
  readonly atMs: number;
  readonly expected: number;
  readonly replies: number;
  /** Cumulative receiver counters at the tick (for the alert's context). */
  readonly noiseBytes: number;
  readonly dropped: number;
}

/** What the watch knows. */
export interface BusHealthState {
  readonly samples: readonly RateSample[];
  /** Replies and deliberately skipped heartbeat turns since the last tick. */
  readonly repliesNow: number;
  readonly skippedNow: number;
  readonly repliesLow: boolean;
  /** Epoch ms of the last valid frame (start time before the first). */
  readonly lastFrameAtMs: number;
  readonly heartbeatsSinceFrame: number;
  /** A reset was requested for the current silence. */
  readonly silenceHandled: boolean;
  /** Transport write stalls already alerted. */
  readonly stallsSeen: number;
  /** Epoch ms of the last stall/reset while BUS_WRITE_STALLED is raised, else null. */
  readonly stallAlertAtMs: number | null;
  /** Times BUS_REPLIES_LOW was raised (monotonic). */
  readonly repliesLowEvents: number;
  /** Resets requested because the bus was silent (monotonic). */
  readonly silenceResets: number;
}

/** Transport counters read at each tick (BusIo.transportHealth). */
export interface TransportHealth {
  /** Writes the OS did not take within the stall time. */
  writeStalls: number;
  /** True when the OS may hold seconds of writes without telling (TCP). */
  buffered: boolean;
}

/** Inputs of the watch. */
export type BusHealthInput =
  | { type: "frame" }
  | { type: "reply" }
  | { type: "heartbeatWritten" }
  | { type: "heartbeatSkipped" }
  | {
      type: "tick";
      /** Master mode, bus open, a slave linked, no linkready burst running. */
      expecting: boolean;
      noiseBytes: number;
      droppedFrames: number;
      transport: TransportHealth | null;
    };

/** Result of a step: `reset` asks the runtime to reset the transport with that reason. */
export interface BusHealthStep {
  state: BusHealthState;
  effects: Effect[];
  reset: string | null;
}

/** The reply rate over the window as shown in stats. */
export interface ReplyRate {
  replies: number;
  expected: number;
  windowS: number;
}

/** A fresh watch. */
export function createBusHealth(nowMs: number): BusHealthState {
  return {
    samples: [],
    repliesNow: 0,
    skippedNow: 0,
    repliesLow: false,
    lastFrameAtMs: nowMs,
    heartbeatsSinceFrame: 0,
    silenceHandled: false,
    stallsSeen: 0,
    stallAlertAtMs: null,
    repliesLowEvents: 0,
    silenceResets: 0,
  };
}

/** Replies and expected replies in the current window. */
export function replyRate(state: BusHealthState): ReplyRate {
  let replies = 0;
  let expected = 0;
  for (const s of state.samples) {
    replies += s.replies;
    expected += s.expected;
  }
  const first = state.samples[0];
  const last = state.samples.at(-1);
  const windowS = first && last ? (last.atMs - first.atMs) / 1000 + 1 : 0;
  return { replies, expected, windowS };
}

const perS = (n: number, windowS: number): string => (windowS > 0 ? n / windowS : 0).toFixed(2);

function rateStep(state: BusHealthState, now: number, effects: Effect[]): BusHealthState {
  const full = state.samples.length > 0 && now - (state.samples[0]?.atMs ?? now) >= REPLY_WINDOW_MS - 1000;
  if (!full) return state;
  const { replies, expected, windowS } = replyRate(state);
  const first = state.samples[0];
  const last = state.samples.at(-1);
  if (expected < REPLY_MIN_EXPECTED) {
    if (!state.repliesLow) return state;
    effects.push({ type: "alert", op: "clear", code: "BUS_REPLIES_LOW" });
    return { ...state, repliesLow: false };
  }
  const share = replies / expected;
  if (share < REPLY_LOW_FRACTION) {
    const noise = (last?.noiseBytes ?? 0) - (first?.noiseBytes ?? 0);
    const dropped = (last?.dropped ?? 0) - (first?.dropped ?? 0);
    const message =
      `Bus replies below the expected rate (${perS(replies, windowS)}/s of ${perS(expected, windowS)}/s ` +
      `over ${Math.round(windowS)} s): noise on the bus? ${noise} noise bytes and ${dropped} bad frames ` +
      `in that time.`;
    effects.push({ type: "alert", op: "raise", code: "BUS_REPLIES_LOW", message });
    if (state.repliesLow) return state;
    effects.push(logEffect("warn", "BUS_REPLIES_LOW", message, { replies, expected, noise, dropped }));
    return { ...state, repliesLow: true, repliesLowEvents: state.repliesLowEvents + 1 };
  }
  if (state.repliesLow && share >= REPLY_RECOVER_FRACTION) {
    effects.push({ type: "alert", op: "clear", code: "BUS_REPLIES_LOW" });
    effects.push(logEffect("info", "BUS_REPLIES_OK", "bus replies are back at the expected rate"));
    return { ...state, repliesLow: false };
  }
  return state;
}

function stallAlert(message: string): Effect {
  return { type: "alert", op: "raise", code: "BUS_WRITE_STALLED", message };
}

function tickStep(
  state: BusHealthState,
  input: Extract<BusHealthInput, { type: "tick" }>,
  now: number,
): BusHealthStep {
  const effects: Effect[] = [];
  let reset: string | null = null;
  const sample: RateSample = {
    atMs: now,
    expected: input.expecting ? Math.max(0, 1 - state.skippedNow) : 0,
    replies: state.repliesNow,
    noiseBytes: input.noiseBytes,
    dropped: input.droppedFrames,
  };
  const samples = [...state.samples, sample].filter((x) => now - x.atMs < REPLY_WINDOW_MS);
  let s: BusHealthState = { ...state, samples, repliesNow: 0, skippedNow: 0 };
  s = rateStep(s, now, effects);

  const t = input.transport;
  if (t) {
    if (t.writeStalls > s.stallsSeen) {
      effects.push(
        stallAlert(
          "The bus writer stalled: the port or bridge stopped taking our frames. Unsent frames were " +
            "dropped (never sent late) and the connection was reset.",
        ),
      );
      s = { ...s, stallsSeen: t.writeStalls, stallAlertAtMs: now };
    }
    if (
      t.buffered &&
      input.expecting &&
      !s.silenceHandled &&
      s.heartbeatsSinceFrame >= SILENT_BUS_HEARTBEATS &&
      now - s.lastFrameAtMs >= SILENT_BUS_MS
    ) {
      const silentS = Math.round((now - s.lastFrameAtMs) / 1000);
      reset = `no valid frame for ${silentS} s while ${s.heartbeatsSinceFrame} heartbeats were written`;
      effects.push(
        stallAlert(
          `The bus went silent while we transmitted (no reply for ${silentS} s): the bridge may have ` +
            "stopped forwarding our frames. The connection was reset so the frames it holds are not sent late.",
        ),
        logEffect(
          "error",
          "BUS_SILENT",
          `the bus is silent while we transmit: ${reset}; resetting the connection`,
        ),
      );
      s = { ...s, silenceHandled: true, silenceResets: s.silenceResets + 1, stallAlertAtMs: now };
    }
  }
  if (s.stallAlertAtMs !== null && now - s.stallAlertAtMs > STALL_ALERT_QUIET_MS) {
    effects.push({ type: "alert", op: "clear", code: "BUS_WRITE_STALLED" });
    s = { ...s, stallAlertAtMs: null };
  }
  return { state: s, effects, reset };
}

/** The bus health state machine. */
export function stepBusHealth(state: BusHealthState, input: BusHealthInput, now: number): BusHealthStep {
  switch (input.type) {
    case "frame":
      return {
        state: { ...state, lastFrameAtMs: now, heartbeatsSinceFrame: 0, silenceHandled: false },
        effects: [],
        reset: null,
      };
    case "reply":
      return { state: { ...state, repliesNow: state.repliesNow + 1 }, effects: [], reset: null };
    case "heartbeatWritten":
      return {
        state: { ...state, heartbeatsSinceFrame: state.heartbeatsSinceFrame + 1 },
        effects: [],
        reset: null,
      };
    case "heartbeatSkipped":
      return { state: { ...state, skippedNow: state.skippedNow + 1 }, effects: [], reset: null };
    case "tick":
      return tickStep(state, input, now);
  }
}
