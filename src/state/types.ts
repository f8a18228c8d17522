/**
 * The typed state document (http-api.md §8.1), shared by REST v2, SSE, MQTT, metrics, the legacy
 * renderers and the web UI (type-only import). It holds no clocks, so it changes only when something
 * happens.
 */

/** Weekday flags. */
export interface Days {
  monday: boolean;
  tuesday: boolean;
  wednesday: boolean;
  thursday: boolean;
  friday: boolean;
  saturday: boolean;
  sunday: boolean;
}

/** Alert codes raised by the product. */
export type AlertCode =
  | "BUS_DISCONNECTED"
  | "NO_CHARGERS"
  | "ENERGY_DATA_STALE"
  | "SETTINGS_SAVE_FAILED"
  | "SETTINGS_RECOVERED"
  | "HISTORY_UNAVAILABLE"
  | "WIRING_ABOVE_RATING"
  | "MIN_ABOVE_WIRING"
  | "CHARGER_ERROR_STATE"
  | "FOREIGN_MASTER"
  | "TOO_MANY_SLAVES"
  | "STOP_NOT_POSSIBLE"
  | "HTTP_PUBLIC_WITHOUT_AUTH"
  | "FRAME_REFUSED_UNSAFE"
  | "BUS_WRITE_STALLED"
  | "BUS_REPLIES_LOW"
  | "IMPLAUSIBLE_READING";

/** One raised alert. */
export interface Alert {
  code: AlertCode;
  severity: "info" | "warning" | "error";
  message: string;
  since: string;
  twcId?: string;
}

/** One linked charger. */
export interface Charger {
  id: string;
  protocolVersion: 1 | 2;
  ratedAmps: number;
  wiringMaxAmps: number;
  minAmps: number;
  state: number;
  stateName: string;
  reportedAmpsMax: number;
  reportedAmpsActual: number;
  ampsOffered: number | null;
  ampsDesired: number | null;
  charging: boolean;
  chargingSince: string | null;
  powerW: number;
  lifetimeKWh: number | null;
  voltage: { a: number; b: number; c: number };
  phases: number;
  vin: { current: string | null; last: string | null };
  linkedAt: string;
  lastHeartbeatAt: string | null;
}

/** Status of one energy source. */
export interface EnergySourceStatus {
  name: "URL" | "HASS" | "MQTT" | "Demo";
  ok: boolean;
  stale: boolean;
  updatedAt: string | null;
  generationW: number | null;
  consumptionW: number | null;
  consumptionA: number | null;
  error: string | null;
}

/** The whole state document. */
export interface StateDocument {
  schemaVersion: 1;
  revision: number;
  startedAt: string;
  version: string;
  mode: "master" | "monitor" | "slave";
  bus: {
    interface: "RS485" | "TCP" | "Dummy";
    endpoint: string | null;
    connected: boolean;
    stats: {
      framesReceived: number;
      framesSent: number;
      framesDropped: number;
      checksumErrors: number;
      noiseBytes: number;
      updatedAt: string;
    };
  };
  chargers: Charger[];
  totals: {
    chargers: number;
    carsCharging: number;
    ampsActual: number;
    ampsOffered: number;
    powerW: number;
    lifetimeKWh: number;
    minRatedAmps: number | null;
  };
  energy: {
    voltage: number;
    phases: number;
    voltageSource: "chargers" | "config";
    generationW: number;
    consumptionW: number;
    generationA: number;
    consumptionA: number;
    chargerLoadW: number;
    chargerLoadA: number;
    surplusW: number;
    offsetsW: number;
    stale: boolean;
    sources: EnergySourceStatus[];
  };
  budget: {
    maxAmpsToDivide: number;
    policyAmps: number;
    limitAmps: number;
    gridCapAmps: number | null;
    wiringMaxAmpsAllTWCs: number;
    wiringMaxAmpsPerTWC: number;
    minAmpsPerTWC: number;
    allowedFlexAmps: number;
    spikeAmps: number;
  };
  policy: {
    active: string | null;
    action: 1 | 2 | 3 | null;
    green: boolean;
    forced: { name: string; until: string } | null;
    latchedUntil: string | null;
    lastEvaluatedAt: string | null;
    chargeLimit: number;
  };
  schedule: {
    enabled: boolean;
    amps: number;
    startMinute: number;
    endMinute: number;
    days: Days;
    flexStart: { enabled: boolean; batteryKWh: number; startMinute: number | null; days: Days };
    activeNow: boolean;
    resumeGreenEnergyHour: number;
    nonScheduledAction: 1 | 2 | 3;
    nonScheduledAmps: number;
    sunriseHour: number;
    sunsetHour: number;
  };
  chargeNow: { active: boolean; amps: number; endsAt: string | null };
  offsets: { name: string; value: number; unit: "A" | "W"; watts: number }[];
  legacyAmpsOffset: number;
  settingsSaveFailed: boolean;
  alerts: Alert[];
}

/** One RFC 6902 operation (only the three the diff produces). */
export type PatchOp =
  | { op: "add"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "replace"; path: string; value: unknown };

/** One point of `GET /api/v2/history` (shared with the web interface). */
export interface HistoryDocPoint {
  t: string;
  chargerW: number;
  generationW: number | null;
  consumptionW: number | null;
}

/** `GET /api/v2/history` body. */
export interface HistoryDoc {
  stepS: 300;
  from: string;
  to: string;
  points: HistoryDocPoint[];
}

/** One charge session of `GET /api/v2/sessions` (shared with the web interface). */
export interface SessionDoc {
  id: number;
  twcId: string;
  vin: string | null;
  startedAt: string;
  endedAt: string | null;
  startKWh: number | null;
  endKWh: number | null;
  energyKWh: number | null;
  endReason: "stopped" | "linkLost" | "shutdown" | null;
}
