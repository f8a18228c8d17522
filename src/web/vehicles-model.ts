/**
 * What the Vehicles, vehicle detail, Tesla account and Debug pages show, in words (vehicles.md §8):
 * a car's values, its command path and last command, the login results, the groups of a VIN, and the
 * forms' checks. Pure; the shapes are the server's (state/types.ts), with the BLE/router fields optional.
 */
import type { StateDocument, TeslaAccountDoc, VehicleCommandDoc, VehicleDoc, VehicleGroupDoc } from "../state/types.ts";

export type { TeslaAccountDoc, VehicleCommandDoc, VehicleDoc } from "../state/types.ts";

/** A vehicle group as GET /api/v2/vehicles lists it. */
export type GroupView = VehicleGroupDoc;

/** The cars of the state document ([] from a server without vehicle support). */
export function vehiclesOf(s: StateDocument | null): VehicleDoc[] {
  const v = (s as { vehicles?: unknown } | null)?.vehicles;
  return Array.isArray(v) ? (v as VehicleDoc[]) : [];
}

/** The Tesla account of the state document; null when the Fleet API module is not running. */
export function accountOf(s: StateDocument | null): TeslaAccountDoc | null {
  const a = (s as { teslaAccount?: unknown } | null)?.teslaAccount;
  return typeof a === "object" && a !== null ? (a as TeslaAccountDoc) : null;
}

/** A VIN a charger reported (settings.Vehicles), with BLE pairing when the BLE module adds it. */
export interface KnownVehicle {
  vin: string;
  chargeSessions: number;
  totalKWh: number;
  /** `BLEPeeringStatus` (vehicles.md §4.6): "requested", "peered", or absent. */
  blePairing?: string | null;
}

/** GET /api/v2/vehicles. */
export interface VehiclesData {
  known: KnownVehicle[];
  groups: GroupView[];
  live: VehicleDoc[];
  /** The BLE module is loaded (pairing available). */
  ble: boolean;
}

/** Reads GET /api/v2/vehicles' body; null when it is not that shape. */
export function parseVehiclesData(body: unknown): VehiclesData | null {
  if (typeof body !== "object" || body === null) return null;
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.known) || !Array.isArray(b.groups)) return null;
  return {
    known: b.known as KnownVehicle[],
    groups: b.groups as GroupView[],
    live: Array.isArray(b.live) ? (b.live as VehicleDoc[]) : [],
    ble: b.ble === true,
  };
}

/** One card of the Vehicles page: a VIN with its live record and/or its charge sessions. */
export interface VehicleRow {
  vin: string;
  name: string;
  live: VehicleDoc | null;
  known: KnownVehicle | null;
}

/** Every VIN of the live records and of settings.Vehicles, sorted by VIN (vehicles.md §8.4). */
export function vehicleRows(live: readonly VehicleDoc[], known: readonly KnownVehicle[]): VehicleRow[] {
  const rows = new Map<string, VehicleRow>();
  for (const k of known) rows.set(k.vin, { vin: k.vin, name: k.vin, live: null, known: k });
  for (const v of live) {
    const row = rows.get(v.vin);
    rows.set(v.vin, { vin: v.vin, name: v.name !== "" ? v.name : v.vin, live: v, known: row?.known ?? null });
  }
  return [...rows.values()].sort((a, b) => (a.vin < b.vin ? -1 : a.vin > b.vin ? 1 : 0));
}

/** "54 %", or "Unknown". */
export function percentText(p: number | null | undefined): string {
  return p === null || p === undefined || !Number.isFinite(p) ? "Unknown" : `${Math.round(p)} %`;
}

/** At home in words (null: the position is not known yet). */
export function atHomeText(atHome: boolean | null): string {
  return atHome === null ? "Unknown (no position yet)" : atHome ? "At home" : "Away";
}

const CHARGING_WORDS: Readonly<Record<string, string>> = {
  Charging: "Charging",
  Complete: "Complete (charge limit reached)",
  Disconnected: "Not plugged in",
  Stopped: "Plugged in, not charging",
  NoPower: "Plugged in, no power from the charger",
  Starting: "Starting",
  Unknown: "Unknown",
};

/** The car's charging state in words. */
export function chargingText(state: string): string {
  return CHARGING_WORDS[state] ?? state;
}

