/**
 * The state projection (http-api.md §8.1), pure: the document at start-up, the chargers and totals
 * projected from the bus runtime's slave records, and the next document built from everything a
 * refresh reads. The engine publishes the result with StateStore.publish, which diffs it against the
 * current one, so unchanged values produce no patch. Amps from the bus stay exact hundredths, computed
 * values are round2, watts integers.
 */
import type { CoreConfig } from "../config/app-config.ts";
import type { Settings } from "../config/settings-schema.ts";
import type { EnergyComputation } from "../energy/green.ts";
import { checkScheduledCharging, flexStart, scheduleSettings } from "../policy/schedule.ts";
import type { LocalTime } from "../policy/types.ts";
import { twcIdHex } from "../protocol/frames.ts";
import { round2 as r2 } from "../shared/numbers.ts";
import type { ExactEnergy } from "../state/store.ts";
import type { Alert, Charger, Days, EnergySourceStatus, StateDocument } from "../state/types.ts";
import type { SlaveState } from "../bus/slave-state.ts";
import type { PolicyView } from "./policy-runtime.ts";
import { explainBudget, explainEnergy, explainOfferedTotal, greenSurplusW, type ExplainInputs, type Why } from "./explain.ts";
import { explainCharger } from "./explain-charger.ts";
import { livenessFields, type IsoFormatter, type Liveness } from "./liveness-patch.ts";
import { NO_VEHICLES, teslaAccountSection, vehicleAlerts, vehiclesSection, type VehicleInput } from "./state-projection-vehicles.ts";

export type { VehicleInput } from "./state-projection-vehicles.ts";

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
  /** The controller's IANA time zone (absent: the process zone). */
  timeZone?: string;
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
    mqtt: mqttSection(NO_MQTT, () => ""),
    clock: controllerClock(i.nowIso, i.timeZone),
    vehicles: [],
    teslaAccount: null,
  };
}

/** The controller's IANA zone (the process zone unless one is configured) and the offset of `isoNow`. */
export function controllerClock(isoNow: string, timeZone?: string): NonNullable<StateDocument["clock"]> {
  const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const m = /([+-])(\d\d):(\d\d)$/.exec(isoNow);
  const minutes = m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  return { timeZone: zone, utcOffset: m ? `${m[1]}${m[2]}:${m[3]}` : "+00:00", utcOffsetMinutes: minutes };
}

/** Electrical values used to turn amps into watts. */
export interface ElectricalView {
  voltage: number;
  phases: number;
  /** Real power factor at the given amps (controller.md §17.2). */
  rpf(amps: number): number;
}

/** Watts drawn at `amps` (A→W × rpf), not rounded. */
export function ampsToWatts(amps: number, e: ElectricalView): number {
  return amps * e.voltage * e.phases * e.rpf(amps);
}

/** One Charger entry of the state document. */
export function projectCharger(
  s: SlaveState,
  e: ElectricalView,
  iso: IsoFormatter,
  stateName: (code: number) => string,
  liveness?: Liveness,
): Charger {
  const volts = [s.voltsPhaseA, s.voltsPhaseB, s.voltsPhaseC];
  return {
    id: twcIdHex(s.id),
    protocolVersion: s.protocolVersion,
    ratedAmps: s.maxAmps,
    wiringMaxAmps: s.wiringMaxAmps,
    minAmps: s.minAmpsTWCSupports,
    state: s.reportedState,
    stateName: stateName(s.reportedState),
    reportedAmpsMax: s.reportedAmpsMax,
    reportedAmpsActual: s.reportedAmpsActual,
    ampsOffered: s.lastAmpsOffered < 0 ? null : r2(s.lastAmpsOffered),
    ampsDesired: s.ampsDesired === null ? null : r2(s.ampsDesired),
    charging: s.isCharging,
    chargingSince: s.isCharging && s.chargingStartedAtS > 0 ? iso(s.chargingStartedAtS * 1000) : null,
    powerW: Math.round(ampsToWatts(s.reportedAmpsActual, e)),
    lifetimeKWh: s.lifetimeKnown ? s.lifetimeKWh : null,
    voltage: { a: s.voltsPhaseA, b: s.voltsPhaseB, c: s.voltsPhaseC },
    phases: volts.filter((v) => v > 0).length,
    vin: { current: s.currentVIN === "" ? null : s.currentVIN, last: s.lastVIN === "" ? null : s.lastVIN },
    linkedAt: iso(s.linkedAtMs),
    ...livenessFields(s, iso, liveness),
  };
}

