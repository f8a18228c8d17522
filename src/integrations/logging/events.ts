/**
 * What TWCManager's logging modules write, extracted from the state stream (issue 13 §3). Pure: a
 * tracker state plus the latest document give the new tracker state and the events to write.
 *
 * - Charge sessions (upstream `logtype: charge_sessions`): a charger's `charging` going true opens a
 *   session (start = its `chargingSince`, start kWh = its lifetime kWh when known), a VIN seen while
 *   open is an update, `charging` going false (or the charger vanishing) closes it with the end kWh.
 *   `chargeid` is the start time in epoch seconds, as upstream.
 * - Green energy (`green_energy`): generation, consumption and charger load every interval while an
 *   energy source has a fresh reading (none before its first reading).
 * - Slave status (`slave_status`): each charger's lifetime kWh and phase voltages every interval once
 *   it has reported them.
 */
import type { LogMute } from "../../config/app-config.ts";

/** Upstream's categories (the `mute` keys). */
export type LogCategory = "chargeSessions" | "greenEnergy" | "slaveStatus";

/** A session opened. */
export interface SessionStartEvent {
  kind: "sessionStart";
  chargeId: number;
  twcId: string;
  startMs: number;
  startKWh: number | null;
}

/** A VIN became known for an open session. */
export interface SessionVinEvent {
  kind: "sessionVin";
  chargeId: number;
  twcId: string;
  startMs: number;
  vin: string;
}

/** A session closed (carries the whole row, so a sink that missed the start can still write it). */
export interface SessionStopEvent {
  kind: "sessionStop";
  chargeId: number;
  twcId: string;
  startMs: number;
  startKWh: number | null;
  endMs: number;
  endKWh: number | null;
  vin: string | null;
}

/** One green energy reading (W). */
export interface GreenEnergyEvent {
  kind: "greenEnergy";
  atMs: number;
  genW: number;
  conW: number;
  chgW: number;
}

/** One slave status reading. */
export interface SlaveStatusEvent {
  kind: "slaveStatus";
  atMs: number;
  twcId: string;
  kWh: number;
  volts: readonly [number, number, number];
}

/** Anything a logging module writes. */
export type LogEvent = SessionStartEvent | SessionVinEvent | SessionStopEvent | GreenEnergyEvent | SlaveStatusEvent;

/** The part of a charger the extraction reads (state document `chargers[]`). */
export interface ChargerView {
  id: string;
  charging: boolean;
  chargingSince: string | null;
  lifetimeKWh: number | null;
  voltage: { a: number; b: number; c: number };
  vin: { current: string | null; last: string | null };
}

/** The part of the state document the extraction reads. */
export interface StateView {
  chargers: readonly ChargerView[];
  energy: {
    generationW: number;
    consumptionW: number;
    chargerLoadW: number;
    stale: boolean;
    sources: readonly { stale: boolean; updatedAt: string | null }[];
  };
}

/** A session the tracker holds open. */
export interface OpenSession {
  chargeId: number;
  startMs: number;
  startKWh: number | null;
  /** The latest lifetime kWh seen (the end kWh if the charger vanishes). */
  lastKWh: number | null;
  vin: string | null;
}

/** What the extraction remembers between documents. */
export interface TrackerState {
  readonly open: ReadonlyMap<string, OpenSession>;
  readonly lastGreenAtMs: number | null;
  readonly lastStatusAtMs: ReadonlyMap<string, number>;
}

/** How often the periodic rows are written. */
export interface ExtractRates {
  greenEnergyMs: number;
  slaveStatusMs: number;
}

/** Upstream logs green energy and slave status about once a minute; so do we. */
export const DEFAULT_RATES: Readonly<ExtractRates> = Object.freeze({ greenEnergyMs: 60_000, slaveStatusMs: 60_000 });

/** The tracker before the first document. */
export const EMPTY_TRACKER: TrackerState = Object.freeze({ open: new Map(), lastGreenAtMs: null, lastStatusAtMs: new Map() });

function finiteOrNull(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null;
}

function finite(v: number): number {
  return Number.isFinite(v) ? v : 0;
}

/** The start of a session: the charger's `chargingSince` when it parses and is not in the future, else now. */
function startOf(c: ChargerView, nowMs: number): number {
  const t = c.chargingSince === null ? NaN : Date.parse(c.chargingSince);
  return Number.isFinite(t) && t <= nowMs ? t : nowMs;
}

