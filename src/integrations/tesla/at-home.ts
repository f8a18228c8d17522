/** At-home detection (vehicles.md §2.12): a square of half-side `atHomeRadius` feet around home. Pure. */

/** Feet per degree, as upstream. */
export const FEET_PER_DEGREE = 364488.888;
/** The "unknown" sentinel of settings.homeLat/homeLon and of car positions. */
export const UNKNOWN_POSITION = 10000;
/** A fix older than this (s) does not set an unknown home. */
export const STALE_FIX_S = 600;
/** Half-side of the "far from home" square, degrees (polling deferral, §2.9). */
export const FAR_DEGREES = 1.4;

/** The radius in degrees. */
export function radiusDegrees(atHomeRadiusFt: number): number {
  return atHomeRadiusFt / FEET_PER_DEGREE;
}

/** True when home is a real position (not the 10000 sentinel, finite). */
export function homeKnown(lat: number, lon: number): boolean {
  return Number.isFinite(lat) && Number.isFinite(lon) && lat !== UNKNOWN_POSITION && lon !== UNKNOWN_POSITION && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
}

/** What the check found: at home or not, and the home to adopt when home was unknown. */
export interface AtHomeVerdict {
  atHome: boolean;
  /** Set when home was unknown and this fix becomes home (settings saved, sunrise/sunset recomputed). */
  adoptHome: { lat: number; lon: number } | null;
  /** Outside the 1.4° square (polled at most hourly). */
  far: boolean;
}

/** The inputs of the check. */
export interface AtHomeInput {
  home: { lat: number; lon: number };
  car: { lat: number; lon: number };
  atHomeRadiusFt: number;
  /** Age of the fix in seconds, null when the car did not say. */
  fixAgeS: number | null;
}

/** §2.12: inside the square; an unknown home adopts a fresh fix (not one known to be older than 600 s). */
export function atHome(i: AtHomeInput): AtHomeVerdict {
  if (!homeKnown(i.home.lat, i.home.lon)) {
    if (i.fixAgeS !== null && i.fixAgeS > STALE_FIX_S) return { atHome: false, adoptHome: null, far: false };
    return { atHome: true, adoptHome: { lat: i.car.lat, lon: i.car.lon }, far: false };
  }
  const r = radiusDegrees(i.atHomeRadiusFt);
  const dLat = Math.abs(i.home.lat - i.car.lat);
  const dLon = Math.abs(i.home.lon - i.car.lon);
  return { atHome: dLat <= r && dLon <= r, adoptHome: null, far: dLat > FAR_DEGREES || dLon > FAR_DEGREES };
}
