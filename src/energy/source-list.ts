/** The list of catalogued energy sources (catalogue.ts): one line per `sources.<Key>` module. */
import type { RefusedSource, SourceDescriptor } from "./catalogue.ts";

/** Every implemented catalogue source, in upstream load order (energy-sources.md §1.1). */
export const SOURCE_CATALOGUE: readonly SourceDescriptor[] = [
  // one line per module: e.g. FRONIUS_SOURCE (imported from ./sources/fronius-descriptor.ts)
];

/** Modules the spec marks "do not implement" (energy-sources.md §20–§23). */
export const REFUSED_SOURCES: readonly RefusedSource[] = [];
