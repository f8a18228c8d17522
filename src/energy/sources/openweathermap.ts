/**
 * OpenWeatherMap estimate (energy-sources.md §19): `GET https://api.openweathermap.org/data/3.0/onecall`
 * (One Call 3.0; upstream still calls the closed 2.5) and upstream's estimate of PV output: the month's
 * `PeakKW` × a time-of-day factor (sunrise → midday → sunset) × a cloud factor × a temperature factor.
 * Consumption is always 0. The estimate uses the injected clock.
 */
import { SourceFetchError } from "../polling-source.ts";
import type { OpenWeatherMapConfig } from "./openweathermap-schema.ts";
import {
  createModuleSource,
  isObject,
  parseJsonBody,
  request,
  requireNumber,
  trimBase,
} from "./module-source.ts";
import type { ModuleDeps, ModuleReading } from "./module-source.ts";

/** Upstream request timeout (ms, §1.6). */
export const OWM_TIMEOUT_MS = 10_000;
/** The upstream API host. */
export const OWM_BASE_URL = "https://api.openweathermap.org";

/** The forecast entry closest to `nowS` (upstream's walk: current, then hourly, then daily). */
export function owmBestEntry(doc: Record<string, unknown>, nowS: number): Record<string, unknown> {
  const current = doc.current;
  if (!isObject(current)) throw new SourceFetchError("onecall: no current entry in the answer");
  let best = current;
  let d = Math.abs(requireNumber("current.dt", current.dt) - nowS);
  for (const list of [doc.hourly, doc.daily]) {
    if (!Array.isArray(list)) continue;
    for (const e of list as unknown[]) {
      if (!isObject(e)) continue;
      const de = Math.abs(requireNumber("entry dt", e.dt) - nowS);
      // Upstream quirk: once d is 0 the next entry replaces the best one.
      if (d === 0 || de < d) {
        best = e;
        d = de;
      }
    }
  }
  return best;
}

/** Time-of-day factor: 0 outside daylight, rising to midday and falling after, clamped to [0.2, 1]. */
export function owmDayFactor(nowS: number, sunriseS: number, sunsetS: number): number {
  if (nowS < sunriseS || nowS > sunsetS) return 0;
  const midday = Math.trunc(sunriseS + (sunsetS - sunriseS) / 2);
  const f =
    nowS < midday
      ? (nowS - sunriseS) / (midday - sunriseS)
      : (2 * midday - nowS - sunriseS) / (midday - sunriseS);
  return f > 0.9 ? 1 : f < 0.2 ? 0.2 : f;
}

/** Temperature factor as upstream wrote it: 1 up to 31 °C; above, 1 − (t − 31)/100 capped at 0.5. */
export function owmTempFactor(tempC: number): number {
  if (tempC <= 31) return 1;
  const f = 1 - (tempC - 31) / 100;
  return f > 0.5 ? 0.5 : f;
}

/** The estimated generation (W) at `nowS` for `month` (1–12); throws when the answer lacks a needed field. */
export function owmEstimateW(doc: unknown, nowS: number, month: number, peakKW: readonly number[]): number {
  if (!isObject(doc)) throw new SourceFetchError("onecall: answer is not an object");
  const current = isObject(doc.current) ? doc.current : {};
  const sunrise = requireNumber("current.sunrise", current.sunrise);
  const sunset = requireNumber("current.sunset", current.sunset);
  const best = owmBestEntry(doc, nowS);
  const peak = requireNumber(`PeakKW[${month - 1}]`, peakKW[month - 1]);
  const fDay = owmDayFactor(nowS, sunrise, sunset);
  if (fDay === 0) return 0;
  // A daily entry's temp is an object: upstream's comparison fails and the estimate is not computed.
  if (typeof best.temp !== "number")
    throw new SourceFetchError("estimate not computed: the closest entry has no numeric temp");
  const fCloud = 1 - requireNumber("clouds", best.clouds) / 300;
  return peak * fDay * fCloud * owmTempFactor(best.temp) * 1000;
}

/** Creates the OpenWeatherMap source (not started). */
export function createOpenWeatherMapSource(
  cfg: OpenWeatherMapConfig,
  deps: ModuleDeps,
): ReturnType<typeof createModuleSource> {
  const q = new URLSearchParams({
    lat: String(cfg.Latitude),
    lon: String(cfg.Longitude),
    appid: cfg.APIKey ?? "",
    exclude: "minutely",
    units: "metric",
  });
  const url = `${trimBase(deps.baseUrl ?? OWM_BASE_URL)}/data/3.0/onecall?${q.toString()}`;
  const poll = async (signal: AbortSignal): Promise<ModuleReading> => {
    const doc = parseJsonBody(
      "onecall",
      await request("onecall", url, { method: "GET" }, deps, OWM_TIMEOUT_MS, signal),
    );
    const nowMs = deps.clock.now();
    const generatedW = owmEstimateW(doc, nowMs / 1000, new Date(nowMs).getMonth() + 1, cfg.PeakKW ?? []);
    return { values: { generationW: generatedW, consumptionW: 0 }, attributes: { generatedW } };
  };
  return createModuleSource("OpenWeatherMap", deps, cfg.pollIntervalS, poll);
}