const ONLINE_WORDS: Readonly<Record<string, string>> = {
  online: "awake",
  asleep: "asleep",
  offline: "offline",
  waking: "waking up",
  unknown: "not asked yet",
};

/** The car's connection state in words. */
export function onlineText(state: string): string {
  return ONLINE_WORDS[state] ?? state;
}

const PATH_WORDS: Readonly<Record<string, string>> = {
  proxy: "Tesla API through the vehicle-command proxy (signed commands)",
  fleetApi: "Tesla API without the proxy (most cars refuse commands: configure teslaProxy or TeslaBLE)",
  ble: "Bluetooth (tesla-control)",
  homeAssistant: "Home Assistant",
  none: "None: read only",
};

/** The command path (vehicles.md §4.9) in words. */
export function commandPathText(path: string | null | undefined): string {
  if (path === null || path === undefined) return "Unknown";
  return PATH_WORDS[path] ?? path;
}

const SOURCE_WORDS: Readonly<Record<string, string>> = {
  TeslaAPI: "Tesla Fleet API",
  TeslaBLE: "Bluetooth (tesla-control)",
  TeslaMate: "TeslaMate",
  FleetTelemetry: "Fleet Telemetry",
  HomeAssistant: "Home Assistant",
};

/** A vehicle module's name in words. */
export function sourceText(source: string): string {
  return SOURCE_WORDS[source] ?? source;
}

const KIND_WORDS: Readonly<Record<string, string>> = {
  asleep: "the car is asleep",
  timeout: "the car did not answer in time",
  rate_limited: "Tesla limits the requests for now",
  command_protocol_required: "the car needs signed commands (configure teslaProxy or TeslaBLE)",
  unauthorized: "not logged in to Tesla (log in on the Tesla account page)",
  forbidden: "Tesla refused it (check the app's scopes)",
  network: "Tesla could not be reached",
  malformed: "Tesla's answer could not be read",
  refused: "the car refused",
  away: "the car is away from home",
  unavailable: "not possible now",
  server: "Tesla's server failed",
};

/** A command as the user would say it: "Set charging amps to 8 A". */
export function commandText(c: Pick<VehicleCommandDoc, "name" | "body">): string {
  const b = c.body ?? {};
  switch (c.name) {
    case "charge_start":
      return "Start charging";
    case "charge_stop":
      return "Stop charging";
    case "set_charging_amps":
      return b.charging_amps !== undefined ? `Set charging amps to ${String(b.charging_amps)} A` : "Set charging amps";
    case "set_charge_limit":
      return b.percent !== undefined ? `Set charge limit to ${String(b.percent)} %` : "Set charge limit";
    case "wake_up":
      return "Wake up";
    default:
      return String(c.name);
  }
}

/**
 * The outcome of a command: "done", "done (already_set)", "failed: the car is asleep (408 …)." and,
 * when the module names one, "What to do: …". A reason that only repeats the fix is left out.
 */
export function commandOutcome(c: Pick<VehicleCommandDoc, "ok" | "kind" | "reason" | "fix">): string {
  if (c.ok) return c.reason ? `done (${c.reason})` : "done";
  const words = c.kind !== null ? (KIND_WORDS[c.kind] ?? c.kind) : "not done";
  // The parenthesised hint of the words is the fix in short: not needed when the fix follows.
  const kind = c.fix ? words.replace(/\s*\([^)]*\)$/, "") : words;
  const reason = c.reason?.trim() ?? "";
  const redundant = reason === "" || reason === c.kind || (c.fix !== null && c.fix !== "" && reason.includes(c.fix));
  const text = `failed: ${kind}${redundant ? "" : ` (${reason.replace(/\.$/, "")})`}.`;
  return c.fix ? `${text} What to do: ${c.fix.replace(/\.$/, "")}.` : text;
}

/** What a `/teslaAccount/<result>` page says (vehicles.md §8.2). */
export interface LoginMessage {
  tone: "ok" | "error";
  text: string;
}

