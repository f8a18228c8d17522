/**
 * Pure builders of the state document (http-api.md §8.1) from the engine's parts. The engine calls
 * buildStateDocument on a draft inside StateStore.update, so unchanged values produce no patch.
 */
import type { CoreConfig } from "../config/app-config.ts";
import type { EnergyComputation } from "../energy/green.ts";
import type { EnergySourceStatus as PollerSourceStatus } from "../energy/poller.ts";
import { checkScheduledCharging, flexStart, scheduleSettings } from "../policy/schedule.ts";
import { finiteOr as num } from "../policy/numbers.ts";
import type { LocalTime } from "../policy/types.ts";
import { round2 as r2 } from "../shared/numbers.ts";
import type { Alert, Days, StateDocument } from "../state/types.ts";
import type { PolicyView } from "./policy-runtime.ts";
import type { projectChargers } from "./project-state.ts";

/** The configuration the engine uses. */
export interface EngineConfig {
  core: CoreConfig;
  slaveTimeoutS: number;
  policyCheckIntervalS: number;
}

const int = (x: number): number => (Number.isFinite(x) ? Math.round(x) : 0);

/** Weekday flags of a 7-bit bitmap (bit 0 = Monday). */
export function daysOf(bitmap: number): Days {
  const b = (i: number): boolean => ((bitmap >> i) & 1) === 1;
  return {
    monday: b(0),
    tuesday: b(1),
    wednesday: b(2),
    thursday: b(3),
    friday: b(4),
    saturday: b(5),
    sunday: b(6),
  };
}

/** The document at start-up (no charger, no policy yet). */
export function initialStateDocument(i: {
  config: EngineConfig;
  version: string;
  startedAtIso: string;
  nowIso: string;
  bus: { interfaceName: "RS485" | "TCP" | "Dummy"; endpoint: string | null };
}): Omit<StateDocument, "revision"> {
  const core = i.config.core;
  const allDays = daysOf(127);
  return {
    schemaVersion: 1,
    startedAt: i.startedAtIso,
    version: i.version,
    mode: core.fakeMaster === 2 ? "monitor" : core.fakeMaster === 0 ? "slave" : "master",
    bus: {
      interface: i.bus.interfaceName,
      endpoint: i.bus.endpoint,
      connected: false,
      stats: {
        framesReceived: 0,
        framesSent: 0,
        framesDropped: 0,
        checksumErrors: 0,
        noiseBytes: 0,
        updatedAt: i.nowIso,
      },
    },
    chargers: [],
    totals: {
      chargers: 0,
      carsCharging: 0,
      ampsActual: 0,
      ampsOffered: 0,
      powerW: 0,
      lifetimeKWh: 0,
      minRatedAmps: null,
    },
    energy: {
      voltage: core.defaultVoltage,
      phases: core.numberOfPhases,
      voltageSource: "config",
      generationW: 0,
      consumptionW: 0,
      generationA: 0,
      consumptionA: 0,
      chargerLoadW: 0,
      chargerLoadA: 0,
      surplusW: 0,
      offsetsW: 0,
      stale: false,
      sources: [],
    },
    budget: {
      maxAmpsToDivide: 0,
      policyAmps: 0,
      limitAmps: core.maxAmpsAllowedFromGrid !== null ? 0 : core.wiringMaxAmpsAllTWCs,
      gridCapAmps: core.maxAmpsAllowedFromGrid,
      wiringMaxAmpsAllTWCs: core.wiringMaxAmpsAllTWCs,
      wiringMaxAmpsPerTWC: core.wiringMaxAmpsPerTWC,
      minAmpsPerTWC: core.minAmpsPerTWC,
      allowedFlexAmps: 0,
      spikeAmps: 16,
    },
    policy: {
      active: null,
      action: null,
      green: false,
      forced: null,
      latchedUntil: null,
      lastEvaluatedAt: null,
      chargeLimit: -1,
    },
    schedule: {
      enabled: false,
      amps: 0,
      startMinute: -1,
      endMinute: -1,
      days: allDays,
      flexStart: { enabled: false, batteryKWh: 100, startMinute: null, days: allDays },
      activeNow: false,
      resumeGreenEnergyHour: -1,
      nonScheduledAction: 1,
      nonScheduledAmps: 0,
      sunriseHour: 6,
      sunsetHour: 20,
    },
    chargeNow: { active: false, amps: 0, endsAt: null },
    offsets: [],
    legacyAmpsOffset: 0,
    settingsSaveFailed: false,
    alerts: [],
  };
}

