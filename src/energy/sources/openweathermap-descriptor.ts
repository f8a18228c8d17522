/** Catalogue entry of `sources.OpenWeatherMap` (energy-sources.md §19): its schema and lazy factory. */
import { defineSource } from "../catalogue.ts";
import { OpenWeatherMapSchema } from "./openweathermap-schema.ts";

/** The OpenWeatherMap module. */
export const OPENWEATHERMAP_SOURCE = defineSource({
  key: "OpenWeatherMap",
  registeredName: "OpenWeatherMap",
  schema: OpenWeatherMapSchema,
  required: ["APIKey", "PeakKW"],
  attributes: ["generatedW"],
  load: async () => (await import("./openweathermap.ts")).createOpenWeatherMapSource,
});
