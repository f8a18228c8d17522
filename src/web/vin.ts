/**
 * VIN decoding for the vehicle detail page (vehicles.md §8.4): maker, model, variant, model year, plant
 * and drive side from a Tesla VIN's positions. Pure. Upstream's table plus a few later codes (Austin,
 * Berlin, Model Y, Cybertruck, model years after 2021).
 */

/** The all-zero VIN TWCs report for cars that do not send one (non-Tesla cars, CAN off). */
export const NON_TESLA_VIN = "00000000000000000";

/** What a VIN says; null fields are positions this table does not know. */
export interface DecodedVin {
  /** 17 characters of A–Z (without I, O, Q) and 0–9. */
  valid: boolean;
  /** The all-zero VIN: stands for cars that do not report one. */
  nonTesla: boolean;
  manufacturer: string | null;
  model: string | null;
  /** Drive train / battery variant (Model 3 only, as upstream). */
  variant: string | null;
  year: number | null;
  plant: string | null;
  /** Steering wheel side. */
  drive: "left-hand drive" | "right-hand drive" | null;
}

const MAKERS: Readonly<Record<string, string>> = {
  "5YJ": "Tesla Motors (USA)",
  "7SA": "Tesla, Inc. (USA)",
  "7G2": "Tesla, Inc. (USA)",
  LRW: "Tesla Motors (China)",
  XP7: "Tesla Manufacturing (Germany)",
};

const MODELS: Readonly<Record<string, string>> = {
  S: "Model S",
  X: "Model X",
  "3": "Model 3",
  Y: "Model Y",
  C: "Cybertruck",
};

const PLANTS: Readonly<Record<string, string>> = {
  F: "Fremont, California",
  P: "Palo Alto, California",
  C: "Shanghai, China",
  A: "Austin, Texas",
  B: "Grünheide (Berlin), Germany",
};

const LEFT = new Set(["SA", "XC", "3E"]);
const RIGHT = new Set(["SB", "XD", "3F"]);

const MODEL3_VARIANTS: Readonly<Record<string, string>> = {
  "7EA": "Standard Range Plus, rear-wheel drive",
  "7EB": "Long Range, all-wheel drive",
  "7EC": "Performance, all-wheel drive",
};

/** Model-year letters in order from 2010 (the 30-year cycle skips I, O, Q, U, Z and 0). */
const YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789";

/** The model year of a 10th character: 8/9 → 2008/2009 (Roadster), A → 2010 … Y → 2030, 1 → 2031 …. */
export function modelYear(code: string): number | null {
  if (code === "8") return 2008;
  if (code === "9") return 2009;
  const i = YEAR_CODES.indexOf(code);
  return code.length === 1 && i >= 0 ? 2010 + i : null;
}

/** True for 17 characters of A–Z without I, O, Q, and 0–9 (or the all-zero VIN). */
export function isValidVin(vin: string): boolean {
  return /^[A-HJ-NPR-Z0-9]{17}$/.test(vin);
}

/** Decodes a VIN (case-insensitive, surrounding spaces ignored). */
export function decodeVin(raw: string): DecodedVin {
  const vin = raw.trim().toUpperCase();
  const out: DecodedVin = {
    valid: isValidVin(vin),
    nonTesla: vin === NON_TESLA_VIN,
    manufacturer: null,
    model: null,
    variant: null,
    year: null,
    plant: null,
    drive: null,
  };
  if (!out.valid || out.nonTesla) return out;
  out.manufacturer = MAKERS[vin.slice(0, 3)] ?? null;
  if (out.manufacturer === null) return out;
  const m = vin.charAt(3);
  out.model = MODELS[m] ?? null;
  const body = vin.slice(3, 5);
  out.drive = LEFT.has(body) ? "left-hand drive" : RIGHT.has(body) ? "right-hand drive" : null;
  if (m === "3") {
    out.variant = MODEL3_VARIANTS[vin.slice(5, 8)] ?? (vin.charAt(7) === "B" ? "Long Range, all-wheel drive" : null);
  }
  out.year = modelYear(vin.charAt(9));
  out.plant = PLANTS[vin.charAt(10)] ?? null;
  return out;
}
