/**
 * Validation of the catalogued energy sources (energy-sources.md §1.2, §1.8): every enabled
 * `sources.<Key>` of SOURCE_CATALOGUE is checked against its schema; a missing required key is a
 * warning naming it and the source is not started; a refused module gets the spec's message. Also the
 * load-time warnings on `modules.<Name>.<attr>` policy macros (§1.7). Pure.
 */
import { VEHICLE_MACRO_ATTRIBUTES, VEHICLE_MACRO_MODULE } from "../policy/vehicle-macros.ts";
import type { JsonSchema } from "./schema-walk.ts";
import type { CatalogueSourceConfig } from "./app-config.ts";
import { REFUSED_SOURCES, SOURCE_CATALOGUE } from "../energy/source-list.ts";
import type { SourceDescriptor } from "../energy/catalogue.ts";
import { descriptorByModuleName } from "../energy/poller.ts";
import { addRaw, addWarning, checkSchema, isRecord, type Issue } from "./schema-walk.ts";
import { readEnabled } from "./validate-bus.ts";

/** The `sources` keys handled outside the catalogue (wired by hand). */
export const HAND_WIRED_SOURCES: readonly string[] = ["URL", "HASS", "MQTT", "DSMRreader"];

/** Every `sources.<Key>` that is not "unsupported": hand-wired, catalogued or refused (with its own message). */
export function knownSourceKeys(): string[] {
  return [
    ...HAND_WIRED_SOURCES,
    ...SOURCE_CATALOGUE.flatMap((d) => [d.key, ...(d.configAliases ?? [])]),
    ...REFUSED_SOURCES.map((r) => r.key),
  ];
}

/** Hints for blocks named after the registered name instead of the key (e.g. `sources.TeslaPowerwall2`). */
export function sourceKeyHints(catalogue: readonly SourceDescriptor[] = SOURCE_CATALOGUE): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of catalogue) if (d.registeredName !== d.key) out[d.registeredName] = ` (this module is configured as sources.${d.key})`;
  return out;
}

function isMissing(v: unknown): boolean {
  if (Array.isArray(v)) return v.every(isMissing);
  return v === undefined || v === null || (typeof v === "string" && v.trim() === "");
}

/** The keys a source needs: its descriptor's `required` plus schema-required keys without a default. */
export function requiredKeys(d: SourceDescriptor): string[] {
  const s = d.schema as unknown as JsonSchema;
  const fromSchema = (s.required ?? []).filter((k) => k !== "enabled" && s.properties?.[k]?.default === undefined);
  return [...new Set([...(d.required ?? []), ...fromSchema])];
}

/**
 * Validates the catalogued sections of `sources` (already checked to be an object or absent): the
 * enabled, complete ones in catalogue order; "error" when any has a schema error.
 */
export function buildCatalogueSources(
  sources: Readonly<Record<string, unknown>>,
  issues: Issue[],
  catalogue: readonly SourceDescriptor[] = SOURCE_CATALOGUE,
): CatalogueSourceConfig[] | "error" {
  const out: CatalogueSourceConfig[] = [];
  let failed = false;
  for (const d of catalogue) {
    const { raw, path } = sectionOf(sources, d, issues);
    const before = issues.length;
    if (!readEnabled(raw, path, false, issues)) {
      if (issues.slice(before).some((i) => i.severity === "error")) failed = true;
      continue;
    }
    if (path !== `sources.${d.key}`)
      addWarning(issues, path, `read as sources.${d.key} (TWCManager's code reads that spelling); rename the block`);
    const section = isRecord(raw) ? raw : {};
    const missing = requiredKeys(d).filter((k) => isMissing(section[k]));
    if (missing.length > 0) {
      for (const k of missing) addWarning(issues, `${path}.${k}`, `is required; ${path} is not started`);
      continue;
    }
    const checked = checkSchema(d.schema, { ...section, enabled: true }, path, issues);
    if (checked === null) {
      failed = true;
      continue;
    }
    const findings = d.check?.(checked) ?? [];
    for (const f of findings)
      addWarning(issues, f.key !== undefined ? `${path}.${f.key}` : path, f.blocking === true ? `${f.message}; ${path} is not started` : f.message);
    if (findings.some((f) => f.blocking === true)) continue;
    out.push({ key: d.key, config: checked });
  }
  return failed ? "error" : out;
}