/** The events between the tracker's view and `doc` at `nowMs`, and the new tracker state. */
export function extractEvents(
  prev: TrackerState,
  doc: StateView,
  nowMs: number,
  rates: ExtractRates = DEFAULT_RATES,
): { state: TrackerState; events: LogEvent[] } {
  const events: LogEvent[] = [];
  const open = new Map(prev.open);
  const seen = new Set<string>();
  for (const c of doc.chargers) {
    seen.add(c.id);
    const kWh = finiteOrNull(c.lifetimeKWh);
    const s = open.get(c.id);
    if (c.charging && !s) {
      const startMs = startOf(c, nowMs);
      const chargeId = Math.floor(startMs / 1000);
      const vin = c.vin.current;
      open.set(c.id, { chargeId, startMs, startKWh: kWh, lastKWh: kWh, vin });
      events.push({ kind: "sessionStart", chargeId, twcId: c.id, startMs, startKWh: kWh });
      if (vin !== null) events.push({ kind: "sessionVin", chargeId, twcId: c.id, startMs, vin });
    } else if (c.charging && s) {
      const vin = c.vin.current;
      const next: OpenSession = { ...s, lastKWh: kWh ?? s.lastKWh, startKWh: s.startKWh ?? kWh };
      if (vin !== null && vin !== s.vin) {
        next.vin = vin;
        events.push({ kind: "sessionVin", chargeId: s.chargeId, twcId: c.id, startMs: s.startMs, vin });
      }
      open.set(c.id, next);
    } else if (!c.charging && s) {
      open.delete(c.id);
      events.push(stopEvent(c.id, s, nowMs, kWh ?? s.lastKWh, s.vin ?? c.vin.last));
    }
  }
  for (const [id, s] of prev.open) {
    if (seen.has(id) || !open.has(id)) continue;
    open.delete(id);
    events.push(stopEvent(id, s, nowMs, s.lastKWh, s.vin));
  }

  let lastGreenAtMs = prev.lastGreenAtMs;
  const e = doc.energy;
  const fresh = !e.stale && e.sources.some((src) => src.updatedAt !== null && !src.stale);
  if (fresh && (lastGreenAtMs === null || nowMs - lastGreenAtMs >= rates.greenEnergyMs)) {
    lastGreenAtMs = nowMs;
    events.push({ kind: "greenEnergy", atMs: nowMs, genW: finite(e.generationW), conW: finite(e.consumptionW), chgW: finite(e.chargerLoadW) });
  }

  const lastStatusAtMs = new Map<string, number>();
  for (const c of doc.chargers) {
    const kWh = finiteOrNull(c.lifetimeKWh);
    const last = prev.lastStatusAtMs.get(c.id);
    if (last !== undefined) lastStatusAtMs.set(c.id, last);
    if (kWh === null || (last !== undefined && nowMs - last < rates.slaveStatusMs)) continue;
    lastStatusAtMs.set(c.id, nowMs);
    const v = c.voltage;
    events.push({ kind: "slaveStatus", atMs: nowMs, twcId: c.id, kWh, volts: [finite(v.a), finite(v.b), finite(v.c)] });
  }
  return { state: { open, lastGreenAtMs, lastStatusAtMs }, events };
}

function stopEvent(twcId: string, s: OpenSession, endMs: number, endKWh: number | null, vin: string | null): SessionStopEvent {
  return { kind: "sessionStop", chargeId: s.chargeId, twcId, startMs: s.startMs, startKWh: s.startKWh, endMs, endKWh, vin };
}

/** The category of an event. */
export function categoryOf(ev: LogEvent): LogCategory {
  switch (ev.kind) {
    case "greenEnergy":
      return "greenEnergy";
    case "slaveStatus":
      return "slaveStatus";
    case "sessionStart":
    case "sessionVin":
    case "sessionStop":
      return "chargeSessions";
  }
}

/** True when the module's `mute` silences the event's category. */
export function isMuted(ev: LogEvent, mute: LogMute): boolean {
  return mute[categoryOf(ev)];
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

/** `YYYY-MM-DD HH:MM:SS` in the process's local time (MySQL DATETIME, as upstream's `now()` on the same host). */
export function localDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Watts with at most 3 decimals (the DECIMAL(9,3) columns). */
export function watts(w: number): number {
  return Math.round(w * 1000) / 1000;
}
