/**
 * The vehicle-group edits of the vehicle pages (vehicles.md §8.1, §8.4), pure: validate a form, and
 * give the new `settings.VehicleGroups` or the error (status and message naming the field). Groups are
 * upstream's `{Description, "Built-in", Members}`; only the built-in "Allow Charging" / "Deny Charging"
 * decide entitlement (§3.7), custom groups are labels.
 */
import type { VehicleGroup } from "../config/settings-schema.ts";
import type { VehicleGroupDoc } from "../state/types.ts";

/** A group edit's outcome: the new groups (and the VIN to re-check), or the HTTP error. */
export type GroupEdit = { ok: true; groups: Record<string, VehicleGroup>; vin: string | null } | { ok: false; status: number; message: string };

/** A VIN a TWC can report: 17 characters of `[A-HJ-NPR-Z0-9]` (no I, O, Q), or the all-zero VIN of non-Tesla cars. */
export const VIN_RE = /^[A-HJ-NPR-Z0-9]{17}$/;

const MAX_NAME = 64;
const MAX_DESCRIPTION = 256;

const fail = (status: number, message: string): GroupEdit => ({ ok: false, status, message });

/** A copy of the groups that keeps every name as an own property (a group may be called `__proto__`… safely). */
function copyGroups(groups: Readonly<Record<string, VehicleGroup>>): Record<string, VehicleGroup> {
  const out: Record<string, VehicleGroup> = {};
  for (const [k, v] of Object.entries(groups)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

function stringField(form: Readonly<Record<string, unknown>>, f: string): string | { error: string } {
  const v = form[f];
  if (v === undefined || v === null) return { error: `${f} is required` };
  if (typeof v !== "string") return { error: `${f} must be a string` };
  return v;
}

/** A group name: 1–64 characters, not blank, no control characters and no `/` (the delete route takes it in the path). */
function checkName(form: Readonly<Record<string, unknown>>): string | { error: string } {
  const n = stringField(form, "group");
  if (typeof n !== "string") return n;
  const name = n.trim();
  if (name === "") return { error: "group must not be empty" };
  if (name.length > MAX_NAME) return { error: `group must be at most ${MAX_NAME} characters` };
  const bad = [...name].find((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127 || ch === "/");
  if (bad !== undefined) return { error: `group contains a forbidden character '${bad === "/" ? bad : encodeURIComponent(bad)}'` };
  return name;
}

/** The VIN field, upper-cased; an error message naming `vin` when it is not a VIN. */
export function checkVin(value: unknown): string | { error: string } {
  if (value === undefined || value === null) return { error: "vin is required" };
  if (typeof value !== "string") return { error: "vin must be a string" };
  const vin = value.trim().toUpperCase();
  if (!VIN_RE.test(vin)) return { error: "vin must be 17 characters of A-H, J-N, P, R-Z and 0-9 (or 00000000000000000)" };
  return vin;
}

/** `POST /vehicle/group` `operation=add`: a new custom group; an existing name → 409. */
export function addGroup(groups: Readonly<Record<string, VehicleGroup>>, form: Readonly<Record<string, unknown>>): GroupEdit {
  if (form.operation !== "add") return fail(400, "operation must be add");
  const name = checkName(form);
  if (typeof name !== "string") return fail(400, name.error);
  const d = form.description ?? "";
  if (typeof d !== "string") return fail(400, "description must be a string");
  if (d.length > MAX_DESCRIPTION) return fail(400, `description must be at most ${MAX_DESCRIPTION} characters`);
  if (Object.hasOwn(groups, name)) return fail(409, `Group '${name}' already exists`);
  const next = copyGroups(groups);
  Object.defineProperty(next, name, { value: { Description: d.trim(), "Built-in": 0, Members: [] }, enumerable: true, writable: true, configurable: true });
  return { ok: true, groups: next, vin: null };
}

/** `POST /vehicles/deleteGroup/<name>`: built-in → 400, unknown → 404. */
export function deleteGroup(groups: Readonly<Record<string, VehicleGroup>>, name: string): GroupEdit {
  if (!Object.hasOwn(groups, name)) return fail(404, `Group '${name}' not found`);
  if (groups[name]?.["Built-in"] === 1) return fail(400, `Group '${name}' is built in and cannot be deleted`);
  const next = copyGroups(groups);
  delete next[name];
  return { ok: true, groups: next, vin: null };
}

/** `POST /vehicle/groupMgmt`: add (no duplicates) or remove a VIN; the VIN's charger is re-checked afterwards. */
export function editMembers(groups: Readonly<Record<string, VehicleGroup>>, form: Readonly<Record<string, unknown>>): GroupEdit {
  const op = form.operation;
  if (op !== "add" && op !== "remove") return fail(400, "operation must be add or remove");
  const vin = checkVin(form.vin);
  if (typeof vin !== "string") return fail(400, vin.error);
  const g = stringField(form, "group");
  if (typeof g !== "string") return fail(400, g.error);
  const group = Object.hasOwn(groups, g) ? groups[g] : undefined;
  if (group === undefined) return fail(404, `Group '${g}' not found`);
  const members = Array.isArray(group.Members) ? group.Members.filter((m) => typeof m === "string") : [];
  const nextMembers = op === "add" ? (members.includes(vin) ? members : [...members, vin]) : members.filter((m) => m !== vin);
  const next = copyGroups(groups);
  Object.defineProperty(next, g, { value: { ...group, Members: nextMembers }, enumerable: true, writable: true, configurable: true });
  return { ok: true, groups: next, vin };
}

/** The groups for `GET /api/v2/vehicles`, sorted by name. */
export function groupDocs(groups: Readonly<Record<string, VehicleGroup>>): VehicleGroupDoc[] {
  return Object.entries(groups)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, g]) => ({
      name,
      description: typeof g.Description === "string" ? g.Description : "",
      builtIn: g["Built-in"] === 1,
      members: Array.isArray(g.Members) ? g.Members.filter((m): m is string => typeof m === "string") : [],
    }));
}

/** settings.Vehicles as `GET /api/v2/vehicles` `known`, sorted by VIN. */
export function knownVehicles(vehicles: Readonly<Record<string, unknown>>): { vin: string; chargeSessions: number; totalKWh: number }[] {
  const num = (e: unknown, k: string): number => {
    const v = typeof e === "object" && e !== null ? (e as Record<string, unknown>)[k] : undefined;
    return typeof v === "number" && Number.isFinite(v) ? v : 0;
  };
  return Object.keys(vehicles)
    .sort()
    .map((vin) => ({ vin, chargeSessions: Math.trunc(num(vehicles[vin], "chargeSessions")), totalKWh: num(vehicles[vin], "totalkWh") }));
}
