/**
 * The vehicle parts of the state document (vehicles.md §2.13), pure: the `vehicles` list and the
 * `teslaAccount` status projected from what the vehicle modules report, and their alerts as state
 * alerts. Coordinates and tokens never leave the module: the projection copies named fields only.
 */
import { alertSeverity } from "../bus/alerts.ts";
import type { VehicleSource, VehicleStatus } from "../integrations/capabilities.ts";
import type { TeslaAccountStatus, VehicleAlert } from "../integrations/tesla/account.ts";
import type { Alert, StateDocument, TeslaAccountDoc, VehicleCommandDoc, VehicleDoc } from "../state/types.ts";

/** Converts epoch ms to the document's ISO local time format. */
type IsoFormatter = (epochMs: number) => string;

/** What the vehicle parts are built from (read from the commands facade on every refresh). */
export interface VehicleInput {
  /** The cars' records (every module's, one per VIN). */
  statuses: readonly VehicleStatus[];
  /** The Fleet API module's account, null when it does not run. */
  account: TeslaAccountStatus | null;
  /** The vehicle modules' raised alerts. */
  alerts: readonly VehicleAlert[];
}

/** No vehicle module. */
export const NO_VEHICLES: VehicleInput = { statuses: [], account: null, alerts: [] };

/** True when both inputs would give the same document parts (value by value: the modules copy their records on each read). */
export function sameVehicleInput(a: VehicleInput, b: VehicleInput): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** How commands reach a car of this source (the proxy signs them; the plain Fleet API is read-only on most cars). */
function commandPath(source: VehicleSource, account: TeslaAccountStatus | null): VehicleDoc["commandPath"] {
  switch (source) {
    case "TeslaAPI":
      return account?.proxy === true ? "proxy" : "fleetApi";
    case "TeslaBLE":
      return "ble";
    case "HomeAssistant":
      return "homeAssistant";
    case "TeslaMate":
    case "FleetTelemetry":
      return "none"; // state only: these modules send no command
  }
}

const finiteOrNull = (x: number | null): number | null => (x !== null && Number.isFinite(x) ? x : null);

function commandDoc(s: VehicleStatus, iso: IsoFormatter): VehicleCommandDoc | null {
  const c = s.lastCommand;
  if (c === null) return null;
  const r = c.result;
  return {
    name: c.name,
    body: c.body === null ? null : { ...c.body },
    at: iso(c.atMs),
    ok: r.ok,
    kind: r.ok ? null : r.kind,
    reason: r.reason ?? null,
    status: r.ok ? null : (r.status ?? null),
    fix: r.ok ? null : (r.fix ?? null),
    via: c.via ?? null,
  };
}

/** One car of the document (named fields only: never the location). */
export function vehicleDoc(s: VehicleStatus, account: TeslaAccountStatus | null, iso: IsoFormatter): VehicleDoc {
  return {
    vin: s.vin,
    id: s.id,
    name: s.name,
    source: s.source,
    syncSource: s.source,
    // The router's path for the car when it runs (the first backend commandPolicy lets command it).
    commandPath: s.commandVia === undefined ? commandPath(s.source, account) : s.commandVia === null ? "none" : commandPath(s.commandVia, account),
    atHome: s.atHome,
    batteryLevel: finiteOrNull(s.socPercent),
    chargeLimit: finiteOrNull(s.chargeLimitPercent),
    chargingState: s.chargingState,
    timeToFullChargeH: finiteOrNull(s.timeToFullChargeH),
    chargeCurrentRequestA: finiteOrNull(s.chargeCurrentRequestA),
    actualCurrentA: finiteOrNull(s.actualCurrentA),
    scheduledChargingPending: s.scheduledChargingPending,
    onlineState: s.onlineState,
    twcId: s.twcId,
    lastSeenAt: s.lastSeenMs === null ? null : iso(s.lastSeenMs),
    updatedAt: s.updatedAtMs === null ? null : iso(s.updatedAtMs),
    backoffUntil: s.backoffUntilMs === null ? null : iso(s.backoffUntilMs),
    stopAskingToStartCharging: s.stopAskingToStartCharging,
    lastCommand: commandDoc(s, iso),
  };
}

/** The `vehicles` list, sorted by VIN. */
export function vehiclesSection(v: VehicleInput, iso: IsoFormatter): VehicleDoc[] {
  return [...v.statuses].sort((a, b) => (a.vin < b.vin ? -1 : a.vin > b.vin ? 1 : 0)).map((s) => vehicleDoc(s, v.account, iso));
}

/** The `teslaAccount` status (never a token), null without the Fleet API module. */
export function teslaAccountSection(v: VehicleInput, iso: IsoFormatter): StateDocument["teslaAccount"] {
  const a = v.account;
  if (a === null) return null;
  const doc: TeslaAccountDoc = {
    configured: a.configured,
    pkce: a.pkce,
    loggedIn: a.loggedIn,
    tokenExpiresAt: a.tokenExpiresAt === null ? null : iso(a.tokenExpiresAt),
    tokenSync: a.tokenSync,
    proxy: a.proxy,
    region: a.region,
  };
  return doc;
}

/** The vehicle modules' alerts as state alerts. */
export function vehicleAlerts(v: VehicleInput, iso: IsoFormatter): Alert[] {
  return v.alerts.map((a) => ({ code: a.code, severity: alertSeverity(a.code), message: a.message, since: iso(a.sinceMs) }));
}
