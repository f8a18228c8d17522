/** Config schema of `sources.OpenWeatherMap` (energy-sources.md §19). */
import { Type, type Static } from "typebox";
import { enabledKey, pollIntervalKey } from "./module-schema.ts";

/** `sources.OpenWeatherMap` (upstream keys and defaults). */
export const OpenWeatherMapSchema = Type.Object({
  enabled: enabledKey(),
  APIKey: Type.Optional(
    Type.String({ minLength: 1, "x-secret": true, description: "OpenWeather API key (One Call 3.0)" }),
  ),
  Latitude: Type.Number({
    minimum: -90,
    maximum: 90,
    default: 0,
    "x-quiet": true,
    description: "Site latitude",
  }),
  Longitude: Type.Number({
    minimum: -180,
    maximum: 180,
    default: 0,
    "x-quiet": true,
    description: "Site longitude",
  }),
  PeakKW: Type.Optional(
    Type.Array(Type.Number({ minimum: 0 }), {
      minItems: 12,
      maxItems: 12,
      description: "Best PV output (kW) reached on a day of each month, January first",
    }),
  ),
  // One Call 3.0 allows 1,000 free calls a day (≈ one per 86.4 s).
  pollIntervalS: pollIntervalKey(90, 90),
});

/** Normalised `sources.OpenWeatherMap` section. */
export type OpenWeatherMapConfig = Static<typeof OpenWeatherMapSchema>;
