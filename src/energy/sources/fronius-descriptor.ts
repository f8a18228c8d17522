/** Catalogue entry of `sources.Fronius` (energy-sources.md §4): its schema and lazy factory. */
import { Type, type Static } from "typebox";
import { defineSource } from "../catalogue.ts";
import { enabledKey, pollIntervalKey, portKey } from "./module-schema.ts";

/** `sources.Fronius` (upstream keys and defaults): one inverter, or several whose values are added. */
export const FroniusSchema = Type.Object({
  enabled: enabledKey(),
  serverIP: Type.Optional(
    Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.Union([Type.String(), Type.Null()]))], {
      description: "Inverter host, or a list of inverter hosts whose values are added",
    }),
  ),
  serverPort: portKey(80),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.Fronius` section. */
export type FroniusConfig = Static<typeof FroniusSchema>;

/** The Fronius module. */
export const FRONIUS_SOURCE = defineSource({
  key: "Fronius",
  registeredName: "Fronius",
  schema: FroniusSchema,
  required: ["serverIP"],
  attributes: ["generatedW", "consumedW", "voltage", "importW", "exportW"],
  load: async () => (await import("./fronius.ts")).createFroniusSource,
});
