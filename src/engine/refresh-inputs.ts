/**
 * What a state refresh depends on, and whether any of it changed since the last rebuild (issue 9 §7:
 * a cheap idle). The engine refreshes on every bus change and every second; when these inputs are the
 * same as at the last rebuild, the energy computation, the projection and the document would be the
 * same too, so the engine skips them. Pure.
 *
 * Identity is compared where the source replaces its object on every change (the slave records, the
 * policy view, the settings); values where a fresh object is made on each read (readings, source
 * status, alerts). The clock enters only through what it changes in the document: the local minute
 * (the schedule's activeNow), whether Charge Now still runs, and, through the values above, staleness
 * and alerts.
 */
import type { Settings } from "../config/settings-schema.ts";
import type { SummedReadings } from "../energy/staleness.ts";
import type { Alert, EnergySourceStatus } from "../state/types.ts";
import type { SlaveState } from "../bus/slave-state.ts";
import type { PolicyView } from "./policy-runtime.ts";
import { NO_MQTT, type MqttConnectionInput, type MqttInput } from "./state-projection.ts";
import { NO_VEHICLES, sameVehicleInput, type VehicleInput } from "./state-projection-vehicles.ts";

/** The inputs of one refresh. */
export interface RefreshInputs {
  /** The bus runtime's slave records (a new array whenever a slave changed). */
  slaves: readonly SlaveState[];
  /** The policy runtime's view (a new object after each evaluation). */
  policy: PolicyView;
  /** The settings (a new object on each change). */
  settings: Readonly<Settings>;
  readings: Pick<SummedReadings, "generationW" | "consumptionW" | "consumptionA" | "allUsable" | "anyStale">;
  sources: readonly EnergySourceStatus[];
  spikeAmps: number;
  alerts: readonly Alert[];
  busConnected: boolean;
  settingsSaveFailed: boolean;
  /** Epoch minute: local time enters the document at minute resolution (time-zone offsets are whole minutes). */
  minute: number;
  /** `settings.chargeNowTimeEnd` is still ahead. */
  chargeNowAhead: boolean;
  /** How many slaves have been silent longer than the link timeout (their "not responding" flag). */
  silentSlaves: number;
  /** The MQTT connections and topics (absent: none). */
  mqtt?: MqttInput;
  /** The vehicle modules' cars, account and alerts (absent: none). */
  vehicles?: VehicleInput;
}

function sameConnection(a: MqttConnectionInput, b: MqttConnectionInput): boolean {
  return (
    a.broker === b.broker &&
    a.version === b.version &&
    a.connected === b.connected &&
    a.connectedSinceMs === b.connectedSinceMs &&
    a.lastError === b.lastError &&
    a.connects === b.connects &&
    a.users.join("\u0000") === b.users.join("\u0000")
  );
}

/** The same MQTT connections (value by value) and topics. */
export function sameMqtt(a: MqttInput, b: MqttInput): boolean {
  return (
    a.controlTopicPrefix === b.controlTopicPrefix &&
    a.statusTopicPrefix === b.statusTopicPrefix &&
    a.homeAssistantControls === b.homeAssistantControls &&
    a.connections.length === b.connections.length &&
    a.connections.every((c, i) => {
      const d = b.connections[i];
      return d !== undefined && sameConnection(c, d);
    })
  );
}

/** Flat records (a source status, an alert) with the same keys and the same values. */
function sameFlat(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of ka) if (!Object.hasOwn(rb, k) || !Object.is(ra[k], rb[k])) return false;
  return true;
}

function sameList(a: readonly object[], b: readonly object[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || !sameFlat(x, y)) return false;
  }
  return true;
}

/** The slaves silent longer than `timeoutMs` at `nowMs` (the projection's `responding: false`). */
export function silentSlaves(slaves: readonly SlaveState[], nowMs: number, timeoutMs: number): number {
  let n = 0;
  for (const s of slaves) if (nowMs - s.lastRxAtMs > timeoutMs) n++;
  return n;
}

/** True when a rebuild from `b` would produce exactly what the rebuild from `a` produced. */
export function sameRefreshInputs(a: RefreshInputs, b: RefreshInputs): boolean {
  return a.slaves === b.slaves && sameBesidesSlaves(a, b);
}

/** True when every input but the slave records is the same (sameRefreshInputs without `slaves`). */
export function sameBesidesSlaves(a: RefreshInputs, b: RefreshInputs): boolean {
  return (
    a.policy === b.policy &&
    a.settings === b.settings &&
    Object.is(a.readings.generationW, b.readings.generationW) &&
    Object.is(a.readings.consumptionW, b.readings.consumptionW) &&
    Object.is(a.readings.consumptionA, b.readings.consumptionA) &&
    a.readings.allUsable === b.readings.allUsable &&
    a.readings.anyStale === b.readings.anyStale &&
    a.spikeAmps === b.spikeAmps &&
    a.busConnected === b.busConnected &&
    a.settingsSaveFailed === b.settingsSaveFailed &&
    a.minute === b.minute &&
    a.chargeNowAhead === b.chargeNowAhead &&
    a.silentSlaves === b.silentSlaves &&
    sameList(a.sources, b.sources) &&
    sameList(a.alerts, b.alerts) &&
    sameMqtt(a.mqtt ?? NO_MQTT, b.mqtt ?? NO_MQTT) &&
    sameVehicleInput(a.vehicles ?? NO_VEHICLES, b.vehicles ?? NO_VEHICLES)
  );
}
