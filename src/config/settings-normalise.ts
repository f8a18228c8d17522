/**
 * Normalisation of a parsed settings.json (config.md §2.3 steps 2–4), driven by the typed keys of
 * settings-schema.ts. Pure.
 */
import { coerceNumber } from "./coerce.ts";
import {
  builtInVehicleGroups,
  SETTING_SPECS,
  type ConsumptionOffset,
  type Settings,
  type VehicleGroup,
} from "./settings-schema.ts";

const NO: { ok: false } = { ok: false };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

function normaliseOffsets(v: Record<string, unknown>, warnings: string[]): Record<string, ConsumptionOffset> {
  const out: Record<string, ConsumptionOffset> = {};
  for (const [name, o] of Object.entries(v)) {
    const value = isObject(o) ? coerceNumber(o.value) : NO;
    const unit = isObject(o) && typeof o.unit === "string" ? o.unit.toUpperCase() : "";
    if (value.ok && (unit === "A" || unit === "W")) {
      Object.defineProperty(out, name, {
        value: { value: value.value, unit },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      warnings.push(`settings.json: consumptionOffset '${name}' is invalid (${show(o)}) and was dropped`);
    }
  }
  return out;
}

function normaliseGroups(v: Record<string, unknown>, warnings: string[]): Record<string, VehicleGroup> {
  const out: Record<string, VehicleGroup> = {};
  for (const [name, g] of Object.entries(v)) {
    if (!isObject(g)) {
      warnings.push(`settings.json: VehicleGroups '${name}' is not an object and was dropped`);
      continue;
    }
    const members = Array.isArray(g.Members)
      ? g.Members.filter((m): m is string => typeof m === "string")
      : [];
    const group: VehicleGroup = {
      ...g,
      Description: typeof g.Description === "string" ? g.Description : "",
      "Built-in": g["Built-in"] === 1 ? 1 : 0,
      Members: members,
    };
    Object.defineProperty(out, name, { value: group, enumerable: true, writable: true, configurable: true });
  }
  for (const [name, g] of Object.entries(builtInVehicleGroups())) {
    if (!Object.hasOwn(out, name)) out[name] = g;
  }
  return out;
}

/**
 * Normalises a parsed settings.json (config.md §2.3 steps 2–4): defaults merged for missing keys, typed
 * keys coerced ("1" → 1, "on" → true …), invalid or out-of-range values replaced by the default with a
 * warning naming the key, unknown and preserved keys kept verbatim, built-in vehicle groups created.
 */
export function normaliseSettings(raw: unknown, w: number): { settings: Settings; warnings: string[] } {
  const warnings: string[] = [];
  const out: Record<string, unknown> = {};
  if (isObject(raw)) {
    for (const [k, v] of Object.entries(raw))
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  } else if (raw !== undefined) {
    warnings.push("settings.json: the content is not a JSON object; starting from defaults");
  }
  for (const spec of SETTING_SPECS) {
    const present = Object.hasOwn(out, spec.key) && out[spec.key] !== null && out[spec.key] !== undefined;
    if (!present) {
      if (spec.default === undefined) delete out[spec.key];
      else out[spec.key] = structuredClone(spec.default);
      continue;
    }
    const r = spec.check(out[spec.key], w);
    if (r.ok) {
      out[spec.key] = r.value;
      continue;
    }
    const using = spec.default === undefined ? "removing it" : `using the default ${show(spec.default)}`;
    warnings.push(
      `settings.json: '${spec.key}' value ${show(out[spec.key])} is invalid (must be ${spec.describe(w)}); ${using}`,
    );
    if (spec.default === undefined) delete out[spec.key];
    else out[spec.key] = structuredClone(spec.default);
  }
  for (const key of ["consumptionOffset", "Vehicles", "SlaveTWCs", "VehicleGroups"] as const) {
    const v = out[key];
    if (v !== undefined && !isObject(v))
      warnings.push(`settings.json: '${key}' is not an object; using the default`);
    const obj = isObject(v) ? v : {};
    out[key] =
      key === "consumptionOffset"
        ? normaliseOffsets(obj, warnings)
        : key === "VehicleGroups"
          ? normaliseGroups(obj, warnings)
          : obj;
  }
  const id = out.installationNodeId;
  if (typeof id === "number" && Number.isSafeInteger(id) && id >= 0) {
    out.installationNodeId = String(id);
  } else if (id !== undefined && !(typeof id === "string" && /^\d+$/.test(id))) {
    warnings.push(`settings.json: 'installationNodeId' value ${show(id)} is invalid; it will be recreated`);
    delete out.installationNodeId;
  }
  return { settings: out as Settings, warnings };
}