/** The chargers list and totals of the state document. */
export function projectChargers(
  slaves: readonly SlaveState[],
  e: ElectricalView,
  iso: IsoFormatter,
  stateName: (code: number) => string,
  liveness?: Liveness,
): { chargers: Charger[]; totals: StateDocument["totals"] } {
  const chargers = slaves.map((s) => projectCharger(s, e, iso, stateName, liveness));
  const actual = slaves.reduce((a, s) => a + s.reportedAmpsActual, 0);
  return {
    chargers,
    totals: {
      chargers: chargers.length,
      carsCharging: chargers.filter((c) => c.charging).length,
      ampsActual: r2(actual),
      ampsOffered: r2(chargers.reduce((a, c) => a + (c.ampsOffered ?? 0), 0)),
      powerW: Math.round(ampsToWatts(actual, e)),
      lifetimeKWh: chargers.reduce((a, c) => a + (c.lifetimeKWh ?? 0), 0),
      minRatedAmps: chargers.length === 0 ? null : Math.min(...chargers.map((c) => c.ratedAmps)),
    },
  };
}

/** The exact figures published beside the document (getStatus, the history recorder). */
export function exactEnergyOf(e: EnergyComputation): ExactEnergy {
  return {
    chargerLoadW: e.chargerLoadW,
    consumptionW: e.consumptionW,
    generationW: e.generationW,
    voltage: e.voltage,
    phases: e.phases,
  };
}

/** One MQTT connection as its manager reports it (integrations/mqtt/connection.ts MqttConnectionState). */
export interface MqttConnectionInput {
  broker: string;
  version: "3.1.1" | "5";
  connected: boolean;
  connectedSinceMs: number | null;
  lastError: string | null;
  users: readonly string[];
  connects: number;
}

/** What the MQTT part of the document is built from. */
export interface MqttInput {
  connections: readonly MqttConnectionInput[];
  controlTopicPrefix: string | null;
  statusTopicPrefix: string | null;
  homeAssistantControls: boolean;
}

/** The MQTT input of an installation without MQTT. */
export const NO_MQTT: MqttInput = { connections: [], controlTopicPrefix: null, statusTopicPrefix: null, homeAssistantControls: false };

/** The MQTT part of the document. */
export function mqttSection(m: MqttInput, iso: IsoFormatter): StateDocument["mqtt"] {
  return {
    connections: m.connections.map((c) => ({
      broker: c.broker,
      version: c.version,
      connected: c.connected,
      since: c.connectedSinceMs === null ? null : iso(c.connectedSinceMs),
      lastError: c.lastError,
      users: [...c.users],
      connects: c.connects,
    })),
    controlTopicPrefix: m.controlTopicPrefix,
    statusTopicPrefix: m.statusTopicPrefix,
    homeAssistantControls: m.homeAssistantControls,
  };
}

/** Everything a rebuild reads. */
export interface BuildInputs {
  /** Now (epoch ms): whether Charge Now still runs. */
  nowMs: number;
  iso: IsoFormatter;
  config: EngineConfig;
  policy: PolicyView;
  energy: EnergyComputation;
  sources: readonly EnergySourceStatus[];
  anyStale: boolean;
  slaves: readonly SlaveState[];
  /** Real power factor at the given amps (the voltage and phases are the energy computation's). */
  rpf: (amps: number) => number;
  stateName: (code: number) => string;
  settings: Readonly<Settings>;
  spikeAmps: number;
  alerts: readonly Alert[];
  busConnected: boolean;
  /** New bus counters, or null to keep the previous ones (refreshed at most every 10 s). */
  busStats: StateDocument["bus"]["stats"] | null;
  settingsSaveFailed: boolean;
  /** Local time now (the schedule's activeNow; asked for only when the schedule is rebuilt). */
  local: () => LocalTime;
  /** The MQTT connections and topics (absent: none). */
  mqtt?: MqttInput;
  /** The controller's IANA time zone (absent: the process zone). */
  timeZone?: string;
  /** The vehicle modules' cars, account and alerts (absent: none). */
  vehicles?: VehicleInput;
}

/** The active policy action as getActivePolicyAction (http-api.md §6.5). */
export function policyAction(view: PolicyView): 1 | 2 | 3 | null {
  if (!view.active) return null;
  if (view.active.green) return 3;
  return view.policyAmps > 0 ? 1 : 2;
}

