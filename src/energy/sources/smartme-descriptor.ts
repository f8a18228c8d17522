/** Catalogue entry of `sources.SmartMe` (energy-sources.md §13): its schema and lazy factory. */
import { Type, type Static } from "typebox";
import { defineSource } from "../catalogue.ts";
import { enabledKey, idKey, pollIntervalKey } from "./module-schema.ts";

/** `sources.SmartMe` (upstream keys and defaults). */
export const SmartMeSchema = Type.Object({
  enabled: enabledKey(),
  username: Type.Optional(Type.String({ minLength: 1, description: "smart-me account" })),
  password: Type.Optional(Type.String({ minLength: 1, "x-secret": true, description: "smart-me password" })),
  serialNumber: idKey("Meter serial number"),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.SmartMe` section. */
export type SmartMeConfig = Static<typeof SmartMeSchema>;

/** The SmartMe module. */
export const SMARTME_SOURCE = defineSource({
  key: "SmartMe",
  registeredName: "SmartMe",
  schema: SmartMeSchema,
  required: ["username", "password", "serialNumber"],
  attributes: ["generatedW"],
  load: async () => (await import("./smartme.ts")).createSmartMeSource,
});
