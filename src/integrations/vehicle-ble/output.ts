/**
 * What a `tesla-control` run means (vehicles.md §4.4): success, "already satisfied", or a failure
 * category; and the state JSON of `state charge` / `state location`. Pure.
 */

/** How a child process ended. */
export interface RunResult {
  /** null when killed by a signal or never started. */
  exitCode: number | null;
  /** Killed by our timeout (SIGTERM to its group, then SIGKILL). */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The program could not be started (ENOENT, EACCES …), else null. */
  spawnError: string | null;
}

/** Why an invocation failed (logged; the adapter and pairing categories also raise an alert). */
export type BleFailure = "timeout" | "connection" | "authentication" | "vehicle_unavailable" | "adapter_missing" | "command_failed";

/** The verdict on one run. */
export interface BleVerdict {
  ok: boolean;
  /** The car's "already satisfied" reason (`is_charging`, `already_set` …), else null. */
  alreadySatisfied: string | null;
  /** null on success. */
  failure: BleFailure | null;
  /** A short, secret-free line for logs and the UI (the program's last meaningful output line). */
  message: string;
  /** The output shows an authenticated session (§4.6 "peered"). */
  authenticated: boolean;
}

const SATISFIED = /car could not execute command: (complete|is_charging|charging|requested|disconnected|already_set)\b/i;
const SUCCESS = /updated session info for domain_vehicle_security|command executed successfully|vehicle responded|success|ok/i;
const AUTHENTICATED = /updated session info for domain_|command executed successfully|car could not execute command/i;

const CATEGORIES: readonly [BleFailure, RegExp][] = [
  ["adapter_missing", /can't init hci|no devices available|hci\d+: |bluetooth adapter|adapter (is )?(not|unavailable|missing)|org\.bluez\.error|failed to (enable|open|find) (the )?(ble|bluetooth) (adapter|device)|operation not permitted.*(hci|bluetooth)/i],
  ["authentication", /not been paired|key not paired|not paired|unknown (public )?key|public key.*(not|unknown)|unauthori[sz]ed|authentication|permission denied by vehicle|ErrKeyNotPaired/i],
  ["vehicle_unavailable", /not in range|failed to find (a )?(ble )?(beacon|vehicle)|can'?t find vehicle|vehicle (is )?(unavailable|not found|asleep|offline)|no such vehicle/i],
  ["timeout", /timeout|timed out|deadline exceeded/i],
  ["connection", /connect|connection|disconnected|broken pipe|reset by peer|gatt|characteristic/i],
];

/** The last non-empty line of the output, shortened (tesla-control's own words; no key material). */
export function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
  const l = lines[lines.length - 1] ?? "";
  return l.length > 200 ? `${l.slice(0, 197)}...` : l;
}

/** The failure category of an error output. */
export function failureCategory(text: string): BleFailure {
  for (const [cat, re] of CATEGORIES) if (re.test(text)) return cat;
  return "command_failed";
}

/** §4.4 verdict on a command run (start, stop, amps, limit, wake, pairing). */
export function judge(r: RunResult): BleVerdict {
  const text = `${r.stderr}\n${r.stdout}`;
  if (r.spawnError !== null) return { ok: false, alreadySatisfied: null, failure: "command_failed", message: `tesla-control could not be started: ${r.spawnError}`, authenticated: false };
  if (r.timedOut) return { ok: false, alreadySatisfied: null, failure: "timeout", message: "no answer within the timeout (tesla-control was stopped)", authenticated: false };
  const sat = SATISFIED.exec(text);
  if (sat) return { ok: true, alreadySatisfied: (sat[1] ?? "").toLowerCase(), failure: null, message: lastLine(text), authenticated: true };
  if (r.exitCode !== 0) {
    const failure = failureCategory(text);
    return { ok: false, alreadySatisfied: null, failure, message: lastLine(text) || `tesla-control exited with ${String(r.exitCode)}`, authenticated: false };
  }
  const out = text.trim() === "" ? "ok" : text;
  if (SUCCESS.test(out)) return { ok: true, alreadySatisfied: null, failure: null, message: lastLine(out), authenticated: AUTHENTICATED.test(out) };
  return { ok: false, alreadySatisfied: null, failure: failureCategory(out), message: lastLine(out), authenticated: false };
}

/** What a BLE state read yields (vehicles.md §4.4); absent fields were not in the answer. */
export interface BleState {
  batteryLevel?: number;
  chargeLimitSoc?: number;
  chargingState?: string;
  chargerPilotCurrent?: number;
  chargerActualCurrent?: number;
  chargerVoltage?: number;
  chargerPhases?: number;
  scheduledChargingPending?: boolean;
  timeToFullCharge?: number;
  latitude?: number;
  longitude?: number;
  heading?: number;
  /** Epoch s. */
  gpsAsOf?: number;
}

function rec(v: unknown): Record<string, unknown> | null {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** An enum arrives as an object with one key (`{"Charging": {}}` → "Charging") or as a string. */
function enumOf(v: unknown): string | undefined {
  if (typeof v === "string" && v !== "") return v;
  const o = rec(v);
  if (!o) return undefined;
  const keys = Object.keys(o);
  return keys.length === 1 ? keys[0] : undefined;
}

function put<K extends keyof BleState>(out: BleState, k: K, v: BleState[K] | undefined): void {
  if (v !== undefined) out[k] = v;
}

/** §4.4 state JSON: null for a non-zero exit, a timeout, invalid JSON or no state object. */
export function parseState(r: RunResult): BleState | null {
  if (r.exitCode !== 0 || r.timedOut || r.spawnError !== null) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    return null;
  }
  const d = rec(doc);
  if (!d) return null;
  const c = rec(d.chargeState);
  const l = rec(d.locationState);
  if (!c && !l) return null;
  const out: BleState = {};
  if (c) {
    put(out, "batteryLevel", numberOf(c.batteryLevel));
    put(out, "chargeLimitSoc", numberOf(c.chargeLimitSoc));
    put(out, "chargingState", enumOf(c.chargingState));
    put(out, "chargerPilotCurrent", numberOf(c.chargerPilotCurrent));
    put(out, "chargerActualCurrent", numberOf(c.chargerActualCurrent));
    put(out, "chargerVoltage", numberOf(c.chargerVoltage));
    put(out, "chargerPhases", numberOf(c.chargerPhases));
    if (typeof c.scheduledChargingPending === "boolean") out.scheduledChargingPending = c.scheduledChargingPending;
    put(out, "timeToFullCharge", numberOf(c.timeToFullCharge));
  }
  if (l) {
    put(out, "latitude", numberOf(l.latitude));
    put(out, "longitude", numberOf(l.longitude));
    put(out, "heading", numberOf(l.heading));
    const g = l.gpsAsOf;
    put(out, "gpsAsOf", numberOf(g) ?? numberOf(rec(g)?.seconds));
  }
  return out;
}