/** The message of a login result. */
export function loginMessage(result: string): LoginMessage {
  switch (result) {
    case "success":
      return {
        tone: "ok",
        text: "Logged in to Tesla: the tokens are stored. To start and stop charging through the car, also configure teslaProxy (the vehicle-command proxy) or TeslaBLE.",
      };
    case "state_mismatch":
      return {
        tone: "error",
        text: "This callback address does not belong to the current login (it is from an older attempt, or the login was restarted). Start again with step 1 and paste the address of that attempt.",
      };
    case "not_configured":
      return {
        tone: "error",
        text: "Login is not configured: set teslaApiClientID and teslaApiRedirectUri in config.json (see below).",
      };
    case "response_no_token":
      return { tone: "error", text: "Tesla answered without tokens. Start the login again." };
    case "error":
      return {
        tone: "error",
        text: "The login failed (no code in the address, Tesla not reachable or an unreadable answer). The log says more.",
      };
    default:
      return { tone: "error", text: `Tesla reported an error: ${result}` };
  }
}

/** The groups with whether the VIN is in each (vehicles.md §8.4), in the page's order (by name). */
export function membership(vin: string, groups: readonly GroupView[]): { group: GroupView; member: boolean }[] {
  return [...groups]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((group) => ({ group, member: group.members.includes(vin) }));
}

/** Entitlement in words for chargeAuthorizationMode 1/2 (controller.md §13: only the built-in groups count). */
export function entitlementText(vin: string, groups: readonly GroupView[], mode: number | null): string {
  const inGroup = (name: string): boolean => groups.some((g) => g.name === name && g.members.includes(vin));
  if (inGroup("Deny Charging")) return "May not charge: it is in Deny Charging.";
  if (mode === 2) return inGroup("Allow Charging") ? "May charge: it is in Allow Charging." : "May not charge: authorisation mode 2 allows only cars in Allow Charging.";
  return "May charge (authorisation mode 1 allows every car not in Deny Charging).";
}

/** The Add Group form's checks (the server's rules: 1–64 characters, no control characters, new name). */
export function checkGroup(name: string, groups: readonly GroupView[]): Record<string, string> {
  const n = name.trim();
  if (n === "") return { group: "Enter a group name" };
  if (n.length > 64) return { group: "The group name can have at most 64 characters" };
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(n)) return { group: "The group name cannot contain control characters" };
  if (groups.some((g) => g.name === n)) return { group: `A group named '${n}' already exists` };
  return {};
}

/** The paste-back field's check: the address Tesla redirected to carries code= and state=. */
export function checkCallbackUrl(url: string): string | null {
  const t = url.trim();
  if (t === "") return "Paste the address your browser shows after you approved the login at Tesla";
  if (!/[?&]code=[^&]+/.test(t)) return "This address has no code=…: copy the whole address from the browser's address bar after approving at Tesla";
  if (!/[?&]state=[^&]+/.test(t)) return "This address has no state=…: copy the whole address, including everything after the ?";
  return null;
}

/** The manual token form's check: at least one token (empty fields change nothing). */
export function checkTokens(access: string, refresh: string): string | null {
  return access.trim() === "" && refresh.trim() === "" ? "Enter an access token, a refresh token or both" : null;
}

/** The Debug page's Tesla API command (vehicles.md §8.5) as the server checks it; errors by field. */
export function checkTeslaCommand(
  command: "setChargeRate" | "wakeVehicle",
  vehicleId: string,
  parameters: string,
  maxAmps: number,
): Record<string, string> {
  const e: Record<string, string> = {};
  if (!/^\d+$/.test(vehicleId)) e.vehicleID = "Choose a car";
  if (command !== "setChargeRate") return e;
  let p: unknown;
  try {
    p = JSON.parse(parameters === "" ? "{}" : parameters);
  } catch {
    e.parameters = 'Parameters must be JSON, e.g. { "charge_rate": 5 }';
    return e;
  }
  const rate = typeof p === "object" && p !== null ? (p as Record<string, unknown>).charge_rate : undefined;
  if (typeof rate !== "number" || !Number.isInteger(rate) || rate < 1 || rate > maxAmps)
    e.parameters = `Charge rate must be a whole number of amps between 1 and ${String(maxAmps)}`;
  return e;
}

/** API field names in the vehicle forms' words (server messages name them). */
export const VEHICLE_LABELS: Readonly<Record<string, string>> = {
  url: "Callback address",
  accessToken: "Access token",
  refreshToken: "Refresh token",
  group: "Group name",
  description: "Description",
  vin: "VIN",
  operation: "Operation",
  charge_rate: "Charge rate",
  vehicleID: "Vehicle",
  commandName: "Command",
  parameters: "Parameters",
};