/**
 * The block of `d`: `sources.<Key>`, else the first present config alias (e.g. `sources.Iotawatt`); an
 * alias next to the key is ignored with a warning.
 */
function sectionOf(
  sources: Readonly<Record<string, unknown>>,
  d: SourceDescriptor,
  issues: Issue[],
): { raw: unknown; path: string } {
  const aliases = (d.configAliases ?? []).filter((a) => sources[a] !== undefined);
  if (sources[d.key] !== undefined) {
    for (const a of aliases) addWarning(issues, `sources.${a}`, `is ignored: sources.${d.key} is present`);
    return { raw: sources[d.key], path: `sources.${d.key}` };
  }
  const a = aliases[0];
  return a === undefined ? { raw: undefined, path: `sources.${d.key}` } : { raw: sources[a], path: `sources.${a}` };
}

/** Warns for every enabled refused module with the spec's reason and what to use instead (§20–§23). */
export function warnRefusedSources(sources: Readonly<Record<string, unknown>>, issues: Issue[]): void {
  for (const r of REFUSED_SOURCES) {
    const raw = sources[r.key];
    if (!isRecord(raw)) continue;
    if (readEnabled(raw, `sources.${r.key}`, false, [])) addRaw(issues, "warning", `sources.${r.key}`, r.message);
  }
}

/** Every string inside `v` (deep), for the macro scan. */
function strings(v: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 64) return out;
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out, depth + 1);
  else if (isRecord(v)) for (const x of Object.values(v)) strings(x, out, depth + 1);
  return out;
}

/**
 * Warns for every `modules.<Name>.<attr>` in the policy section naming an unknown module, an attribute
 * the module does not expose, or a module that is known but not enabled (energy-sources.md §1.7).
 */
export function warnModuleMacros(
  policy: unknown,
  enabled: readonly CatalogueSourceConfig[],
  issues: Issue[],
  catalogue: readonly SourceDescriptor[] = SOURCE_CATALOGUE,
  vehicles: { teslaApi: boolean; any: boolean } = { teslaApi: false, any: false },
): void {
  const seen = new Set<string>();
  for (const s of strings(policy)) {
    if (!s.startsWith("modules.")) continue;
    const [, name = "", attr = ""] = s.split(".");
    if (name === "" || attr === "") continue;
    const macro = `modules.${name}.${attr}`;
    if (seen.has(macro)) continue;
    seen.add(macro);
    const d = descriptorByModuleName(name, catalogue);
    if (name === VEHICLE_MACRO_MODULE) {
      if (!VEHICLE_MACRO_ATTRIBUTES.includes(attr)) addWarning(issues, "policy", `${macro}: module ${name} has no attribute ${attr}; the condition compares the macro text`);
      else if (!vehicles.any) addWarning(issues, "policy", `${macro}: no vehicle module is configured (vehicle.teslaAPI, teslaBLE, HomeAssistant, TeslaMate or teslaFleetTelemetryMQTT); the condition compares the macro text`);
    } else if (!d) {
      addWarning(issues, "policy", `${macro}: unknown module ${name}; the condition compares the macro text`);
    } else if (!d.attributes.includes(attr)) {
      addWarning(issues, "policy", `${macro}: module ${name} has no attribute ${attr}; the condition compares the macro text`);
    } else if (!enabled.some((e) => e.key === d.key)) {
      addWarning(issues, "policy", `${macro}: module ${name} is not running (sources.${d.key} is disabled or incomplete); the condition compares the macro text`);
    } else if (d.key === "Powerwall2" && attr === "stormWatch" && !vehicles.teslaApi) {
      addWarning(issues, "policy", `${macro}: Storm Watch is read with the Tesla Fleet API token; enable vehicle.teslaAPI, else the condition compares the macro text`);
    }
  }
}

/** The names of the energy sources that will run, for `check-config`. */
export function runningSourceNames(sources: {
  url: unknown;
  hass: unknown;
  mqtt: unknown;
  dsmr: unknown;
  catalogue: readonly CatalogueSourceConfig[];
}): string[] {
  const hand: [string, unknown][] = [
    ["URL", sources.url],
    ["HASS", sources.hass],
    ["MQTT", sources.mqtt],
    ["DSMRreader", sources.dsmr],
  ];
  return [...hand.filter(([, c]) => c !== null).map(([n]) => n), ...sources.catalogue.map((c) => c.key)];
}
