/**
 * The catalogue of the TWCManager EMS modules rebuilt here (energy-sources.md §1.1), one descriptor per
 * `sources.<Key>`: its config schema (upstream key names and defaults), the registered name policies use
 * in `modules.<Name>.<attr>`, the attributes it exposes, and a lazy loader of its factory. Config
 * validation, the module registry and the policy macros all read this list, so a new source is one file
 * in `energy/sources/` and one line here. URL, HASS, MQTT and DSMRreader predate it and are wired by hand.
 */
import type { Static, TObject } from "typebox";
import type { EnergySource, SourceDeps } from "./source.ts";

/** A source that also exposes module attributes for policies (energy-sources.md §1.7). */
export interface AttributeSource extends EnergySource {
  /**
   * The attributes of the latest successful reading, upstream names and types; empty before the first
   * reading. Never performs I/O. (Staleness is applied by the resolver, not here.)
   */
  attributes(): Readonly<Record<string, string | number | boolean | null>>;
}

/** A finding of a descriptor's `check` (a config warning). */
export interface SourceCheck {
  /** The key inside the section it is about (e.g. "siteID"), or absent for the section as a whole. */
  readonly key?: string;
  readonly message: string;
  /** True: the source cannot run like this and is not started (upstream unloads the module). */
  readonly blocking?: boolean;
}

/** One `sources.<Key>` module; `C` is its validated config section (defaults applied). */
export interface SourceDescriptor<C = Readonly<Record<string, unknown>>> {
  /** The config key under `sources` (upstream spelling, e.g. "Powerwall2", "openHAB"). */
  readonly key: string;
  /** The registered (upstream class) name for `modules.<Name>.<attr>` (e.g. "TeslaPowerwall2", "OpenHab"). */
  readonly registeredName: string;
  /** Other accepted names in `modules.<Name>` (e.g. "Powerwall2" for the Powerwall). */
  readonly aliases?: readonly string[];
  /** TypeBox schema of the section, `enabled` included; secrets marked `"x-secret": true`. */
  readonly schema: TObject;
  /** Required keys beyond the schema's, checked only when enabled (a missing one is a warning, not started; §1.2). */
  readonly required?: readonly string[];
  /** Other spellings of the block read in its place, with a warning (e.g. "Iotawatt", as TWCManager's docs write it). */
  readonly configAliases?: readonly string[];
  /** Checks beyond the schema on the validated section (one-of keys, ignored keys), run when enabled. */
  check?(config: C): readonly SourceCheck[];
  /** The attribute names it exposes (§1.7 and its section), for config warnings on unknown ones. */
  readonly attributes: readonly string[];
  /** Loads the factory (dynamic import: nothing is loaded unless the source is enabled). */
  load(): Promise<(config: C, deps: SourceDeps) => AttributeSource>;
}

/** A module the spec says not to implement: `check-config` says why and what to use instead. */
export interface RefusedSource {
  readonly key: string;
  /** The sentence `check-config` prints (why, and what to use instead). */
  readonly message: string;
}

/**
 * Declares a source with its config type derived from its schema, and erases that type for the list:
 * validation applies exactly `schema` (defaults included) before `load`'s factory sees the section.
 */
export function defineSource<S extends TObject>(d: Omit<SourceDescriptor<Static<S>>, "schema"> & { schema: S }): SourceDescriptor {
  return d as unknown as SourceDescriptor;
}
