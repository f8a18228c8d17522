/** Catalogue entry of `sources.Efergy` (energy-sources.md §16): its schema and lazy factory. */
import { Type, type Static } from "typebox";
import { defineSource } from "../catalogue.ts";
import { enabledKey, pollIntervalKey } from "./module-schema.ts";

/** `sources.Efergy` (upstream keys and defaults). */
export const EfergySchema = Type.Object({
  enabled: enabledKey(),
  token: Type.Optional(
    Type.String({
      minLength: 1,
      "x-secret": true,
      description: "App token from the Engage account settings",
    }),
  ),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.Efergy` section. */
export type EfergyConfig = Static<typeof EfergySchema>;

/** The Efergy module. */
export const EFERGY_SOURCE = defineSource({
  key: "Efergy",
  registeredName: "Efergy",
  schema: EfergySchema,
  required: ["token"],
  attributes: ["consumedW"],
  load: async () => (await import("./efergy.ts")).createEfergySource,
});