function energySection(i: BuildInputs): StateDocument["energy"] {
  const e = i.energy;
  return {
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
}

function budgetSection(core: CoreConfig, v: PolicyView, spikeAmps: number): StateDocument["budget"] {
  return {
    maxAmpsToDivide: r2(v.maxAmpsToDivide),
    policyAmps: r2(v.policyAmps),
    limitAmps: r2(v.limitAmps),
    gridCapAmps: core.maxAmpsAllowedFromGrid,
    wiringMaxAmpsAllTWCs: core.wiringMaxAmpsAllTWCs,
    wiringMaxAmpsPerTWC: core.wiringMaxAmpsPerTWC,
    minAmpsPerTWC: core.minAmpsPerTWC,
    allowedFlexAmps: r2(v.allowedFlex),
    spikeAmps,
  };
}

function policySection(v: PolicyView, iso: IsoFormatter): StateDocument["policy"] {
  return {
    active: v.active?.name ?? null,
    action: policyAction(v),
    green: v.active?.green ?? false,
    forced: v.forced ? { name: v.forced.name, until: iso(v.forced.until * 1000) } : null,
    latchedUntil: v.latchEndsAtS !== null ? iso(v.latchEndsAtS * 1000) : null,
    lastEvaluatedAt: v.lastEvaluatedAtMs !== null ? iso(v.lastEvaluatedAtMs) : null,
    chargeLimit: v.chargeLimit,
  };
}

function scheduleSection(s: Readonly<Settings>, local: LocalTime): StateDocument["schedule"] {
  const sch = scheduleSettings(s);
  const flex = flexStart(s);
  const minute = (h: number): number => (h < 0 ? -1 : Math.round(h * 60));
  const action = s.nonScheduledAction;
  return {
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
    activeNow: checkScheduledCharging(s, local) === 1,
    resumeGreenEnergyHour: Math.trunc(s.hourResumeTrackGreenEnergy),
    nonScheduledAction: action === 2 ? 2 : action === 3 ? 3 : 1,
    nonScheduledAmps: s.nonScheduledAmpsMax,
    sunriseHour: Math.trunc(s.sunrise),
    sunsetHour: Math.trunc(s.sunset),
  };
}

function chargeNowSection(s: Readonly<Settings>, nowMs: number, iso: IsoFormatter): StateDocument["chargeNow"] {
  const endS = s.chargeNowTimeEnd;
  const amps = s.chargeNowAmps;
  const active = amps > 0 && endS > nowMs / 1000;
  return { active, amps: active ? amps : 0, endsAt: active ? iso(endS * 1000) : null };
}

/** What the explanations read (explain.ts), from the build inputs. */
export function explainInputsOf(i: BuildInputs): ExplainInputs {
  const { maxAmpsAllowedFromGrid: cap, ...core } = i.config.core;
  const v = i.policy;
  const s = i.settings;
  const name = v.active?.name ?? null;
  const requestedA =
    name === "Charge Now" ? s.chargeNowAmps : name === "Scheduled Charging" ? s.scheduledAmpsMax : name === "Non Scheduled Charging" ? s.nonScheduledAmpsMax : null;
  const missing = i.sources.filter((x) => x.updatedAt === null || x.stale).map((x) => x.name);
  return {
    decision: {
      policy: name,
      green: v.active?.green ?? false,
      forced: v.forced !== null && v.forced.name === name,
      policyAmps: v.policyAmps,
      limitAmps: v.limitAmps,
      budgetA: r2(v.maxAmpsToDivide),
      allowedFlexA: v.allowedFlex,
      requestedA: typeof requestedA === "number" && Number.isFinite(requestedA) ? requestedA : null,
      nonScheduledAction: s.nonScheduledAction,
      lastEvaluatedAt: v.lastEvaluatedAtMs !== null ? i.iso(v.lastEvaluatedAtMs) : null,
      carsCharging: i.slaves.filter((x) => x.isCharging).length,
    },
    energy: i.energy,
    readings: { configured: i.sources.length, usable: i.sources.length - missing.length, missing },
    config: cap !== null ? { ...core, maxAmpsAllowedFromGrid: cap } : core,
  };
}

/** The same sentence with the same numbers. */
function sameWhy(a: Why | undefined, b: Why): boolean {
  return a !== undefined && a.code === b.code && a.text === b.text && JSON.stringify(a.params) === JSON.stringify(b.params);
}

/** Whether a section built from `p` still holds for `i` (the same inputs, by identity where they are replaced on change). */
const sameMinute = (p: BuildInputs, i: BuildInputs): boolean => Math.floor(p.nowMs / 60_000) === Math.floor(i.nowMs / 60_000);
const chargeNowAhead = (i: BuildInputs): boolean => i.settings.chargeNowTimeEnd > i.nowMs / 1000;

/**
 * The next document from the inputs, keys in the order of the start-up document. What the inputs do
 * not cover (the identity fields, the bus counters between their 10 s refreshes) is taken from `prev`.
 * With the inputs `prev` was built from, the sections whose inputs are the same are taken from `prev`
 * as they are (the diff then skips them without a walk); the result is the same as a full build.
 */
export function buildStateDocument(
  prev: Readonly<StateDocument>,
  i: BuildInputs,
  prevInputs: BuildInputs | null = null,
): Omit<StateDocument, "revision"> {
  const p = prevInputs;
  const e = i.energy;
  const vehicles = i.vehicles ?? NO_VEHICLES;
  const projected = projectChargers(
    i.slaves,
    { voltage: e.voltage, phases: e.phases, rpf: i.rpf },
    i.iso,
    i.stateName,
    { nowMs: i.nowMs, timeoutMs: i.config.slaveTimeoutS * 1000 },
  );
  const samePolicy = p !== null && p.policy === i.policy;
  const sameSettings = p !== null && p.settings === i.settings;
  const ex = explainInputsOf(i);
  const chargerPolicy = { policy: ex.decision.policy, green: ex.decision.green, mode: prev.mode };
  const chargers = projected.chargers.map((c, k) => ({ ...c, why: explainCharger(c, i.slaves[k]?.offerTrace, chargerPolicy) }));
  const offeredWhy = explainOfferedTotal({
    chargers: chargers.map((c, k) => ({
      id: c.id,
      offeredA: c.ampsOffered ?? 0,
      actualA: c.reportedAmpsActual,
      idleMinimum: i.slaves[k]?.offerTrace?.belowMin === "twcMin",
    })),
    budgetA: ex.decision.budgetA,
    carsCharging: ex.decision.carsCharging,
    wiringMaxAmpsAllTWCs: i.config.core.wiringMaxAmpsAllTWCs,
  });
  const budgetWhy = explainBudget(ex);
  const budget =
    samePolicy && p.spikeAmps === i.spikeAmps && sameWhy(prev.budget.why, budgetWhy)
      ? prev.budget
      : { ...budgetSection(i.config.core, i.policy, i.spikeAmps), why: budgetWhy };
  return {
    schemaVersion: prev.schemaVersion,
    startedAt: prev.startedAt,
    version: prev.version,
    mode: prev.mode,
    bus: {
      interface: prev.bus.interface,
      endpoint: prev.bus.endpoint,
      connected: i.busConnected,
      stats: i.busStats ?? prev.bus.stats,
    },
    chargers,
    totals: { ...projected.totals, offeredWhy },
    energy: { ...energySection(i), greenSurplusW: greenSurplusW(ex), why: explainEnergy(ex) },
    budget,
    policy: samePolicy ? prev.policy : policySection(i.policy, i.iso),
    schedule: sameSettings && sameMinute(p, i) ? prev.schedule : scheduleSection(i.settings, i.local()),
    chargeNow:
      sameSettings && chargeNowAhead(p) === chargeNowAhead(i) ? prev.chargeNow : chargeNowSection(i.settings, i.nowMs, i.iso),
    offsets: e.offsets.map((o) => ({ name: o.name, value: o.value, unit: o.unit, watts: int(o.watts) })),
    legacyAmpsOffset: e.legacyAmpsOffset,
    settingsSaveFailed: i.settingsSaveFailed,
    alerts: [...i.alerts, ...vehicleAlerts(vehicles, i.iso)],
    mqtt: p !== null && p.mqtt === i.mqtt ? prev.mqtt : mqttSection(i.mqtt ?? NO_MQTT, i.iso),
    clock: p !== null && prev.clock !== undefined && sameMinute(p, i) ? prev.clock : controllerClock(i.iso(i.nowMs), i.timeZone),
    vehicles: p !== null && p.vehicles === i.vehicles ? prev.vehicles : vehiclesSection(vehicles, i.iso),
    teslaAccount: p !== null && p.vehicles === i.vehicles ? prev.teslaAccount : teslaAccountSection(vehicles, i.iso),
  };
}