/** Everything a refresh reads. */
export interface BuildInputs {
  nowMs: number;
  iso(ms: number): string;
  config: EngineConfig;
  policy: PolicyView;
  energy: EnergyComputation;
  sources: readonly PollerSourceStatus[];
  anyStale: boolean;
  chargers: ReturnType<typeof projectChargers>;
  settings: Readonly<Record<string, unknown>>;
  spikeAmps: number;
  alerts: readonly Alert[];
  busConnected: boolean;
  /** New bus counters, or null to keep the previous ones (refreshed at most every 10 s). */
  busStats: StateDocument["bus"]["stats"] | null;
  settingsSaveFailed: boolean;
  local: LocalTime;
}

/** The active policy action as getActivePolicyAction (http-api.md §6.5). */
export function policyAction(view: PolicyView): 1 | 2 | 3 | null {
  if (!view.active) return null;
  if (view.active.green) return 3;
  return view.policyAmps > 0 ? 1 : 2;
}

/** Fills the draft document from the inputs. */
export function buildStateDocument(doc: StateDocument, i: BuildInputs): void {
  const core = i.config.core;
  const s = i.settings;
  const e = i.energy;
  doc.bus.connected = i.busConnected;
  if (i.busStats) doc.bus.stats = i.busStats;
  doc.chargers = i.chargers.chargers;
  doc.totals = i.chargers.totals;
  doc.energy = {
    voltage: r2(e.voltage),
    phases: e.phases,
    voltageSource: e.voltageSource,
    generationW: int(e.generationW),
    consumptionW: int(e.consumptionW),
    generationA: r2(e.generationA),
    consumptionA: r2(e.consumptionA),
    chargerLoadW: int(e.chargerLoadW),
    chargerLoadA: r2(e.chargerLoadA),
    surplusW: int(e.generationW - e.consumptionW),
    offsetsW: int(e.offsetsW),
    stale: i.anyStale,
    sources: i.sources.map((x) => ({ ...x })),
  };
  const v = i.policy;
  doc.budget = {
    maxAmpsToDivide: r2(v.maxAmpsToDivide),
    policyAmps: r2(v.policyAmps),
    limitAmps: r2(v.limitAmps),
    gridCapAmps: core.maxAmpsAllowedFromGrid,
    wiringMaxAmpsAllTWCs: core.wiringMaxAmpsAllTWCs,
    wiringMaxAmpsPerTWC: core.wiringMaxAmpsPerTWC,
    minAmpsPerTWC: core.minAmpsPerTWC,
    allowedFlexAmps: r2(v.allowedFlex),
    spikeAmps: i.spikeAmps,
  };
  doc.policy = {
    active: v.active?.name ?? null,
    action: policyAction(v),
    green: v.active?.green ?? false,
    forced: v.forced ? { name: v.forced.name, until: i.iso(v.forced.until * 1000) } : null,
    latchedUntil: v.latchedUntil !== null ? i.iso(v.latchedUntil * 1000) : null,
    lastEvaluatedAt: v.lastEvaluatedAt !== null ? i.iso(v.lastEvaluatedAt) : null,
    chargeLimit: v.chargeLimit,
  };
  const sch = scheduleSettings(s);
  const flex = flexStart(s);
  const minute = (h: number): number => (h < 0 ? -1 : Math.round(h * 60));
  const action = num(s.nonScheduledAction, 1);
  doc.schedule = {
    enabled: sch.startHour >= 0 && sch.endHour >= 0 && sch.daysBitmap > 0 && sch.ampsMax > 0,
    amps: Math.trunc(sch.ampsMax),
    startMinute: minute(sch.startHour),
    endMinute: minute(sch.endHour),
    days: daysOf(sch.daysBitmap),
    flexStart: {
      enabled: sch.flexEnabled,
      batteryKWh: sch.batterySize,
      startMinute: sch.startHour < 0 ? null : minute(flex.startHour),
      days: daysOf(flex.daysBitmap),
    },
    activeNow: checkScheduledCharging(s, i.local) === 1,
    resumeGreenEnergyHour: Math.trunc(num(s.hourResumeTrackGreenEnergy, -1)),
    nonScheduledAction: action === 2 ? 2 : action === 3 ? 3 : 1,
    nonScheduledAmps: num(s.nonScheduledAmpsMax, 0),
    sunriseHour: Math.trunc(num(s.sunrise, 6)),
    sunsetHour: Math.trunc(num(s.sunset, 20)),
  };
  const endS = num(s.chargeNowTimeEnd, 0);
  const cnAmps = num(s.chargeNowAmps, 0);
  const active = cnAmps > 0 && endS > i.nowMs / 1000;
  doc.chargeNow = { active, amps: active ? cnAmps : 0, endsAt: active ? i.iso(endS * 1000) : null };
  doc.offsets = e.offsets.map((o) => ({ name: o.name, value: o.value, unit: o.unit, watts: int(o.watts) }));
  doc.legacyAmpsOffset = e.legacyAmpsOffset;
  doc.settingsSaveFailed = i.settingsSaveFailed;
  doc.alerts = [...i.alerts];
}
