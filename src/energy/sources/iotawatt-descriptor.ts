/** Catalogue entry of `sources.IotaWatt` (energy-sources.md §8): its schema and lazy factory. */
import { Type, type Static } from "typebox";
import { defineSource } from "../catalogue.ts";
import { enabledKey, optionalText, pollIntervalKey, serverIpKey } from "./module-schema.ts";

/** `sources.IotaWatt` (upstream keys and defaults). */
export const IotaWattSchema = Type.Object({
  enabled: enabledKey(),
  serverIP: serverIpKey("IoTaWatt host (a host:port value works)"),
  outputConsumption: optionalText("IoTaWatt output name for consumption; empty = not read"),
  outputGeneration: optionalText("IoTaWatt output name for generation; empty = not read"),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.IotaWatt` section. */
export type IotaWattConfig = Static<typeof IotaWattSchema>;

/** The IotaWatt module. */
export const IOTAWATT_SOURCE = defineSource({
  key: "IotaWatt",
  registeredName: "IotaWatt",
  schema: IotaWattSchema,
  required: ["serverIP"],
  attributes: ["consumedW", "generatedW"],
  load: async () => (await import("./iotawatt.ts")).createIotaWattSource,
});
